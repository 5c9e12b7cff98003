"""The tutorial's 2×2 chart: size across, similarity to ImageNet up, a strategy per quadrant.
Its words are made in the language of the moment (the page's, or a report's `speaking`)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import plotly.graph_objects as go

from dashboard.advisor.advice import LARGE_PER_CLASS, WHY, WORDS, Advice
from dashboard.i18n import _
from dashboard.text import chart_text
from models.strategies import STRATEGIES

X_RANGE = (1, 100_000)  # training images per class shown on the log axis
QUADRANT_COLOURS = {
    ("small", "similar"): "#2e7d32",
    ("large", "similar"): "#1565c0",
    ("large", "different"): "#6a1b9a",
    ("small", "different"): "#c62828",
}


def _x(per_class: float) -> float:
    lo, hi = X_RANGE
    return min(max(per_class, lo), hi)


def _hover(a: Advice) -> str:
    lines = [
        f"<b>{chart_text(a.dataset_name)}</b>",
        _("{per_class} training images per class").format(per_class=f"{a.train_per_class:g}"),
    ]
    lines.append(
        _("similarity {similarity} → {verdict}").format(
            similarity=f"{a.similarity:.2f}", verdict=_(WORDS[a.verdict])
        )
    )
    for s in a.signals:
        if s.value is not None:
            line = _("{signal}: {value} (score {score})")
            lines.append(
                line.format(signal=s.title, value=f"{s.value:.3g}", score=f"{s.score:.2f}")
            )
    return "<br>".join(lines)


def quadrant_chart(current: Advice, references: Sequence[Advice] = ()) -> go.Figure:
    fig = go.Figure()
    lo, hi = (math.log10(v) for v in X_RANGE)
    mid = math.log10(LARGE_PER_CLASS)
    boxes = {
        ("small", "similar"): (lo, mid, 0.5, 1.0),
        ("large", "similar"): (mid, hi, 0.5, 1.0),
        ("large", "different"): (mid, hi, 0.0, 0.5),
        ("small", "different"): (lo, mid, 0.0, 0.5),
    }
    for quadrant, (x0, x1, y0, y1) in boxes.items():
        colour = QUADRANT_COLOURS[quadrant]
        fig.add_shape(
            type="rect",
            x0=10**x0,
            x1=10**x1,
            y0=y0,
            y1=y1,
            fillcolor=colour,
            opacity=0.08,
            line_width=0,
            layer="below",
        )
        title = STRATEGIES[WHY[quadrant][0]].title
        fig.add_annotation(
            x=(x0 + x1) / 2,
            y=y1 - 0.04,
            xref="x",
            yref="y",
            showarrow=False,
            text=f"{_(WORDS[quadrant[0]])} · {_(WORDS[quadrant[1]])}<br><b>{_(title)}</b>",
            font=dict(color=colour),
        )
    others = [a for a in references if a.dataset_id != current.dataset_id]
    if others:
        fig.add_trace(
            go.Scatter(
                x=[_x(a.train_per_class) for a in others],
                y=[a.similarity for a in others],
                mode="markers+text",
                text=[chart_text(a.dataset_name) for a in others],
                textposition="bottom center",
                marker=dict(size=10, color="#888", opacity=0.45),
                textfont=dict(color="#999"),
                opacity=0.6,
                name=_("other datasets"),
                hovertext=[_hover(a) for a in others],
                hoverinfo="text",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=[_x(current.train_per_class)],
            y=[current.similarity],
            mode="markers+text",
            text=[chart_text(current.dataset_name)],
            textposition="top center",
            marker=dict(
                size=18,
                color=QUADRANT_COLOURS[(current.size, current.verdict)],
                line=dict(width=2, color="white"),
                symbol="star",
            ),
            name=chart_text(current.dataset_name),
            hovertext=[_hover(current)],
            hoverinfo="text",
        )
    )
    fig.add_vline(x=LARGE_PER_CLASS, line_dash="dash", line_color="#999")
    fig.add_hline(y=0.5, line_dash="dash", line_color="#999")
    fig.update_xaxes(
        type="log", range=[lo, hi], title=_("training images per class (median over classes)")
    )
    fig.update_yaxes(range=[0, 1], title=_("similarity to ImageNet (mean signal score)"))
    fig.update_layout(
        height=460,
        margin=dict(l=10, r=10, t=40, b=10),
        showlegend=False,
        title=_("Where this dataset sits on the transfer-learning chart"),
    )
    return fig
