"""The learning curves as a chart: each class's measured recall against its training images
(the spread over seeds as bars), the fitted power law through them, and its forecast to N
more images dashed."""

from __future__ import annotations

import plotly.graph_objects as go

from dashboard.i18n import _
from dashboard.probes.curve import TRAIN_SHARE, Curves, fitted_line
from dashboard.text import chart_text


def curves_chart(curves: Curves, classes: list[str], more: int) -> go.Figure:
    fig = go.Figure()
    everyone = (curves.every, _("all classes (accuracy)"))
    for k, (curve, name) in enumerate(
        [*((c, chart_text(classes[c.cls])) for c in curves.per_class), everyone]
    ):
        colour = _colour(k, curve.cls is None)
        spread = curve.right.mean(2).std(1)
        fig.add_trace(
            go.Scatter(
                x=curve.images,
                y=curve.recall,
                error_y=dict(type="data", array=spread, visible=True),
                mode="markers",
                marker=dict(color=colour),
                name=name,
                legendgroup=name,
            )
        )
        n, recall = fitted_line(curve, curve.now + more * TRAIN_SHARE)
        measured = n <= curve.now
        for part, dash in ((measured, "solid"), (n >= curve.now, "dash")):
            fig.add_trace(
                go.Scatter(
                    x=n[part],
                    y=recall[part],
                    mode="lines",
                    line=dict(color=colour, dash=dash),
                    name=name,
                    legendgroup=name,
                    showlegend=False,
                    hoverinfo="skip",
                )
            )
    fig.update_layout(
        title=_("Learning curves: held-out recall per class (dashed: the forecast)"),
        height=380,
        xaxis=dict(title=_("training images of the class (per fold)"), type="log"),
        yaxis=dict(title=_("recall"), range=[0, 1.02]),
        margin=dict(l=10, r=10, t=40, b=10),
    )
    return fig


def _colour(k: int, everyone: bool) -> str:
    import plotly.express as px

    palette = px.colors.qualitative.Plotly
    return "#222222" if everyone else palette[k % len(palette)]
