"""The strategy ladder: what to train, from the tutorial's size x similarity chart.

1-2 freeze the ImageNet base and train a new head (small data, similar to ImageNet).
3 unfreezes the top blocks after the head has settled (more data, or less similar).
4 trains the whole network with augmentation (different data).
5 is the baseline He et al. (2018) compare against: the same network from random init.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Strategy:
    key: str
    title: str
    advice: str
    pretrained: bool  # start from ImageNet weights
    head: str  # "linear" or "mlp"
    epochs: int
    learning_rate: float
    augment: bool
    unfreeze_blocks: int = 0  # 3: top blocks (catalog stages) trained in phase 2
    finetune_lr_factor: float = 0.01  # phase 2 learning rate = learning_rate x this
    trains_base: bool = False

    @property
    def head_only(self) -> bool:
        """Trains only the head on a frozen base, so the base's features can be cached."""
        return not self.trains_base and self.unfreeze_blocks == 0


STRATEGIES: dict[str, Strategy] = {
    s.key: s
    for s in (
        Strategy(
            "linear_head", "1 · Linear head on a frozen base",
            "Small dataset, similar to ImageNet: keep every pretrained feature, learn one layer.",
            True, "linear", 20, 1e-2, False,
        ),
        Strategy(
            "mlp_head", "2 · MLP head on a frozen base",
            "Larger dataset, similar to ImageNet: several fully connected layers on top.",
            True, "mlp", 20, 3e-3, False,
        ),
        Strategy(
            "finetune_top", "3 · Fine-tune the top blocks",
            "Large dataset, somewhat different: head first, then retrain the deepest blocks "
            "with a low learning rate (BatchNorm stays frozen).",
            True, "linear", 10, 1e-2, False, unfreeze_blocks=2,
        ),
        Strategy(
            "full_finetune", "4 · Full fine-tune with augmentation",
            "Small dataset, different from ImageNet: augment, and retrain the whole network "
            "from the pretrained start with a low learning rate.",
            True, "linear", 10, 1e-4, True, trains_base=True,
        ),
        Strategy(
            "scratch", "5 · From scratch (baseline)",
            "The same architecture and schedule from random weights: the baseline that "
            "pretraining beats (He et al. 2018).",
            False, "linear", 10, 1e-4, True, trains_base=True,
        ),
    )
}  # fmt: skip
