"""A run's checkpoint: written at every epoch's end, so a run that is stopped, interrupted or
finished can be continued from where it was (`TrainConfig.resume_from`).

One file, `runs/<id>/checkpoint.npz`, replaced atomically (a crash leaves the previous
epoch's), holding the weights of the model the phase fits (the head on features, the blocks
above the cut, or the whole classifier on images), that phase's optimizer variables (Adam's
step count and moments, so the learning-rate schedule and the moments go on as they were) and
where the run was: epochs done in all, the phase and its first epoch, the head phase's length.
It may come from the shared store, so it is data: read without pickles, every field checked,
and a file that does not fit is no checkpoint.
"""

from __future__ import annotations

import json
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dashboard import trust
from dashboard.storage import atomic_path

FILE = "checkpoint.npz"
STATE_BYTES = 4096  # the state member is a few numbers: larger is not a checkpoint
# What reading a damaged or forged .npz can raise (it is a zip of .npy files)
UNREADABLE = (OSError, ValueError, KeyError, TypeError, EOFError, ArithmeticError)
UNREADABLE += (zipfile.BadZipFile, zlib.error, NotImplementedError)
PHASES = ("head", "fine-tune", "train")  # the trainer's phase names (N_ there)


@dataclass(frozen=True)
class Checkpoint:
    epochs: int  # epochs done in the run, all phases
    phase: str  # the phase the last epoch was in
    phase_start: int  # epochs done before that phase began
    head_epochs: int  # the head phase's length in the run's plan (kept by a continuation)
    weights: list[np.ndarray]  # the fitted model's variables, in its order (`model_state`)
    optimizer: list[np.ndarray]  # that phase's optimizer variables, in their order

    @property
    def phase_epochs(self) -> int:
        return self.epochs - self.phase_start


def save(folder: Path, ck: Checkpoint) -> None:
    state = {k: getattr(ck, k) for k in ("epochs", "phase", "phase_start", "head_epochs")}
    arrays = {f"w{i}": w for i, w in enumerate(ck.weights)}
    arrays |= {f"o{i}": v for i, v in enumerate(ck.optimizer)}
    with atomic_path(folder / FILE) as tmp, open(tmp, "wb") as out:
        np.savez(out, state=np.array(json.dumps(state)), **arrays)


def load(path: Path | None) -> Checkpoint | None:
    """The checkpoint in `path`, or None: no file, or one that does not parse."""
    if path is None or not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            state = json.loads(str(trust.bounded_member(data, "state", STATE_BYTES)))
            weights = _numbered(data, "w")
            optimizer = _numbered(data, "o")
        numbers = [state[k] for k in ("epochs", "phase_start", "head_epochs")]
        if not all(type(n) is int and n >= 0 for n in numbers) or state["phase"] not in PHASES:
            return None
        if not numbers[1] <= numbers[0]:  # the phase began before the epochs done
            return None
        return Checkpoint(*numbers[:1], state["phase"], *numbers[1:], weights, optimizer)
    except UNREADABLE:
        return None


def epochs_of(path: Path | None) -> int | None:
    """The epochs a checkpoint holds, reading its state only (not its weights)."""
    if path is None or not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            epochs = json.loads(str(trust.bounded_member(data, "state", STATE_BYTES)))["epochs"]
        return epochs if type(epochs) is int and epochs >= 0 else None
    except UNREADABLE:
        return None


def _numbered(data, prefix: str) -> list[np.ndarray]:
    names = [n for n in data.files if n.startswith(prefix) and n[1:].isdigit()]
    return [np.asarray(data[f"{prefix}{i}"]) for i in range(len(names))]


def model_state(model) -> list[np.ndarray]:
    """Every variable of `model`: its weights and also its layers' random-number states
    (Dropout's, augmentation's), so a continued epoch draws what it would have drawn."""
    return [np.asarray(v.numpy()) for v in model.variables]


def restore_model(model, values: list[np.ndarray]) -> None:
    _assign(model.variables, values, "model")


def optimizer_state(optimizer) -> list[np.ndarray]:
    return [np.asarray(v.numpy()) for v in optimizer.variables]


def restore_optimizer(optimizer, values: list[np.ndarray], variables) -> None:
    """Build `optimizer` for `variables` and give it the checkpoint's state."""
    optimizer.build(variables)
    _assign(optimizer.variables, values, "optimizer")


def _assign(variables, values: list[np.ndarray], what: str) -> None:
    """ValueError when the values do not fit the variables (another model or optimizer)."""
    fits = len(values) == len(variables) and all(
        tuple(v.shape) == a.shape for v, a in zip(variables, values, strict=False)
    )
    if not fits:
        raise ValueError(f"the checkpoint's {what} state does not fit this run")
    for v, value in zip(variables, values, strict=True):
        v.assign(value)
