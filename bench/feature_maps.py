"""feature_maps_vs_predict: every stage's feature maps for one image, against one plain
`model.predict` on that image, same model, same process. Goal <= 1.3.

Ours is the Explore page's path: one multi-output forward pass (`FeatureExtractor`). The
baseline is what a notebook does to classify one image. Weights do not change the cost, so the
models are built with random init and the benchmark needs no weight files.
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


def measure(key: str) -> tuple[list[float], list[float], list[float], list[float]]:
    """Seconds per round: ours and `predict`, then ours and `predict_on_batch`."""
    b = catalog.get(key)
    model = backbones.build(b, pretrained=False)
    extractor = feature_maps.FeatureExtractor(model, b.stages)
    rng = np.random.default_rng(0)
    batch = b.preprocess_input(rng.uniform(0, 255, (1, b.input_size, b.input_size, 3)))
    batch = np.asarray(batch, dtype="float32")
    ours, plain = interleaved_seconds(
        lambda: extractor(batch), lambda: model.predict(batch, verbose=0), REPEATS
    )
    # The same forward pass without predict()'s per-call set-up: isolates what the extra
    # outputs themselves cost.
    ours_again, bare = interleaved_seconds(
        lambda: extractor(batch), lambda: model.predict_on_batch(batch), REPEATS
    )
    return ours, plain, ours_again, bare


def run() -> list[dict]:
    figures = []
    for i, key in enumerate(MODELS):
        ours, plain, ours_again, bare = measure(key)
        ms = {k: statistics.median(v) * 1e3 for k, v in (("o", ours), ("p", plain), ("b", bare))}
        print(
            f"# {key}: all {len(catalog.get(key).stages)} stages {ms['o']:.1f} ms, "
            f"model.predict {ms['p']:.1f} ms, model.predict_on_batch {ms['b']:.1f} ms "
            f"(medians of {REPEATS})",
            flush=True,
        )
        suffix = "" if i == 0 else f"[{key}]"
        figures.append(figure(f"feature_maps_vs_predict{suffix}", ratios(ours, plain), "<= 1.3"))
        on_batch = ratios(ours_again, bare)
        figures.append(figure(f"feature_maps_vs_predict_on_batch{suffix}", on_batch, "info"))
    return figures
