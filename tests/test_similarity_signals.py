"""Each similarity signal moves the right way on constructed features, and the scores map sanely."""

from __future__ import annotations

import numpy as np
import pytest

from dashboard.advisor import signals as sig

RNG = np.random.default_rng(0)


def one_hot_probs(top1: np.ndarray, sharpness: float = 0.9) -> np.ndarray:
    probs = np.full((len(top1), 1000), (1 - sharpness) / 999)
    probs[np.arange(len(top1)), top1] = sharpness
    return probs


def test_imagenet_classes_seen_counts_how_many_things_the_classifier_names():
    all_matchstick = one_hot_probs(np.full(100, 644))
    many_things = one_hot_probs(RNG.integers(0, 1000, 100))
    four_things = one_hot_probs(np.repeat([1, 2, 3, 4], 25))
    assert sig.imagenet_classes_seen(all_matchstick) == pytest.approx(1.0)
    assert sig.imagenet_classes_seen(four_things) == pytest.approx(4.0)
    assert sig.imagenet_classes_seen(many_things) > 50
    spec = sig.SPECS["imagenet_classes"]
    assert sig.score(spec, 1.0) == 0.0 and sig.score(spec, 80) == 1.0


def clustered(n_per_class: int, n_classes: int, dims: int, separation: float) -> tuple:
    centres = RNG.normal(size=(n_classes, dims)) * separation
    labels = np.repeat(np.arange(n_classes), n_per_class)
    return centres[labels] + RNG.normal(size=(len(labels), dims)), labels


def test_transfer_lift_is_high_when_only_pretrained_features_separate_the_classes():
    separable, labels = clustered(30, 4, 16, separation=3.0)
    noise = RNG.normal(size=separable.shape)  # "random weights": nothing about the classes
    pre = sig.probe_accuracy(separable, labels)
    rnd = sig.probe_accuracy(noise, labels)
    assert pre > 0.9 and rnd < 0.5
    lift = sig.transfer_lift(pre, rnd, 4)
    assert lift > 3
    assert sig.score(sig.SPECS["transfer_lift"], lift) > 0.5


def test_transfer_lift_is_near_one_when_random_features_do_as_well():
    separable, labels = clustered(30, 4, 16, separation=3.0)
    also_separable = separable @ RNG.normal(size=(16, 16))  # another view, same information
    lift = sig.transfer_lift(
        sig.probe_accuracy(separable, labels), sig.probe_accuracy(also_separable, labels), 4
    )
    assert lift == pytest.approx(1.0, abs=0.1)
    assert sig.score(sig.SPECS["transfer_lift"], lift) < 0.5


def test_transfer_lift_with_a_random_network_at_chance_does_not_divide_by_zero():
    assert sig.transfer_lift(0.9, 0.25, 4) == pytest.approx(0.65 / 0.01)
    assert sig.transfer_lift(0.2, 0.6, 4) == 0.0  # worse than chance counts as no lift


def test_probe_needs_two_images_per_class():
    with pytest.raises(ValueError, match="at least 2 images"):
        sig.probe_accuracy(np.zeros((3, 2)), np.array([0, 0, 1]))


def test_silent_channels_counts_detectors_that_stop_responding():
    reference = RNG.uniform(0.5, 2.0, size=(120, 64))  # ReLU-like, every channel responds
    assert sig.silent_channels(reference[:60], reference[60:]) == 0.0
    quiet = reference[:60].copy()
    quiet[:, :32] *= 0.01  # half the detectors go silent
    assert sig.silent_channels(quiet, reference) == pytest.approx(0.5)
    spec = sig.SPECS["silent_channels"]
    assert sig.score(spec, 0.0) == 1.0 and sig.score(spec, 0.5) == 0.0


def test_silent_channels_measures_from_the_floor_so_negative_activations_work():
    reference = RNG.uniform(-0.3, 1.5, size=(120, 10))  # swish-like: goes below zero
    at_floor = np.full((50, 10), reference.min(axis=0))
    assert sig.silent_channels(at_floor, reference) == 1.0
    assert sig.silent_channels(reference, reference) == 0.0


def test_channels_dead_on_photos_are_ignored():
    reference = np.concatenate([RNG.uniform(1, 2, (100, 4)), np.zeros((100, 4))], axis=1)
    features = np.concatenate([RNG.uniform(1, 2, (30, 4)), np.zeros((30, 4))], axis=1)
    assert sig.silent_channels(features, reference) == 0.0


@pytest.mark.parametrize("key", list(sig.SPECS))
def test_score_is_monotonic_and_half_at_the_threshold(key):
    spec = sig.SPECS[key]
    assert sig.score(spec, spec.threshold) == pytest.approx(0.5)
    assert sig.score(spec, spec.different) == pytest.approx(0.0)
    assert sig.score(spec, spec.similar) == pytest.approx(1.0)
    values = np.linspace(spec.different, spec.similar, 25)
    scores = [sig.score(spec, v) for v in values]
    assert scores == sorted(scores)


def test_stratified_sample_keeps_every_class_and_is_repeatable():
    labels = np.array([0] * 900 + [1] * 90 + [2] * 10)
    rows = sig.stratified_sample(labels, 100)
    assert 95 <= len(rows) <= 105
    assert set(labels[rows]) == {0, 1, 2}
    assert np.array_equal(rows, sig.stratified_sample(labels, 100))
    assert np.array_equal(sig.stratified_sample(labels[:50], 100), np.arange(50))
