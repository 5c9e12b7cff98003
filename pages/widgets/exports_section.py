"""A finished run's exports for phones and servers: SavedModel, TFLite float32 and int8, each
checked against the app, with its size and a download (the file, labels.json, predict.py)."""

from __future__ import annotations

import streamlit as st

from dashboard import training
from pages.widgets.progress import with_progress

TITLES = {
    "saved_model": "SavedModel (TF Serving)",
    "tflite_float32": "TFLite float32",
    "tflite_int8": "TFLite int8",
}


def exports(settings, manifest, run) -> None:
    st.markdown("**Export for phones and servers**")
    summary = training.exports.stored(settings, run.id)
    if summary is None:
        if settings.readonly:
            return
        st.caption(
            "A SavedModel for TF Serving, and TFLite for phones (float32, and int8 calibrated on "
            "training images), each with the preprocessing inside (raw RGB 0-255 in) and checked "
            "against the app on the validation images."
        )
        if not st.button("Make the exports", key=f"export_{run.id}"):
            return
        summary = _make(settings, manifest, run)
        if summary is None:
            return
    st.dataframe([_row(fmt, s) for fmt, s in summary.items()], hide_index=True)
    cols = st.columns(len(summary))
    for col, fmt in zip(cols, summary, strict=True):
        col.download_button(
            f"Download {TITLES[fmt]}",
            lambda f=fmt: training.exports.format_zip(settings, run.id, f),  # built on click
            file_name=f"{run.id}_{fmt}.zip",
            mime="application/zip",
            key=f"download_{fmt}_{run.id}",
        )


def _make(settings, manifest, run) -> dict | None:
    return with_progress(
        "Exporting…",
        lambda say: training.exports.export_all(settings, run, manifest, say),
        failed="The exports could not be made: {error}",
        expected=(),
    )


def _row(fmt: str, s: dict) -> dict:
    same = f"{s['parity_same_class']}/{s['parity_images']} same class"
    if "accuracy_drop" in s:
        check = f"{same}; accuracy {s['accuracy']:.1%} ({-s['accuracy_drop']:+.1%} vs the app)"
    else:
        check = f"{same}; max |Δp| {s['parity_max_abs_diff']:.1e}"
    return {"format": TITLES[fmt], "size": f"{s['bytes'] / 2**20:.2f} MB", "check": check}
