"""Shared test helpers: where the reference data live.

The Flores 47 and CDNOW files are bundled with the package (``abclab/datasets/``, byte-equal
to ``shared/data/``, checked in ``test_datasets.py``); the source documents stay in the
project's ``shared/`` folder, which sits beside the checkout (locally and in CI).
"""

from __future__ import annotations

import os
from pathlib import Path

import abclab.datasets

#: Folder of the bundled reference data files (flores47.csv, cdnow_master.txt).
BUNDLED_DATA = Path(abclab.datasets.__file__).parent

#: The project's shared folder (source documents): $ABCLAB_SHARED, else beside the checkout
#: (as in CI), else the development machines' /work/shared.
_CANDIDATES = [os.environ.get("ABCLAB_SHARED"), Path(__file__).resolve().parents[2] / "shared"]
SHARED = next(
    (Path(p) for p in [*_CANDIDATES, "/work/shared"] if p and Path(p).is_dir()),
    Path(__file__).resolve().parents[2] / "shared",
)

#: Kernels the tests start (tutorial notebooks, the report) import this checkout's abclab,
#: not the one an editable install points at (a git worktree beside the main checkout).
_CHECKOUT = str(Path(__file__).resolve().parents[1])
os.environ["PYTHONPATH"] = os.pathsep.join(
    p for p in (_CHECKOUT, os.environ.get("PYTHONPATH")) if p
)
