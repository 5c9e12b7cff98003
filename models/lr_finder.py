"""The learning-rate range test (Smith 2017, *Cyclical Learning Rates*; fastai's `lr_find`).

Train for a short while with a learning rate that grows exponentially every step, record the
loss, and stop once it has blown up. Where the loss falls fastest is a good learning rate:
large enough to learn quickly, below where training turns unstable. The model's weights and
its optimizer are put back afterwards, so the test leaves no trace on the model.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import keras
import numpy as np


@dataclass(frozen=True)
class RangeTest:
    rates: list[float]
    losses: list[float]  # smoothed (debiased exponential moving average)
    raw_losses: list[float]
    suggestion: float

    def to_dict(self) -> dict:
        return {
            "rates": self.rates,
            "losses": self.losses,
            "raw_losses": self.raw_losses,
            "suggestion": self.suggestion,
        }

    @classmethod
    def from_dict(cls, d: dict) -> RangeTest:
        return cls(d["rates"], d["losses"], d["raw_losses"], d["suggestion"])


def smoothed(losses: Iterable[float], beta: float = 0.9) -> list[float]:
    """Debiased exponential moving average: single-batch losses are too noisy to read."""
    out, avg = [], 0.0
    for i, loss in enumerate(losses, start=1):
        avg = beta * avg + (1 - beta) * loss
        out.append(avg / (1 - beta**i))
    return out


def steepest_descent(rates: list[float], losses: list[float]) -> float:
    """The rate where the smoothed loss falls fastest per decade of learning rate.

    Only the part before the loss's minimum counts (after it, the loss rises or explodes).
    The slope is taken over a window of ~1/8 of the points to be robust to leftover noise.
    """
    if len(rates) < 3:
        return rates[len(rates) // 2] if rates else 1e-3
    log_r, loss = np.log10(rates), np.asarray(losses, dtype=float)
    end = int(np.argmin(loss)) + 1
    if end < 3:
        return float(rates[0])
    w = max(1, end // 8)
    slopes = [
        (loss[i + w] - loss[i - w]) / (log_r[i + w] - log_r[i - w]) for i in range(w, end - w)
    ]
    if not slopes:
        return float(rates[end // 2])
    return float(rates[w + int(np.argmin(slopes))])


def range_test(
    model: keras.Model,
    batches: Callable[[], Iterable],
    *,
    start: float = 1e-6,
    end: float = 1.0,
    steps: int = 80,
    blow_up: float = 4.0,
    on_step: Callable[[int, int], None] | None = None,
) -> RangeTest:
    """Run the test on a compiled `model` with `batches()` of (x, y), cycled as needed.

    The learning rate goes from `start` to `end` over `steps` steps (log-uniform); the test
    stops early once the smoothed loss exceeds `blow_up` times its lowest value.
    """
    weights = model.get_weights()
    optimizer_vars = [v.numpy() for v in model.optimizer.variables] if model.optimizer.built else []
    factor = (end / start) ** (1 / max(1, steps - 1))
    rates, raw = [], []
    best, average = math.inf, 0.0
    try:
        step = 0
        while step < steps:
            for x, y in batches():
                rate = start * factor**step
                model.optimizer.learning_rate = rate
                loss = float(model.train_on_batch(x, y, return_dict=True)["loss"])
                rates.append(rate)
                raw.append(loss if math.isfinite(loss) else math.inf)
                step += 1
                if on_step:
                    on_step(step, steps)
                average = 0.9 * average + 0.1 * raw[-1]  # as `smoothed`, step by step
                smooth = average / (1 - 0.9 ** len(raw))
                best = min(best, smooth)
                if step >= steps or not math.isfinite(smooth) or smooth > blow_up * best:
                    step = steps
                    break
    finally:
        model.set_weights(weights)
        if optimizer_vars:
            for v, value in zip(model.optimizer.variables, optimizer_vars, strict=True):
                v.assign(value)
    losses = smoothed([loss if math.isfinite(loss) else max(raw[:1] or [0]) * 10 for loss in raw])
    return RangeTest(rates, losses, raw, steepest_descent(rates, losses))
