"""Train page, step 2: configure a run, watch it live, then read, try and export the result."""

from __future__ import annotations

import streamlit as st

from dashboard import backbones, glue, images, report, text, training
from dashboard.datasets import DatasetError
from dashboard.training import RunStatus
from models.strategies import STRATEGIES
from models.weights import WeightsUnavailable
from pages.widgets import exports_section, featurespace_section
from pages.widgets.live import live_view

RUN = "run_id"
md = text.markdown_text  # names and messages from data show as typed, never as markup


def choose_backbone(settings) -> str:
    """The backbone for the advisor and the trainer (the key is kept across pages)."""
    choices = {c.backbone.key: c for c in backbones.backbone_choices(settings)}
    keys = list(choices)
    return st.selectbox(
        "Backbone",
        keys,
        index=keys.index(backbones.default_backbone(settings)),
        key="train_backbone",
        format_func=lambda k: f"{choices[k].backbone.label} · {choices[k].status}",
    )


def training_section(settings, manifest, backbone: str) -> None:
    jm = glue.job_manager()
    run_id = None if settings.readonly else configure_and_submit(settings, manifest, jm, backbone)
    if run_id:  # show the run just submitted (a keyed selectbox otherwise keeps its old value)
        st.session_state[RUN] = run_id
        st.session_state[f"run_select_{manifest.id}"] = run_id
    runs = [r for r in jm.runs.list(manifest.id)]
    if not runs:
        return
    ids = [r.id for r in runs]
    current = st.session_state.get(RUN)
    chosen = st.selectbox(
        "Runs on this dataset",
        ids,
        index=ids.index(current) if current in ids else 0,
        format_func=lambda i: _run_label(next(r for r in runs if r.id == i)),
        key=f"run_select_{manifest.id}",
    )
    st.session_state[RUN] = chosen
    run = jm.runs.get(chosen)
    live_view("train", lambda: run_progress(chosen, settings.readonly), run.active, every=1.0)
    run = jm.runs.get(chosen)  # again: a run that ended while the view drew shows its results now
    if run.status.has_results and run.results:
        results(settings, manifest, run)
    if not settings.readonly:
        caches(settings)


def _run_label(run) -> str:
    acc = f" · val acc {run.final_val_acc:.1%}" if run.final_val_acc is not None else ""
    by = f" · by {run.created_by}" if run.created_by else ""
    return f"{run.name} · {run.status}{acc}{by} · {run.id}"


def configure_and_submit(settings, manifest, jm, backbone: str) -> str | None:
    strategy = st.selectbox(
        "Strategy",
        list(STRATEGIES),
        key="train_strategy",
        format_func=lambda k: STRATEGIES[k].title,
    )
    st.caption(STRATEGIES[strategy].advice)
    d = training.default_config(manifest.id, backbone, strategy)
    k = f"{backbone}_{strategy}"  # per-choice keys: each strategy opens with its own defaults
    with st.form(f"train_form_{k}"):
        a, b, c, e = st.columns(4)
        epochs = a.number_input("Epochs", 1, 500, d.epochs, key=f"epochs_{k}")
        batch = b.select_slider("Batch size", [8, 16, 32, 64, 128], d.batch_size, key=f"batch_{k}")
        lr = c.number_input(
            "Learning rate", 1e-6, 1.0, d.learning_rate, format="%.5f", key=f"lr_{k}"
        )
        size = e.number_input("Image size", 32, 600, d.image_size, step=8, key=f"size_{k}")
        a, b, c, e = st.columns(4)
        augment = a.checkbox("Augmentation", d.augment, key=f"augment_{k}")
        early = b.checkbox("Early stopping", d.early_stopping, key=f"early_{k}")
        seed = c.number_input("Seed", 0, 2**31 - 1, d.seed, key=f"seed_{k}")
        again = e.checkbox("Train again", False, key=f"again_{k}", help="Ignore a stored result.")
        a, b = st.columns([1, 3])
        submitted = a.form_submit_button("Train", type="primary")
        find_lr = b.form_submit_button(
            "Find a learning rate",
            help="A short range test on this model and data: the loss as the learning rate grows.",
        )
    if STRATEGIES[strategy].head_only and augment:
        st.caption("With augmentation on, the feature cache is off: every epoch sees new images.")
    config = d.with_(
        epochs=int(epochs),
        batch_size=int(batch),
        learning_rate=float(lr),
        image_size=int(size),
        augment=bool(augment),
        early_stopping=bool(early),
        seed=int(seed),
    )
    learning_rate_finder(settings, config, f"lr_{k}", run_now=find_lr)
    if not submitted:
        return None
    run, reused = jm.submit(config, again=again, by=glue.user_name())
    if reused and run.status == RunStatus.FINISHED:
        st.info("These settings ran before on this dataset: showing the stored result.")
    return run.id


def learning_rate_finder(settings, config, lr_key: str, run_now: bool) -> None:
    """The range test's curve and a button that puts its suggestion in the form."""
    shown = f"lr_finder_{lr_key}"
    if run_now:
        bar = st.progress(0.0, text="Learning-rate range test…")
        try:
            training.lr_range.find(
                settings, config, lambda text, f: bar.progress(min(f, 1.0), text=text)
            )
        except (WeightsUnavailable, DatasetError) as exc:
            st.error(str(exc))
            return
        finally:
            bar.empty()
        st.session_state[shown] = config
    config = st.session_state.get(shown)
    result = training.lr_range.cached(settings, config) if config is not None else None
    if result is None:
        return
    curve = training.charts.lr_range_curve(result.rates, result.losses, result.suggestion)
    st.plotly_chart(curve, width="stretch", key=f"lr_curve_{lr_key}")
    st.button(
        f"Use the suggested learning rate {result.suggestion:.2g}",
        key=f"use_{lr_key}",
        on_click=_set_learning_rate,
        args=(lr_key, result.suggestion),
    )


