"""The ``weights`` section: AHP judgements per expert, given values, objective, or a hierarchy.

Judgements are read by :mod:`abclab.ahp` (``"a > b": 3`` by :func:`abclab.ahp.parse_pair`,
values by :func:`abclab.ahp.parse_judgement`, the matrix by :func:`abclab.ahp.pairwise_matrix`);
weight methods, RI tables and aggregations are the ones :mod:`abclab.ahp` implements, objective
methods those of :mod:`abclab.weighting`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import (
    BeforeValidator,
    Field,
    PrivateAttr,
    RootModel,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError

from abclab import ahp, weighting
from abclab._model import (
    NamedEntries,
    NonEmptyStr,
    Number,
    StudyModel,
    context_of,
    fail,
    named_entries,
    quoted,
)
from abclab.exceptions import DataQualityWarning, JudgementError

__all__ = [
    "WEIGHT_KINDS",
    "AHPSpec",
    "BestWorstSpec",
    "FuzzyAHPSpec",
    "Dimension",
    "Experts",
    "HierarchySpec",
    "Judgements",
    "LocalPriorities",
    "WeightsSpec",
]

AHPMethod = Literal[ahp.METHODS]  # type: ignore[valid-type]
RITable = Literal[tuple(ahp.RANDOM_INDEX)]  # type: ignore[valid-type]
Aggregation = Literal[ahp.AGGREGATIONS]  # type: ignore[valid-type]
Objective = Literal[tuple(weighting.OBJECTIVE_METHODS)]  # type: ignore[valid-type]


def _saaty_value(value: Any) -> float:
    """One expert's judgement: a number, a fraction ``"1/3"`` or a verbal label, on 1/9..9."""
    try:
        x = ahp.parse_judgement(value)
    except JudgementError:
        raise fail(
            f"expected a positive number, a fraction like 1/3 or a verbal label, got {value!r}"
        ) from None
    if not x > 0:
        raise fail(f"expected a positive judgement (Saaty scale 1/9..9), got {value!r}")
    if not 1 / 9 - 1e-9 <= x <= 9 + 1e-9:  # one expert's judgement, not an aggregate
        raise fail(f"expected a judgement on Saaty's scale 1/9..9, got {value!r}")
    return x


def _matrix_cell(value: Any) -> float:
    if value is None or (isinstance(value, str) and value.strip() in {"", "?"}):
        return math.nan  # missing: completed by Harker's method
    return _saaty_value(value)


#: A judgement value on Saaty's scale.
Judgement = Annotated[float, BeforeValidator(_saaty_value)]
#: A cell of a written matrix (``null`` or ``"?"`` = missing).
Cell = Annotated[float, BeforeValidator(_matrix_cell)]


class Judgements(StudyModel):
    """Pairwise judgements, written ``"a > b": 3`` or as a full matrix with its ``order``."""

    name: SkipJsonSchema[str] = Field("", exclude=True)
    judgements: dict[str, Judgement] | None = Field(
        None, description="'a > b': 3 (a is 3 times as important), 'a < b': 3, 'a = b': 1."
    )
    rows: list[list[Cell]] | None = Field(None, alias="matrix", description="Square matrix rows.")
    order: list[NonEmptyStr] | None = Field(None, description="Criteria of the matrix rows.")
    _matrix: pd.DataFrame | None = PrivateAttr(None)

    @field_validator("judgements")
    @classmethod
    def _pairs_written_well(cls, judgements: dict[str, float] | None) -> dict[str, float] | None:
        if judgements is None:
            return None
        seen: set[frozenset[str]] = set()
        for key in judgements:
            try:
                a, b, _ = ahp.parse_pair(key)
            except JudgementError as err:
                raise fail(str(err).removeprefix("judgement: "), at=(key,)) from None
            if frozenset((a, b)) in seen:
                raise fail(f"judgement between {a!r} and {b!r} given twice", at=(key,))
            seen.add(frozenset((a, b)))
        return judgements

    @model_validator(mode="after")
    def _one_form(self) -> Judgements:
        if (self.judgements is None) == (self.rows is None):
            raise fail("expected exactly one of 'judgements' or 'matrix'")
        if self.order is not None and self.rows is None:
            raise fail("'order' goes with 'matrix', not with 'judgements'", at=("order",))
        return self

    @property
    def matrix(self) -> pd.DataFrame:
        """The reciprocal pairwise matrix (NaN = missing judgement), set when validated."""
        if self._matrix is None:
            raise AttributeError("judgements not bound to their criteria yet")
        return self._matrix

    def bind(self, items: Sequence[str], *, every: bool) -> None:
        """Check the judgements name ``items`` (all of them if ``every``) and build the matrix."""
        if self.judgements is not None:
            cells: dict[tuple[str, str], float] = {}
            for key, value in self.judgements.items():
                a, b, flip = ahp.parse_pair(key)
                for c in (a, b):
                    if c not in items:
                        where = ("judgements", key)
                        raise fail(f"expected criteria among {quoted(items)}, got {c!r}", at=where)
                cells[(a, b)] = 1.0 / value if flip else value
            used = {c for pair in cells for c in pair}
            order = [c for c in items if c in used]
            missing = [c for c in items if c not in used]
            if every and missing:
                raise fail(f"expected judgements on every criterion, none on {quoted(missing)}",
                           at=("judgements",))  # fmt: skip
            if len(order) < 2:
                raise fail("expected judgements between at least two criteria", at=("judgements",))
            self._matrix = _pairwise(cells, order)
            return
        order = list(self.order) if self.order is not None else list(items)
        for c in order:
            if c not in items:
                raise fail(f"expected criteria among {quoted(items)}, got {c!r}", at=("order",))
        if every and sorted(order) != sorted(items):
            missing = [c for c in items if c not in order]
            raise fail(f"expected every criterion in 'order', missing {quoted(missing)}",
                       at=("order",))  # fmt: skip
        n = len(order)
        if len(self.rows) != n:
            raise fail(f"expected {n} rows (one per criterion in {quoted(order)}), got "
                       f"{len(self.rows)}", at=("matrix",))  # fmt: skip
        for i, row in enumerate(self.rows):
            if len(row) != n:
                raise fail(f"expected {n} entries, got {len(row)}", at=("matrix", i))
        frame = pd.DataFrame(np.array(self.rows, dtype=float), index=order, columns=order)
        self._matrix = frame.reindex(index=list(items), columns=list(items)) if every else frame


