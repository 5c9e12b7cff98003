"""What a run trains and is evaluated on, built once per run."""

from __future__ import annotations

from dataclasses import dataclass, field

from dashboard import datasets
from dashboard.runs import sync
from dashboard.settings import Settings
from dashboard.training.config import TrainConfig


@dataclass
class RunData:
    """A run's dataset and its image feeds: each split's `tf.data` pipeline is built on first
    use and then shared by training, validation inside `fit`, evaluation and the export's
    parity check. Feeds keep decoded pixels on disk (TLAB_HOME/cache/pixels), so the second
    pass over a split skips decoding."""

    settings: Settings
    manifest: datasets.Manifest
    feeds: dict[str, object] = field(default_factory=dict)

    def count(self, split: str) -> int:
        return len(self.manifest.records(split))

    def feed(self, split: str, config: TrainConfig):
        """Batches of (float32 0-255 images, labels); shuffled for "train" only."""
        if split not in self.feeds:
            prefix = datasets.pixel_cache(self.settings, self.manifest, (split,), config.image_size)
            sync.pull_pixel_cache(self.settings, prefix)  # decoded on another machine
            self.feeds[split] = datasets.training_data(
                self.settings,
                self.manifest,
                split,
                image_size=config.image_size,
                batch_size=config.batch_size,
                shuffle=split == "train",
                seed=config.seed,
                cache=True,
            )
        return self.feeds[split]

    def share_caches(self) -> None:
        """Push the decoded pixels this run cached (team mode: TLAB_STORE_URL)."""
        sync.push_pixel_caches(self.settings, self.manifest.id)
