"""Deterministic layer names for Keras application models.

Keras 3 names unnamed layers from a per-thread counter (`activation_17`, `re_lu_2`, ...).
Inception, NASNet and MobileNetV3 leave many layers unnamed, so the same model built twice in one
thread (or in two Streamlit sessions' threads) gets different names. The catalog records stage
layers by name, so every build here runs with a fresh counter, as in a new process.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from keras.src.backend.common import global_state

_UIDS = "object_name_uids"


@contextlib.contextmanager
def fresh_layer_names() -> Iterator[None]:
    """Build inside this block to get the layer names a fresh process would give."""
    saved = global_state.get_global_attribute(_UIDS)
    global_state.set_global_attribute(_UIDS, None)
    try:
        yield
    finally:
        # Give the caller its counters back: names need to be unique within one model only,
        # and the caller's own unnamed layers should keep counting where they were.
        global_state.set_global_attribute(_UIDS, saved)
