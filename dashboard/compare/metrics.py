"""Comparing runs: pure functions over per-epoch histories (TensorBoard scalar plugin style).

A history is a list of epoch rows as the run store returns them:
{"epoch", "loss", "acc", "val_loss", "val_acc", "seconds", "images_seen"}.
"""

from __future__ import annotations

import csv
import io
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from dashboard import significance
from models.strategies import Strategy

X_AXES = {"epoch": "epoch", "images seen": "images_seen", "wall-clock seconds": "elapsed"}


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
    """One row per run: best/final val accuracy, epochs and seconds to `target`, speed-up."""
    reach = {r.id: to_target(histories[r.id], target) for r in runs}
    base_epochs, base_seconds = reach.get(baseline_id, (None, None))
    rows = []
    for run in runs:
        h = histories[run.id]
        epochs, seconds = reach[run.id]
        vals = [row["val_acc"] for row in h if row["val_acc"] is not None]
        rows.append(
            {
                "run": run.name,
                "id": run.id,
                "best val acc": max(vals) if vals else None,
                "final val acc": vals[-1] if vals else None,
                "epochs to target": epochs,
                "seconds to target": round(seconds, 2) if seconds is not None else None,
                "speed-up (epochs)": _ratio(base_epochs, epochs),
                "speed-up (seconds)": _ratio(base_seconds, seconds),
            }
        )
    return rows


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


@dataclass(frozen=True)
class Spread:
    mean: float
    std: float
    n: int  # seed pairs that both reached the target

    def __str__(self) -> str:
        return f"{self.mean:.1f}× ± {self.std:.1f}" if self.n > 1 else f"{self.mean:.1f}×"


@dataclass(frozen=True)
class HeadToHead:
    """He et al.'s figure 4 for one pretrained and one scratch seed group."""

    target: float
    scratch_best: float  # best of scratch's mean curve over seeds
    pretrained_best: float
    speedup_epochs: Spread | None  # None: scratch did not learn, or no pair reached the target
    speedup_seconds: Spread | None
    reached: tuple[int, int]  # pretrained, scratch seeds that reached the target
    scratch_learnt: bool
    caught_up: bool
    message: str


def _spread(ratios: list[float]) -> Spread | None:
    if not ratios:
        return None
    mean = sum(ratios) / len(ratios)
    std = math.sqrt(sum((r - mean) ** 2 for r in ratios) / len(ratios))
    return Spread(mean, std, len(ratios))


def _by_seed(runs: Sequence) -> list:
    return sorted(runs, key=lambda r: r.config.get("seed", 0))


def _best_of_mean(histories: Sequence[list[dict]]) -> float:
    band = mean_std_band(histories, "val_acc")
    return max(band.mean, default=0.0)


def _final_mean(histories: Sequence[list[dict]]) -> float:
    finals = [
        next((r["val_acc"] for r in reversed(h) if r["val_acc"] is not None), 0.0)
        for h in histories
    ]
    return sum(finals) / len(finals) if finals else 0.0


def head_to_head(
    pretrained: Sequence,
    scratch: Sequence,
    histories: dict[str, list[dict]],
    n_val: int,
    prior: float,
    fraction: float = 0.9,
) -> HeadToHead:
    """Speed-up of pretrained over scratch to `fraction` of scratch's best (mean curve).

    Seeds are paired in seed order; each pair's speed-up is scratch's epochs (seconds) to the
    target over pretrained's, and the spread is over pairs. When scratch never rose clearly
    above the class prior (significance.learnt), there is no speed-up to show.
    """
    pre = [histories[r.id] for r in _by_seed(pretrained)]
    scr = [histories[r.id] for r in _by_seed(scratch)]
    scratch_best, pretrained_best = _best_of_mean(scr), _best_of_mean(pre)
    target = fraction * scratch_best
    learnt = significance.learnt(scratch_best, prior, n_val)
    pre_final, scr_final = _final_mean(pre), _final_mean(scr)
    caught_up = scr_final >= pre_final - significance.resolution(pre_final, n_val)
    epochs, seconds, reached = [], [], [0, 0]
    for p, s in zip(pre, scr, strict=False):
        (pe, ps), (se, ss) = to_target(p, target), to_target(s, target)
        reached[0] += pe is not None
        reached[1] += se is not None
        if learnt and None not in (pe, se):
            epochs.append(se / pe)
            seconds.append(ss / ps if ps else math.inf)
    speed_e, speed_s = _spread(epochs), _spread(seconds)
    if not learnt:
        message = (
            f"Scratch never rose above the class prior: its best mean validation accuracy "
            f"{scratch_best:.1%} is within two standard errors of always answering the commonest "
            f"class ({prior:.1%}; above {significance.learnt_threshold(prior, n_val):.1%} counts "
            f"with {n_val} validation images). There is no speed-up to measure: train it longer, "
            "or find its learning rate on the Train page."
        )
    elif speed_e is None:
        message = f"No seed pair reached the target {target:.1%} on both sides yet."
    else:
        message = (
            f"Pretrained reached {target:.1%} ({fraction:.0%} of scratch's best, "
            f"{scratch_best:.1%}) {speed_e} sooner in epochs and {speed_s} sooner in seconds "
            f"({speed_e.n} seed pair{'s' if speed_e.n > 1 else ''}). "
        )
        message += (
            f"By the last epoch scratch had caught up ({scr_final:.1%} vs {pre_final:.1%}, within "
            f"what {n_val} validation images resolve)."
            if caught_up
            else "By the last epoch scratch had not caught up "
            f"({scr_final:.1%} vs {pre_final:.1%})."
        )
    return HeadToHead(
        target,
        scratch_best,
        pretrained_best,
        speed_e,
        speed_s,
        tuple(reached),
        learnt,
        caught_up,
        message,
    )


def pretrained_vs_scratch_groups(runs: Sequence) -> tuple[list, list] | None:
    """The first pretrained seed group and the first scratch seed group on one dataset."""
    groups = list(seed_groups(runs).values())
    scratch = next((g for g in groups if g[0].strategy == Strategy.SCRATCH), None)
    if scratch is None:
        return None
    pretrained = [
        g
        for g in groups
        if g[0].strategy != Strategy.SCRATCH and g[0].dataset_id == scratch[0].dataset_id
    ]
    preferred = [g for g in pretrained if g[0].strategy == Strategy.FULL_FINETUNE] or pretrained
    return (preferred[0], scratch) if preferred else None
