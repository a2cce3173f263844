"""Compare classifications: summary table, agreement, cross-tabs, disputed customers, Lorenz/Gini,
rank correlation and top-k overlap of score rankings.

Tiers are ordered pandas Categorical Series (categories best first), as every abclab classifier
returns them. Where a method needs tier *positions* (weighted kappa, disputed customers, methods
with different label sets) a tier is replaced by its rank position: 0 for the first (best)
category, 1 for the next, and so on. A plain (non-categorical) Series is ordered by its sorted
unique values ("A" < "B" < "C").
"""

from abclab.compare._agreement import AgreementResult, agreement, crosstab, disputed
from abclab.compare._concentration import RankCorrelation, gini, lorenz, rank_correlation
from abclab.compare._overlap import top_k_overlap
from abclab.compare._summary import summary_table

__all__ = [
    "AgreementResult",
    "RankCorrelation",
    "agreement",
    "crosstab",
    "disputed",
    "gini",
    "lorenz",
    "rank_correlation",
    "summary_table",
    "top_k_overlap",
]
