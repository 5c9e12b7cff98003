"""A classifier on a backbone: raw images in, class probabilities out, preprocessing inside.

    image (0-255) -> preprocessing -> base(x, training=False) -> pooling -> head -> softmax
    train_model = augmentation -> the model above (augmentation never reaches the export)

`base(x, training=False)` keeps BatchNorm in inference mode even when base layers are unfrozen
(keras.io transfer learning guide); the from-scratch baseline instead lets BatchNorm learn.
After changing `trainable`, the model must be compiled again: `set_trainable` says so by
returning the layers it changed, and `fitting.compile_model` is how callers recompile.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import keras

from models import preprocessing
from models.augmentations import augmentation
from models.batchnorm import PreciseBatchNorm
from models.catalog import Backbone
from models.strategies import StrategyRow


@dataclass
class Classifier:
    model: keras.Model  # raw images -> probabilities; what is exported
    train_model: keras.Model  # augmentation + model; what is fitted on images
    features: keras.Model  # raw images -> pooled features (the cacheable part)
    head: keras.Model  # pooled features -> probabilities
    base: keras.Model
    strategy: StrategyRow
    backbone: Backbone

    @property
    def batchnorm_learns(self) -> bool:
        """From scratch, BatchNorm trains and its statistics must be re-estimated (precise BN)."""
        return self.strategy.trains_base and not self.strategy.pretrained

    def with_features(self) -> keras.Model:
        """Raw images -> (probabilities, pooled features), both from one forward pass."""
        return keras.Model(self.model.inputs[0], [self.model.output, self.features.output])

    def precise_batchnorm(self, max_images: int = 1024) -> PreciseBatchNorm:
        """Re-estimates the base's BatchNorm statistics from raw training images."""
        raw = keras.Input(self.model.inputs[0].shape[1:], name="raw")
        preprocess = keras.Model(raw, preprocessing.apply(self.backbone.module, raw))
        return PreciseBatchNorm(self.base, preprocess, max_images)


def build_head(n_features: int, n_classes: int, kind: str) -> keras.Model:
    layers = [keras.Input((n_features,), name="pooled")]
    if kind == "mlp":
        layers += [
            keras.layers.Dense(256, activation="relu", name="fc1"),
            keras.layers.Dropout(0.3),
            keras.layers.Dense(128, activation="relu", name="fc2"),
        ]
    layers += [
        keras.layers.Dropout(0.2),
        # float32 output even under mixed precision: softmax in float16 is unstable.
        keras.layers.Dense(n_classes, activation="softmax", dtype="float32", name="predictions"),
    ]
    return keras.Sequential(layers, name=f"{kind}_head")


def on_raw_images(
    backbone: Backbone, base: keras.Model, inputs, frozen_bn: bool = True, pool: bool = True
):
    """raw 0-255 RGB -> the backbone's preprocessing -> base -> global average pooling (`pool`)."""
    x = preprocessing.apply(backbone.module, inputs)
    x = base(x, training=False) if frozen_bn else base(x)
    return keras.layers.GlobalAveragePooling2D(name="pool")(x) if pool else x


def raw_image_model(backbone: Backbone, base: keras.Model, image_size: int, pool: bool = True):
    """A model on raw images with `base` in inference mode: pooled features (the same graph as a
    classifier's `features`, so both fill the same feature cache), or with `pool=False` the
    base's own output (a model with its ImageNet top)."""
    inputs = keras.Input((image_size, image_size, 3), name="image")
    outputs = on_raw_images(backbone, base, inputs, pool=pool)
    return keras.Model(inputs, outputs, name=f"{base.name}_raw")


def build_classifier(
    backbone: Backbone,
    base: keras.Model,
    n_classes: int,
    strategy: StrategyRow,
    image_size: int,
    augment: bool,
    seed: int = 42,
    augmentations: Mapping[str, float] | None = None,
) -> Classifier:
    inputs = keras.Input((image_size, image_size, 3), name="image")
    # Pretrained: BatchNorm in inference mode always. Scratch: BatchNorm must learn its stats.
    pooled = on_raw_images(backbone, base, inputs, frozen_bn=strategy.pretrained)
    head = build_head(int(pooled.shape[-1]), n_classes, strategy.head)
    model = keras.Model(inputs, head(pooled), name=f"{backbone.key}_{strategy.key}")
    features = keras.Model(inputs, pooled, name="features")
    layers = augmentation(seed, augmentations) if augment else None
    if layers is not None and layers.layers:  # every strength at 0 augments nothing
        raw = keras.Input((image_size, image_size, 3), name="raw")
        train_model = keras.Model(raw, model(layers(raw)), name="train_model")
    else:
        train_model = model
    clf = Classifier(model, train_model, features, head, base, strategy, backbone)
    set_trainable(clf, phase=1)
    return clf


def _top_block_start(clf: Classifier, blocks: int) -> int:
    """Index in base.layers of the first layer of the top `blocks` catalog stages."""
    stages = clf.backbone.stages
    blocks = max(1, min(blocks, len(stages) - 1))
    cut = stages[-(blocks + 1)]
    names = [layer.name for layer in clf.base.layers]
    return names.index(cut) + 1


@dataclass
class CutModels:
    """StrategyRow 3's classifier split below its first unfrozen block.

    `below` (raw images -> activations at the cut) is frozen, so its output can be computed
    once per image and cached; `above` (activations -> probabilities) holds the unfrozen
    blocks and the head, the same layer objects as the classifier's, so training `above`
    trains the exported model. An epoch then costs only the unfrozen blocks.
    """

    layer: str  # the base's layer at the cut
    below: keras.Model
    above: keras.Model


def split_at_cut(clf: Classifier) -> CutModels:
    start = _top_block_start(clf, clf.strategy.unfreeze_blocks)
    cut = clf.base.layers[start - 1]
    bottom = keras.Model(clf.base.inputs, cut.output, name="below_cut")
    top = keras.Model(cut.output, clf.base.output, name="above_cut")
    raw = keras.Input(clf.model.inputs[0].shape[1:], name="image")
    below = keras.Model(raw, bottom(preprocessing.apply(clf.backbone.module, raw), training=False))
    activations = keras.Input(cut.output.shape[1:], name="cut_activations")
    # training=False as in the classifier: pretrained BatchNorm stays in inference mode.
    pooled = keras.layers.GlobalAveragePooling2D(name="pool")(top(activations, training=False))
    above = keras.Model(activations, clf.head(pooled), name="above_cut_classifier")
    return CutModels(cut.name, below, above)


def set_trainable(clf: Classifier, phase: int) -> list[str]:
    """Apply the strategy's trainable set for phase 1 (or 2, strategy 3's unfreeze).

    Returns the names of base layers that are trainable; recompile after calling this.
    """
    base, s = clf.base, clf.strategy
    base_trains = s.trains_base and (phase == 2 or not s.two_phases)
    if base_trains or (s.unfreeze_blocks and phase == 2):
        base.trainable = True
        start = 0 if s.trains_base else _top_block_start(clf, s.unfreeze_blocks)
        for i, layer in enumerate(base.layers):
            is_bn = isinstance(layer, keras.layers.BatchNormalization)
            # Pretrained BatchNorm statistics stay frozen; from scratch they must be learnt.
            layer.trainable = i >= start and (not is_bn or not s.pretrained)
    else:
        base.trainable = False
    return [layer.name for layer in base.layers if layer.trainable and layer.weights]
