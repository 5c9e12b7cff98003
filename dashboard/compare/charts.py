"""Plotly figures for the Compare page."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from dashboard.compare import metrics as compare
from dashboard.i18n import N_, _
from dashboard.text import chart_text, chart_texts

PALETTE = ["#e4572e", "#29335c", "#f3a712", "#669bbc", "#a8c686", "#8e5572", "#3d5a80", "#ee6c4d"]
LABELS = {  # N_: shown through _()
    "val_acc": N_("validation accuracy"),
    "acc": N_("training accuracy"),
    "val_loss": N_("validation loss"),
    "loss": N_("training loss"),
}


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def curves(
    runs: Sequence,
    histories: dict[str, list[dict]],
    metric: str,
    x_axis: str = "epoch",
    smoothing: float = 0.0,
    bands: bool = False,
) -> go.Figure:
    """One line per run (raw faintly, smoothed boldly), or mean ± std per seed group."""
    x_key = compare.X_AXES[x_axis]
    fig = go.Figure()
    groups = compare.seed_groups(runs) if bands else {r.id: [r] for r in runs}
    for i, members in enumerate(groups.values()):
        colour = PALETTE[i % len(PALETTE)]
        name = chart_text(members[0].name)  # run names are typed by users: plain text
        if len(members) > 1:
            name = _("{name} ({n} seeds)").format(name=name, n=len(members))
            band = compare.mean_std_band([histories[r.id] for r in members], metric, x_key)
            upper = [m + s for m, s in zip(band.mean, band.std, strict=True)]
            lower = [m - s for m, s in zip(band.mean, band.std, strict=True)]
            outline = go.Scatter(
                x=band.x + band.x[::-1],
                y=upper + lower[::-1],
                fill="toself",
                fillcolor=_rgba(colour, 0.2),
                line=dict(width=0),
                hoverinfo="skip",
                showlegend=False,
            )
            fig.add_trace(outline)
            mean = compare.smooth(band.mean, smoothing)
            fig.add_trace(
                go.Scatter(
                    x=band.x,
                    y=mean,
                    name=_("{name} mean ± std").format(name=name),
                    line=dict(color=colour),
                )
            )
            continue
        rows = compare.with_elapsed(histories[members[0].id])
        x, y = [r[x_key] for r in rows], [r[metric] for r in rows]
        if smoothing > 0:
            fig.add_trace(
                go.Scatter(
                    x=x,
                    y=y,
                    line=dict(color=_rgba(colour, 0.25)),
                    showlegend=False,
                    hoverinfo="skip",
                )
            )
        fig.add_trace(
            go.Scatter(
                x=x,
                y=compare.smooth(y, smoothing),
                name=name,
                mode="lines+markers",
                line=dict(color=colour),
            )
        )
    metric_label, x_label = _(LABELS[metric]), _(x_axis)  # X_AXES' keys are N_-marked
    fig.update_layout(
        title=_("{metric} by {x_axis}").format(metric=metric_label, x_axis=x_label),
        height=380,
        xaxis_title=x_label,
        yaxis_title=metric_label,
        margin=dict(l=10, r=10, t=40, b=10),
        legend=dict(orientation="h", y=-0.25),
    )
    return fig


def per_class_f1(runs: Sequence) -> go.Figure:
    fig = go.Figure()
    for i, run in enumerate(runs):
        rows = run.results.val.per_class if run.results else []
        fig.add_trace(
            go.Bar(
                x=chart_texts(r.cls for r in rows),
                y=[r.f1 for r in rows],
                name=chart_text(run.name),
                marker_color=PALETTE[i % len(PALETTE)],
            )
        )
    fig.update_layout(
        title=_("Per-class F1 (validation)"),
        barmode="group",
        height=340,
        yaxis=dict(range=[0, 1]),
        margin=dict(l=10, r=10, t=40, b=10),
    )
    return fig
