"""feature_maps_vs_predict: every stage's feature maps for one image, against the same model's
plain forward pass on that image (`model.predict_on_batch`: one pass, no per-call set-up, as
ours), same process; 30 interleaved rounds of 20 calls a side. Goal <= 1.1: all stages for the
price of one pass.

Ours is the Explore page's path: one multi-output forward pass (`FeatureExtractor`). Info,
`feature_maps_vs_predict[model.predict]`: against `model.predict` on that image, what a
notebook writes, whose per-call set-up (a data adapter, a callback list) costs more than a
small model's pass: that ratio (0.08 before) says how much set-up ours skips, not what the
stages cost. Weights do not change the cost, so the models are built with random init and the
benchmark needs no weight files.
"""

from __future__ import annotations

import os
import statistics

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

from bench.timing import figure, interleaved_seconds, ratios  # noqa: E402
from models import backbones, catalog, feature_maps  # noqa: E402

MODELS = ("MobileNet_0.25_128", "MobileNetV2", "ResNet50")  # the first one is the figure
REPEATS = 30
CALLS = 20  # calls per side per round: one call of a small model (ms) is mostly timer noise


def measure(key: str) -> tuple[list[float], list[float], list[float], list[float]]:
    """Seconds per round: ours and `predict_on_batch` (the figure), then ours and `predict`."""
    b = catalog.get(key)
    model = backbones.build(b, pretrained=False)
    extractor = feature_maps.FeatureExtractor(model, b.stages)
    rng = np.random.default_rng(0)
    batch = b.preprocess_input(rng.uniform(0, 255, (1, b.input_size, b.input_size, 3)))
    batch = np.asarray(batch, dtype="float32")
    # The same forward pass on both sides: what the extra outputs themselves cost.
    ours, bare = interleaved_seconds(
        _times(lambda: extractor(batch)), _times(lambda: model.predict_on_batch(batch)), REPEATS
    )
    ours_again, plain = interleaved_seconds(
        _times(lambda: extractor(batch)), _times(lambda: model.predict(batch, verbose=0)), REPEATS
    )
    return ours, bare, ours_again, plain


def _times(fn):
    """`fn` CALLS times in a row: one round's work on a side."""

    def many() -> None:
        for _ in range(CALLS):
            fn()

    return many


def run() -> list[dict]:
    figures = []
    for i, key in enumerate(MODELS):
        ours, bare, ours_again, plain = measure(key)
        ms = {k: statistics.median(v) * 1e3 for k, v in (("o", ours), ("p", plain), ("b", bare))}
        print(
            f"# {key}: all {len(catalog.get(key).stages)} stages {ms['o']:.1f} ms, "
            f"model.predict {ms['p']:.1f} ms, model.predict_on_batch {ms['b']:.1f} ms "
            f"(per {CALLS} calls, medians of {REPEATS} rounds)",
            flush=True,
        )
        suffix = "" if i == 0 else f"[{key}]"
        like = ratios(ours, bare)
        figures.append(
            figure(f"feature_maps_vs_predict{suffix}", like, "<= 1.1" if not i else "info")
        )
        notebook = ratios(ours_again, plain)
        figures.append(figure(f"feature_maps_vs_predict[model.predict]{suffix}", notebook, "info"))
    return figures
