"""Keep training: a checkpoint at every epoch's end; a stopped run continued N more epochs is
the run that never stopped (same losses, same weights) and its curve goes on from the parent's,
on the Train and Compare pages; a run started from another run's weights starts from them; a
checkpoint that does not fit is refused."""

from __future__ import annotations

import json

import numpy as np
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard import training
from dashboard.training import checkpoint
from dashboard.training.progress import EpochReporter
from tests.conftest import ROOT, red_and_blue, wait
from tests.tiny_training import config

STOP_AFTER = 3


@pytest.fixture
def stop_after_epoch_3(monkeypatch):
    """The next run is stopped once its 3rd epoch is recorded (as if Stop were pressed then):
    epochs on cached features take milliseconds, too fast for a Stop from outside."""
    record = EpochReporter.on_epoch

    def on_epoch(self, epoch, logs, seconds):
        record(self, epoch, logs, seconds)
        if self.epochs_done == STOP_AFTER:
            self.live.stop.set()

    monkeypatch.setattr(EpochReporter, "on_epoch", on_epoch)
    return lambda: monkeypatch.setattr(EpochReporter, "on_epoch", record)


@pytest.fixture
def continued(shared_weights_env, tmp_path, monkeypatch, stop_after_epoch_3):
    """(job manager, stopped parent, its continuation, the run that never stopped)."""
    settings, manifest = red_and_blue(tmp_path, monkeypatch, 10)
    jm = training.manager(settings)
    five = config(manifest, epochs=5, learning_rate=0.01)
    parent = wait(jm, jm.submit(five)[0].id)
    stop_after_epoch_3()  # the fixture's patch off: the next runs train to their end
    child = wait(jm, jm.submit(five.with_(resume_from=parent.id))[0].id)
    whole = wait(jm, jm.submit(five, again=True)[0].id)
    st.cache_data.clear()
    st.cache_resource.clear()
    return jm, parent, child, whole


def test_a_stopped_run_continued_is_the_run_that_never_stopped(continued):
    jm, parent, child, whole = continued
    assert parent.status == "stopped" and child.status == whole.status == "finished"
    history = jm.runs.epochs([parent.id, child.id, whole.id])
    assert [e["epoch"] for e in history[parent.id]] == [1, 2, 3]
    assert [e["epoch"] for e in history[child.id]] == [1, 2, 3, 4, 5]
    copied = [(e["seconds"], e["loss"]) for e in history[child.id][:3]]
    assert copied == [(e["seconds"], e["loss"]) for e in history[parent.id]]  # not trained again
    for ours, theirs in zip(history[child.id], history[whole.id], strict=True):
        assert ours["loss"] == pytest.approx(theirs["loss"], rel=1e-4, abs=1e-6), ours["epoch"]
        assert ours["val_loss"] == pytest.approx(theirs["val_loss"], rel=1e-4, abs=1e-6)
    assert history[child.id][-1]["images_seen"] == history[whole.id][-1]["images_seen"]
    folders = [jm.runs.run_dir(r.id) for r in (child, whole)]
    ours, theirs = (checkpoint.load(f / checkpoint.FILE) for f in folders)
    assert ours.epochs == theirs.epochs == 5
    for a, b in zip(ours.weights + ours.optimizer, theirs.weights + theirs.optimizer, strict=True):
        assert np.allclose(a, b, rtol=1e-4, atol=1e-6)  # Adam's step count and moments too


def test_every_epoch_leaves_a_checkpoint_and_the_stopped_run_keeps_its_last(continued):
    jm, parent, _child, _whole = continued
    ck = checkpoint.load(jm.runs.run_dir(parent.id) / checkpoint.FILE)
    assert (ck.epochs, ck.phase, ck.phase_start) == (STOP_AFTER, "head", 0)
    assert int(ck.optimizer[0]) == STOP_AFTER * 2  # Adam's step count: 2 batches an epoch
    assert not list(jm.runs.run_dir(parent.id).glob(".*checkpoint*"))  # no half-written file


def test_a_continuation_that_changes_the_run_is_refused(continued):
    jm, parent, _child, _whole = continued
    changed = training.from_dict(parent.config).with_(image_size=96, resume_from=parent.id)
    run = wait(jm, jm.submit(changed)[0].id)
    assert run.status == "failed" and "image_size" in run.message
    no_parent = changed.with_(image_size=64, resume_from="20990101-000000-abcdef")
    assert "not in the run store" in wait(jm, jm.submit(no_parent)[0].id).message
    forged = changed.with_(image_size=64, resume_from="../../etc")
    assert wait(jm, jm.submit(forged)[0].id).status == "failed"


def test_a_damaged_checkpoint_is_no_checkpoint(tmp_path):
    (tmp_path / checkpoint.FILE).write_bytes(b"not a checkpoint")
    assert checkpoint.load(tmp_path / checkpoint.FILE) is None
    np.savez(tmp_path / "forged.npz", state=np.array(json.dumps({"epochs": -1})))
    assert checkpoint.load(tmp_path / "forged.npz") is None
    assert checkpoint.epochs_of(tmp_path / "forged.npz") is None


