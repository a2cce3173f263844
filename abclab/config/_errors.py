"""Study errors in one format: ``<file>: <key path>: expected ..., got ... (line N)``.

pydantic reports each problem with a location (``("criteria", "spend", "direction")``), a
type and a context; :func:`study_error` turns every one of them into one line that names the
key path as it is written in the YAML (``methods[1].pareto.cutoffs``), what was expected,
what was found and, for a study read from a file, the line.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Hashable, Mapping
from typing import Any

from pydantic import BaseModel, RootModel, ValidationError

from abclab.exceptions import StudyError

__all__ = ["MAX_LISTED", "line_of", "study_error"]

#: Most problems listed in one error (the rest are counted).
MAX_LISTED = 20


def study_error(
    err: ValidationError, *, root: type[BaseModel], source: str, lines: Mapping[tuple, int]
) -> StudyError:
    """One :class:`StudyError` listing every problem of ``err`` (see the module docstring)."""
    out = []
    for item in err.errors(include_url=False)[:MAX_LISTED]:
        loc = tuple(item["loc"]) + tuple((item.get("ctx") or {}).get("at", ()))
        message = _message(item, loc, root)
        line = line_of(loc, lines)
        where = f"{source}: {key_path(loc)}: " if loc else f"{source}: "
        out.append(where + message + (f" (line {line})" if line else ""))
    hidden = err.error_count() - MAX_LISTED
    if hidden > 0:
        out.append(f"{source}: ... and {hidden} more problem(s)")
    return StudyError("\n".join(out))


def key_path(loc: tuple[Hashable, ...]) -> str:
    """``("methods", 1, "pareto", "cutoffs")`` -> ``methods[1].pareto.cutoffs``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def line_of(loc: tuple, lines: Mapping[tuple, int]) -> int | None:
    """The YAML line of the key at ``loc``, or of its nearest written parent (None: no line)."""
    for n in range(len(loc), 0, -1):
        if loc[:n] in lines:
            return lines[loc[:n]]
    return None


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def _message(item: Mapping[str, Any], loc: tuple, root: type[BaseModel]) -> str:
    kind, ctx, got = item["type"], item.get("ctx") or {}, item.get("input")
    if kind == "abclab":
        return item["msg"]
    if kind == "missing":
        return "required key is missing"
    if kind == "extra_forbidden":
        allowed = _fields_of(_type_at(root, loc[:-1]))
        return "unknown key" + (f"; expected one of {_quoted(allowed)}" if allowed else "")
    if kind == "literal_error":
        options = typing.get_args(_unwrap(_type_at(root, loc))) or ()
        expected = _choice(options) if options else ctx.get("expected", "")
        return f"expected {expected}, got {got!r}"
    if kind == "union_tag_invalid":
        tags = [t.strip(" '") for t in str(ctx.get("expected_tags", "")).split(",")]
        return f"expected one of {_quoted(tags)}, got {ctx.get('tag')!r}"
    if kind == "union_tag_not_found":
        return f"expected a method name or {{name: {{params}}}}, got {_kind(got)}"
    if kind.startswith("int_") or kind == "int_type":
        return f"expected an integer, got {got!r}"
    if kind.startswith("float_"):
        return f"expected a number, got {got!r}"
    if kind.startswith("bool_"):
        return f"expected true or false, got {got!r}"
    if kind.startswith("string_"):
        return f"expected a non-empty string, got {_kind(got)}"
    if kind in ("dict_type", "model_type", "model_attributes_type", "mapping_type"):
        return f"expected a mapping (key: value), got {_kind(got)}"
    if kind in ("list_type", "tuple_type", "iterable_type"):
        return f"expected a list, got {_kind(got)}"
    number = "an integer" if isinstance(got, int) and not isinstance(got, bool) else "a number"
    for key, op in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
        if key in ctx:
            return f"expected {number} {op} {ctx[key]}, got {got!r}"
    if kind in ("too_short", "too_long"):
        lo, hi = ctx.get("min_length"), ctx.get("max_length")
        n = f"{lo}" if lo == hi or hi is None and kind == "too_short" else f"at most {hi}"
        if kind == "too_short" and hi is None:
            n = f"at least {lo}"
        return f"expected {n} entries, got {ctx.get('actual_length')}"
    if kind == "value_error":
        return str(item["msg"]).removeprefix("Value error, ")
    return str(item["msg"])


def _choice(options: tuple) -> str:
    if len(options) <= 2:
        return " or ".join(repr(o) for o in options)
    return "one of " + _quoted(options)


def _quoted(items: Any) -> str:
    return ", ".join(repr(str(i)) for i in items)


# --------------------------------------------------------------------------- schema walking
def _unwrap(tp: Any) -> Any:
    """``Annotated[X, ...]`` and ``X | None`` -> ``X``."""
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) != 1:
                return tp
            tp = args[0]
        else:
            return tp


def _type_at(root: Any, loc: tuple) -> Any:
    """The annotation at ``loc`` below ``root`` (None where the path leaves the models)."""
    tp: Any = root
    for part in loc:
        tp = _unwrap(tp)
        if isinstance(tp, type) and issubclass(tp, RootModel):
            tp = _unwrap(tp.model_fields["root"].annotation)
        origin = typing.get_origin(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            field = next((f for n, f in tp.model_fields.items()
                          if part in (n, f.alias)), None)  # fmt: skip
            if field is None:
                return None
            tp = field.annotation
        elif origin in (dict, Mapping):
            tp = typing.get_args(tp)[1]
        elif origin in (list, tuple):
            args = typing.get_args(tp)
            tp = (
                args[0]
                if len(args) == 1 or args[-1] is Ellipsis
                else args[min(part, len(args) - 1)]
            )
        elif origin in (typing.Union, types.UnionType):  # a tagged union: the tag picks
            tp = next((a for a in map(_unwrap, typing.get_args(tp))
                       if getattr(a, "method", None) == part), None)  # fmt: skip
            if tp is None:
                return None
        else:
            return None
    return tp


def _fields_of(tp: Any) -> list[str]:
    tp = _unwrap(tp)
    if isinstance(tp, type) and issubclass(tp, BaseModel) and not issubclass(tp, RootModel):
        return sorted(f.alias or n for n, f in tp.model_fields.items() if not f.exclude)
    return []
