"""What the workbook's cells hold: number formats per column, money units in headers,
numbers written as text, the returns total row, the study as dotted key / value."""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from abclab.report._format import Kind, MoneyUnit, excel_format
from abclab.report._i18n import text
from abclab.report._provenance import file_sha256, package_versions

#: A number written as text (no leading zeros: ids and codes keep theirs).
_PLAIN_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]{0,11})(?:\.[0-9]+)?")
#: Rules of the reader that mark a criterion as money.
_MONEY_RULES = {"currency", "wan", "yi"}


def _money_criteria(conversions: pd.DataFrame | None) -> set[str]:
    """Criteria the reader parsed with a currency or 万元/亿 rule (money whatever the name)."""
    if conversions is None or len(conversions) == 0 or "rule" not in conversions:
        return set()
    hits = conversions[conversions["rule"].isin(_MONEY_RULES)]
    return set(hits["column"].astype(str))


def _excel_format(name: object, series: pd.Series, kind: Kind, unit: MoneyUnit) -> str | None:
    """Number format of a column: the kind's format; scores above 100 (a method's score in
    money) with thousands separators; row numbers and years without."""
    if kind == "text":
        if pd.api.types.is_bool_dtype(series.dtype):
            return None
        stamps = [v for v in series.head(1000).tolist() if isinstance(v, _dt.date)]
        return excel_format("date") if stamps else None
    if kind == "date":
        values = series.dropna()
        midnight = bool((values == values.dt.normalize()).all()) if len(values) else True
        return excel_format("date") if midnight else "yyyy-mm-dd hh:mm"
    if str(name) in ("row", "input_row"):
        return "0"
    x = series.to_numpy(dtype=float, na_value=np.nan) if len(series) else np.zeros(0)
    finite = x[np.isfinite(x)]
    top = float(np.abs(finite).max()) if finite.size else 0.0
    if kind == "score" and top > 100:
        return "#,##0.00"
    if kind == "score" and top <= 10:
        return "0.000"
    if kind == "count" and finite.size and not np.all(finite == np.round(finite)):
        return "#,##0.00"
    if kind == "ratio" and top >= 1000:
        return "#,##0.00"
    if kind == "money":
        return excel_format("money", unit=unit, decimals=2 if top < 1000 else None)
    return excel_format(kind, unit=unit)


def _with_unit(label: str, unit: str, language: str) -> str:
    """``年消费额(元)`` -> ``年消费额(万元)``; a label without a unit gets one."""
    for plain in ("(元)", "（元）"):
        if label.endswith(plain):
            return label[: -len(plain)] + f"({unit})"
    if unit in label:
        return label
    return text("xl.unit", language, label=label, unit=unit)


def _numbers_from_text(series: pd.Series) -> pd.Series:
    """Values of a mixed column that are plain numbers written as text, as numbers."""
    out = series.astype(object).copy()
    for i, v in enumerate(out.tolist()):
        if isinstance(v, str) and _PLAIN_NUMBER.fullmatch(v.strip()):
            out.iat[i] = float(v)
    return out


def _returns_table(returns: Any, total_label: str) -> pd.DataFrame:
    """Returns per customer, then a total row."""
    per = returns.per_customer.reset_index()
    first = per.columns[0]
    total = {first: total_label}
    for c in per.columns[1:]:
        if c in returns.total.index:
            total[c] = returns.total[c]
    return pd.concat([per, pd.DataFrame([total])], ignore_index=True).astype(
        {c: per[c].dtype for c in per.columns[1:] if pd.api.types.is_float_dtype(per[c].dtype)}
    )


def _parameters(results: Any) -> pd.DataFrame:
    """The study as dotted key / value. ``audience: client`` shows data files by name only;
    ``analyst`` adds each data file's full path and SHA-256 and the package versions."""
    study = results.study
    analyst = getattr(study, "audience", "client") == "analyst"
    rows = [
        (k, Path(v).name if k.endswith(".path") and isinstance(v, str) and not analyst else v)
        for k, v in _flatten(study.to_dict())
    ]
    rows.append(("recommended", results.recommended))
    rows.append(("seed", study.seed))
    for key, value in results.counts.items():
        rows.append((f"counts.{key}", value))
    if analyst:
        for i, p in enumerate(results.data_files):
            rows.append((f"provenance.data_files[{i}].path", str(Path(p).resolve())))
            rows.append((f"provenance.data_files[{i}].sha256", file_sha256(p)))
        for name, version in package_versions().items():
            rows.append((f"provenance.packages.{name}", version))
    frame = pd.DataFrame(rows, columns=["key", "value"]).drop_duplicates("key", keep="first")
    frame["value"] = frame["value"].astype(object)
    return frame.reset_index(drop=True)


def _flatten(value: Any, prefix: str = "") -> Iterable[tuple[str, Any]]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _flatten(v, f"{prefix}.{k}" if prefix else str(k))
    elif isinstance(value, list) and any(isinstance(v, dict | list) for v in value):
        for i, v in enumerate(value):
            yield from _flatten(v, f"{prefix}[{i}]")
    elif isinstance(value, list):
        yield prefix, ", ".join(str(v) for v in value)
    else:
        yield prefix, value
