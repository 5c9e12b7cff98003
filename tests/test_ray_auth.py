"""Ray with a token: the head started as docs/team.md starts it (RAY_AUTH_MODE=token, a token
made by `ray get-auth-token --generate`) refuses a client without the token, and the app's own
connection (`ray_setup.prepare`, then `ray_executor.connect`) sends it. The head is one
`ray start --block` process on 127.0.0.1, stopped by its own process id."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT

# Slow (minutes: servers and clusters of its own): `python -m pytest -m slow` runs it; the
# default run (CI's) leaves it out to stay within its 30 minutes (pyproject.toml).
pytestmark = pytest.mark.slow

LOOPBACK = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "RAY_USAGE_STATS_ENABLED": "0"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def token_head():
    """(address, the HOME holding the head's token); short paths: Ray's socket names must fit."""
    if shutil.which("ray") is None:
        pytest.skip("ray is not installed (pip install -r requirements-team.txt)")
    root = Path(tempfile.mkdtemp(prefix="rt", dir="/tmp"))
    home, port = root / "h", free_port()
    env = {**os.environ, **LOOPBACK, "HOME": str(home), "RAY_AUTH_MODE": "token"}
    env.pop("RAY_AUTH_TOKEN", None)
    subprocess.run(
        ["ray", "get-auth-token", "--generate"], env=env, check=True, capture_output=True
    )
    log = open(root / "head.log", "w")  # noqa: SIM115 (closed below)
    head = subprocess.Popen(
        ["ray", "start", "--head", "--port", str(port), "--num-cpus", "1"]
        + ["--include-dashboard", "false", "--temp-dir", str(root / "t"), "--block"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.time() + 120
        while "will now block" not in (root / "head.log").read_text(errors="replace"):
            assert head.poll() is None and time.time() < deadline, "the head did not start"
            time.sleep(0.3)
        yield f"127.0.0.1:{port}", home
    finally:
        head.send_signal(signal.SIGTERM)  # `ray start --block` stops what it started
        try:
            head.wait(60)
        except subprocess.TimeoutExpired:
            head.kill()
        log.close()
        shutil.rmtree(root, ignore_errors=True)


def client(code: str, home: Path, **env: str) -> subprocess.CompletedProcess:
    full = {**os.environ, **LOOPBACK, "HOME": str(home), "PYTHONPATH": str(ROOT), **env}
    for name in ("RAY_AUTH_MODE", "RAY_AUTH_TOKEN", "RAY_AUTH_TOKEN_PATH"):
        if name not in env:
            full.pop(name, None)
    return subprocess.run(
        [sys.executable, "-c", code], env=full, capture_output=True, text=True, timeout=180
    )


PLAIN = "import ray; ray.init(address={address!r}); print('CONNECTED', ray.cluster_resources())"
APP = """
from dashboard.settings import Settings
from dashboard.training import ray_setup
settings = Settings.from_env()
ray_setup.prepare(settings)
from dashboard.training.ray_executor import connect
connect(settings)
import ray
print('CONNECTED', ray.cluster_resources())
"""


def test_a_client_without_the_token_is_refused_and_the_app_sends_it(token_head, tmp_path):
    address, home = token_head
    stranger = client(PLAIN.format(address=address), tmp_path)  # no token anywhere
    assert "CONNECTED" not in stranger.stdout and stranger.returncode != 0
    wrong = client(
        PLAIN.format(address=address), tmp_path, RAY_AUTH_MODE="token", RAY_AUTH_TOKEN="0" * 64
    )
    assert "CONNECTED" not in wrong.stdout  # token mode on, but not this cluster's token
    app = client(APP, home, TLAB_EXECUTOR="ray", TLAB_RAY_ADDRESS=address)
    assert "CONNECTED" in app.stdout, app.stderr[-2000:]
