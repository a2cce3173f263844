"""Pairwise comparison matrices: construction, validation and Saaty's verbal scale.

A pairwise comparison matrix ``A`` holds ``a_ij`` = "how many times criterion *i* is more
important than criterion *j*" on Saaty's 1-9 scale, with ``a_ii = 1`` and ``a_ji = 1/a_ij``.
Missing judgements are ``NaN`` (completed later by Harker's method).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Hashable, Mapping, Sequence
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

from abclab.exceptions import DataQualityWarning, JudgementError

#: Saaty's fundamental scale (Saaty 1980, Table 1.1; Saaty 2008, Table 1): verbal label -> value.
#: "less important" forms are the reciprocals. Chinese labels follow the usual 1-3-5-7-9
#: wording of Chinese AHP texts (同等/稍微/明显/强烈/极端重要).
VERBAL_SCALE: dict[str, float] = {
    "equal": 1.0,
    "equally important": 1.0,
    "equal importance": 1.0,
    "weak": 2.0,
    "equally to moderately more important": 2.0,
    "moderately more important": 3.0,
    "moderate": 3.0,
    "moderately to strongly more important": 4.0,
    "strongly more important": 5.0,
    "strong": 5.0,
    "strongly to very strongly more important": 6.0,
    "very strongly more important": 7.0,
    "very strong": 7.0,
    "very strongly to extremely more important": 8.0,
    "extremely more important": 9.0,
    "extreme": 9.0,
    "同等重要": 1.0,
    "稍微重要": 3.0,
    "明显重要": 5.0,
    "强烈重要": 7.0,
    "极端重要": 9.0,
    "稍微不重要": 1 / 3,
    "明显不重要": 1 / 5,
    "强烈不重要": 1 / 7,
    "极端不重要": 1 / 9,
}

#: The values of Saaty's 1-9 scale and their reciprocals (17 values, 1/9 ... 9).
SAATY_SCALE: np.ndarray = np.array(
    sorted({float(k) for k in range(1, 10)} | {1 / k for k in range(2, 10)})
)

_RTOL = 1e-3


def parse_judgement(value: Any, *, where: str = "judgement") -> float:
    """Turn a number, a fraction string (``"1/3"``) or a verbal label into a float.

    Verbal labels are case-insensitive; ``"... less important"`` gives the reciprocal of
    ``"... more important"``. ``where`` names the judgement in error messages.
    """
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, Fraction):
        return float(value)
    if not isinstance(value, str):
        raise JudgementError(f"{where}: expected a number or a verbal label, got {value!r}")
    text = re.sub(r"\s+", " ", value.strip().lower())
    if text in VERBAL_SCALE:
        return VERBAL_SCALE[text]
    if text.endswith("less important"):
        base = text.replace("less important", "more important")
        if base in VERBAL_SCALE:
            return 1.0 / VERBAL_SCALE[base]
    try:
        return float(Fraction(text.replace(" ", "")))
    except (ValueError, ZeroDivisionError):
        pass
    raise JudgementError(
        f"{where}: cannot read {value!r}; use a number on the 1-9 scale, a fraction such as "
        f"'1/3' or a label such as 'strongly more important' / 'strongly less important'"
    )


#: Operators of a written judgement: ``"a > b": 3`` (a is 3 times as important as b),
#: ``"a < b": 3`` (b is 3 times as important as a), ``"a = b": 1``.
PAIR_OPERATORS: tuple[str, ...] = (">", "<", "=")


def parse_pair(text: str, *, where: str = "judgement") -> tuple[str, str, bool]:
    """Split a written judgement ``"a > b"`` into ``(a, b, reversed)``.

    ``reversed`` is True for ``"a < b"``: the value then says how much more important *b*
    is, so ``a_ab`` is its reciprocal.

    Examples
    --------
    >>> parse_pair("spend > margin")
    ('spend', 'margin', False)
    >>> parse_pair("tenure < margin")
    ('tenure', 'margin', True)
    """
    for op in PAIR_OPERATORS:
        if op in text:
            a, _, b = (part.strip() for part in str(text).partition(op))
            if not a or not b or any(o in b for o in PAIR_OPERATORS):
                break
            if a == b:
                raise JudgementError(f"{where}: a criterion cannot be compared with itself ({a!r})")
            return a, b, op == "<"
    raise JudgementError(
        f"{where}: expected a judgement written 'a > b' (a more important), 'a < b' or 'a = b', "
        f"got {text!r}"
    )


def nearest_scale_value(x: float | np.ndarray) -> np.ndarray:
    """Nearest value of Saaty's scale (1/9 ... 9) in log distance."""
    logs = np.log(SAATY_SCALE)
    x = np.asarray(x, dtype=float)
    idx = np.abs(np.log(x)[..., None] - logs).argmin(axis=-1)
    return SAATY_SCALE[idx]


