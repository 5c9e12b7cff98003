"""Shared fixtures. Every test runs offline, with its own TLAB_HOME and an empty Keras cache,
so nothing on the developer's machine (a warm ~/.keras) can make a test pass by accident."""

from __future__ import annotations

import io
import os
import shutil
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("TLAB_SHARED", ROOT.parent / "shared"))
WEIGHTS_DIR = SHARED / "keras-weights"
FLOWERS_ZIP = SHARED / "datasets" / "flowers-mini.zip"


# The longest files first (minutes each, longest first): the two workers (pyproject.toml) then
# run them beside the many short ones instead of one worker running them alone at the end.
LONGEST_FIRST = ("test_browser.py", "test_jobs.py", "test_advisor_page.py")


def pytest_configure(config):
    """A run that may select the slow tests (`-m slow`, `-m ""`) runs in one process: they start
    servers and clusters of their own (Ray heads and workers, PostgreSQL, S3, app servers), and
    two such setups at once on one machine got in each other's way (an xdist worker was killed
    beside the Ray tests). Runs before xdist's own configure (trylast), which reads these."""
    if "not slow" not in (config.option.markexpr or ""):
        config.option.numprocesses = 0
        config.option.dist = "no"


def pytest_collection_modifyitems(items):
    first = {name: k for k, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: first.get(item.path.name, len(first)))  # stable: else as before


@pytest.fixture(autouse=True)
def isolated_env(tmp_path, monkeypatch):
    monkeypatch.setenv("TLAB_HOME", str(tmp_path / "tlab-home"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras-home"))
    monkeypatch.setenv("TLAB_OFFLINE", "1")
    monkeypatch.delenv("TLAB_WEIGHTS_DIR", raising=False)
    # No test touches the network: the download host "does not answer" unless a test says so,
    # and what a process remembers about downloads starts empty in every test.
    from models import weights

    monkeypatch.setattr(weights, "_host_answers", {})
    monkeypatch.setattr(weights, "_failed_downloads", {})
    monkeypatch.setattr(weights, "_probe", lambda url, timeout: False)


@pytest.fixture
def weights_dir() -> Path:
    if not (WEIGHTS_DIR / "mobilenet_2_5_128_tf.h5").is_file():
        reason = f"shared weights not found at {WEIGHTS_DIR} (set TLAB_SHARED)"
        if os.environ.get("CI"):  # CI always has ../shared: a skip there would hide a failure
            pytest.fail(reason)
        pytest.skip(reason)
    return WEIGHTS_DIR


@pytest.fixture
def shared_weights_env(weights_dir, monkeypatch) -> Path:
    monkeypatch.setenv("TLAB_WEIGHTS_DIR", str(weights_dir))
    return weights_dir


@pytest.fixture(scope="session")
def features_seen(tmp_path_factory) -> Path:
    """Feature-cache entries this test session has computed (see `warm_features`)."""
    return tmp_path_factory.mktemp("features-seen")


@pytest.fixture
def warm_features(features_seen, tmp_path):
    """TLAB_HOME (tmp_path/home)'s feature cache starts with what earlier tests of this session
    computed, and what this test computes is kept for the next. Safe to share: an entry's name
    hashes the network, the weights file's size and mtime, the dataset's content id, the subset
    and the size, so a test finds only arrays its own inputs would have computed. Only for tests
    whose claim is not about computing features (MobileNetV2 on flowers-mini costs ~30 s)."""
    cache = tmp_path / "home" / "cache" / "features"
    shutil.copytree(features_seen, cache, dirs_exist_ok=True)
    yield cache
    for entry in cache.glob("*.npz"):
        if not entry.name.startswith(".") and not (features_seen / entry.name).exists():
            shutil.copy2(entry, features_seen / entry.name)


# -- tiny photos and training runs ---------------------------------------------------------
def coloured(seed: int, colour) -> bytes:
    from PIL import Image

    rng = np.random.default_rng(seed)
    pixels = np.clip(np.array(colour) + rng.normal(0, 25, (48, 48, 3)), 0, 255).astype("uint8")
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, "PNG")
    return buf.getvalue()


def wait(jm, run_id, until=("finished", "failed", "stopped"), timeout=180):
    deadline = time.time() + timeout
    while time.time() < deadline:
        run = jm.runs.get(run_id)
        if run.status in until:
            return run
        time.sleep(0.2)
    raise AssertionError(f"run {run_id} still {jm.runs.get(run_id).status}")


def red_and_blue(tmp_path, monkeypatch, per_class: int):
    """Settings for a fresh TLAB_HOME and a stored 2-class dataset of coloured noise."""
    from dashboard import datasets
    from dashboard.settings import Settings
    from tests.hostile_uploads import make_zip

    monkeypatch.setenv("TLAB_HOME", str(tmp_path / "home"))
    settings = Settings.from_env()
    entries = [(f"red/{i}.png", coloured(i, (220, 30, 30))) for i in range(per_class)]
    entries += [(f"blue/{i}.png", coloured(100 + i, (30, 30, 220))) for i in range(per_class)]
    return settings, datasets.ingest_zip(settings, io.BytesIO(make_zip(entries)), "two").manifest


# -- the Train page through AppTest -------------------------------------------------------
@pytest.fixture
def train_page(tmp_path, monkeypatch) -> AppTest:
    monkeypatch.setenv("TLAB_HOME", str(tmp_path / "home"))
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=180)
    at.run()
    at.switch_page("pages/train.py").run()
    assert not at.exception
    return at


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def upload_flowers(at: AppTest, small_backbone: bool = True) -> AppTest:
    if not FLOWERS_ZIP.is_file():
        pytest.skip("flowers-mini.zip missing")
    at.file_uploader(key="zip_up").upload(
        "flowers-mini.zip", FLOWERS_ZIP.read_bytes(), "application/zip"
    )
    at.run()
    # The small shared backbone: the default is the most accurate on disk (MobileNetV2, ~6x
    # the compute), which the tests that train or measure do not need.
    if small_backbone and at.selectbox(key="train_backbone").value != "MobileNet_0.25_224":
        at.selectbox(key="train_backbone").set_value("MobileNet_0.25_224").run()
    return at


