"""Features: what pretrained (and random) networks compute from a dataset's images, cached on
disk under named keys: pooled vectors per split, activations at a cut, any other array a unit
keeps (a sample's features, classifier outputs, a 2-D map). Below training, the advisor and the
feature space, which all read the same entries; the one place of the shared random seed.

Other packages use only the names below; the modules behind them are this package's own.
"""

from dashboard.features.cache import (
    FeatureCache,
    FeatureKey,
    cache_sizes,
    cached_array,
    clear_caches,
    weights_identity,
)
from dashboard.features.passes import (
    FEATURE_SPLITS,
    RANDOM_SEED,
    RANDOM_WEIGHTS,
    labels,
    ordered_records,
    pooled_model,
    pretrained_weights_id,
    random_model,
    split_features,
    stacked_features,
)

__all__ = [
    "FEATURE_SPLITS",
    "RANDOM_SEED",
    "RANDOM_WEIGHTS",
    "FeatureCache",
    "FeatureKey",
    "cache_sizes",
    "cached_array",
    "clear_caches",
    "labels",
    "ordered_records",
    "pooled_model",
    "pretrained_weights_id",
    "random_model",
    "split_features",
    "stacked_features",
    "weights_identity",
]
