"""The classifier a run trains, built the one way the trainer and the learning-rate finder
share: the catalog backbone (pretrained or random, at the run's image size) under the
strategy's head and freezing."""

from __future__ import annotations

import contextlib

from dashboard.settings import Settings
from dashboard.training.config import TrainConfig
from models import backbones, catalog, devices
from models.classifier import Classifier, build_classifier
from models.strategies import STRATEGIES


def classifier(
    settings: Settings, config: TrainConfig, n_classes: int, precision: str | None = None
) -> Classifier:
    """Seeded by `config.seed`; `precision` (a Keras dtype policy) applies while building."""
    backbone, strategy = catalog.get(config.backbone), STRATEGIES[config.strategy]
    policy = devices.dtype_policy(precision) if precision else contextlib.nullcontext()
    with backbones.building(config.seed), policy:
        base = backbones.build(
            backbone,
            include_top=False,
            pretrained=strategy.pretrained,
            input_size=config.image_size,
            weights_dir=settings.weights_dir,
            allow_download=settings.allow_download,
        )
        return build_classifier(
            backbone,
            base,
            n_classes,
            strategy,
            config.image_size,
            config.augment,
            config.seed,
            config.augmentations,
        )
