"""A finished run's quality charts and the confusion cell a click picks: the reliability bins
and their calibration error on probabilities where the answer is known, the precision-recall
curves, and the click event (it comes from the browser) read as data."""

from __future__ import annotations

import numpy as np
import pytest

from dashboard.training import charts, evaluation


def test_reliability_bins_and_calibration_error_on_known_probabilities():
    # Ten images at 0.95 confidence, 8 right; ten at 0.55, 5 right.
    probs = np.array([[0.95, 0.05]] * 10 + [[0.55, 0.45]] * 10)
    truth = np.array([0] * 8 + [1] * 2 + [0] * 5 + [1] * 5)
    found = evaluation.reliability(truth, probs)
    assert [(b.low, b.count) for b in found.bins] == [(pytest.approx(0.5), 10), (0.9, 10)]
    assert [b.accuracy for b in found.bins] == [0.5, 0.8]
    assert found.expected_error == pytest.approx((10 * 0.05 + 10 * 0.15) / 20)
    calibrated = evaluation.reliability(np.array([0, 0, 1, 0]), np.array([[0.75, 0.25]] * 4))
    assert calibrated.expected_error == pytest.approx(0.0)


def test_precision_recall_per_class_matches_scikit_learn_and_skips_absent_classes():
    from sklearn.metrics import average_precision_score

    rng = np.random.default_rng(0)
    probs = rng.dirichlet(np.ones(3), 50)
    truth = rng.integers(0, 2, 50)  # class 2 never occurs
    curves = evaluation.precision_recall(truth, probs, ["a", "b", "c"])
    assert [c.cls for c in curves] == ["a", "b"]
    assert curves[1].average_precision == pytest.approx(
        average_precision_score(truth == 1, probs[:, 1])
    )
    assert curves[0].recall[0] == 1.0 and curves[0].recall[-1] == 0.0


def click(customdata) -> dict:
    return {"selection": {"points": [{"customdata": customdata}]}}


def test_a_click_names_its_cell_and_a_forged_event_names_none():
    fig = charts.confusion_heatmap([[3, 1], [0, 4]], ["a", "b"], clickable=True)
    targets = fig.data[1]
    assert list(targets.customdata[1]) == [0, 1]  # the marker on row a, column b
    assert charts.clicked_cell(click(list(targets.customdata[1])), 2) == (0, 1)
    for forged in ([2, 0], [-1, 0], ["0", "x"], [0], None, "../0", [10**9, 1]):
        assert charts.clicked_cell(click(forged), 2) is None, forged
    for junk in (None, {}, {"selection": {"points": []}}, {"selection": None}, "x"):
        assert charts.clicked_cell(junk, 2) is None
    assert len(charts.confusion_heatmap([[1]], ["a"]).data) == 1  # not clickable: no markers
