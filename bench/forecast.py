"""The check of "what to collect next" on real photos (`python -m bench forecast`): on
flowers-mini, the learning curves of half of each class's images forecast the accuracy with
all of them; the probe then measures it with all of them. Five different halves, each on its
own. Printed: each forecast with its 95% interval, the sum of the per-class forecasts, the
measured figure with its Wilson interval, and "nothing changes" (the half's own accuracy) as
the baseline a forecast must beat; the figures are how far each was off, over the halves.

Both figures are the same probe's 5-fold held-out accuracy (`dashboard.probes.class_curves`,
the fraction 1.0 point), on MobileNetV2's cached pretrained features (TLAB_WEIGHTS_DIR, or
the shared folder beside the checkout); the flowers come from TLAB_SHARED's datasets.
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

from bench.timing import figure  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BACKBONE = "MobileNetV2"
HALVES = 5  # different halves, each forecast on its own


def run() -> list[dict]:
    from dashboard import datasets, features, probes
    from dashboard.settings import Settings
    from dashboard.significance import wilson
    from models import catalog

    shared = Path(os.environ.get("TLAB_SHARED", ROOT.parent / "shared"))
    weights = os.environ.get("TLAB_WEIGHTS_DIR", str(shared / "keras-weights"))
    with tempfile.TemporaryDirectory() as home:
        settings = Settings.from_env({"TLAB_HOME": home, "TLAB_WEIGHTS_DIR": weights})
        data = (shared / "datasets" / "flowers-mini.zip").read_bytes()
        manifest = datasets.ingest_zip(settings, io.BytesIO(data), "flowers").manifest
        x, _ = features.stacked_features(settings, manifest, catalog.get(BACKBONE))
    index = {c: i for i, c in enumerate(manifest.classes)}
    labels = np.array([index[r.cls] for r in features.ordered_records(manifest)])
    full = probes.class_curves(x, labels)
    measured = 100 * full.every.recall[-1]
    low, high = (100 * v for v in wilson(measured / 100, len(labels)))
    print(
        f"# flowers-mini, {BACKBONE}, all {len(labels)} images: measured {measured:.1f}% "
        f"(Wilson 95% {low:.1f}-{high:.1f})",
        flush=True,
    )
    off, flat, inside = [], [], 0
    for seed in range(HALVES):
        forecast, now, every, summed = _from_half(x, labels, seed)
        off.append(forecast - measured)
        flat.append(now - measured)
        inside += now + every.low <= measured <= now + every.high
        print(
            f"# half {seed} ({len(labels) // 2} images): {now:.1f}%; forecast with all "
            f"{forecast:.1f}% (gain {every.gain:+.1f}, 95% interval {every.low:+.1f} to "
            f"{every.high:+.1f}; per-class forecasts summed {summed:+.1f}); off by "
            f"{forecast - measured:+.1f} (nothing-changes: {now - measured:+.1f})",
            flush=True,
        )
    print(f"# the measured figure inside the forecast's interval: {inside} of {HALVES}")
    return [
        figure("forecast_half_to_all_off_by_points", off, "info"),
        figure("forecast_flat_baseline_off_by_points", flat, "info"),
    ]


def _from_half(x, labels, seed: int):
    """Half of each class's images (drawn with `seed`): the accuracy there, and the forecast
    of the accuracy with all of them."""
    from dashboard import probes

    rng = np.random.default_rng(seed)
    half = np.concatenate(
        [
            rng.permutation(np.flatnonzero(labels == c))[: (labels == c).sum() // 2]
            for c in np.unique(labels)
        ]
    )
    curves = probes.class_curves(x[half], labels[half])
    more = int(round((len(labels) - len(half)) / len(np.unique(labels))))
    every = probes.forecast(curves.every, more)
    summed = sum(probes.forecast(c, more).gain for c in curves.per_class)
    now = 100 * curves.every.recall[-1]
    return now + every.gain, now, every, summed
