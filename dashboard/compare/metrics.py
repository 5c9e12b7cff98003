"""Comparing runs: pure functions over per-epoch histories (TensorBoard scalar plugin style).

A history is a list of epoch rows as the run store returns them:
{"epoch", "loss", "acc", "val_loss", "val_acc", "seconds", "images_seen"}.
"""

from __future__ import annotations

import csv
import io
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from dashboard.i18n import N_, _
from dashboard.significance import interval_text, overlap, wilson

# The x axes: the key (N_, shown through _()) names the axis, the value is the history's field.
X_AXES = {
    N_("epoch"): "epoch",
    N_("images seen"): "images_seen",
    N_("wall-clock seconds"): "elapsed",
}

# The columns of the Compare page's tables and the report's (row keys, data), as a reader
# reads them: `headed`.
HEADERS = {
    "run": N_("run"),
    "id": N_("id"),
    "dataset": N_("dataset"),
    "backbone": N_("backbone"),
    "strategy": N_("strategy"),
    "epochs": N_("epochs"),
    "lr": N_("lr"),
    "seed": N_("seed"),
    "status": N_("status"),
    "by": N_("by"),
    "best val acc": N_("best val acc"),
    "final val acc": N_("final val acc"),
    "95% interval": N_("95% interval"),
    "against the best": N_("against the best"),
    "seconds": N_("seconds"),
    "epochs to target": N_("epochs to target"),
    "seconds to target": N_("seconds to target"),
    "speed-up (epochs)": N_("speed-up (epochs)"),
    "speed-up (seconds)": N_("speed-up (seconds)"),
}


def headed(rows: Iterable[dict]) -> list[dict]:
    """The rows with their columns named in the reader's language (other keys as they are)."""
    return [{(_(HEADERS[k]) if k in HEADERS else k): v for k, v in row.items()} for row in rows]


def smooth(values: Sequence[float | None], weight: float) -> list[float | None]:
    """Exponential moving average with TensorBoard's debiasing: no pull toward the first value
    (or toward zero); a constant series stays constant. None (a missing value) is kept."""
    if not 0 <= weight < 1:
        raise ValueError("weight must be in [0, 1)")
    out, last, n = [], 0.0, 0
    for v in values:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            out.append(None)
            continue
        n += 1
        last = last * weight + (1 - weight) * v
        out.append(last / (1 - weight**n))
    return out


def with_elapsed(history: list[dict]) -> list[dict]:
    """Each row plus `elapsed`: wall-clock seconds of training up to the end of that epoch."""
    total, out = 0.0, []
    for row in history:
        total += row.get("seconds") or 0.0
        out.append({**row, "elapsed": total})
    return out


@dataclass(frozen=True)
class Band:
    x: list[float]
    mean: list[float]
    std: list[float]
    n: int  # runs in the band


def mean_std_band(histories: Sequence[list[dict]], metric: str, x_key: str = "epoch") -> Band:
    """Mean ± std across runs at each epoch that every run reached (x: the mean x there)."""
    length = min((len(h) for h in histories), default=0)
    xs, means, stds = [], [], []
    for i in range(length):
        values = [h[i][metric] for h in histories if h[i][metric] is not None]
        if not values:
            continue
        mean = sum(values) / len(values)
        var = sum((v - mean) ** 2 for v in values) / len(values)
        xs.append(sum(with_elapsed(h)[i][x_key] for h in histories) / len(histories))
        means.append(mean)
        stds.append(math.sqrt(var))
    return Band(xs, means, stds, len(histories))


def seed_groups(runs: Sequence) -> dict[str, list]:
    """Runs whose settings differ only in the seed, grouped (key: their shared settings)."""
    groups: dict[str, list] = defaultdict(list)
    for run in runs:
        shared = {k: v for k, v in sorted(run.config.items()) if k != "seed"}
        groups[repr(shared)].append(run)
    return dict(groups)


def to_target(history: list[dict], target: float, metric: str = "val_acc"):
    """(epochs, seconds) until `metric` first reaches `target`, or (None, None)."""
    for row in with_elapsed(history):
        if row[metric] is not None and row[metric] >= target:
            return row["epoch"], row["elapsed"]
    return None, None


def default_target(histories: Sequence[list[dict]], fraction: float = 0.9) -> float:
    best = max((r["val_acc"] or 0.0 for h in histories for r in h), default=0.0)
    return fraction * best


def summary_rows(
    runs: Sequence, histories: dict[str, list[dict]], target: float, baseline_id: str | None
) -> list[dict]:
    """One row per run: best/final val accuracy, the final one's 95% Wilson interval on the
    run's validation images and how it stands against the best final (`standing`), epochs and
    seconds to `target`, speed-up."""
    reach = {r.id: to_target(histories[r.id], target) for r in runs}
    base_epochs, base_seconds = reach.get(baseline_id, (None, None))
    vals = {r.id: [e["val_acc"] for e in histories[r.id] if e["val_acc"] is not None] for r in runs}
    finals = {k: v[-1] if v else None for k, v in vals.items()}
    rows = []
    for run in runs:
        epochs, seconds = reach[run.id]
        final, n_val = finals[run.id], validation_images(run)
        rows.append(
            {
                "run": run.name,
                "id": run.id,
                "best val acc": max(vals[run.id], default=None),
                "final val acc": final,
                "95% interval": interval_text(final, n_val)
                if final is not None and n_val
                else None,
                "against the best": standing(run, runs, finals),
                "epochs to target": epochs,
                "seconds to target": round(seconds, 2) if seconds is not None else None,
                "speed-up (epochs)": _ratio(base_epochs, epochs),
                "speed-up (seconds)": _ratio(base_seconds, seconds),
            }
        )
    return rows


def validation_images(run) -> int | None:
    """How many validation images a finished run was scored on (None before its results)."""
    results = getattr(run, "results", None)
    return sum(row.support for row in results.val.per_class) if results else None


def standing(run, runs: Sequence, finals: dict[str, float | None]) -> str | None:
    """ "best", "within noise" of the best, or "below" it: by the 95% Wilson intervals of the
    final validation accuracies (each on its run's own validation images)."""
    scored = [r for r in runs if finals.get(r.id) is not None and validation_images(r)]
    if run not in scored or len(scored) < 2:
        return None
    best = max(scored, key=lambda r: finals[r.id])
    if run.id == best.id:
        return _("best")
    mine = wilson(finals[run.id], validation_images(run))
    theirs = wilson(finals[best.id], validation_images(best))
    return _("within noise") if overlap(mine, theirs) else _("below")


def _ratio(baseline, value):
    if baseline is None or value is None or value == 0:
        return None
    return round(baseline / value, 2)


def metrics_csv(runs: Sequence, histories: dict[str, list[dict]]) -> str:
    """Every epoch of every run, one row each."""
    buf = io.StringIO()
    fields = [
        "run_id",
        "run",
        "strategy",
        "backbone",
        "seed",
        "epoch",
        "phase",
        "loss",
        "acc",
        "val_loss",
        "val_acc",
        "seconds",
        "elapsed",
        "images_seen",
    ]
    writer = csv.DictWriter(buf, fieldnames=fields, extrasaction="ignore")
    writer.writeheader()
    for run in runs:
        for row in with_elapsed(histories[run.id]):
            writer.writerow(
                {
                    **row,
                    "run_id": run.id,
                    "run": run.name,
                    "strategy": run.strategy,
                    "backbone": run.backbone,
                    "seed": run.config.get("seed"),
                }
            )
    return buf.getvalue()
