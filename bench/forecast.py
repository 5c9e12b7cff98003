"""The check of "what to collect next" on real photos (`python -m bench forecast`): on
flowers-mini, the learning curves of half of each class's images forecast the accuracy with
all of them; the probe then measures it with all of them. Printed: the forecast with its 95%
interval, the sum of the per-class forecasts, the measured figure with its Wilson interval,
and "nothing changes" (the half's own accuracy) as the baseline a forecast must beat.

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
    rng = np.random.default_rng(0)
    half = np.concatenate(
        [
            rng.permutation(np.flatnonzero(labels == c))[: (labels == c).sum() // 2]
            for c in index.values()
        ]
    )
    from_half = probes.class_curves(x[half], labels[half])
    full = probes.class_curves(x, labels)
    more = int(
        round(np.mean([(labels == c).sum() - (labels[half] == c).sum() for c in index.values()]))
    )
    every = probes.forecast(from_half.every, more)
    summed = sum(probes.forecast(c, more).gain for c in from_half.per_class)
    now = 100 * from_half.every.recall[-1]
    measured = 100 * full.every.recall[-1]
    low, high = (100 * v for v in wilson(measured / 100, len(labels)))
    forecast = now + every.gain
    print(
        f"# flowers-mini, {BACKBONE}: half ({len(half)} images) {now:.1f}%; forecast with all "
        f"{len(labels)}: {forecast:.1f}% (gain {every.gain:+.1f}, 95% interval "
        f"{every.low:+.1f} to {every.high:+.1f}; per-class forecasts summed {summed:+.1f}); "
        f"measured {measured:.1f}% (Wilson 95% {low:.1f}-{high:.1f}); off by "
        f"{forecast - measured:+.1f} points (the nothing-changes baseline: "
        f"{now - measured:+.1f})",
        flush=True,
    )
    return [
        figure("forecast_half_to_all_off_by_points", [forecast - measured], "info"),
        figure("forecast_flat_baseline_off_by_points", [now - measured], "info"),
    ]