def pairwise_matrix(
    judgements: Mapping[tuple[Hashable, Hashable], Any],
    *,
    criteria: Sequence[Hashable] | None = None,
) -> pd.DataFrame:
    """Build a reciprocal pairwise comparison matrix from a dict of judgements.

    Parameters
    ----------
    judgements : dict
        ``{("spend", "margin"): 3, ("margin", "tenure"): "strongly more important", ...}``;
        ``(a, b): v`` means *a* is *v* times as important as *b*. Values may be numbers,
        fraction strings or verbal labels (:data:`VERBAL_SCALE`).
    criteria : sequence, optional
        Order of the criteria (default: order of first appearance). Criteria without
        any judgement raise; pairs without a judgement are ``NaN`` (incomplete matrix).

    Returns
    -------
    pandas.DataFrame
        Square matrix indexed and labelled by criterion.

    Raises
    ------
    JudgementError
        Unknown labels, self-comparisons other than 1, a pair given twice with values that
        are not reciprocal (e.g. ``("a","b"): 3`` and ``("b","a"): 2``), or non-positive values.
    """
    if not isinstance(judgements, Mapping) or not judgements:
        raise JudgementError("judgements must be a non-empty dict {(a, b): value}")
    seen: list[Hashable] = []
    for key in judgements:
        if not (isinstance(key, tuple) and len(key) == 2):
            raise JudgementError(f"judgement key {key!r} must be a pair (a, b)")
        for name in key:
            if name not in seen:
                seen.append(name)
    labels = list(criteria) if criteria is not None else seen
    unknown = [name for name in seen if name not in labels]
    if unknown:
        raise JudgementError(
            f"judgements name criteria {unknown} that are not in criteria={labels}"
        )
    pos = {name: k for k, name in enumerate(labels)}
    n = len(labels)
    a = np.full((n, n), np.nan)
    np.fill_diagonal(a, 1.0)
    given: dict[tuple[int, int], tuple[Hashable, Hashable, float]] = {}
    for (left, right), raw in judgements.items():
        value = parse_judgement(raw, where=f"judgement ({left!r}, {right!r})")
        if not np.isfinite(value) or value <= 0:
            raise JudgementError(
                f"judgement ({left!r}, {right!r}) = {raw!r}: expected a positive finite value"
            )
        i, j = pos[left], pos[right]
        if i == j:
            if abs(value - 1.0) > _RTOL:
                raise JudgementError(
                    f"judgement ({left!r}, {right!r}) = {raw!r}: a criterion compared with itself must be 1"
                )
            continue
        key, v = ((i, j), value) if i < j else ((j, i), 1.0 / value)
        if key in given and not np.isclose(given[key][2], v, rtol=_RTOL):
            prev = given[key]
            raise JudgementError(
                f"conflicting judgements for ({left!r}, {right!r}): {(prev[0], prev[1])!r} implies "
                f"{labels[key[0]]!r}/{labels[key[1]]!r} = {prev[2]:.4g} but ({left!r}, {right!r}) = {raw!r} "
                f"implies {v:.4g}; give each pair once (its reverse is filled in as the reciprocal)"
            )
        given[key] = (left, right, v)
    for (i, j), (_, _, v) in given.items():
        a[i, j], a[j, i] = v, 1.0 / v
    isolated = [labels[k] for k in range(n) if n > 1 and np.isnan(np.delete(a[k], k)).all()]
    if isolated:
        raise JudgementError(
            f"criteria {isolated} appear in no judgement; compare each with at least one other"
        )
    return pd.DataFrame(
        a, index=pd.Index(labels, dtype=object), columns=pd.Index(labels, dtype=object)
    )


def _labels_of(matrix: Any, n: int, criteria: Sequence[Hashable] | None) -> list[Hashable]:
    if criteria is not None:
        labels = list(criteria)
        if len(labels) != n:
            raise JudgementError(f"criteria has {len(labels)} names but the matrix is {n} x {n}")
        return labels
    if isinstance(matrix, pd.DataFrame):
        return list(matrix.index)
    return list(range(n))


