"""The ``abclab`` command line: ``report``, ``validate``, ``schema``, ``init``, ``ahp``, ``classify``.

Exit codes: 0 success; 2 bad input (any :class:`~abclab.exceptions.AbclabError`, a missing
file, malformed YAML/JSON/CSV), reported as one line ``abclab: error: <reason>`` on stderr
without a traceback; 1 an unexpected internal error (one line plus a hint to rerun with
``--debug``, which shows the traceback in both cases).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import traceback
import warnings
from collections.abc import Callable, Sequence
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import pandas as pd
import yaml

from abclab import ahp, classify, datasets
from abclab.config import load_study, study_from_dict, study_json_schema
from abclab.config._yaml import load_yaml
from abclab.exceptions import (
    AbclabError,
    InconsistentJudgementWarning,
    InputDataError,
    JudgementError,
    StudyError,
)
from abclab.io import read_table
from abclab.pipeline.check import check_data

__all__ = ["main", "build_parser", "ProgressPrinter"]

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_BAD_INPUT = 2

_REPORT_FORMATS = ("html", "pdf", "xlsx")
_CLASSIFY_METHODS = ("pareto", "shares", "computed_abc")


class ProgressPrinter:
    """Progress display: one line per step, ``[  1.2s] step``, elapsed since start.

    Parameters
    ----------
    stream : file-like
        Where lines go (stderr by default, so stdout stays clean for piping).
    clock : callable
        Monotonic clock (injectable for tests).
    quiet : bool, optional
        Print nothing; default: quiet unless ``stream`` is a terminal (logs and pipes stay
        clean).
    """

    def __init__(
        self,
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.perf_counter,
        *,
        quiet: bool | None = None,
    ):
        self._stream = stream if stream is not None else sys.stderr
        self._clock = clock
        self._start = clock()
        if quiet is None:
            isatty = getattr(self._stream, "isatty", None)
            quiet = not (callable(isatty) and isatty())
        self.quiet = quiet

    def __call__(self, step: str) -> None:
        if self.quiet:
            return
        elapsed = self._clock() - self._start
        print(f"[{elapsed:6.1f}s] {step}", file=self._stream, flush=True)


# --------------------------------------------------------------------------- sub-commands
def _cmd_report(args: argparse.Namespace) -> int:
    from abclab.report import run_report  # deferred: papermill and nbconvert are heavy

    formats = _parse_formats(args.format)
    progress = ProgressPrinter()
    progress(f"study {args.study}")
    study = load_study(args.study)  # fail fast with the study's own message, before a kernel
    for path in study.data.paths:
        if not path.is_file():
            raise InputDataError(f"{args.study}: data file not found: {path}")
    check = check_data(study)  # columns named by the study, before a kernel starts
    if not check.ok:
        name = Path(args.study).name
        raise StudyError("\n".join(f"{name}: {problem}" for problem in check.problems))
    options = {"debug": True} if getattr(args, "debug", False) else {}
    outputs = run_report(study, args.out, formats=formats, progress=progress, **options)
    progress("done")
    for item in _as_paths(outputs):
        print(item)
    return EXIT_OK


def _cmd_validate(args: argparse.Namespace) -> int:
    study = load_study(args.study)
    check = check_data(study)
    if not check.ok:
        name = Path(args.study).name
        raise StudyError("\n".join(f"{name}: {problem}" for problem in check.problems))
    methods = ", ".join(study.method_names)
    counted = (f"{check.customers} customers in the data" if check.customers is not None
               else "customers counted by Spark at run time")  # fmt: skip
    print(f"{args.study}: valid; {len(study.criteria)} criteria, methods {methods}; {counted}")
    return EXIT_OK


def _cmd_schema(args: argparse.Namespace) -> int:
    print(json.dumps(study_json_schema(), indent=2, ensure_ascii=False))
    return EXIT_OK


def _parse_formats(text: str) -> tuple[str, ...]:
    formats = tuple(f.strip().lower() for f in text.split(",") if f.strip())
    bad = [f for f in formats if f not in _REPORT_FORMATS]
    if bad or not formats:
        raise AbclabError(
            f"--format: expected a comma-separated subset of {','.join(_REPORT_FORMATS)}, got {text!r}"
        )
    return formats


def _as_paths(outputs: Any) -> list[str]:
    if outputs is None:
        return []
    if isinstance(outputs, dict):
        return [str(v) for v in outputs.values()]
    if isinstance(outputs, str | Path):
        return [str(outputs)]
    paths = getattr(outputs, "paths", None)
    if paths is not None:
        return _as_paths(paths)
    try:
        return [str(p) for p in outputs]
    except TypeError:
        return [str(outputs)]


def _cmd_init(args: argparse.Namespace) -> int:
    target = Path(args.path)
    if target.is_dir():
        target = target / "study.yaml"
    if target.exists() and not args.force:
        raise AbclabError(f"{target}: already exists; pass --force to overwrite it")
    text = example_study_text()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    written = [target]
    if not args.no_data:
        written += _write_demo_data(target.parent)
    for path in written:
        print(path)
    return EXIT_OK


def example_study_text() -> str:
    """The commented example study bundled with abclab (``abclab/study_example.yaml``)."""
    return resources.files("abclab").joinpath("study_example.yaml").read_text(encoding="utf-8")


def _write_demo_data(directory: Path) -> list[Path]:
    """Write the demo company's data files the example study reads, next to the study."""

    out = directory / "demo"
    written = datasets.generate_demo(out)
    if isinstance(written, dict):
        return [Path(p) for p in written.values()]
    if written is None:
        return sorted(out.iterdir())
    return [Path(p) for p in written]


