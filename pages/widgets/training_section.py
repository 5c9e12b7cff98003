"""Train page, step 2: configure a run, watch it live, then read, try and export the result."""

from __future__ import annotations

import streamlit as st

from dashboard import datasets, features, glue, model_menu, text, training
from dashboard.i18n import _, percent, pgettext
from dashboard.probes import FOLDS
from dashboard.runs import RunStatus, message_text, status_text
from models import augmentations
from models.strategies import STRATEGIES
from pages.widgets import keep_training, results_view, session_keys
from pages.widgets.live import live_view
from pages.widgets.progress import with_progress

md = text.markdown_text  # names and messages from data show as typed, never as markup


def choose_backbone(settings) -> str:
    """The backbone for the advisor and the trainer (the key is kept across pages)."""
    choices = {c.backbone.key: c for c in model_menu.backbone_choices(settings)}
    keys = list(choices)
    return st.selectbox(
        _("Backbone"),
        keys,
        index=keys.index(model_menu.default_backbone(settings)),
        key=session_keys.BACKBONE,
        format_func={k: f"{c.backbone.label} · {c.status}" for k, c in choices.items()}.get,
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
        _("Runs on this dataset"),
        ids,
        index=ids.index(current) if current in ids else 0,
        format_func={r.id: _run_label(r) for r in runs}.get,  # made here, in this language
        key=session_keys.run_choice(manifest.id),
    )
    st.session_state[session_keys.RUN] = chosen
    run = store.get(chosen)
    live_view("train", lambda: run_progress(chosen, settings.readonly), run.active, every=1.0)
    run = store.get(chosen)  # again: a run that ended while the view drew shows its results now
    keep_training.keep_training(settings, run)
    if run.status.has_results and run.results:
        results_view.results(settings, manifest, run)
    if not settings.readonly:
        caches(settings)


def _run_label(run) -> str:
    parts = [run.name, status_text(run.status)]
    if run.final_val_acc is not None:
        parts.append(_("val acc {accuracy}").format(accuracy=percent(run.final_val_acc)))
    if run.created_by:
        parts.append(_("by {name}").format(name=run.created_by))
    return " · ".join([*parts, run.id])


def configure_and_submit(settings, manifest, backbone: str) -> str | None:
    strategy = st.selectbox(
        _("Strategy"),
        list(STRATEGIES),
        key=session_keys.STRATEGY,
        format_func={k: _(s.title) for k, s in STRATEGIES.items()}.get,
    )
    st.caption(_(STRATEGIES[strategy].advice))
    d = training.default_config(manifest.id, backbone, strategy)
    k = f"{backbone}_{strategy}"  # per-choice keys: each strategy opens with its own defaults
    strengths = augmentation_choice(settings, manifest, k, d.seed)
    init_from = start_from(settings, manifest, backbone, k)
    with st.form(f"train_form_{k}"):
        a, b, c, e = st.columns(4)
        epochs = a.number_input(_("Epochs"), 1, 500, d.epochs, key=f"epochs_{k}")
        batch = b.select_slider(
            _("Batch size"), [8, 16, 32, 64, 128], d.batch_size, key=f"batch_{k}"
        )
        lr = c.number_input(
            _("Learning rate"), 1e-6, 1.0, d.learning_rate, format="%.5f", key=f"lr_{k}"
        )
        size = e.number_input(_("Image size"), 32, 600, d.image_size, step=8, key=f"size_{k}")
        a, b, c, e = st.columns(4)
        augment = a.checkbox(_("Augmentation"), d.augment, key=f"augment_{k}")
        early = b.checkbox(_("Early stopping"), d.early_stopping, key=f"early_{k}")
        seed = c.number_input(_("Seed"), 0, 2**31 - 1, d.seed, key=f"seed_{k}")
        again = e.checkbox(
            _("Train again"), False, key=f"again_{k}", help=_("Ignore a stored result.")
        )
        folds = 0
        if STRATEGIES[strategy].head_only:
            cross = st.checkbox(
                _("Also cross-validate the head over {n} folds").format(n=FOLDS),
                key=f"folds_{k}",
                help=_(
                    "The same head trained afresh on 4/5 of the train and validation images "
                    "and scored on the rest, five times: the run's figure with its spread over "
                    "splits. Cheap on the cached features; off with augmentation."
                ),
            )
            folds = FOLDS if cross else 0
        a, b = st.columns([1, 3])
        submitted = a.form_submit_button(pgettext("button", "Train"), type="primary")
        find_lr = b.form_submit_button(
            _("Find a learning rate"),
            help=_(
                "A short range test on this model and data: the loss as the learning rate grows."
            ),
        )
    if STRATEGIES[strategy].head_only and augment:
        st.caption(
            _("With augmentation on, the feature cache is off: every epoch sees new images.")
        )
    config = d.with_(
        epochs=int(epochs),
        batch_size=int(batch),
        learning_rate=float(lr),
        image_size=int(size),
        augment=bool(augment),
        early_stopping=bool(early),
        seed=int(seed),
        folds=folds,
        augmentations=strengths if strengths != augmentations.DEFAULTS else None,
        init_from=init_from,
    )
    learning_rate_finder(settings, config, f"lr_{k}", run_now=find_lr)
    if not submitted:
        return None
    run, reused = glue.job_manager().submit(config, again=again, by=glue.user_name())
    if reused and run.status == RunStatus.FINISHED:
        st.info(_("These settings ran before on this dataset: showing the stored result."))
    return run.id


