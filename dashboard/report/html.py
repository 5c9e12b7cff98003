"""The report's HTML: plain markup and inline styles, the figures as plotly divs, and plotly's
JavaScript inlined once, so the file needs no network and no server."""

from __future__ import annotations

import html
import time
from collections.abc import Sequence

import plotly.graph_objects as go
import plotly.io as pio

from dashboard import advisor, compare, datasets, i18n, runs, training
from dashboard.compare import charts as compare_charts
from dashboard.i18n import N_, _, percent
from dashboard.settings import Settings

# Korean fonts before the generic family, so that a report in Korean reads on any system.
STYLE = """
body{font-family:system-ui,"Noto Sans CJK KR","Noto Sans KR",sans-serif}
body{max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
h1{margin-bottom:0}.sub{color:#666;margin-top:.2em}table{border-collapse:collapse;margin:.5em 0}
td,th{border:1px solid #ddd;padding:.3em .6em;text-align:left}th{background:#f5f5f5}
.metrics{display:flex;gap:2em}.metric b{display:block;font-size:1.6em}
"""

# The advisor's verdict, one sentence per quadrant (size, verdict): N_, shown through _().
VERDICTS = {
    ("small", "similar"): N_(
        "small, similar to ImageNet (similarity {similarity}): recommended strategy {strategy}."
    ),
    ("large", "similar"): N_(
        "large, similar to ImageNet (similarity {similarity}): recommended strategy {strategy}."
    ),
    ("large", "different"): N_(
        "large, different to ImageNet (similarity {similarity}): recommended strategy {strategy}."
    ),
    ("small", "different"): N_(
        "small, different to ImageNet (similarity {similarity}): recommended strategy {strategy}."
    ),
}


def _page(title: str, subtitle: str, parts: list[str]) -> str:
    made = _("made {time} by Transfer Learning Lab").format(time=time.strftime("%Y-%m-%d %H:%M"))
    return (
        f"<!doctype html><html lang='{i18n.language()}'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title>"
        f"<style>{STYLE}</style>{_plotly_js()}</head><body><h1>{html.escape(title)}</h1>"
        f"<p class='sub'>{html.escape(subtitle)} · {html.escape(made)}</p>"
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
        {
            _("class"): c,
            _("images"): n,
            **{datasets.split_text(s): summary.counts.get(c, {}).get(s, 0) for s in splits},
        }
        for c, n in ((c, sum(summary.counts.get(c, {}).values())) for c in manifest.classes)
    ]
    heading = html.escape(_("Data: {name}")).format(name=html.escape(manifest.name))
    return f"<h2>{heading}</h2>" + _table(rows)


def _advice(settings: Settings, manifest: datasets.Manifest, backbone: str) -> str:
    advice = advisor.stored(settings, manifest.id, backbone)
    heading = _heading(_("Advisor"))
    if advice is None:
        return heading + "<p>" + html.escape(_("Not measured for this backbone.")) + "</p>"
    references = advisor.all_stored(settings, backbone)
    verdict = html.escape(_(VERDICTS[(advice.size, advice.verdict)])).format(
        similarity=f"{advice.similarity:.2f}",
        strategy=f"<b>{html.escape(advice.strategy)}</b>",
    )
    verdict += f" {html.escape(advice.reason)}"  # the advisor's, in the language of the moment
    chart = _figure(advisor.charts.quadrant_chart(advice, references))
    return f"{heading}<p>{verdict}</p>{chart}"


def run_report(settings: Settings, run_id: str) -> str:
    """One finished run, for people who will not open the app."""
    store = runs.open_runs(settings)  # reads rows: no trainer, no threads
    run = store.get(run_id)
    manifest = datasets.get(settings, run.dataset_id)
    r = run.results
    metrics = {_("Validation accuracy"): _pct(r.val.accuracy if r else None)}
    metrics[_("Best epoch")] = _pct(r.best_val_acc if r else None)
    if r and r.test:
        metrics[_("Test accuracy")] = _pct(r.test.accuracy)
    parts = [_metrics(metrics), _heading(_("Training curves"))]
    parts.append(_figure(training.charts.training_curves(store.epochs([run.id])[run.id])))
    if r:
        parts.append(_heading(_("Validation: confusion matrix and per class")))
        parts.append(_figure(training.charts.confusion_heatmap(r.val.confusion, r.classes)))
        parts.append(_table([_per_class_row(row.row()) for row in r.val.per_class]))
    parts += [_advice(settings, manifest, run.backbone), _data_summary(manifest)]
    if r:
        parts += [_heading(_("Model card")), _table(_card_rows(settings, run))]
    parts += [
        _heading(_("Settings")),
        _table([{_("setting"): k, _("value"): v} for k, v in run.config.items()]),
    ]
    subtitle = _("run {id} · {status} · {backbone} · {strategy}").format(
        id=run.id, status=runs.status_text(run.status), backbone=run.backbone, strategy=run.strategy
    )
    return _page(
        _("{run} on {dataset}").format(run=run.name, dataset=manifest.name), subtitle, parts
    )


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
            "status": runs.status_text(r.status),
            "best val acc": r.best_val_acc if r.best_val_acc is not None else "—",
            "final val acc": r.final_val_acc if r.final_val_acc is not None else "—",
        }
        for r in chosen
    ]
    parts = [
        _heading(_("Validation accuracy by epoch")),
        _figure(compare_charts.curves(chosen, histories, "val_acc")),
        _heading(_("Runs")),
        _table(compare.headed(rows)),
    ]
    if summary:
        parts += [_heading(_("Summary")), _table(compare.headed(summary))]
    return _page(_("Comparison"), _("{n} runs").format(n=len(chosen)), parts)


def _card_rows(settings: Settings, run: runs.Run) -> list[dict]:
    """The model card every export carries (model_card.json), as people read it."""
    try:
        card = training.model_card.model_card(settings, run)
    except ValueError as exc:  # a damaged or forged record: said, not raised
        return [{_("field"): _("Model card"), _("value"): str(exc)}]
    c = card.input
    rows = {
        _("classes (output order)"): ", ".join(card.classes),
        _("input"): _(
            "{height}×{width} {order}, {dtype} {low:g}–{high:g} (raw pixels, {layout}); "
            "the preprocessing is inside the model"
        ).format(
            height=c.height,
            width=c.width,
            order=c.channel_order,
            dtype=c.dtype,
            low=c.value_range[0],
            high=c.value_range[1],
            layout=c.layout,
        ),
    }
    for f in card.figures:
        rows[_(f.name)] = _("{value} (95% interval {low}–{high} on {n} images, Wilson)").format(
            value=percent(f.value), low=percent(f.low), high=percent(f.high), n=f.images
        )
    rows[_("dataset version")] = f"{card.dataset.name} ({card.dataset.id})"
    calibration = run.results.calibration
    rows[_("an image of none of the classes")] = training.model_card.unknown_sentence(calibration)
    if calibration is not None:
        rows[_("calibration")] = training.model_card.calibration_sentence(calibration)
    return [{_("field"): k, _("value"): v} for k, v in rows.items()]


def _heading(text: str) -> str:
    return f"<h2>{html.escape(text)}</h2>"


def _per_class_row(row: dict) -> dict:
    """A per-class row (`ClassScores.row`) with its columns named for the reader."""
    headers = {
        "class": _("class"),
        "precision": _("precision"),
        "recall": _("recall"),
        "support": _("support"),
    }
    return {headers.get(k, k): v for k, v in row.items()}


def _pct(value) -> str:
    return "—" if value is None else percent(value)
