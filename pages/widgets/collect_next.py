"""What to collect next: the dataset's learning curves on cached features, what N more images
of each class would buy (with an interval), and a button per class that points the add-images
panel below at it."""

from __future__ import annotations

import statistics

import streamlit as st

from dashboard import probes
from dashboard.i18n import N_, _, percent
from dashboard.settings import ReadOnlyError
from dashboard.text import markdown_text
from models import catalog
from pages.widgets import session_keys
from pages.widgets.data_edits import signed
from pages.widgets.progress import EXPECTED, with_progress

INTRO = N_(
    "Which class to photograph next? A linear probe on the pretrained features is trained "
    "with 10% to 100% of one class's images (the others whole), five times over, and scored on "
    "held-out images; a power law through each class's curve forecasts what more images of "
    "it would buy. The interval is a bootstrap over the draws and the scored images."
)


def collect_next(settings, manifest, backbone: str) -> None:
    st.subheader(_("What to collect next"))
    st.caption(_(INTRO))
    key = session_keys.learning_curves(manifest.id, backbone)
    if settings.readonly:  # the forecast fits some 1,000 probes: no heavy work here
        st.caption(_("Forecasts are made on a server where you can edit."))
        return
    if key not in st.session_state:
        if not st.button(_("Forecast what more images would buy"), key=f"curves_go_{manifest.id}"):
            return
        curves = with_progress(
            _("Learning curves"),
            lambda say: probes.learning_curves(settings, manifest, catalog.get(backbone), say),
            expected=(*EXPECTED, ReadOnlyError),
        )
        if curves is None:  # the message is shown
            return
        st.session_state[key] = curves
    curves = st.session_state[key]
    counts = [sum(r.cls == c for r in manifest.images) for c in manifest.classes]
    more = st.number_input(
        _("More images per class"),
        1,
        100_000,
        max(10, int(statistics.median(counts))),
        key=f"more_{manifest.id}",
    )
    st.plotly_chart(probes.charts.curves_chart(curves, manifest.classes, more), width="stretch")
    every = probes.forecast(curves.every, more)
    st.info(
        _("{more} more images of every class: {gain}.").format(more=more, gain=_points(every)),
        icon=":material/trending_up:",
    )
    _per_class(manifest, curves, more, counts)


def _per_class(manifest, curves, more: int, counts: list[int]) -> None:
    headers = (_("class"), _("images"), _("recall now"), _("{n} more").format(n=more))
    for curve in curves.per_class:
        cls = manifest.classes[curve.cls]
        found = probes.forecast(curve, more)
        row = st.columns([2, 1, 1, 4, 2], vertical_alignment="center")
        row[0].markdown(f"**{markdown_text(cls)}**")
        row[1].caption(f"{headers[1]}: {counts[curve.cls]}")
        row[2].caption(f"{headers[2]}: {percent(found.recall_now, 0)}")
        verdict = _("buys nothing this probe can see") if found.buys_nothing else _points(found)
        row[3].write(f"{headers[3]}: {verdict}")
        row[4].button(
            _("Add images of {cls}").format(cls=markdown_text(cls)),
            key=f"add_to_{manifest.id}_{curve.cls}",
            on_click=_point_add_at,
            args=(manifest.id, cls),
        )
    st.caption(
        _(
            "Points of overall accuracy. What more images of one class do to the others is "
            "not in the figure; the check of this forecast on flowers-mini is in the docs."
        )
    )


def _points(found) -> str:
    return _("≈ {gain} points (95% interval {low} to {high})").format(
        gain=signed(found.gain), low=signed(found.low), high=signed(found.high)
    )


def _point_add_at(dataset_id: str, cls: str) -> None:
    st.session_state[session_keys.add_class(dataset_id)] = cls
