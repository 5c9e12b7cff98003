"""Random initial weights come from process-wide generators; `backbones.building` keeps
concurrent builds apart."""

from __future__ import annotations

import threading
import time

import keras
import numpy as np

from models import backbones


def two_dense_layers(pause: float = 0.0) -> list[np.ndarray]:
    first = keras.layers.Dense(4)
    first.build((None, 3))
    time.sleep(pause)  # another thread gets its chance to reseed here
    second = keras.layers.Dense(4)
    second.build((None, 3))
    return [np.array(first.kernel), np.array(second.kernel)]


def test_a_seeded_build_is_not_reseeded_by_another_thread():
    with backbones.building(1):
        expected = two_dense_layers()
    got = {}

    def seeded_build():
        with backbones.building(1):
            got["a"] = two_dense_layers(pause=0.3)

    def other_build():
        time.sleep(0.1)
        with backbones.building(2):
            got["b"] = two_dense_layers()

    threads = [threading.Thread(target=seeded_build), threading.Thread(target=other_build)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(np.array_equal(e, g) for e, g in zip(expected, got["a"], strict=True))
    assert not np.array_equal(got["a"][0], got["b"][0])  # the other seed did take effect
