"""Streamlit's after-run cleanup must leave Keras alone.

After every script run (each fragment rerun included) Streamlit calls
`keras.backend.clear_session()`. With a trainer thread running Keras while the Train page's live
view reruns every second, that reset Keras' state under the trainer and, under load, deadlocked a
run at the end of an epoch. `dashboard.ui_cache` replaces that cleanup on import.
"""

from __future__ import annotations

import subprocess
import sys

import keras
from streamlit.testing.v1 import AppTest

SCRIPT = """
import keras
from dashboard import ui_cache  # noqa: F401  (as every page imports it)

keras.layers.Dense(1)
"""


def test_a_script_run_does_not_clear_the_keras_session(monkeypatch):
    calls = []
    monkeypatch.setattr(keras.backend, "clear_session", lambda *a, **k: calls.append(a))
    at = AppTest.from_string(SCRIPT).run(timeout=60)
    assert not at.exception
    at.run(timeout=60)
    assert calls == []


def _number(name: str) -> int:
    """dense → 0, dense_7 → 7."""
    return int(name.rpartition("_")[2]) if "_" in name else 0


def test_keras_state_survives_a_script_run():
    """A name counter stands for all of Keras' global state (clear_session resets it)."""
    keras.layers.Dense(1)
    before = keras.layers.Dense(1).name
    AppTest.from_string(SCRIPT).run(timeout=60)
    after = keras.layers.Dense(1).name
    assert _number(after) > _number(before) > 0, (before, after)


def test_sigusr1_writes_every_threads_stack_and_the_server_lives_on():
    code = (
        "import os, signal, threading, time\n"
        "from dashboard import ui_cache\n"
        "threading.Thread(target=time.sleep, args=(5,), name='tlab-trainer', daemon=True).start()\n"
        "os.kill(os.getpid(), signal.SIGUSR1)\n"
        "time.sleep(0.5)\n"
        "print('still here')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "still here" in out.stdout
    assert out.stderr.count("most recent call first") >= 2, out.stderr[-2000:]  # both threads
