"""The feature-space map: the pretrained backbone's panel beside the random network's, one
trace per class in each (a class keeps its colour in both), splits told apart by marker."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.colors import qualitative
from plotly.subplots import make_subplots

from dashboard.i18n import N_, _
from dashboard.text import chart_texts

SYMBOLS = {"train": "circle", "val": "diamond", "test": "square"}
SPLITS = {"train": N_("train"), "val": N_("val"), "test": N_("test")}  # shown in the hover


def map_figure(
    panels: dict[str, np.ndarray],
    labels: np.ndarray,
    classes: list[str],
    splits: list[str],
    names: list[str],
) -> go.Figure:
    """`panels`: title -> (n, 2) points of the same n images (labels, splits, names per image);
    the titles are English (N_) and shown translated."""
    titles = chart_texts(_(title) for title in panels)
    fig = make_subplots(rows=1, cols=len(panels), subplot_titles=titles)
    palette = qualitative.Plotly + qualitative.D3
    symbols = [SYMBOLS.get(s, "circle") for s in splits]
    split_words = [_(SPLITS[s]) if s in SPLITS else s for s in splits]
    names = chart_texts(names)  # uploaded file and class names: plain text, not plotly HTML
    for col, points in enumerate(panels.values(), start=1):
        for c, cls in enumerate(chart_texts(classes)):
            rows = np.flatnonzero(labels == c)
            fig.add_trace(
                go.Scatter(
                    x=points[rows, 0],
                    y=points[rows, 1],
                    mode="markers",
                    name=cls,
                    legendgroup=cls,
                    showlegend=col == 1,
                    marker={
                        "color": palette[c % len(palette)],
                        "size": 7,
                        "symbol": [symbols[i] for i in rows],
                        "line": {"width": 0},
                    },
                    customdata=rows,
                    text=[f"{names[i]} · {cls} · {split_words[i]}" for i in rows],
                    hovertemplate="%{text}<extra></extra>",
                ),
                row=1,
                col=col,
            )
    fig.update_xaxes(showticklabels=False)
    fig.update_yaxes(showticklabels=False)
    fig.update_layout(
        height=480, margin={"t": 40, "b": 10, "l": 10, "r": 10}, legend_title=_("class")
    )
    return fig


def separation(points: np.ndarray, labels: np.ndarray) -> float:
    """How well a panel's classes separate, in [-1, 1]: the silhouette of its 2-D points
    (a number beside the picture, so pretrained vs random can be compared at a glance)."""
    from sklearn.metrics import silhouette_score

    if len(np.unique(labels)) < 2 or len(labels) < 3:
        return 0.0
    return float(silhouette_score(points, labels))
