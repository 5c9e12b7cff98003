"""Train page, a finished run: its scores, its mistakes, trying it on a picture, its downloads
and exports, and its feature space, each part drawn by its own function."""

from __future__ import annotations

import os

import streamlit as st

from dashboard import glue, images, report, text, training
from dashboard.i18n import _, percent
from dashboard.runs import Run, RunResults
from pages.widgets import exports_section, featurespace_section
from pages.widgets.exports_section import in_language

md = text.markdown_text  # names and messages from data show as typed, never as markup


def results(settings, manifest, run: Run) -> None:
    r = run.results
    st.subheader(_("Results"))
    scores(r)
    files = training.results.local_artifacts(settings, run.id)
    if "model" not in files:
        st.warning(_("This run's model file is not on this server, nor in the shared store."))
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
    cols[0].metric(_("Validation accuracy"), percent(r.val.accuracy))
    cols[1].metric(_("Best epoch val acc"), percent(r.best_val_acc))
    if r.test is not None:
        cols[2].metric(_("Test accuracy"), percent(r.test.accuracy))
    ex = r.export
    parity = _("{same}/{images} same").format(same=ex.parity_same_class, images=ex.parity_images)
    cols[3].metric(_("Export parity"), parity)
    left, right = st.columns(2)
    confusion = training.charts.confusion_heatmap(r.val.confusion, r.classes)
    left.plotly_chart(confusion, width="stretch")
    headers = _per_class_headers()
    right.dataframe(
        [{headers[k]: v for k, v in _rounded(row.row()).items()} for row in r.val.per_class],
        hide_index=True,
        column_order=tuple(headers.values()),
    )


def mistakes(settings, manifest, run: Run, model_file: str) -> None:
    """The most confident mistakes on the validation split, with Grad-CAM."""
    wrong = training.results.mistakes(settings, run, manifest)
    if not wrong:
        return
    n_wrong = len(run.results.val.misclassified)
    st.markdown(
        _(
            "**Misclassified validation images** ({n}), with Grad-CAM for the predicted class"
        ).format(n=n_wrong)
    )
    pictures, captions = [], []
    for m in wrong[:8]:
        cls = run.results.classes.index(m.predicted)
        mtime = _mtime(model_file)
        pictures.append(
            glue.mistake_overlay(model_file, mtime, manifest.home(m.record), m.record.file, cls)
        )
        captions.append(f"{m.true} → {m.predicted} ({percent(m.confidence, 0)})")
    st.image(pictures, caption=captions, width=160)


def try_it(model_file: str, classes: list[str]) -> None:
    """A file or a camera picture through the trained model: top classes and Grad-CAM."""
    up = st.file_uploader(_("Try it: classify an image"), type=list(images.UPLOAD_TYPES), key="try")
    photo = st.camera_input(_("Or point the camera at something"), key="try_camera")
    for source, name in ((up, up and up.name), (photo, _("the camera picture"))):
        if source is None:
            continue
        try:
            rgb = glue.decoded_upload(source.getvalue())
        except images.ImageError as exc:
            st.error(_("Cannot use **{name}**: {error}").format(name=md(name), error=md(exc)))
            continue
        ranked, overlay, top = glue.tried_image(model_file, _mtime(model_file), tuple(classes), rgb)
        c1, c2 = st.columns([1, 2])
        c1.image(overlay, width="stretch")
        c1.caption(_("Grad-CAM for {name}").format(name=md(classes[top])))
        rows = [{_("class"): c, _("probability"): round(p, 4)} for c, p in ranked[:5]]
        c2.dataframe(rows, hide_index=True)


def downloads(settings, run: Run, model_file: str, labels_file: str) -> None:
    st.download_button(
        _("Download the model (.keras + labels.json + predict.py)"),
        in_language(lambda: training.keras_file.keras_zip(model_file, labels_file)),  # on click
        file_name=f"{run.id}.zip",
        mime="application/zip",
        key=f"download_{run.id}",
    )


def report_download(settings, run: Run) -> None:
    st.download_button(
        _("Download a report for stakeholders (one HTML file, opens offline)"),
        in_language(lambda: report.run_report(settings, run.id)),  # built on click
        file_name=f"{run.id}_report.html",
        mime="text/html",
        key=f"report_{run.id}",
    )


def parity_note(settings, r: RunResults) -> None:
    ex = r.export
    st.caption(
        _(
            "The exported file, reloaded, predicted the same class as the app on {same} of "
            "{images} validation images (largest probability difference {difference}). "
            "TensorBoard: `tensorboard --logdir {logdir}`"
        ).format(
            same=ex.parity_same_class,
            images=ex.parity_images,
            difference=f"{ex.parity_max_abs_diff:.1e}",
            logdir=settings.home / "runs",
        )
    )


def _per_class_headers() -> dict[str, str]:
    """The per-class table's columns (`ClassScores.row`'s keys) as the reader reads them."""
    return {
        "class": _("class"),
        "precision": _("precision"),
        "recall": _("recall"),
        "f1": "f1",
        "support": _("support"),
    }


def _rounded(row: dict) -> dict:
    return {k: (round(v, 3) if isinstance(v, float) else v) for k, v in row.items()}


def _mtime(path: str) -> float:
    return os.path.getmtime(path)
