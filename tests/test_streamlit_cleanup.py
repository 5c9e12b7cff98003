"""Streamlit's after-run cleanup must leave Keras alone.

After every script run (each fragment rerun included) Streamlit calls
`keras.backend.clear_session()`. With a trainer thread running Keras while the Train page's live
view reruns every second, that reset Keras' state under the trainer and, under load, deadlocked a
run at the end of an epoch. `dashboard.glue` replaces that cleanup on import.
"""

from __future__ import annotations

import subprocess
import sys

import keras
from streamlit.testing.v1 import AppTest

SCRIPT = """
import keras
from dashboard import glue  # noqa: F401  (as every page imports it)

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
        "from dashboard import glue\n"
        "threading.Thread(target=time.sleep, args=(5,), name='tlab-trainer', daemon=True).start()\n"
        "os.kill(os.getpid(), signal.SIGUSR1)\n"
        "time.sleep(0.5)\n"
        "print('still here')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "still here" in out.stdout
    assert out.stderr.count("most recent call first") >= 2, out.stderr[-2000:]  # both threads


def test_the_two_private_streamlit_hooks_are_still_there():
    """The glue leans on two Streamlit internals that no public setting replaces (checked
    against the docs: `runner.postScriptGC` turns off only the gc, and `st.navigation` does not
    stop the first run of a page URL from running that page alone). When an upgrade moves
    either, this fails, instead of the patch silently doing nothing."""
    import inspect

    from streamlit.runtime import pages_manager
    from streamlit.runtime.scriptrunner import script_runner

    from dashboard import glue

    # the after-run cleanup: a module function the runner calls by name
    assert script_runner._clean_problem_modules is glue._clean_without_keras
    assert "_clean_problem_modules" in inspect.getsource(script_runner.ScriptRunner)
    # the old pages/ mode: a class attribute that st.navigation itself sets to False
    assert "uses_pages_directory" in vars(pages_manager.PagesManager)
    assert "uses_pages_directory" in inspect.getsource(script_runner.ScriptRunner)