def test_the_curve_goes_on_from_the_parents_on_compare(continued):
    _jm, parent, child, _whole = continued
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=180).run()
    at.switch_page("pages/compare.py").run()
    assert not at.exception, [e.value for e in at.exception]
    at.multiselect[0].set_value([parent.id, child.id]).run()
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    curves = next(s for s in specs if "validation accuracy by epoch" in json.dumps(s))
    lines = {t["name"]: t for t in curves["data"] if t.get("mode", "lines").startswith("lines")}
    assert child.name == f"{parent.name} · ↻ {parent.id}"
    ours, theirs = lines[child.name], lines[parent.name]
    assert list(ours["x"]) == [1, 2, 3, 4, 5] and list(theirs["x"]) == [1, 2, 3]
    assert list(ours["y"])[:3] == list(theirs["y"])  # one line: the parent's, then more


def test_the_train_page_continues_a_run(continued, train_page):
    jm, parent, _child, _whole = continued
    at = train_page
    at.selectbox(key=f"run_select_{parent.dataset_id}").set_value(parent.id).run()
    at.number_input(key=f"more_{parent.id}").set_value(4).run()
    at.button(key=f"continue_{parent.id}").click().run()
    assert not at.exception, [e.value for e in at.exception]
    newest = jm.runs.list(parent.dataset_id)[0]
    assert newest.config["resume_from"] == parent.id and newest.config["epochs"] == 3 + 4


def test_a_run_starts_from_another_runs_weights(shared_weights_env, tmp_path, monkeypatch):
    import keras

    from dashboard.runs import open_runs
    from dashboard.training import build, continuation

    settings, manifest = red_and_blue(tmp_path, monkeypatch, 10)
    jm = training.manager(settings)
    source = wait(jm, jm.submit(config(manifest, strategy="finetune_top", epochs=3))[0].id)
    assert source.status == "finished", source.message
    # "add images and retrain": a newer version of the data, with more images
    from dashboard import datasets
    from tests.conftest import coloured

    more = [
        datasets.Addition("red", f"red_{i}.png", coloured(900 + i, (220, 30, 30))) for i in (1, 2)
    ]
    newer, _reused = datasets.new_version(settings, manifest, datasets.Edit(add=more))
    assert newer.parent == manifest.id and len(newer.images) == len(manifest.images) + 2
    warm = config(newer, strategy="linear_head", epochs=2, init_from=source.id)
    clf = build.classifier(settings, warm, 2, "float32")
    assert continuation.warm_start(settings, open_runs(settings), warm, clf)  # base changed
    trained = keras.saving.load_model(
        training.results.local_artifacts(settings, source.id)["model"]
    )
    theirs = trained.get_layer(clf.base.name).get_weights() + trained.layers[-1].get_weights()
    ours = clf.base.get_weights() + clf.head.get_weights()
    assert len(ours) == len(theirs) and all(
        np.array_equal(a, b) for a, b in zip(ours, theirs, strict=True)
    )
    run = wait(jm, jm.submit(warm)[0].id)
    assert run.status == "finished", run.message
    assert run.results.cache_hits == []  # its base is not the pretrained one: no cached features


def test_a_run_on_images_continues_from_its_checkpoint(
    shared_weights_env, tmp_path, monkeypatch, stop_after_epoch_3
):
    """With augmentation the head trains on images through `Model.fit`: the continuation
    starts at epoch 4 with the parent's weights, random states and Adam's step count."""
    settings, manifest = red_and_blue(tmp_path, monkeypatch, 10)
    jm = training.manager(settings)
    five = config(manifest, epochs=5, augment=True)
    parent = wait(jm, jm.submit(five)[0].id)
    stop_after_epoch_3()
    ck = checkpoint.load(jm.runs.run_dir(parent.id) / checkpoint.FILE)
    assert parent.status == "stopped" and ck.epochs == STOP_AFTER
    child = wait(jm, jm.submit(five.with_(resume_from=parent.id))[0].id)
    assert child.status == "finished", child.message
    history = jm.runs.epochs([child.id])[child.id]
    assert [e["epoch"] for e in history] == [1, 2, 3, 4, 5]
    assert all(np.isfinite(e["loss"]) for e in history)
    after = checkpoint.load(jm.runs.run_dir(child.id) / checkpoint.FILE)
    assert int(after.optimizer[0]) == int(ck.optimizer[0]) * 5 // STOP_AFTER  # 2 more epochs


def test_a_forged_checkpoint_that_claims_more_than_the_run_did_is_refused(continued):
    """A checkpoint file in the store is data: one that says the run did a trillion epochs
    (which would spin the shuffler that long) does not fit the run's record."""
    jm, parent, _child, _whole = continued
    path = jm.runs.run_dir(parent.id) / checkpoint.FILE
    real = checkpoint.load(path)
    forged = checkpoint.Checkpoint(10**12, "head", 0, 5, real.weights, real.optimizer)
    checkpoint.save(path.parent, forged)
    more = training.from_dict(parent.config).with_(epochs=10**12 + 2, resume_from=parent.id)
    run = wait(jm, jm.submit(more)[0].id)
    assert run.status == "failed" and "does not fit its record" in run.message


def test_damaged_or_inflating_checkpoints_read_as_none(tmp_path):
    (tmp_path / "zipped.npz").write_bytes(b"PK\x03\x04" + b"\x00" * 200)  # a zip header, junk
    huge = tmp_path / "huge.npz"
    np.savez_compressed(huge, state=np.array("x" * 5_000_000))  # kilobytes that inflate to 20 MB
    assert huge.stat().st_size < 100_000
    for path in (tmp_path / "zipped.npz", huge):
        assert checkpoint.load(path) is None and checkpoint.epochs_of(path) is None
    from types import SimpleNamespace

    home = SimpleNamespace(home=tmp_path)  # an id that is no run id is refused before any read
    assert training.continuation.continued_epochs(home, "../not-a-run") is None
