"""Plotly figures of one run: its curves, its confusion matrix, the learning-rate range test."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from dashboard.datasets import charts as dataset_charts
from dashboard.i18n import _
from dashboard.text import chart_text, chart_texts

COLOURS = dataset_charts.SPLIT_COLOURS  # train and validation look the same on every page


def training_curves(epochs: list[dict], title: str | None = None) -> go.Figure:
    """Train/val accuracy (left axis) and loss (right axis) of one run."""
    from plotly.subplots import make_subplots

    title = _("Accuracy and loss per epoch") if title is None else title
    fig = make_subplots(rows=1, cols=2, subplot_titles=(_("accuracy"), _("loss")))
    x = [e["epoch"] for e in epochs]
    names = {
        "acc": _("train acc"),
        "val_acc": _("validation acc"),
        "loss": _("train loss"),
        "val_loss": _("validation loss"),
    }
    for col, metric in ((1, "acc"), (2, "loss")):
        for split, dash in (("", "dot"), ("val_", "solid")):
            key = f"{split}{metric}"
            fig.add_trace(
                go.Scatter(
                    x=x,
                    y=[e[key] for e in epochs],
                    mode="lines+markers",
                    name=names[key],
                    line=dict(dash=dash, color=COLOURS["val" if split else "train"]),
                ),
                row=1,
                col=col,
            )
    fig.update_layout(height=320, title=chart_text(title), margin=dict(l=10, r=10, t=60, b=10))
    fig.update_xaxes(title_text=_("epoch"))
    return fig


def confusion_heatmap(matrix: list[list[int]], classes: list[str]) -> go.Figure:
    labels = chart_texts(classes)  # class names are uploaded: plain text, not plotly HTML
    true, predicted = _("true"), _("predicted")
    fig = go.Figure(
        go.Heatmap(
            z=matrix,
            x=labels,
            y=labels,
            colorscale="Blues",
            text=matrix,
            texttemplate="%{text}",
            hovertemplate=f"{true} %{{y}}<br>{predicted} %{{x}}: %{{z}}<extra></extra>",
        )
    )
    fig.update_layout(
        title=_("Confusion matrix (validation)"),
        height=360,
        xaxis_title=predicted,
        yaxis=dict(title=true, autorange="reversed"),
        margin=dict(l=10, r=10, t=40, b=10),
    )
    return fig


def lr_range_curve(rates: Sequence[float], losses: Sequence[float], suggestion: float) -> go.Figure:
    """The learning-rate range test: smoothed loss against a log learning-rate axis."""
    fig = go.Figure(go.Scatter(x=list(rates), y=list(losses), mode="lines", name=_("loss")))
    fig.add_vline(x=suggestion, line=dict(color="#e4572e", dash="dash"))
    fig.add_annotation(
        x=np.log10(suggestion),
        y=1,
        yref="paper",
        text=_("suggested {rate}").format(rate=f"{suggestion:.2g}"),
        showarrow=False,
        xanchor="left",
        font=dict(color="#e4572e"),
    )
    low, high = min(losses), losses[0]
    fig.update_layout(
        title=_("Learning-rate range test: loss falls fastest at the suggestion"),
        xaxis=dict(type="log", title=_("learning rate")),
        yaxis=dict(title=_("training loss (smoothed)"), range=[low * 0.9, max(high, low) * 1.6]),
        height=320,
        margin=dict(l=10, r=10, t=40, b=10),
    )
    return fig
