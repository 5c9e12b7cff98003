"""The strategy ladder: what to train, from the tutorial's size x similarity chart.

1-2 freeze the ImageNet base and train a new head (small data, similar to ImageNet).
3 unfreezes the top blocks after the head has settled (more data, or less similar).
4 trains the whole network with augmentation (different data).
5 is the baseline He et al. (2018) compare against: the same network from random init.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from models.words import N_


class Strategy(StrEnum):
    """A strategy's key. A `StrEnum`, so it compares equal to the text runs store ("scratch")."""

    LINEAR_HEAD = "linear_head"
    MLP_HEAD = "mlp_head"
    FINETUNE_TOP = "finetune_top"
    FULL_FINETUNE = "full_finetune"
    SCRATCH = "scratch"


@dataclass(frozen=True)
class StrategyRow:
    """One rung of the ladder: what it trains, and the defaults it trains with."""

    key: Strategy
    title: str  # N_: the page translates it (dashboard.i18n._)
    advice: str  # N_, as the title
    pretrained: bool  # start from ImageNet weights
    head: str  # "linear" or "mlp"
    epochs: int
    learning_rate: float
    augment: bool
    unfreeze_blocks: int = 0  # 3: top blocks (catalog stages) trained in phase 2
    finetune_lr_factor: float = 0.01  # phase 2 learning rate = learning_rate x this
    trains_base: bool = False
    schedule: str = "constant"  # or "warmup_cosine": fitting.learning_rate_schedule
    image_size: int | None = None  # None: the backbone's own input size
    batch_size: int = 32
    head_share: float = 0.0  # share of the epochs that train the head alone, before the base

    @property
    def head_only(self) -> bool:
        """Trains only the head on a frozen base, so the base's features can be cached."""
        return not self.trains_base and self.unfreeze_blocks == 0

    @property
    def two_phases(self) -> bool:
        """The head trains alone first, then (some of) the base with it."""
        return not self.head_only and self.head_share > 0

    def head_epochs(self, epochs: int) -> int:
        """Epochs of the head-only phase out of `epochs`."""
        if self.head_only:
            return epochs
        return max(1, int(epochs * self.head_share)) if self.head_share else 0


STRATEGIES: dict[Strategy, StrategyRow] = {
    s.key: s
    for s in (
        StrategyRow(
            key=Strategy.LINEAR_HEAD,
            title=N_("1 · Linear head on a frozen base"),
            advice=N_(
                "Small dataset, similar to ImageNet: keep every pretrained feature, learn one "
                "layer."
            ),
            pretrained=True,
            head="linear",
            epochs=20,
            learning_rate=1e-2,
            augment=False,
        ),
        StrategyRow(
            key=Strategy.MLP_HEAD,
            title=N_("2 · MLP head on a frozen base"),
            advice=N_(
                "Larger dataset, similar to ImageNet: several fully connected layers on top."
            ),
            pretrained=True,
            head="mlp",
            epochs=20,
            learning_rate=3e-3,
            augment=False,
        ),
        StrategyRow(
            key=Strategy.FINETUNE_TOP,
            title=N_("3 · Fine-tune the top blocks"),
            advice=N_(
                "Large dataset, somewhat different: head first, then retrain the deepest "
                "blocks with a low learning rate (BatchNorm stays frozen)."
            ),
            pretrained=True,
            head="linear",
            epochs=10,
            learning_rate=1e-2,
            augment=False,
            unfreeze_blocks=2,
            head_share=0.5,
        ),
        # Head first, then everything (linear probe, then fine-tune: Kumar et al. 2022): a
        # random head's large early gradients would otherwise distort the pretrained features.
        # learning_rate is the head's; the whole network then trains at x finetune_lr_factor.
        StrategyRow(
            key=Strategy.FULL_FINETUNE,
            title=N_("4 · Full fine-tune with augmentation"),
            advice=N_(
                "Small dataset, different from ImageNet: augment, settle a new head, then "
                "retrain the whole network from the pretrained start with a low learning rate."
            ),
            pretrained=True,
            head="linear",
            epochs=10,
            learning_rate=1e-2,
            augment=True,
            trains_base=True,
            head_share=0.3,
            batch_size=16,  # as the scratch baseline's: epochs then compare like for like
        ),
        # Random weights need a far larger learning rate than a pretrained start, a warm-up
        # while BatchNorm's statistics settle, more epochs and more (smaller) batches: on
        # flowers-mini (160 training images) 30 epochs of 32 gave 150 updates and a best of
        # 0.40, 40 epochs of 16 gave 400 and 0.55; 60 epochs of 32 overfit (0.40 at the end).
        # Augmentation against overfitting; 128 px keeps that within a CPU budget.
        # BatchNorm learns, and its statistics are re-estimated before every validation
        # (precise BN, models/batchnorm.py).
        StrategyRow(
            key=Strategy.SCRATCH,
            title=N_("5 · From scratch (baseline)"),
            advice=N_(
                "The same architecture from random weights: the baseline that pretraining "
                "beats (He et al. 2018). Its own schedule gives it a fair chance."
            ),
            pretrained=False,
            head="linear",
            epochs=40,
            learning_rate=3e-3,
            augment=True,
            trains_base=True,
            schedule="warmup_cosine",
            image_size=128,
            batch_size=16,
        ),
    )
}
