"""Batch prediction: a finished run over a zip of new images on the job queue, with progress,
its table and CSV, accuracy where the images sit in class folders; hostile entries skipped as
a dataset upload skips them; a zip bomb refused; a forged result file read as none."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard import training
from dashboard.training import batch, batch_job
from tests.conftest import ROOT, coloured, wait
from tests.hostile_uploads import HOSTILE_REASONS, hostile_entries, make_zip
from tests.tiny_training import config, tiny_dataset, tiny_settings


@pytest.fixture
def trained(weights_dir, tmp_path, monkeypatch):
    """(settings, job manager, a finished tiny run of red and blue noise)."""
    monkeypatch.setenv("TLAB_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("TLAB_WEIGHTS_DIR", str(weights_dir))
    caps = {"TLAB_MAX_IMAGE_MP": "1", "TLAB_MAX_ZIP_RATIO": "50", "TLAB_MAX_UNZIPPED_MB": "8"}
    for name, value in caps.items():  # the app's settings too: the page test submits there
        monkeypatch.setenv(name, value)
    settings = tiny_settings(tmp_path, weights_dir, **caps)
    jm = training.manager(settings)
    run = wait(jm, jm.submit(config(tiny_dataset(settings), epochs=3))[0].id)
    assert run.status == "finished", run.message
    return settings, jm, run


def fifty() -> list[tuple[str, bytes]]:
    """50 new photos: 20 red and 20 blue in class folders, 10 loose green ones."""
    entries = [(f"new/red/{i}.png", coloured(500 + i, (220, 30, 30))) for i in range(20)]
    entries += [(f"new/blue/{i}.png", coloured(600 + i, (30, 30, 220))) for i in range(20)]
    return entries + [(f"new/{i}.png", coloured(700 + i, (30, 220, 30))) for i in range(10)]


def predict(settings, jm, run, entries):
    sha = batch.store_upload(settings, make_zip(entries))
    job = jm.submit(batch.BatchConfig(run.id, sha, run.dataset_id, run.backbone, "new.zip"))[0]
    return wait(jm, job.id), jm.state(job.id)


def test_a_batch_of_50_runs_on_the_queue_with_progress_a_table_and_csv(trained):
    settings, jm, run = trained
    job, live = predict(settings, jm, run, fifty())
    assert job.status == "finished", job.message
    assert (live.step, live.steps) == (50, 50)  # the progress bar's last value
    found = batch_job.load(settings, job.id)
    assert len(found.rows) == 50 and found.thumbnails.shape == (50, batch.THUMB, batch.THUMB, 3)
    assert len(found.labelled()) == 40 and {r.truth for r in found.labelled()} == {"red", "blue"}
    confusion = found.confusion()
    assert sum(map(sum, confusion)) == 40 and len(confusion[0]) == len(run.results.classes) + 1
    right = sum(confusion[i][i] for i in range(len(confusion)))
    assert found.accuracy() == right / 40 and found.accuracy() >= 0.5
    rows = list(csv.DictReader(io.StringIO(batch.csv_text(found))))
    assert len(rows) == 50 and {r["file"] for r in rows} == {name for name, _ in fifty()}
    assert all(float(r["probability_1"]) >= float(r["probability_2"]) for r in rows)
    assert jm.runs.batches(run.id)[0].id == job.id
    assert job.id not in {r.id for r in jm.runs.list()}  # a job, not a training run


def test_hostile_entries_are_skipped_as_a_dataset_upload_skips_them(trained, tmp_path):
    from dashboard import datasets

    settings, jm, run = trained
    entries = [*fifty()[:4], *hostile_entries()]
    job, _live = predict(settings, jm, run, entries)
    assert job.status == "finished", job.message
    found = batch_job.load(settings, job.id)
    reasons = dict(found.skipped)
    for name, reason in HOSTILE_REASONS.items():
        assert reason in reasons.get(name, ""), (name, reasons.get(name))
    assert len(found.skipped) == len(HOSTILE_REASONS)
    assert sorted(r.file for r in found.rows) == sorted(
        [*(n for n, _ in fifty()[:4]), "data/loose.jpg"]
    )
    # the same reasons a dataset ingest of the same entries gives
    ingested = datasets.ingest_zip(settings, io.BytesIO(make_zip([*fifty()[:4], *entries])), "x")
    assert {k: v for k, v in ingested.manifest.skipped if k in HOSTILE_REASONS} == {
        k: v for k, v in found.skipped
    }
    assert not (tmp_path / "evil.jpg").exists() and not list(settings.home.rglob("evil.jpg"))


def test_a_zip_bomb_fails_the_job_with_the_reason(trained):
    settings, jm, run = trained
    job, _live = predict(settings, jm, run, [("a.png", b"\0" * (12 * 1024 * 1024))])
    assert job.status == "failed" and "zip bomb" in job.message, job.message


def test_a_forged_result_or_upload_name_is_refused(trained, tmp_path):
    settings, jm, run = trained
    with pytest.raises(Exception, match="upload hash"):
        batch.upload_path(settings, "../../etc/passwd")
    job, _live = predict(settings, jm, run, fifty()[:3])
    path = jm.runs.run_dir(job.id) / batch_job.FILE
    np.savez(path, meta=np.array('{"classes": ["a"], "rows": [{"file": 1}], "skipped": []}'))
    assert batch_job.load(settings, job.id) is None


def test_a_file_named_like_a_formula_stays_text_in_the_csv():
    row = batch.BatchRow('=HYPERLINK("http://x")', (("-cls", 0.9),), 0.1, False, "")
    found = batch.BatchResult(["-cls"], [row], [], np.zeros((1, 64, 64, 3), "uint8"))
    cells = list(csv.reader(io.StringIO(batch.csv_text(found))))[1]
    assert cells[0].startswith("'=") and cells[1] == "'-cls"


def test_the_page_predicts_a_zip_and_shows_the_table(trained):
    settings, jm, run = trained
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=180).run()
    at.switch_page("pages/train.py").run()
    at.selectbox(key=f"run_select_{run.dataset_id}").set_value(run.id).run()
    at.file_uploader(key=f"batch_up_{run.id}").upload(
        "new.zip", make_zip(fifty()), "application/zip"
    )
    at.run()
    at.button(key=f"batch_go_{run.id}").click().run()
    job = jm.runs.batches(run.id)[0]
    wait(jm, job.id)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    table = next(df.value for df in at.dataframe if "top classes" in df.value.columns)
    assert len(table) == 50
    downloads = [b.proto.label for b in at.get("download_button")]
    assert "Download the table (CSV)" in downloads
