"""Where a run's progress goes while it trains: the live state a page polls, the reporter that
feeds it, the run store and TensorBoard, and the one record the live view draws (`RunProgress`),
whichever executor trains the run."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import tensorflow as tf

from dashboard.i18n import _
from dashboard.runs import Run, RunStatus, RunStore


@dataclass
class LiveState:
    """What the live view shows; written by the worker, read by the page."""

    status: RunStatus = RunStatus.QUEUED
    phase: str = ""
    epoch: int = 0
    epochs: int = 0
    step: int = 0
    steps: int = 0
    message: str = ""
    phase_started: float = field(default_factory=time.time)
    stop: threading.Event = field(default_factory=threading.Event)
    interrupted: bool = False  # stopped by a server shutdown, not by the user

    def eta_seconds(self) -> float | None:
        """Time left in the current phase, from the pace so far."""
        done = (self.epoch - 1) * self.steps + self.step if self.steps else 0
        total = self.epochs * self.steps
        if done <= 0 or total <= 0:
            return None
        elapsed = time.time() - self.phase_started
        return elapsed / done * (total - done)


@dataclass(frozen=True)
class RunProgress:
    """A run's progress as the live view shows it: its batches when this server trains it,
    its place in this server's line while it waits, else what the store says."""

    status: RunStatus
    place: int = 0  # n-th in this server's line; 0 when not waiting here
    fraction: float | None = None  # of the current phase's batches, when trained here
    text: str = ""  # phase, epoch, batch and time left, when trained here (translated)
    message: str = ""  # as stored, in English: `runs.message_text` shows it
    owner: str = ""  # the process that trains it

    @property
    def here(self) -> bool:
        """Trained by this server: its batches are known, and Stop acts at once."""
        return self.fraction is not None


def progress_of(run: Run, live: LiveState | None, place: int) -> RunProgress:
    if run.status != RunStatus.RUNNING or live is None:
        return RunProgress(run.status, place, message=run.message, owner=run.owner)
    done = max(live.epoch - 1, 0) * live.steps + live.step
    fraction = min(done / max(live.epochs * live.steps, 1), 1.0)
    # Made where the page asks, in its reader's language (the trainer writes English words).
    fields = dict(
        phase=_(live.phase) if live.phase else "",
        epoch=live.epoch,
        epochs=live.epochs,
        step=live.step,
        steps=live.steps,
    )
    eta = live.eta_seconds()
    if eta is None:
        text = _("{phase} · epoch {epoch}/{epochs} · batch {step}/{steps}").format(**fields)
    else:
        text = _(
            "{phase} · epoch {epoch}/{epochs} · batch {step}/{steps} · about {seconds} s left"
        ).format(seconds=f"{eta:.0f}", **fields)
    return RunProgress(run.status, place, fraction, text, live.message, run.owner)


class EpochReporter:
    """Where a run's progress goes, whichever way an epoch was trained.

    Epochs are numbered and images counted across the run's phases. TensorBoard scalars of
    epochs on in-memory arrays (milliseconds each) are written when the phase ends, not inside
    the timed loop; image epochs write theirs as they finish, for a TensorBoard watched live.
    """

    def __init__(self, live: LiveState, runs: RunStore, run_id: str, folder):
        self.live, self.runs, self.run_id = live, runs, run_id
        self.writer = tf.summary.create_file_writer(str(folder / "tensorboard"))
        self.epochs_done = self.images_seen = 0
        self.name, self.offset, self.n_images = "", 0, 0
        self.deferred: list[tuple[int, dict]] | None = None

    def phase(
        self, name: str, epochs: int = 0, steps: int = 0, n_images: int = 0, label: str = ""
    ) -> None:
        """A new phase: `epochs` more epochs of `steps` batches over `n_images` images. `name`
        goes into the run store; `label`, when given, is what the live view says instead."""
        self.flush()
        self.name, self.offset, self.n_images = name, self.epochs_done, n_images
        self.live.phase, self.live.epochs = label or name, self.offset + epochs
        self.live.steps = steps
        self.live.step, self.live.phase_started = 0, time.time()

    def defer_scalars(self) -> None:
        self.deferred = []

    def on_batch(self, epoch: int, step: int, steps: int) -> None:
        self.live.epoch, self.live.step, self.live.steps = self.offset + epoch, step, steps

    def on_epoch(self, epoch: int, logs: dict, seconds: float) -> None:
        self.epochs_done, self.images_seen = self.offset + epoch, self.images_seen + self.n_images
        self.runs.add_epoch(
            self.run_id, self.epochs_done, self.name, logs, seconds, self.images_seen
        )
        if self.deferred is not None:
            self.deferred.append((self.epochs_done, logs))
        else:
            self._scalars(self.epochs_done, logs)

    def flush(self) -> None:
        for epoch, logs in self.deferred or []:
            self._scalars(epoch, logs)
        self.deferred = None
        self.writer.flush()

    def close(self) -> None:
        """Write what is left and close the event file (a writer left open keeps its file
        handle for the life of the server: one more per run, found by `bench soak`)."""
        self.flush()
        self.writer.close()

    def _scalars(self, epoch: int, logs: dict) -> None:
        """Epoch curves for TensorBoard (`tensorboard --logdir TLAB_HOME/runs`)."""
        with self.writer.as_default():
            for name, value in logs.items():
                tf.summary.scalar(name, value, step=epoch)
