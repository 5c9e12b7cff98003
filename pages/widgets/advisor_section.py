"""Train page, step 2: how big and how like ImageNet is this dataset, and what should be trained."""

from __future__ import annotations

import logging

import streamlit as st

from dashboard import advisor, datasets, glue
from dashboard.i18n import N_, _, number
from models import catalog
from models.strategies import STRATEGIES
from pages.widgets import session_keys
from pages.widgets.live import live_view
from pages.widgets.progress import with_progress
from pages.widgets.tutorial_note import tutorial_note

log = logging.getLogger(__name__)
INTRO = N_(
    "The tutorial's chart puts a dataset on two axes, **size** and **similarity to ImageNet**, "
    "and names what to train in each quadrant. The advisor measures both from what the backbone "
    "makes of your images, explains each signal, and can check its advice by running the ladder."
)


def advisor_section(settings, manifest, backbone: str) -> None:
    st.caption(_(INTRO))
    advice = advisor.stored(settings, manifest.id, backbone)
    label = catalog.get(backbone).label
    if advice is None and settings.readonly:  # showing stored advice, yes; measuring, no
        st.caption(
            _(
                "Not measured with {backbone} yet: measure it on a server where you can edit."
            ).format(backbone=label)
        )
        return
    if advice is None:
        measure_label = _("Measure this dataset with {backbone}").format(backbone=label)
        if not st.button(measure_label, key=f"advise_{manifest.id}"):
            return
        advice = measure_with_progress(settings, manifest, backbone)
        if advice is None:
            return
    show_advice(settings, manifest, advice)


def measure_with_progress(settings, manifest, backbone, again=False) -> advisor.Advice | None:
    return with_progress(
        _("Measuring {dataset}…").format(dataset=manifest.name),
        lambda say: advisor.measure(settings, manifest, backbone, say, again),
        failed=_("Could not measure this dataset ({error})."),
    )


def show_advice(settings, manifest, advice: advisor.Advice) -> None:
    cols = st.columns(5)
    cols[0].metric(_("Images"), number(advice.n_images))
    cols[1].metric(_("Classes"), advice.n_classes)
    cols[2].metric(_("Training images per class"), f"{advice.train_per_class:g}")
    cols[3].metric(_("Size"), _(advisor.WORDS[advice.size]))
    cols[4].metric(
        _("Similarity to ImageNet"),
        f"{advice.similarity:.2f}",
        _(advisor.WORDS[advice.verdict]),
        delta_color="green" if advice.verdict == "similar" else "red",
        delta_arrow="off",
    )
    references = advisor.all_stored(settings, advice.backbone)
    chart, note = st.columns([3, 2])
    chart.plotly_chart(
        advisor.charts.quadrant_chart(advice, references), width="stretch", key="advice_chart"
    )
    with note:
        tutorial_note(3)
    strategy = STRATEGIES[advice.strategy]
    st.success(
        _("**Recommendation: {strategy}** — {reason}").format(
            strategy=_(strategy.title), reason=advice.reason
        )
    )
    signals = advice.signals  # title, question and note in the reader's language
    for col, s in zip(st.columns(len(signals)), signals, strict=True):
        with col:
            if s.score is None:
                st.metric(s.title, _("not measured"))
            else:
                similar = s.score >= 0.5
                says = _("similar (score {score})") if similar else _("different (score {score})")
                st.metric(
                    s.title,
                    f"{s.value:.3g}",
                    says.format(score=f"{s.score:.2f}"),
                    delta_color="green" if similar else "red",
                    delta_arrow="off",
                )
            st.caption(s.question + (f" **{s.note}.**" if s.note else ""))
    st.caption(
        _(
            "ImageNet classifier used: {classifier}. Measured in {seconds} s. "
            "Thresholds and the figures behind them: docs/advisor.md."
        ).format(classifier=advice.classifier_text, seconds=f"{advice.seconds:.1f}")
    )
    if not settings.readonly:  # both compute and store
        reference_points(settings, advice, references)
    actions(settings, manifest, advice)
    ladder(manifest, advice)


def reference_points(settings, advice, references) -> None:
    measured = {a.dataset_name for a in references if a.dataset_source == "sample"}
    missing = [name for name in datasets.SAMPLES if name not in measured]
    if not missing:
        return
    said = {name: _(datasets.SAMPLE_NAMES.get(name, name)) for name in datasets.SAMPLES}
    help_text = _(
        "Adds the built-in samples as datasets and measures them ({digits}: ~20 s)."
    ).format(digits=said.get("digits", "digits"))
    label = _("Add reference points: measure the samples ({samples})").format(
        samples=", ".join(said[name] for name in missing)
    )
    if st.button(label, key="advice_samples", help=help_text):
        for name in missing:
            sample = with_progress(
                _("Adding {sample}…").format(sample=said[name]),
                lambda say, n=name: datasets.ingest_sample(settings, n, lambda f, _: say(f, "")),
                expected=(),
            )
            if measure_with_progress(settings, sample.manifest, advice.backbone) is None:
                return
        st.rerun()


def actions(settings, manifest, advice) -> None:
    if settings.readonly:  # looking at the advice, yes; training on it, no
        return
    jm = glue.job_manager()
    c1, c2, c3, c4 = st.columns(4)
    if c1.button(_("Train the recommended strategy"), type="primary", key="advice_train"):
        run, _created = jm.submit(advisor.ladder.recommended_config(advice), by=glue.user_name())
        _show_run(manifest, run.id)
    help_text = _(
        "Every strategy with its default settings: the measurement that checks the advice."
    )
    if c2.button(_("Run the whole ladder (5 runs)"), key="advice_ladder", help=help_text):
        by = glue.user_name()
        ids = [jm.submit(c, by=by)[0].id for c in advisor.ladder.ladder_configs(advice)]
        _show_run(manifest, ids[0])
    if c3.button(_("Put it in the form below"), key="advice_form"):
        st.session_state[session_keys.STRATEGY] = advice.strategy
    again = c4.button(_("Measure again"), key="advice_again")
    if again and measure_with_progress(settings, manifest, advice.backbone, again=True):
        st.rerun()


def _show_run(manifest, run_id: str) -> None:
    """Select the new run in the training section below."""
    st.session_state[session_keys.RUN] = run_id
    st.session_state[session_keys.run_choice(manifest.id)] = run_id


def ladder(manifest, advice) -> None:
    n_val, prior = datasets.validation_prior(manifest)

    def ladder_check():
        runs = glue.run_store().list(manifest.id)
        return advisor.ladder.check(advice, runs, n_val, prior)

    def draw() -> bool:
        check = ladder_check()
        if check.pending or any(row["finished runs"] for row in check.rows):
            show_check(check)
        if check.pending:
            st.caption(_("{n} ladder run(s) queued or running…").format(n=len(check.pending)))
        return bool(check.pending)

    live_view("ladder", draw, bool(ladder_check().pending))


def show_check(check: advisor.ladder.LadderCheck) -> None:
    st.markdown(_("**Checking the advice against the ladder**"))
    percent = st.column_config.NumberColumn(format="percent")
    st.dataframe(
        advisor.ladder.table(check.rows),
        hide_index=True,
        width="stretch",
        column_config={_(advisor.ladder.COLUMNS["best val acc"]): percent},
    )
    if check.right is None or check.within_noise:
        st.info(check.message)
    elif check.right:
        st.success(check.message)
    else:
        st.warning(check.message)
