"""Run a study end to end: read, clean, weight, score, classify with every method, compare.

:func:`run_study` turns a validated :class:`~abclab.study.Study` into a :class:`StudyResults`,
the one object the report notebook and the Excel writer consume. Each step is timed, reported
to an optional ``progress(step_name)`` callable, and wraps its errors so that the message
names the step (``"cleaning: ..."``, ``"method 'ramanathan': ..."``).

Customer accounting: every input row ends up exactly once as *classified*, *pending*
(insufficient data, tier "D") or *merged* (a duplicate folded into another record);
``counts["input"] == classified + pending + merged`` is checked and a :class:`ReportError`
raised otherwise, so no customer is silently lost.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from abclab.exceptions import AbclabError, InputDataError, ReportError, StudyError
from abclab.study import MethodSpec, Study, load_study

__all__ = ["StudyResults", "customer_table", "run_study"]

#: Column of ``input_customers`` holding the customer id (the frame has a row-number index).
ID = "customer_id"
#: Column of ``input_customers`` holding the display name.
NAME = "name"
STATUS = "status"
MERGED_INTO = "merged_into"

_SCORE_METHODS = ("ramanathan", "ng", "zhou_fan", "topsis", "edas")
_CLUSTER_METHODS = ("kmeans", "gmm", "ward")


@dataclass(frozen=True)
class StudyResults:
    """Everything a report shows, computed by :func:`run_study`.

    Attributes
    ----------
    study : Study
    input_customers : DataFrame
        Every input row once (index = input row number): ``customer_id``, ``name``,
        ``status`` (classified / pending / merged), ``merged_into``, the raw criteria and any
        other client columns.
    cleaning : CleaningResult
        From :func:`abclab.cleaning.clean_customers` (``cleaned``, ``pending``, ``merged``, ``log``).
    criteria : DataFrame
        Cleaned criteria of the classified customers (index = customer id).
    ahp : dict
        Expert (or hierarchy node ``"hierarchy:<name>"``) -> AHPResult.
    ahp_group : AHPResult or None
        Aggregated judgements of several experts.
    weights : Series
        Weights used for scoring (criterion -> weight, sums to 1).
    weight_comparison : DataFrame
        Criterion x {``ahp`` (if AHP was used), ``entropy``, ``critic``, ``equal``, ``used``}.
    scores : ScoreResult
        Weighted 0-100 score of the classified customers.
    tiers : DataFrame
        Classified and pending customers x method: ordered Categorical string labels (pending
        customers get ``"D"``, or ``"pending"`` for methods with word labels).
    method_scores : DataFrame
        Classified customers x method: the number the method ranks by, where it has one.
    recommended : str
    summaries : dict
        Method -> :func:`abclab.compare.summary_table` of the classified customers.
    agreement : AgreementResult or None
        Pairwise agreement of the methods on the classified customers (None for one method).
    disputed : DataFrame
        Customers the methods disagree on most (:func:`abclab.compare.disputed`).
    sensitivity : object or None
    migration : DataFrame or None
        Previous tier x current tier (recommended method), when ``data.previous`` is given.
    strategies : DataFrame
        Tier -> strategy text for the recommended method.
    counts : dict
        ``input``, ``classified``, ``pending``, ``merged``.
    display_names : Series
        Customer id -> name for tables (masked if the name column is declared PII).
    timings : dict
        Step -> seconds.
    data_files : list of Path
    notes : list of str
        Things the report should say (e.g. steps left out and why).
    """

    study: Study
    input_customers: pd.DataFrame
    cleaning: Any
    criteria: pd.DataFrame
    ahp: dict[str, Any]
    ahp_group: Any
    weights: pd.Series
    weight_comparison: pd.DataFrame
    scores: Any
    tiers: pd.DataFrame
    method_scores: pd.DataFrame
    recommended: str
    summaries: dict[str, pd.DataFrame]
    agreement: Any
    disputed: pd.DataFrame
    sensitivity: Any
    migration: pd.DataFrame | None
    strategies: pd.DataFrame
    counts: dict[str, int]
    display_names: pd.Series
    timings: dict[str, float]
    data_files: list[Path]
    notes: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- step runner
class _Steps:
    def __init__(self, progress: Callable[[str], None] | None) -> None:
        self.progress = progress
        self.timings: dict[str, float] = {}

    @contextmanager
    def step(self, name: str, label: str | None = None) -> Iterator[None]:
        label = label or name
        if self.progress is not None:
            self.progress(label)
        start = time.perf_counter()
        try:
            yield
        except AbclabError as err:
            raise type(err)(f"{label}: {err}") from err
        except (FileNotFoundError, PermissionError) as err:
            raise type(err)(f"{label}: {err}") from err
        except Exception as err:
            raise RuntimeError(f"{label}: {type(err).__name__}: {err}") from err
        finally:
            self.timings[name] = time.perf_counter() - start


# --------------------------------------------------------------------------- run_study
def run_study(
    study: Study | str | Path, *, progress: Callable[[str], None] | None = None
) -> StudyResults:
    """Run every step of a study.

    Parameters
    ----------
    study : Study or path
        A validated study (or the path of a study file, loaded with :func:`load_study`).
    progress : callable, optional
        Called with each step's name as it starts (``"data"``, ``"cleaning"``, ``"weights"``,
        ``"scoring"``, ``"method 'pareto'"`` ...).

    Returns
    -------
    StudyResults

    Raises
    ------
    AbclabError
        Bad input, with the step named first in the message.
    ReportError
        If the customer accounting does not balance (input != classified + pending + merged).
    """
    if not isinstance(study, Study):
        study = load_study(study)
    steps = _Steps(progress)
    notes: list[str] = []
    with steps.step("data"):
        master = _read_master(study)
        frame, data_files = _read_data(study, master)
    with steps.step("cleaning"):
        cleaning, inputs, criteria = _clean(study, frame)
        if study.data.transactions is not None and len(cleaning.merged):
            # A merged duplicate's invoices belong to the record it was merged into: derive
            # the criteria again with those ids booked to it, then clean once more.
            merged = cleaning.merged
            aliases = dict(zip(merged["customer"], merged["merged_into"], strict=True))
            frame, _ = _read_data(study, master, aliases=aliases)
            cleaning, inputs, criteria = _clean(study, frame)
            notes.append(
                f"{len(aliases)} duplicate customer id(s) merged; their transactions are "
                "counted under the record each was merged into"
            )
    counts = _counts(inputs)
    names = list(criteria.columns)
    with steps.step("weights"):
        ahp_results, ahp_group, weights = _weights(study, criteria)
    with steps.step("scoring"):
        from abclab import scoring

        spec = _scoring_spec(study)
        scores = scoring.score(criteria, weights, criteria=spec)
    with steps.step("weight comparison"):
        comparison = _weight_comparison(study, scores, weights, ahp_results, names)
    pending_ids = list(cleaning.pending.index) if len(cleaning.pending) else []
    tiers: dict[str, pd.Series] = {}
    method_scores: dict[str, pd.Series] = {}
    for spec_m in study.methods:
        with steps.step(f"method:{spec_m.name}", f"method '{spec_m.name}'"):
            t, s = _run_method(spec_m, study, criteria, scores, weights, cleaning.cleaned)
            tiers[spec_m.name] = _with_pending(
                t.rename(spec_m.name), pending_ids, word=PENDING_WORD.get(study.language, "pending")
            )
            if s is not None:
                method_scores[spec_m.name] = pd.Series(s, index=criteria.index, name=spec_m.name)
    tier_frame = pd.DataFrame(tiers)
    score_frame = pd.DataFrame(method_scores, index=criteria.index)
    with steps.step("strategies"):
        strategies = _strategies(study, tier_frame[study.recommended], notes)
    with steps.step("summaries"):
        summaries = _summaries(study, criteria, tier_frame, strategies)
    with steps.step("agreement"):
        classified = comparable_tiers(tier_frame.loc[criteria.index])
        agreement_result = None
        disputed = pd.DataFrame()
        if classified.shape[1] >= 2:
            from abclab import compare

            agreement_result = compare.agreement(classified)
            ranked = classified.drop(
                columns=[m.name for m in study.methods if m.method in _MATRIX_METHODS]
            )
            if ranked.shape[1] >= 2:
                disputed = compare.disputed(ranked, criteria, top=20)
    sensitivity = None
    if study.sensitivity is not None:
        with steps.step("sensitivity"):
            sensitivity = _sensitivity(study, scores, weights, notes)
    migration = None
    if study.data.previous is not None:
        with steps.step("migration"):
            migration = _migration(study, tier_frame[study.recommended])
    display = _display_names(study, inputs)
    return StudyResults(
        study=study,
        input_customers=inputs,
        cleaning=cleaning,
        criteria=criteria,
        ahp=ahp_results,
        ahp_group=ahp_group,
        weights=weights,
        weight_comparison=comparison,
        scores=scores,
        tiers=tier_frame,
        method_scores=score_frame,
        recommended=study.recommended,
        summaries=summaries,
        agreement=agreement_result,
        disputed=disputed,
        sensitivity=sensitivity,
        migration=migration,
        strategies=strategies,
        counts=counts,
        display_names=display,
        timings=dict(steps.timings),
        data_files=data_files,
        notes=notes,
    )


# --------------------------------------------------------------------------- data
def _read_master(study: Study) -> pd.DataFrame | None:
    """The customer table (``data.customers``) with ids and criteria parsed, or None."""
    from abclab.io import parse_business_numbers, read_table

    data = study.data
    master = None
    if data.customers is not None:
        src = data.customers
        options: dict[str, Any] = {"rename": src.columns} if src.columns else {}
        options["numeric"] = []  # ids, phones and codes stay text; criteria parsed below
        master = read_table(src.path, **options)
        for col in study.criterion_names:
            if col in master.columns and not pd.api.types.is_numeric_dtype(master[col]):
                plain = _plain_numbers(master[col])
                if plain is None:
                    plain, _ = parse_business_numbers(master[col], column=col, source=src.path.name)
                master[col] = plain
        id_col = study.id_column or ID
        if id_col not in master.columns:
            raise StudyError(
                f"id_column: column {id_col!r} not in {src.path.name} "
                f"(columns: {', '.join(map(str, master.columns))})"
            )
        master = master.rename(columns={id_col: ID})
        master[ID] = _ids(master[ID])
        missing = master[ID].isna()
        if missing.any():
            row = int(np.flatnonzero(missing.to_numpy())[0]) + 2
            raise StudyError(f"{src.path.name}: column {id_col!r}: empty customer id in row {row}")
    return master


def _read_data(
    study: Study, master: pd.DataFrame | None, *, aliases: Mapping[Any, Any] | None = None
) -> tuple[pd.DataFrame, list[Path]]:
    """One row per input record, ``customer_id`` column, criteria under their study names.

    ``master`` is :func:`_read_master`'s table (read once per run); ``aliases`` (duplicate
    id -> kept id) books a duplicate's transactions to the kept id.
    """
    data = study.data
    files: list[Path] = [data.customers.path] if data.customers is not None else []
    if data.transactions is None:
        frame = master
    else:
        feats = _transaction_criteria(study, aliases=aliases)
        files.append(data.transactions.path)
        feats = feats.reset_index()
        feats = feats.rename(columns={feats.columns[0]: ID})
        feats[ID] = _ids(feats[ID])
        if master is None:
            frame = feats
        else:
            extra = [c for c in feats.columns if c == ID or c not in master.columns]
            frame = master.merge(feats[extra], on=ID, how="outer", sort=False)
            # customers only in the transactions come last, in id order
            in_master = frame[ID].isin(master[ID])
            frame = pd.concat([frame[in_master], frame[~in_master].sort_values(ID)])
    if study.name_column is not None:
        if study.name_column not in frame.columns:
            raise StudyError(
                f"name_column: column {study.name_column!r} not found "
                f"(columns: {', '.join(map(str, frame.columns))})"
            )
        frame = frame.rename(columns={study.name_column: NAME})
    absent = [c for c in study.criterion_names if c not in frame.columns]
    if absent:
        raise StudyError(
            f"criteria: {', '.join(map(repr, absent))} not found in the data "
            f"(available: {', '.join(map(str, frame.columns))}); map client columns with "
            "data.customers.columns"
        )
    if data.previous is not None:
        files.append(data.previous.path)
    return frame.reset_index(drop=True), files


#: Plain decimal text (``-12``, ``3.25``): what most exports hold, parsed without the
#: business-number rules.
_PLAIN_NUMBER = r"-?[0-9]+(?:\.[0-9]+)?"


def _plain_numbers(series: pd.Series) -> pd.Series | None:
    """Floats of a text column whose every value is a plain decimal, else None.

    A fast path in front of :func:`abclab.io.parse_business_numbers` (same values: both give
    the correctly rounded double of the written decimal; missing stays NaN).
    """
    text = series.astype("string[pyarrow]")
    present = text.notna()
    if not text[present].str.fullmatch(_PLAIN_NUMBER).all():
        return None
    values = np.full(len(text), np.nan)
    values[present.to_numpy()] = np.asarray(
        pa.array(text[present].to_numpy(dtype=object), type=pa.string()).cast(pa.float64())
    )
    return pd.Series(values, index=series.index, name=series.name)


def _ids(series: pd.Series) -> pd.Series:
    """Customer ids as text (``1001`` and ``1001.0`` both become ``"1001"``)."""
    if pd.api.types.is_float_dtype(series):
        whole = series.dropna()
        if (whole == np.round(whole)).all():
            series = series.astype("Int64")
    out = series.astype("string").str.strip()
    return out.astype(object).where(out.notna() & (out != ""), None)


def _transaction_frame(study: Study) -> pd.DataFrame:
    from abclab.io import read_table

    t = study.data.transactions
    options = {"encoding": t.encoding} if t.encoding else {}
    frame = read_table(t.path, **options)
    frame[t.customer] = _ids(frame[t.customer])
    return frame


def _transaction_criteria(
    study: Study, *, aliases: Mapping[Any, Any] | None = None
) -> pd.DataFrame:
    from abclab.features import from_transactions

    t = study.data.transactions
    source: Any = t.path
    if t.encoding is not None or t.path.suffix.lower() in {".xlsx", ".xlsm"}:
        from abclab.io import read_table

        options = {"encoding": t.encoding} if t.encoding else {}
        source = read_table(t.path, **options)
    return from_transactions(
        source,
        customer=t.customer,
        date=t.date,
        amount=t.amount,
        profit=t.profit,
        category=t.category,
        due_date=t.due_date,
        paid_date=t.paid_date,
        as_of=t.as_of,
        aliases=aliases,
    )


# --------------------------------------------------------------------------- cleaning
def _clean(study: Study, frame: pd.DataFrame) -> tuple[Any, pd.DataFrame, pd.DataFrame]:
    from abclab.cleaning import clean_customers

    names = study.criterion_names
    empty = [c for c in names if frame[c].isna().all()]
    if empty:
        raise InputDataError(
            f"criterion {empty[0]!r} has no value for any of the {len(frame)} input customers "
            f"({_data_label(study)}); check the column mapping or drop the criterion"
        )
    policies = _policies(study)
    options: dict[str, Any] = {}
    if any(p["missing"] == "recent_average" for p in policies.values()):
        t = study.data.transactions
        options["transactions"] = _transaction_frame(study)
        options["transaction_columns"] = {
            "customer": t.customer,
            "date": t.date,
            "amount": t.amount,
        }
    result = clean_customers(
        frame,
        policies=policies,
        id_column=ID,
        name_column=NAME if NAME in frame.columns else None,
        contact_columns=list(pii_columns(study, frame)) if NAME in frame.columns else [],
        **options,
    )
    cleaned = result.cleaned
    if len(cleaned) == 0:
        reasons = result.pending["pending_reason"].astype(str).value_counts().head(3)
        raise InputDataError(
            f"no customer is left to classify: all {len(result.pending)} are pending after "
            f"cleaning (most common reasons: {'; '.join(reasons.index)})"
        )
    criteria = cleaned[names].astype(float)
    bad = criteria.columns[criteria.isna().any()].tolist()
    if bad:
        first = criteria.index[criteria[bad[0]].isna()][0]
        raise ReportError(
            f"criterion {bad[0]!r} still has missing values after cleaning (customer {first!r}); "
            "set cleaning.<criterion>.missing to 'pending' or an imputation"
        )
    inputs = frame.copy()
    inputs.insert(1, STATUS, _status(inputs, result))
    inputs.insert(2, MERGED_INTO, _merged_into(inputs, result))
    if NAME in inputs.columns:
        inputs.insert(1, NAME, inputs.pop(NAME))
    return result, inputs, criteria


def _data_label(study: Study) -> str:
    return ", ".join(p.name for p in study.data.paths)


def _policies(study: Study) -> dict[str, dict[str, Any]]:
    from abclab.study import CleaningPolicy

    default = study.cleaning.get("default", CleaningPolicy())
    return {n: study.cleaning.get(n, default).to_dict() for n in study.criterion_names}


def _status(inputs: pd.DataFrame, result: Any) -> pd.Series:
    """classified / pending / merged for every input row (merged rows by ``input_row``)."""
    status = pd.Series("classified", index=inputs.index, dtype=object)
    status[inputs[ID].isin(result.pending.index)] = "pending"
    merged_rows = result.merged["input_row"].astype(int).to_numpy()
    status.iloc[merged_rows] = "merged"
    return status


def _merged_into(inputs: pd.DataFrame, result: Any) -> pd.Series:
    out = pd.Series(None, index=inputs.index, dtype=object)
    merged = result.merged
    out.iloc[merged["input_row"].astype(int).to_numpy()] = (
        merged["merged_into"].astype(object).to_numpy()
    )
    return out


def _counts(inputs: pd.DataFrame) -> dict[str, int]:
    status = inputs[STATUS]
    counts = {
        "input": len(inputs),
        "classified": int((status == "classified").sum()),
        "pending": int((status == "pending").sum()),
        "merged": int((status == "merged").sum()),
    }
    if counts["input"] != counts["classified"] + counts["pending"] + counts["merged"]:
        raise ReportError(
            f"customer accounting does not balance: input {counts['input']} != classified "
            f"{counts['classified']} + pending {counts['pending']} + merged {counts['merged']}"
        )
    return counts


# --------------------------------------------------------------------------- weights
def _weights(study: Study, criteria: pd.DataFrame) -> tuple[dict[str, Any], Any, pd.Series]:
    spec = study.weights
    names = study.criterion_names
    results: dict[str, Any] = {}
    group = None
    if spec.kind == "ahp":
        from abclab import ahp

        a = spec.ahp
        for expert in a.experts:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # CR > 0.1 is shown in the report, not warned
                results[expert.name] = ahp.weights(
                    expert.matrix, method=a.method, ri_table=a.ri_table
                )
        missing = [c for c in names if c not in results[a.experts[0].name].weights.index]
        if missing:
            raise StudyError(f"weights.ahp: no judgements involve {', '.join(map(repr, missing))}")
        if len(a.experts) > 1:
            matrices = {e.name: e.matrix.reindex(index=names, columns=names) for e in a.experts}
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                group = ahp.group_weights(matrices, method=a.aggregation)
            w = group.weights
        else:
            w = results[a.experts[0].name].weights
    elif spec.kind == "values":
        w = pd.Series(spec.values, dtype=float)
    elif spec.kind == "objective":
        w = _objective(spec.objective, _indicator_scores(study, criteria))
    elif spec.kind == "hierarchy":
        results, w = _hierarchy(spec)
    else:
        w = pd.Series(1.0, index=names)
    w = w.reindex(names).astype(float)
    return results, group, (w / w.sum()).rename("weight")


def _hierarchy(spec: Any) -> tuple[dict[str, Any], pd.Series]:
    from abclab import ahp

    results: dict[str, Any] = {}

    def local(node: Any) -> pd.Series:
        if node.values is not None:
            s = pd.Series(node.values, dtype=float).reindex(list(node.criteria))
            return s / s.sum()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = ahp.weights(node.matrix, method=spec.method, ri_table=spec.ri_table)
        results[f"hierarchy:{node.name}"] = res
        return res.weights

    top = local(spec.top)
    parts = [local(d) * float(top[d.name]) for d in spec.dimensions]
    return results, pd.concat(parts)


def _objective(kind: str, indicator: pd.DataFrame) -> pd.Series:
    from abclab import weighting

    return getattr(weighting, kind)(indicator)


def _indicator_scores(study: Study, criteria: pd.DataFrame) -> pd.DataFrame:
    from abclab import scoring

    equal = pd.Series(1.0 / criteria.shape[1], index=criteria.columns)
    return scoring.score(criteria, equal, criteria=_scoring_spec(study)).indicator_scores


def _scoring_spec(study: Study) -> dict[str, dict[str, Any]]:
    out = {}
    for c in study.criteria:
        spec: dict[str, Any] = {"method": c.normalise, "direction": c.direction}
        if c.bands is not None:
            spec["bands"] = _band_rows(c.bands)
        out[c.name] = spec
    return out


def _band_rows(bands: tuple[tuple[float, float], ...]) -> list[dict[str, Any]]:
    """``[(lower, score), ...]`` ascending -> rows ``lower, upper, score`` (``[lower, upper)``)."""
    rows = []
    for k, (lower, score) in enumerate(bands):
        upper = bands[k + 1][0] if k + 1 < len(bands) else None
        rows.append({"lower": None if np.isinf(lower) else lower, "upper": upper, "score": score})
    return rows


def _weight_comparison(
    study: Study, scores: Any, used: pd.Series, ahp_results: dict, names: list[str]
) -> pd.DataFrame:
    from abclab import weighting

    indicator = scores.indicator_scores
    cols: dict[str, pd.Series] = {}
    if study.weights.kind in ("ahp", "hierarchy"):
        cols["ahp"] = used
    cols["entropy"] = weighting.entropy(indicator)
    cols["critic"] = weighting.critic(indicator)
    cols["equal"] = pd.Series(1.0 / len(names), index=names)
    cols["used"] = used
    out = pd.DataFrame({k: v.reindex(names).astype(float) for k, v in cols.items()})
    out.index.name = "criterion"
    return out


# --------------------------------------------------------------------------- methods
def _default_value(study: Study, weights: pd.Series) -> str:
    for name in ("annual_spend", "total_spend", "spend_12m"):
        if name in weights.index:
            return name
    benefit = [c.name for c in study.criteria if c.direction == "benefit"]
    return str(weights[benefit].idxmax() if benefit else weights.idxmax())


#: Tier of a classified customer that one method cannot place (e.g. no industry growth
#: figure for value × potential) — distinct from "D", pending evaluation after cleaning.
NO_DATA_TIER = "n/a"

#: Methods whose tiers are quadrants of two dimensions rather than one ranking; they are left
#: out of the tier-range ("disputed customers") measure.
_MATRIX_METHODS = ("value_potential", "rfm")


def comparable_tiers(tiers: pd.DataFrame, *, insufficient: str = NO_DATA_TIER) -> pd.DataFrame:
    """Tiers of classified customers ready for agreement and dispute measures.

    A classified customer can still be :data:`NO_DATA_TIER` in one method (ABCD: e.g. no
    industry growth figure for value × potential). That says *no judgement*, not *worst
    tier*, so it becomes missing: agreement is computed over the customers both methods
    placed, and a missing figure does not make a customer "disputed". Unused categories are
    dropped.
    """
    out = {}
    for name, column in tiers.items():
        column = _drop_unused(column)
        if insufficient in column.cat.categories:
            column = column.cat.remove_categories([insufficient])
        out[name] = column
    return pd.DataFrame(out, index=tiers.index)


def value_potential_inputs(results: StudyResults, method: str) -> tuple[pd.Series, pd.Series]:
    """The value and potential series a ``value_potential`` method classified (for charts).

    Parameters
    ----------
    results : StudyResults
    method : str
        Name of a ``value_potential`` method of the study.

    Returns
    -------
    (value, potential) : tuple of pandas.Series
        Indexed by the classified customers; the potential may be missing (tier "D").
    """
    spec = next(m for m in results.study.methods if m.name == method)
    value_name = spec.params.get("value", _default_value(results.study, results.weights))
    potential_name = spec.params.get("potential", "score")
    extra = results.cleaning.cleaned
    value = _value_series(value_name, results.criteria, results.scores, extra)
    potential = _value_series(potential_name, results.criteria, results.scores, extra)
    return value, potential


def _value_series(
    name: str, criteria: pd.DataFrame, scores: Any, extra: pd.DataFrame | None = None
) -> pd.Series:
    """The weighted score, a criterion, or (``extra``) another numeric column of the data.

    Columns outside the criteria (e.g. ``industry_growth`` from the customer master, the
    potential dimension of source 003's value × potential case) may have missing values.
    """
    if name == "score":
        return scores.score
    if name in criteria.columns:
        return criteria[name]
    if extra is None or name not in extra.columns:
        available = sorted({*criteria.columns, *([] if extra is None else extra.columns)})
        raise StudyError(f"column {name!r} not found; available: {available}")
    from abclab.io import parse_business_numbers

    column = extra[name].reindex(criteria.index)
    if not pd.api.types.is_numeric_dtype(column):  # "15%", "1,200万元" ... as in io.read_table
        column, _ = parse_business_numbers(column.astype("str").where(column.notna()), column=name)
    values = pd.to_numeric(column, errors="coerce")
    if values.notna().sum() == 0:
        raise StudyError(f"column {name!r} has no numeric values")
    return values.astype(float)


def _run_method(
    m: MethodSpec,
    study: Study,
    criteria: pd.DataFrame,
    scores: Any,
    weights: pd.Series,
    extra: pd.DataFrame | None = None,
) -> tuple[pd.Series, pd.Series | None]:
    from abclab import classify

    p = dict(m.params)
    cost = [c.name for c in study.criteria if c.direction == "cost"]
    if m.method in ("pareto", "shares", "computed_abc"):
        values = _value_series(p.pop("value", _default_value(study, weights)), criteria, scores)
        options = {k: tuple(v) for k, v in p.items()}
        return getattr(classify, m.method)(values, **options), values
    if m.method == "bands":
        values = _value_series(p.pop("value", "score"), criteria, scores)
        options = {}
        if "bands" in p:
            options["cuts"] = tuple(p["bands"])
        if "labels" in p:
            options["labels"] = tuple(p["labels"])
        return classify.bands(values, **options), values
    if m.method == "weighted_abc":
        options = {"rule": p.pop("how", "shares")}
        options.update({k: tuple(v) for k, v in p.items()})
        tiers = classify.weighted_abc(criteria, weights, criteria=_scoring_spec(study), **options)
        return tiers, scores.score
    if m.method == "value_potential":
        value = _value_series(p.pop("value", _default_value(study, weights)), criteria, scores)
        potential = _value_series(p.pop("potential", "score"), criteria, scores, extra)
        options = {}
        if "threshold" in p:
            options["thresholds"] = (
                p["threshold"] if isinstance(p["threshold"], str) else tuple(p["threshold"])
            )
        known = potential.notna()
        tiers = classify.value_potential(value[known], potential[known], **options)
        if known.all():
            return tiers, None
        # ABCD: customers without a potential value cannot be placed (insufficient data)
        return classify.abcd(tiers.reindex(criteria.index), ~known, label=NO_DATA_TIER), None
    if m.method == "rfm":
        frame = classify.rfm(
            criteria[p.get("recency", "recency_days")],
            criteria[p.get("frequency", "purchase_count")],
            criteria[p.get("monetary", _default_value(study, weights))],
            bins=int(p.get("bins", 5)),
        )
        return frame["segment"], frame["rfm_score"].astype(float)
    if m.method in _SCORE_METHODS:
        from abclab import mcabc

        how = p.pop("how", "shares")
        rule = {k: tuple(p.pop(k)) for k in ("shares", "cutoffs") if k in p}
        fn = getattr(mcabc, m.method)
        if m.method in ("topsis", "edas"):
            s = fn(criteria, weights, cost=cost)
        elif m.method in ("ng", "ramanathan"):
            # Criteria in importance order (w_1 >= w_2 >= ... as in Ramanathan 2006 and
            # Ng 2007); by default the order of the study's weights.
            s = fn(
                criteria,
                order=p.get("order", list(weights.sort_values(ascending=False).index)),
                cost=cost,
            )
        elif m.method == "zhou_fan":
            s = fn(criteria, lam=float(p.get("lam", 0.5)), cost=cost)
        else:
            s = fn(criteria, cost=cost)
        return getattr(classify, how)(s, **rule), s
    if m.method in _CLUSTER_METHODS:
        from abclab.clustering import cluster_tiers

        options = {"k": p.get("k")}
        if "k_range" in p:
            options["k_range"] = tuple(p["k_range"])
        # silhouette=False: no silhouette for the final k (O(n²) on a 10 000-row subsample,
        # ~3-5 s) since no result shows it; a k_range still chooses k by silhouette
        tiers = cluster_tiers(
            scores.indicator_scores,
            method=m.method,
            seed=study.seed,
            weights=weights,
            silhouette=False,
            **options,
        )
        return tiers, None
    raise StudyError(f"methods: unknown method {m.method!r}")  # pragma: no cover - validated


#: Tier of customers pending evaluation when a method's tiers are words, per report language.
PENDING_WORD = {"en": "pending", "zh": "待评估"}


def _with_pending(tiers: pd.Series, pending: list[Any], *, word: str = "pending") -> pd.Series:
    """Append pending customers with tier "D" (``word`` for word labels), worst category."""
    if not isinstance(tiers.dtype, pd.CategoricalDtype):
        tiers = tiers.astype("category")
    cats = [str(c) for c in tiers.cat.categories]
    label = "D" if all(len(c) == 1 for c in cats) else word
    cats = cats + [label] if label not in cats else cats
    # category codes carry over (categories keep their order, as text); missing stays -1
    codes = np.concatenate(
        [np.asarray(tiers.cat.codes, dtype=np.int64), np.full(len(pending), cats.index(label))]
    )
    index = list(tiers.index) + list(pending)
    cat = pd.Categorical.from_codes(codes, categories=cats, ordered=True)
    out = pd.Series(cat, index=pd.Index(index, name=ID), name=tiers.name)
    out.attrs = dict(tiers.attrs)
    return out


def _drop_unused(s: pd.Series) -> pd.Series:
    return s.cat.remove_unused_categories()


# --------------------------------------------------------------------------- comparison
def _margin(criteria: pd.DataFrame) -> pd.Series | None:
    for name in ("margin", "profit_margin"):
        if name in criteria.columns:
            return criteria[name]
    return None


def _summaries(
    study: Study, criteria: pd.DataFrame, tiers: pd.DataFrame, strategies: pd.DataFrame
) -> dict[str, pd.DataFrame]:
    from abclab import compare

    value_name = _default_value(study, pd.Series(1.0, index=criteria.columns))
    value = criteria[value_name].clip(lower=0)
    out = {}
    for m in study.methods:
        t = _drop_unused(tiers[m.name].loc[criteria.index])
        strat = strategies["strategy"].to_dict() if m.name == study.recommended else None
        out[m.name] = compare.summary_table(
            t, value=value, margin=_margin(criteria), strategies=strat, language=study.language
        )
    return out


def _strategies(study: Study, tiers: pd.Series, notes: list[str]) -> pd.DataFrame:
    """Tier -> name and strategy (abclab.strategy defaults, overridden by the study).

    The scheme follows the recommended method: ``bands`` for score bands, ``value_potential``
    for the value x potential matrix, ``abc_accounts`` otherwise (source 003's strategies for
    existing accounts; source 004's D for pending). Columns ``key, name, strategy,
    count`` indexed by tier; ``tiers.labels`` of the study replace the names.
    """
    from abclab import strategy

    method = {m.name: m.method for m in study.methods}[study.recommended]
    scheme = method if method in ("bands", "value_potential") else "abc_accounts"
    overrides = study.tiers.strategies
    tiers = _drop_unused(tiers)
    cats = [str(c) for c in tiers.cat.categories]
    words = ("D", *PENDING_WORD.values())
    extra = [c for c in words if c in cats and scheme != "abc_accounts"]
    main = tiers[~tiers.astype(object).isin(extra)].cat.remove_categories(extra) if extra else tiers
    table = strategy.strategy_table(
        main,
        scheme=scheme,
        language=study.language,
        overrides={k: v for k, v in overrides.items() if k not in extra},
    )
    if extra:
        pending = strategy.strategy_table(
            pd.Series(pd.Categorical(["D"], categories=["A", "B", "C", "D"], ordered=True)),
            scheme="abc_accounts",
            language=study.language,
        ).iloc[[-1]]
        pending = pending.assign(tier=extra[0], count=int((tiers.astype(object) == extra[0]).sum()))
        if extra[0] in overrides:
            pending = pending.assign(strategy=overrides[extra[0]])
        table = pd.concat([table, pending], ignore_index=True)
    table = table.set_index("tier")
    if study.tiers.labels:
        table["name"] = [
            study.tiers.labels.get(t, n) for t, n in zip(table.index, table["name"], strict=True)
        ]
    return table


def _sensitivity(study: Study, scores: Any, weights: pd.Series, notes: list[str]) -> Any:
    """Dirichlet Monte Carlo of the weights around ``weights`` (abclab.sensitivity)."""
    from abclab import sensitivity

    spec = study.sensitivity
    by_name = {m.name: m for m in study.methods}
    wanted = spec.method or study.recommended
    method = by_name[wanted]
    if method.method not in ("weighted_abc", "bands"):
        fallback = [m for m in study.methods if m.method in ("weighted_abc", "bands")]
        if not fallback:
            notes.append(
                f"sensitivity: method {wanted!r} does not use the weights; "
                "tested the weighted score with 20/30/50 % shares instead"
            )
            method = MethodSpec(name="weighted_abc", method="weighted_abc", params={})
        else:
            method = fallback[0]
            notes.append(
                f"sensitivity: {wanted!r} does not use the weights; tested {method.name!r}"
            )
    p = method.params
    options: dict[str, Any] = {}
    if method.method == "bands":
        options["rule"] = "bands"
        if "bands" in p:
            options["cuts"] = tuple(p["bands"])
        if "labels" in p:
            options["labels"] = tuple(p["labels"])
    else:
        options["rule"] = p.get("how", "shares")
        for key in ("shares", "cutoffs"):
            if key in p:
                options[key] = tuple(p[key])
    if spec.spread is not None:
        options.update(scheme="uniform", spread=spec.spread)
    else:
        options["concentration"] = spec.concentration
    result = sensitivity.weight_monte_carlo(
        scores.indicator_scores, weights, draws=spec.draws, seed=study.seed, **options
    )
    return result


def _migration(study: Study, current: pd.Series) -> pd.DataFrame:
    from abclab import dynamics
    from abclab.io import read_table

    prev = study.data.previous
    options = {"sheet": prev.sheet} if prev.sheet is not None else {}
    frame = read_table(prev.path, **options)
    id_col = prev.id_column or study.id_column or ID
    for col in (id_col, prev.tier_column):
        if col not in frame.columns:
            raise StudyError(
                f"data.previous: column {col!r} not in {prev.path.name} "
                f"(columns: {', '.join(map(str, frame.columns))})"
            )
    previous = pd.Series(frame[prev.tier_column].astype(str).to_numpy(), index=_ids(frame[id_col]))
    return dynamics.migration_matrix(previous, current.astype(str))


# --------------------------------------------------------------------------- display
def _display_names(study: Study, inputs: pd.DataFrame) -> pd.Series:
    kept = inputs[inputs[STATUS] != "merged"]
    ids = kept[ID]
    if NAME in kept.columns and (study.pii is None or study.name_column not in study.pii):
        names = kept[NAME].astype(object).where(kept[NAME].notna(), ids)
    else:
        names = ids
    return pd.Series(names.to_numpy(), index=pd.Index(ids.to_numpy(), name=ID), name=NAME)


def pii_columns(study: Study, frame: pd.DataFrame) -> dict[str, str]:
    """Contact columns to mask: the study's ``pii`` list, else phone/e-mail detection."""
    from abclab.report._masking import detect_pii_columns

    detected = detect_pii_columns(frame)
    if study.pii is None:
        return dict(detected)
    return {c: detected.get(c, "phone") for c in study.pii if c in frame.columns}


def customer_table(results: StudyResults) -> pd.DataFrame:
    """Every input row once: id, name, status, contact columns masked, criteria, score, tiers.

    Columns: ``customer_id``, ``name`` (if any), ``status``, ``merged_into``, the other client
    columns (PII masked), the raw criteria, ``score``, then ``tier_<method>`` and
    ``score_<method>`` for every method.
    """
    from abclab.report._masking import mask_frame

    inputs = results.input_customers
    out = mask_frame(inputs, columns=pii_columns(results.study, inputs))
    ids = inputs[ID]
    kept = (inputs[STATUS] != "merged").to_numpy()
    score = results.scores.score
    out["score"] = _lookup(ids, score.index, score.to_numpy(dtype=float), np.nan)
    # one id lookup per table (not per method); -1 = id not in the table
    tier_rows = results.tiers.index.get_indexer(ids)
    score_rows = results.method_scores.index.get_indexer(ids)
    for m in results.tiers.columns:
        tier = results.tiers[m].astype(object).to_numpy()
        out[f"tier_{m}"] = _take(tier, np.where(kept, tier_rows, -1), None)
        if m in results.method_scores.columns:
            values = results.method_scores[m].to_numpy(dtype=float)
            out[f"score_{m}"] = _take(values, score_rows, np.nan)
    return out


def _lookup(ids: pd.Series, index: pd.Index, values: np.ndarray, missing: Any) -> np.ndarray:
    """``values`` of ``index`` looked up by ``ids`` (``missing`` where absent), as ``Series.map``."""
    return _take(values, index.get_indexer(ids), missing)


def _take(values: np.ndarray, rows: np.ndarray, missing: Any) -> np.ndarray:
    out = values[np.maximum(rows, 0)] if len(values) else np.full(len(rows), missing)
    if (rows < 0).any():
        out = out.astype(object) if missing is None else out.copy()
        out[rows < 0] = missing
    return out