def _pairwise(cells: dict[tuple[str, str], float], order: list[str]) -> pd.DataFrame:
    try:
        return ahp.pairwise_matrix(cells, criteria=order)
    except JudgementError as err:
        raise fail(str(err), at=("judgements",)) from None


class Experts(NamedEntries, RootModel[dict[str, Judgements]]):
    """One :class:`Judgements` per expert, in study order (iterate, index by position or name)."""

    model_config = {"frozen": True}

    @model_validator(mode="before")
    @classmethod
    def _named(cls, data: Any) -> Any:
        return named_entries(data, what="expert")


class AHPSpec(StudyModel):
    """AHP weights: one matrix per expert, their aggregation, weight method and RI table."""

    experts: Experts
    aggregation: Aggregation = Field("aij", description="Several experts: aij or aip.")
    method: AHPMethod = "eigenvector"
    ri_table: RITable = "saaty1980"

    @model_validator(mode="after")
    def _bind(self, info: ValidationInfo) -> AHPSpec:
        names = context_of(info).criteria
        if not names:  # the criteria are wrong themselves (reported there)
            return self
        for expert in self.experts:
            try:
                expert.bind(names, every=True)
            except PydanticCustomError as err:
                raise _below(err, ("experts", expert.name)) from None
        return self


def _below(err: PydanticCustomError, prefix: tuple[Any, ...]) -> PydanticCustomError:
    """``err`` (a :func:`fail` error) re-based under the key path ``prefix``."""
    ctx = err.context or {}
    return fail(err.message(), at=prefix + tuple(ctx.get("at", ())))


def _weight_values(values: dict[str, float], items: Sequence[str], key: tuple) -> None:
    for crit in values:
        if crit not in items:
            raise fail(f"expected one of {quoted(items)}, got {crit!r}", at=(*key, crit))
    missing = [c for c in items if c not in values]
    if missing:
        raise fail(f"expected a weight for every criterion, missing {quoted(missing)}", at=key)
    total = sum(values.values())
    if total <= 0:
        raise fail("expected weights with a positive sum", at=key)


class LocalPriorities(Judgements):
    """Priorities of a hierarchy level: judgements, a matrix, or given ``values`` (default equal)."""

    values: dict[str, Annotated[Number, Field(ge=0)]] | None = Field(
        None, description="Given local weights instead of judgements."
    )

    @model_validator(mode="after")
    def _one_form(self) -> LocalPriorities:
        given = [k for k, v in (("judgements", self.judgements), ("matrix", self.rows),
                                ("values", self.values)) if v is not None]  # fmt: skip
        if len(given) > 1:
            raise fail(f"expected one of 'judgements', 'matrix' or 'values', got {given}")
        if self.order is not None and self.rows is None:
            raise fail("'order' goes with 'matrix'", at=("order",))
        return self

    def bind(self, items: Sequence[str], *, every: bool = True) -> None:
        """Check the local priorities against the level's ``items``."""
        if self.values is not None:
            _weight_values(self.values, items, ("values",))
        elif (self.judgements is not None or self.rows is not None) and len(items) > 1:
            super().bind(items, every=True)

    def local_weights(self, items: Sequence[str]) -> dict[str, float] | None:
        """Given (or, with nothing given, equal) local weights; None when judgements decide."""
        if self._matrix is not None:
            return None
        return dict(self.values) if self.values is not None else dict.fromkeys(items, 1.0)

    @property
    def matrix(self) -> pd.DataFrame | None:  # type: ignore[override]
        """The local pairwise matrix, or None for given or equal local weights."""
        return self._matrix


