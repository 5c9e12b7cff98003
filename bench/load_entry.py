"""The app's entry for `bench load` and `bench soak`, with training in the same server.

TLAB_BENCH_TRAIN=1: on the first session, one long full fine-tune of the faces sample starts in
the server's own trainer thread. TLAB_BENCH_TRAIN=cycle: a thread starts a run, lets it train a
few seconds, stops it, and starts the next, until TLAB_HOME/stop-cycle exists (and waits while
TLAB_HOME/pause-cycle exists). Then the real
entry script runs as usual.
"""

from __future__ import annotations

import os
import runpy
import threading
import time
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parents[1]


def _config(seed: int = 42):
    from dashboard import datasets, glue, training

    manifest = datasets.ingest_sample(glue.settings(), "faces").manifest
    config = training.default_config(manifest.id, "MobileNet_0.25_224", "full_finetune")
    return config.with_(epochs=200, image_size=128, seed=seed)


def _cycle(jm, stop_file: Path) -> None:
    seed = 0
    pause_file = stop_file.with_name("pause-cycle")
    while not stop_file.exists():
        if pause_file.exists():  # the soak is counting: no run in flight meanwhile
            time.sleep(0.5)
            continue
        run, _ = jm.submit(_config(seed), again=True)
        time.sleep(6)
        jm.stop(run.id)
        while jm.runs.get(run.id).active:
            time.sleep(0.5)
        seed += 1


@st.cache_resource
def background_training(mode: str) -> None:
    from dashboard import glue

    jm = glue.job_manager()
    if mode == "cycle":
        stop_file = glue.settings().home / "stop-cycle"
        threading.Thread(target=_cycle, args=(jm, stop_file), daemon=True).start()
    else:
        jm.submit(_config(), again=True)


if os.environ.get("TLAB_BENCH_TRAIN"):
    background_training(os.environ["TLAB_BENCH_TRAIN"])
runpy.run_path(str(ROOT / "streamlit_app.py"), run_name="__main__")