# -- the run store on each database it supports ----------------------------------------------
@pytest.fixture(scope="session")
def postgres_admin_url():
    """A PostgreSQL server for this test session (tests/postgres.py), or TLAB_TEST_PG_URL."""
    from tests import postgres

    given = os.environ.get("TLAB_TEST_PG_URL")
    if given:
        yield given
        return
    bin_dir = postgres.binaries()
    if bin_dir is None:
        reason = "PostgreSQL is not installed (Debian: apt-get install postgresql)"
        if os.environ.get("CI"):  # .ci/run installs it: a skip there would hide a failure
            pytest.fail(reason)
        pytest.skip(reason)
    server = postgres.Server(bin_dir)
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request) -> str | None:
    """None (the default: SQLite under TLAB_HOME), then a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield None
        return
    from tests import postgres

    admin = request.getfixturevalue("postgres_admin_url")
    url = postgres.fresh_database(admin)
    try:
        yield url
    finally:
        from dashboard.runs import database

        database.dispose(url)
        postgres.drop_database(admin, url)


# -- the shared store (TLAB_STORE_URL) on S3 ------------------------------------------------
@pytest.fixture(scope="session")
def s3_endpoint():
    """moto's S3 server on 127.0.0.1 for this test session (tests/s3.py)."""
    import importlib.util

    if importlib.util.find_spec("s3fs") is None or importlib.util.find_spec("moto") is None:
        reason = "s3fs or moto is not installed (pip install -r requirements-dev.txt)"
        if os.environ.get("CI"):  # .ci/run installs them: a skip there would hide a failure
            pytest.fail(reason)
        pytest.skip(reason)
    from tests import s3

    endpoint = s3.Endpoint()
    try:
        yield endpoint
    finally:
        endpoint.stop()


@pytest.fixture(params=["file", "s3"])
def shared_env(request, tmp_path) -> dict[str, str]:
    """TLAB_STORE_URL (and options) for a fresh shared store: a folder, then an S3 bucket."""
    if request.param == "file":
        return {"TLAB_STORE_URL": (tmp_path / "shared").as_uri()}
    endpoint = request.getfixturevalue("s3_endpoint")
    return {"TLAB_STORE_URL": endpoint.fresh_bucket(), "TLAB_STORE_OPTIONS": endpoint.options()}


def train_on_page(at: AppTest, dataset_id: str | None = None, epochs: int = 2):
    """A linear-head run of the small shared backbone, from the Train page's form, waited for;
    returns the finished run and leaves the page showing its results."""
    from dashboard import glue

    at.selectbox(key="train_backbone").set_value("MobileNet_0.25_224").run()
    at.number_input(key="epochs_MobileNet_0.25_224_linear_head").set_value(epochs)
    next(b for b in at.button if b.label == "Train").click().run()
    for _ in range(240):
        run = glue.job_manager().runs.list(dataset_id)[0]
        if not run.active:
            break
        time.sleep(0.5)
    assert run.status == "finished", run.message
    at.run()
    return run


# -- flowers-mini with planted wrong labels; two servers sharing a store ----------------------
PLANTED = 3  # daisies relabelled as tulips


def planted_flowers(tmp_path) -> tuple[bytes, list[str]]:
    """flowers-mini with PLANTED daisies moved into the tulip folder."""
    if not FLOWERS_ZIP.is_file():
        pytest.skip("flowers-mini.zip missing")
    out = tmp_path / "planted.zip"
    moved = []
    with zipfile.ZipFile(FLOWERS_ZIP) as src, zipfile.ZipFile(out, "w") as dst:
        for name in sorted(src.namelist()):
            data = src.read(name)
            if "/daisy/" in name and name.endswith(".jpg") and len(moved) < PLANTED:
                name = name.replace("/daisy/", "/tulip/")
                moved.append(name)
            dst.writestr(name, data)
    return out.read_bytes(), moved


@pytest.fixture
def planted(tmp_path, weights_dir):
    from dashboard import datasets
    from dashboard.settings import Settings

    settings = Settings.from_env(
        {"TLAB_HOME": str(tmp_path / "home"), "TLAB_WEIGHTS_DIR": str(weights_dir)}
    )
    data, moved = planted_flowers(tmp_path)
    manifest = datasets.ingest_zip(settings, io.BytesIO(data), "planted").manifest
    return settings, manifest, moved


def two_servers(tmp_path, shared_env, weights_dir=None) -> tuple:
    """Servers "a" and "b": each its own TLAB_HOME, one shared store and one run database."""
    from dashboard.settings import Settings

    base = {**shared_env, "TLAB_OFFLINE": "1", "TLAB_DB_URL": f"sqlite:///{tmp_path}/runs.db"}
    if weights_dir is not None:
        base["TLAB_WEIGHTS_DIR"] = str(weights_dir)
    return tuple(Settings.from_env({**base, "TLAB_HOME": str(tmp_path / n)}) for n in "ab")


def clusters(
    n_per: int = 30, classes: int = 3, dims: int = 16, seed: int = 0, spread=5.0, noise=1.0
):
    """Made-up features: `classes` Gaussian clusters of `n_per` points; (x, labels)."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, spread, (classes, dims))
    labels = np.repeat(np.arange(classes), n_per)
    return centres[labels] + rng.normal(0, noise, (len(labels), dims)), labels