def _cmd_ahp(args: argparse.Namespace) -> int:
    matrix, method, ri_table = _read_judgements(Path(args.file))
    method = args.method or method
    ri_table = args.ri_table or ri_table
    with warnings.catch_warnings():  # the verdict on CR is printed below
        warnings.simplefilter("ignore", InconsistentJudgementWarning)
        result = ahp.weights(matrix, method=method, ri_table=ri_table)
    out = sys.stdout
    print(f"criteria weights ({method}, {len(matrix)} criteria):", file=out)
    table = pd.DataFrame({"weight": result.weights})
    print(table.to_string(float_format=lambda x: f"{x:.4f}"), file=out)
    ri = getattr(result, "ri", None)
    ri_text = f"RI = {ri:.4f} from {ri_table}" if ri is not None else f"RI table {ri_table}"
    print(f"lambda_max = {result.lambda_max:.4f}", file=out)
    print(f"CI = {result.ci:.4f}", file=out)
    limit = f"{result.threshold:.2f}"  # Saaty's size-dependent threshold unless overridden
    verdict = (
        f"acceptable (CR <= {limit} for n = {result.n})"
        if result.consistent
        else f"inconsistent (CR > {limit} for n = {result.n}): revise judgements"
    )
    print(f"CR = {result.cr:.4f} ({ri_text}); {verdict}", file=out)
    if not result.consistent and hasattr(ahp, "repair_suggestions"):
        suggestions = ahp.repair_suggestions(matrix)
        frame = (
            suggestions.to_frame()
            if hasattr(suggestions, "to_frame")
            else pd.DataFrame(suggestions)
        )
        if len(frame):
            print("most inconsistent judgements (value that would make them consistent):", file=out)
            print(frame.head(args.top).to_string(index=False), file=out)
    return EXIT_OK


def _read_judgements(path: Path) -> tuple[pd.DataFrame, str, str]:
    """Matrix (labelled DataFrame), method and RI table from a YAML/JSON/CSV file."""
    if not path.is_file():
        raise FileNotFoundError(f"judgements file not found: {path}")
    if path.suffix.lower() in {".csv", ".txt", ".tsv"}:
        return _matrix_from_csv(path), "eigenvector", "saaty1980"
    try:  # JSON is YAML too; duplicate keys and alias bombs are refused as in study files
        data = load_yaml(path.read_text(encoding="utf-8-sig"), source=path.name).data
    except StudyError as err:
        raise JudgementError(str(err)) from err
    if isinstance(data, list):
        data = {"matrix": data}
    if not isinstance(data, dict):
        raise JudgementError(
            f"{path.name}: expected a mapping with 'judgements' or 'matrix', or a list of rows"
        )
    unknown = set(data) - {"judgements", "matrix", "order", "criteria", "method", "ri_table"}
    if unknown:
        raise JudgementError(
            f"{path.name}: {sorted(unknown)[0]}: unknown key; expected 'judgements' or 'matrix' "
            "(with 'order'/'criteria'), 'method', 'ri_table'"
        )
    node = {k: data[k] for k in ("judgements", "matrix") if k in data}
    criteria = data.get("order") or data.get("criteria")
    if criteria is None and "judgements" in data and isinstance(data["judgements"], dict):
        criteria = _criteria_in_judgements(data["judgements"])
    if criteria is None and isinstance(data.get("matrix"), list):
        criteria = [f"c{i + 1}" for i in range(len(data["matrix"]))]
    if "matrix" in node:
        node["order"] = criteria
    # Reuse the study validator so the messages match the study file's.
    try:
        study = study_from_dict(
            {
                "name": "ahp",
                "data": {"customers": {"path": "-"}},
                "criteria": {str(c): None for c in criteria or []},
                "weights": {"ahp": {"experts": {"_": node}}},
                "methods": ["pareto"],
            },
            source=path,
        )
    except StudyError as err:  # report keys as they are in this file
        raise JudgementError(str(err).replace("weights.ahp.experts._.", "")) from err
    matrix = study.weights.ahp.experts[0].matrix
    return matrix, str(data.get("method", "eigenvector")), str(data.get("ri_table", "saaty1980"))


