"""TLAB_READONLY=1, the demo mode for stakeholders: explore, look at datasets and runs, compare;
no upload, train, rename or delete, neither in the pages nor through the services."""

from __future__ import annotations

import io

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard import datasets, features, runs, training
from dashboard.settings import READONLY_NOTE, ReadOnlyError, Settings
from dashboard.training import default_config
from tests.conftest import ROOT, coloured, no_exception, wait
from tests.hostile_uploads import make_zip

WRITE_BUTTONS = {"Rename", "Delete", "Stop", "Clear caches", "Train", "Find a learning rate"}


def two_colours(settings: Settings) -> datasets.Manifest:
    entries = [(f"red/{i}.png", coloured(i, (220, 30, 30))) for i in range(6)]
    entries += [(f"blue/{i}.png", coloured(100 + i, (30, 30, 220))) for i in range(6)]
    return datasets.ingest_zip(settings, io.BytesIO(make_zip(entries)), "two").manifest


@pytest.fixture
def demo_home(shared_weights_env, tmp_path, monkeypatch):
    """A home with a dataset and a finished run, made while writable; then read-only."""
    monkeypatch.setenv("TLAB_HOME", str(tmp_path / "home"))
    settings = Settings.from_env()
    manifest = two_colours(settings)
    jm = training.JobManager(settings)
    config = default_config(manifest.id, "MobileNet_0.25_224", "linear_head")
    run = wait(jm, jm.submit(config.with_(image_size=64, batch_size=8, epochs=2))[0].id)
    assert run.status == "finished", run.message
    jm.shutdown()
    monkeypatch.setenv("TLAB_READONLY", "1")
    st.cache_data.clear()
    st.cache_resource.clear()
    return Settings.from_env(), manifest, run


def test_the_services_refuse_every_change(demo_home):
    settings, manifest, run = demo_home
    assert settings.readonly
    jm = training.JobManager(settings)
    refused = {
        "adding datasets": lambda: datasets.ingest_sample(settings, "faces"),
        "renaming datasets": lambda: datasets.rename(settings, manifest.id, "x"),
        "deleting datasets": lambda: datasets.delete(settings, manifest.id),
        "training": lambda: jm.submit(default_config(manifest.id, "MobileNet_0.25_224", "scratch")),
        "stopping runs": lambda: jm.stop(run.id),
        "renaming runs": lambda: runs.rename(settings, run.id, "x"),
        "deleting runs": lambda: runs.delete(settings, run.id),
        "clearing caches": lambda: features.clear_caches(settings),
    }
    for what, change in refused.items():
        with pytest.raises(ReadOnlyError, match=what):
            change()
    assert [m.id for m in datasets.list_datasets(settings)] == [manifest.id]
    assert [(r.id, r.name) for r in jm.runs.list()] == [(run.id, run.name)]
    jm.shutdown()


def buttons(at: AppTest) -> set[str]:
    labels = {b.label for b in at.button}
    return labels | {b.proto.label for b in at.get("form_submit_button")}


def test_the_pages_show_everything_and_offer_no_change(demo_home):
    _, manifest, run = demo_home
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=180).run()
    no_exception(at)
    assert at.get("plotly_chart"), "Explore shows its predictions"
    assert "Read-only demo" in " ".join(c.value for c in at.sidebar.caption)

    at.switch_page("pages/train.py").run()
    no_exception(at)
    assert READONLY_NOTE in [i.value for i in at.info]
    uploaders = [u.proto.label for u in at.get("file_uploader")]
    assert uploaders == ["Try it: classify an image"], "no dataset upload"
    assert at.selectbox(key=f"run_select_{manifest.id}").value == run.id
    assert {b.proto.label for b in at.get("download_button")}, "the run's model downloads"
    assert not buttons(at) & WRITE_BUTTONS, buttons(at)

    at.switch_page("pages/compare.py").run()
    no_exception(at)
    assert READONLY_NOTE in [i.value for i in at.info]
    assert at.multiselect[0].value == [run.id]
    assert any("validation accuracy by epoch" in c.proto.spec for c in at.get("plotly_chart"))
    assert not buttons(at) & (WRITE_BUTTONS | {"Pretrained vs scratch", "Strategy ladder"})
