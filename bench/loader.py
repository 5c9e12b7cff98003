"""Dataset loading benchmarks.

loader_vs_keras: images/s of our input pipeline over `keras.utils.image_dataset_from_directory`
on the same images, same run, each timed from "create the dataset" to "one full pass done",
cold (no pixel cache), 7 interleaved rounds. Goal >= 1.0. Info figures: the same on
small 128 px images (no JPEG downscaling to gain), and a later epoch read from our pixel cache.
The images are generated photos, written once as class folders (what Keras reads)
and ingested into our store (what ours reads: the same JPEG bytes, stored as uploaded).

rss_4000_minus_500_mb: peak resident memory of a fresh process that ingests a zip of N
generated images and makes one pass of the pipeline, for N = 4000 minus N = 500, 3 rounds.
Goal <= 400.
"""

from __future__ import annotations

import io
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from bench.timing import figure, ratios  # noqa: E402

CLASSES = ("a", "b", "c", "d", "e")


def photo(seed: int, size: tuple[int, int]) -> bytes:
    """A JPEG with smooth gradients and mild noise: compresses like a photo, unlike pure noise."""
    rng = np.random.default_rng(seed)
    w, h = size
    y, x = np.mgrid[0:h, 0:w].astype("float32")
    channels = [
        128
        + 100
        * np.sin(x / rng.uniform(20, 80) + rng.uniform(0, 6))
        * np.cos(y / rng.uniform(20, 80) + rng.uniform(0, 6))
        for _ in range(3)
    ]
    pixels = np.stack(channels, -1) + rng.normal(0, 8, (h, w, 3))
    buf = io.BytesIO()
    Image.fromarray(np.clip(pixels, 0, 255).astype("uint8")).save(buf, "JPEG", quality=90)
    return buf.getvalue()


def write_folder(root: Path, n: int, size: tuple[int, int]) -> list[tuple[str, bytes]]:
    files = []
    for i in range(n):
        rel = f"{CLASSES[i % len(CLASSES)]}/{i:05d}.jpg"
        data = photo(i, size)
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
        files.append((rel, data))
    return files


def one_pass(ds) -> int:
    return sum(int(x.shape[0]) for x, _ in ds)


def loader_rounds(n: int, size: tuple[int, int], image_size: int = 224, rounds: int = 7):
    """Per-round seconds of one cold pass: ours, Keras', and ours from the pixel cache."""
    import keras

    from dashboard import datasets
    from dashboard.settings import Settings
    from models.input_pipeline import image_dataset

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "folder"
        files = write_folder(folder, n, size)
        settings = Settings.from_env({"TLAB_HOME": str(Path(tmp) / "home")})
        m = datasets.ingest_files(settings, files, "bench").manifest
        records = m.records()

        def ours(cache_file=None) -> int:
            ds = image_dataset(
                [datasets.image_path(settings, m, r) for r in records],
                m.labels(records),
                [(r.width, r.height) for r in records],
                image_size=image_size,
                shuffle=True,
                cache_file=cache_file,
            )
            return one_pass(ds)

        def plain() -> int:
            ds = keras.utils.image_dataset_from_directory(
                folder, image_size=(image_size, image_size), batch_size=32, seed=0, verbose=False
            )
            return one_pass(ds)

        cache = Path(tmp) / "pixels"
        ours(cache)  # fills the per-size pixel cache, as a first training epoch does
        ours(), plain()  # warm up: graph tracing, file cache
        seconds = {"ours": [], "keras": [], "cached": []}
        for _ in range(rounds):
            for kind, fn in (("ours", ours), ("keras", plain), ("cached", lambda: ours(cache))):
                start = time.perf_counter()
                assert fn() == n
                seconds[kind].append(time.perf_counter() - start)
    return seconds


def _child(n: int, zip_path: str, home: str) -> None:
    """Runs in a fresh process: ingest the zip, one pass at 224 px, print peak RSS in MB."""
    from dashboard import datasets
    from dashboard.settings import Settings

    settings = Settings.from_env({"TLAB_HOME": home})
    with open(zip_path, "rb") as f:
        m = datasets.ingest_zip(settings, f, "rss").manifest
    seen = one_pass(datasets.training_data(settings, m, "train", image_size=224))
    seen += one_pass(datasets.training_data(settings, m, "val", image_size=224))
    assert seen == n, (seen, n)
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0)


def peak_rss_mb(n: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        zip_path = Path(tmp) / "data.zip"
        with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_STORED) as zf:
            for i in range(n):
                zf.writestr(f"gen/{CLASSES[i % 5]}/{i:05d}.jpg", photo(i, (320, 240)))
        out = subprocess.run(
            [sys.executable, "-m", "bench.loader", "--child", str(n), str(zip_path), tmp + "/h"],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parents[1],
        )
    return float(out.stdout.strip().splitlines()[-1])


def run() -> list[dict]:
    big = loader_rounds(1000, (640, 480))
    ips = {k: 1000 / statistics.median(v) for k, v in big.items()}
    print(
        f"# loader, 1000 photos 640x480 -> 224: ours {ips['ours']:.0f} img/s, keras "
        f"{ips['keras']:.0f} img/s, ours from the pixel cache {ips['cached']:.0f} img/s"
    )
    small = loader_rounds(1000, (128, 128))
    rss = [(peak_rss_mb(500), peak_rss_mb(4000)) for _ in range(3)]
    print(f"# peak RSS (500 images, 4000 images) per round, MB: {rss}")
    return [
        figure(
            "loader_vs_keras",
            ratios(big["keras"], big["ours"]),  # images/s ours over Keras'
            ">= 1.0",
            ours_ips=round(ips["ours"]),
            keras_ips=round(ips["keras"]),
        ),
        figure("loader_vs_keras[128px]", ratios(small["keras"], small["ours"]), "info"),
        figure("loader_vs_keras[cached_epoch]", ratios(big["keras"], big["cached"]), "info"),
        figure("rss_4000_minus_500_mb", [high - low for low, high in rss], "<= 400"),
    ]


if __name__ == "__main__" and sys.argv[1:2] == ["--child"]:
    _child(int(sys.argv[2]), sys.argv[3], sys.argv[4])
