"""Excel workbook of a study's results (openpyxl), in the report's language.

Sheets (en names; zh names from :mod:`abclab.report._i18n`, ids ``xl.sheet.*``):
``Customers`` (one row per input row, built by :mod:`abclab.report._excel_customers`: the
recommended tier and its name, strategy, stability, flags, the criteria, then the other
methods and the client's columns, contacts masked), ``Summary`` (one table per method),
``AHP`` (each expert's matrix with judgements shown as fractions, weights, λmax, CI, CR with
the Random Index table named, group weights), ``Weights``, ``Cleaning log``, ``Parameters``
(the study as dotted key / value), ``Agreement`` (pairwise agreement, disputed customers),
``Strategies``, plus ``Sensitivity``, ``Migration``, ``Triggers`` and ``Back-test`` (the
customer base: :mod:`abclab.report._excel_customer_base`), ``Unmatched ids`` (log customers missing
from the customer table), ``Flagged lines`` (invoice lines that look like keying errors),
``Duplicates to review``, ``Returns`` and ``Rows set aside`` (file rows that are no records)
when the study has them.

Every table sheet is an Excel table with a frozen header and print set-up; headers are in
the report's language (criteria take the study's labels); numbers are typed cells with the
number format of their kind (:mod:`abclab.report._format`: money in the data's unit — 万元 for
a zh report whose input was in 万元, values then shown divided by 10 000 under a header naming
the unit —, percentages, counts, ratios, dates without a time of day); formula-like text is
kept as text in every sheet (:mod:`abclab.report._xlsx`).

The file is deterministic: the same results give byte-identical files. The document
properties (created / modified) are set to a fixed time taken from the study (the
transactions' ``as_of`` date, else 1980-01-01), and the zip entries carry that time too.
"""

from __future__ import annotations

import datetime as _dt
import io
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook

from abclab.pipeline import pii_columns
from abclab.privacy import mask_cleaning_log
from abclab.report._excel_cells import (
    _excel_format,
    _money_criteria,
    _numbers_from_text,
    _parameters,
    _returns_table,
    _with_unit,
)
from abclab.report._excel_customer_base import KINDS as BASE_KINDS
from abclab.report._excel_customer_base import trigger_sheet, write_back_test
from abclab.report._excel_customers import manager_table
from abclab.report._format import (
    WAN,
    YUAN,
    Kind,
    MoneyUnit,
    column_kind,
    excel_judgement_format,
    money_unit,
)
from abclab.report._i18n import (
    MESSAGES,
    ahp_method_name,
    criterion_labels,
    display_name,
    expert_name,
    text,
)
from abclab.report._reasons import log_reasons
from abclab.report._xlsx import (
    _BOLD,
    _TITLE,
    _Body,
    _print_setup,
    _put,
    _table_sheet,
    _widths,
    _write_frame,
    _write_package,
)

__all__ = ["cleaning_log", "write_workbook", "workbook_time"]


def workbook_time(results: Any) -> _dt.datetime:
    """The fixed document time of a study's workbook (``as_of`` of the data, else 1980-01-01)."""
    t = results.study.data.transactions
    if t is not None and t.as_of is not None:
        ts = pd.Timestamp(t.as_of)
        return _dt.datetime(ts.year, ts.month, ts.day)
    return _dt.datetime(1980, 1, 1)


def write_workbook(results: Any, path: str | Path) -> Path:
    """Write the results workbook.

    Parameters
    ----------
    results : abclab.pipeline.StudyResults
    path : str or Path
        Target ``.xlsx`` (parent directories are created).

    Returns
    -------
    Path
        The file written.
    """
    path = Path(path)
    book = _Book(results)
    book.build()
    stamp = workbook_time(results)
    wb = book.wb
    wb.properties.creator = "abclab"
    wb.properties.title = str(results.study.name)
    wb.properties.created = stamp
    wb.properties.modified = stamp
    buffer = io.BytesIO()
    wb.save(buffer)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    try:
        with partial.open("wb") as target:
            _write_package(buffer.getvalue(), target, stamp, book.bodies)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def cleaning_log(results: Any) -> pd.DataFrame:
    """The study's cleaning log as a report shows it: contact values masked.

    A duplicate record that fills a missing phone or e-mail (``duplicate_fill``) or differs
    from it (``duplicate_conflict``) puts the contact itself into ``old_value`` /
    ``new_value``. Rows whose ``column`` is a contact column of the input table (as
    :func:`abclab.pipeline.pii_columns` decides: the study's ``pii`` list, else detection) get
    both values masked with :func:`abclab.report.mask_phone` / :func:`~abclab.report.mask_email`.
    Only the logged columns are examined, so the input table is not scanned again.
    """
    log = getattr(results.cleaning, "log", None)
    if log is None:
        return pd.DataFrame()
    if len(log) == 0 or "column" not in log.columns:
        return log
    inputs = results.input_customers
    logged = set(log["column"].dropna().tolist())
    subset = inputs[[c for c in inputs.columns if c in logged]]
    return mask_cleaning_log(log, pii_columns(results.study, subset))


