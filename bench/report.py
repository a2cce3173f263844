"""Benchmark: the demo report and a full report (HTML + PDF + Excel) of a 100 000-customer
study, as ratios to a bare papermill run of a one-cell notebook measured in the same run.

Targets (issue 10): the demo report <= 4x the bare run, its PDF step <= 1x, the 100 000-customer
report <= 10x (PRODUCT.md: under 30 s). Run::

    .venv/bin/python bench/report.py [--customers 100000] [--keep DIR] [--skip-demo] [--repeat 3]

Builds a customer table with :func:`abclab.datasets.synthetic_customers` (names, phones and
e-mails added so that masking runs too), writes a study (AHP weights of one expert; methods
weighted ABC, Pareto, shares, computed ABC, TOPSIS, k-means; 200 Monte Carlo draws), times
``abclab.report.run_report`` and prints the stage timings from ``provenance.json``. With
``--repeat N`` the bare run and the demo report are timed N times (alternating) and the
medians are printed. The HTML and PDF are built while the kernel writes the workbook, so the
PDF step overlaps the notebook; ``wait`` is what the runner waited for them afterwards.

On a shared machine wall-clock seconds follow the other users' load; the CPU seconds of the
process and its kernels (``os.times``: user + system, children included once reaped) are
printed beside them, with their ratio to the bare run's CPU seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from abclab.datasets import synthetic_customers
from abclab.report import run_report

STUDY = """\
name: "Benchmark: {n} synthetic customers"
language: zh
seed: 1
data:
  customers: {{path: customers.csv}}
id_column: customer_id
name_column: name
criteria:
  annual_spend: {{direction: benefit, normalise: percentile}}
  margin: {{direction: benefit, normalise: minmax}}
  tenure_years: {{direction: benefit, normalise: minmax}}
  cross_purchase_rate: {{direction: benefit, normalise: minmax}}
  on_time_payment_rate: {{direction: benefit, normalise: minmax}}
weights:
  ahp:
    experts:
      director:
        judgements:
          "annual_spend > margin": 2
          "annual_spend > tenure_years": 4
          "annual_spend > cross_purchase_rate": 3
          "annual_spend > on_time_payment_rate": 3
          "margin > tenure_years": 2
          "margin > cross_purchase_rate": 2
          "margin = on_time_payment_rate": 1
          "tenure_years < cross_purchase_rate": 2
          "tenure_years < on_time_payment_rate": 2
          "cross_purchase_rate = on_time_payment_rate": 1
methods:
  - weighted_abc: {{how: shares, shares: [0.2, 0.3, 0.5]}}
  - pareto: {{value: annual_spend}}
  - shares: {{value: annual_spend}}
  - computed_abc: {{value: annual_spend}}
  - topsis: {{how: shares}}
  - kmeans: {{k: 3}}
recommended: weighted_abc
sensitivity: {{draws: 200}}
"""


def build_study(directory: Path, n: int, *, seed: int = 0) -> Path:
    """Write ``customers.csv`` and ``study.yaml`` for ``n`` synthetic customers."""
    frame = synthetic_customers(n, seed=seed).reset_index()
    frame["customer_id"] = [f"C{i:06d}" for i in range(n)]
    rng = np.random.default_rng(seed)
    frame.insert(1, "name", [f"客户{i:06d}有限公司" for i in range(n)])
    frame.insert(2, "phone", [f"1{d}" for d in rng.integers(3_000_000_000, 9_999_999_999, n)])
    frame.insert(3, "email", [f"user{i}@example.com" for i in range(n)])
    directory.mkdir(parents=True, exist_ok=True)
    frame.to_csv(directory / "customers.csv", index=False)
    study = directory / "study.yaml"
    study.write_text(STUDY.format(n=n), encoding="utf-8")
    return study


def _cpu() -> float:
    """CPU seconds (user + system) of this process and its reaped children (the kernels)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


CPU: dict[str, float] = {}


def bare_papermill(directory: Path) -> float:
    """Seconds of a papermill run of a one-cell notebook (kernel start, one cell, save);
    its CPU seconds go to ``CPU["bare"]``."""
    import nbformat
    import papermill
    from nbformat.v4 import new_code_cell, new_notebook

    source = directory / "bare.ipynb"
    nb = new_notebook(cells=[new_code_cell("1 + 1")])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, source)
    start, cpu = time.perf_counter(), _cpu()
    papermill.execute_notebook(str(source), str(directory / "bare_out.ipynb"), progress_bar=False,
                               kernel_name="python3")  # fmt: skip
    CPU["bare"] = _cpu() - cpu
    return time.perf_counter() - start


