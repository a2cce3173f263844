"""Weight sensitivity: how many customers change tier when the weights or judgements move.

Three analyses share one vectorised kernel. Given indicator scores ``X`` (n customers x m
criteria, e.g. ``ScoreResult.indicator_scores``) and a stack of weight vectors ``W`` (d draws x m),
the scores of every customer under every draw are one matrix product, ``S = W @ X.T``
(d x n), computed in blocks of at most ``chunk_size`` cells so that memory stays bounded.
Each row of ``S`` is classified with the chosen tier rule and compared with the tiers under the
base weights.

Tier rules (tiers numbered 0 = best; ties at a boundary go to the **better** tier, and a score
within a relative 1e-9 of a boundary counts as on it):

``"bands"``
    Fixed score cut points, e.g. ``cuts=(90, 75, 60)`` as in source 003 §三(四) (90-100
    strategic, 75-89 key, 60-74 ordinary, < 60 potential): a score >= 90 is tier 0.
``"shares"``
    Count shares, e.g. ``shares=(0.2, 0.3, 0.5)``: per draw, the ceil(0.2 n) highest scores are
    tier 0, the next up to ceil(0.5 n) tier 1, and so on (boundary scores from a per-draw sort).
``"pareto"``
    Pareto on the score: per draw, customers sorted by score descending; a customer is in tier
    ``j`` if the cumulative score share of the customers *before* it is below ``cutoffs[j]``
    (so the customer that crosses 80 % is still "A"; the top customer is always "A").

These are the rules of :func:`abclab.classify.bands`, :func:`~abclab.classify.shares` and
:func:`~abclab.classify.pareto`, re-implemented over a whole draws x customers matrix.

Because rank rules need every customer of a draw at once, blocks are formed over draws
(each block holds at least one full draw: memory O(n x max(1, chunk_size / n))).

Package layout: ``_tiers`` (tier-rule kernels and input checks), ``_result``
(:class:`SensitivityResult`), ``_weights`` (weight Monte Carlo and one-at-a-time sweeps),
``_judgements`` (judgement perturbation), ``_smaa`` (SMAA-2 acceptability indices), ``_resample`` (bootstrap intervals of tier
shares, rank-reversal checks).

References
----------
Saltelli, A. et al. (2008). *Global Sensitivity Analysis: The Primer*. Wiley (one-at-a-time and
Monte Carlo designs).
Saaty, T. L. (1980). *The Analytic Hierarchy Process*. McGraw-Hill (1-9 scale, eigenvector).
Crawford, G., & Williams, C. (1985). A note on the analysis of subjective judgment matrices.
*Journal of Mathematical Psychology*, 29(4), 387-405 (row geometric mean).
"""

from abclab.sensitivity._judgements import (
    SAATY_SCALE,
    judgement_monte_carlo,
    perturb_judgements,
)
from abclab.sensitivity._resample import RankReversalResult, bootstrap_tiers, rank_reversal
from abclab.sensitivity._result import SensitivityResult
from abclab.sensitivity._smaa import SMAAResult, smaa
from abclab.sensitivity._weights import draw_weights, one_at_a_time, weight_monte_carlo

__all__ = [
    "SAATY_SCALE",
    "RankReversalResult",
    "SMAAResult",
    "SensitivityResult",
    "bootstrap_tiers",
    "draw_weights",
    "judgement_monte_carlo",
    "one_at_a_time",
    "perturb_judgements",
    "rank_reversal",
    "smaa",
    "weight_monte_carlo",
]
