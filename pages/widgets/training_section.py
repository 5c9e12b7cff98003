"""Train page, step 2: configure a run, watch it live, then read, try and export the result."""

from __future__ import annotations

import streamlit as st

from dashboard import features, glue, model_menu, text, training
from dashboard.runs import RunStatus
from models.strategies import STRATEGIES
from pages.widgets import results_view, session_keys
from pages.widgets.live import live_view
from pages.widgets.progress import with_progress

md = text.markdown_text  # names and messages from data show as typed, never as markup


def choose_backbone(settings) -> str:
    """The backbone for the advisor and the trainer (the key is kept across pages)."""
    choices = {c.backbone.key: c for c in model_menu.backbone_choices(settings)}
    keys = list(choices)
    return st.selectbox(
        "Backbone",
        keys,
        index=keys.index(model_menu.default_backbone(settings)),
        key=session_keys.BACKBONE,
        format_func=lambda k: f"{choices[k].backbone.label} · {choices[k].status}",
    )


def training_section(settings, manifest, backbone: str) -> None:
    run_id = None if settings.readonly else configure_and_submit(settings, manifest, backbone)
    if run_id:  # show the run just submitted (a keyed selectbox otherwise keeps its old value)
        st.session_state[session_keys.RUN] = run_id
        st.session_state[session_keys.run_choice(manifest.id)] = run_id
    store = glue.run_store()
    runs = store.list(manifest.id)
    if not runs:
        return
    ids = [r.id for r in runs]
    current = st.session_state.get(session_keys.RUN)
    chosen = st.selectbox(
        "Runs on this dataset",
        ids,
        index=ids.index(current) if current in ids else 0,
        format_func=lambda i: _run_label(next(r for r in runs if r.id == i)),
        key=session_keys.run_choice(manifest.id),
    )
    st.session_state[session_keys.RUN] = chosen
    run = store.get(chosen)
    live_view("train", lambda: run_progress(chosen, settings.readonly), run.active, every=1.0)
    run = store.get(chosen)  # again: a run that ended while the view drew shows its results now
    if run.status.has_results and run.results:
        results_view.results(settings, manifest, run)
    if not settings.readonly:
        caches(settings)


def _run_label(run) -> str:
    acc = f" · val acc {run.final_val_acc:.1%}" if run.final_val_acc is not None else ""
    by = f" · by {run.created_by}" if run.created_by else ""
    return f"{run.name} · {run.status}{acc}{by} · {run.id}"


def configure_and_submit(settings, manifest, backbone: str) -> str | None:
    strategy = st.selectbox(
        "Strategy",
        list(STRATEGIES),
        key=session_keys.STRATEGY,
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
    run, reused = glue.job_manager().submit(config, again=again, by=glue.user_name())
    if reused and run.status == RunStatus.FINISHED:
        st.info("These settings ran before on this dataset: showing the stored result.")
    return run.id


def learning_rate_finder(settings, config, lr_key: str, run_now: bool) -> None:
    """The range test's curve and a button that puts its suggestion in the form."""
    shown = f"lr_finder_{lr_key}"
    if run_now:
        found = with_progress(
            "Learning-rate range test…", lambda say: training.lr_range.find(settings, config, say)
        )
        if found is None:
            return
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
    store, jm = glue.run_store(), glue.job_manager()
    run = store.get(run_id)
    epochs = store.epochs([run_id])[run_id]
    p = jm.progress(run)
    if p.status == RunStatus.QUEUED:
        st.info(
            f"Waiting for the trainer: number {p.place} in the queue." if p.place else "Starting…"
        )
    elif p.status == RunStatus.RUNNING and p.here:
        st.progress(p.fraction, text=p.text)
        if p.message:
            st.caption(p.message)
    elif p.status == RunStatus.RUNNING:  # a Ray worker's, or another server's on one store
        st.info(f"Training in another process ({md(p.owner)}); its epochs appear below.")
    elif p.status in (RunStatus.FAILED, RunStatus.INTERRUPTED, RunStatus.STOPPED):
        failed = p.status == RunStatus.FAILED
        (st.error if failed else st.warning)(f"{p.status}: {md(p.message)}")
    if p.status == RunStatus.RUNNING and not readonly and st.button("Stop", key=f"stop_{run_id}"):
        jm.stop(run_id)
    st.caption(f"Device: {md(run.device or '—')} · run {md(run.id)} · status {run.status}")
    if epochs:
        curves = training.charts.training_curves(epochs)
        st.plotly_chart(curves, width="stretch", key=f"curves_{run_id}")
    return run.active


def caches(settings) -> None:
    mb = {k: v / 2**20 for k, v in features.cache_sizes(settings).items()}
    with st.expander(f"Caches: features {mb['features']:.1f} MB · pixels {mb['pixels']:.1f} MB"):
        st.caption(
            "Cached backbone features and decoded images make later runs fast. "
            "Clearing them is safe; they are rebuilt when needed."
        )
        if st.button("Clear caches", key="clear_caches"):
            features.clear_caches(settings)
            st.rerun()
