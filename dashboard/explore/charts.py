"""Plotly figures and pictures for the Explore page: top-5, maps over the image, the catalog,
filter mosaics."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from dashboard import tutorial
from dashboard.i18n import N_, _, percent
from dashboard.images import resize_map
from dashboard.text import chart_text
from models.catalog import HUMAN_TOP5_ERROR, Backbone
from models.imagenet import Prediction


def top5_bar(predictions: Sequence[Prediction]) -> go.Figure:
    names = [chart_text(p.name.replace("_", " ")) for p in predictions][::-1]
    scores = [p.score for p in predictions][::-1]
    fig = go.Figure(
        go.Bar(
            x=scores,
            y=names,
            orientation="h",
            text=[percent(s) for s in scores],
            textposition="auto",
            marker_color="#e4572e",
        )
    )
    fig.update_layout(
        height=260,
        margin=dict(l=10, r=10, t=30, b=10),
        xaxis=dict(range=[0, 1], tickformat=".0%", title=_("probability")),
        title=_("Top-5 ImageNet classes"),
    )
    return fig


def heatmap_over_image(rgb: np.ndarray, values01: np.ndarray, title: str) -> go.Figure:
    """The image with a [0, 1] map on top; hover shows the value at each pixel."""
    heat = np.clip(resize_map(values01, rgb.shape[:2]), 0, 1)
    fig = go.Figure(go.Image(z=rgb))
    fig.add_trace(
        go.Heatmap(z=heat, colorscale="Viridis", opacity=0.55, zmin=0, zmax=1, showscale=True)
    )
    fig.update_layout(
        title=chart_text(title),  # may hold a class name
        height=420,
        margin=dict(l=0, r=0, t=30, b=0),
        xaxis=dict(visible=False),
        yaxis=dict(visible=False, autorange="reversed", scaleanchor="x"),
    )
    return fig


# The catalog's two accuracies: (Backbone attribute, marker, legend name).
TRACES = (("top1", "circle", N_("top-1 accuracy")), ("top5", "circle-open", N_("top-5 accuracy")))


def catalog_scatter(backbones: Sequence[Backbone]) -> go.Figure:
    """ImageNet accuracy against size for the catalog, with the human top-5 level marked."""
    fig = go.Figure()
    hover = "%{text}<br>" + _("{millions}M params").format(millions="%{x:.1f}") + "<br>%{y:.1f}%"
    for metric, symbol, name in TRACES:
        rows = [b for b in backbones if getattr(b, metric) is not None]
        fig.add_trace(
            go.Scatter(
                x=[b.params / 1e6 for b in rows],
                y=[getattr(b, metric) for b in rows],
                mode="markers",
                name=_(name),
                text=[f"{b.label} ({b.year})" for b in rows],
                hovertemplate=hover + "<extra></extra>",
                marker=dict(
                    symbol=symbol,
                    size=10,
                    color=[b.year for b in rows],
                    colorscale="Viridis",
                    showscale=metric == "top1",
                    colorbar=dict(title=_("year")),
                ),
            )
        )
    human = 100 - HUMAN_TOP5_ERROR
    fig.add_hline(
        y=human,
        line_dash="dash",
        annotation_text=_("human top-5 ({error}% error, Russakovsky et al. 2015)").format(
            error=HUMAN_TOP5_ERROR
        ),
        annotation_position="bottom right",
    )
    fig.update_layout(
        height=460,
        xaxis=dict(type="log", title=_("parameters (millions, log scale)")),
        yaxis=dict(title=_("ImageNet accuracy (%)")),
        legend=dict(orientation="h", y=-0.2),
        margin=dict(l=10, r=10, t=30, b=10),
        title=_("Keras applications: accuracy vs size"),
    )
    return fig


def tile_grid(tiles: np.ndarray, columns: int = 8, pad: int = 1, scale: int = 8) -> np.ndarray:
    """(n, h, w, 3) tiles in [0, 1] -> one RGB uint8 mosaic, each tile enlarged `scale` times."""
    n, h, w, _channels = tiles.shape
    rows = -(-n // columns)
    big = np.repeat(np.repeat(tiles, scale, axis=1), scale, axis=2)
    hh, ww = h * scale + pad, w * scale + pad
    grid = np.ones((rows * hh + pad, columns * ww + pad, 3), dtype="float32")
    for i, tile in enumerate(big):
        r, c = divmod(i, columns)
        grid[pad + r * hh : pad + r * hh + h * scale, pad + c * ww : pad + c * ww + w * scale] = (
            tile
        )
    return (grid * 255).astype("uint8")


def ilsvrc_winners() -> go.Figure:
    """The tutorial's figure 2: the ILSVRC classification winners' top-5 error by year, with the
    human annotator's 5.1% (Russakovsky et al. 2015)."""
    years, names, errors = zip(*tutorial.ILSVRC_WINNERS, strict=True)
    fig = go.Figure(
        go.Bar(
            x=list(years),
            y=list(errors),
            text=[f"{n}<br>{e}%" for n, e in zip(names, errors, strict=True)],
            textposition="outside",
            name=_("winner's top-5 error"),
            hovertemplate="%{x}: %{y}%<extra></extra>",
            marker_color="#4c78a8",
        )
    )
    fig.add_hline(
        y=HUMAN_TOP5_ERROR,
        line_dash="dash",
        line_color="#e4572e",
        annotation_text=_("a trained person: {error}%").format(error=HUMAN_TOP5_ERROR),
        annotation_position="top right",
    )
    fig.update_layout(
        height=380,
        title=_("ILSVRC winners: top-5 error by year"),
        xaxis=dict(title=_("year"), dtick=1),
        yaxis=dict(title=_("top-5 error (%)"), range=[0, max(errors) * 1.25]),
        margin=dict(l=10, r=10, t=40, b=10),
        showlegend=False,
    )
    return fig
