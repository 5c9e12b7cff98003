"""Plotly figures of one run: its curves, its confusion matrix, its precision-recall curves and
reliability, the learning-rate range test."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from dashboard.datasets import charts as dataset_charts
from dashboard.i18n import _
from dashboard.text import chart_text, chart_texts
from dashboard.training import evaluation

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


def confusion_heatmap(
    matrix: list[list[int]],
    classes: list[str],
    clickable: bool = False,
    columns: list[str] | None = None,
    title: str | None = None,
) -> go.Figure:
    """The confusion matrix. `clickable`: each cell carries its (true, predicted) class
    indices as customdata on an invisible marker at its centre, which is what a click selects
    (a plotly heatmap reports no click as a selection); `clicked_cell` reads it back.
    `columns`: the predicted side's names where they are not the classes (a batch's adds
    "none of these")."""
    labels = chart_texts(classes)  # class names are uploaded: plain text, not plotly HTML
    true, predicted = _("true"), _("predicted")
    fig = go.Figure(
        go.Heatmap(
            z=matrix,
            x=chart_texts(columns) if columns else labels,
            y=labels,
            colorscale="Blues",
            text=matrix,
            texttemplate="%{text}",
            hovertemplate=f"{true} %{{y}}<br>{predicted} %{{x}}: %{{z}}<extra></extra>",
        )
    )
    title = title or _("Confusion matrix (validation)")
    if clickable:
        _click_targets(fig, matrix, labels)
        title = _("Confusion matrix (validation): click a cell to see its images")
    fig.update_layout(
        title=title,
        height=360,
        xaxis_title=predicted,
        yaxis=dict(title=true, autorange="reversed"),
        margin=dict(l=10, r=10, t=40, b=10),
    )
    return fig


def _click_targets(fig: go.Figure, matrix: list[list[int]], labels: list[str]) -> None:
    true, predicted = _("true"), _("predicted")
    fig.update_traces(hoverinfo="skip", hovertemplate=None)  # the markers say it instead
    n = len(labels)
    cells = [(i, j) for i in range(n) for j in range(n)]
    fig.add_trace(
        go.Scatter(
            x=[labels[j] for _i, j in cells],
            y=[labels[i] for i, _j in cells],
            customdata=[[i, j] for i, j in cells],
            text=[str(matrix[i][j]) if i < len(matrix) else "" for i, j in cells],
            mode="markers",
            marker=dict(size=max(12, 240 // max(n, 1)), symbol="square", opacity=0),
            hovertemplate=f"{true} %{{y}}<br>{predicted} %{{x}}: %{{text}}<extra></extra>",
            showlegend=False,
        )
    )
    fig.update_layout(clickmode="event+select")


def clicked_cell(selection, n_classes: int) -> tuple[int, int] | None:
    """The (true, predicted) indices of the cell a plotly selection event picked, or None.
    The event comes from the browser: anything but two indices in range is no cell."""
    try:
        points = selection["selection"]["points"]
        true, predicted = (int(v) for v in points[0]["customdata"])
    except (KeyError, IndexError, TypeError, ValueError, AttributeError):
        return None
    if 0 <= true < n_classes and 0 <= predicted < n_classes:
        return true, predicted
    return None


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


def reliability_chart(found: evaluation.Reliability) -> go.Figure:
    """Accuracy against confidence per bin; the diagonal is a calibrated model."""
    mids = [(b.low + b.high) / 2 for b in found.bins]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name=_("calibrated"), line=dict(dash="dot"))
    )
    fig.add_trace(
        go.Bar(
            x=mids,
            y=[b.accuracy for b in found.bins],
            width=[b.high - b.low for b in found.bins],
            customdata=[[b.count, b.confidence] for b in found.bins],
            name=_("accuracy"),
            hovertemplate=_("{n} images, mean confidence {confidence}, accuracy {accuracy}").format(
                n="%{customdata[0]}", confidence="%{customdata[1]:.2f}", accuracy="%{y:.2f}"
            )
            + "<extra></extra>",
            opacity=0.7,
        )
    )
    title = _("Reliability (validation): expected calibration error {ece}")
    fig.update_layout(
        title=title.format(ece=f"{found.expected_error:.3f}"),
        height=320,
        xaxis=dict(title=_("confidence (top probability)"), range=[0, 1]),
        yaxis=dict(title=_("accuracy"), range=[0, 1]),
        margin=dict(l=10, r=10, t=40, b=10),
    )
    return fig


def precision_recall_chart(curves: Sequence[evaluation.PrecisionRecall]) -> go.Figure:
    """One precision-recall curve per class (one class against the rest)."""
    fig = go.Figure()
    for curve in curves:
        name = f"{chart_text(curve.cls)} (AP {curve.average_precision:.2f})"
        fig.add_trace(
            go.Scatter(x=curve.recall, y=curve.precision, mode="lines", name=name, line_shape="hv")
        )
    fig.update_layout(
        title=_("Precision-recall per class (validation)"),
        height=320,
        xaxis=dict(title=_("recall"), range=[0, 1.02]),
        yaxis=dict(title=_("precision"), range=[0, 1.02]),
        margin=dict(l=10, r=10, t=40, b=10),
    )
    return fig
