"""Dataset loading benchmarks.

loader_vs_keras: images/s of our input pipeline over `keras.utils.image_dataset_from_directory`
on the same images, same run, each timed from "create the dataset" to "one full pass done",
cold (no pixel cache), median of 5 interleaved passes. Goal >= 1.0. Info figures: the same on
small 128 px images (no JPEG downscaling to gain), and a later epoch read from our pixel cache.
The images are generated photos, written once as class folders (what Keras reads)
and ingested into our store (what ours reads: the same JPEG bytes, stored as uploaded).

rss_4000_minus_500_mb: peak resident memory of a fresh process that ingests a zip of N
generated images and makes one pass of the pipeline, for N = 4000 minus N = 500. Goal <= 400.
"""

from __future__ import annotations

import io
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from bench.timing import figure  # noqa: E402

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


def loader_ratio(n: int, size: tuple[int, int], image_size: int = 224, repeats: int = 5):
    import keras

    from dashboard import datasets
    from dashboard.settings import Settings
    from models.input_pipeline import image_dataset

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "folder"
        files = write_folder(folder, n, size)
        settings = Settings.from_env({"TLAB_HOME": str(Path(tmp) / "home")})
        m = datasets.ingest_files(settings, files, "bench").manifest
        store = datasets.store(settings)

        def ours(cache_file=None) -> int:
            ds = image_dataset(
                [store.image_path(m, r) for r in m.images],
                [m.classes.index(r.cls) for r in m.images],
                [(r.width, r.height) for r in m.images],
                image_size=image_size,
                shuffle=True,
                cache_file=cache_file,
            )
            return one_pass(ds)

        cache = Path(tmp) / "pixels"
        ours(cache)  # fills the per-size pixel cache, as a first training epoch does
        start = time.perf_counter()
        ours(cache)
        cached = n / (time.perf_counter() - start)

        def plain() -> int:
            ds = keras.utils.image_dataset_from_directory(
                folder, image_size=(image_size, image_size), batch_size=32, seed=0, verbose=False
            )
            return one_pass(ds)

        ours(), plain()  # warm up: graph tracing, file cache
        t_ours, t_plain = [], []
        for _ in range(repeats):
            for fn, times in ((ours, t_ours), (plain, t_plain)):
                start = time.perf_counter()
                assert fn() == n
                times.append(time.perf_counter() - start)
    return n / np.median(t_ours), n / np.median(t_plain), cached


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
    ours, plain, cached = loader_ratio(1000, (640, 480))
    print(
        f"# loader, 1000 photos 640x480 -> 224: ours {ours:.0f} img/s, keras {plain:.0f} img/s, "
        f"ours from the pixel cache {cached:.0f} img/s"
    )
    small_ours, small_plain, _ = loader_ratio(1000, (128, 128))
    print(f"# loader, 1000 photos 128x128 -> 224: ours {small_ours:.0f}, keras {small_plain:.0f}")
    low, high = peak_rss_mb(500), peak_rss_mb(4000)
    print(f"# peak RSS: 500 images {low:.0f} MB, 4000 images {high:.0f} MB")
    return [
        figure(
            "loader_vs_keras", ours / plain, ">= 1.0", ours_ips=round(ours), keras_ips=round(plain)
        ),
        figure("loader_vs_keras[128px]", small_ours / small_plain, "info"),
        figure("loader_vs_keras[cached_epoch]", cached / plain, "info"),
        figure(
            "rss_4000_minus_500_mb", high - low, "<= 400", rss_500=round(low), rss_4000=round(high)
        ),
    ]


if __name__ == "__main__" and sys.argv[1:2] == ["--child"]:
    _child(int(sys.argv[2]), sys.argv[3], sys.argv[4])
