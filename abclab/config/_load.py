"""Reading a study: the safe YAML loader, the validation context, one error format."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from abclab._model import StudyContext
from abclab.config._errors import study_error
from abclab.config._yaml import load_yaml
from abclab.config.study import Study
from abclab.exceptions import StudyError

__all__ = ["load_study", "study_from_dict"]


def load_study(path: str | Path) -> Study:
    """Read and validate a YAML study file.

    Parameters
    ----------
    path : str or Path
        The study file; relative data paths inside it are resolved against its directory.

    Returns
    -------
    Study

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    StudyError
        Malformed YAML, a duplicate key, an alias bomb, or any key that is unknown, missing
        or wrong; one line per problem naming the file, the key path, what was expected,
        what was found and the line (``study.yaml: criteria.spend.direction: expected
        'benefit' or 'cost', got 'up' (line 12)``).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"study file not found: {path}")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as err:
        raise StudyError(f"{path.name}: not UTF-8 text ({err.reason} at byte {err.start})") from err
    parsed = load_yaml(text, source=path.name)
    return _validate(parsed.data, base_dir=path.parent, source=path, lines=parsed.lines)


def study_from_dict(
    data: Any, *, base_dir: str | Path = ".", source: str | Path = "<study>"
) -> Study:
    """Validate a parsed study mapping (the content of a study file).

    Parameters
    ----------
    data : mapping
        The parsed YAML.
    base_dir : str or Path
        Directory relative data paths are resolved against.
    source : str or Path
        File name used in error messages and stored as ``Study.path``.

    Raises
    ------
    StudyError
        As :func:`load_study` (without line numbers).
    """
    return _validate(data, base_dir=Path(base_dir), source=Path(source), lines={})


def _validate(data: Any, *, base_dir: Path, source: Path, lines: dict) -> Study:
    name = source.name
    if not isinstance(data, dict):
        kind = "nothing" if data is None else type(data).__name__
        raise StudyError(f"{name}: expected a mapping of study keys (name, data, criteria, ...), "
                         f"got {kind}")  # fmt: skip
    criteria = data.get("criteria")
    section = data.get("data")
    context = StudyContext(
        source=name,
        base_dir=base_dir,
        criteria=tuple(str(c) for c in criteria) if isinstance(criteria, dict) else (),
        has_transactions=isinstance(section, dict) and section.get("transactions") is not None,
    )
    try:
        study = Study.model_validate(data, context=context)
    except ValidationError as err:
        raise study_error(err, root=Study, source=name, lines=lines) from None
    study._path = source
    study._raw = data
    study._lines = dict(lines)
    return study
