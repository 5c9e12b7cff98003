"""A viewer cannot exhaust the server: uploads are decoded at the size they are shown, every
cache is bounded, and heavy work past the server's limit answers "busy" instead of queueing."""

from __future__ import annotations

import ast
import io
import threading
import time

import numpy as np
import pytest
import streamlit as st
from PIL import Image
from streamlit.testing.v1 import AppTest

from dashboard import bounded, glue, images
from tests.conftest import ROOT, no_exception


def huge(fmt: str, side: int = 6300) -> bytes:
    """A small file that is a huge picture (0.1 MB of PNG, 119 MB decoded)."""
    buf = io.BytesIO()
    Image.new("RGB", (side, side), (120, 40, 200)).save(buf, fmt)
    return buf.getvalue()


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_an_upload_is_decoded_at_the_size_it_is_shown(fmt):
    data = huge(fmt)
    assert len(data) < 2_000_000
    rgb = images.decode(data, 50_000_000, max_side=glue.VIEW_SIDE)
    assert max(rgb.shape[:2]) == glue.VIEW_SIDE and rgb.nbytes <= 3 * glue.VIEW_SIDE**2
    assert np.abs(rgb[500, 500].astype(int) - (120, 40, 200)).max() <= 8


def test_a_cache_is_bounded_by_entries_and_by_bytes():
    cache = bounded.BoundedCache(max_entries=3, max_bytes=1000)
    for i in range(5):
        cache.get_or_make(i, lambda: np.zeros(10, "uint8"))
    assert list(cache.entries) == [2, 3, 4]  # by entries, least recent out
    cache.get_or_make("big", lambda: np.zeros(600, "uint8"))
    cache.get_or_make("bigger", lambda: np.zeros(700, "uint8"))
    assert cache.bytes <= 1000 and "big" not in cache.entries
    made = cache.get_or_make("too big", lambda: np.zeros(2000, "uint8"))
    assert made.nbytes == 2000 and "too big" not in cache.entries


def test_a_key_being_made_is_made_once_for_everyone_who_asks():
    """The server's warm-up and its first viewer ask for the default model at once: one
    load, not two on two cores."""
    cache = bounded.BoundedCache(max_entries=3, max_bytes=1000)
    calls, release = [], threading.Event()

    def slow_make():
        calls.append(1)
        release.wait(10)
        return np.zeros(10, "uint8")

    got = []
    askers = [threading.Thread(target=lambda: got.append(cache.get_or_make("m", slow_make)))]
    askers[0].start()
    while not calls:  # the first asker is making it
        time.sleep(0.01)
    askers.append(threading.Thread(target=lambda: got.append(cache.get_or_make("m", slow_make))))
    askers[1].start()
    other = cache.get_or_make("other", lambda: np.ones(3, "uint8"))  # other keys go on
    release.set()
    for t in askers:
        t.join(10)
    assert len(calls) == 1 and len(got) == 2 and got[0] is got[1] and other.sum() == 3


def test_a_failed_make_lets_the_next_asker_make_it():
    cache = bounded.BoundedCache(max_entries=3, max_bytes=1000)

    def broken():
        raise OSError("weights missing")

    with pytest.raises(OSError):
        cache.get_or_make("m", broken)
    assert cache.get_or_make("m", lambda: np.zeros(1, "uint8")).shape == (1,)


def test_every_streamlit_cache_in_glue_has_a_bound():
    tree = ast.parse((ROOT / "dashboard" / "glue.py").read_text(encoding="utf-8"))
    decorators = [
        d
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef)
        for d in node.decorator_list
        if isinstance(d, ast.Call) and ast.unparse(d.func).startswith("st.cache")
    ]
    assert decorators
    for d in decorators:
        assert "max_entries" in {k.arg for k in d.keywords}, ast.unparse(d)


def test_the_gate_answers_busy_instead_of_queueing():
    gate = bounded.Gate(slots=1, waiting=1, wait_s=0.2)
    held, release = threading.Event(), threading.Event()

    def hold():
        with gate.enter("x"):
            held.set()
            release.wait(10)

    worker = threading.Thread(target=hold)
    worker.start()
    assert held.wait(10)
    with pytest.raises(bounded.Busy, match="busy"), gate.enter("Grad-CAM"):  # 0.2 s in line
        pass
    release.set()
    worker.join(10)
    with gate.enter("x"):  # free again
        pass


def test_explore_says_busy_when_the_server_is_full(shared_weights_env, monkeypatch):
    st.cache_data.clear()
    st.cache_resource.clear()
    full = bounded.Gate(slots=1, waiting=0, wait_s=0.0)
    monkeypatch.setattr(glue, "HEAVY", full)
    with full.enter("another viewer's work"):
        at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=180).run()
    no_exception(at)
    assert any("busy" in w.value for w in at.warning), [w.value for w in at.warning]
