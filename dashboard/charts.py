"""Plotly figures and small image helpers. Pure functions: data in, figure or array out."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from dashboard.images import resize_map
from models.catalog import HUMAN_TOP5_ERROR, Backbone
from models.imagenet import Prediction

# Viridis at 6 anchors; enough for maps shown a few hundred pixels wide.
_VIRIDIS = np.array(
    [[68, 1, 84], [65, 68, 135], [42, 120, 142], [34, 168, 132], [122, 209, 81], [253, 231, 37]],
    dtype="float32",
)


def colorize(values01: np.ndarray) -> np.ndarray:
    """A [0, 1] map as viridis RGB uint8."""
    v = np.clip(np.asarray(values01, dtype="float32"), 0, 1) * (len(_VIRIDIS) - 1)
    lo = np.floor(v).astype(int)
    hi = np.minimum(lo + 1, len(_VIRIDIS) - 1)
    t = (v - lo)[..., None]
    return (_VIRIDIS[lo] * (1 - t) + _VIRIDIS[hi] * t).astype("uint8")


def overlay(rgb: np.ndarray, values01: np.ndarray, alpha: float = 0.5) -> np.ndarray:
    """A coarse [0, 1] map upsampled to the image and blended over it."""
    heat = colorize(np.clip(resize_map(values01, rgb.shape[:2]), 0, 1))
    return (rgb.astype("float32") * (1 - alpha) + heat * alpha).astype("uint8")


def top5_bar(predictions: Sequence[Prediction]) -> go.Figure:
    names = [p.name.replace("_", " ") for p in predictions][::-1]
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
        title=title,
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


SPLIT_COLOURS = {"train": "#e4572e", "val": "#29335c", "test": "#f3a712"}


def class_counts_bar(counts: dict[str, dict[str, int]]) -> go.Figure:
    """Images per class, stacked by split."""
    classes = list(counts)
    fig = go.Figure()
    for split, colour in SPLIT_COLOURS.items():
        values = [counts[c].get(split, 0) for c in classes]
        if any(values):
            fig.add_trace(go.Bar(x=classes, y=values, name=split, marker_color=colour))
    fig.update_layout(
        barmode="stack",
        title="Images per class",
        height=320,
        margin=dict(l=10, r=10, t=40, b=10),
        yaxis_title="images",
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
            text=[f"{n} image(s)" for n in counts],
            marker=dict(size=[8 + 30 * (n / biggest) ** 0.5 for n in counts], color="#29335c"),
            hovertemplate="%{x}×%{y} px<br>%{text}<extra></extra>",
        )
    )
    fig.update_layout(
        title="Image sizes",
        height=320,
        margin=dict(l=10, r=10, t=40, b=10),
        xaxis_title="width (px)",
        yaxis_title="height (px)",
    )
    return fig


def training_curves(epochs: list[dict], title: str = "Accuracy and loss per epoch") -> go.Figure:
    """Train/val accuracy (left axis) and loss (right axis) of one run."""
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=1, cols=2, subplot_titles=("accuracy", "loss"))
    x = [e["epoch"] for e in epochs]
    for col, metric in ((1, "acc"), (2, "loss")):
        for split, dash in (("", "dot"), ("val_", "solid")):
            key = f"{split}{metric}"
            fig.add_trace(
                go.Scatter(
                    x=x, y=[e[key] for e in epochs], mode="lines+markers",
                    name=f"{'validation' if split else 'train'} {metric}",
                    line=dict(dash=dash, color=SPLIT_COLOURS["val" if split else "train"]),
                ),
                row=1, col=col,
            )  # fmt: skip
    fig.update_layout(height=320, title=title, margin=dict(l=10, r=10, t=60, b=10))
    fig.update_xaxes(title_text="epoch")
    return fig


def confusion_heatmap(matrix: list[list[int]], classes: list[str]) -> go.Figure:
    fig = go.Figure(
        go.Heatmap(
            z=matrix, x=classes, y=classes, colorscale="Blues", text=matrix,
            texttemplate="%{text}",
            hovertemplate="true %{y}<br>predicted %{x}: %{z}<extra></extra>",
        )
    )  # fmt: skip
    fig.update_layout(
        title="Confusion matrix (validation)",
        height=360,
        xaxis_title="predicted",
        yaxis=dict(title="true", autorange="reversed"),
        margin=dict(l=10, r=10, t=40, b=10),
    )
    return fig


def lr_range_curve(rates: Sequence[float], losses: Sequence[float], suggestion: float) -> go.Figure:
    """The learning-rate range test: smoothed loss against a log learning-rate axis."""
    fig = go.Figure(go.Scatter(x=list(rates), y=list(losses), mode="lines", name="loss"))
    fig.add_vline(x=suggestion, line=dict(color="#e4572e", dash="dash"))
    fig.add_annotation(
        x=np.log10(suggestion), y=1, yref="paper", text=f"suggested {suggestion:.2g}",
        showarrow=False, xanchor="left", font=dict(color="#e4572e"),
    )  # fmt: skip
    low, high = min(losses), losses[0]
    fig.update_layout(
        title="Learning-rate range test: loss falls fastest at the suggestion",
        xaxis=dict(type="log", title="learning rate"),
        yaxis=dict(title="training loss (smoothed)", range=[low * 0.9, max(high, low) * 1.6]),
        height=320,
        margin=dict(l=10, r=10, t=40, b=10),
    )
    return fig
