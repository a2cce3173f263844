"""Clustering methods: k-means, Gaussian mixture and Ward, clusters ordered into tiers."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator, model_validator

from abclab._model import StrictInt, fail
from abclab.clustering import cluster_tiers
from abclab.methods._base import Method, MethodContext, MethodOutput, register

__all__ = ["GMM", "KMeans", "Ward"]

ClusterCount = Annotated[StrictInt, Field(ge=2)]


class _Clusters(Method):
    """Tiers from clusters of the 0-100 indicator scores, ordered by weighted centroid score."""

    kind = "clusters"
    uses_weights = True  # clusters are ordered into tiers by weighted centroid score
    strategy_scheme = None  # clusters are ordered, but cluster D is not "pending"
    k: ClusterCount | None = Field(
        None, description="Number of tiers; default chosen by silhouette."
    )
    k_range: tuple[ClusterCount, ClusterCount] = Field(
        (2, 6), description="[smallest, largest] k tried by the silhouette when k is not given."
    )

    @field_validator("k_range")
    @classmethod
    def _ordered(cls, k_range: tuple[int, int]) -> tuple[int, int]:
        if k_range[0] > k_range[1]:
            raise fail(
                f"expected [smallest, largest] with smallest <= largest, got {list(k_range)}"
            )
        return k_range

    @model_validator(mode="after")
    def _k_or_range(self) -> _Clusters:
        if self.k is not None and "k_range" in self.model_fields_set:
            raise fail("give k or k_range, not both (k_range is searched only without k)",
                       at=("k_range",))  # fmt: skip
        return self

    def tier_labels(self) -> tuple[str, ...] | None:
        return None if self.k is None else tuple(chr(ord("A") + i) for i in range(self.k))

    def run(self, ctx: MethodContext) -> MethodOutput:
        # silhouette=False: no silhouette for the final k (O(n²) on a 10 000-row subsample,
        # ~3-5 s) since no result shows it; a k_range still chooses k by silhouette
        tiers = cluster_tiers(ctx.indicator_scores, method=self.method, k=self.k,
                              k_range=tuple(self.k_range), seed=ctx.seed, weights=ctx.weights,
                              silhouette=False)  # fmt: skip
        return MethodOutput(tiers)


@register
class KMeans(_Clusters):
    """k-means (scikit-learn, k-means++ seeded)."""

    method = "kmeans"


@register
class GMM(_Clusters):
    """Gaussian mixture (scikit-learn, full covariance)."""

    method = "gmm"


@register
class Ward(_Clusters):
    """Ward's agglomerative clustering (subsampled beyond 20 000 customers)."""

    method = "ward"
