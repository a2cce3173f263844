"""Provenance record of a report: what was run, on which data, with which software.

``provenance.json`` lets a reader check that a report belongs to a given data file (SHA-256)
and rerun it with the same packages and seed.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import platform
import sys
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

__all__ = [
    "PACKAGES",
    "analyst_checks",
    "file_sha256",
    "package_versions",
    "provenance_record",
    "write_provenance",
]

#: Distributions whose versions are recorded (distribution names on PyPI).
PACKAGES = (
    "abclab",
    "numpy",
    "pandas",
    "scipy",
    "scikit-learn",
    "duckdb",
    "papermill",
    "nbconvert",
    "matplotlib",
    "openpyxl",
    "weasyprint",
)


def file_sha256(path: str | Path, *, chunk: int = 1 << 20) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def package_versions(packages: tuple[str, ...] = PACKAGES) -> dict[str, str | None]:
    """Installed version of each distribution (``None`` if not installed)."""
    out: dict[str, str | None] = {}
    for name in packages:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def provenance_record(results: Any, *, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The provenance dictionary (see :func:`write_provenance` for the keys)."""
    study = results.study
    files = []
    for p in results.data_files:
        p = Path(p)
        files.append(
            {"path": str(p), "name": p.name, "bytes": p.stat().st_size, "sha256": file_sha256(p)}
        )
    record: dict[str, Any] = {
        "study": {"name": study.name, "path": str(study.path), "content": study.to_dict()},
        "study_sha256": file_sha256(study.path) if Path(study.path).is_file() else None,
        "data_files": files,
        "seed": study.seed,
        "recommended": results.recommended,
        "counts": dict(results.counts),
        "packages": package_versions(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "timings": {k: round(float(v), 6) for k, v in results.timings.items()},
        "created": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "audience": str(getattr(study, "audience", "client")),
        "checks": analyst_checks(results),
    }
    if extra:
        record.update({str(k): v for k, v in extra.items()})
    return record


#: Rows listed per check in ``provenance.json`` (the counts are complete).
CHECK_ROWS = 50


def _rows(frame: Any, columns: tuple[str, ...]) -> list[dict[str, Any]]:
    if frame is None or len(frame) == 0:
        return []
    present = [c for c in columns if c in frame.columns]
    head = frame[present].head(CHECK_ROWS)
    return json.loads(head.to_json(orient="records", date_format="iso", force_ascii=False))


def analyst_checks(results: Any) -> dict[str, Any]:
    """What the analyst should confirm with the client before the report goes out.

    Keys: ``flagged_lines`` (invoice lines that look like keying errors), ``review`` (possible
    duplicates not merged), ``unmatched`` (log customers missing from the customer table),
    ``set_aside`` (file rows that are no records), ``pending`` (customers not classified),
    ``inconsistent_experts`` (AHP judgements with CR above the threshold that were used
    anyway); each ``{"count": n, "rows": [...]}`` with at most :data:`CHECK_ROWS` rows.
    """
    cleaning = results.cleaning
    lines = results.clean.flagged_lines
    review = getattr(cleaning, "review", None)
    unmatched = results.data.unmatched
    aside = results.data.set_aside
    pending = getattr(cleaning, "pending", None)
    experts = [
        {"expert": str(name), "cr": round(float(res.cr), 4), "threshold": float(res.threshold)}
        for name, res in results.ahp.items()
        if not bool(res.consistent)
    ]
    pending_rows = []
    if pending is not None and len(pending):
        frame = pending.reset_index().rename(columns={pending.index.name or "index": "customer"})
        pending_rows = _rows(frame, ("customer", "name", "pending_reason"))

    def block(frame: Any, columns: tuple[str, ...]) -> dict[str, Any]:
        return {"count": 0 if frame is None else int(len(frame)), "rows": _rows(frame, columns)}

    return {
        "flagged_lines": block(lines, ("customer", "row", "date", "amount", "reason")),
        "review": block(review, ("customer", "name", "candidate", "candidate_name", "rule")),
        "unmatched": block(unmatched, ("customer_id", "lines", "amount", "last_purchase")),
        "set_aside": block(aside, ("file", "row", "kind", "content")),
        "pending": {"count": 0 if pending is None else int(len(pending)), "rows": pending_rows},
        "inconsistent_experts": {"count": len(experts), "rows": experts},
    }


def write_provenance(
    results: Any, path: str | Path, *, extra: Mapping[str, Any] | None = None
) -> Path:
    """Write ``provenance.json`` for a study's results.

    Parameters
    ----------
    results : abclab.pipeline.StudyResults
    path : str or Path
        Target JSON file (parent directories are created).
    extra : mapping, optional
        More top-level keys (e.g. the report runner's output files and format list);
        they override keys of the same name.

    Returns
    -------
    Path
        The file written. Keys: ``study`` (name, path, content as parsed), ``study_sha256``,
        ``data_files`` (path, name, bytes, sha256), ``seed``, ``recommended``, ``counts``,
        ``packages`` (abclab, numpy, pandas, scipy, scikit-learn, duckdb, papermill,
        nbconvert, matplotlib, openpyxl, weasyprint), ``python``, ``platform``,
        ``timings`` (step -> seconds), ``created`` (UTC, ISO 8601), ``audience``,
        ``checks`` (:func:`analyst_checks`).
    """
    path = Path(path)
    record = provenance_record(results, extra=extra)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(record, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8"
    )
    return path
