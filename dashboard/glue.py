"""Streamlit glue: the one module in `dashboard/` that imports streamlit.

It holds what ties the services to Streamlit's runtime: the caches, the entry's navigation
guard, the patch that keeps Keras' state between script runs, and (at import) stack dumps on
SIGUSR1. It decides what lives for the whole process (loaded models, shared by every session)
and what is memoised per input (`cache_data`: results keyed by model and image bytes), so a
rerun whose inputs did not change recomputes nothing.

Memory stays bounded whatever the viewers do (`dashboard.bounded`): loaded models are kept by
entries and bytes; every `cache_data` has `max_entries`, and each of its entries is bounded in
size by construction (uploads are decoded at most VIEW_SIDE px on their long side, so what
follows from them is too); heavy work (loading a model, a forward pass over an upload,
Grad-CAM, activation maximisation) passes the HEAVY gate, and past it a viewer reads "busy,
try again" (`Busy`, shown by the entry) instead of joining a queue that grows without end.
"""

from __future__ import annotations

import dataclasses
import sys

import numpy as np
import streamlit as st

from dashboard import (
    access,
    bounded,
    datasets,
    diagnostics,
    explore,
    i18n,
    images,
    probes,
    progress,
    runs,
    training,
)
from dashboard.bounded import Busy
from dashboard.i18n import N_, Spoken, _
from dashboard.settings import Settings
from models import catalog

VIEW_SIDE = 1024  # px: the largest side an upload is decoded at (models see at most 600)
HEAVY = bounded.Gate(slots=2, waiting=8, wait_s=30.0)  # 2 cores: 2 at a time, 8 in line
__all__ = ["Busy"]  # raised by the functions below; the entry script shows it


@st.cache_resource(show_spinner=False, max_entries=1)
def server_settings() -> Settings:
    """The server's settings, from its environment (the job manager's)."""
    return Settings.from_env()


def settings() -> Settings:
    """This session's settings: the server's, read-only for a viewer who may not edit."""
    server = server_settings()
    if server.readonly or can_edit():
        return server
    return dataclasses.replace(server, readonly=True)


def sign_in_configured() -> bool:
    """Whether `[auth]` is in the secrets: then everyone signs in (`st.login`)."""
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, KeyError, ValueError):  # no secrets file at all
        return False


def signed_in() -> bool:
    return bool(st.user.get("is_logged_in", False))  # the key exists only with auth on


def can_edit() -> bool:
    """Anyone without sign-in configured; else an editor listed in `[tlab] editors`."""
    if not sign_in_configured():
        return True
    editors = st.secrets.get("tlab", {}).get("editors", [])
    return signed_in() and access.is_editor(st.user.to_dict(), editors)


def loaded_model(key: str) -> explore.LoadedModel:
    """The model, loaded once and shared by every session (`explore.MODELS`, bounded)."""

    def load() -> explore.LoadedModel:
        with HEAVY.enter(N_("loading a model")), st.spinner(_("Loading the pretrained model…")):
            return explore.load(key, server_settings())

    return explore.loaded_model(server_settings(), key, load)


@st.cache_data(show_spinner=False, max_entries=64)
def sample_image(label: str) -> np.ndarray:
    return images.load_sample(label)


@st.cache_data(show_spinner=False, max_entries=32)
def decoded_upload(data: bytes) -> np.ndarray:
    """An upload as shown: at most VIEW_SIDE px a side (3 MB), whatever the picture's size.
    Decoding is heavy work: a PNG decodes whole (100 MB for a 0.1 MB file) before it shrinks."""
    return HEAVY.run(
        N_("decoding an upload"), images.decode, data, settings().max_image_pixels, VIEW_SIDE
    )


@st.cache_data(show_spinner=Spoken(N_("Running the model…")), max_entries=16)
def analysis(key: str, rgb: np.ndarray) -> explore.Analysis:
    model = loaded_model(key)
    with HEAVY.enter(N_("running a model")):
        return explore.analyse(model, rgb)


@st.cache_data(show_spinner=False, max_entries=32)
def layer_activations(key: str, layer: str, rgb: np.ndarray) -> np.ndarray:
    model = loaded_model(key)
    with HEAVY.enter(N_("feature maps")):
        return explore.layer_activations(model, layer, rgb)


@st.cache_data(show_spinner=Spoken(N_("Computing Grad-CAM…")), max_entries=64)
def grad_cam(key: str, rgb: np.ndarray, class_id: int | None) -> tuple[np.ndarray, int]:
    model = loaded_model(key)
    with HEAVY.enter(N_("Grad-CAM")):
        return explore.grad_cam(model, rgb, class_id)


@st.cache_data(show_spinner=False, max_entries=128)
def maximized(key: str, layer: str, channel: int, steps: int, _say=progress.silent):
    """Cached per (model, layer, channel, steps); `_say` (progress) is not part of the key."""
    model = loaded_model(key)
    with HEAVY.enter(N_("activation maximisation")):
        return explore.maximize(model, layer, channel, steps, _say)


@st.cache_data(show_spinner=False, max_entries=8)
def sample_thumbnails(dataset_id: str, per_class: int, size: int = 144) -> dict[str, list]:
    """A few small images per class, decoded once per dataset (ids are content hashes, so a
    changed dataset has a new id) instead of full-size files on every rerun."""
    s = settings()
    manifest = datasets.get(s, dataset_id)

    def small(record) -> np.ndarray:
        return images.thumbnail(images.decode(datasets.read_image(s, manifest, record)), size)

    grid = datasets.sample_grid(manifest, per_class)
    return {cls: [small(r) for r in records] for cls, records in grid.items()}


