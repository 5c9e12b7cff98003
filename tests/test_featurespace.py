"""Feature space: the map (pretrained beside random weights), neighbours, likely label
problems and near-duplicates. Logic on small synthetic vectors; the claims about pretrained
features on flowers-mini with the shared MobileNet weights, through the service and the page."""

from __future__ import annotations

import json

import numpy as np
import pytest

from dashboard import featurespace
from dashboard.featurespace import embedding, neighbours
from tests.conftest import clusters, no_exception

# The claims about pretrained features use the stronger shared backbone: MobileNet α=0.25's
# features reach 0.50 out-of-fold on flowers-mini (MobileNetV2: 0.55; plain Keras on the true
# labels: 0.61), too weak to single out a wrong label reliably.
BACKBONE = "MobileNetV2"


@pytest.mark.parametrize("method", featurespace.METHODS)
def test_embed_gives_one_point_per_image_and_keeps_clusters_apart(method):
    x, labels = clusters()
    points = featurespace.embed(x, method)
    assert points.shape == (len(x), 2) and np.isfinite(points).all()
    assert featurespace.charts.separation(points, labels) > 0.5


def test_a_tiny_set_still_maps():
    assert featurespace.embed(np.ones((2, 4)), "t-SNE").shape == (2, 2)
    assert featurespace.embed(np.random.rand(5, 1), "PCA").shape == (5, 2)


def test_sampling_keeps_every_class_in_its_share():
    labels = np.array([0] * 900 + [1] * 90 + [2] * 10)
    rows = embedding.sample_rows(labels, limit=100)
    counts = np.bincount(labels[rows])
    assert len(rows) == 100 and counts.tolist() == [90, 9, 1]
    assert embedding.sample_rows(labels, limit=5000).tolist() == list(range(1000))


def test_sampling_maps_at_most_its_limit_where_each_share_rounds_up():
    labels = np.random.default_rng(0).integers(0, 10, 20_000)  # each share x.5-ish: 3,001 before
    rows = embedding.sample_rows(labels, limit=3000)
    assert len(rows) == 3000 == len(set(rows.tolist())) and set(labels[rows]) == set(range(10))


def test_a_mislabelled_point_is_a_suspect_and_correct_ones_are_not():
    x, labels = clusters()
    labels = labels.copy()
    labels[5] = 2  # a class-0 point labelled 2
    found = neighbours.suspects(x, labels)
    assert [(s.index, s.label, s.likely) for s in found] == [(5, 2, 0)]
    assert found[0].given_probability < 0.15 < 0.5 < found[0].likely_probability
    assert found[0].neighbours_share == 1.0


def test_near_duplicates_are_pairs_of_different_files_only():
    x = np.random.default_rng(0).normal(0, 1, (60, 16))
    x = np.concatenate([x, x[:2] * 1.001, x[3:4]])  # two near copies and one exact copy
    hashes = [f"h{i}" for i in range(len(x) - 1)] + ["h3"]  # the exact copy is the same file
    pairs = {(p.first, p.second) for p in neighbours.near_duplicates(x, hashes)}
    n = len(x)
    assert pairs == {(0, n - 3), (1, n - 2)}


def test_nearest_leaves_the_image_itself_out():
    x, labels = clusters()
    near = featurespace.nearest(x, 0)  # nearest() takes raw features and centres them
    assert len(near) == neighbours.K and all(i != 0 for i, _ in near)
    assert all(labels[i] == 0 for i, _ in near)


# -- real photos, real weights ---------------------------------------------------------------
def test_pretrained_features_separate_flowers_better_and_find_the_planted_labels(
    planted, warm_features
):
    settings, manifest, moved = planted
    fmap = featurespace.feature_map(settings, manifest, BACKBONE, "t-SNE")
    assert len(fmap.rows) == fmap.total == len(manifest.records("train", "val"))
    sep = fmap.separation
    assert list(sep) == ["Pretrained (ImageNet)", "Same network, random weights"]
    assert sep["Pretrained (ImageNet)"] > sep["Same network, random weights"] + 0.05, sep
    found = fmap.suspects
    suspects = {fmap.records[s.index].original for s in found}
    # Two of the three planted daisies are flagged (the third looks like a tulip to the probe
    # too: p = 0.58), both among the ten clearest; the first is pointed back to daisy.
    assert len(set(moved) & suspects) >= 2, (moved, sorted(suspects))
    ranks = [i for i, s in enumerate(found) if fmap.records[s.index].original in moved]
    assert ranks[1] < 10, ranks
    daisy = manifest.classes.index("daisy")
    assert found[ranks[0]].likely == daisy, found[ranks[0]]
    again = featurespace.feature_map(settings, manifest, BACKBONE, "t-SNE")
    assert all(np.array_equal(again.panels[t], fmap.panels[t]) for t in sep)  # cached


def test_the_page_maps_both_panels_one_trace_per_class_and_lists_the_planted(
    planted, warm_features, shared_weights_env, train_page
):
    settings, manifest, moved = planted
    at = train_page
    at.selectbox(key="train_backbone").set_value(BACKBONE).run()
    at.button(key=f"fs_go_{manifest.id}").click().run()
    no_exception(at)
    spec = next(
        json.loads(c.proto.spec) for c in at.get("plotly_chart") if "random weights" in c.proto.spec
    )
    traces = spec["data"]
    assert len(traces) == 2 * len(manifest.classes)
    assert {t["name"] for t in traces} == set(manifest.classes)
    assert {t["xaxis"] for t in traces} == {"x", "x2"}
    table = next(df.value for df in at.dataframe if "features say" in df.value.columns)
    assert len(set(moved) & set(table["file"])) >= 2, table
