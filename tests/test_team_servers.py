"""The whole team on one machine, as docs/team.md sets it up: its two shell blocks run exactly
as they stand there (free ports and a temporary folder in their variables), then two real
Streamlit servers, each with its own TLAB_HOME, one PostgreSQL, one Ray head and one S3
endpoint, are driven in Chromium. What one server does shows on the other, live."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from tests import chromium
from tests.conftest import ROOT, WEIGHTS_DIR

# Slow (minutes: servers and clusters of its own): `python -m pytest -m slow` runs it; the
# default run (CI's) leaves it out to stay within its 30 minutes (pyproject.toml).
pytestmark = pytest.mark.slow

DOC = ROOT / "docs" / "team.md"
RAY_FIXED = set(range(10001, 20000)) | {8265, 52365}  # Ray's own default ports


def doc_block(name: str) -> str:
    found = re.search(rf"```bash {name}\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert found, f"docs/team.md has no `bash {name}` block"
    return found.group(1)


def free_ports(n: int) -> list[int]:
    ports: list[int] = []
    while len(ports) < n:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in RAY_FIXED and port not in ports:
            ports.append(port)
    return ports


def _require_services() -> None:
    from tests import postgres

    chromium.require()
    missing = [
        what
        for what, found in (
            ("PostgreSQL (apt-get install postgresql)", postgres.binaries()),
            ("ray (pip install -r requirements-team.txt)", shutil.which("ray")),
            ("moto_server (pip install -r requirements-dev.txt)", shutil.which("moto_server")),
            ("runuser, as root (PostgreSQL runs as its own user)", os.geteuid() == 0),
        )
        if not found
    ]
    if missing:
        chromium.skip_or_fail("the team setup needs " + ", ".join(missing))


def _healthy(url: str, timeout: float = 90) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).close()
            return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"{url} did not come up")


@pytest.fixture(scope="module")
def team():
    _require_services()
    folder = Path(tempfile.mkdtemp(prefix="tlab-team-"))  # in /tmp: the postgres user reaches it
    folder.chmod(0o755)
    pg, s3, ray, app_a, app_b = free_ports(5)
    env = {
        **os.environ,
        "TEAM": str(folder),
        "PG_PORT": str(pg),
        "S3_PORT": str(s3),
        "RAY_PORT": str(ray),
        "APP_PORTS": f"{app_a} {app_b}",
        "TLAB_WEIGHTS_DIR": str(WEIGHTS_DIR),
        "TLAB_OFFLINE": "1",
        "KERAS_HOME": str(folder / "keras"),
    }
    try:
        up = subprocess.run(
            ["bash", "-e", "-c", doc_block("team-up")],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=240,
        )
        assert up.returncode == 0, up.stdout[-2000:] + up.stderr[-3000:]
        urls = [f"http://127.0.0.1:{port}" for port in (app_a, app_b)]
        for url in urls:
            _healthy(url)
        yield urls, folder, (app_a, app_b)
    finally:
        down = ["bash", "-c", doc_block("team-down")]
        subprocess.run(down, env=env, cwd=ROOT, capture_output=True, timeout=120)
        for log in folder.glob("app-*.log"):  # the servers' logs, for a failure's report
            print(f"---- {log.name} ----\n" + log.read_text(errors="replace")[-3000:])
        shutil.rmtree(folder, ignore_errors=True)


def test_two_servers_share_runs_datasets_and_files_live(team):
    from playwright.sync_api import expect, sync_playwright

    urls, folder, ports = team
    expect.set_options(timeout=180_000)
    with sync_playwright() as p:
        browser = chromium.launch(p)
        a, b = (browser.new_page(viewport={"width": 1400, "height": 1000}) for _ in "ab")
        for page, url in zip((a, b), urls, strict=True):
            page.set_default_timeout(180_000)
            page.goto(url)
            page.get_by_role("link", name="Train").click()
        # a adds a sample dataset and starts a long run; Ray trains it
        a.get_by_role("tab", name="Built-in samples").click()
        a.get_by_role("button", name="Add faces").click()
        expect(a.get_by_text("Images per class").first).to_be_visible()
        long_run = _start(a, expect, "scratch", 300)
        # b, another server: the dataset (from S3), the run (from PostgreSQL), live; Stop there
        b.reload()
        expect(b.get_by_text(f"run {long_run} · status running")).to_be_visible()
        expect(b.get_by_role("combobox", name="Stored datasets")).to_have_value(
            re.compile(r"^faces · 200 images")
        )
        b.get_by_role("button", name="Stop").click()
        expect(a.get_by_text(f"run {long_run} · status stopped")).to_be_visible()  # a's poll
        # b trains a short run; a, in a new session, shows its results from S3's copies
        short_run = _start(b, expect, "linear_head", 3)
        expect(b.get_by_text(f"run {short_run} · status finished")).to_be_visible(timeout=300_000)
        fresh = browser.new_page(viewport={"width": 1400, "height": 1000})
        fresh.goto(urls[0])
        fresh.get_by_role("link", name="Train").click()
        expect(fresh.get_by_text(f"run {short_run} · status finished")).to_be_visible()
        expect(fresh.get_by_text("Export parity")).to_be_visible()
        fresh.get_by_role("link", name="Compare").click()
        expect(fresh.get_by_text("validation accuracy by epoch")).to_be_visible()
        browser.close()
    pulled = folder / f"home-{ports[0]}" / "runs" / short_run / "model.keras"
    assert pulled.is_file()  # trained for server b, shown on a from the S3 copy


DEFAULT_EPOCHS = {"linear_head": 20, "scratch": 40}


def _idle(page, expect) -> None:
    """Wait for the script run under way (a widget's rerun) to end."""
    page.wait_for_timeout(500)
    app = page.get_by_test_id("stApp")
    expect(app).to_have_attribute("data-test-script-state", "notRunning")


def _start(page, expect, strategy: str, epochs: int) -> str:
    """Pick the small backbone and `strategy`, start a run of `epochs`; returns its id."""
    chromium.choose(page, expect, "Backbone", "0.25 @224", re.compile(r"^MobileNet α=0.25 @224px"))
    _idle(page, expect)
    if strategy != "linear_head":  # the default
        chromium.choose(page, expect, "Strategy", strategy, re.compile("From scratch"))
        _idle(page, expect)
    epochs_input = page.get_by_label("Epochs")
    expect(epochs_input).to_have_count(1)  # the previous strategy's form has gone
    expect(epochs_input).to_have_value(str(DEFAULT_EPOCHS[strategy]))  # this one's is drawn
    epochs_input.fill(str(epochs))
    epochs_input.press("Tab")
    expect(epochs_input).to_have_value(str(epochs))
    page.get_by_role("button", name="Train", exact=True).click()
    live = page.get_by_text(re.compile(r"run \S+ · status (queued|running)"))
    expect(live).to_be_visible()
    return re.search(r"run (\S+) · status", live.inner_text()).group(1)
