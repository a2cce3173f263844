"""Architecture rules (ARCHITECTURE.md): layers point down, no import cycles, files are rooms
of at most 500 lines, imports sit at module level unless they defer a heavy dependency."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "abclab"
MAX_LINES = 500

#: Modules being split into packages on other branches; removed at merge with the pipeline
#: rewrite and the package split (each entry goes once its file is <= 500 lines).
TOO_LONG_FOR_NOW: set[str] = set()

#: Packages whose modules import at module level only.
MODULE_LEVEL_IMPORTS_ONLY = ("ahp", "classify", "report", "lab")
#: Heavy dependencies a function may import on first use (see the comment at each import).
DEFERRED_OK = (
    "papermill",
    "jupyter_client",
    "jupyter_core",
    "weasyprint",
    "nbconvert",
    "abclab.report._html",  # imports nbconvert
)


def _lint_imports() -> Path:
    script = Path(sys.executable).parent / "lint-imports"
    if not script.is_file():
        pytest.skip("import-linter is not installed (pip install -e '.[test]')")
    return script


def test_layer_and_acyclic_contracts_are_kept():
    """``lint-imports`` (contracts in pyproject.toml) passes on this checkout."""
    run = subprocess.run(
        [str(_lint_imports()), "--no-cache"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "2 kept, 0 broken" in run.stdout


def test_an_upward_import_breaks_the_layers_contract(tmp_path):
    """The contract is not vacuous: a kernel importing the report is reported as broken."""
    fake = tmp_path / "abclab"
    for path in PACKAGE.rglob("*.py"):
        target = fake / path.relative_to(PACKAGE)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    scoring = fake / "scoring.py"
    scoring.write_text(
        scoring.read_text(encoding="utf-8") + "\nfrom abclab.report import charts  # noqa\n",
        encoding="utf-8",
    )
    (tmp_path / "pyproject.toml").write_text(
        (REPO / "pyproject.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    run = subprocess.run(
        [str(_lint_imports()), "--no-cache", "--contract", "layers"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode != 0
    assert "abclab.scoring is not allowed to import abclab.report" in run.stdout


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def test_no_module_exceeds_500_lines():
    """Files are rooms of one topic: at most 500 lines (data files are not modules)."""
    too_long = {}
    for path in _modules():
        name = path.relative_to(PACKAGE).as_posix()
        n = len(path.read_text(encoding="utf-8").splitlines())
        if n > MAX_LINES and name not in TOO_LONG_FOR_NOW:
            too_long[name] = n
    assert too_long == {}, f"modules over {MAX_LINES} lines: {too_long}"


def test_allow_list_names_existing_files():
    """An allow-list entry whose file is gone (or short now) should be deleted."""
    stale = [
        name
        for name in sorted(TOO_LONG_FOR_NOW)
        if not (PACKAGE / name).is_file()
        or len((PACKAGE / name).read_text(encoding="utf-8").splitlines()) <= MAX_LINES
    ]
    if stale:
        pytest.xfail(f"delete from TOO_LONG_FOR_NOW: {stale}")


def _function_level_imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.Import):
                found += [(inner.lineno, alias.name) for alias in inner.names]
            elif isinstance(inner, ast.ImportFrom):
                found.append((inner.lineno, "." * inner.level + (inner.module or "")))
    return found


@pytest.mark.parametrize("package", MODULE_LEVEL_IMPORTS_ONLY)
def test_imports_are_module_level(package):
    """No import hides in a function (it hides cycles and upward imports), except to defer a
    heavy optional dependency (papermill, nbconvert, WeasyPrint)."""
    hidden = []
    for path in sorted((PACKAGE / package).rglob("*.py")):
        for line, module in _function_level_imports(path):
            if not module.startswith(DEFERRED_OK):
                hidden.append(f"{path.relative_to(REPO)}:{line}: {module}")
    assert hidden == []
