"""Where a run starts when it does not start from ImageNet alone: from another run's checkpoint
(`TrainConfig.resume_from`: N more epochs of a finished, stopped or interrupted run, its
optimizer state and its curve included), or from another run's trained weights
(`TrainConfig.init_from`: "add images and retrain", on a newer version of the data).

The other run's id comes from the run store, so it is checked against the run-id pattern before
it names a folder, and its files are pulled only with the hash its trainer recorded.
"""

from __future__ import annotations

from dashboard import trust
from dashboard.runs import RunStore, run_folder, sync
from dashboard.settings import Settings
from dashboard.training import checkpoint
from dashboard.training.config import TrainConfig, from_dict
from models.strategies import STRATEGIES

# What a continuation must share with its parent: else it is another run, not the same one.
SAME = ("dataset_id", "backbone", "strategy", "image_size", "batch_size", "seed", "schedule")


class ContinueError(Exception):
    """A continuation or warm start that cannot be made; the message says why (English, as
    every message the trainer stores)."""


def resume_point(settings: Settings, runs: RunStore, config: TrainConfig):
    """The parent's checkpoint a continuation goes on from (ContinueError if there is none
    or the settings do not continue it)."""
    parent_id = _run_id(config.resume_from)
    parent = _get(runs, parent_id)
    theirs = from_dict(parent.config)
    changed = [k for k in SAME if getattr(theirs, k) != getattr(config, k)]
    if changed:
        raise ContinueError(f"a continuation keeps its run's {', '.join(changed)}")
    path = sync.pull(settings, run_folder(settings.home, parent_id) / checkpoint.FILE)
    ck = checkpoint.load(path)
    if ck is None:
        raise ContinueError(f"run {parent_id} has no checkpoint to continue from")
    if config.epochs <= ck.epochs:
        raise ContinueError(f"run {parent_id} has done {ck.epochs} epochs already")
    if not _fits(ck, theirs, runs.epochs([parent_id])[parent_id]):
        raise ContinueError(f"run {parent_id}'s checkpoint does not fit its record")
    return ck


def _fits(ck: checkpoint.Checkpoint, theirs: TrainConfig, history: list[dict]) -> bool:
    """The checkpoint says what its run's record says (it may be a forged file): no more
    epochs than the run had and recorded, a head phase of the run's plan, a phase its
    strategy has."""
    s = STRATEGIES[theirs.strategy]
    phases = {"head"} if s.head_only else {"head", "fine-tune"} if s.two_phases else {"train"}
    recorded = max((e["epoch"] for e in history), default=0)
    return (
        ck.phase in phases
        and ck.epochs <= min(theirs.epochs, recorded)
        and ck.head_epochs <= theirs.epochs
    )


def copy_history(runs: RunStore, parent_id: str, run_id: str, epochs: int) -> int:
    """The parent's first `epochs` epochs, as this run's own first ones (the curve goes on
    where the parent's stopped); returns the images seen by then."""
    seen = 0
    for row in runs.epochs([parent_id])[parent_id]:
        if row["epoch"] > epochs:
            break
        logs = {
            "loss": row["loss"],
            "accuracy": row["acc"],
            "val_loss": row["val_loss"],
            "val_accuracy": row["val_acc"],
        }
        seen = row["images_seen"] or 0
        runs.add_epoch(run_id, row["epoch"], row["phase"], logs, row["seconds"], seen)
    return seen


def base_changes(runs: RunStore, config: TrainConfig) -> bool:
    """Whether starting from `config.init_from`'s weights changes the base from the pretrained
    one (that run trained its base), without loading them."""
    strategy = STRATEGIES.get(_get(runs, _run_id(config.init_from)).strategy)
    return strategy is None or not (strategy.head_only and strategy.pretrained)


def warm_start(settings: Settings, runs: RunStore, config: TrainConfig, clf) -> bool:
    """The classifier starts from another run's trained weights: its base always (the same
    backbone), its head too where the classes are as many. Returns whether the base now
    differs from the pretrained one (then cached pretrained features do not describe it)."""
    import keras

    from dashboard.training import results

    source_id = _run_id(config.init_from)
    source = _get(runs, source_id)
    if source.backbone != config.backbone:
        raise ContinueError(f"run {source_id} is not a run of {config.backbone} here")
    path = results.local_artifacts(settings, source_id).get("model")
    if path is None:
        raise ContinueError(f"run {source_id}'s model is not here nor in the shared store")
    trained = keras.saving.load_model(path, safe_mode=True)
    clf.base.set_weights(trained.get_layer(clf.base.name).get_weights())
    head = trained.layers[-1].get_weights()
    if [w.shape for w in head] == [tuple(w.shape) for w in clf.head.weights]:
        clf.head.set_weights(head)
    return base_changes(runs, config)


def _run_id(value: str) -> str:
    try:
        return trust.run_id(value)
    except trust.UntrustedError as exc:
        raise ContinueError(str(exc)) from None


def _get(runs: RunStore, run_id: str):
    try:
        return runs.get(run_id)
    except KeyError:
        raise ContinueError(f"run {run_id} is not in the run store") from None


def continued_epochs(settings: Settings, run_id: str) -> int | None:
    """The epochs a continuation of `run_id` would start after (its checkpoint's), or None
    without a checkpoint here or in the shared store (or for an id that is not a run id)."""
    try:
        path = sync.pull(settings, run_folder(settings.home, _run_id(run_id)) / checkpoint.FILE)
    except ContinueError:
        return None
    return checkpoint.epochs_of(path)
