"""One-click experiments: the run configurations the Compare page (and tools/figure4.py) queue."""

from __future__ import annotations

from dashboard.training import TrainConfig, default_config, same_schedule
from models.strategies import STRATEGIES, Strategy

FIRST_SEED = 42


def pretrained_vs_scratch(
    dataset_id: str,
    backbone: str,
    seeds: int,
    *,
    same_schedule_as_pretrained: bool = False,
    epochs: int | None = None,
) -> list[TrainConfig]:
    """Strategy 4 against 5 (He et al. 2018's figure 4), `seeds` runs each.

    By default each side trains with its own defaults: a random init needs a larger learning
    rate, a warm-up and more epochs (models/strategies.py). `same_schedule_as_pretrained` is
    He et al.'s protocol instead: scratch gets the pretrained run's schedule.
    """
    pretrained = default_config(dataset_id, backbone, Strategy.FULL_FINETUNE)
    scratch = default_config(dataset_id, backbone, Strategy.SCRATCH)
    if same_schedule_as_pretrained:
        scratch = same_schedule(scratch, pretrained)
    if epochs:
        pretrained, scratch = pretrained.with_(epochs=epochs), scratch.with_(epochs=epochs)
    return _seeded([pretrained, scratch], seeds)


def strategy_ladder(
    dataset_id: str, backbone: str, seeds: int, *, epochs: int | None = None
) -> list[TrainConfig]:
    configs = [default_config(dataset_id, backbone, s) for s in STRATEGIES]
    if epochs:
        configs = [c.with_(epochs=epochs) for c in configs]
    return _seeded(configs, seeds)


def _seeded(configs: list[TrainConfig], seeds: int) -> list[TrainConfig]:
    return [c.with_(seed=FIRST_SEED + i) for c in configs for i in range(seeds)]
