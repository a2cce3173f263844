"""The AHP result type."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from abclab.ahp._consistency import random_index
from abclab.ahp._repair import repair_table
from abclab.ahp._weights import _lambda_estimates


@dataclass(frozen=True)
class AHPResult:
    """Priorities and consistency of one pairwise comparison matrix (or a group of them).

    Attributes
    ----------
    weights : pandas.Series
        Priorities (sum 1) indexed by criterion; ``name`` = method.
    lambda_max : float
        Principal (Perron) eigenvalue of ``matrix`` -- a property of the judgements, used
        for CI/CR whatever the weighting method (see ``explain()`` for the method's own
        estimate ``mean_i (A w)_i / w_i``).
    ci, cr, ri : float
        ``CI = (lambda_max - n)/(n - 1)``, ``CR = CI / RI``; 0 for n <= 2.
    ri_table : str
        Name of the Random Index table (:data:`abclab.ahp.RANDOM_INDEX`).
    method : str
        ``"eigenvector"``, ``"geometric_mean"`` or ``"column_mean"``; group results are
        ``"aij:<method>"`` / ``"aip:<method>"``.
    n : int
        Number of criteria.
    matrix : pandas.DataFrame
        The judgements (completed by Harker's method if some were missing; the
        element-wise geometric mean for group results).
    consistent : bool
        ``cr <= threshold``.
    threshold : float
        CR threshold used.
    gci : float
        Geometric consistency index (Aguarón & Moreno-Jiménez 2003) with row
        geometric-mean priorities.
    alonso_lamata_lambda_limit : float
        ``n + 0.1 (1.7699 n - 4.3513)``; lambda_max below it is acceptable (CR 10 %).
    completed : bool
        Whether missing judgements were completed.
    experts : pandas.DataFrame or None
        Group results: one row per expert (``expert``, ``expert_weight``, one column per
        criterion weight, ``cr``, ``consistent``).
    consensus : pandas.Series or None
        Group results: ``cosine_similarity`` and ``shannon_homogeneity`` (see
        :func:`abclab.ahp.group_weights`).
    missing_cells : tuple
        ``(row, column)`` labels of the judgements that were missing.
    """

    weights: pd.Series
    lambda_max: float
    ci: float
    cr: float
    ri: float
    ri_table: str
    method: str
    n: int
    matrix: pd.DataFrame
    consistent: bool
    threshold: float
    gci: float
    alonso_lamata_lambda_limit: float
    completed: bool = False
    experts: pd.DataFrame | None = None
    consensus: pd.Series | None = None
    missing_cells: tuple[tuple[Hashable, Hashable], ...] = field(default=())

    def to_frame(self) -> pd.DataFrame:
        """Tidy weights: ``criterion``, ``weight``, ``rank`` (1 = most important)."""
        ranks = self.weights.rank(ascending=False, method="min").astype(int)
        return pd.DataFrame(
            {
                "criterion": pd.Series(list(self.weights.index), dtype=object),
                "weight": self.weights.to_numpy(),
                "rank": ranks.to_numpy(),
            }
        )

    def explain(self) -> dict[str, pd.DataFrame]:
        """Every intermediate table, for teaching.

        Returns
        -------
        dict of pandas.DataFrame
            ``matrix`` (the judgements), ``normalised_matrix`` (each column divided by its
            sum), ``weights`` (columns ``criterion``, ``column_sum``, ``weight``,
            ``weighted_sum`` = (A w)_i, ``lambda_estimate`` = (A w)_i / w_i) and ``summary``
            (columns ``quantity``, ``value``, ``note``: n, lambda_max, mean lambda estimate,
            CI, RI with its table, CR, threshold, consistent, GCI, Alonso-Lamata limit).
        """
        a = self.matrix.to_numpy(dtype=float)
        w = self.weights.to_numpy(dtype=float)
        aw = a @ w
        est = _lambda_estimates(a, w)
        labels = pd.Series(list(self.weights.index), dtype=object)
        table = pd.DataFrame(
            {
                "criterion": labels,
                "column_sum": a.sum(axis=0),
                "weight": w,
                "weighted_sum": aw,
                "lambda_estimate": est,
            }
        )
        _, source = random_index(self.n, self.ri_table)
        rows = [
            ("n", float(self.n), "number of criteria"),
            ("lambda_max", self.lambda_max, "principal eigenvalue of the matrix"),
            (
                "lambda_estimate_mean",
                float(est.mean()),
                f"mean of (Aw)_i/w_i with {self.method} weights",
            ),
            ("ci", self.ci, "(lambda_max - n)/(n - 1)"),
            ("ri", self.ri, f"random index, table {source}"),
            ("cr", self.cr, "CI / RI"),
            ("threshold", self.threshold, "CR threshold"),
            ("consistent", float(self.consistent), "1 if CR <= threshold"),
            ("gci", self.gci, "geometric consistency index (Aguaron & Moreno-Jimenez 2003)"),
            (
                "alonso_lamata_lambda_limit",
                self.alonso_lamata_lambda_limit,
                "n + 0.1(1.7699n - 4.3513)",
            ),
        ]
        return {
            "matrix": self.matrix.copy(),
            "normalised_matrix": self.matrix / self.matrix.sum(axis=0),
            "weights": table,
            "summary": pd.DataFrame(rows, columns=["quantity", "value", "note"]),
        }

    def inconsistent_judgements(self) -> pd.DataFrame:
        """Judgements ranked by contribution to inconsistency (see :func:`repair_suggestions`)."""
        labels = list(self.matrix.index)
        pos = {name: k for k, name in enumerate(labels)}
        judged = np.ones((self.n, self.n), bool)
        for r, c in self.missing_cells:
            judged[pos[r], pos[c]] = judged[pos[c], pos[r]] = False
        return repair_table(
            self.matrix.to_numpy(dtype=float),
            self.weights.to_numpy(dtype=float),
            labels,
            self.ri,
            judged,
        )