def _criteria_in_judgements(judgements: dict) -> list[str]:
    names: list[str] = []
    for pair in judgements:
        try:
            a, b, _ = ahp.parse_pair(str(pair))
        except JudgementError:
            continue  # reported with its key by the study validation
        names += [c for c in (a, b) if c not in names]
    return names


def _matrix_from_csv(path: Path) -> pd.DataFrame:
    raw = pd.read_csv(
        path, header=None, dtype=str, keep_default_na=False, sep=None, engine="python"
    )
    labelled = raw.shape[0] >= 2 and raw.shape[1] >= 2 and not _is_number(raw.iat[0, 1])
    body = raw.iloc[1:, 1:] if labelled else raw
    if labelled:
        names = [s.strip() for s in raw.iloc[0, 1:]]
        rows = [s.strip() for s in raw.iloc[1:, 0]]
        if rows != names:
            raise JudgementError(
                f"{path.name}: row labels {rows} differ from column labels {names}"
            )
    else:
        names = [f"c{i + 1}" for i in range(raw.shape[1])]
    if body.shape[0] != body.shape[1]:
        raise JudgementError(
            f"{path.name}: expected a square matrix, got {body.shape[0]} rows x {body.shape[1]} columns"
        )
    values = np.empty(body.shape)
    for i in range(body.shape[0]):
        for j in range(body.shape[1]):
            cell = str(body.iat[i, j]).strip()
            try:
                values[i, j] = np.nan if cell in {"", "?", "nan", "NaN"} else float(Fraction(cell))
            except (ValueError, ZeroDivisionError):
                raise JudgementError(
                    f"{path.name}: cell [{names[i]}, {names[j]}] (row {i + 1}, column {j + 1}): "
                    f"expected a number or fraction like 1/3, got {cell!r}"
                ) from None
    return pd.DataFrame(values, index=names, columns=names)


def _is_number(text: str) -> bool:
    try:
        float(Fraction(str(text).strip()))
    except (ValueError, ZeroDivisionError):
        return False
    return True


def _cmd_classify(args: argparse.Namespace) -> int:

    frame = read_table(args.data)
    for col in [args.value] + ([args.id] if args.id else []):
        if col not in frame.columns:
            raise AbclabError(
                f"{args.data}: column {col!r} not found (columns: {', '.join(map(str, frame.columns))})"
            )
    ids = frame[args.id].astype(str) if args.id else pd.Series(frame.index.astype(str))
    if args.id and ids.duplicated().any():
        dup = ids[ids.duplicated()].iloc[0]
        raise AbclabError(f"{args.data}: column {args.id!r}: id {dup!r} occurs more than once")
    values = pd.Series(
        frame[args.value].to_numpy(),
        index=pd.Index(ids.to_numpy(), name=args.id or "row"),
        name=args.value,
    )
    if not pd.api.types.is_numeric_dtype(values):
        raise AbclabError(
            f"{args.data}: column {args.value!r}: expected numbers, got {values.dtype} values"
        )
    options: dict[str, Any] = {}
    if args.cutoffs and args.method == "pareto":
        options["cutoffs"] = _floats(args.cutoffs, "--cutoffs")
    if args.shares and args.method == "shares":
        options["shares"] = _floats(args.shares, "--shares")
    missing = values.isna().to_numpy()
    if missing.any() and args.missing == "error":
        first = int(np.flatnonzero(missing)[0]) + 1
        raise AbclabError(
            f"{args.data}: column {args.value!r}: {int(missing.sum())} missing value(s), first in "
            f"data row {first} (spreadsheet row {first + 1}); fill them or use --missing D "
            "to class those rows D (insufficient data)"
        )
    tiers = getattr(classify, args.method)(values[~missing], **options)
    if missing.any():  # ABCD (source 004): D = insufficient data, never silently dropped
        tiers = classify.abcd(tiers.reindex(values.index), pd.Series(missing, index=values.index))
    out = pd.DataFrame({args.value: values, "tier": tiers.astype(str)})
    out = out.reset_index()
    target = Path(args.out)
    target.parent.mkdir(parents=True, exist_ok=True)
    # formula-like text from the client's file (=, +, -, @) must not become a live formula
    from abclab.report._xlsx import csv_safe, write_table_xlsx

    if target.suffix.lower() == ".xlsx":
        write_table_xlsx(out, target, sheet="classes")
    elif target.suffix.lower() == ".csv":
        csv_safe(out).to_csv(target, index=False, encoding="utf-8")
    else:
        raise AbclabError(f"--out {target}: expected a .csv or .xlsx file name")
    counts = out["tier"].value_counts().sort_index()
    summary = ", ".join(f"{k}: {v}" for k, v in counts.items())
    print(f"{target}: {len(out)} rows classified by {args.method} ({summary})")
    return EXIT_OK