def as_matrix(
    matrix: Any,
    *,
    criteria: Sequence[Hashable] | None = None,
    allow_missing: bool = True,
) -> tuple[np.ndarray, list[Hashable]]:
    """Validate a pairwise comparison matrix and return ``(array, labels)``.

    Accepts a list of lists, a NumPy array, a labelled DataFrame (columns must be the same
    criteria as the index; they are reordered to the index order) or a judgement dict.
    Entries may be numbers, fraction strings or verbal labels. ``NaN`` marks a missing
    judgement; a cell whose mirror is given is filled with the reciprocal.

    Raises
    ------
    JudgementError
        Not square, non-positive or infinite entries, diagonal not 1, or
        ``a_ji != 1/a_ij`` (relative tolerance 1e-3); the message names the cell by label and
        index and says what the mirror cell should be.

    Warns
    -----
    DataQualityWarning
        Entries outside 1/9 ... 9 (legitimate for aggregated matrices, but worth a look).
    """
    if isinstance(matrix, Mapping):
        frame = pairwise_matrix(matrix, criteria=criteria)
        return frame.to_numpy(dtype=float), list(frame.index)
    if isinstance(matrix, pd.DataFrame):
        if set(matrix.columns) != set(matrix.index) or len(matrix.columns) != len(matrix.index):
            raise JudgementError(
                f"matrix columns {list(matrix.columns)} must be the same criteria as its index {list(matrix.index)}"
            )
        matrix = matrix.loc[:, list(matrix.index)]
        raw = matrix.to_numpy(dtype=object)
    else:
        raw = np.asarray(matrix, dtype=object)
    if raw.ndim != 2 or raw.shape[0] != raw.shape[1] or raw.shape[0] == 0:
        raise JudgementError(
            f"a pairwise comparison matrix must be square and non-empty, got shape {raw.shape}"
        )
    n = raw.shape[0]
    labels = _labels_of(matrix, n, criteria)
    a = np.empty((n, n))
    for i in range(n):
        for j in range(n):
            cell = raw[i, j]
            missing = cell is None or (not isinstance(cell, str) and bool(pd.isna(cell)))
            a[i, j] = np.nan if missing else parse_judgement(cell, where=_cell(labels, i, j))
    _check_entries(a, labels, allow_missing=allow_missing)
    return a, labels


def _cell(labels: Sequence[Hashable], i: int, j: int) -> str:
    return f"cell [{labels[i]!r}, {labels[j]!r}] (row {i}, column {j})"


def _check_entries(a: np.ndarray, labels: Sequence[Hashable], *, allow_missing: bool) -> None:
    n = a.shape[0]
    for i in range(n):
        if np.isnan(a[i, i]):
            a[i, i] = 1.0
        if abs(a[i, i] - 1.0) > _RTOL:
            raise JudgementError(f"{_cell(labels, i, i)} is {a[i, i]:.4g}; the diagonal must be 1")
    bad = ~np.isnan(a) & ~(np.isfinite(a) & (a > 0))
    if bad.any():
        i, j = map(int, np.argwhere(bad)[0])
        raise JudgementError(
            f"{_cell(labels, i, j)} is {a[i, j]!r}; judgements must be positive finite numbers"
        )
    nan = np.isnan(a)
    fill = nan & ~nan.T
    a[fill] = 1.0 / a.T[fill]
    if np.isnan(a).any() and not allow_missing:
        i, j = map(int, np.argwhere(np.isnan(a))[0])
        raise JudgementError(
            f"{_cell(labels, i, j)} is missing; a complete matrix is required here"
        )
    with np.errstate(invalid="ignore"):
        recip = a * a.T
    off = ~np.isnan(recip) & ~np.isclose(recip, 1.0, rtol=_RTOL, atol=0.0)
    if off.any():
        i, j = map(int, np.argwhere(np.triu(off, 1))[0])
        raise JudgementError(
            f"{_cell(labels, i, j)} is {a[i, j]:.4g}, so {_cell(labels, j, i)} should be "
            f"1/{a[i, j]:.4g} = {1 / a[i, j]:.4g}, but it is {a[j, i]:.4g} (matrix is not reciprocal)"
        )
    with np.errstate(invalid="ignore"):
        off_scale = (a > 9 * (1 + _RTOL)) | (a < (1 - _RTOL) / 9)
    if off_scale.any():
        i, j = map(int, np.argwhere(off_scale)[0])
        warnings.warn(
            f"{_cell(labels, i, j)} is {a[i, j]:.4g}, outside Saaty's 1/9-9 scale "
            f"({int(off_scale.sum()) // 2} pair(s)); fine for aggregated matrices, check otherwise",
            DataQualityWarning,
            stacklevel=4,
        )
