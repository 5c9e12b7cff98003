"""Plotly figures of a dataset: images per class and split, image sizes."""

from __future__ import annotations

import plotly.graph_objects as go

from dashboard.datasets.words import split_text
from dashboard.i18n import _
from dashboard.text import chart_texts

SPLIT_COLOURS = {"train": "#e4572e", "val": "#29335c", "test": "#f3a712"}


def class_counts_bar(counts: dict[str, dict[str, int]]) -> go.Figure:
    """Images per class, stacked by split."""
    classes = list(counts)
    labels = chart_texts(classes)  # class names are uploaded: plain text, not plotly HTML
    fig = go.Figure()
    for split, colour in SPLIT_COLOURS.items():
        values = [counts[c].get(split, 0) for c in classes]
        if any(values):
            fig.add_trace(go.Bar(x=labels, y=values, name=split_text(split), marker_color=colour))
    fig.update_layout(
        barmode="stack",
        title=_("Images per class"),
        height=320,
        margin=dict(l=10, r=10, t=40, b=10),
        yaxis_title=_("images"),
        legend=dict(orientation="h", y=1.1, x=1, xanchor="right"),
    )
    return fig


def image_sizes_scatter(sizes: dict[tuple[int, int], int]) -> go.Figure:
    """Each distinct (width, height), marker area by how many images have it."""
    items = sorted(sizes.items())
    counts = [n for _, n in items]
    biggest = max(counts) if counts else 1
    fig = go.Figure(
        go.Scatter(
            x=[w for (w, _), _ in items],
            y=[h for (_, h), _ in items],
            mode="markers",
            text=[_("{n} image(s)").format(n=n) for n in counts],
            marker=dict(size=[8 + 30 * (n / biggest) ** 0.5 for n in counts], color="#29335c"),
            hovertemplate="%{x}×%{y} px<br>%{text}<extra></extra>",
        )
    )
    fig.update_layout(
        title=_("Image sizes"),
        height=320,
        margin=dict(l=10, r=10, t=40, b=10),
        xaxis_title=_("width (px)"),
        yaxis_title=_("height (px)"),
    )
    return fig