def _set_learning_rate(lr_key: str, value: float) -> None:
    st.session_state[lr_key] = float(f"{value:.2g}")


def run_progress(run_id: str, readonly: bool = False) -> bool:
    """The run's state, progress bar and curves (and Stop, unless `readonly`); True while it is
    queued or running."""
    jm = glue.job_manager()
    run = jm.runs.get(run_id)
    state = jm.state(run_id)
    epochs = jm.runs.epochs([run_id])[run_id]
    if run.status == RunStatus.QUEUED:
        place = jm.position(run_id)
        st.info(f"Waiting for the trainer: number {place} in the queue." if place else "Starting…")
    elif run.status == RunStatus.RUNNING and state is not None:
        eta = state.eta_seconds()
        total = max(state.epochs * state.steps, 1)
        done = max(state.epoch - 1, 0) * state.steps + state.step
        text = (
            f"{state.phase} · epoch {state.epoch}/{state.epochs} · batch {state.step}/{state.steps}"
        )
        text += f" · about {eta:.0f} s left" if eta is not None else ""
        st.progress(min(done / total, 1.0), text=text)
        if state.message:
            st.caption(state.message)
        if not readonly and st.button("Stop", key=f"stop_{run_id}"):
            jm.stop(run_id)
    elif run.status == RunStatus.RUNNING:  # a Ray worker's, or another server's on one store
        st.info(f"Training in another process ({md(run.owner)}); its epochs appear below.")
        if not readonly and st.button("Stop", key=f"stop_{run_id}"):
            jm.stop(run_id)
    elif run.status in (RunStatus.FAILED, RunStatus.INTERRUPTED, RunStatus.STOPPED):
        failed = run.status == RunStatus.FAILED
        (st.error if failed else st.warning)(f"{run.status}: {md(run.message)}")
    st.caption(f"Device: {md(run.device or '—')} · run {md(run.id)} · status {run.status}")
    if epochs:
        curves = training.charts.training_curves(epochs)
        st.plotly_chart(curves, width="stretch", key=f"curves_{run_id}")
    return run.active


def results(settings, manifest, run) -> None:
    r = run.results
    st.subheader("Results")
    cols = st.columns(4)
    cols[0].metric("Validation accuracy", f"{r['val']['accuracy']:.1%}")
    cols[1].metric("Best epoch val acc", f"{r['best_val_acc']:.1%}")
    if "test" in r:
        cols[2].metric("Test accuracy", f"{r['test']['accuracy']:.1%}")
    ex = r["export"]
    cols[3].metric("Export parity", f"{ex['parity_same_class']}/{ex['parity_images']} same")
    left, right = st.columns(2)
    confusion = training.charts.confusion_heatmap(r["val"]["confusion"], r["classes"])
    left.plotly_chart(confusion, width="stretch")
    right.dataframe(
        [_rounded(row) for row in r["val"]["per_class"]],
        hide_index=True,
        column_order=("class", "precision", "recall", "f1", "support"),
    )
    files = training.results.local_artifacts(settings, run.id)
    if "model" not in files:
        st.warning("This run's model file is not on this server, nor in the shared store.")
        return
    model_file, labels_file = str(files["model"]), str(files["labels"])
    wrong = training.results.mistakes(settings, run, manifest)
    if wrong:
        n_wrong = len(r["val"]["misclassified"])
        st.markdown(
            f"**Misclassified validation images** ({n_wrong}), "
            "with Grad-CAM for the predicted class"
        )
        pictures, captions = [], []
        for m in wrong[:8]:
            cls = r["classes"].index(m.predicted)
            mtime = _mtime(model_file)
            pictures.append(
                glue.mistake_overlay(model_file, mtime, manifest.id, m.record.file, cls)
            )
            captions.append(f"{m.true} → {m.predicted} ({m.confidence:.0%})")
        st.image(pictures, caption=captions, width=160)
    try_it(model_file, r["classes"])
    st.download_button(
        "Download the model (.keras + labels.json + predict.py)",
        lambda: training.export.bundle(model_file, labels_file),  # built on click
        file_name=f"{run.id}.zip",
        mime="application/zip",
        key=f"download_{run.id}",
    )
    exports_section.exports(settings, manifest, run)
    featurespace_section.feature_space(settings, manifest, run.backbone, run)
    st.download_button(
        "Download a report for stakeholders (one HTML file, opens offline)",
        lambda: report.run_report(settings, run.id),  # built on click
        file_name=f"{run.id}_report.html",
        mime="text/html",
        key=f"report_{run.id}",
    )
    st.caption(
        f"The exported file, reloaded, predicted the same class as the app on "
        f"{ex['parity_same_class']} of {ex['parity_images']} validation images (largest "
        f"probability difference {ex['parity_max_abs_diff']:.1e}). TensorBoard: "
        f"`tensorboard --logdir {settings.home / 'runs'}`"
    )


def _rounded(row: dict) -> dict:
    return {k: (round(v, 3) if isinstance(v, float) else v) for k, v in row.items()}


def _mtime(path: str) -> float:
    import os

    return os.path.getmtime(path)


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


def caches(settings) -> None:
    mb = {k: v / 2**20 for k, v in training.cache_sizes(settings).items()}
    with st.expander(f"Caches: features {mb['features']:.1f} MB · pixels {mb['pixels']:.1f} MB"):
        st.caption(
            "Cached backbone features and decoded images make later runs fast. "
            "Clearing them is safe; they are rebuilt when needed."
        )
        if st.button("Clear caches", key="clear_caches"):
            training.clear_caches(settings)
            st.rerun()
