"""Study files: the YAML that names a client's data, criteria, judgements and methods.

A study file is the single input of ``abclab report``. :func:`load_study` reads and validates it
into a tree of small frozen dataclasses (:class:`Study` at the root). Validation is strict: an
unknown key is an error (typos such as ``diretion`` must not be silently ignored), and every
message names the file, the key path and what was expected, e.g.::

    study.yaml: criteria.annual_spend.direction: expected 'benefit' or 'cost', got 'up'

Relative paths in the file are resolved against the directory of the study file.
:func:`study_from_dict` validates an already-parsed mapping (used by tests and notebooks).

Schema (``?`` marks optional keys; see ``abclab/study_example.yaml`` for a commented example)::

    name: str
    language?: en | zh                       (default en)
    seed?: int                                (default 0)
    data:
      customers?: {path, sheet?, encoding?, columns?: {client column: criterion}}
      transactions?: {path, customer, date, amount, profit?, category?, due_date?,
                      paid_date?, as_of?}
      previous?: {path, sheet?, id_column?, tier_column}        (last period's classes)
    id_column?: str        name_column?: str     pii?: [str]  (default: detect phone/e-mail)
    cleaning?: {criterion | default: {missing?, nonpositive?, outliers?, winsorize?}}
    criteria: {name: {direction?: benefit|cost, normalise?: str, bands?: [[lower, score]..],
                      label?: str}}
    weights?: one of  {ahp: {...}} | {values: {criterion: w}} | {objective: entropy|critic|...}
                      | {hierarchy: {...}}                (default: equal weights)
    methods?: [name | {name: {params}}]      recommended?: str
    tiers?: {labels?: {tier: display label}, strategies?: {tier: text}}
    sensitivity?: {draws?, concentration?, spread?, method?}
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from abclab.exceptions import DataQualityWarning, StudyError

__all__ = [
    "METHODS",
    "AHPSpec",
    "CleaningPolicy",
    "CriterionSpec",
    "CustomersSource",
    "DataSpec",
    "ExpertJudgements",
    "HierarchyNode",
    "MethodSpec",
    "PreviousSource",
    "SensitivitySpec",
    "Study",
    "TiersSpec",
    "TransactionsSource",
    "WeightsSpec",
    "judgement_matrix",
    "load_study",
    "study_from_dict",
]

#: Classification methods a study may list, with the parameters each accepts.
METHODS: dict[str, frozenset[str]] = {
    "pareto": frozenset({"value", "cutoffs"}),
    "shares": frozenset({"value", "shares"}),
    "computed_abc": frozenset({"value"}),
    "bands": frozenset({"value", "bands", "labels"}),
    "weighted_abc": frozenset({"how", "shares", "cutoffs"}),
    "value_potential": frozenset({"value", "potential", "threshold", "labels"}),
    "rfm": frozenset({"recency", "frequency", "monetary", "bins"}),
    "ramanathan": frozenset({"order", "how", "shares", "cutoffs"}),
    "ng": frozenset({"order", "how", "shares", "cutoffs"}),
    "zhou_fan": frozenset({"lam", "how", "shares", "cutoffs"}),
    "topsis": frozenset({"how", "shares", "cutoffs"}),
    "edas": frozenset({"how", "shares", "cutoffs"}),
    "kmeans": frozenset({"k", "k_range"}),
    "gmm": frozenset({"k", "k_range"}),
    "ward": frozenset({"k", "k_range"}),
}

_DIRECTIONS = ("benefit", "cost")
_NORMALISE = ("minmax", "max", "percentile", "bands", "zscore")
_CLEAN_MISSING = ("pending", "median", "recent_average", "zero")
_CLEAN_NONPOSITIVE = ("allow", "pending", "missing")
_CLEAN_OUTLIERS = ("none", "iqr", "mad")
_OBJECTIVE = ("entropy", "critic", "std_dev", "equal")
_AHP_METHODS = ("eigenvector", "geometric_mean", "column_mean")
_RI_TABLES = ("saaty1980", "alonso_lamata2006")
_AGGREGATION = ("aij", "aip")


# --------------------------------------------------------------------------- dataclasses
@dataclass(frozen=True)
class CustomersSource:
    """A customer table: one row per customer, client column names mapped to criteria."""

    path: Path
    sheet: str | int | None = None
    encoding: str | None = None
    columns: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class TransactionsSource:
    """A transaction log from which per-customer criteria are derived."""

    path: Path
    customer: str
    date: str
    amount: str
    profit: str | None = None
    category: str | None = None
    due_date: str | None = None
    paid_date: str | None = None
    as_of: str | None = None
    encoding: str | None = None


@dataclass(frozen=True)
class PreviousSource:
    """Last period's classification (customer id and tier) for the migration matrix."""

    path: Path
    tier_column: str
    id_column: str | None = None
    sheet: str | int | None = None


