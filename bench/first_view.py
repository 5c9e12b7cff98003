"""first_predictions_vs_plain_keras: a newcomer's first look at Explore against plain Keras.

Our side: the README's first command (`python -m dashboard`, a fresh TLAB_HOME, the shared
weights) is started; as soon as its health endpoint answers, one viewer connects over
Streamlit's websocket (bench/load.py's client, as a browser tab) and the figure is the time
from connecting to Explore's Top-5 chart. The plain side: `python bench/plain_keras.py` in a
fresh process imports Keras, builds the same default model and predicts the same photo; its
whole wall time. 3 rounds, the sides interleaved. Goal <= 1.0.

Info: the same first look at a server started with `streamlit run streamlit_app.py` (no
warm-up), over the same plain side; and our side timed from the command (the server's own
start-up included) instead of from the page's opening.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.load import ROOT, SHARED_WEIGHTS, Server, viewer
from bench.timing import figure, ratios

ROUNDS = 3


def plain_seconds() -> float:
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    env.setdefault("TLAB_WEIGHTS_DIR", str(SHARED_WEIGHTS))
    started = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "bench" / "plain_keras.py")], env=env, check=True)
    return time.perf_counter() - started


def first_view_seconds(launcher: bool) -> tuple[float, float]:
    """A fresh server; one viewer connecting the moment it answers: (seconds from connecting
    to predictions, seconds from the command to predictions)."""
    with tempfile.TemporaryDirectory() as tmp:
        server = Server(Path(tmp), launcher=launcher, settle=0.0)
        try:
            opened: list = []
            seconds = asyncio.run(viewer(server.port, opened))
            since_command = time.perf_counter() - server.started
            asyncio.run(_close(opened))
            return seconds, since_command
        finally:
            server.stop()


async def _close(sessions) -> None:
    await asyncio.gather(*(s.close() for s in sessions), return_exceptions=True)


def run() -> list[dict]:
    ours, cold, plain = [], [], []
    for _ in range(ROUNDS):
        ours.append(first_view_seconds(launcher=True))
        plain.append(plain_seconds())
        cold.append(first_view_seconds(launcher=False))
    for name, side in (("python -m dashboard", ours), ("streamlit run", cold)):
        print(
            f"# {name}: connect to predictions {[round(a, 2) for a, _ in side]} s, command to "
            f"predictions {[round(b, 2) for _, b in side]} s"
        )
    print(f"# plain Keras, a fresh process: {[round(v, 2) for v in plain]} s")
    return [
        figure("first_predictions_vs_plain_keras", ratios([a for a, _ in ours], plain), "<= 1.0"),
        figure(
            "first_predictions_vs_plain_keras[streamlit_run]",
            ratios([a for a, _ in cold], plain),
            "info",
        ),
        figure(
            "first_predictions_since_command_vs_plain_keras",
            ratios([b for _, b in ours], plain),
            "info: the server's own start included",
        ),
    ]
