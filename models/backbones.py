"""Build catalog backbones with resolved weights.

`build(backbone, ...)` is the one place that calls a `keras.applications` builder. It resolves the
weights first (offline folder, Keras cache, download) so a missing file is a clear message instead
of a stack trace from deep inside a download.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path

import keras

from models.catalog import Backbone
from models.naming import fresh_layer_names
from models.weights import (
    WeightsSource,
    WeightsUnavailable,
    download_failed,
    missing_message,
    resolve,
)

# Keras' builders share module state (name counters, the download cache); one build at a time.
_BUILD_LOCK = threading.Lock()
# Random initial weights come from process-wide generators (`set_random_seed` seeds Python's,
# NumPy's and TensorFlow's; Keras draws each initializer's seed from Python's): while one thread
# builds, no other may reseed or draw from them (the trainer, the advisor and Explore all build).
# Keras' dtype policy, by contrast, is per thread.
_BUILDING = threading.RLock()


@contextlib.contextmanager
def building(seed: int | None = None) -> Iterator[None]:
    """Hold while building models; with `seed`, their random initial weights depend on it alone."""
    with _BUILDING:
        if seed is not None:
            keras.utils.set_random_seed(seed)
        yield


def weights_source(
    backbone: Backbone, *, include_top: bool, weights_dir: Path | None, allow_download: bool
) -> WeightsSource:
    filename = backbone.weights_top if include_top else backbone.weights_notop
    return resolve(
        filename,
        what=backbone.label,
        size_mb=backbone.download_mb,
        weights_dir=weights_dir,
        allow_download=allow_download,
    )


def build(
    backbone: Backbone,
    *,
    include_top: bool = True,
    pretrained: bool = True,
    input_size: int | None = None,
    weights_dir: Path | None = None,
    allow_download: bool = True,
) -> keras.Model:
    """Build `backbone`; with `pretrained`, load its ImageNet weights or raise WeightsUnavailable.

    The model takes `preprocess_input`-ed RGB images of (size, size, 3). With the top, the size is
    the catalog's; without it, `input_size` may differ (Keras loads the same conv weights).
    """
    size = backbone.input_size if include_top or input_size is None else input_size
    kwargs = dict(backbone.kwargs)
    kwargs.update(include_top=include_top, input_shape=(size, size, 3))
    weights = None
    if pretrained:
        source = weights_source(
            backbone,
            include_top=include_top,
            weights_dir=weights_dir,
            allow_download=allow_download,
        )
        weights = source.keras_arg
    builder = getattr(keras.applications, backbone.builder)
    with _BUILD_LOCK, fresh_layer_names():
        try:
            return builder(weights=weights, **kwargs)
        except WeightsUnavailable:
            raise
        except Exception as exc:
            if weights != "imagenet":
                raise
            # The download failed: no network, a proxy, a half-written cache file.
            filename = backbone.weights_top if include_top else backbone.weights_notop
            download_failed(filename, f"{type(exc).__name__}: {exc}")
            raise WeightsUnavailable(
                missing_message(backbone.label, filename, backbone.download_mb, weights_dir)
                + f" (Download error: {exc})"
            ) from exc
