"""Batch prediction: a finished run's served model (its calibrated classes and "none of these")
over a zip or a folder of new images, as a job on the same queue as training.

The upload is stored once under its content hash (`TLAB_HOME/batches/<sha256>.zip`, pushed to
the shared store, so a Ray worker reads the very bytes) and read as dataset uploads are read:
`datasets.SafeZip` checks the entry count, the expanded size and each entry's compression
ratio before anything is read, refuses names that leave the folder and symlinks, skips junk
and non-image names, and each image is decoded under the pixel cap; every skipped file is
listed with its reason. Images are read, decoded and predicted a batch at a time, so memory
does not grow with the upload but by one small thumbnail per image. Images in folders named
like the run's classes count as labelled: the result then has an accuracy and a confusion
matrix. The job is a run of kind "batch" in the run store (queue, Stop, heartbeats and
"interrupted" as for training); its result is `batch.npz` in its run folder.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath

import numpy as np

from dashboard import datasets, images, trust
from dashboard.i18n import N_
from dashboard.runs import JOB_KIND_BATCH, sync
from dashboard.settings import Settings
from dashboard.storage import atomic_path
from dashboard.training import results
from models import unknown

KIND = JOB_KIND_BATCH  # a batch job's `strategy` in the run store: not a training run
UPLOAD = re.compile(r"[0-9a-f]{64}")
BATCH_SIZE = 32  # images decoded and predicted at a time
THUMB = 64  # px: the thumbnail kept per image
TOP = 3
PREDICTING = N_("predicting")


class BatchError(Exception):
    """A batch that cannot run; the message says why (English, as the trainer's)."""


@dataclass(frozen=True)
class BatchConfig:
    """One batch job: a run's served model over one stored upload."""

    run_id: str  # the finished run whose model predicts
    source: str  # the upload's sha256 (`store_upload`)
    dataset_id: str  # the run's (the run store lists jobs by dataset)
    backbone: str
    name: str = ""  # the upload's file name, for people (data: shown as text)
    strategy: str = KIND

    def to_dict(self) -> dict:
        return asdict(self)

    def key(self) -> str:
        """The same upload through the same run is the same job: its result is reused."""
        return hashlib.sha256(f"{KIND}:{self.run_id}:{self.source}".encode()).hexdigest()[:20]


def job_from_dict(d: dict):
    """A stored job's settings: a BatchConfig for a batch job, else a run's TrainConfig."""
    from dashboard.training.config import from_dict

    if d.get("strategy") != KIND:
        return from_dict(d)
    fields = ("run_id", "source", "dataset_id", "backbone", "name")
    return BatchConfig(**{k: str(d[k]) for k in fields})


def uploads_dir(settings: Settings) -> Path:
    return settings.home / "batches"


def upload_path(settings: Settings, sha: str) -> Path:
    """A stored upload's path, from its hash only (checked: it may come from the database)."""
    name = trust.checked(UPLOAD, sha, "upload hash") + ".zip"
    return trust.inside(uploads_dir(settings), name)


def store_upload(settings: Settings, data: bytes) -> str:
    """Keep an upload (zip bytes) under its hash, here and in the shared store; returns it."""
    settings.check_writable(N_("predicting a batch"))
    sha = trust.sha256_bytes(data)
    path = upload_path(settings, sha)
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_path(path) as tmp:
            tmp.write_bytes(data)
    sync.push(settings, path)
    return sha


def zip_of_files(files: list[tuple[str, bytes]]) -> bytes:
    """A folder upload (relative path, bytes) as one zip, read as any zip is (names checked
    there, not here)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        for name, data in files:
            zf.writestr(name, data)
    return buf.getvalue()


@dataclass(frozen=True)
class BatchRow:
    """One image as the served model saw it."""

    file: str  # its name in the upload (data: shown as text)
    top: tuple[tuple[str, float], ...]  # the best classes, calibrated probability
    score: float  # the unknown score
    unknown: bool  # "none of these"
    truth: str = ""  # its class folder's name, where that is one of the run's classes

    @property
    def confidence(self) -> float:
        return self.top[0][1]

    @property
    def right(self) -> bool | None:
        return None if not self.truth else self.truth == self.top[0][0] and not self.unknown


@dataclass(frozen=True)
class BatchResult:
    classes: list[str]
    rows: list[BatchRow]
    skipped: list[tuple[str, str]]  # (file, reason)
    thumbnails: np.ndarray  # (rows, THUMB, THUMB, 3) uint8, row for row

    def labelled(self) -> list[BatchRow]:
        return [r for r in self.rows if r.truth]

    def accuracy(self) -> float | None:
        """Right answers among labelled images ("none of these" counts as wrong)."""
        rows = self.labelled()
        return sum(bool(r.right) for r in rows) / len(rows) if rows else None

    def confusion(self) -> list[list[int]] | None:
        """Rows: true class; columns: predicted class, then "none of these"."""
        rows = self.labelled()
        if not rows:
            return None
        index = {c: i for i, c in enumerate(self.classes)}
        matrix = [[0] * (len(self.classes) + 1) for _ in self.classes]
        for r in rows:
            matrix[index[r.truth]][len(self.classes) if r.unknown else index[r.top[0][0]]] += 1
        return matrix


def predict(
    settings: Settings, model, classes: list[str], path: Path, on_image=None, stop=None
) -> BatchResult:
    """Every usable image of the zip at `path` through `model` (a served model, or a run's
    classifier for a run without the rule), a batch at a time. `on_image(done, total)` after
    each image; `stop` (an Event) ends it early with what was done."""
    size = int(model.input_shape[1])
    rows, thumbs, skipped = [], [], []
    pending: list[tuple[str, np.ndarray]] = []

    def flush() -> None:
        if pending:
            batch = np.stack([x for _name, x in pending])
            out = np.asarray(model.predict_on_batch(batch))
            rows.extend(_rows([n for n, _x in pending], out, classes))
            pending.clear()

    with open(path, "rb") as file, datasets.open_upload(settings, file) as upload:
        skipped += upload.skipped
        for done, name in enumerate(upload.names, 1):
            if stop is not None and stop.is_set():
                break
            try:
                rgb = images.decode(upload.read(name), settings.max_image_pixels)
            except (datasets.DatasetError, images.ImageError) as exc:
                skipped.append((name, str(exc)))
                continue
            thumbs.append(images.center_square(rgb, THUMB))
            pending.append((name, results.model_input(rgb, size)[0]))
            if len(pending) == BATCH_SIZE:
                flush()
            if on_image is not None:
                on_image(done, len(upload.names))
        flush()
    truth = [_truth(r.file, classes) for r in rows]
    rows = [
        BatchRow(r.file, r.top, r.score, r.unknown, t) for r, t in zip(rows, truth, strict=True)
    ]
    stacked = np.stack(thumbs) if thumbs else np.zeros((0, THUMB, THUMB, 3), "uint8")
    return BatchResult(list(classes), rows, skipped, stacked.astype("uint8"))


def _rows(names: list[str], out: np.ndarray, classes: list[str]) -> list[BatchRow]:
    probs, score, flag = unknown.split_output(out, len(classes))
    found = []
    for name, p, s, f in zip(names, probs, score, flag, strict=True):
        order = np.argsort(p)[::-1][:TOP]
        top = tuple((classes[i], round(float(p[i]), 4)) for i in order)
        found.append(BatchRow(name, top, round(float(s), 4), bool(f)))
    return found


def _truth(name: str, classes: list[str]) -> str:
    folder = PurePosixPath(name).parent.name
    return folder if folder in classes else ""


def csv_text(found: BatchResult) -> str:
    """Every row: file, the top classes with probabilities, unknown, score, truth."""
    out = io.StringIO()
    writer = csv.writer(out)
    head = [h for i in range(1, TOP + 1) for h in (f"class_{i}", f"probability_{i}")]
    writer.writerow(["file", *head, "none_of_these", "unknown_score", "true_class"])
    for r in found.rows:
        cells = [v for c, p in r.top for v in (_cell(c), p)]
        cells += [""] * (2 * TOP - len(cells))
        writer.writerow([_cell(r.file), *cells, int(r.unknown), r.score, _cell(r.truth)])
    return out.getvalue()


def _cell(text: str) -> str:
    """A name from an upload as a CSV cell a spreadsheet shows as text: one that starts like a
    formula (= + - @, tab, CR) gets a leading quote, so opening the file runs nothing."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
