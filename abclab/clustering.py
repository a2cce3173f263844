"""Cluster-based tiers: k-means, Gaussian mixture or Ward clusters ordered into A/B/C... tiers.

Clustering finds groups of customers with similar criteria; it does not know which group is
"best". abclab orders the clusters by a *centroid score*, the weighted mean of the cluster
centre's standardised coordinates,

.. math:: s_c = \\frac{\\sum_j w_j \\, z_{cj}}{\\sum_j |w_j|},
          \\qquad z_{cj} = \\frac{\\mu_{cj} - \\bar x_j}{\\sigma_j},

and gives the cluster with the highest score the first tier ("A"), the next one "B", and so
on. A negative weight marks a cost criterion (lower is better).

When ``k`` is not given it is chosen by the mean silhouette coefficient (Rousseeuw 1987) over
``k_range``. For speed both the candidate fits and the silhouette are computed on a seeded random
subsample of at most ``sample_size`` rows (10 000 by default; the silhouette is O(n²)); the final
model with the chosen ``k`` is then fitted on all rows.

References
----------
Rousseeuw, P. J. (1987). Silhouettes: a graphical aid to the interpretation and validation of
cluster analysis. *Journal of Computational and Applied Mathematics*, 20, 53-65.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.cluster import AgglomerativeClustering, KMeans
from sklearn.metrics import silhouette_score
from sklearn.mixture import GaussianMixture
from sklearn.utils.validation import check_is_fitted, validate_data

from abclab.exceptions import InputDataError

__all__ = ["ClusterTiers", "cluster_tiers"]

Method = Literal["kmeans", "gmm", "ward"]
_METHODS = ("kmeans", "gmm", "ward")
#: Largest number of rows Ward linkage is run on directly (it needs O(n²) memory); larger
#: inputs are fitted on a seeded subsample and the remaining rows go to the nearest centroid.
WARD_MAX_ROWS = 20_000


def _default_labels(k: int) -> list[str]:
    return [chr(ord("A") + i) for i in range(k)]


def _fit_labels(method: str, X: np.ndarray, k: int, seed: int) -> tuple[np.ndarray, Any]:
    """Cluster ``X`` into ``k`` groups; return (labels 0..k-1, fitted model) without validation."""
    if method == "kmeans":
        model = KMeans(n_clusters=k, random_state=seed, n_init="auto").fit(X)
        return model.labels_, model
    if method == "gmm":
        model = GaussianMixture(n_components=k, random_state=seed).fit(X)
        return model.predict(X), model
    model = AgglomerativeClustering(n_clusters=k, linkage="ward").fit(X)
    return model.labels_, None


def _centers(X: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """Mean of each cluster (k, m); an empty cluster gets NaN."""
    counts = np.bincount(labels, minlength=k).astype(float)
    sums = np.column_stack([np.bincount(labels, weights=col, minlength=k) for col in X.T])
    with np.errstate(invalid="ignore", divide="ignore"):
        return sums / counts[:, None]


def _nearest(X: np.ndarray, centers: np.ndarray) -> np.ndarray:
    """Index of the nearest centre (squared Euclidean) for every row of ``X``."""
    d2 = (X**2).sum(1)[:, None] - 2.0 * X @ centers.T + (centers**2).sum(1)[None, :]
    return np.argmin(d2, axis=1)


class ClusterTiers(BaseEstimator):
    """Cluster customers and order the clusters into tiers by centroid score.

    Parameters
    ----------
    method : {"kmeans", "gmm", "ward"}
        k-means (scikit-learn ``KMeans``, k-means++ start), Gaussian mixture (``GaussianMixture``,
        full covariance) or Ward agglomerative clustering (``AgglomerativeClustering``).
    k : int or None
        Number of clusters (= tiers). ``None`` chooses it by silhouette over ``k_range``, unless
        ``labels`` are given, in which case ``k = len(labels)``.
    k_range : (int, int)
        Inclusive range of ``k`` searched by silhouette.
    seed : int
        Seed for the clustering and for the silhouette subsample.
    weights : sequence, mapping or None
        Weight of each column in the centroid score (equal if None). A mapping is matched to
        column names when fitted on a DataFrame. Negative weight = cost criterion.
    labels : sequence of str or None
        Tier labels, best first; default "A", "B", "C", ...
    standardise : bool
        Standardise columns (z-scores) before clustering. Centroid scores always use
        standardised coordinates.
    sample_size : int
        Maximum rows used to choose ``k`` by silhouette (and to fit Ward on large inputs).
    silhouette : bool
        When ``k`` is given, still compute ``silhouette_`` (on at most ``sample_size`` rows;
        about 1 s for 10 000 rows). ``False`` skips it (``silhouette_`` is NaN).

    Attributes
    ----------
    labels_ : ndarray of int, shape (n,)
        Cluster of each training row (0..k-1, in the clustering algorithm's numbering).
    tiers_ : ndarray of str, shape (n,)
        Tier label of each training row.
    centers_ : ndarray, shape (k, m)
        Cluster means in the original units of the input.
    centroid_scores_ : ndarray, shape (k,)
        Centroid score of each cluster (formula in the module docstring).
    tier_of_cluster_ : ndarray of str, shape (k,)
        Tier label of each cluster.
    k_ : int
        Number of clusters used.
    silhouette_ : float
        Mean silhouette of the chosen clustering (on the subsample when ``k`` was searched,
        else on at most ``sample_size`` rows); NaN if undefined.
    silhouette_by_k_ : dict
        Silhouette for each candidate ``k`` (only ``{k_: silhouette_}`` when ``k`` was given).
    tier_labels_ : list of str
        Tier labels, best first.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.0], [0.1, 0.0], [5.0, 5.0], [5.1, 5.0]])
    >>> model = ClusterTiers(k=2).fit(X)
    >>> model.tiers_.tolist()
    ['B', 'B', 'A', 'A']
    """

    def __init__(
        self,
        *,
        method: Method = "kmeans",
        k: int | None = None,
        k_range: tuple[int, int] = (2, 6),
        seed: int = 0,
        weights: Sequence[float] | Mapping[str, float] | None = None,
        labels: Sequence[str] | None = None,
        standardise: bool = True,
        sample_size: int = 10_000,
        silhouette: bool = True,
    ) -> None:
        self.method = method
        self.k = k
        self.k_range = k_range
        self.seed = seed
        self.weights = weights
        self.labels = labels
        self.standardise = standardise
        self.sample_size = sample_size
        self.silhouette = silhouette

    # -- validation -----------------------------------------------------------------------
    def _check_params(self, n: int) -> tuple[int | None, list[int]]:
        if self.method not in _METHODS:
            raise ValueError(f"method={self.method!r}: expected one of {_METHODS}.")
        k = self.k
        if k is None and self.labels is not None:
            k = len(self.labels)
        if k is not None:
            if int(k) != k or k < 1:
                raise ValueError(f"k={k!r}: expected a positive integer.")
            if k > n:
                raise ValueError(f"k={k} clusters but only n_samples={n} rows; need k <= n.")
            return int(k), [int(k)]
        lo, hi = self.k_range
        hi = min(hi, n - 1)
        if lo < 2 or hi < lo:
            raise ValueError(
                f"k_range={self.k_range!r} with n_samples={n}: need 2 <= low <= high <= n-1."
            )
        return None, list(range(lo, hi + 1))

    def _weight_vector(self, m: int) -> np.ndarray:
        w = self.weights
        if w is None:
            return np.ones(m)
        if isinstance(w, Mapping):
            names = getattr(self, "feature_names_in_", None)
            if names is None:
                raise ValueError("weights given as a mapping need a DataFrame with column names.")
            missing = [c for c in names if c not in w]
            if missing:
                raise ValueError(f"weights: no weight for column(s) {missing}.")
            w = [w[c] for c in names]
        arr = np.asarray(w, dtype=float)
        if arr.shape != (m,) or not np.all(np.isfinite(arr)) or not np.any(arr != 0):
            raise ValueError(
                f"weights: expected {m} finite numbers, not all zero; got {np.asarray(w)!r}."
            )
        return arr

    # -- fitting ---------------------------------------------------------------------------
    def fit(self, X: Any, y: Any = None) -> ClusterTiers:
        """Cluster ``X`` (rows = customers, columns = criteria) and order clusters into tiers."""
        X = validate_data(self, X, dtype=np.float64, order="C", ensure_min_samples=2)
        n, m = X.shape
        k, candidates = self._check_params(n)
        w = self._weight_vector(m)
        self.mean_ = X.mean(axis=0)
        scale = X.std(axis=0)
        self.scale_ = np.where(scale > 0, scale, 1.0)
        Z = (X - self.mean_) / self.scale_
        Xc = Z if self.standardise else X
        rng = np.random.default_rng(self.seed)
        sub = (
            np.sort(rng.choice(n, self.sample_size, replace=False))
            if n > self.sample_size
            else None
        )
        Xs = Xc if sub is None else Xc[sub]

        self.silhouette_by_k_ = {}
        if k is None:
            for cand in candidates:
                lab, _ = _fit_labels(self.method, Xs, cand, self.seed)
                ok = 1 < len(np.unique(lab)) < len(Xs)
                self.silhouette_by_k_[cand] = float(silhouette_score(Xs, lab)) if ok else np.nan
            scores = np.array(list(self.silhouette_by_k_.values()))
            if np.all(np.isnan(scores)):
                raise InputDataError("cannot choose k: every candidate clustering is degenerate.")
            k = candidates[int(np.nanargmax(scores))]

        if self.method == "ward" and sub is not None and n > WARD_MAX_ROWS:
            lab_sub, _ = _fit_labels("ward", Xs, k, self.seed)
            labels, self.model_ = _nearest(Xc, _centers(Xs, lab_sub, k)), None
        else:
            labels, self.model_ = _fit_labels(self.method, Xc, k, self.seed)
        self.k_ = k
        self.labels_ = np.asarray(labels, dtype=np.int64)
        if k not in self.silhouette_by_k_ and not self.silhouette:
            self.silhouette_by_k_[k] = np.nan
        elif k not in self.silhouette_by_k_:
            lab_s = self.labels_ if sub is None else self.labels_[sub]
            ok = 1 < len(np.unique(lab_s)) < len(Xs)
            self.silhouette_by_k_[k] = float(silhouette_score(Xs, lab_s)) if ok else np.nan
        self.silhouette_ = self.silhouette_by_k_[k]

        self.centers_ = _centers(X, self.labels_, k)
        z_centers = _centers(Z, self.labels_, k)
        self._fit_centers = z_centers if self.standardise else self.centers_
        self.centroid_scores_ = np.nan_to_num(z_centers @ w / np.abs(w).sum(), nan=-np.inf)
        self.tier_labels_ = self._tier_labels(k)
        order = np.argsort(-self.centroid_scores_, kind="stable")
        rank = np.empty(k, dtype=np.int64)
        rank[order] = np.arange(k)
        self.tier_of_cluster_ = np.asarray(self.tier_labels_, dtype=object)[rank]
        self.tiers_ = self.tier_of_cluster_[self.labels_]
        return self

    def _tier_labels(self, k: int) -> list[str]:
        if self.labels is None:
            return _default_labels(k)
        labels = [str(x) for x in self.labels]
        if len(labels) != k or len(set(labels)) != k:
            raise ValueError(f"labels={labels!r}: expected {k} distinct tier labels for k={k}.")
        return labels

    def predict(self, X: Any) -> np.ndarray:
        """Tier label of each row of ``X``.

        k-means and Gaussian mixture use their own ``predict`` (nearest centre; highest
        posterior component). Ward has no predict, so it uses the nearest cluster mean in the
        clustered space (also used for Ward fitted on a subsample).
        """
        check_is_fitted(self, "tier_of_cluster_")
        X = validate_data(self, X, dtype=np.float64, order="C", reset=False)
        Xc = (X - self.mean_) / self.scale_ if self.standardise else X
        if self.model_ is not None:
            return self.tier_of_cluster_[self.model_.predict(Xc)]
        centers = np.nan_to_num(self._fit_centers, nan=np.inf)
        return self.tier_of_cluster_[_nearest(Xc, centers)]

    def fit_predict(self, X: Any, y: Any = None) -> np.ndarray:
        """Fit and return the tier of each training row."""
        return self.fit(X).tiers_


def cluster_tiers(
    frame: pd.DataFrame,
    *,
    method: Method = "kmeans",
    k: int | None = None,
    k_range: tuple[int, int] = (2, 6),
    seed: int = 0,
    weights: Sequence[float] | Mapping[str, float] | pd.Series | None = None,
    labels: Sequence[str] | None = None,
    standardise: bool = True,
    silhouette: bool = True,
) -> pd.Series:
    """Tiers from clustering, ordered best first by centroid score.

    Thin wrapper around :class:`ClusterTiers` (see it for the parameters and the module
    docstring for the centroid-score formula and the silhouette choice of ``k``).

    Parameters
    ----------
    frame : DataFrame
        Customers as rows, numeric criteria as columns (all columns are used; no missing values).

    Returns
    -------
    Series
        Ordered Categorical aligned to ``frame.index``, categories best first, name = method.
        ``attrs``: ``cut_points`` (empty: clusters have no cut points), ``k``, ``silhouette``,
        ``centroid_scores`` (tier → score).

    Raises
    ------
    InputDataError
        If a column is not numeric or has missing values (names the column).
    """
    if not isinstance(frame, pd.DataFrame):
        raise InputDataError(f"frame: expected a pandas DataFrame, got {type(frame).__name__}.")
    for col in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[col]):
            raise InputDataError(
                f"column {col!r}: expected numbers, found dtype {frame[col].dtype}."
            )
        bad = frame.index[frame[col].isna().to_numpy()]
        if len(bad):
            raise InputDataError(
                f"column {col!r}: {len(bad)} missing value(s), first at row {bad[0]!r}; "
                "impute or drop them (e.g. abclab.cleaning) before clustering."
            )
    if isinstance(weights, pd.Series):
        weights = weights.to_dict()
    model = ClusterTiers(
        method=method,
        k=k,
        k_range=k_range,
        seed=seed,
        weights=weights,
        labels=labels,
        standardise=standardise,
        silhouette=silhouette,
    ).fit(frame)
    codes = np.asarray([model.tier_labels_.index(t) for t in model.tier_of_cluster_])[model.labels_]
    cat = pd.Categorical.from_codes(codes, categories=model.tier_labels_, ordered=True)
    out = pd.Series(cat, index=frame.index, name=method)
    order = np.argsort(-model.centroid_scores_, kind="stable")
    out.attrs = {
        "cut_points": {},
        "k": int(model.k_),
        "silhouette": float(model.silhouette_),
        "centroid_scores": {
            str(model.tier_of_cluster_[c]): float(model.centroid_scores_[c]) for c in order
        },
    }
    return out
