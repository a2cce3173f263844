"""Consistency of pairwise comparison matrices: RI tables, CI/CR, Alonso-Lamata, GCI.

Notes
-----
``CI = (lambda_max - n) / (n - 1)`` and ``CR = CI / RI(n)`` (Saaty 1980, ch. 1), where
``RI(n)`` is the mean CI of random reciprocal matrices of order *n* drawn from the 1/9-9
scale. Different simulations give different RI tables, so the table is a named choice and
is recorded in every result.

Alonso & Lamata (2006) fitted the mean principal eigenvalue of random matrices linearly in
*n*: ``mean lambda_max(n) ~= 2.7699 n - 4.3513``. Substituting into ``RI = (mean lambda_max - n)/(n - 1)``
gives ``RI(n) ~= (1.7699 n - 4.3513) / (n - 1)`` (0.479 at n = 3, 1.586 at n = 15 against
the tabulated 0.5245 and 1.5838), and ``CR <= alpha`` is equivalent to
``lambda_max <= n + alpha (1.7699 n - 4.3513)`` -- their lambda_max criterion. abclab uses the
fit for orders beyond a table's range.

References
----------
Saaty, T. L. (1980). *The Analytic Hierarchy Process*. McGraw-Hill.
Saaty, T. L. (1994). How to make a decision: the analytic hierarchy process. *Interfaces* 24(6), 19-43.
Alonso, J. A., & Lamata, M. T. (2006). Consistency in the analytic hierarchy process: a new
approach. *Int. J. Uncertainty, Fuzziness and Knowledge-Based Systems* 14(4), 445-459.
Aguarón, J., & Moreno-Jiménez, J. M. (2003). The geometric consistency index: approximated
thresholds. *European Journal of Operational Research* 147(1), 137-145.
"""

from __future__ import annotations

import numpy as np

from abclab.exceptions import JudgementError

#: Random Index tables, n -> RI. Orders 1 and 2 are always consistent (RI = 0).
RANDOM_INDEX: dict[str, dict[int, float]] = {
    #: Saaty (1980), The Analytic Hierarchy Process, McGraw-Hill (RI for n = 1..15, 500 random
    #: matrices per order). Reprints differ at n = 12 (1.48 here; some print 1.54).
    "saaty1980": dict(
        zip(
            range(1, 16),
            (0, 0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.48, 1.56, 1.57, 1.59),
            strict=True,
        )
    ),
    #: Alonso & Lamata (2006), IJUFKS 14(4):445-459, table of RI for n = 3..15 (100,000 random
    #: matrices per order); values cross-checked against an independent R transcription.
    "alonso_lamata2006": {1: 0.0, 2: 0.0}
    | dict(
        zip(
            range(3, 16),
            (
                0.5245,
                0.8815,
                1.1086,
                1.2479,
                1.3417,
                1.4056,
                1.4499,
                1.4854,
                1.5141,
                1.5365,
                1.5551,
                1.5713,
                1.5838,
            ),
            strict=True,
        )
    ),
    #: Donegan & Dodd (1991), Mathematical and Computer Modelling 15(10):135-137, n = 3..20, as
    #: transcribed in ahpy 2.1 (its default 'dd' table) -- used for side-by-side checks.
    "donegan_dodd1991": {1: 0.0, 2: 0.0}
    | dict(
        zip(
            range(3, 21),
            (
                0.4914,
                0.8286,
                1.0591,
                1.1797,
                1.2519,
                1.3171,
                1.3733,
                1.4055,
                1.4213,
                1.4497,
                1.4643,
                1.4822,
                1.4969,
                1.5078,
                1.5153,
                1.5262,
                1.5313,
                1.5371,
            ),
            strict=True,
        )
    ),
    #: Tummala & Ling (1998), Theory and Decision 44(3):221-230, n = 1..15, as transcribed in
    #: pymcdm 1.4 (AHP.RI_M) -- used for side-by-side checks.
    "tummala_ling1998": dict(
        zip(
            range(1, 16),
            (
                0,
                0,
                0.5799,
                0.8921,
                1.1159,
                1.2358,
                1.3322,
                1.3952,
                1.4537,
                1.4882,
                1.5117,
                1.5356,
                1.5571,
                1.5714,
                1.5831,
            ),
            strict=True,
        )
    ),
}

#: Alonso & Lamata (2006) regression of the mean random lambda_max: 2.7699 n - 4.3513.
ALONSO_LAMATA_FIT: tuple[float, float] = (1.7699, 4.3513)

#: GCI thresholds of Aguarón & Moreno-Jiménez (2003), equivalent to CR = 0.1 (n = 3, 4, >4).
GCI_THRESHOLDS: dict[int, float] = {3: 0.31, 4: 0.35, 5: 0.37}


def random_index(n: int, table: str = "saaty1980") -> tuple[float, str]:
    """Random index for order ``n`` and where it came from (``table`` or the A-L fit).

    Beyond the table's largest order, ``RI(n) = (1.7699 n - 4.3513)/(n - 1)``
    (Alonso & Lamata 2006 linear fit; source ``"alonso_lamata2006_fit"``).
    """
    if table not in RANDOM_INDEX:
        raise JudgementError(f"ri_table={table!r} is unknown; choose one of {sorted(RANDOM_INDEX)}")
    if n <= 2:
        return 0.0, table
    values = RANDOM_INDEX[table]
    if n in values:
        return float(values[n]), table
    slope, intercept = ALONSO_LAMATA_FIT
    return (slope * n - intercept) / (n - 1), "alonso_lamata2006_fit"


def alonso_lamata_lambda_limit(n: int, *, alpha: float = 0.1) -> float:
    """Largest acceptable lambda_max, ``n + alpha (1.7699 n - 4.3513)`` (Alonso & Lamata 2006).

    For n <= 2 every reciprocal matrix is consistent and the limit is ``n``.
    """
    if n <= 2:
        return float(n)
    slope, intercept = ALONSO_LAMATA_FIT
    return n + alpha * (slope * n - intercept)


def saaty_threshold(n: int) -> float:
    """CR threshold: 0.05 for n = 3, 0.08 for n = 4, 0.10 otherwise (Saaty 1994)."""
    return {3: 0.05, 4: 0.08}.get(n, 0.10)


def gci_threshold(n: int) -> float:
    """GCI threshold of Aguarón & Moreno-Jiménez (2003): 0.31 (n=3), 0.35 (n=4), 0.37 (n>4)."""
    return GCI_THRESHOLDS[min(max(n, 3), 5)]


def _ci_cr_kernel(lambda_max: float, n: int, ri: float) -> tuple[float, float]:
    """CI and CR without validation; 0 for n <= 2 (always consistent)."""
    if n <= 2:
        return 0.0, 0.0
    ci = max((lambda_max - n) / (n - 1), 0.0)
    return ci, ci / ri


def _gci_kernel(a: np.ndarray, w: np.ndarray) -> float:
    """Geometric consistency index, ``2/((n-1)(n-2)) sum_{i<j} log^2(a_ij w_j / w_i)``."""
    n = a.shape[0]
    if n <= 2:
        return 0.0
    e = np.log(a) + np.log(w)[None, :] - np.log(w)[:, None]
    return float(2.0 / ((n - 1) * (n - 2)) * np.sum(np.triu(e, 1) ** 2))
