"""Benchmark: the rank-reversal / weight-choice table of the sensitivity section
(:func:`abclab.report.sections._robustness.ranking_robustness`) on the demo study, as a ratio
to building every section of the demo report, measured in the same run.

Target (report-polish brief): the table adds at most about 0.3 s to the demo report, and at
most 5 % of the time the sections take. Run::

    .venv/bin/python bench/robustness.py [--repeat 5]

Best of ``--repeat`` runs for both, in alternating order so that machine load hits both alike.
"""

from __future__ import annotations

import argparse
import os
import time
import warnings
from pathlib import Path

from abclab.pipeline import run_study
from abclab.report import sections
from abclab.report.sections._robustness import ranking_robustness

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo" / "study.yaml"
NAMES = ("executive_summary", "data_quality", "weights", "method_summaries", "pareto_lorenz",
         "agreement", "disputed", "value_potential", "clusters", "sensitivity", "customers")  # fmt: skip


def _time(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = run_study(DEMO)
    ctx = sections.context(results)

    def every_section() -> None:
        for name in NAMES:
            getattr(sections, name)(ctx)

    table, bound = [], []
    for k in range(args.repeat):
        pair = [(table, lambda: ranking_robustness(results)), (bound, every_section)]
        for store, fn in pair if k % 2 == 0 else pair[::-1]:
            store.append(_time(fn))
    print(f"load average {os.getloadavg()[0]:.2f} (2 cores); {len(results.criteria)} customers")
    print(f"ranking_robustness  best {min(table) * 1000:7.1f} ms")
    print(f"every section       best {min(bound) * 1000:7.1f} ms")
    print(f"ratio {min(table) / min(bound):.3f} (target <= 0.05; absolute target <= 300 ms)")


if __name__ == "__main__":
    main()
