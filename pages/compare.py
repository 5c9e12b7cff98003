"""Compare: accuracy curves of runs side by side, e.g. ImageNet-pretrained against scratch."""

from __future__ import annotations

import streamlit as st

from dashboard import compare, datasets, glue, model_menu, report, training
from dashboard.i18n import N_, _, percent
from dashboard.runs import RunStatus, delete, rename, status_text
from dashboard.settings import READONLY_NOTE
from models.strategies import Strategy
from pages.widgets import session_keys
from pages.widgets.exports_section import in_language
from pages.widgets.live import live_view
from pages.widgets.tutorial_note import tutorial_note

INTRO = N_(
    "He et al. (2018, *Rethinking ImageNet Pre-training*) found that ImageNet-pretrained "
    "initialisation reaches high accuracy 2–3× sooner than training from scratch. Draw that "
    "chart for your own data: queue an experiment, or pick finished runs below."
)


def experiments(settings) -> None:
    if settings.readonly:
        st.info(_(READONLY_NOTE))
        return
    stored = datasets.list_datasets(settings)
    with st.expander(_("One-click experiments"), expanded=not glue.run_store().list()):
        if not stored:
            st.info(_("Add a dataset on the Train page first."))
            return
        by_id = {m.id: m for m in stored}
        c1, c2, c3, c4 = st.columns(4)
        ds = c1.selectbox(
            _("Dataset"), list(by_id), format_func=lambda i: by_id[i].name, key="x_ds"
        )
        keys = [c.backbone.key for c in model_menu.backbone_choices(settings)]
        default = keys.index(model_menu.default_backbone(settings))
        backbone = c2.selectbox(_("Backbone"), keys, index=default, key="x_backbone")
        epochs = c3.number_input(
            _("Epochs"), 1, 500, None, key="x_epochs", placeholder=_("each strategy's default")
        )
        seeds = c4.number_input(_("Seeds"), 1, 5, 3, key="x_seeds")
        same = st.toggle(
            _("Scratch with the pretrained run's schedule (He et al.'s protocol)"),
            False,
            key="x_same",
            help=_(
                "Off: scratch uses its own defaults (larger learning rate, warm-up and cosine "
                "decay, more epochs, 128 px), which give it a fair chance."
            ),
        )
        plans = {  # the label (N_, shown through _()) also names the button's key
            N_("Pretrained vs scratch"): lambda: compare.experiments.pretrained_vs_scratch(
                ds, backbone, int(seeds), same_schedule_as_pretrained=same, epochs=epochs
            ),
            N_("Strategy ladder"): lambda: compare.experiments.strategy_ladder(
                ds, backbone, int(seeds), epochs=epochs
            ),
        }
        cols = st.columns(len(plans))
        for col, (label, plan) in zip(cols, plans.items(), strict=True):
            if col.button(_(label), key=f"x_{label}"):
                by = glue.user_name()
                jm = glue.job_manager()
                ids = [jm.submit(config, by=by)[0].id for config in plan()]
                st.session_state[session_keys.COMPARED] = ids
                st.success(
                    _("Queued {n} run(s); they appear below as they train.").format(n=len(ids))
                )


def pick_runs() -> list:
    runs = glue.run_store().list()
    if not runs:
        st.info(_("No runs yet: train on the Train page or start an experiment above."))
        return []
    query = st.text_input(
        _("Filter runs"), "", placeholder=_("dataset, backbone, strategy, status…")
    )
    shown = [r for r in runs if query.lower() in _searchable(r)]
    st.dataframe(
        compare.headed(_table_row(r) for r in shown),
        hide_index=True,
        height=min(400, 40 + 35 * len(shown)),
    )
    default = [
        i for i in st.session_state.get(session_keys.COMPARED, []) if i in {r.id for r in shown}
    ]
    if not default:  # the two latest runs; a running one shows its curve growing
        default = [r.id for r in shown if r.status != RunStatus.FAILED][:2]
    labels = {r.id: f"{r.name} · {r.id}" for r in shown}
    chosen = st.multiselect(_("Compare"), list(labels), default=default, format_func=labels.get)
    return [r for r in runs if r.id in chosen]


def _searchable(run) -> str:
    status = (run.status, status_text(run.status))  # as stored, and as the reader reads it
    fields = (run.name, run.dataset_name, run.backbone, run.strategy, *status, run.created_by)
    return " ".join(fields).lower()


def _table_row(run) -> dict:
    seconds = round((run.finished or 0) - (run.started or 0), 1) if run.finished else None
    return {
        "run": run.name,
        "dataset": run.dataset_name,
        "backbone": run.backbone,
        "strategy": run.strategy,
        "epochs": run.config.get("epochs"),
        "lr": run.config.get("learning_rate"),
        "seed": run.config.get("seed"),
        "status": status_text(run.status),
        "by": run.created_by,
        "best val acc": run.best_val_acc,
        "seconds": seconds,
        "id": run.id,
    }


def pending(runs) -> bool:
    return any(r.active for r in runs)