# --------------------------------------------------------------------------- the book
class _Book:
    """The workbook being built: sheets, streamed bodies, language, money unit, headers."""

    def __init__(self, results: Any) -> None:
        self.results = results
        self.language = str(results.study.language)
        self.wb = Workbook()
        self.wb.remove(self.wb.active)
        self.bodies: dict[str, _Body] = {}
        conversions = getattr(results.data, "conversions", None)
        self.money = _money_criteria(conversions)
        self.unit: MoneyUnit = YUAN
        if self.money and conversions is not None:
            of_money = conversions[conversions["column"].astype(str).isin(self.money)]
            self.unit = money_unit(of_money, None, language=self.language)
        self.labels = {c.name: c.label for c in results.study.criteria if c.label}
        self.methods = {
            m: display_name("method", getattr(results.study.method(m), "method", m), self.language)
            for m in results.tiers.columns
        }

    # ----------------------------------------------------------------- helpers
    def t(self, key: str, **values: object) -> str:
        return text(key, self.language, **values)

    def sheet_name(self, key: str) -> str:
        return self.t(f"xl.sheet.{key}")

    def header(self, name: object, kind: Kind) -> str:
        """Header text of a column in the report's language (money columns name the unit)."""
        key = str(name)
        messages = MESSAGES[self.language]  # type: ignore[index]
        if key in self.labels:
            label = self.labels[key]
        elif key.startswith("tier_") and key[5:] in self.methods:
            label = self.methods[key[5:]]
        elif key.startswith("score_") and key[6:] in self.methods:
            label = self.t("xl.col.method_score", method=self.methods[key[6:]])
        elif key in self.methods:
            label = self.methods[key]
        elif f"xl.col.{key}" in messages:
            label = messages[f"xl.col.{key}"]
        elif f"col.{key}" in messages:
            label = messages[f"col.{key}"]
        elif self.language == "en" and key.isascii() and key.replace("_", "").islower():
            label = key.replace("_", " ").capitalize()
        else:
            label = key
        if kind == "money" and self.unit is WAN:
            label = _with_unit(label, self.unit.label, self.language)
        return label

    def kind(self, name: object, series: pd.Series) -> Kind:
        return column_kind(name, series, money=self.money)

    def prepare(
        self, frame: pd.DataFrame, kinds: dict[str, Kind] | None = None
    ) -> tuple[pd.DataFrame, list[str], list[str | None]]:
        """Frame (money scaled to the unit), headers and number formats of a table
        (``kinds`` overrides the kind :func:`column_kind` gives a column)."""
        frame = frame.copy()
        headers: list[str] = []
        formats: list[str | None] = []
        for j, name in enumerate(frame.columns):
            series = frame.iloc[:, j]
            if isinstance(series.dtype, pd.CategoricalDtype):
                series = series.astype(object)
                frame.isetitem(j, series)
            if self.language != "en":
                series = self._localised_values(series)
                frame.isetitem(j, series)
            kind = (kinds or {}).get(str(name)) or self.kind(name, series)
            if kind == "money" and self.unit.scale != 1.0:
                frame.isetitem(j, series.astype(float) / self.unit.scale)
            headers.append(self.header(name, kind))
            formats.append(_excel_format(name, series, kind, self.unit))
        return frame, headers, formats

    def _localised_values(self, series: pd.Series) -> pd.Series:
        """True/false as 是/否 and the "n/a" tier as 不适用 (a zh workbook shows no English)."""
        if pd.api.types.is_bool_dtype(series.dtype):
            yes, no = self.t("xl.yes"), self.t("xl.no")
            return series.astype(object).map({True: yes, False: no}).astype(object)
        if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
            if series.astype(object).isin(["n/a"]).any():
                return series.astype(object).replace({"n/a": self.t("xl.na")})
        return series

    def table(
        self,
        key: str,
        frame: pd.DataFrame,
        *,
        freeze: str | None = None,
        kinds: dict[str, Kind] | None = None,
    ) -> None:
        prepared, headers, formats = self.prepare(frame, kinds)
        _table_sheet(self.wb, self.bodies, self.sheet_name(key), prepared, headers=headers,
                     formats=formats, freeze=freeze, empty=self.t("xl.none"),
                     table_name=key)  # fmt: skip

    def criterion_values(self, series: pd.Series) -> pd.Series:
        """Criterion names in a column shown by the study's labels."""
        return series.map(lambda v: self.labels.get(v, v) if isinstance(v, str) else v)

    def block(self, ws: Any, frame: pd.DataFrame, *, row: int) -> int:
        prepared, headers, formats = self.prepare(frame)
        return _write_frame(ws, prepared, row=row, col=1, headers=headers, formats=formats)

    def _yes_no(self, value: bool) -> Any:
        return value if self.language == "en" else self.t("xl.yes" if value else "xl.no")

    # ----------------------------------------------------------------- sheets
    def build(self) -> None:
        r = self.results
        customers = manager_table(r, self.language)
        base_kinds = {c: k for c, k in BASE_KINDS.items() if c in customers}
        self.table("customers", customers, freeze="C2" if "name" in customers else "B2",
                   kinds=base_kinds)  # fmt: skip
        self._summary()
        self._ahp()
        weights = r.weight_comparison.reset_index()
        weights.iloc[:, 0] = self.criterion_values(weights.iloc[:, 0].astype(object))
        numeric = [c for c in weights.columns[1:] if pd.api.types.is_float_dtype(weights[c])]
        self.table("weights", weights, kinds=dict.fromkeys(map(str, numeric), "percent"))
        log = _ascii_rules(cleaning_log(r), self.language)
        if "reason_code" in log:
            log["reason"] = log_reasons(log, self.language, labels=criterion_labels(r))
            log = log.drop(columns=["reason_code", "reason_values"])
        if "new_value" in log and len(log):  # the pending label the cleaning wrote
            label = r.cleaning.pending["status"].iloc[0] if len(r.cleaning.pending) else None
            if label is not None:
                log["new_value"] = log["new_value"].replace({label: self.t("word.pending")})
        if "column" in log:
            log["column"] = self.criterion_values(log["column"].astype(object))
        for c in ("old_value", "new_value"):
            if c in log:
                log[c] = _numbers_from_text(log[c])
        self.table("cleaning_log", log)
        self.table("parameters", _parameters(r))
        self._agreement()
        strategies = r.strategies.reset_index(drop=True)
        self.table("strategies", strategies.rename(columns={"key": "tier"}))
        if r.sensitivity is not None:
            self.table("sensitivity", r.sensitivity.per_customer.reset_index())
        if r.migration is not None:
            self.table("migration", r.migration.reset_index())
        if r.customer_base is not None:
            self.table("triggers", trigger_sheet(r, self.language), kinds=BASE_KINDS)
            write_back_test(self, r)
        for key, frame in self._client_exports():
            self.table(key, frame)

    def _client_exports(self) -> list[tuple[str, pd.DataFrame]]:
        """Sheets of what the client's files need checked, when there is something to show."""
        r = self.results
        out = []
        if len(r.data.unmatched):
            out.append(("unmatched", r.data.unmatched.reset_index(drop=True)))
        if len(r.clean.flagged_lines):
            lines = r.clean.flagged_lines.reset_index(drop=True)
            if "reason_code" in lines:
                lines["reason"] = log_reasons(lines, self.language)
                lines = lines.drop(columns=["reason_code", "reason_values"])
            out.append(("flagged_lines", lines))
        review = getattr(r.cleaning, "review", pd.DataFrame())
        if len(review):
            out.append(("review", review.reset_index(drop=True)))
        returns = r.data.returns
        if returns is not None and len(returns.per_customer):
            out.append(("returns", _returns_table(returns, self.t("xl.total"))))
        if len(r.data.set_aside):
            aside = r.data.set_aside.copy()
            aside["kind"] = aside["kind"].map(lambda k: _maybe(self, f"xl.kind.{k}", k))
            out.append(("set_aside", aside.reset_index(drop=True)))
        return out

    def _summary(self) -> None:
        r = self.results
        ws = self.wb.create_sheet(self.sheet_name("summary"))
        row = 1
        for method, table in r.summaries.items():
            title = self.methods.get(method, method)
            if method == r.recommended:
                title = self.t("xl.recommended", method=title)
            _put(ws, row, 1, title).font = _TITLE
            frame = table.reset_index(drop=table.index.name is None)
            row = self.block(ws, frame, row=row + 1) + 2
        ws.freeze_panes = "A2"
        _print_setup(ws, title_rows=None)
        _widths(ws)

    def _ahp(self) -> None:
        r = self.results
        ws = self.wb.create_sheet(self.sheet_name("ahp"))
        blocks = [
            (self.t("xl.expert", expert=expert_name(name, self.language)), res)
            for name, res in r.ahp.items()
        ]
        if r.ahp_group is not None:
            method = ahp_method_name(r.ahp_group.method, self.language)
            blocks.append((self.t("xl.group", method=method), r.ahp_group))
        if not blocks:
            _put(ws, 1, 1, self.t("xl.no_ahp", kind=r.study.weights.kind))
            return
        row = 1
        for title, res in blocks:
            _put(ws, row, 1, title).font = _TITLE
            names = [str(i) for i in res.matrix.index]
            shown = [self.labels.get(n, n) for n in names]
            headers = [self.header("criterion", "text"), *shown, self.header("weight", "percent")]
            _write_frame(ws, pd.DataFrame(columns=headers), row=row + 1, col=1)
            weights = res.weights.reindex(res.matrix.index).to_numpy(dtype=float)
            matrix = res.matrix.to_numpy(dtype=float)
            for i, label in enumerate(shown):
                r_i = row + 2 + i
                _put(ws, r_i, 1, label).font = _BOLD
                for j in range(len(names)):
                    cell = _put(ws, r_i, 2 + j, float(matrix[i, j]))
                    cell.number_format = excel_judgement_format(matrix[i, j])
                _put(ws, r_i, 2 + len(names), float(weights[i])).number_format = "0.0%"
            row = row + 2 + len(names)
            stats: list[tuple[str, Any, str | None]] = [
                ("xl.ahp.method", ahp_method_name(res.method, self.language), None),
                ("xl.ahp.lambda_max", float(res.lambda_max), "0.000"),
                ("xl.ahp.ci", float(res.ci), "0.000"),
                ("xl.ahp.ri", float(res.ri), "0.00"),
                ("xl.ahp.ri_table", display_name("ri", res.ri_table, self.language), None),
                ("xl.ahp.cr", float(res.cr), "0.000"),
                ("xl.ahp.consistent", self._yes_no(bool(res.consistent)), None),
                ("xl.ahp.threshold", float(res.threshold), "0.00"),
            ]
            for key, value, number_format in stats:
                _put(ws, row, 1, self.t(key)).font = _BOLD
                cell = _put(ws, row, 2, value)
                if number_format:
                    cell.number_format = number_format
                row += 1
            row += 1
        _print_setup(ws, title_rows=None)
        _widths(ws)

    def _agreement(self) -> None:
        r = self.results
        ws = self.wb.create_sheet(self.sheet_name("agreement"))
        if r.agreement is None:
            _put(ws, 1, 1, self.t("xl.one_method"))
            return
        _put(ws, 1, 1, self.t("xl.pairwise")).font = _TITLE
        pairs = r.agreement.to_frame()
        for c in ("method_a", "method_b"):
            if c in pairs:
                pairs[c] = pairs[c].map(lambda m: self.methods.get(m, m))
        row = self.block(ws, pairs, row=2) + 2
        _put(ws, row, 1, self.t("xl.disputed")).font = _TITLE
        disputed = r.disputed.reset_index()
        self.block(ws, disputed.rename(columns=self.methods), row=row + 1)
        ws.freeze_panes = "A3"
        _print_setup(ws, title_rows=None)
        _widths(ws)


# --------------------------------------------------------------------------- helpers
def _maybe(book: _Book, key: str, default: Any) -> Any:
    try:
        return book.t(key)
    except KeyError:
        return default


def _ascii_rules(log: pd.DataFrame, language: str) -> pd.DataFrame:
    """The cleaning log with rule names shown by their display names."""
    if len(log) == 0 or "rule" not in log:
        return log.reset_index(drop=True)
    out = log.reset_index(drop=True).copy()
    out["rule"] = out["rule"].map(lambda r: display_name("rule", r, language))
    return out
