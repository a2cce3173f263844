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

__all__ = ["PACKAGES", "file_sha256", "package_versions", "provenance_record", "write_provenance"]

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
    }
    if extra:
        record.update({str(k): v for k, v in extra.items()})
    return record


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
        ``timings`` (step -> seconds), ``created`` (UTC, ISO 8601).
    """
    path = Path(path)
    record = provenance_record(results, extra=extra)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(record, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8"
    )
    return path
