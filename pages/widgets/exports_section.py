"""A finished run's exports for phones and servers: SavedModel, TFLite float32 and int8, ONNX,
each checked against the app, with its size and a download (the file, labels.json,
predict.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import streamlit as st

from dashboard import i18n, training
from dashboard.i18n import _, percent
from pages.widgets.progress import with_progress

T = TypeVar("T")

TITLES = {
    "saved_model": "SavedModel (TF Serving)",
    "tflite_float32": "TFLite float32",
    "tflite_int8": "TFLite int8",
    "onnx": "ONNX (onnxruntime)",
}


def exports(settings, manifest, run) -> None:
    st.markdown(_("**Export for phones and servers**"))
    summary = training.exports.stored(settings, run.id)
    if summary is None:
        if settings.readonly:
            return
        st.caption(
            _(
                "A SavedModel for TF Serving, TFLite for phones (float32, and int8 calibrated on "
                "training images) and ONNX for other runtimes, each with the preprocessing "
                "inside (raw RGB 0-255 in) and checked against the app on the validation images."
            )
        )
        if not st.button(_("Make the exports"), key=f"export_{run.id}"):
            return
        summary = _make(settings, manifest, run)
        if summary is None:
            return
    st.dataframe([_row(fmt, s) for fmt, s in summary.items()], hide_index=True)
    cols = st.columns(len(summary))
    for col, fmt in zip(cols, summary, strict=True):
        col.download_button(
            _("Download {format}").format(format=TITLES[fmt]),
            in_language(lambda f=fmt: training.exports.format_zip(settings, run, f)),
            file_name=f"{run.id}_{fmt}.zip",
            mime="application/zip",
            key=f"download_{fmt}_{run.id}",
        )


def _make(settings, manifest, run) -> dict | None:
    return with_progress(
        _("Exporting…"),
        lambda say: training.exports.export_all(settings, run, manifest, say),
        failed=_("The exports could not be made: {error}"),
        expected=(),
    )


def _row(fmt: str, s: dict) -> dict:
    same, images = s["parity_same_class"], s["parity_images"]
    if "accuracy_drop" in s:
        check = _("{same}/{images} same class; accuracy {accuracy} ({change} vs the app)").format(
            same=same,
            images=images,
            accuracy=percent(s["accuracy"]),
            change=f"{-s['accuracy_drop']:+.1%}",
        )
    else:
        check = _("{same}/{images} same class; max |Δp| {difference}").format(
            same=same, images=images, difference=f"{s['parity_max_abs_diff']:.1e}"
        )
    size = f"{s['bytes'] / 2**20:.2f} MB"
    return {_("format"): TITLES[fmt], _("size"): size, _("check"): check}


def in_language(make: Callable[[], T]) -> Callable[[], T]:
    """`make` for a download built on click: Streamlit calls it outside this session's script
    run (where `_()` speaks English), so the session's language goes along with it."""
    lang = i18n.language()

    def made() -> T:
        with i18n.speaking(lang):
            return make()

    return made