def _floats(text: str, option: str) -> tuple[float, ...]:
    try:
        return tuple(float(x) for x in text.split(","))
    except ValueError:
        raise AbclabError(f"{option}: expected comma-separated numbers, got {text!r}") from None


# --------------------------------------------------------------------------- parser / main
def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``abclab`` command."""
    parser = argparse.ArgumentParser(
        prog="abclab", description="ABC / AHP customer classification."
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("report", help="run a study file and write the report")
    p.add_argument("study", help="study file (YAML)")
    p.add_argument("--out", required=True, help="output directory")
    p.add_argument(
        "--format", default="html,pdf,xlsx", help="comma-separated: html,pdf,xlsx (default: all)"
    )
    p.set_defaults(func=_cmd_report)

    p = sub.add_parser("validate", help="check a study and its data mapping without running it")
    p.add_argument("study", help="study file (YAML)")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("schema", help="print the JSON Schema of the study file")
    p.set_defaults(func=_cmd_schema)

    p = sub.add_parser("init", help="write the commented example study (demo company)")
    p.add_argument(
        "path", nargs="?", default="study.yaml", help="file or directory (default: study.yaml)"
    )
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    p.add_argument("--no-data", action="store_true", help="do not write the demo data files")
    p.set_defaults(func=_cmd_init)

    p = sub.add_parser("ahp", help="AHP weights and consistency of a judgement file")
    p.add_argument("file", help="YAML/JSON (judgements or matrix) or CSV (square matrix)")
    p.add_argument("--method", choices=ahp.METHODS)
    p.add_argument("--ri-table", dest="ri_table", choices=tuple(ahp.RANDOM_INDEX))
    p.add_argument("--top", type=int, default=3, help="repair suggestions to show (default 3)")
    p.set_defaults(func=_cmd_ahp)

    p = sub.add_parser("classify", help="quick one-value classification to CSV/XLSX")
    p.add_argument("data", help="CSV/XLSX/Parquet file")
    p.add_argument("--method", choices=_CLASSIFY_METHODS, default="pareto")
    p.add_argument("--value", required=True, help="column to classify on")
    p.add_argument("--id", help="id column (default: row number)")
    p.add_argument("--cutoffs", help="pareto cumulative-share cut-offs, e.g. 0.8,0.95")
    p.add_argument("--shares", help="count shares, e.g. 0.2,0.3,0.5")
    p.add_argument("--out", required=True, help="output .csv or .xlsx")
    p.add_argument(
        "--missing",
        choices=["error", "D"],
        default="error",
        help="rows without a value: stop with an error (default) or class them D",
    )
    p.set_defaults(func=_cmd_classify)

    for child in sub.choices.values():  # --debug accepted after the sub-command too
        child.add_argument(
            "--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks"
        )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``abclab`` command; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    debug = bool(getattr(args, "debug", False))
    try:
        with warnings.catch_warnings():
            if not debug:  # one line per warning, without Python's source-line echo
                warnings.showwarning = _show_warning
            return int(args.func(args) or EXIT_OK)
    except (
        AbclabError,
        FileNotFoundError,
        NotADirectoryError,
        IsADirectoryError,
        PermissionError,
        yaml.YAMLError,
    ) as err:
        if debug:
            traceback.print_exc()
        for line in _lines(err):  # a study with several problems lists each on its line
            print(f"abclab: error: {line}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("abclab: interrupted", file=sys.stderr)
        return 130
    except Exception as err:
        if debug:
            traceback.print_exc()
        print(f"abclab: internal error: {type(err).__name__}: {_one_line(err)}", file=sys.stderr)
        print("abclab: rerun with --debug to see the traceback", file=sys.stderr)
        return EXIT_INTERNAL


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    print(f"abclab: warning: {' '.join(str(message).split())}", file=sys.stderr)


def _lines(err: BaseException) -> list[str]:
    if isinstance(err, StudyError):
        return [" ".join(line.split()) for line in str(err).splitlines() if line.strip()]
    return [_one_line(err)]


def _one_line(err: BaseException) -> str:
    if isinstance(err, OSError) and err.filename:
        text = f"{err.filename}: {err.strerror or type(err).__name__}"
    else:
        text = str(err) or type(err).__name__
    return " ".join(text.split())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