@dataclass(frozen=True)
class DataSpec:
    """Where the data come from (customers, transactions or both; optional previous period)."""

    customers: CustomersSource | None = None
    transactions: TransactionsSource | None = None
    previous: PreviousSource | None = None

    @property
    def paths(self) -> list[Path]:
        """Every data file the study reads, in a fixed order."""
        return [s.path for s in (self.customers, self.transactions, self.previous) if s]


@dataclass(frozen=True)
class CleaningPolicy:
    """Cleaning policy of one criterion (the fields of :class:`abclab.cleaning.CriterionPolicy`)."""

    missing: str = "pending"
    nonpositive: str = "allow"
    outliers: str = "none"
    winsorize: bool = False
    iqr_k: float = 1.5
    mad_threshold: float = 3.5
    recent_months: int = 3
    periods_per_year: float = 12.0

    def to_dict(self) -> dict[str, Any]:
        """Plain-dict form, the keyword arguments of ``CriterionPolicy``."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class CriterionSpec:
    """One scoring criterion: direction, normalisation and optional piecewise bands."""

    name: str
    direction: str = "benefit"
    normalise: str = "minmax"
    bands: tuple[tuple[float, float], ...] | None = None
    label: str | None = None


@dataclass(frozen=True)
class ExpertJudgements:
    """One expert's pairwise comparison matrix (criteria order = ``matrix.index``)."""

    name: str
    matrix: pd.DataFrame


@dataclass(frozen=True)
class AHPSpec:
    """AHP weights: one matrix per expert, their aggregation, weight method and RI table."""

    experts: tuple[ExpertJudgements, ...]
    aggregation: str = "aij"
    method: str = "eigenvector"
    ri_table: str = "saaty1980"


@dataclass(frozen=True)
class HierarchyNode:
    """A dimension of a two-level hierarchy: its criteria and local judgements or weights."""

    name: str
    criteria: tuple[str, ...]
    matrix: pd.DataFrame | None = None
    values: dict[str, float] | None = None


@dataclass(frozen=True)
class WeightsSpec:
    """How criterion weights are obtained (exactly one of the ``kind`` fields is set)."""

    kind: str  # "ahp" | "values" | "objective" | "hierarchy" | "equal"
    ahp: AHPSpec | None = None
    values: dict[str, float] | None = None
    objective: str | None = None
    top: HierarchyNode | None = None
    dimensions: tuple[HierarchyNode, ...] = ()
    method: str = "eigenvector"
    ri_table: str = "saaty1980"


@dataclass(frozen=True)
class MethodSpec:
    """A classification method to run, under ``name`` (= method unless aliased with ``as``)."""

    name: str
    method: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TiersSpec:
    """Display labels and strategy overrides per tier code."""

    labels: dict[str, str] = field(default_factory=dict)
    strategies: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SensitivitySpec:
    """Weight sensitivity: Monte Carlo draws, Dirichlet concentration, judgement spread."""

    draws: int = 500
    concentration: float = 100.0
    spread: float | None = None
    method: str | None = None


@dataclass(frozen=True)
class Study:
    """A validated study file (see the module docstring for the schema)."""

    path: Path
    name: str
    language: str
    seed: int
    data: DataSpec
    criteria: tuple[CriterionSpec, ...]
    weights: WeightsSpec
    methods: tuple[MethodSpec, ...]
    recommended: str
    id_column: str | None = None
    name_column: str | None = None
    pii: tuple[str, ...] | None = None
    cleaning: dict[str, CleaningPolicy] = field(default_factory=dict)
    tiers: TiersSpec = field(default_factory=TiersSpec)
    sensitivity: SensitivitySpec | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def criterion_names(self) -> list[str]:
        """Criterion names in study order."""
        return [c.name for c in self.criteria]

    def to_dict(self) -> dict[str, Any]:
        """The study as parsed from YAML (a deep copy of the raw mapping), for provenance."""
        return _plain(self.raw)


