"""The learning-rate finder for a training form: the range test on the run's own model and data.

It builds the classifier exactly as the trainer would (backbone, weights, strategy, image size,
augmentation) and runs `models.lr_finder.range_test` on it: on cached pooled features for
head-only strategies (the same cache entries the trainer uses, so it costs milliseconds once
they exist), on images otherwise. Results are stored per (dataset, backbone, weights, strategy,
image size, batch size, augmentation, seed) under TLAB_HOME/cache/lr_finder, so asking again is
free.
"""

from __future__ import annotations

import hashlib
import json

import numpy as np

from dashboard import datasets, features
from dashboard.i18n import _
from dashboard.progress import Progress, silent
from dashboard.runs import sync
from dashboard.settings import Settings
from dashboard.training import build
from dashboard.training.config import TrainConfig
from models import catalog, fitting, lr_finder
from models.strategies import STRATEGIES

VERSION = 1
STEPS = 80


def _entry(settings: Settings, config: TrainConfig) -> str:
    backbone = catalog.get(config.backbone)
    strategy = STRATEGIES[config.strategy]
    weights = (
        features.pretrained_weights_id(settings, backbone) if strategy.pretrained else "random-init"
    )
    parts = [VERSION, config.dataset_id, config.backbone, weights, config.strategy]
    parts += [config.image_size, config.batch_size, config.augment, config.seed]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:24]


def _path(settings: Settings, config: TrainConfig):
    return settings.cache_dir("lr_finder") / f"{_entry(settings, config)}.json"


def cached(settings: Settings, config: TrainConfig) -> lr_finder.RangeTest | None:
    path = sync.pull(settings, _path(settings, config))  # maybe from another server
    if path is None:
        return None
    try:
        return lr_finder.RangeTest.from_dict(json.loads(path.read_text()))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def find(
    settings: Settings,
    config: TrainConfig,
    say: Progress = silent,
) -> lr_finder.RangeTest:
    """The range test for `config` (cached), its progress told to `say`.

    Raises WeightsUnavailable or DatasetError with a message for the page.
    """
    settings.check_writable("training")
    found = cached(settings, config)
    if found is not None:
        return found
    result = _measure(settings, config, say)
    sync.write_text(settings, _path(settings, config), json.dumps(result.to_dict()))
    return result


def _measure(settings: Settings, config: TrainConfig, say: Progress) -> lr_finder.RangeTest:
    manifest = datasets.get(settings, config.dataset_id)
    strategy = STRATEGIES[config.strategy]
    say(0.0, _("building the model"))
    clf = build.classifier(settings, config, len(manifest.classes))
    if strategy.pretrained and not config.augment and strategy.head_epochs(config.epochs):
        # The form's rate is the head's (strategies 1-4 train it alone first, on a frozen
        # base): without augmentation that runs on the trainer's cached features.
        say(0.0, _("computing features (cached for training)"))
        model, batches = clf.head, _feature_batches(settings, config, manifest, clf)
    else:
        # No pixel cache: a training run may be writing the same cache file right now.
        data = datasets.training_data(
            settings,
            manifest,
            "train",
            image_size=config.image_size,
            batch_size=config.batch_size,
            shuffle=True,
            seed=config.seed,
        )
        model, batches = clf.train_model, lambda: iter(data)
    fitting.compile_model(model, 1e-3)

    def on_step(step, steps):
        say(
            step / steps,
            _("learning-rate range test · step {step}/{steps}").format(step=step, steps=steps),
        )

    return lr_finder.range_test(model, batches, steps=STEPS, on_step=on_step)


def _feature_batches(settings: Settings, config: TrainConfig, manifest, clf):
    """Batches of the training split's cached pooled features, shuffled once (the cache holds
    them class by class)."""
    backbone = catalog.get(config.backbone)
    weights_id = features.pretrained_weights_id(settings, backbone)
    ((x, y), _), _ = features.split_features(
        settings,
        manifest,
        backbone.key,
        weights_id,
        config.image_size,
        lambda: clf.features,
        config.batch_size,
    )
    order = np.random.default_rng(config.seed).permutation(len(x))
    x, y, bs = x[order], y[order], config.batch_size
    return lambda: ((x[i : i + bs], y[i : i + bs]) for i in range(0, len(x), bs))
