"""Was the advice right? The strategy ladder's runs on the same dataset and backbone decide.

Each rung's figure is the best validation accuracy of its finished runs. The advice counts as
right when its strategy is the best rung, or comes within what the validation set can resolve:
one standard error of the best accuracy, sqrt(p(1 - p) / n), and never less than one image.
With 40 validation images and p = 0.6 that is ±7.7 points: small sets cannot tell close rungs
apart, and the page says so rather than call a two-image gap a verdict.

A check's rows hold English words (data: tests and the page read them by key); `table` gives
them in the reader's language. Its message is made in the language of the moment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dashboard.advisor.advice import Advice
from dashboard.i18n import N_, _, percent
from dashboard.runs import RunStatus
from dashboard.significance import learnt, learnt_threshold, resolution
from dashboard.training import TrainConfig, default_config
from models.strategies import STRATEGIES

# The rows' column names and fixed words, shown translated (`table`).
COLUMNS = {
    "strategy": N_("strategy"),
    "finished runs": N_("finished runs"),
    "best val acc": N_("best val acc"),
    "recommended": N_("recommended"),
    "learnt": N_("learnt"),
    "best": N_("best"),
}
ADVISED = N_("◀ advice")
LEARNT = N_("yes")
NOT_LEARNT = N_("no: at the class prior")


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


def check(advice: Advice, runs: Sequence, n_val: int, prior: float | None = None) -> LadderCheck:
    """`runs`: run-store runs; those on this dataset and backbone count. With the validation
    set's class `prior`, a rung that never rose clearly above it is marked as not having learnt,
    and when no rung learnt the check gives no verdict (significance.learnt)."""
    mine = [r for r in runs if r.dataset_id == advice.dataset_id and r.backbone == advice.backbone]
    pending = [r.id for r in mine if RunStatus(r.status).active]
    rows, best_acc = [], {}
    for key, s in STRATEGIES.items():
        done = [r for r in mine if r.strategy == key and r.status == RunStatus.FINISHED]
        acc = max((r.best_val_acc or 0.0 for r in done), default=None)
        if acc is not None:
            best_acc[key] = acc
        row = {
            "strategy": s.title,
            "finished runs": len(done),
            "best val acc": None if acc is None else round(acc, 4),
            "recommended": ADVISED if key == advice.strategy else "",
        }
        if prior is not None and acc is not None:
            row["learnt"] = LEARNT if learnt(acc, prior, n_val) else NOT_LEARNT
        rows.append(row)
    complete = len(best_acc) == len(STRATEGIES)
    best = max(best_acc, key=best_acc.get) if best_acc else None
    tolerance = resolution(best_acc[best] if best else 0.5, n_val)
    if not complete:
        missing = len(STRATEGIES) - len(best_acc)
        text = _("{missing} of {total} strategies have no finished run yet.").format(
            missing=missing, total=len(STRATEGIES)
        )
        return LadderCheck(rows, pending, False, best, None, tolerance, text)
    if prior is not None and not any(learnt(a, prior, n_val) for a in best_acc.values()):
        text = _(
            "No rung rose above the class prior ({prior}; above {threshold} counts as learnt "
            "with {n_val} validation images): the ladder cannot judge the advice. Check the "
            "dataset and the settings."
        ).format(
            prior=percent(prior), threshold=percent(learnt_threshold(prior, n_val)), n_val=n_val
        )
        return LadderCheck(rows, pending, True, None, None, tolerance, text)
    top = best_acc[best]
    tied = [k for k, acc in best_acc.items() if acc == top]
    if advice.strategy in tied:
        best = advice.strategy  # a tie with the advised rung is a win for the advice
    gap = top - best_acc[advice.strategy]
    right = gap <= tolerance
    message = _verdict(advice.strategy, best, tied, gap, tolerance, n_val)
    for row, key in zip(rows, STRATEGIES, strict=True):
        row["best"] = "★" if key == best else ""
    return LadderCheck(rows, pending, True, best, right, tolerance, message)


def _verdict(
    advised: str, best: str, tied: list[str], gap: float, tolerance: float, n_val: int
) -> str:
    """The complete ladder's word on the advice, in the language of the moment."""
    right = gap <= tolerance
    names = {
        "best": _(STRATEGIES[best].title),
        "advised": _(STRATEGIES[advised].title),
        "gap": percent(gap),
        "tolerance": percent(tolerance),
        "n_val": n_val,
    }
    if best == advised:
        others = ", ".join(_(STRATEGIES[k].title) for k in tied if k != best)
        if others:
            message = _("The advice was right: {best} was the best rung, tied with {others}.")
        else:
            message = _("The advice was right: {best} was the best rung.")
        message = message.format(others=others, **names)
    elif right:
        message = _(
            "The advice holds: {advised} came within {gap} of the best rung ({best}), inside "
            "the ±{tolerance} that {n_val} validation images can resolve. More seeds (Compare "
            "page) would separate them."
        ).format(**names)
    else:
        message = _(
            "The advice was wrong here: {best} beat the advised {advised} by {gap} validation "
            "accuracy, more than the ±{tolerance} that {n_val} validation images can resolve."
        ).format(**names)
    return message


def table(rows: list[dict]) -> list[dict]:
    """A check's rows as a reader sees them: column names and words in their language."""
    words = {"strategy", "recommended", "learnt"}  # columns that hold English words
    return [
        {_(COLUMNS[k]): _(v) if k in words and v else v for k, v in row.items()} for row in rows
    ]
