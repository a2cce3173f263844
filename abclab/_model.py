"""Building blocks of declared parameters (study sections, method parameters): base and types.

Every section of a study is a frozen pydantic model with ``extra="forbid"`` (a typo such as
``diretion`` is an error, not a silently ignored key). Checks that need another part of the
study — "is ``spend`` a criterion of this study?" — read the *validation context*
(:class:`StudyContext`), filled before validation from the raw document, so each error is
reported at the exact key that is wrong (``methods[0].pareto.value``), not at the root.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    ValidationInfo,
)
from pydantic_core import PydanticCustomError

__all__ = [
    "DataPath",
    "NonEmptyStr",
    "Number",
    "PositiveNumber",
    "StrictInt",
    "StudyContext",
    "StudyModel",
    "context_of",
    "fail",
    "quoted",
]


class StudyModel(BaseModel):
    """Base of every study section: unknown keys are errors, validated objects are frozen."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        coerce_numbers_to_str=True,  # name: 2024 is the text "2024"
        arbitrary_types_allowed=True,
        populate_by_name=True,
    )


@dataclass(frozen=True)
class StudyContext:
    """What validators may know about the rest of the study (filled from the raw document)."""

    source: str = "<study>"
    base_dir: Path = Path(".")
    criteria: tuple[str, ...] = ()
    has_transactions: bool = False
    extra_columns: tuple[str, ...] = field(default_factory=tuple)


def context_of(info: ValidationInfo) -> StudyContext:
    """The :class:`StudyContext` of a validation (an empty one outside :func:`study_from_dict`)."""
    ctx = info.context
    if isinstance(ctx, StudyContext):
        return ctx
    if isinstance(ctx, dict) and isinstance(ctx.get("study"), StudyContext):
        return ctx["study"]
    return StudyContext()


def fail(message: str, *, at: tuple[Any, ...] = ()) -> PydanticCustomError:
    """A validation error whose text is used as it is (``expected ..., got ...``).

    ``at`` is a key path below the validated value (a model validator that finds the bad
    key ``spnd`` in ``cleaning`` reports ``cleaning.spnd``).
    """
    escaped = message.replace("{", "{{").replace("}", "}}")
    return PydanticCustomError("abclab", escaped, {"at": tuple(at)})


def quoted(items: Any) -> str:
    """``'a', 'b', 'c'`` for messages."""
    return ", ".join(repr(str(i)) for i in items)


def _non_empty(value: str) -> str:
    if not value.strip():
        raise fail("expected a non-empty string, got ''")
    return value


def _finite(value: float) -> float:
    if not math.isfinite(value):
        raise fail(f"expected a finite number, got {value!r}")
    return value


def _resolve(value: Path, info: ValidationInfo) -> Path:
    return value if value.is_absolute() else context_of(info).base_dir / value


#: A non-empty string (numbers in the YAML are read as their text).
NonEmptyStr = Annotated[str, AfterValidator(_non_empty)]
#: An integer written as one (``"5"`` and ``true`` are not integers).
StrictInt = Annotated[int, Strict()]
#: A finite number (an integer or a float; not a string, not a boolean).
Number = Annotated[float, Strict(), AfterValidator(_finite)]
#: A positive finite number.
PositiveNumber = Annotated[float, Strict(), AfterValidator(_finite), Field(gt=0)]
#: A data file path; relative paths are resolved against the study file's directory.
DataPath = Annotated[Path, AfterValidator(_resolve)]


def named_entries(data: Any, *, what: str) -> Any:
    """The entries of a ``{name: {...}}`` section with each one's key as its ``name``.

    A ``null`` entry means "all defaults"; an entry may not set ``name`` itself (its key is
    its name). Used by the study's criteria, experts and hierarchy dimensions.
    """
    if not isinstance(data, dict):
        return data
    if not data:
        raise fail(f"expected at least one {what}, got none")
    out = {}
    for key, entry in data.items():
        entry = {} if entry is None else entry
        if isinstance(entry, dict):
            if "name" in entry:
                raise fail(f"unknown key (a {what}'s key is its name)", at=(key, "name"))
            entry = {**entry, "name": str(key)}
        out[str(key)] = entry
    return out


class NamedEntries:
    """Iteration of a ``RootModel`` over ``{name: entry}``: entries in study order, ``len``,
    and indexing by name or position."""

    root: dict[str, Any]

    def __iter__(self) -> Iterator[Any]:
        return iter(self.root.values())

    def __len__(self) -> int:
        return len(self.root)

    def __getitem__(self, key: str | int) -> Any:
        return list(self.root.values())[key] if isinstance(key, int) else self.root[key]