def user_name() -> str:
    """Who uses this session, for the runs it starts: the signed-in user's email (or name)
    when Streamlit authentication is configured (`st.login`), else nobody in particular."""
    if not st.user.get("is_logged_in", False):  # the key exists only with auth configured
        return ""
    return str(st.user.get("email") or st.user.get("name") or "")


def run_store() -> runs.RunStore:
    """The server's run store, to read runs: it starts no thread and trains nothing (a page
    that only shows runs never starts the trainer)."""
    return runs.open_runs(server_settings())


def job_manager() -> training.JobManager:
    """The process's training queue (one per TLAB_HOME; it outlives every script run): to
    submit and stop runs and to follow the ones this server trains."""
    return training.manager(server_settings())


@st.cache_resource(show_spinner=Spoken(N_("Loading the trained model…")), max_entries=4)
def trained_model(path: str, mtime: float):
    """A run's exported model, loaded once; `mtime` makes a re-export load anew. safe_mode:
    a model file holds no code that runs on load (no Lambda layers from a pickle)."""
    import keras

    return keras.saving.load_model(path, safe_mode=True)


LANGUAGE = "_tlab_language"  # this session's language: one of i18n.LANGUAGES


def _session_language() -> str | None:
    """The language chosen in the session whose script is running; None in any other thread
    (a trainer, a watch): their text is made in a `speaking` block or in English."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    if get_script_run_ctx(suppress_warning=True) is None:
        return None
    return st.session_state.get(LANGUAGE)


i18n.follow(_session_language)  # per session: two viewers in two languages each see their own


ROUTED = "_tlab_routed_by_entry"


def mark_routed_by_entry() -> None:
    """Called by the entry script right before it runs the chosen page."""
    st.session_state[ROUTED] = True


def require_entry_navigation() -> None:
    """Make sure the entry script's `st.navigation` is in charge of this session.

    With a `pages/` folder beside the entry script, Streamlit starts each server process in its
    old multipage mode, listing every file in pages/ and, for a page URL, running that page
    alone. Until the entry has routed this session, switch that mode off and rerun; the entry
    script then routes to the same URL. Called by the entry and by each page; a no-op once the
    entry has routed.
    """
    if st.session_state.get(ROUTED):
        return
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


@st.cache_data(show_spinner=Spoken(N_("Classifying…")), max_entries=64)
def tried_image(files: tuple[tuple[str, float], ...], classes: tuple[str, ...], rgb: np.ndarray):
    """A trained run on one image (a file or a camera picture): the served model's answer
    (`files[-1]`, with its mtime), and the image with Grad-CAM of the classifier (`files[0]`)
    for the top class; once per (model, image), not on every rerun."""
    model, served = (trained_model(path, mtime) for path, mtime in (files[0], files[-1]))
    with HEAVY.enter(N_("classifying")):
        answer = training.results.classify(served, list(classes), rgb)
        heat, class_id = training.results.explain(model, rgb)
    return answer, images.overlay(images.center_square(rgb, 224), heat, 0.45), class_id


@st.cache_data(show_spinner=False, max_entries=1024)
def record_thumbnail(dataset_id: str, file: str, size: int = 96) -> np.ndarray:
    """One stored image, small, decoded once (`file` is content-addressed)."""
    data = datasets.open_store(settings()).read_file(dataset_id, file)
    return images.thumbnail(images.decode(data), size)


@st.cache_data(show_spinner=Spoken(N_("Checking the edit…")), max_entries=64)
def paired_check(dataset_id: str, backbone: str, relabel: tuple, exclude: tuple):
    """An edit's paired check (relabel: sorted (sha, class); exclude: sorted shas), once."""
    edit, manifest = (
        datasets.Edit(dict(relabel), set(exclude)),
        datasets.get(settings(), dataset_id),
    )
    return probes.check_edit(settings(), manifest, edit, catalog.get(backbone))


@st.cache_data(show_spinner=Spoken(N_("Explaining the mistakes…")), max_entries=512)
def mistake_overlay(
    model_path: str, mtime: float, dataset_id: str, file: str, class_id: int
) -> np.ndarray:
    """A misclassified image with Grad-CAM for the predicted class, once per (model, image)."""
    rgb = images.decode(datasets.open_store(settings()).read_file(dataset_id, file))
    model = trained_model(model_path, mtime)
    with HEAVY.enter(N_("Grad-CAM")):
        heat, _ = training.results.explain(model, rgb, class_id)
    return images.overlay(images.center_square(rgb, 160), heat, 0.45)


def _clean_without_keras() -> None:
    """Streamlit's after-run cleanup, less its `keras.backend.clear_session()`."""
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


def keep_keras_state_between_runs() -> None:
    """Stop Streamlit from calling `keras.backend.clear_session()` after every script run.

    Streamlit does it (`script_runner._clean_problem_modules`, after every run, fragment reruns
    included) to free apps that build a model on each run. Here models are built once and
    cached, and the trainer's thread runs Keras while a live view reruns every second: each
    clear_session reset Keras' global state under the trainer, cleared TensorFlow's kernel
    cache and ran a full garbage collection holding the GIL (0.2 s here). Under load this
    deadlocked a run as it tore down an epoch's tf.data iterator (the trainer waiting in the
    iterator's destructor, the script thread inside clear_session's gc.collect).
    """
    from streamlit.runtime.scriptrunner import script_runner

    script_runner._clean_problem_modules = _clean_without_keras


# On import, so before any page's first run ends, whichever page a session opens first.
keep_keras_state_between_runs()
diagnostics.enable_stack_dumps()
