"""Train page, a finished run: its scores, its mistakes, trying it on a picture, its downloads
and exports, and its feature space, each part drawn by its own function."""

from __future__ import annotations

import os
import statistics

import streamlit as st

from dashboard import glue, images, report, significance, text, training
from dashboard.i18n import N_, _, percent
from dashboard.runs import Run, RunResults
from pages.widgets import (
    batch_section,
    data_edits,
    exports_section,
    featurespace_section,
    unknown_section,
)
from pages.widgets.exports_section import in_language

md = text.markdown_text  # names and messages from data show as typed, never as markup


def results(settings, manifest, run: Run) -> None:
    r = run.results
    st.subheader(_("Results"))
    scores(r)
    files = training.results.local_artifacts(settings, run.id)
    probs = training.results.val_probabilities(settings, run)  # read once for the sections
    model = str(files["model"]) if "model" in files else None
    confusion_images(settings, manifest, run, model, probs)
    if "model" not in files:
        st.warning(_("This run's model file is not on this server, nor in the shared store."))
        return
    model_file, labels_file = str(files["model"]), str(files["labels"])
    quality(settings, manifest, run, probs)
    unknown_section.none_of_these(settings, manifest, run)
    served_file = str(training.results.deployable(files))  # what is deployed: with the rule
    try_it(model_file, served_file, r.classes)
    batch_section.batch_predictions(settings, run)
    downloads(settings, run, served_file, labels_file)
    exports_section.exports(settings, manifest, run)
    featurespace_section.feature_space(settings, manifest, run.backbone, run)
    report_download(settings, run)
    parity_note(settings, r)


def scores(r: RunResults) -> None:
    """The headline figures, each with its 95% interval, and the per-class table."""
    cols = st.columns(4)
    n_val = sum(row.support for row in r.val.per_class)
    cols[0].metric(_("Validation accuracy"), percent(r.val.accuracy))
    cols[0].caption(significance.accuracy_help(r.val.accuracy, n_val))
    cols[1].metric(_("Best epoch val acc"), percent(r.best_val_acc))
    cols[1].caption(_("the best of all epochs: above the final figure by chance as well"))
    if r.test is not None:
        n_test = sum(row.support for row in r.test.per_class)
        cols[2].metric(_("Test accuracy"), percent(r.test.accuracy))
        cols[2].caption(significance.accuracy_help(r.test.accuracy, n_test))
    ex = r.export
    parity = _("{same}/{images} same").format(same=ex.parity_same_class, images=ex.parity_images)
    cols[3].metric(_("Export parity"), parity)
    if r.folds:
        cross_validated(r.folds)
    headers = _per_class_headers()
    st.dataframe(
        [{headers[k]: v for k, v in _rounded(row.row()).items()} for row in r.val.per_class],
        hide_index=True,
        column_order=tuple(headers.values()),
    )


def cross_validated(folds: list[float]) -> None:
    mean = statistics.fmean(folds)
    spread = statistics.stdev(folds) if len(folds) > 1 else 0.0
    st.info(
        _(
            "{n}-fold cross-validation of the head: {mean} ± {spread} (folds from {low} to "
            "{high}): the run's accuracy on other splits of the same images."
        ).format(
            n=len(folds),
            mean=percent(mean),
            spread=percent(spread),
            low=percent(min(folds)),
            high=percent(max(folds)),
        ),
        icon=":material/view_week:",
    )


MISTAKES = "mistakes"  # the cell choice that shows every misclassified image
SHOWN = 12  # images drawn per cell, the most confident first


def confusion_images(settings, manifest, run: Run, model_file: str | None, probs) -> None:
    """The confusion matrix; a click on a cell (or the choice under it) shows that cell's
    images with Grad-CAM for the predicted class, each with keep / exclude / relabel, and the
    edit can be applied as a new version of the run's dataset."""
    r = run.results
    shown = training.results.predictions(settings, run, manifest, probs)
    chart_key, cell_key = f"confusion_{run.id}", f"cell_{run.id}"
    options = _cell_options(r.val.confusion, len(r.classes))
    st.plotly_chart(
        training.charts.confusion_heatmap(r.val.confusion, r.classes, clickable=True),
        key=chart_key,
        on_select=lambda: _clicked(chart_key, cell_key, options, len(r.classes)),
        selection_mode="points",
        width="stretch",
    )
    if not shown:
        return
    names = {o: _cell_name(o, r.classes, r.val.confusion) for o in options}  # in this language
    cell = st.selectbox(_("Images of"), options, key=cell_key, format_func=names.get)
    chosen = _cell_predictions(settings, run, manifest, shown, cell)
    if not chosen:
        st.caption(_("No validation image in this cell."))
        return
    place = f"cm_{run.id}"
    actions = _cell_grid(manifest, model_file, r.classes, chosen[:SHOWN], place)
    if len(chosen) > SHOWN:
        more = _("Showing the {shown} most confident of {n}.")
        st.caption(more.format(shown=SHOWN, n=len(chosen)))
    edit = data_edits.edit_from(manifest, actions)
    data_edits.apply_panel(settings, manifest, run.backbone, edit, place)


