"""The report's HTML: plain markup and inline styles, the figures as plotly divs, and plotly's
JavaScript inlined once, so the file needs no network and no server."""

from __future__ import annotations

import html
import time
from collections.abc import Sequence

import plotly.graph_objects as go
import plotly.io as pio

from dashboard import advisor, datasets, runs, training
from dashboard.compare import charts as compare_charts
from dashboard.settings import Settings

STYLE = """
body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
h1{margin-bottom:0}.sub{color:#666;margin-top:.2em}table{border-collapse:collapse;margin:.5em 0}
td,th{border:1px solid #ddd;padding:.3em .6em;text-align:left}th{background:#f5f5f5}
.metrics{display:flex;gap:2em}.metric b{display:block;font-size:1.6em}
"""


def _page(title: str, subtitle: str, parts: list[str]) -> str:
    made = time.strftime("%Y-%m-%d %H:%M")
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{STYLE}</style>{_plotly_js()}</head><body><h1>{html.escape(title)}</h1>"
        f"<p class='sub'>{html.escape(subtitle)} · made {made} by Transfer Learning Lab</p>"
        + "".join(parts)
        + "</body></html>"
    )


def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return f"<script>{get_plotlyjs()}</script>"


def _figure(fig: go.Figure) -> str:
    return pio.to_html(fig, include_plotlyjs=False, full_html=False)


def _table(rows: Sequence[dict]) -> str:
    if not rows:
        return "<p>—</p>"
    head = "".join(f"<th>{html.escape(str(k))}</th>" for k in rows[0])
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_cell(v))}</td>" for v in r.values()) + "</tr>"
        for r in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def _cell(value) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def _metrics(pairs: dict[str, str]) -> str:
    items = "".join(
        f"<div class='metric'>{html.escape(k)}<b>{html.escape(v)}</b></div>"
        for k, v in pairs.items()
    )
    return f"<div class='metrics'>{items}</div>"


def _data_summary(manifest: datasets.Manifest) -> str:
    summary = datasets.summarize(manifest)
    splits = summary.split_totals()
    rows = [
        {"class": c, "images": n, **{s: summary.counts.get(c, {}).get(s, 0) for s in splits}}
        for c, n in ((c, sum(summary.counts.get(c, {}).values())) for c in manifest.classes)
    ]
    return f"<h2>Data: {html.escape(manifest.name)}</h2>" + _table(rows)


def _advice(settings: Settings, manifest: datasets.Manifest, backbone: str) -> str:
    advice = advisor.stored(settings, manifest.id, backbone)
    if advice is None:
        return "<h2>Advisor</h2><p>Not measured for this backbone.</p>"
    references = advisor.all_stored(settings, backbone)
    verdict = (
        f"{advice.size}, {advice.verdict} to ImageNet (similarity {advice.similarity:.2f}): "
        f"recommended strategy <b>{html.escape(advice.strategy)}</b>. "
        f"{html.escape(advice.reason)}"
    )
    chart = _figure(advisor.charts.quadrant_chart(advice, references))
    return f"<h2>Advisor</h2><p>{verdict}</p>{chart}"


def run_report(settings: Settings, run_id: str) -> str:
    """One finished run, for people who will not open the app."""
    store = runs.open_runs(settings)  # reads rows: no trainer, no threads
    run = store.get(run_id)
    manifest = datasets.get(settings, run.dataset_id)
    r = run.results
    metrics = {"Validation accuracy": _pct(r.val.accuracy if r else None)}
    metrics["Best epoch"] = _pct(r.best_val_acc if r else None)
    if r and r.test:
        metrics["Test accuracy"] = _pct(r.test.accuracy)
    parts = [_metrics(metrics), "<h2>Training curves</h2>"]
    parts.append(_figure(training.charts.training_curves(store.epochs([run.id])[run.id])))
    if r:
        parts.append("<h2>Validation: confusion matrix and per class</h2>")
        parts.append(_figure(training.charts.confusion_heatmap(r.val.confusion, r.classes)))
        parts.append(_table([row.row() for row in r.val.per_class]))
    parts += [_advice(settings, manifest, run.backbone), _data_summary(manifest)]
    parts += [
        "<h2>Settings</h2>",
        _table([{"setting": k, "value": v} for k, v in run.config.items()]),
    ]
    subtitle = f"run {run.id} · {run.status} · {run.backbone} · {run.strategy}"
    return _page(f"{run.name} on {manifest.name}", subtitle, parts)


def comparison_report(
    settings: Settings, run_ids: Sequence[str], summary: Sequence[dict] = ()
) -> str:
    """Runs side by side: their validation curves, final figures and (as the Compare page
    shows it) the summary with the speed-up against a baseline."""
    store = runs.open_runs(settings)
    chosen = [store.get(i) for i in run_ids]
    histories = store.epochs([r.id for r in chosen])
    rows = [
        {
            "run": r.name,
            "dataset": r.dataset_name,
            "backbone": r.backbone,
            "strategy": r.strategy,
            "status": str(r.status),
            "best val acc": r.best_val_acc if r.best_val_acc is not None else "—",
            "final val acc": r.final_val_acc if r.final_val_acc is not None else "—",
        }
        for r in chosen
    ]
    parts = [
        "<h2>Validation accuracy by epoch</h2>",
        _figure(compare_charts.curves(chosen, histories, "val_acc")),
        "<h2>Runs</h2>",
        _table(rows),
    ]
    if summary:
        parts += ["<h2>Summary</h2>", _table(list(summary))]
    return _page("Comparison", f"{len(chosen)} runs", parts)


def _pct(value) -> str:
    return "—" if value is None else f"{value:.1%}"