def draw_comparison(run_ids: list[str]) -> bool:
    """Curves, summary and downloads for the runs; True while some of them are still going."""
    store = glue.run_store()
    runs = [store.get(i) for i in run_ids]
    histories = store.epochs(run_ids)  # one query for every point of every run
    c1, c2, c3, c4 = st.columns(4)
    labels = {m: _(label) for m, label in compare.charts.LABELS.items()}  # shown as made here
    metric = c1.selectbox(_("Metric"), list(labels), key="c_metric", format_func=labels.get)
    axes = {x: _(x) for x in compare.X_AXES}
    x_axis = c2.selectbox(_("X axis"), list(axes), key="c_x", format_func=axes.get)
    smoothing = c3.slider(_("Smoothing"), 0.0, 0.95, 0.0, 0.05, key="c_smooth")
    bands = c4.toggle(_("Seeds as mean ± std"), True, key="c_bands")
    fig = compare.charts.curves(runs, histories, metric, x_axis, smoothing, bands)
    st.plotly_chart(fig, width="stretch", key="c_curves")
    target_default = compare.default_target(list(histories.values()))
    c1, c2 = st.columns(2)
    target = c1.number_input(
        _("Target validation accuracy"), 0.0, 1.0, round(target_default, 3), 0.01, key="c_target"
    )
    scratch = [r.id for r in runs if r.strategy == Strategy.SCRATCH]
    names = {r.id: r.name for r in runs}
    baseline = c2.selectbox(
        _("Baseline for the speed-up"),
        run_ids,
        index=run_ids.index(scratch[0]) if scratch else 0,
        format_func=names.get,
        key="c_baseline",
    )
    summary = compare.summary_rows(runs, histories, target, baseline)
    st.dataframe(compare.headed(summary), hide_index=True)
    pretrained_vs_scratch(runs, histories)
    d1, d2, d3 = st.columns(3)
    csv = compare.metrics_csv(runs, histories)
    d1.download_button(_("Metrics (CSV)"), csv, "metrics.csv", "text/csv", key="c_csv")
    html = fig.to_html(include_plotlyjs="cdn")
    d2.download_button(_("Chart (HTML)"), html, "curves.html", "text/html", key="c_html")
    d3.download_button(
        _("Report (one HTML file, offline)"),
        # built on click, outside this script run: in_language keeps the reader's language
        in_language(lambda: report.comparison_report(glue.settings(), run_ids, summary)),
        "comparison_report.html",
        "text/html",
        key="c_report",
    )
    st.caption(_("For a PNG, use the camera button on the chart."))
    return pending(runs)


def pretrained_vs_scratch(runs, histories) -> None:
    """He et al.'s figure 4 in numbers, when the runs hold a pretrained and a scratch group."""
    pair = compare.pretrained_vs_scratch_groups(runs)
    if pair is None:
        return
    try:
        manifest = datasets.get(glue.settings(), pair[1][0].dataset_id)
    except datasets.DatasetError:
        return  # the dataset was deleted: no class prior to judge against
    n_val, prior = datasets.validation_prior(manifest)
    st.subheader(_("Pretrained vs scratch"))
    fraction = st.slider(_("Target: fraction of scratch's best"), 0.5, 1.0, 0.9, 0.05, key="c_frac")
    h2h = compare.head_to_head(*pair, histories, n_val, prior, fraction)
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(_("Speed-up in epochs"), str(h2h.speedup_epochs) if h2h.speedup_epochs else "—")
    c2.metric(_("Speed-up in seconds"), str(h2h.speedup_seconds) if h2h.speedup_seconds else "—")
    c3.metric(_("Scratch's best (mean curve)"), percent(h2h.scratch_best))
    c4.metric(_("Scratch caught up by the end"), _("yes") if h2h.caught_up else _("no"))
    (st.success if h2h.speedup_epochs else st.warning)(h2h.message)
    tutorial_note(4)


def details(runs) -> None:
    done = [r for r in runs if r.results is not None]
    if not done:
        return
    st.subheader(_("Confusion matrices"))
    cols = st.columns(min(len(done), 3))
    for i, run in enumerate(done):
        fig = training.charts.confusion_heatmap(run.results.val.confusion, run.results.classes)
        fig.update_layout(title=run.name)
        cols[i % len(cols)].plotly_chart(fig, width="stretch", key=f"cm_{run.id}")
    st.plotly_chart(compare.charts.per_class_f1(done), width="stretch", key="c_f1")


def manage(runs) -> None:
    with st.expander(_("Rename or delete a run")):
        if not runs:
            return
        labels = {r.id: r.name for r in runs}
        run_id = st.selectbox(_("Run"), list(labels), format_func=labels.get, key="m_run")
        name = st.text_input(_("Name"), labels[run_id], key=f"m_name_{run_id}")
        c1, c2 = st.columns(2)
        if c1.button(_("Rename"), key="m_rename"):
            rename(glue.settings(), run_id, name)
            st.rerun()
        if c2.button(_("Delete"), key="m_delete"):
            delete(glue.settings(), run_id)
            st.session_state[session_keys.COMPARED] = []
            st.rerun()


def compare_page() -> None:
    st.title(_("Compare runs"))
    st.markdown(_(INTRO))
    settings = glue.settings()
    experiments(settings)
    runs = pick_runs()
    if compare.pretrained_vs_scratch_groups(runs) is None:  # else beside the head-to-head
        tutorial_note(4)
    if runs:
        run_ids = [r.id for r in runs]
        live_view("compare", lambda: draw_comparison(run_ids), pending(runs))
        details(runs)
    if not settings.readonly:
        manage(glue.run_store().list())


glue.require_entry_navigation()
compare_page()