class Dimension(LocalPriorities):
    """A dimension of a two-level hierarchy: its criteria and their local priorities."""

    criteria: tuple[NonEmptyStr, ...] = Field(min_length=1, description="Criteria it holds.")


class Dimensions(NamedEntries, RootModel[dict[str, Dimension]]):
    """The dimensions of a hierarchy in study order."""

    model_config = {"frozen": True}

    @model_validator(mode="before")
    @classmethod
    def _named(cls, data: Any) -> Any:
        return named_entries(data, what="dimension")


class HierarchySpec(StudyModel):
    """Two-level AHP (source 003: value / potential / risk dimensions, then indicators)."""

    dimensions: Dimensions
    top: LocalPriorities = Field(default_factory=LocalPriorities, description="Dimension weights.")
    method: AHPMethod = "eigenvector"
    ri_table: RITable = "saaty1980"

    @model_validator(mode="after")
    def _bind(self, info: ValidationInfo) -> HierarchySpec:
        names = context_of(info).criteria
        seen: list[str] = []
        for dim in self.dimensions:
            where = ("dimensions", dim.name)
            for c in dim.criteria:
                if names and c not in names:
                    raise fail(f"expected criteria among {quoted(names)}, got {c!r}",
                               at=(*where, "criteria"))  # fmt: skip
                if c in seen:
                    raise fail(f"criterion {c!r} is already in another dimension",
                               at=(*where, "criteria"))  # fmt: skip
            seen += dim.criteria
            try:
                dim.bind(list(dim.criteria))
            except PydanticCustomError as err:
                raise _below(err, where) from None
        missing = [n for n in names if n not in seen]
        if missing:
            raise fail(f"expected every criterion in a dimension, missing {quoted(missing)}",
                       at=("dimensions",))  # fmt: skip
        try:
            self.top.bind([d.name for d in self.dimensions])
        except PydanticCustomError as err:
            raise _below(err, ("top",)) from None
        return self


Scale19 = Annotated[Number, Field(ge=1, le=9)]


class BestWorstSpec(StudyModel):
    """Best-Worst Method (Rezaei 2015/2016): 2n - 3 comparisons instead of n(n-1)/2."""

    best_to_others: dict[str, Scale19] = Field(
        description="How much the best criterion is preferred over each (1..9; 1 for itself)."
    )
    others_to_worst: dict[str, Scale19] = Field(
        description="How much each criterion is preferred over the worst (1..9; 1 for itself)."
    )
    model: Literal["linear", "nonlinear"] = Field("linear", description="Rezaei 2016 / 2015.")
    best: NonEmptyStr | None = Field(None, description="Needed only when ties leave it open.")
    worst: NonEmptyStr | None = Field(None, description="Needed only when ties leave it open.")

    @model_validator(mode="after")
    def _every_criterion(self, info: ValidationInfo) -> BestWorstSpec:
        names = context_of(info).criteria
        for key in ("best_to_others", "others_to_worst"):
            _weight_values(getattr(self, key), names, (key,)) if names else None
        for key in ("best", "worst"):
            value = getattr(self, key)
            if value is not None and names and value not in names:
                raise fail(f"expected one of {quoted(names)}, got {value!r}", at=(key,))
        try:
            self.result()
        except JudgementError as err:
            raise fail(str(err)) from None
        return self

    def result(self) -> Any:
        """The :class:`abclab.weighting.BestWorstResult` of these comparisons."""
        return weighting.best_worst(self.best_to_others, self.others_to_worst, model=self.model,
                                    best=self.best, worst=self.worst)  # fmt: skip


def _tfn(value: Any) -> Any:
    if not isinstance(value, list | tuple) or len(value) != 3:
        raise fail(f"expected a triangular fuzzy judgement [lower, middle, upper], got {value!r}")
    parts = [_saaty_value(v) for v in value]
    if not parts[0] <= parts[1] <= parts[2]:
        raise fail(f"expected lower <= middle <= upper, got {value!r}")
    return tuple(parts)


