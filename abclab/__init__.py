"""abclab: ABC / AHP customer classification toolkit.

Submodules are imported on first use (``abclab.ahp``, ``abclab.classify`` ...), so
``import abclab`` stays cheap and has no side effects.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

__all__ = [
    "ahp",
    "classify",
    "cleaning",
    "clustering",
    "compare",
    "datasets",
    "dynamics",
    "exceptions",
    "features",
    "io",
    "lab",
    "mcabc",
    "report",
    "scoring",
    "sensitivity",
    "strategy",
    "study",
    "weighting",
]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'abclab' has no attribute {name!r}")
