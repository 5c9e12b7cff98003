"""Pretrained against scratch, head to head (He et al. 2018's figure 4 in numbers): the epochs
each group needs to reach a target, paired by seed, and the sentence that says what they show.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from dashboard import significance
from dashboard.compare.metrics import mean_std_band, seed_groups, to_target
from dashboard.i18n import _, percent
from models.strategies import Strategy


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
    caught_up = scr_final >= pre_final or significance.overlap(
        significance.wilson(scr_final, n_val), significance.wilson(pre_final, n_val)
    )
    epochs, seconds, reached = [], [], [0, 0]
    for p, s in zip(pre, scr, strict=False):
        (pe, ps), (se, ss) = to_target(p, target), to_target(s, target)
        reached[0] += pe is not None
        reached[1] += se is not None
        if learnt and None not in (pe, se):
            epochs.append(se / pe)
            seconds.append(ss / ps if ps else math.inf)
    speed_e, speed_s = _spread(epochs), _spread(seconds)
    message = _verdict(
        learnt,
        speed_e,
        speed_s,
        target=target,
        fraction=fraction,
        scratch_best=scratch_best,
        prior=prior,
        n_val=n_val,
        finals=(scr_final, pre_final),
        caught_up=caught_up,
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


def _verdict(
    learnt: bool,
    speed_e: Spread | None,
    speed_s: Spread | None,
    *,
    target: float,
    fraction: float,
    scratch_best: float,
    prior: float,
    n_val: int,
    finals: tuple[float, float],  # scratch's and pretrained's mean final accuracy
    caught_up: bool,
) -> str:
    """The head-to-head in words, in the language of the moment: made on each call, never
    stored, so a page makes it in its reader's language."""
    if not learnt:
        return _(
            "Scratch never rose above the class prior: its best mean validation accuracy "
            "{best} is within two standard errors of always answering the commonest class "
            "({prior}; above {threshold} counts with {n_val} validation images). There is no "
            "speed-up to measure: train it longer, or find its learning rate on the Train page."
        ).format(
            best=percent(scratch_best),
            prior=percent(prior),
            threshold=percent(significance.learnt_threshold(prior, n_val)),
            n_val=n_val,
        )
    if speed_e is None or speed_s is None:
        return _("No seed pair reached the target {target} on both sides yet.").format(
            target=percent(target)
        )
    pairs = _("1 seed pair") if speed_e.n == 1 else _("{n} seed pairs").format(n=speed_e.n)
    speed = _(
        "Pretrained reached {target} ({fraction} of scratch's best, {best}) {speed_epochs} "
        "sooner in epochs and {speed_seconds} sooner in seconds ({pairs})."
    ).format(
        target=percent(target),
        fraction=percent(fraction, 0),
        best=percent(scratch_best),
        speed_epochs=speed_e,
        speed_seconds=speed_s,
        pairs=pairs,
    )
    if caught_up:
        end = _(
            "By the last epoch scratch had caught up: {scratch} vs {pretrained}, within noise "
            "(their 95% intervals on {n_val} validation images, {scratch_interval} and "
            "{pretrained_interval}, overlap)."
        )
    else:
        end = _(
            "By the last epoch scratch had not caught up: {scratch} vs {pretrained} (95% "
            "intervals {scratch_interval} and {pretrained_interval}, apart)."
        )
    return (
        speed
        + " "
        + end.format(
            scratch=percent(finals[0]),
            pretrained=percent(finals[1]),
            scratch_interval=significance.interval_text(finals[0], n_val),
            pretrained_interval=significance.interval_text(finals[1], n_val),
            n_val=n_val,
        )
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