#: A triangular fuzzy judgement ``[l, m, u]`` on Saaty's scale (``"a > b": [2, 3, 4]``).
FuzzyJudgement = Annotated[tuple[float, float, float], BeforeValidator(_tfn)]


class FuzzyAHPSpec(StudyModel):
    """Fuzzy AHP (Buckley 1985): triangular fuzzy judgements, defuzzified weights."""

    judgements: dict[str, FuzzyJudgement] = Field(
        description="'a > b': [l, m, u] for every pair of criteria ('a < b' reverses)."
    )
    defuzzification: Literal["centroid", "graded_mean"] = "centroid"
    ri_table: RITable = "saaty1980"
    _matrix: Any = PrivateAttr(None)

    @model_validator(mode="after")
    def _every_pair(self, info: ValidationInfo) -> FuzzyAHPSpec:
        names = list(context_of(info).criteria)
        cells: dict[tuple[str, str], tuple[float, float, float]] = {}
        for key, (lo, mid, hi) in self.judgements.items():
            try:
                a, b, flip = ahp.parse_pair(key)
            except JudgementError as err:
                raise fail(str(err).removeprefix("judgement: "), at=("judgements", key)) from None
            for c in (a, b):
                if names and c not in names:
                    raise fail(f"expected criteria among {quoted(names)}, got {c!r}",
                               at=("judgements", key))  # fmt: skip
            if (a, b) in cells or (b, a) in cells:
                raise fail(f"judgement between {a!r} and {b!r} given twice", at=("judgements", key))
            cells[(a, b)] = (1 / hi, 1 / mid, 1 / lo) if flip else (lo, mid, hi)
        if not names:
            return self
        missing = [f"{a} > {b}" for i, a in enumerate(names) for b in names[i + 1 :]
                   if (a, b) not in cells and (b, a) not in cells]  # fmt: skip
        if missing:
            raise fail(f"expected a fuzzy judgement for every pair, missing {quoted(missing)}",
                       at=("judgements",))  # fmt: skip
        matrix = pd.DataFrame([[(1.0, 1.0, 1.0)] * len(names) for _ in names], index=names,
                              columns=names, dtype=object)  # fmt: skip
        for (a, b), (lo, mid, hi) in cells.items():
            matrix.at[a, b] = (lo, mid, hi)
            matrix.at[b, a] = (1 / hi, 1 / mid, 1 / lo)
        self._matrix = matrix
        return self

    def result(self) -> Any:
        """The :class:`abclab.ahp.FuzzyAHPResult` of the judgements."""
        return ahp.fuzzy_weights(self._matrix, defuzzification=self.defuzzification,
                                 ri_table=self.ri_table, warn=False)  # fmt: skip


class WeightsSpec(StudyModel):
    """How criterion weights are obtained: exactly one of the six (default equal weights)."""

    ahp: AHPSpec | None = None
    values: dict[str, Annotated[Number, Field(ge=0)]] | None = Field(
        None, description="Given weights per criterion (fractions or percentages)."
    )
    objective: Objective | None = None
    hierarchy: HierarchySpec | None = None
    best_worst: BestWorstSpec | None = None
    fuzzy_ahp: FuzzyAHPSpec | None = None

    @model_validator(mode="after")
    def _exactly_one(self, info: ValidationInfo) -> WeightsSpec:
        given = [k for k in WEIGHT_KINDS if getattr(self, k) is not None]
        if len(given) != 1:
            raise fail(f"expected exactly one of {quoted(WEIGHT_KINDS)}, got {given or 'none'}")
        if self.values is not None:
            ctx = context_of(info)
            _weight_values(self.values, ctx.criteria, ("values",))
            total = sum(self.values.values())
            if abs(total - 1) > 1e-6 and abs(total - 100) > 1e-6:  # 100: percentages (source 003)
                rescaled = ", ".join(f"{c}={w / total:.4g}" for c, w in self.values.items())
                warnings.warn(
                    f"{ctx.source}: weights.values: weights sum to {total:g}, not 1 (or 100 %); "
                    f"they are rescaled to {rescaled}",
                    DataQualityWarning,
                    stacklevel=2,
                )
        return self

    @property
    def kind(self) -> str:
        """``"ahp"``, ``"values"``, ``"objective"``, ``"hierarchy"`` or ``"equal"``."""
        for k in WEIGHT_KINDS:
            if getattr(self, k) is not None:
                return k
        return "equal"


#: The ways a study can give its weights (the fields of :class:`WeightsSpec`).
WEIGHT_KINDS = ("ahp", "values", "objective", "hierarchy", "best_worst", "fuzzy_ahp")