# --------------------------------------------------------------------------- loading
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
        If the YAML is malformed or a key is unknown, missing or of the wrong kind; the
        message names the file and the key path (``criteria.spend.direction``).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"study file not found: {path}")
    text = path.read_text(encoding="utf-8-sig")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise StudyError(f"{path.name}: not valid YAML{where}: {problem}") from err
    return study_from_dict(data, base_dir=path.parent, source=path)


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
    """
    ctx = _Ctx(Path(source).name)
    root = ctx.mapping(data, "")
    ctx.keys(
        root,
        "",
        required={"name", "data", "criteria"},
        optional={
            "language",
            "seed",
            "id_column",
            "name_column",
            "pii",
            "cleaning",
            "weights",
            "methods",
            "recommended",
            "tiers",
            "sensitivity",
            "description",
        },
    )
    base = Path(base_dir)
    name = ctx.string(root["name"], "name")
    language = ctx.choice(root.get("language", "en"), "language", ("en", "zh"))
    seed = ctx.integer(root.get("seed", 0), "seed", minimum=0)
    criteria = _criteria(ctx, root["criteria"])
    names = [c.name for c in criteria]
    data_spec = _data(ctx, root["data"], base)
    pii = root.get("pii")
    methods = _methods(ctx, root.get("methods", ["weighted_abc", "pareto"]), names)
    method_names = [m.name for m in methods]
    default_rec = "weighted_abc" if "weighted_abc" in method_names else method_names[0]
    recommended = ctx.choice(root.get("recommended", default_rec), "recommended", method_names)
    return Study(
        path=Path(source),
        name=name,
        language=language,
        seed=seed,
        data=data_spec,
        criteria=criteria,
        weights=_weights(ctx, root.get("weights"), names),
        methods=methods,
        recommended=recommended,
        id_column=ctx.opt_string(root.get("id_column"), "id_column"),
        name_column=ctx.opt_string(root.get("name_column"), "name_column"),
        pii=None if pii is None else tuple(ctx.string_list(pii, "pii")),
        cleaning=_cleaning(ctx, root.get("cleaning"), names, data_spec.transactions is not None),
        tiers=_tiers(ctx, root.get("tiers")),
        sensitivity=_sensitivity(ctx, root.get("sensitivity"), method_names),
        raw=_plain(root),
    )


# --------------------------------------------------------------------------- sections
def _data(ctx: _Ctx, value: Any, base: Path) -> DataSpec:
    node = ctx.mapping(value, "data")
    ctx.keys(node, "data", optional={"customers", "transactions", "previous"})
    if "customers" not in node and "transactions" not in node:
        raise ctx.error("data", "expected a 'customers' or a 'transactions' section, got neither")
    customers = transactions = previous = None
    if "customers" in node:
        c = ctx.mapping(node["customers"], "data.customers")
        ctx.keys(c, "data.customers", required={"path"}, optional={"sheet", "encoding", "columns"})
        cols = ctx.mapping(c.get("columns", {}), "data.customers.columns")
        columns = {str(k): ctx.string(v, f"data.customers.columns.{k}") for k, v in cols.items()}
        customers = CustomersSource(
            path=ctx.path(c["path"], "data.customers.path", base),
            sheet=_sheet(ctx, c.get("sheet"), "data.customers.sheet"),
            encoding=ctx.opt_string(c.get("encoding"), "data.customers.encoding"),
            columns=columns,
        )
    if "transactions" in node:
        p = "data.transactions"
        t = ctx.mapping(node["transactions"], p)
        opt = {"profit", "category", "due_date", "paid_date", "as_of", "encoding"}
        ctx.keys(t, p, required={"path", "customer", "date", "amount"}, optional=opt)
        as_of = t.get("as_of")
        if as_of is not None:
            as_of = str(as_of)
            try:
                pd.Timestamp(as_of)
            except ValueError as err:
                raise ctx.error(
                    f"{p}.as_of", f"expected a date (YYYY-MM-DD), got {as_of!r}"
                ) from err
        transactions = TransactionsSource(
            path=ctx.path(t["path"], f"{p}.path", base),
            customer=ctx.string(t["customer"], f"{p}.customer"),
            date=ctx.string(t["date"], f"{p}.date"),
            amount=ctx.string(t["amount"], f"{p}.amount"),
            profit=ctx.opt_string(t.get("profit"), f"{p}.profit"),
            category=ctx.opt_string(t.get("category"), f"{p}.category"),
            due_date=ctx.opt_string(t.get("due_date"), f"{p}.due_date"),
            paid_date=ctx.opt_string(t.get("paid_date"), f"{p}.paid_date"),
            as_of=as_of,
            encoding=ctx.opt_string(t.get("encoding"), f"{p}.encoding"),
        )
    if "previous" in node:
        p = "data.previous"
        v = ctx.mapping(node["previous"], p)
        ctx.keys(v, p, required={"path", "tier_column"}, optional={"id_column", "sheet"})
        previous = PreviousSource(
            path=ctx.path(v["path"], f"{p}.path", base),
            tier_column=ctx.string(v["tier_column"], f"{p}.tier_column"),
            id_column=ctx.opt_string(v.get("id_column"), f"{p}.id_column"),
            sheet=_sheet(ctx, v.get("sheet"), f"{p}.sheet"),
        )
    return DataSpec(customers=customers, transactions=transactions, previous=previous)


def _sheet(ctx: _Ctx, value: Any, key: str) -> str | int | None:
    if value is None or isinstance(value, str):
        return value
    return ctx.integer(value, key, minimum=0)


def _criteria(ctx: _Ctx, value: Any) -> tuple[CriterionSpec, ...]:
    node = ctx.mapping(value, "criteria")
    if not node:
        raise ctx.error("criteria", "expected at least one criterion, got none")
    out = []
    for name, spec in node.items():
        key = f"criteria.{name}"
        spec = {} if spec is None else ctx.mapping(spec, key)
        ctx.keys(spec, key, optional={"direction", "normalise", "bands", "label"})
        bands = spec.get("bands")
        normalise = "bands" if bands is not None else "minmax"
        normalise = ctx.choice(spec.get("normalise", normalise), f"{key}.normalise", _NORMALISE)
        if normalise == "bands" and bands is None:
            raise ctx.error(
                f"{key}.bands", "expected bands [[lower, score], ...] for normalise 'bands'"
            )
        out.append(
            CriterionSpec(
                name=str(name),
                direction=ctx.choice(
                    spec.get("direction", "benefit"), f"{key}.direction", _DIRECTIONS
                ),
                normalise=normalise,
                bands=None if bands is None else _bands(ctx, bands, f"{key}.bands"),
                label=ctx.opt_string(spec.get("label"), f"{key}.label"),
            )
        )
    return tuple(out)


def _bands(ctx: _Ctx, value: Any, key: str) -> tuple[tuple[float, float], ...]:
    items = ctx.sequence(value, key)
    out = []
    for i, item in enumerate(items):
        pair = ctx.sequence(item, f"{key}[{i}]")
        if len(pair) != 2:
            raise ctx.error(f"{key}[{i}]", f"expected [lower bound, score], got {item!r}")
        lower = -math.inf if pair[0] is None else ctx.number(pair[0], f"{key}[{i}][0]")
        out.append((lower, ctx.number(pair[1], f"{key}[{i}][1]")))
    if not out:
        raise ctx.error(key, "expected at least one [lower bound, score] pair")
    lowers = [lo for lo, _ in out]
    if len(set(lowers)) != len(lowers):
        raise ctx.error(key, f"expected distinct lower bounds, got {lowers}")
    return tuple(sorted(out))


def _cleaning(
    ctx: _Ctx, value: Any, names: list[str], has_transactions: bool
) -> dict[str, CleaningPolicy]:
    if value is None:
        return {}
    node = ctx.mapping(value, "cleaning")
    out = {}
    optional = {f.name for f in fields(CleaningPolicy)}
    for crit, spec in node.items():
        key = f"cleaning.{crit}"
        if crit != "default" and crit not in names:
            raise ctx.error(
                key, f"expected a criterion ({_quoted(names)}) or 'default', got {crit!r}"
            )
        spec = ctx.mapping(spec or {}, key)
        ctx.keys(spec, key, optional=optional)
        win = spec.get("winsorize", False)
        if not isinstance(win, bool):
            raise ctx.error(f"{key}.winsorize", f"expected true or false, got {win!r}")
        policy = CleaningPolicy(
            missing=ctx.choice(spec.get("missing", "pending"), f"{key}.missing", _CLEAN_MISSING),
            nonpositive=ctx.choice(
                spec.get("nonpositive", "allow"), f"{key}.nonpositive", _CLEAN_NONPOSITIVE
            ),
            outliers=ctx.choice(spec.get("outliers", "none"), f"{key}.outliers", _CLEAN_OUTLIERS),
            winsorize=win,
            iqr_k=ctx.number(spec.get("iqr_k", 1.5), f"{key}.iqr_k", minimum=1e-9),
            mad_threshold=ctx.number(
                spec.get("mad_threshold", 3.5), f"{key}.mad_threshold", minimum=1e-9
            ),
            recent_months=ctx.integer(
                spec.get("recent_months", 3), f"{key}.recent_months", minimum=1
            ),
            periods_per_year=ctx.number(
                spec.get("periods_per_year", 12.0), f"{key}.periods_per_year", minimum=1e-9
            ),
        )
        if policy.missing == "zero" and policy.nonpositive != "allow":
            raise ctx.error(
                f"{key}.missing",
                f"'zero' contradicts nonpositive {policy.nonpositive!r} (0 is not positive)",
            )
        if policy.missing == "recent_average" and not has_transactions:
            raise ctx.error(f"{key}.missing", "'recent_average' needs data.transactions")
        out[str(crit)] = policy
    return out


def _weights(ctx: _Ctx, value: Any, names: list[str]) -> WeightsSpec:
    if value is None:
        return WeightsSpec(kind="equal")
    node = ctx.mapping(value, "weights")
    kinds = {"ahp", "values", "objective", "hierarchy"}
    ctx.keys(node, "weights", optional=kinds)
    given = [k for k in ("ahp", "values", "objective", "hierarchy") if k in node]
    if len(given) != 1:
        raise ctx.error(
            "weights",
            f"expected exactly one of 'ahp', 'values', 'objective', 'hierarchy', got {given or 'none'}",
        )
    kind = given[0]
    if kind == "values":
        values = _weight_values(ctx, node["values"], "weights.values", names)
        missing = [n for n in names if n not in values]
        if missing:
            raise ctx.error(
                "weights.values",
                f"expected a weight for every criterion, missing {_quoted(missing)}",
            )
        return WeightsSpec(kind="values", values=values)
    if kind == "objective":
        obj = ctx.choice(node["objective"], "weights.objective", _OBJECTIVE)
        return WeightsSpec(kind="objective", objective=obj)
    if kind == "ahp":
        return WeightsSpec(kind="ahp", ahp=_ahp(ctx, node["ahp"], names))
    return _hierarchy(ctx, node["hierarchy"], names)


def _weight_values(ctx: _Ctx, value: Any, key: str, names: list[str]) -> dict[str, float]:
    node = ctx.mapping(value, key)
    out = {}
    for crit, w in node.items():
        if crit not in names:
            raise ctx.error(f"{key}.{crit}", f"expected one of {_quoted(names)}, got {crit!r}")
        out[str(crit)] = ctx.number(w, f"{key}.{crit}", minimum=0.0)
    total = sum(out.values())
    if total <= 0:
        raise ctx.error(key, "expected weights with a positive sum")
    if abs(total - 1) > 1e-6 and abs(total - 100) > 1e-6:  # 100: percentages, as in source 003
        rescaled = ", ".join(f"{c}={w / total:.4g}" for c, w in out.items())
        warnings.warn(
            f"{ctx.source}: {key}: weights sum to {total:g}, not 1 (or 100 %); "
            f"they are rescaled to {rescaled}",
            DataQualityWarning,
            stacklevel=2,
        )
    return out


def _ahp(ctx: _Ctx, value: Any, names: list[str]) -> AHPSpec:
    node = ctx.mapping(value, "weights.ahp")
    ctx.keys(
        node, "weights.ahp", required={"experts"}, optional={"aggregation", "method", "ri_table"}
    )
    experts_node = ctx.mapping(node["experts"], "weights.ahp.experts")
    if not experts_node:
        raise ctx.error("weights.ahp.experts", "expected at least one expert")
    experts = []
    for expert, spec in experts_node.items():
        key = f"weights.ahp.experts.{expert}"
        matrix = _judgement_node(ctx, spec, key, names)
        experts.append(ExpertJudgements(name=str(expert), matrix=matrix))
    return AHPSpec(
        experts=tuple(experts),
        aggregation=ctx.choice(
            node.get("aggregation", "aij"), "weights.ahp.aggregation", _AGGREGATION
        ),
        method=ctx.choice(node.get("method", "eigenvector"), "weights.ahp.method", _AHP_METHODS),
        ri_table=ctx.choice(node.get("ri_table", "saaty1980"), "weights.ahp.ri_table", _RI_TABLES),
    )


def _judgement_node(ctx: _Ctx, value: Any, key: str, names: list[str]) -> pd.DataFrame:
    spec = ctx.mapping(value, key)
    ctx.keys(spec, key, optional={"judgements", "matrix", "order"})
    if ("judgements" in spec) == ("matrix" in spec):
        raise ctx.error(key, "expected exactly one of 'judgements' or 'matrix'")
    if "judgements" in spec:
        if "order" in spec:
            raise ctx.error(f"{key}.order", "'order' goes with 'matrix', not with 'judgements'")
        return _matrix_from_judgements(ctx, spec["judgements"], f"{key}.judgements", names)
    order = ctx.string_list(spec.get("order", names), f"{key}.order")
    for crit in order:
        if crit not in names:
            raise ctx.error(
                f"{key}.order", f"expected criteria among {_quoted(names)}, got {crit!r}"
            )
    rows = ctx.sequence(spec["matrix"], f"{key}.matrix")
    n = len(order)
    if len(rows) != n:
        raise ctx.error(
            f"{key}.matrix",
            f"expected {n} rows (one per criterion in {_quoted(order)}), got {len(rows)}",
        )
    values = np.empty((n, n))
    for i, row in enumerate(rows):
        row = ctx.sequence(row, f"{key}.matrix[{i}]")
        if len(row) != n:
            raise ctx.error(f"{key}.matrix[{i}]", f"expected {n} entries, got {len(row)}")
        for j, cell in enumerate(row):
            values[i, j] = _judgement_value(
                ctx, cell, f"{key}.matrix[{i}][{j}]", allow_missing=True
            )
    return pd.DataFrame(values, index=order, columns=order)


def _matrix_from_judgements(ctx: _Ctx, value: Any, key: str, names: list[str]) -> pd.DataFrame:
    node = ctx.mapping(value, key)
    used: list[str] = []
    cells: dict[tuple[str, str], float] = {}
    for pair, v in node.items():
        a, b, flip = _parse_pair(ctx, str(pair), f"{key}.{pair}", names)
        x = _judgement_value(ctx, v, f"{key}.{pair}")
        x = 1.0 / x if flip else x
        if (a, b) in cells or (b, a) in cells:
            raise ctx.error(f"{key}.{pair}", f"judgement between {a!r} and {b!r} given twice")
        cells[(a, b)] = x
        used += [c for c in (a, b) if c not in used]
    order = [n for n in names if n in used]
    if len(order) < 2:
        raise ctx.error(key, "expected judgements between at least two criteria")
    return judgement_matrix(cells, order)


def judgement_matrix(cells: Mapping[tuple[str, str], float], order: list[str]) -> pd.DataFrame:
    """Reciprocal pairwise matrix from judgements ``{(a, b): a_ab}``; missing pairs are NaN.

    ``a_ab`` is how many times more important ``a`` is than ``b`` (Saaty's 1-9 scale), so
    ``a_ba = 1 / a_ab`` and the diagonal is 1. NaN cells are left for Harker's completion in
    :func:`abclab.ahp.weights`.
    """
    pos = {c: i for i, c in enumerate(order)}
    m = np.full((len(order), len(order)), np.nan)
    np.fill_diagonal(m, 1.0)
    for (a, b), x in cells.items():
        m[pos[a], pos[b]] = x
        m[pos[b], pos[a]] = 1.0 / x
    return pd.DataFrame(m, index=list(order), columns=list(order))


def _parse_pair(ctx: _Ctx, text: str, key: str, names: list[str]) -> tuple[str, str, bool]:
    for op, flip in ((">", False), ("<", True), ("=", False)):
        if op in text:
            a, _, b = (s.strip() for s in text.partition(op))
            for c in (a, b):
                if c not in names:
                    raise ctx.error(key, f"expected criteria among {_quoted(names)}, got {c!r}")
            if a == b:
                raise ctx.error(key, f"a criterion cannot be compared with itself ({a!r})")
            return a, b, flip
    raise ctx.error(
        key, "expected a judgement written 'a > b' (a more important), 'a < b' or 'a = b'"
    )


def _judgement_value(ctx: _Ctx, value: Any, key: str, *, allow_missing: bool = False) -> float:
    if allow_missing and (value is None or (isinstance(value, str) and value.strip() in {"", "?"})):
        return math.nan
    if isinstance(value, str):
        try:
            value = float(Fraction(value.strip()))
        except (ValueError, ZeroDivisionError):
            value = _verbal_judgement(ctx, value, key)
    x = ctx.number(value, key)
    if not x > 0:
        raise ctx.error(key, f"expected a positive judgement (Saaty scale 1/9..9), got {value!r}")
    if not 1 / 9 - 1e-9 <= x <= 9 + 1e-9:  # one expert's judgement, not an aggregate
        raise ctx.error(key, f"expected a judgement on Saaty's scale 1/9..9, got {value!r}")
    return x


def _verbal_judgement(ctx: _Ctx, text: str, key: str) -> float:
    """A verbal label ("strongly more important") on Saaty's scale, via abclab.ahp."""
    from abclab.ahp import parse_judgement
    from abclab.exceptions import JudgementError

    try:
        return float(parse_judgement(text, where=key))
    except JudgementError:
        raise ctx.error(
            key, f"expected a positive number, a fraction like 1/3 or a verbal label, got {text!r}"
        ) from None


def _hierarchy(ctx: _Ctx, value: Any, names: list[str]) -> WeightsSpec:
    key = "weights.hierarchy"
    node = ctx.mapping(value, key)
    ctx.keys(node, key, required={"dimensions"}, optional={"top", "method", "ri_table"})
    dims_node = ctx.mapping(node["dimensions"], f"{key}.dimensions")
    dims = []
    seen: list[str] = []
    for dim, spec in dims_node.items():
        dkey = f"{key}.dimensions.{dim}"
        spec = ctx.mapping(spec, dkey)
        ctx.keys(spec, dkey, required={"criteria"}, optional={"judgements", "matrix", "values"})
        crits = ctx.string_list(spec["criteria"], f"{dkey}.criteria")
        for c in crits:
            if c not in names:
                raise ctx.error(
                    f"{dkey}.criteria", f"expected criteria among {_quoted(names)}, got {c!r}"
                )
            if c in seen:
                raise ctx.error(
                    f"{dkey}.criteria", f"criterion {c!r} is already in another dimension"
                )
        seen += crits
        dims.append(_hierarchy_node(ctx, spec, dkey, str(dim), crits))
    missing = [n for n in names if n not in seen]
    if missing:
        raise ctx.error(
            f"{key}.dimensions",
            f"expected every criterion in a dimension, missing {_quoted(missing)}",
        )
    dim_names = [d.name for d in dims]
    top_spec = ctx.mapping(node.get("top", {}), f"{key}.top")
    ctx.keys(top_spec, f"{key}.top", optional={"judgements", "matrix", "values"})
    top = _hierarchy_node(ctx, top_spec, f"{key}.top", "top", dim_names)
    return WeightsSpec(
        kind="hierarchy",
        top=top,
        dimensions=tuple(dims),
        method=ctx.choice(node.get("method", "eigenvector"), f"{key}.method", _AHP_METHODS),
        ri_table=ctx.choice(node.get("ri_table", "saaty1980"), f"{key}.ri_table", _RI_TABLES),
    )


def _hierarchy_node(ctx: _Ctx, spec: dict, key: str, name: str, items: list[str]) -> HierarchyNode:
    given = [k for k in ("judgements", "matrix", "values") if k in spec]
    if len(given) > 1:
        raise ctx.error(key, f"expected one of 'judgements', 'matrix' or 'values', got {given}")
    if len(items) == 1 or not given:  # a single item, or equal local weights
        return HierarchyNode(name=name, criteria=tuple(items), values=dict.fromkeys(items, 1.0))
    if given == ["values"]:
        values = _weight_values(ctx, spec["values"], f"{key}.values", items)
        missing = [n for n in items if n not in values]
        if missing:
            raise ctx.error(f"{key}.values", f"expected a weight for {_quoted(missing)}")
        return HierarchyNode(name=name, criteria=tuple(items), values=values)
    sub = {k: spec[k] for k in given}
    matrix = _judgement_node(ctx, sub, key, items)
    if list(matrix.index) != items:
        matrix = matrix.reindex(index=items, columns=items)
    return HierarchyNode(name=name, criteria=tuple(items), matrix=matrix)


def _methods(ctx: _Ctx, value: Any, names: list[str]) -> tuple[MethodSpec, ...]:
    items = ctx.sequence(value, "methods")
    if not items:
        raise ctx.error("methods", "expected at least one method")
    out: list[MethodSpec] = []
    for i, item in enumerate(items):
        key = f"methods[{i}]"
        if isinstance(item, str):
            method, params = item, {}
        elif isinstance(item, dict) and len(item) == 1:
            method, params = next(iter(item.items()))
            params = ctx.mapping(params or {}, f"{key}.{method}")
        else:
            raise ctx.error(key, f"expected a method name or {{name: {{params}}}}, got {item!r}")
        method = ctx.choice(method, key, tuple(METHODS))
        params = dict(params)
        alias = params.pop("as", method)
        ctx.keys(params, f"methods.{method}", optional=set(METHODS[method]))
        for p in ("value", "recency", "frequency", "monetary"):
            if p in params and params[p] not in names and params[p] != "score":
                raise ctx.error(
                    f"methods.{method}.{p}",
                    f"expected a criterion ({_quoted(names)}), got {params[p]!r}",
                )
        if "how" in params:
            ctx.choice(params["how"], f"methods.{method}.how", ("shares", "pareto"))
        if any(m.name == alias for m in out):
            raise ctx.error(
                key, f"method name {alias!r} used twice; give one of them 'as: other_name'"
            )
        out.append(MethodSpec(name=str(alias), method=method, params=params))
    return tuple(out)


def _tiers(ctx: _Ctx, value: Any) -> TiersSpec:
    if value is None:
        return TiersSpec()
    node = ctx.mapping(value, "tiers")
    ctx.keys(node, "tiers", optional={"labels", "strategies"})
    labels = ctx.mapping(node.get("labels", {}), "tiers.labels")
    strategies = ctx.mapping(node.get("strategies", {}), "tiers.strategies")
    return TiersSpec(
        labels={str(k): ctx.string(v, f"tiers.labels.{k}") for k, v in labels.items()},
        strategies={str(k): ctx.string(v, f"tiers.strategies.{k}") for k, v in strategies.items()},
    )


def _sensitivity(ctx: _Ctx, value: Any, methods: list[str]) -> SensitivitySpec | None:
    if value is None or value is False:
        return None
    node = {} if value is True else ctx.mapping(value, "sensitivity")
    key = "sensitivity"
    ctx.keys(node, key, optional={"draws", "concentration", "spread", "method"})
    spread = node.get("spread")
    method = node.get("method")
    return SensitivitySpec(
        draws=ctx.integer(node.get("draws", 500), f"{key}.draws", minimum=1),
        concentration=ctx.number(
            node.get("concentration", 100.0), f"{key}.concentration", minimum=1e-9
        ),
        spread=None if spread is None else ctx.number(spread, f"{key}.spread", minimum=0.0),
        method=None if method is None else ctx.choice(method, f"{key}.method", methods),
    )


# --------------------------------------------------------------------------- validation helpers
class _Ctx:
    """Builds ``StudyError`` messages ``<file>: <key path>: expected ..., got ...``."""

    def __init__(self, source: str) -> None:
        self.source = source

    def error(self, key: str, message: str) -> StudyError:
        where = f"{self.source}: {key}: " if key else f"{self.source}: "
        return StudyError(where + message)

    def mapping(self, value: Any, key: str) -> dict:
        if not isinstance(value, dict):
            raise self.error(key, f"expected a mapping (key: value), got {_kind(value)}")
        return value

    def sequence(self, value: Any, key: str) -> list:
        if not isinstance(value, list | tuple):
            raise self.error(key, f"expected a list, got {_kind(value)}")
        return list(value)

    def keys(
        self,
        node: dict,
        key: str,
        *,
        required: set[str] = frozenset(),
        optional: set[str] = frozenset(),
    ) -> None:
        allowed = set(required) | set(optional)
        for k in node:
            if k not in allowed:
                path = f"{key}.{k}" if key else str(k)
                raise self.error(path, f"unknown key; expected one of {_quoted(sorted(allowed))}")
        for k in sorted(required):
            if k not in node or node[k] is None:
                raise self.error(f"{key}.{k}" if key else k, "required key is missing")

    def string(self, value: Any, key: str) -> str:
        if (
            isinstance(value, bool)
            or not isinstance(value, str | int | float)
            or str(value).strip() == ""
        ):
            raise self.error(key, f"expected a non-empty string, got {_kind(value)}")
        return str(value)

    def opt_string(self, value: Any, key: str) -> str | None:
        return None if value is None else self.string(value, key)

    def string_list(self, value: Any, key: str) -> list[str]:
        return [self.string(v, f"{key}[{i}]") for i, v in enumerate(self.sequence(value, key))]

    def choice(self, value: Any, key: str, options: tuple[str, ...] | list[str]) -> str:
        if not isinstance(value, str) or value not in options:
            opts = (
                " or ".join(repr(o) for o in options)
                if len(options) <= 2
                else "one of " + _quoted(options)
            )
            raise self.error(key, f"expected {opts}, got {value!r}")
        return value

    def number(self, value: Any, key: str, *, minimum: float | None = None) -> float:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise self.error(key, f"expected a number, got {value!r}")
        if minimum is not None and value < minimum:
            raise self.error(key, f"expected a number >= {minimum:g}, got {value!r}")
        return float(value)

    def integer(self, value: Any, key: str, *, minimum: int | None = None) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(key, f"expected an integer, got {value!r}")
        if minimum is not None and value < minimum:
            raise self.error(key, f"expected an integer >= {minimum}, got {value!r}")
        return int(value)

    def path(self, value: Any, key: str, base: Path) -> Path:
        p = Path(self.string(value, key))
        return p if p.is_absolute() else (base / p)


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def _quoted(items: Any) -> str:
    return ", ".join(repr(str(i)) for i in items)


def _plain(value: Any) -> Any:
    """Deep copy of parsed YAML with dates and other scalars turned into JSON-safe values."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
