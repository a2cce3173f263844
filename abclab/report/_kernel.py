"""The kernel a report runs on: the interpreter that runs abclab, with readable parameters.

:class:`SameInterpreterKernelSpecs` makes every kernel ``sys.executable -m ipykernel_launcher``
(whatever kernel specs the user has installed), with the abclab being run first on its path;
:func:`readable_python_translator` keeps non-ASCII string parameters readable in the cell
papermill injects.
"""

from __future__ import annotations

import functools
import os
import site
import sys
from pathlib import Path
from typing import Any

from jupyter_client.kernelspec import KernelSpec, KernelSpecManager

from abclab.pipeline import PROGRESS_ENV

#: Kernel name under which the runner's translator and kernel spec are known.
KERNEL_NAME = "abclab-report"


class SameInterpreterKernelSpecs(KernelSpecManager):
    """Kernel spec manager whose every kernel runs ``sys.executable -m ipykernel_launcher``.

    The report must run on the interpreter that runs abclab, not on whatever ``python3``
    kernel spec the user has installed, and import the same abclab: the kernel runs in the
    study's folder, so an abclab imported from a source checkout (a git worktree beside an
    editable install, say) is put first on the kernel's ``PYTHONPATH``.
    """

    def __init__(self, *args: Any, progress_file: Path | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.progress_file = progress_file

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        env = {"PYDEVD_DISABLE_FILE_VALIDATION": "1", "MPLBACKEND": "Agg"}
        if self.progress_file is not None:
            env[PROGRESS_ENV] = str(self.progress_file)
        root = _package_root()
        if root is not None:
            env["PYTHONPATH"] = os.pathsep.join(
                p for p in (root, os.environ.get("PYTHONPATH", "")) if p
            )
        return KernelSpec(
            argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            display_name=f"Python (abclab, {sys.executable})",
            language="python",
            resource_dir="",
            env=env,
        )

    def find_kernel_specs(self) -> dict[str, str]:
        return {KERNEL_NAME: ""}


def _package_root() -> str | None:
    """Folder holding the running ``abclab`` package, unless it is a site-packages folder
    (already on the kernel's path; putting it on PYTHONPATH would rank it before the
    standard library)."""
    root = str(Path(__file__).resolve().parents[2])
    installed = {
        str(Path(p).resolve()) for p in (*site.getsitepackages(), site.getusersitepackages())
    }
    return None if root in installed else root


@functools.cache
def readable_python_translator() -> type:
    """Papermill ``PythonTranslator`` that writes strings with ``repr`` (non-ASCII readable).

    Papermill's own translator writes ``'\\u534e...'`` escapes into the injected cell.
    """
    # deferred: papermill is heavy (see _execute)
    from papermill.translators import PythonTranslator

    class _Readable(PythonTranslator):
        """Writes string parameters with ``repr`` so non-ASCII text stays readable."""

        @classmethod
        def translate_escaped_str(cls, str_val: object) -> str:
            return repr(str(str_val))

    return _Readable
