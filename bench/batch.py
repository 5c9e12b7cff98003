"""Batch prediction's memory (`python -m bench batch`): peak RSS of a batch job over a zip of
2,000 generated photos against the same job over 50, each in a fresh process, same model.

Both sides run `training.batch.predict` (what the queue runs) with a linear head on MobileNet
α=0.25 at 224 px trained on the same generated photos, over zips of 256×192 noise JPEGs with
colour casts in class folders. The process's peak RSS (getrusage) is read after the job; the
figure is the difference, 2,000 − 50, in MB, per interleaved round. Goal <= 300: memory grows by
a small thumbnail per image, not by the decoded images. For scale, each round also runs the
plain way in its own process (decode every image into one array, then `model.predict` on it) at
2,000 images, minus the same at 50: info.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
ROUNDS = 3
SIZES = (50, 2000)
COLOURS = {"red": (200, 40, 40), "green": (40, 180, 40), "blue": (40, 40, 200)}

CHILD = """
import resource, sys
sys.path.insert(0, {root!r})
import keras
from dashboard.settings import Settings
from dashboard.training import batch, results
settings = Settings.from_env({{"TLAB_HOME": {home!r}, "TLAB_OFFLINE": "1"}})
files = results.local_artifacts(settings, {run!r})
model = keras.saving.load_model(results.deployable(files), safe_mode=True)
if {plain!r}:
    import zipfile, numpy as np
    from dashboard import images
    with zipfile.ZipFile({zip!r}) as zf:
        x = np.stack([results.model_input(images.decode(zf.read(n)), 224)[0]
                      for n in zf.namelist()])
    model.predict(x, batch_size=32, verbose=0)
else:
    found = batch.predict(settings, model, {classes!r}, __import__("pathlib").Path({zip!r}))
    assert len(found.rows) == {n}, len(found.rows)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def run() -> list[dict]:
    from bench.timing import figure

    with tempfile.TemporaryDirectory() as home:
        run_id, classes = _trained_run(Path(home))
        zips = {n: _zip(Path(home) / f"batch_{n}.zip", n) for n in SIZES}
        ours, plain = [], []
        for _ in range(ROUNDS):
            peaks = {n: _peak(home, run_id, classes, zips[n], n, False) for n in SIZES}
            ours.append(peaks[2000] - peaks[50])
            plains = {n: _peak(home, run_id, classes, zips[n], n, True) for n in SIZES}
            plain.append(plains[2000] - plains[50])
            print(f"# round: batch job {peaks}, plain decode-all {plains} (MB)", flush=True)
    return [
        figure("batch_rss_2000_minus_50_mb", ours, "<= 300"),
        figure("plain_decode_all_rss_2000_minus_50_mb", plain, "info"),
    ]


def _trained_run(home: Path) -> tuple[str, list[str]]:
    from dashboard import datasets, training
    from dashboard.settings import Settings

    shared = Path(os.environ.get("TLAB_SHARED", ROOT.parent / "shared"))
    weights = os.environ.get("TLAB_WEIGHTS_DIR", str(shared / "keras-weights"))
    env = {"TLAB_HOME": str(home), "TLAB_WEIGHTS_DIR": weights, "TLAB_OFFLINE": "1"}
    os.environ.update(env)  # the child processes read the same home
    settings = Settings.from_env(env)
    data = _zip(home / "train.zip", 60).read_bytes()
    manifest = datasets.ingest_zip(settings, io.BytesIO(data), "generated").manifest
    jm = training.JobManager(settings)
    try:
        config = training.default_config(manifest.id, "MobileNet_0.25_224", "linear_head")
        run = jm.submit(config.with_(epochs=5))[0]
        while jm.runs.get(run.id).active:
            time.sleep(0.5)
        run = jm.runs.get(run.id)
    finally:
        jm.shutdown()
    assert run.status == "finished", run.message
    return run.id, list(run.results.classes)


def _zip(path: Path, n: int) -> Path:
    """n noise JPEGs (256×192) with a colour cast, in class folders, written one at a time."""
    from PIL import Image

    rng = np.random.default_rng(n)
    names = list(COLOURS)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        for i in range(n):
            cls = names[i % len(names)]
            pixels = rng.normal(COLOURS[cls], 40, (192, 256, 3)).clip(0, 255).astype("uint8")
            buf = io.BytesIO()
            Image.fromarray(pixels).save(buf, "JPEG", quality=85)
            zf.writestr(f"photos/{cls}/{i}.jpg", buf.getvalue())
    return path


def _peak(home, run_id, classes, zip_path: Path, n: int, plain: bool) -> float:
    code = CHILD.format(
        root=str(ROOT), home=home, run=run_id, plain=plain, zip=str(zip_path), classes=classes, n=n
    )
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=1800
    )
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    return float(out.stdout.strip().splitlines()[-1])
