"""Read-only means read-only, checked so that no new write path can slip through: TLAB_HOME,
the shared store and the run database are snapshotted, every button and widget AppTest can
reach on every page is clicked or changed in read-only mode, every download is built, and the
snapshot must not change by a byte.

No list of buttons to avoid: whatever a viewer can reach is reached. The server reads runs
trained and a dataset measured on a writable server sharing the store and the database, from
its own home and from a home of its own (empty: it pulls only into its scratch folder)."""

from __future__ import annotations

import hashlib
import io
import sqlite3

import pytest
import streamlit as st
from PIL import Image
from streamlit.testing.v1 import AppTest

from dashboard import advisor, datasets, report, runs, training
from dashboard.settings import Settings
from tests.conftest import ROOT, coloured, no_exception, wait
from tests.hostile_uploads import make_zip

PAGES = ("pages/explore.py", "pages/train.py", "pages/compare.py")
EXPLORE_TABS = ("Predictions", "Feature maps", "Filters", "Grad-CAM", "Architecture")
MAX_ACTIONS = 45  # per page and tab: each reached widget once
KINDS = (
    "button",
    "form_submit_button",
    "download_button",
    "checkbox",
    "toggle",
    "radio",
    "selectbox",
    "multiselect",
    "number_input",
    "slider",
    "select_slider",
    "text_input",
    "text_area",
    "pills",
    "file_uploader",
    "camera_input",
)


def picture(colour, fmt: str = "PNG") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(buf, fmt)
    return buf.getvalue()


@pytest.fixture(params=["its own home", "a home of its own"])
def demo(request, shared_weights_env, tmp_path, monkeypatch):
    """A dataset, its advice and a finished run, made on a writable server; then the same
    store and database opened read-only."""
    env = {
        "TLAB_STORE_URL": (tmp_path / "store").as_uri(),
        "TLAB_DB_URL": f"sqlite:///{tmp_path / 'db' / 'runs.db'}",
        "TLAB_HOME": str(tmp_path / "writer"),
    }
    (tmp_path / "db").mkdir()
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    writer = Settings.from_env()
    entries = [(f"red/{i}.png", coloured(i, (220, 30, 30))) for i in range(6)]
    entries += [(f"blue/{i}.png", coloured(100 + i, (30, 30, 220))) for i in range(6)]
    manifest = datasets.ingest_zip(writer, io.BytesIO(make_zip(entries)), "two").manifest
    advisor.measure(writer, manifest, "MobileNet_0.25_224")
    jm = training.JobManager(writer)
    config = training.default_config(manifest.id, "MobileNet_0.25_224", "linear_head")
    run = wait(jm, jm.submit(config.with_(image_size=64, batch_size=8, epochs=2))[0].id)
    assert run.status == "finished", run.message
    jm.shutdown()
    runs.database.dispose(writer.db_url)  # the writer's connections close: no WAL left
    if request.param == "a home of its own":
        monkeypatch.setenv("TLAB_HOME", str(tmp_path / "viewer"))
    monkeypatch.setenv("TLAB_READONLY", "1")
    st.cache_data.clear()
    st.cache_resource.clear()
    return Settings.from_env(), manifest, run, tmp_path


def snapshot(root) -> dict[str, str]:
    """Every file's hash, and the run database's rows (SQLite's -wal and -shm files are its
    shared memory and log: a reader may create them; what they hold shows in the rows)."""
    files = {}
    for path in sorted(root.rglob("*")):
        if path.is_dir():
            files[str(path.relative_to(root))] = "folder"
        elif not path.name.endswith(("-wal", "-shm")):
            files[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    db = root / "db" / "runs.db"
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        files["rows"] = hashlib.sha256("\n".join(conn.iterdump()).encode()).hexdigest()
    return files


def widgets(at: AppTest) -> list:
    """The page's own widgets first, then the sidebar's (which may switch the page's content
    to something else: another model, an upload)."""
    return [w for area in (at.main, at.sidebar) for kind in KINDS for w in getattr(area, kind)]


def act(widget) -> None:
    """Click or change one widget the way a viewer would."""
    kind = type(widget).__name__
    if kind in ("Button", "DownloadButton"):
        widget.click()
    elif kind in ("Checkbox", "Toggle"):
        widget.set_value(not widget.value)
    elif kind in ("Selectbox", "Radio", "Multiselect") and widget.options:
        _choose_another(widget)
    elif kind == "NumberInput":
        widget.increment()
    elif kind in ("TextInput", "TextArea"):
        widget.input("x")
    elif kind in ("Slider", "SelectSlider"):
        widget.set_value(widget.value)
    elif kind == "ButtonGroup" and widget.options:
        widget.select(widget.options[-1])
    elif kind == "FileUploader":
        widget.upload("viewer.png", picture((10, 200, 10)), "image/png")
    elif kind == "CameraInput":
        widget.set_value(("me.jpg", picture((200, 200, 10), "JPEG"), "image/jpeg"))


def _choose_another(widget) -> None:
    """Another option. AppTest knows a choice widget's options only as their labels: where a
    format function turns values into other labels, a label is no value, and that widget is
    left as it is (it picks what to show; the other widgets are what could write)."""
    before = widget.value
    try:
        shown = widget.format_func(before) if before is not None else None
        label = next(o for o in reversed(widget.options) if o != shown)
        widget.set_value([label] if type(widget).__name__ == "Multiselect" else label)
        widget._widget_state  # noqa: B018 - raises when the label is not a value
    except (ValueError, KeyError, TypeError, IndexError, AttributeError, StopIteration):
        widget.set_value(before)


def crawl(at: AppTest) -> int:
    """Act on every widget once (new ones appear as others change); the number acted on."""
    done: set[str] = set()
    for _ in range(MAX_ACTIONS):
        todo = [w for w in widgets(at) if _ident(w) not in done]
        if not todo:
            return len(done)
        done.add(_ident(todo[0]))
        act(todo[0])
        at.run()
        no_exception(at)
    return len(done)


def _ident(widget) -> str:
    return f"{type(widget).__name__}:{getattr(widget, 'key', None) or widget.proto.id}"


def test_a_viewer_changes_nothing_whatever_they_click(demo):
    settings, manifest, run, root = demo
    before = snapshot(root)
    reached = 0
    for page in PAGES:
        for tab in EXPLORE_TABS if page.endswith("explore.py") else (None,):
            at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=300).run()
            at.switch_page(page).run()
            if tab is not None:
                at.session_state["explore_tab"] = tab
                at.run()
            no_exception(at)
            reached += crawl(at)
    assert reached >= 20, reached
    files = training.results.local_artifacts(settings, run.id)  # what the downloads read
    training.keras_file.keras_zip(settings, run, str(files["model"]), str(files["labels"]))
    report.run_report(settings, run.id)
    report.comparison_report(settings, [run.id])
    assert snapshot(root) == before
