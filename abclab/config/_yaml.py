"""Safe YAML for study files: no duplicate keys, bounded aliases, line numbers of every key.

PyYAML's ``safe_load`` keeps the last of two equal keys (``margin`` twice in ``criteria`` is
silently one criterion) and expands aliases without limit (a "billion laughs" document of a
few hundred bytes becomes billions of nodes once anything walks it). :func:`load_yaml`
composes the node tree once, rejects a duplicate key naming both lines, refuses a document
whose alias expansion exceeds :data:`MAX_EXPANDED_NODES`, and returns the plain data together
with the line of every key path, which :mod:`abclab.config._errors` puts in its messages.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from abclab.exceptions import StudyError

__all__ = ["MAX_EXPANDED_NODES", "ParsedYAML", "load_yaml"]

#: Largest number of nodes a study may expand to through aliases (a real study has a few
#: hundred; the bound only stops alias bombs).
MAX_EXPANDED_NODES = 100_000

KeyPath = tuple[Hashable, ...]


@dataclass(frozen=True)
class ParsedYAML:
    """The data of a YAML document and the 1-based line of each key path in it."""

    data: Any
    lines: dict[KeyPath, int]


def load_yaml(text: str, *, source: str) -> ParsedYAML:
    """Parse a YAML document safely (see the module docstring).

    Parameters
    ----------
    text : str
        The document.
    source : str
        File name used in error messages.

    Raises
    ------
    StudyError
        Malformed YAML (with line and column), a duplicate key (with both lines) or an alias
        expansion beyond :data:`MAX_EXPANDED_NODES`.
    """
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise StudyError(f"{source}: not valid YAML{where}: {problem}") from err
    if node is None:
        return ParsedYAML(data=None, lines={})
    size = _expanded_size(node, {})
    if size > MAX_EXPANDED_NODES:
        raise StudyError(
            f"{source}: aliases expand the document to more than {MAX_EXPANDED_NODES:,} nodes "
            f"({size:,}); write the values out instead of nesting anchors"
        )
    lines: dict[KeyPath, int] = {}
    constructor = yaml.SafeLoader.__new__(yaml.SafeLoader)
    yaml.constructor.SafeConstructor.__init__(constructor)
    data = _construct(node, (), lines, constructor, source)
    return ParsedYAML(data=data, lines=lines)


def _expanded_size(node: Node, memo: dict[int, int]) -> int:
    """Node count of the document with every alias written out (memoised per node)."""
    key = id(node)
    if key in memo:
        return memo[key]
    memo[key] = 1  # a recursive alias counts once (PyYAML rejects it when constructing)
    if isinstance(node, MappingNode):
        total = 1 + sum(_expanded_size(k, memo) + _expanded_size(v, memo) for k, v in node.value)
    elif isinstance(node, SequenceNode):
        total = 1 + sum(_expanded_size(v, memo) for v in node.value)
    else:
        total = 1
    memo[key] = min(total, MAX_EXPANDED_NODES + 1)
    return memo[key]


def _construct(
    node: Node, path: KeyPath, lines: dict[KeyPath, int], constructor: Any, source: str
) -> Any:
    """Plain Python data of ``node``; records ``lines[path + (key,)]`` for every mapping key."""
    if isinstance(node, ScalarNode):
        return constructor.construct_object(node, deep=True)
    if isinstance(node, SequenceNode):
        out = []
        for i, item in enumerate(node.value):
            lines.setdefault(path + (i,), item.start_mark.line + 1)
            out.append(_construct(item, path + (i,), lines, constructor, source))
        return out
    if isinstance(node, MappingNode):
        explicit = {id(k) for k, _ in node.value if k.tag != "tag:yaml.org,2002:merge"}
        constructor.flatten_mapping(node)  # YAML merge keys (<<): explicit keys override them
        pairs = [p for p in node.value if id(p[0]) in explicit]
        merged = [p for p in node.value if id(p[0]) not in explicit]
        result: dict[Any, Any] = {}
        first_line: dict[Any, int] = {}
        for key_node, value_node in merged:
            key = constructor.construct_object(key_node, deep=True)
            if isinstance(key, Hashable) and key not in result:
                result[key] = _construct(value_node, path + (key,), lines, constructor, source)
                lines.setdefault(path + (key,), key_node.start_mark.line + 1)
        from_merge = set(result)
        for key_node, value_node in pairs:
            key = constructor.construct_object(key_node, deep=True)
            if not isinstance(key, Hashable):
                raise StudyError(
                    f"{source}: line {key_node.start_mark.line + 1}: a key must be a plain "
                    f"value, got {key!r}"
                )
            line = key_node.start_mark.line + 1
            if key in result and key not in from_merge:
                where = ".".join(str(p) for p in (*path, key))
                raise StudyError(
                    f"{source}: {where}: key given twice (lines {first_line[key]} and {line}); "
                    "keep one"
                )
            from_merge.discard(key)
            first_line[key] = line
            lines[path + (key,)] = line
            result[key] = _construct(value_node, path + (key,), lines, constructor, source)
        return result
    raise StudyError(f"{source}: unsupported YAML node {node.tag}")  # pragma: no cover
