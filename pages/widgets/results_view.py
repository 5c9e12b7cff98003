"""Train page, a finished run: its scores, its mistakes, trying it on a picture, its downloads
and exports, and its feature space, each part drawn by its own function."""

from __future__ import annotations

import os

import streamlit as st

from dashboard import glue, images, report, text, training
from dashboard.runs import Run, RunResults
from pages.widgets import exports_section, featurespace_section

md = text.markdown_text  # names and messages from data show as typed, never as markup


def results(settings, manifest, run: Run) -> None:
    r = run.results
    st.subheader("Results")
    scores(r)
    files = training.results.local_artifacts(settings, run.id)
    if "model" not in files:
        st.warning("This run's model file is not on this server, nor in the shared store.")
        return
    model_file, labels_file = str(files["model"]), str(files["labels"])
    mistakes(settings, manifest, run, model_file)
    try_it(model_file, r.classes)
    downloads(settings, run, model_file, labels_file)
    exports_section.exports(settings, manifest, run)
    featurespace_section.feature_space(settings, manifest, run.backbone, run)
    report_download(settings, run)
    parity_note(settings, r)


def scores(r: RunResults) -> None:
    """The headline figures, the confusion matrix and the per-class table."""
    cols = st.columns(4)
    cols[0].metric("Validation accuracy", f"{r.val.accuracy:.1%}")
    cols[1].metric("Best epoch val acc", f"{r.best_val_acc:.1%}")
    if r.test is not None:
        cols[2].metric("Test accuracy", f"{r.test.accuracy:.1%}")
    ex = r.export
    cols[3].metric("Export parity", f"{ex.parity_same_class}/{ex.parity_images} same")
    left, right = st.columns(2)
    confusion = training.charts.confusion_heatmap(r.val.confusion, r.classes)
    left.plotly_chart(confusion, width="stretch")
    right.dataframe(
        [_rounded(row.row()) for row in r.val.per_class],
        hide_index=True,
        column_order=("class", "precision", "recall", "f1", "support"),
    )


def mistakes(settings, manifest, run: Run, model_file: str) -> None:
    """The most confident mistakes on the validation split, with Grad-CAM."""
    wrong = training.results.mistakes(settings, run, manifest)
    if not wrong:
        return
    n_wrong = len(run.results.val.misclassified)
    st.markdown(
        f"**Misclassified validation images** ({n_wrong}), with Grad-CAM for the predicted class"
    )
    pictures, captions = [], []
    for m in wrong[:8]:
        cls = run.results.classes.index(m.predicted)
        mtime = _mtime(model_file)
        pictures.append(glue.mistake_overlay(model_file, mtime, manifest.id, m.record.file, cls))
        captions.append(f"{m.true} → {m.predicted} ({m.confidence:.0%})")
    st.image(pictures, caption=captions, width=160)


def try_it(model_file: str, classes: list[str]) -> None:
    """A file or a camera picture through the trained model: top classes and Grad-CAM."""
    up = st.file_uploader("Try it: classify an image", type=list(images.UPLOAD_TYPES), key="try")
    photo = st.camera_input("Or point the camera at something", key="try_camera")
    for source, name in ((up, up and up.name), (photo, "the camera picture")):
        if source is None:
            continue
        try:
            rgb = glue.decoded_upload(source.getvalue())
        except images.ImageError as exc:
            st.error(f"Cannot use **{md(name)}**: {md(exc)}")
            continue
        ranked, overlay, top = glue.tried_image(model_file, _mtime(model_file), tuple(classes), rgb)
        c1, c2 = st.columns([1, 2])
        c1.image(overlay, width="stretch")
        c1.caption(f"Grad-CAM for {md(classes[top])}")
        rows = [{"class": c, "probability": round(p, 4)} for c, p in ranked[:5]]
        c2.dataframe(rows, hide_index=True)


def downloads(settings, run: Run, model_file: str, labels_file: str) -> None:
    st.download_button(
        "Download the model (.keras + labels.json + predict.py)",
        lambda: training.keras_file.keras_zip(model_file, labels_file),  # built on click
        file_name=f"{run.id}.zip",
        mime="application/zip",
        key=f"download_{run.id}",
    )


def report_download(settings, run: Run) -> None:
    st.download_button(
        "Download a report for stakeholders (one HTML file, opens offline)",
        lambda: report.run_report(settings, run.id),  # built on click
        file_name=f"{run.id}_report.html",
        mime="text/html",
        key=f"report_{run.id}",
    )


def parity_note(settings, r: RunResults) -> None:
    ex = r.export
    st.caption(
        f"The exported file, reloaded, predicted the same class as the app on "
        f"{ex.parity_same_class} of {ex.parity_images} validation images (largest "
        f"probability difference {ex.parity_max_abs_diff:.1e}). TensorBoard: "
        f"`tensorboard --logdir {settings.home / 'runs'}`"
    )


def _rounded(row: dict) -> dict:
    return {k: (round(v, 3) if isinstance(v, float) else v) for k, v in row.items()}


def _mtime(path: str) -> float:
    return os.path.getmtime(path)
