"""The one-click experiments' run configurations."""

from __future__ import annotations

from dashboard.compare import experiments
from dashboard.training import default_config

BACKBONE = "MobileNet_0.25_224"


def test_pretrained_vs_scratch_gives_each_side_its_own_defaults_and_n_seeds():
    configs = experiments.pretrained_vs_scratch("ds", BACKBONE, 3)
    assert [(c.strategy, c.seed) for c in configs] == [
        ("full_finetune", 42),
        ("full_finetune", 43),
        ("full_finetune", 44),
        ("scratch", 42),
        ("scratch", 43),
        ("scratch", 44),
    ]
    scratch = configs[-1]
    assert scratch == default_config("ds", BACKBONE, "scratch").with_(seed=44)
    assert (scratch.schedule, scratch.image_size, scratch.epochs) == ("warmup_cosine", 128, 40)
    assert configs[0].image_size == 224 and configs[0].schedule == "constant"


def test_same_schedule_is_he_et_al_protocol_and_epochs_override_both():
    pre, scratch = experiments.pretrained_vs_scratch(
        "ds", BACKBONE, 1, same_schedule_as_pretrained=True
    )
    for field in ("epochs", "learning_rate", "schedule", "image_size", "augment", "batch_size"):
        assert getattr(scratch, field) == getattr(pre, field), field
    assert scratch.strategy == "scratch" and pre.strategy == "full_finetune"
    short = experiments.pretrained_vs_scratch("ds", BACKBONE, 1, epochs=5)
    assert [c.epochs for c in short] == [5, 5]
    ladder = experiments.strategy_ladder("ds", BACKBONE, 2)
    assert len(ladder) == 10 and len({c.key() for c in ladder}) == 10
