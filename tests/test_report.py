"""Stakeholder reports: one HTML file with every part the issue lists, that needs no network."""

from __future__ import annotations

import re

import pytest

from dashboard import report, training
from tests.conftest import wait
from tests.tiny_training import config, tiny_dataset, tiny_settings


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    from tests.conftest import WEIGHTS_DIR

    if not WEIGHTS_DIR.is_dir():
        pytest.skip("shared weights missing")
    settings = tiny_settings(tmp_path_factory.mktemp("report"), WEIGHTS_DIR)
    manifest = tiny_dataset(settings)
    jm = training.manager(settings)
    runs = [
        wait(jm, jm.submit(config(manifest, s, epochs=2))[0].id) for s in ("linear_head", "scratch")
    ]
    assert all(r.status == "finished" for r in runs), [r.message for r in runs]
    return settings, manifest, runs


def offline(page: str) -> None:
    """No script, style or image is fetched from anywhere."""
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=[\"']?https?:", page)
    assert "<script src" not in page and page.count("<script>") >= 2  # plotly.js is inlined


def test_a_run_report_holds_every_part_and_opens_offline(finished):
    settings, manifest, runs = finished
    page = report.run_report(settings, runs[0].id)
    offline(page)
    for part in (
        "Training curves",
        "confusion matrix",
        "Advisor",
        f"Data: {manifest.name}",
        "Model card",
        "classes (output order)",
        "64×64 RGB, float32 0–255",  # the input contract every export shares
        "Settings",
    ):
        assert part in page, part
    assert page.count("Plotly.newPlot") == 2  # the curves and the confusion matrix
    assert "<td>red</td>" in page and "linear_head" in page
    assert "Not measured for this backbone" in page  # the advisor was not asked


def test_a_comparison_report_draws_every_run(finished):
    settings, _, runs = finished
    page = report.comparison_report(settings, [r.id for r in runs], [{"run": "x", "speed-up": 2.0}])
    offline(page)
    assert all(r.name in page for r in runs) and "speed-up" in page
    assert page.count("Plotly.newPlot") == 1
