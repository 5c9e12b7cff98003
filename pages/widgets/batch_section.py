"""Train page, a finished run: predict a zip or a folder of new images with it, on the job
queue (it survives reruns; in team mode a Ray worker runs it), then read the table (thumbnail,
top classes, "none of these"), filter and sort it, download it as CSV, and where the images sat
in class folders, the accuracy and the confusion matrix."""

from __future__ import annotations

import base64
import io

import streamlit as st

from dashboard import datasets, glue, images, text, training
from dashboard.i18n import _, percent
from dashboard.runs import RunStatus, status_text
from pages.widgets.live import live_view

md = text.markdown_text
SHOWN = 300  # table rows drawn (the CSV has them all)


def batch_predictions(settings, run) -> None:
    with st.expander(_("Predict a folder of new images"), icon=":material/photo_library:"):
        if not settings.readonly:
            submit(settings, run)
        jobs = glue.run_store().batches(run.id)
        if not jobs:
            return
        names = {j.id: f"{j.config.get('name') or j.id} · {status_text(j.status)}" for j in jobs}
        chosen = st.selectbox(
            _("Batches of this run"), list(names), key=f"batch_pick_{run.id}", format_func=names.get
        )
        job = next(j for j in jobs if j.id == chosen)
        live_view(f"batch_{chosen}", lambda: progress(chosen), job.active, every=1.0)
        found = training.batch_job.load(settings, chosen)
        if found is not None:
            result(found, chosen)


def submit(settings, run) -> None:
    up = st.file_uploader(
        _("A zip, or images (a folder's files)"),
        type=["zip", *images.UPLOAD_TYPES],
        accept_multiple_files=True,
        max_upload_size=settings.max_upload_mb,
        key=f"batch_up_{run.id}",
        help=_("Images in folders named like the run's classes count as labelled."),
    )
    if not up or not st.button(_("Predict them"), key=f"batch_go_{run.id}", type="primary"):
        return
    zipped = len(up) == 1 and up[0].name.lower().endswith(".zip")
    data = (
        up[0].getvalue()
        if zipped
        else training.batch.zip_of_files([(f.name, f.getvalue()) for f in up])
    )
    name = up[0].name if zipped else _("{n} images").format(n=len(up))
    sha = training.batch.store_upload(settings, data)
    config = training.batch.BatchConfig(run.id, sha, run.dataset_id, run.backbone, name)
    job, _reused = glue.job_manager().submit(config, by=glue.user_name())
    st.session_state[f"batch_pick_{run.id}"] = job.id


def progress(job_id: str) -> bool:
    """The job's state and progress bar; True while it is queued or running."""
    job, jm = glue.run_store().get(job_id), glue.job_manager()
    live = jm.state(job_id)
    if job.status == RunStatus.RUNNING and live is not None and live.steps:
        done = _("{done} of {total} images").format(done=live.step, total=live.steps)
        st.progress(min(live.step / live.steps, 1.0), text=done)
    elif job.active:
        st.info(_("Waiting for the trainer, or running in another process…"))
    elif job.status == RunStatus.FAILED:
        st.error(md(job.message))
    if job.active and st.button(_("Stop"), key=f"batch_stop_{job_id}"):
        jm.stop(job_id)
    return job.active


def result(found, job_id: str) -> None:
    accuracy, confusion = found.accuracy(), found.confusion()
    a, b, c = st.columns(3)
    a.metric(_("Images"), len(found.rows))
    b.metric(_("None of these"), sum(r.unknown for r in found.rows))
    if accuracy is not None:
        c.metric(_("Accuracy (labelled images)"), percent(accuracy))
    if confusion is not None:
        columns = [*found.classes, _("none of these")]
        chart = training.charts.confusion_heatmap(
            confusion, found.classes, columns=columns, title=_("Confusion matrix (this batch)")
        )
        st.plotly_chart(chart, width="stretch", key=f"batch_confusion_{job_id}")
    table(found, job_id)
    st.download_button(
        _("Download the table (CSV)"),
        training.batch.csv_text(found),
        file_name=f"{job_id}_predictions.csv",
        mime="text/csv",
        key=f"batch_csv_{job_id}",
    )
    if found.skipped:
        with st.expander(_("Skipped files: {n}").format(n=len(found.skipped))):
            rows = [{_("file"): f, _("reason"): datasets.reason_text(r)} for f, r in found.skipped]
            st.dataframe(rows, hide_index=True)


def table(found, job_id: str) -> None:
    shows = {
        "all": _("all"),
        "unknown": _("none of these"),
        "known": _("one of the classes"),
        "wrong": _("wrong (labelled)"),
    }
    a, b, c = st.columns(3)
    show = a.selectbox(_("Show"), list(shows), key=f"batch_show_{job_id}", format_func=shows.get)
    classes = b.multiselect(_("Top class"), found.classes, key=f"batch_classes_{job_id}")
    ascending = c.toggle(_("Least confident first"), key=f"batch_order_{job_id}")
    keep = {
        "all": lambda r: True,
        "unknown": lambda r: r.unknown,
        "known": lambda r: not r.unknown,
        "wrong": lambda r: r.right is False,
    }[show]
    picked = [
        i for i, r in enumerate(found.rows) if keep(r) and (not classes or r.top[0][0] in classes)
    ]
    picked.sort(key=lambda i: found.rows[i].confidence, reverse=not ascending)
    rows = [_table_row(found, i) for i in picked[:SHOWN]]
    st.dataframe(
        rows,
        hide_index=True,
        column_config={_("image"): st.column_config.ImageColumn(_("image"))},
    )
    if len(picked) > SHOWN:
        st.caption(
            _("Showing {shown} of {n}; the CSV has every row.").format(shown=SHOWN, n=len(picked))
        )


def _table_row(found, i: int) -> dict:
    r = found.rows[i]
    top = " · ".join(f"{c} {percent(p, 0)}" for c, p in r.top)
    row = {_("image"): _data_url(found.thumbnails[i]), _("file"): r.file, _("top classes"): top}
    row[_("none of these")] = "✓" if r.unknown else ""
    row[_("score")] = round(r.score, 3)
    if r.truth:
        row[_("true class")] = r.truth
    return row


def _data_url(rgb) -> str:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "JPEG", quality=80)
    return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode()
