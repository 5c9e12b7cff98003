"""Plotly figures and pictures for the Explore page: top-5, maps over the image, the catalog,
filter mosaics."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

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
            text=[f"{s:.1%}" for s in scores],
            textposition="auto",
            marker_color="#e4572e",
        )
    )
    fig.update_layout(
        height=260,
        margin=dict(l=10, r=10, t=30, b=10),
        xaxis=dict(range=[0, 1], tickformat=".0%", title="probability"),
        title="Top-5 ImageNet classes",
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


def catalog_scatter(backbones: Sequence[Backbone]) -> go.Figure:
    """ImageNet accuracy against size for the catalog, with the human top-5 level marked."""
    fig = go.Figure()
    for metric, symbol in (("top1", "circle"), ("top5", "circle-open")):
        rows = [b for b in backbones if getattr(b, metric) is not None]
        fig.add_trace(
            go.Scatter(
                x=[b.params / 1e6 for b in rows],
                y=[getattr(b, metric) for b in rows],
                mode="markers",
                name=f"{metric[:3]}-{metric[3]} accuracy",
                text=[f"{b.label} ({b.year})" for b in rows],
                hovertemplate="%{text}<br>%{x:.1f}M params<br>%{y:.1f}%<extra></extra>",
                marker=dict(
                    symbol=symbol,
                    size=10,
                    color=[b.year for b in rows],
                    colorscale="Viridis",
                    showscale=metric == "top1",
                    colorbar=dict(title="year"),
                ),
            )
        )
    human = 100 - HUMAN_TOP5_ERROR
    fig.add_hline(
        y=human,
        line_dash="dash",
        annotation_text=f"human top-5 ({HUMAN_TOP5_ERROR}% error, Russakovsky et al. 2015)",
        annotation_position="bottom right",
    )
    fig.update_layout(
        height=460,
        xaxis=dict(type="log", title="parameters (millions, log scale)"),
        yaxis=dict(title="ImageNet accuracy (%)"),
        legend=dict(orientation="h", y=-0.2),
        margin=dict(l=10, r=10, t=30, b=10),
        title="Keras applications: accuracy vs size",
    )
    return fig


def tile_grid(tiles: np.ndarray, columns: int = 8, pad: int = 1, scale: int = 8) -> np.ndarray:
    """(n, h, w, 3) tiles in [0, 1] -> one RGB uint8 mosaic, each tile enlarged `scale` times."""
    n, h, w, _ = tiles.shape
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
