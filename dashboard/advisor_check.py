"""Was the advice right? The strategy ladder's runs on the same dataset and backbone decide.

Each rung's figure is the best validation accuracy of its finished runs. The advice counts as
right when its strategy comes within a tolerance of the best rung: two percentage points, or one
validation image where there are fewer than 50, since a smaller gap is noise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dashboard.advisor import Advice
from dashboard.train_config import TrainConfig, default_config
from models.strategies import STRATEGIES


@dataclass(frozen=True)
class LadderCheck:
    rows: list[dict]  # one per strategy: strategy, title, finished runs, best val acc
    pending: list[str]  # ids of ladder runs still queued or running
    complete: bool  # every strategy has a finished run
    best: str | None
    right: bool | None  # None until complete
    tolerance: float
    message: str


def ladder_configs(advice: Advice) -> list[TrainConfig]:
    return [default_config(advice.dataset_id, advice.backbone, s) for s in STRATEGIES]


def recommended_config(advice: Advice) -> TrainConfig:
    return default_config(advice.dataset_id, advice.backbone, advice.strategy)


def check(advice: Advice, runs: Sequence, n_val: int) -> LadderCheck:
    """`runs`: run-store runs; those on this dataset and backbone count."""
    mine = [r for r in runs if r.dataset_id == advice.dataset_id and r.backbone == advice.backbone]
    pending = [r.id for r in mine if r.status in ("queued", "running")]
    tolerance = max(0.02, 1.0 / n_val) if n_val else 0.02
    rows, best_acc = [], {}
    for key, s in STRATEGIES.items():
        done = [r for r in mine if r.strategy == key and r.status == "finished"]
        acc = max((r.best_val_acc or 0.0 for r in done), default=None)
        if acc is not None:
            best_acc[key] = acc
        rows.append({
            "strategy": s.title, "finished runs": len(done),
            "best val acc": None if acc is None else round(acc, 4),
            "recommended": "◀ advice" if key == advice.strategy else "",
        })  # fmt: skip
    complete = len(best_acc) == len(STRATEGIES)
    best = max(best_acc, key=best_acc.get) if best_acc else None
    if not complete:
        missing = len(STRATEGIES) - len(best_acc)
        text = f"{missing} of {len(STRATEGIES)} strategies have no finished run yet."
        return LadderCheck(rows, pending, False, best, None, tolerance, text)
    gap = best_acc[best] - best_acc[advice.strategy]
    right = gap <= tolerance
    if best == advice.strategy:
        message = f"The advice was right: {STRATEGIES[best].title} was the best rung."
    elif right:
        message = (
            f"The advice was right: {STRATEGIES[advice.strategy].title} came within "
            f"{gap:.1%} of the best rung ({STRATEGIES[best].title}), inside the {tolerance:.1%} "
            "that one validation image or noise is worth."
        )
    else:
        message = (
            f"The advice was wrong here: {STRATEGIES[best].title} beat the advised "
            f"{STRATEGIES[advice.strategy].title} by {gap:.1%} validation accuracy."
        )
    for row, key in zip(rows, STRATEGIES, strict=True):
        row["best"] = "★" if key == best else ""
    return LadderCheck(rows, pending, True, best, right, tolerance, message)