def demo_report(directory: Path) -> tuple[float, dict[str, float], dict[str, int]]:
    """Seconds of the English demo report (HTML + PDF + XLSX), its stage timings and the
    sizes of its files (bytes)."""
    study = Path(__file__).resolve().parents[1] / "data" / "demo" / "study.yaml"
    start, cpu = time.perf_counter(), _cpu()
    files = run_report(study, directory)
    total = time.perf_counter() - start
    CPU["demo"] = _cpu() - cpu
    timings = json.loads(files.provenance.read_text(encoding="utf-8"))["timings"]
    return total, timings, {p.name: p.stat().st_size for p in files.paths}


def _demo(root: Path, repeat: int) -> float:
    """Time the bare run and the demo report ``repeat`` times; print each run and the
    medians; return the median bare run."""
    bares, totals, pdfs, ratios, cpus = [], [], [], [], []
    for k in range(repeat):
        bare = bare_papermill(root)
        demo, stages, sizes = demo_report(root / f"demo{k}")
        bares.append(bare)
        totals.append(demo)
        pdfs.append(stages["report_pdf"])
        ratios.append(demo / bare)
        cpus.append(CPU["demo"] / CPU["bare"])
        print(
            f"run {k + 1}: bare {bare:.2f} s; demo {demo:.1f} s = {demo / bare:.1f}x bare; "
            f"notebook {stages['report_notebook']:.1f} s, HTML {stages['report_html']:.2f} s, "
            f"PDF {stages['report_pdf']:.1f} s = {stages['report_pdf'] / bare:.1f}x bare "
            f"(wait {stages.get('report_documents_wait', float('nan')):.1f} s); "
            f"load {_loads(os.getloadavg())}; HTML {sizes['report.html'] / 1e6:.2f} MB; "
            f"CPU {CPU['demo']:.1f} s = {cpus[-1]:.1f}x the bare run's {CPU['bare']:.2f} s"
        )
    bare = statistics.median(bares)
    print(
        f"demo report (HTML + PDF + XLSX), median of {repeat}: {statistics.median(totals):.1f} s "
        f"= {statistics.median(ratios):.1f}x bare (target <= 4x); PDF step "
        f"{statistics.median(pdfs):.1f} s = {statistics.median(pdfs) / bare:.1f}x bare "
        f"(target <= 1x); CPU seconds {statistics.median(cpus):.1f}x the bare run's"
    )
    return bare


def _loads(loads: tuple[float, float, float]) -> str:
    return "/".join(f"{x:.2f}" for x in loads)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--keep", type=Path, default=None, help="keep the report in this directory")
    parser.add_argument("--skip-demo", action="store_true", help="do not time the demo report")
    parser.add_argument("--repeat", type=int, default=1, help="demo runs (median printed)")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="abclab-bench-"))
    try:
        bare_papermill(root)  # warm the file cache; the second run is the one measured
        bare = bare_papermill(root)
        print(f"bare papermill run of a one-cell notebook: {bare:.2f} s")
        if not args.skip_demo:
            bare = _demo(root, max(1, args.repeat))
        if args.customers <= 0:
            return
        study = build_study(root / "study", args.customers)
        out = args.keep or root / "report"
        load_before = os.getloadavg()
        start, cpu = time.perf_counter(), _cpu()
        files = run_report(
            study, out, progress=lambda m: print(f"  [{time.perf_counter() - start:6.1f}s] {m}")
        )
        total = time.perf_counter() - start
        cpu = _cpu() - cpu
        timings = json.loads(files.provenance.read_text(encoding="utf-8"))["timings"]
        study_s = sum(v for k, v in timings.items() if not k.startswith("report_"))
        print(f"customers: {args.customers:,}")
        # the machine may be shared: timings mean little without the load next to them
        print(
            f"load average (1/5/15 min) before {_loads(load_before)}, after {_loads(os.getloadavg())}"
            f" on {os.cpu_count()} CPUs"
        )
        print(
            f"run_report total: {total:.1f} s = {total / bare:.1f}x bare (target <= 10x, "
            f"< 30 s) -> {'OK' if total < 30 else 'SLOW'}"
        )
        print(
            f"  CPU seconds (runner + kernel): {cpu:.1f} = {cpu / CPU['bare']:.1f}x the bare run's"
        )
        print(f"  study pipeline inside the kernel: {study_s:.1f} s")
        for key in ("report_notebook", "report_html", "report_pdf", "report_documents_wait"):
            if key in timings:
                print(f"  {key}: {timings[key]:.1f} s")
        slowest = sorted(
            ((v, k) for k, v in timings.items() if not k.startswith("report_")), reverse=True
        )[:5]
        print("  slowest pipeline steps: " + ", ".join(f"{k} {v:.1f} s" for v, k in slowest))
        print(
            "files: " + ", ".join(f"{p.name} {p.stat().st_size / 1e6:.1f} MB" for p in files.paths)
        )
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
