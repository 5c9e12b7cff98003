"""Was the advice right? The strategy ladder's runs on the same dataset and backbone decide.

Each rung's figure is the best validation accuracy of its finished runs, with its 95% Wilson
interval on the validation images. The advice counts as right when its strategy is the best
rung; when its interval overlaps the best rung's, the ladder names no winner: the two are
within noise. With 40 validation images, 80% has the interval 65-90%: small sets cannot tell
close rungs apart, and the page says so rather than call a few images' gap a verdict.

A check's rows hold English words (data: tests and the page read them by key); `table` gives
them in the reader's language. Its message is made in the language of the moment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dashboard.advisor.advice import Advice
from dashboard.i18n import N_, _, percent
from dashboard.runs import RunStatus
from dashboard.significance import interval_text, learnt, learnt_threshold, overlap, wilson
from dashboard.training import TrainConfig, default_config
from models.strategies import STRATEGIES

# The rows' column names and fixed words, shown translated (`table`).
COLUMNS = {
    "strategy": N_("strategy"),
    "finished runs": N_("finished runs"),
    "best val acc": N_("best val acc"),
    "95% interval": N_("95% interval"),
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
    right: bool | None  # None until complete; True also when within noise of the best
    within_noise: bool  # the advised rung's interval overlaps the best rung's
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
            "95% interval": "" if acc is None else interval_text(acc, n_val),
            "recommended": ADVISED if key == advice.strategy else "",
        }
        if prior is not None and acc is not None:
            row["learnt"] = LEARNT if learnt(acc, prior, n_val) else NOT_LEARNT
        rows.append(row)
    complete = len(best_acc) == len(STRATEGIES)
    best = max(best_acc, key=best_acc.get) if best_acc else None
    if not complete:
        missing = len(STRATEGIES) - len(best_acc)
        text = _("{missing} of {total} strategies have no finished run yet.").format(
            missing=missing, total=len(STRATEGIES)
        )
        return LadderCheck(rows, pending, False, best, None, False, text)
    if prior is not None and not any(learnt(a, prior, n_val) for a in best_acc.values()):
        text = _(
            "No rung rose above the class prior ({prior}; above {threshold} counts as learnt "
            "with {n_val} validation images): the ladder cannot judge the advice. Check the "
            "dataset and the settings."
        ).format(
            prior=percent(prior), threshold=percent(learnt_threshold(prior, n_val)), n_val=n_val
        )
        return LadderCheck(rows, pending, True, None, None, False, text)
    top = best_acc[best]
    tied = [k for k, acc in best_acc.items() if acc == top]
    if advice.strategy in tied:
        best = advice.strategy  # a tie with the advised rung is a win for the advice
    advised = best_acc[advice.strategy]
    noise = best != advice.strategy and overlap(wilson(top, n_val), wilson(advised, n_val))
    message = _verdict(advice.strategy, best, tied, top, advised, noise, n_val)
    for row, key in zip(rows, STRATEGIES, strict=True):
        row["best"] = "★" if key == best else ""
    return LadderCheck(rows, pending, True, best, best == advice.strategy or noise, noise, message)


def _verdict(
    advised: str,
    best: str,
    tied: list[str],
    top: float,
    advised_acc: float,
    within_noise: bool,
    n_val: int,
) -> str:
    """The complete ladder's word on the advice, in the language of the moment."""
    names = {
        "best": _(STRATEGIES[best].title),
        "advised": _(STRATEGIES[advised].title),
        "gap": percent(top - advised_acc),
        "best_interval": interval_text(top, n_val),
        "advised_interval": interval_text(advised_acc, n_val),
        "n_val": n_val,
    }
    if best == advised:
        others = ", ".join(_(STRATEGIES[k].title) for k in tied if k != best)
        if others:
            message = _("The advice was right: {best} was the best rung, tied with {others}.")
        else:
            message = _("The advice was right: {best} was the best rung.")
        return message.format(others=others, **names)
    if within_noise:
        return _(
            "Within noise: {best} came {gap} ahead of the advised {advised}, but their 95% "
            "intervals on {n_val} validation images overlap ({best_interval} and "
            "{advised_interval}), so the ladder names no winner. The advice holds; more "
            "validation images or seeds (Compare page) would separate them."
        ).format(**names)
    return _(
        "The advice was wrong here: {best} beat the advised {advised} by {gap} validation "
        "accuracy; their 95% intervals on {n_val} validation images do not overlap "
        "({best_interval} and {advised_interval})."
    ).format(**names)


def table(rows: list[dict]) -> list[dict]:
    """A check's rows as a reader sees them: column names and words in their language."""
    words = {"strategy", "recommended", "learnt"}  # columns that hold English words
    return [
        {_(COLUMNS[k]): _(v) if k in words and v else v for k, v in row.items()} for row in rows
    ]
