"""A batch-prediction job on the queue (`batch.py` has what it does): run it where the queue
runs it, and keep its result (`batch.npz` in the job's run folder: the rows as JSON, the
thumbnails as one uint8 array), read back as data: bounded, typed, or none.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np

from dashboard import datasets, trust
from dashboard.runs import RunStatus, RunStore, run_folder, sync
from dashboard.settings import Settings
from dashboard.storage import atomic_path
from dashboard.training import checkpoint, results
from dashboard.training.batch import (
    PREDICTING,
    THUMB,
    BatchConfig,
    BatchError,
    BatchResult,
    BatchRow,
    predict,
    upload_path,
)

FILE = "batch.npz"
META_BYTES = 64 * 2**20  # the rows and skipped files of the largest upload, with room
log = logging.getLogger(__name__)


def execute(settings: Settings, runs: RunStore, job_id: str, config: BatchConfig, live) -> None:
    """The job, wherever the queue runs it; never raises: failures become its status."""
    live.status, live.phase, live.epochs = RunStatus.RUNNING, PREDICTING, 1
    runs.update(job_id, status=RunStatus.RUNNING, started=time.time(), device="CPU")
    try:
        found = _predict_job(settings, runs, config, live)
        save(runs.run_dir(job_id), found)
        sync.push(settings, runs.run_dir(job_id) / FILE)
        status = RunStatus.STOPPED if live.stop.is_set() else RunStatus.FINISHED
        accuracy = found.accuracy()
        live.status = status
        runs.update(job_id, status=status, finished=time.time(), final_val_acc=accuracy)
    except (BatchError, datasets.DatasetError, trust.UntrustedError, KeyError, OSError) as exc:
        _failed(runs, job_id, live, str(exc))
    except Exception as exc:  # the page shows the message; the log keeps the traceback
        log.exception("batch %s failed", job_id)
        _failed(runs, job_id, live, f"{type(exc).__name__}: {exc}")


def _failed(runs: RunStore, job_id: str, live, message: str) -> None:
    live.status = RunStatus.FAILED
    runs.update(job_id, status=RunStatus.FAILED, message=message, finished=time.time())


def _predict_job(settings: Settings, runs: RunStore, config: BatchConfig, live) -> BatchResult:
    import keras

    run = runs.get(trust.run_id(config.run_id))
    if run.results is None:
        raise BatchError(f"run {run.id} has no results: only a finished run predicts")
    files = results.local_artifacts(settings, run.id)
    if "model" not in files:
        raise BatchError(f"run {run.id}'s model is not here nor in the shared store")
    path = sync.pull(settings, upload_path(settings, config.source))
    if path is None:
        raise BatchError("the upload is not here nor in the shared store")
    model = keras.saving.load_model(results.deployable(files), safe_mode=True)

    def on_image(done: int, total: int) -> None:
        live.epoch, live.step, live.steps = 1, done, total

    return predict(settings, model, list(run.results.classes), path, on_image, live.stop)


def save(folder: Path, found: BatchResult) -> None:
    meta = {
        "classes": found.classes,
        "rows": [asdict(r) for r in found.rows],
        "skipped": [list(s) for s in found.skipped],
    }
    with atomic_path(folder / FILE) as tmp, open(tmp, "wb") as out:
        np.savez(out, meta=np.array(json.dumps(meta)), thumbnails=found.thumbnails)


def load(settings: Settings, job_id: str) -> BatchResult | None:
    """A job's result (pulled from the shared store where another machine ran it), or None:
    none yet, or a file that does not parse into these types (data, checked)."""
    try:
        path = sync.pull(settings, run_folder(settings.home, job_id) / FILE)
        if path is None:
            return None
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(trust.bounded_member(data, "meta", META_BYTES)))
            rows = [_row(r) for r in meta["rows"]]
            limit = len(rows) * THUMB * THUMB * 3 + 4096  # a thumbnail per row, no more
            thumbnails = np.asarray(trust.bounded_member(data, "thumbnails", limit))
        classes = [str(c) for c in meta["classes"]]
        skipped = [(str(a), str(b)) for a, b in meta["skipped"]]
    except (*checkpoint.UNREADABLE, trust.UntrustedError):
        return None
    if thumbnails.shape != (len(rows), THUMB, THUMB, 3) or thumbnails.dtype != np.uint8:
        return None
    return BatchResult(classes, rows, skipped, thumbnails)


def _row(d: dict) -> BatchRow:
    top = tuple((str(c), float(p)) for c, p in d["top"])
    if not top:
        raise ValueError("a row without classes")
    truth = str(d.get("truth", ""))
    return BatchRow(str(d["file"]), top, float(d["score"]), bool(d["unknown"]), truth)
