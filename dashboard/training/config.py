"""A training run's settings, with defaults per strategy, and the key that identifies it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, replace

from models import catalog
from models.strategies import STRATEGIES


@dataclass(frozen=True)
class TrainConfig:
    dataset_id: str
    backbone: str
    strategy: str
    epochs: int
    batch_size: int
    learning_rate: float
    image_size: int
    augment: bool
    early_stopping: bool
    seed: int
    schedule: str = "constant"  # or "warmup_cosine": models.fitting.learning_rate_schedule
    folds: int = 0  # a head-only run also cross-validates its head over this many folds (0: no)
    augmentations: dict[str, float] | None = (
        None  # strengths (models.augmentations); None: defaults
    )
    resume_from: str = ""  # a run id: go on from its checkpoint (`epochs`: the total, its own in)
    init_from: str = ""  # a run id: start from its trained weights (a newer version of the data)

    def to_dict(self) -> dict:
        return asdict(self)

    def key(self) -> str:
        """Same key = same run: resubmitting returns the stored result. A field added later
        leaves the key of a config that keeps its default as it was."""
        d = self.to_dict()
        for added in ("folds", "augmentations", "resume_from", "init_from"):
            if not d[added]:
                del d[added]
        text = json.dumps(d, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:20]

    def with_(self, **changes) -> TrainConfig:
        return replace(self, **changes)


def default_config(dataset_id: str, backbone: str, strategy: str) -> TrainConfig:
    s, b = STRATEGIES[strategy], catalog.get(backbone)
    return TrainConfig(
        dataset_id=dataset_id,
        backbone=backbone,
        strategy=strategy,
        epochs=s.epochs,
        batch_size=s.batch_size,
        learning_rate=s.learning_rate,
        image_size=s.image_size or b.input_size,
        augment=s.augment,
        early_stopping=False,
        seed=42,
        schedule=s.schedule,
    )


def same_schedule(config: TrainConfig, reference: TrainConfig) -> TrainConfig:
    """`config` trained with `reference`'s schedule (He et al.'s protocol: the scratch baseline
    gets the pretrained run's epochs, learning rate, schedule, image size and augmentation)."""
    return config.with_(
        epochs=reference.epochs,
        learning_rate=reference.learning_rate,
        schedule=reference.schedule,
        image_size=reference.image_size,
        augment=reference.augment,
        augmentations=reference.augmentations,
        batch_size=reference.batch_size,
    )


def from_dict(d: dict) -> TrainConfig:
    """A stored config; fields added since it was stored take their defaults."""
    return TrainConfig(**{k: d[k] for k in TrainConfig.__dataclass_fields__ if k in d})