def _cell_options(confusion: list[list[int]], n: int) -> list:
    cells = [(i, j) for i in range(n) for j in range(n) if i < len(confusion) and confusion[i][j]]
    return [MISTAKES, *cells]


def _clicked(chart_key: str, cell_key: str, options: list, n: int) -> None:
    """A click on the chart chooses its cell below (a cell with no image changes nothing)."""
    cell = training.charts.clicked_cell(st.session_state.get(chart_key), n)
    if cell in options:
        st.session_state[cell_key] = cell


def _cell_name(option, classes: list[str], confusion: list[list[int]]) -> str:
    if option == MISTAKES:
        return _("all misclassified images")
    i, j = option
    return _("true {true} → predicted {predicted} ({n})").format(
        true=classes[i], predicted=classes[j], n=confusion[i][j]
    )


def _cell_predictions(settings, run, manifest, shown, cell) -> list:
    if cell == MISTAKES:
        return training.results.mistakes(settings, run, manifest, len(shown), shown)
    classes = run.results.classes
    return training.results.in_cell(shown, classes[cell[0]], classes[cell[1]])


def _cell_grid(manifest, model_file, classes, chosen: list, place: str) -> dict[str, str]:
    """The cell's images, four to a row, with Grad-CAM for the predicted class where the
    model file is here, each with its action (sha -> keep, exclude or a class)."""
    if model_file:
        st.caption(_("Grad-CAM for the predicted class: where the model looked."))
    actions = {}
    for start in range(0, len(chosen), 4):
        for col, p in zip(st.columns(4), chosen[start : start + 4], strict=False):
            col.image(_picture(manifest, model_file, classes, p))
            col.caption(f"{p.true} → {p.predicted} ({percent(p.confidence, 0)})")
            suggested = p.predicted if p.wrong else None
            with col:
                actions[p.record.sha] = data_edits.action_box(
                    manifest, p.record, p.record.original, suggested, place
                )
    return actions


def _picture(manifest, model_file, classes, p):
    home = manifest.home(p.record)
    if not model_file:
        return glue.record_thumbnail(home, p.record.file)
    cls = classes.index(p.predicted)
    return glue.mistake_overlay(model_file, _mtime(model_file), home, p.record.file, cls)


def quality(settings, manifest, run: Run, probs) -> None:
    """Per-class precision-recall and the reliability of the probabilities."""
    found = training.results.quality(settings, run, manifest, probs)
    if found is None:
        return
    with st.expander(_("Precision-recall and calibration")):
        left, right = st.columns(2)
        left.plotly_chart(training.charts.precision_recall_chart(found.curves), width="stretch")
        right.plotly_chart(training.charts.reliability_chart(found.reliability), width="stretch")
        st.caption(_(CALIBRATION_HELP).format(n=found.images))


CALIBRATION_HELP = N_(
    "Left: for each class against the rest, how precision falls as the threshold on its "
    "probability is lowered to find more of it (AP: the area under the curve). Right: images "
    "grouped by the model's confidence; a calibrated model is right on 80% of the images it "
    "gives 80%. Bars below the diagonal: over-confident. On {n} validation images, "
    "each bar holds few images: read the shape, not the second decimal."
)


def try_it(model_file: str, served_file: str, classes: list[str]) -> None:
    """A file or a camera picture through the served model: top classes (or "none of these")
    and Grad-CAM of the classifier."""
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
        try:  # the model files may have gone (a read-only server's bounded scratch) or be bad
            files = tuple((f, _mtime(f)) for f in (model_file, served_file))
            answer, overlay, top = glue.tried_image(files, tuple(classes), rgb)
        except (OSError, ValueError) as exc:
            st.error(_("The trained model cannot classify here: {error}").format(error=md(exc)))
            continue
        c1, c2 = st.columns([1, 2])
        c1.image(overlay, width="stretch")
        c1.caption(_("Grad-CAM for {name}").format(name=md(classes[top])))
        if answer.unknown:
            c2.warning(
                _("None of these: it is unlike the training images (score {score:.3f}).").format(
                    score=answer.score
                )
            )
        rows = [{_("class"): c, _("probability"): round(p, 4)} for c, p in answer.ranked[:5]]
        c2.dataframe(rows, hide_index=True)


def downloads(settings, run: Run, model_file: str, labels_file: str) -> None:
    """The model to deploy (`model_file`: served.keras where the run has it) with its files."""
    st.download_button(
        _("Download the model (.keras + labels.json + model card + predict.py)"),
        in_language(  # built on click
            lambda: training.keras_file.keras_zip(settings, run, model_file, labels_file)
        ),
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
            "{images} validation images (largest probability difference {difference}) and "
            "the same unknown flag on {unknown}. "
            "TensorBoard: `tensorboard --logdir {logdir}`"
        ).format(
            same=ex.parity_same_class,
            images=ex.parity_images,
            difference=f"{ex.parity_max_abs_diff:.1e}",
            unknown=ex.parity_unknown_same if ex.parity_unknown_same >= 0 else "—",
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
