"""Tests for abclab.clustering (cluster tiers ordered by centroid score)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans
from sklearn.utils.estimator_checks import parametrize_with_checks

from abclab.clustering import ClusterTiers, cluster_tiers
from abclab.exceptions import InputDataError


def _blobs(centres, n_per=30, sd=0.2, seed=0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    parts = [rng.normal(c, sd, size=(n_per, len(c))) for c in centres]
    return pd.DataFrame(np.vstack(parts), columns=[f"x{i}" for i in range(len(centres[0]))])


@pytest.fixture
def three_blobs() -> pd.DataFrame:
    # rows 0-29 around (0, 0), 30-59 around (5, 5), 60-89 around (10, 10)
    return _blobs([(0.0, 0.0), (5.0, 5.0), (10.0, 10.0)])


def test_hand_checked_tiers_small():
    """Six points in two obvious groups; the high group must be tier A (checked by hand)."""
    frame = pd.DataFrame(
        {"spend": [1.0, 1.2, 0.8, 9.0, 9.5, 10.0], "margin": [2.0, 2.1, 1.9, 8.0, 8.2, 7.9]},
        index=list("uvwxyz"),
    )
    tiers = cluster_tiers(frame, k=2)
    assert tiers.tolist() == ["B", "B", "B", "A", "A", "A"]
    assert list(tiers.index) == list("uvwxyz")
    assert tiers.cat.ordered and list(tiers.cat.categories) == ["A", "B"]
    assert tiers.name == "kmeans"


@pytest.mark.parametrize("method", ["kmeans", "gmm", "ward"])
def test_blobs_ordered_by_centroid(three_blobs, method):
    tiers = cluster_tiers(three_blobs, method=method, k=3)
    expected = ["C"] * 30 + ["B"] * 30 + ["A"] * 30
    assert tiers.tolist() == expected
    scores = list(tiers.attrs["centroid_scores"].values())
    assert scores == sorted(scores, reverse=True)
    assert list(tiers.attrs["centroid_scores"]) == ["A", "B", "C"]


def test_negative_weight_reverses_order(three_blobs):
    """A cost criterion (negative weight on every column) turns the order upside down."""
    tiers = cluster_tiers(three_blobs, k=3, weights={"x0": -1.0, "x1": -1.0})
    assert tiers.iloc[0] == "A" and tiers.iloc[89] == "C"


def test_weights_decide_order_on_a_trade_off():
    """Group 1 is high on x0, group 2 high on x1: the heavier criterion wins tier A."""
    frame = _blobs([(10.0, 0.0), (0.0, 10.0)], n_per=20)
    by_x0 = cluster_tiers(frame, k=2, weights=[0.8, 0.2])
    by_x1 = cluster_tiers(frame, k=2, weights=[0.2, 0.8])
    assert by_x0.iloc[0] == "A" and by_x0.iloc[-1] == "B"
    assert by_x1.iloc[0] == "B" and by_x1.iloc[-1] == "A"


@pytest.mark.parametrize("true_k", [2, 3, 4])
def test_silhouette_recovers_true_k(true_k):
    centres = [(6.0 * i, 3.0 * (i % 2)) for i in range(true_k)]
    frame = _blobs(centres, n_per=40, sd=0.3, seed=true_k)
    model = ClusterTiers(k_range=(2, 6)).fit(frame)
    assert model.k_ == true_k
    assert set(model.silhouette_by_k_) == {2, 3, 4, 5, 6}
    assert model.silhouette_ == max(model.silhouette_by_k_.values())


def test_silhouette_subsample_large_input():
    """Above sample_size rows, k is chosen on a subsample; clear blobs still give k=3."""
    frame = _blobs([(0.0, 0.0), (5.0, 5.0), (10.0, 0.0)], n_per=400, sd=0.4)
    model = ClusterTiers(sample_size=300, k_range=(2, 4)).fit(frame)
    assert model.k_ == 3
    assert len(model.labels_) == 1200


def test_ward_large_input_uses_subsample_and_nearest_centroid(monkeypatch):
    import abclab.clustering as mod

    monkeypatch.setattr(mod, "WARD_MAX_ROWS", 100)
    frame = _blobs([(0.0, 0.0), (5.0, 5.0)], n_per=200)
    model = ClusterTiers(method="ward", k=2, sample_size=150).fit(frame)
    assert model.tiers_.tolist() == ["B"] * 200 + ["A"] * 200


def test_seeded_reproducibility(three_blobs):
    for method, k in (("gmm", 3), ("kmeans", None)):
        a = cluster_tiers(three_blobs, method=method, k=k, seed=7)
        b = cluster_tiers(three_blobs, method=method, k=k, seed=7)
        pd.testing.assert_series_equal(a, b)
        assert a.attrs == b.attrs


def test_labels_given_fix_k(three_blobs):
    tiers = cluster_tiers(three_blobs, labels=["gold", "silver", "bronze"])
    assert list(tiers.cat.categories) == ["gold", "silver", "bronze"]
    assert tiers.iloc[-1] == "gold" and tiers.iloc[0] == "bronze"


def test_estimator_attributes_and_predict(three_blobs):
    model = ClusterTiers(k=3).fit(three_blobs)
    assert model.k_ == 3
    assert model.centers_.shape == (3, 2)
    assert sorted(model.tier_of_cluster_.tolist()) == ["A", "B", "C"]
    # centres in original units: the tier-A centre is near (10, 10)
    a_centre = model.centers_[list(model.tier_of_cluster_).index("A")]
    np.testing.assert_allclose(a_centre, [10.0, 10.0], atol=0.2)
    new = pd.DataFrame({"x0": [9.8, 0.1, 5.2], "x1": [10.1, -0.2, 4.9]})
    assert model.predict(new).tolist() == ["A", "C", "B"]
    assert model.fit_predict(three_blobs).tolist() == model.tiers_.tolist()


def test_silhouette_can_be_skipped(three_blobs):
    tiers = cluster_tiers(three_blobs, k=3, silhouette=False)
    assert np.isnan(tiers.attrs["silhouette"])
    assert tiers.tolist() == cluster_tiers(three_blobs, k=3).tolist()


def test_kmeans_labels_match_bare_sklearn(three_blobs):
    """Same seed and standardisation: the partition equals a bare KMeans fit."""
    X = three_blobs.to_numpy()
    Z = (X - X.mean(0)) / X.std(0)
    bare = KMeans(n_clusters=3, random_state=0, n_init="auto").fit(Z).labels_
    model = ClusterTiers(k=3).fit(three_blobs)
    np.testing.assert_array_equal(model.labels_, bare)


def test_bad_input_errors(three_blobs):
    with pytest.raises(InputDataError, match="column 'x1': 1 missing value"):
        cluster_tiers(three_blobs.assign(x1=three_blobs["x1"].where(three_blobs.index != 4)))
    with pytest.raises(InputDataError, match="column 'name': expected numbers"):
        cluster_tiers(three_blobs.assign(name="a"))
    with pytest.raises(ValueError, match="k=200 clusters but only n_samples=90"):
        cluster_tiers(three_blobs, k=200)
    with pytest.raises(ValueError, match="method='dbscan'"):
        cluster_tiers(three_blobs, method="dbscan")
    with pytest.raises(ValueError, match=r"weights: no weight for column\(s\) \['x1'\]"):
        cluster_tiers(three_blobs, weights={"x0": 1.0})
    with pytest.raises(ValueError, match="expected 3 distinct tier labels"):
        cluster_tiers(three_blobs, k=3, labels=["a", "b"])


# scikit-learn's estimator checks. ``predict`` returns tier labels (strings): four checks compare
# predictions numerically (assert_allclose on ``a - b``) and cannot pass on strings.
_STRING_PREDICT = "predict returns tier label strings; the check subtracts predictions"


@parametrize_with_checks(
    [ClusterTiers(k_range=(2, 3)), ClusterTiers(method="ward", k=2)],
    expected_failed_checks=lambda est: {
        "check_estimators_pickle": _STRING_PREDICT,
        "check_methods_sample_order_invariance": _STRING_PREDICT,
        "check_methods_subset_invariance": _STRING_PREDICT,
        "check_fit_idempotent": _STRING_PREDICT,
    },
)
def test_sklearn_compatible(estimator, check):
    check(estimator)
