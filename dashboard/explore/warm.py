"""The pretrained models one server keeps for all its sessions, and the warm-up that loads the
default one when the server starts (`python -m dashboard`).

A newcomer's first look at Explore otherwise waits for TensorFlow's import, the model's build
and its first (traced) forward pass: 11 s here on 2 cores, where a plain Keras script does the
same in 5 s. Warmed in a thread from the server's start, the model is ready or nearly so when
the first page opens (`python -m bench first_view`); a viewer who asks while it loads waits for
that load instead of starting a second one (`BoundedCache.get_or_make`).
"""

from __future__ import annotations

import logging
import time

from dashboard import bounded, images, model_menu
from dashboard.explore.analysis import analyse, load
from dashboard.settings import Settings

MODELS = bounded.BoundedCache(max_entries=4, max_bytes=1536 << 20, size_of=lambda m: m.nbytes)
log = logging.getLogger(__name__)
WARM_UP_DONE = "Explore's default model is ready:"


def loaded_model(settings: Settings, key: str, make):
    """The model `key` for these settings, made by `make()` once and shared by every session."""
    return MODELS.get_or_make((settings, key), make)


def warm_up(settings: Settings) -> str | None:
    """Load the default model and run it once on the default sample photo; its key, or None
    where it cannot load (offline without its weights): the page says why when it is opened."""
    started, key = time.perf_counter(), model_menu.default_model_key(settings)
    try:
        model = loaded_model(settings, key, lambda: load(key, settings))
        analyse(model, images.load_sample(next(iter(images.SAMPLES))))
    except Exception:  # noqa: BLE001 (a warm-up never stops the server; the page shows why)
        log.warning("warm-up of %s skipped", key, exc_info=True)
        return None
    # For the operator, beside Streamlit's own start-up lines (the server's console).
    print(f"  {WARM_UP_DONE} {key} ({time.perf_counter() - started:.1f} s)", flush=True)
    return key