def start_from(settings, manifest, backbone: str, k: str) -> str:
    """The run whose trained weights a new run starts from ("": the backbone's own, pretrained
    or random): a finished run of the same backbone on this dataset or a version before it (the
    "add images and retrain" case)."""
    line, _children = datasets.versions_of(settings, manifest)
    store = glue.run_store()
    found = [
        r
        for m in reversed(line)
        for r in store.list(m.id)
        if r.status == RunStatus.FINISHED and r.backbone == backbone
    ]
    if not found:
        return ""
    names = {"": _("the backbone's own weights")}
    names |= {r.id: f"{r.name} · {r.dataset_name} · {r.id}" for r in found}
    return st.selectbox(
        _("Start from"),
        list(names),
        key=f"init_{k}_{manifest.id}",
        format_func=names.get,
        help=_(
            "A finished run's trained weights (its base, and its head where the classes are as "
            "many), for example to retrain on a version with more images."
        ),
    )


def augmentation_choice(settings, manifest, k: str, seed: int) -> dict[str, float]:
    """The augmentations' strengths (used when the form's Augmentation box is ticked), and a
    preview of them on a few of the dataset's training images."""
    with st.expander(_("Augmentation: choose and preview")):
        cols = st.columns(len(augmentations.AUGMENTATIONS))
        chosen = {}
        for col, a in zip(cols, augmentations.AUGMENTATIONS, strict=True):
            chosen[a.key] = col.slider(
                _(a.title), 0.0, a.high, a.default, a.step, key=f"aug_{a.key}_{k}", help=_(a.about)
            )
        st.caption(_("0 turns one off. They apply when Augmentation is ticked in the form."))
        if st.button(_("Preview on this dataset's images"), key=f"aug_preview_{k}"):
            shown = with_progress(
                _("Augmenting…"),
                lambda say: training.augment_preview.preview(settings, manifest, chosen, seed),
            )
            for original, drawn in shown or []:
                captions = [_("original")] + [
                    _("draw {n}").format(n=i + 1) for i in range(len(drawn))
                ]
                st.image([original, *drawn], caption=captions, width=112)
    return chosen


def learning_rate_finder(settings, config, lr_key: str, run_now: bool) -> None:
    """The range test's curve and a button that puts its suggestion in the form."""
    shown = f"lr_finder_{lr_key}"
    if run_now:
        found = with_progress(
            _("Learning-rate range test…"),
            lambda say: training.lr_range.find(settings, config, say),
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
        _("Use the suggested learning rate {rate}").format(rate=f"{result.suggestion:.2g}"),
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
            _("Waiting for the trainer: number {place} in the queue.").format(place=p.place)
            if p.place
            else _("Starting…")
        )
    elif p.status == RunStatus.RUNNING and p.here:
        st.progress(p.fraction, text=p.text)
        if p.message:
            st.caption(message_text(p.message))
    elif p.status == RunStatus.RUNNING:  # a Ray worker's, or another server's on one store
        st.info(
            _("Training in another process ({owner}); its epochs appear below.").format(
                owner=md(p.owner)
            )
        )
    elif p.status in (RunStatus.FAILED, RunStatus.INTERRUPTED, RunStatus.STOPPED):
        failed = p.status == RunStatus.FAILED
        shown = _("{status}: {message}").format(
            status=status_text(p.status), message=md(message_text(p.message))
        )
        (st.error if failed else st.warning)(shown)
    if (
        p.status == RunStatus.RUNNING
        and not readonly
        and st.button(_("Stop"), key=f"stop_{run_id}")
    ):
        jm.stop(run_id)
    st.caption(
        _("Device: {device} · run {run} · status {status}").format(
            device=md(message_text(run.device or "—")),
            run=md(run.id),
            status=status_text(run.status),
        )
    )
    if epochs:
        curves = training.charts.training_curves(epochs)
        st.plotly_chart(curves, width="stretch", key=f"curves_{run_id}")
    return run.active


def caches(settings) -> None:
    mb = {k: v / 2**20 for k, v in features.cache_sizes(settings).items()}
    label = _("Caches: features {features} MB · pixels {pixels} MB").format(
        features=f"{mb['features']:.1f}", pixels=f"{mb['pixels']:.1f}"
    )
    with st.expander(label):
        st.caption(
            _(
                "Cached backbone features and decoded images make later runs fast. "
                "Clearing them is safe; they are rebuilt when needed."
            )
        )
        if st.button(_("Clear caches"), key="clear_caches"):
            features.clear_caches(settings)
            st.rerun()
