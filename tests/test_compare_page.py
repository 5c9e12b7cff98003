"""The Compare page with two runs made by the real trainer on a tiny dataset."""

from __future__ import annotations

import csv
import io
import json

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard import training
from dashboard.settings import Settings
from dashboard.training import default_config
from tests.conftest import ROOT, red_and_blue, wait


@pytest.fixture
def two_runs(shared_weights_env, tmp_path, monkeypatch):
    settings, m = red_and_blue(tmp_path, monkeypatch, 8)
    jm = training.manager(settings)  # the same manager the app will use for this TLAB_HOME
    ids = []
    for strategy, epochs in (("linear_head", 3), ("scratch", 4)):
        cfg = default_config(m.id, "MobileNet_0.25_224", strategy)
        cfg = cfg.with_(image_size=64, batch_size=8, epochs=epochs)
        ids.append(wait(jm, jm.submit(cfg)[0].id).id)
    st.cache_data.clear()
    st.cache_resource.clear()
    return jm, ids


def test_compare_shows_curves_summary_and_confusion(two_runs):
    jm, ids = two_runs
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=180).run()
    at.switch_page("pages/compare.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert set(at.multiselect[0].value) == set(ids)
    specs = [c.proto.spec for c in at.get("plotly_chart")]
    curves = next(s for s in specs if "validation accuracy by epoch" in s)
    assert "linear_head" in curves and "scratch" in curves
    kinds = [json.loads(s)["data"][0].get("type") for s in specs]
    assert kinds.count("heatmap") == 2  # one confusion matrix per run
    summary = at.dataframe[1].value
    assert set(summary["id"]) == set(ids) and "speed-up (epochs)" in summary.columns
    assert at.selectbox(key="c_baseline").value == ids[1]  # the scratch run is the baseline
    downloads = [b.proto.label for b in at.get("download_button")]
    assert downloads == ["Metrics (CSV)", "Chart (HTML)", "Report (one HTML file, offline)"]
    from dashboard import compare

    runs = [jm.runs.get(i) for i in ids]
    rows = list(csv.DictReader(io.StringIO(compare.metrics_csv(runs, jm.runs.epochs(ids)))))
    assert len(rows) == 3 + 4  # every epoch of both runs


def test_compare_without_runs(tmp_path, monkeypatch):
    monkeypatch.setenv("TLAB_HOME", str(tmp_path / "empty"))
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60).run()
    at.switch_page("pages/compare.py").run()
    assert not at.exception
    assert any("No runs yet" in i.value for i in at.info)


def test_a_pending_run_is_drawn_live_then_once_more_when_it_ends(tmp_path, monkeypatch):
    """While a chosen run is queued the chart polls (a fragment with run_every); once it has
    ended the page draws it without polling, with the same widgets, and no exception."""
    from dashboard.runs import RunStore

    monkeypatch.setenv("TLAB_HOME", str(tmp_path / "home"))
    st.cache_data.clear()
    st.cache_resource.clear()
    runs = RunStore(Settings.from_env().home)
    cfg = default_config("some-dataset", "MobileNet_0.25_224", "linear_head")
    run = runs.create(cfg.to_dict(), cfg.key(), "tiny")  # queued: no worker picks it up here
    runs.add_epoch(run.id, 1, "head", {"accuracy": 0.5, "val_accuracy": 0.5}, 1.0, 8)
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60).run()
    at.switch_page("pages/compare.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="c_metric").value == "val_acc" and at.session_state["_compare_live"]
    runs.update(run.id, status="finished", best_val_acc=0.5, final_val_acc=0.5)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="c_metric").value == "val_acc"
    assert "_compare_live" not in at.session_state


def stored_experiment(tmp_path, monkeypatch, scratch_accs):
    """A stored 2-class dataset (20 validation images) and a finished pretrained-vs-scratch
    experiment with 2 seeds a side, its epochs written straight into the run store."""
    from dashboard.runs import RunStore

    settings, m = red_and_blue(tmp_path, monkeypatch, 50)
    runs, ids = RunStore(settings.home), []
    pretrained = [0.6, 0.8, 0.9, 0.9]
    for strategy, curves in (("full_finetune", [pretrained] * 2), ("scratch", scratch_accs)):
        for seed, accs in zip((42, 43), curves, strict=True):
            cfg = default_config(m.id, "MobileNet_0.25_224", strategy).with_(seed=seed)
            run = runs.create(cfg.to_dict(), cfg.key(), m.name)
            for epoch, acc in enumerate(accs, start=1):
                logs = {"accuracy": acc, "val_accuracy": acc, "loss": 1 - acc, "val_loss": 1 - acc}
                runs.add_epoch(run.id, epoch, "train", logs, 1.0, 80 * epoch)
            runs.update(run.id, status="finished", best_val_acc=max(accs), final_val_acc=accs[-1])
            ids.append(run.id)
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60).run()
    at.switch_page("pages/compare.py").run()
    at.multiselect[0].set_value(ids).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_pretrained_vs_scratch_summary_shows_the_speedup(tmp_path, monkeypatch):
    scratch = [[0.5, 0.6, 0.7, 0.8, 0.9, 0.9], [0.5, 0.5, 0.6, 0.7, 0.8, 0.9]]
    at = stored_experiment(tmp_path, monkeypatch, scratch)
    assert any(h.value == "Pretrained vs scratch" for h in at.subheader)
    metrics = {m.label: m.value for m in at.metric}
    # target 0.81 (90% of 0.9): pretrained at epoch 3 both seeds, scratch at 5 and 6
    assert metrics["Speed-up in epochs"] == "1.8× ± 0.2"
    assert metrics["Scratch's best (mean curve)"] == "90.0%"
    assert metrics["Scratch caught up by the end"] == "yes"
    assert "sooner in epochs" in at.success[0].value
    at.slider(key="c_frac").set_value(1.0).run()  # scratch's best itself: epochs 3 vs 5 and 6
    assert {m.label: m.value for m in at.metric}["Speed-up in epochs"] == "1.8× ± 0.2"


def test_pretrained_vs_scratch_summary_says_when_scratch_did_not_learn(tmp_path, monkeypatch):
    scratch = [[0.5, 0.55, 0.5, 0.6], [0.5, 0.5, 0.55, 0.5]]  # 20 images, prior 0.5: noise
    at = stored_experiment(tmp_path, monkeypatch, scratch)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Speed-up in epochs"] == "—" and metrics["Speed-up in seconds"] == "—"
    assert "never rose above the class prior" in at.warning[0].value


def test_a_page_opened_first_after_a_crash_shows_stale_runs_interrupted(tmp_path, monkeypatch):
    """Runs left "running" by a process that is gone: Compare, which reads the record without
    starting the job queue, marks them as the queue does when it starts."""
    import os
    import socket

    from dashboard.runs import RunStore

    monkeypatch.setenv("TLAB_HOME", str(tmp_path / "crashed"))
    st.cache_data.clear()
    st.cache_resource.clear()
    runs = RunStore(Settings.from_env().home)
    cfg = default_config("some-dataset", "MobileNet_0.25_224", "linear_head")
    run = runs.create(cfg.to_dict(), cfg.key(), "tiny")
    gone = os.getpid() + 10_000_000  # a process id that cannot be alive
    runs.update(run.id, status="running", owner=f"{socket.gethostname()}:{gone}")
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60).run()
    at.switch_page("pages/compare.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert runs.get(run.id).status == "interrupted"
    assert "_compare_live" not in at.session_state  # nothing left to poll
