"""Sign-in end to end: Streamlit's own `st.login` against a real OpenID Connect provider on
127.0.0.1 (oidc-provider-mock), in Chromium. An editor and a viewer sign in; the editor may add
a dataset, the viewer sees the app read-only. Unit checks of the editors list beside it."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from dashboard import access
from dashboard.settings import READONLY_NOTE
from tests import chromium
from tests.conftest import ROOT, WEIGHTS_DIR

EDITOR, VIEWER = "editor@example.com", "viewer@example.com"


@pytest.mark.parametrize(
    ("claims", "editor"),
    [
        ({"email": "Editor@Example.com"}, True),
        ({"email": "viewer@example.com"}, False),
        ({"email": "x@y", "groups": ["staff", "tlab-editors"]}, True),
        ({"email": "x@y", "groups": "tlab-editors"}, True),
        ({"email": "x@y", "groups": ["tlab-editors-not"]}, False),
        ({}, False),
    ],
)
def test_the_editors_list_takes_emails_and_claims(claims, editor):
    assert access.is_editor(claims, [EDITOR, "groups=tlab-editors"]) is editor


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, proc: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[:4]} exited with {proc.returncode}")
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer")


@pytest.fixture
def signed_app(tmp_path):
    """The OIDC provider and the app, each on a free port of 127.0.0.1, each stopped by its
    own process."""
    chromium.require()
    pytest.importorskip("oidc_provider_mock")
    pytest.importorskip("authlib")
    idp_port, app_port = free_port(), free_port()
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(
        f"""[auth]
redirect_uri = "http://127.0.0.1:{app_port}/oauth2callback"
cookie_secret = "{os.urandom(16).hex()}"
client_id = "tlab"
client_secret = "tlab-secret"
server_metadata_url = "http://127.0.0.1:{idp_port}/.well-known/openid-configuration"

[tlab]
editors = ["{EDITOR}"]
"""
    )
    env = {**os.environ, "TLAB_HOME": str(tmp_path / "home"), "TLAB_OFFLINE": "1"}
    env.update(TLAB_WEIGHTS_DIR=str(WEIGHTS_DIR), KERAS_HOME=str(tmp_path / "keras"))
    log = open(tmp_path / "servers.log", "w")  # noqa: SIM115 (closed below)
    idp = subprocess.Popen(
        [sys.executable, "-m", "oidc_provider_mock", "-H", "127.0.0.1", "-p", str(idp_port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    app_args = ["--server.port", str(app_port), "--server.address", "127.0.0.1"]
    app = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", *app_args]
        + ["--server.headless", "true", "--secrets.files", str(secrets)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for(f"http://127.0.0.1:{idp_port}/.well-known/openid-configuration", idp)
        wait_for(f"http://127.0.0.1:{app_port}/_stcore/health", app)
        yield f"http://127.0.0.1:{app_port}", tmp_path / "servers.log", tmp_path / "home"
    finally:
        for proc in (app, idp):
            proc.terminate()
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
        log.close()


def shown(who: str, rest: str = "") -> re.Pattern:
    """`who` as the page shows it (names go out with a word joiner after '@': no autolink)."""
    return re.compile(re.escape(who).replace("@", "@\u2060?") + re.escape(f" · {rest}"))


def sign_in(page, expect, url: str, who: str) -> None:
    page.goto(url)
    page.get_by_role("button", name="Sign in").click(timeout=60_000)
    page.get_by_placeholder("sub").fill(who)  # the provider's own form
    page.get_by_role("button", name="Authorize").click()
    expect(page.get_by_text(shown(who))).to_be_visible(timeout=60_000)


def test_an_editor_and_a_viewer_sign_in_and_each_can_do_their_part(signed_app):
    from playwright.sync_api import expect, sync_playwright

    url, log, home = signed_app
    try:
        with sync_playwright() as p:
            browser = chromium.launch(p)
            page = browser.new_page()
            page.goto(url)
            expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=60_000)
            expect(page.get_by_text("Explore pretrained models")).to_have_count(0)

            sign_in(page, expect, url, EDITOR)
            expect(page.get_by_text(shown(EDITOR, "editor"))).to_be_visible()
            page.goto(f"{url}/train")
            page.get_by_role("tab", name="Built-in samples").click(timeout=60_000)
            page.get_by_role("button", name="Add digits").click()
            expect(page.get_by_text(re.compile(r"Stored \*?\*?digits"))).to_be_visible(
                timeout=120_000
            )

            viewer = browser.new_context().new_page()
            sign_in(viewer, expect, url, VIEWER)
            expect(viewer.get_by_text(shown(VIEWER, "viewer: read-only"))).to_be_visible()
            viewer.goto(f"{url}/train")
            expect(viewer.get_by_text(READONLY_NOTE)).to_be_visible(timeout=60_000)
            datasets_box = viewer.get_by_role("combobox", name="Stored datasets")
            expect(datasets_box).to_have_value(re.compile("digits"))  # sees what was added
            expect(viewer.get_by_role("tab", name="Built-in samples")).to_have_count(0)
            expect(viewer.get_by_text("Rename or delete")).to_have_count(0)
            browser.close()
        owners = [json.loads(m.read_text())["owner"] for m in home.glob("datasets/*/manifest.json")]
        assert owners == [EDITOR]  # the dataset records who added it
    except Exception as exc:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-60:])
        raise AssertionError(f"{exc}\n---- servers' log ----\n{tail}") from exc
