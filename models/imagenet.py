"""ImageNet class names and top-k decoding, from a class index resolved like the weights."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Prediction:
    class_id: int
    wnid: str
    name: str
    score: float


def decode(probs: np.ndarray, class_index: list[tuple[str, str]], top: int = 5) -> list[Prediction]:
    """Top-`top` classes of one probability vector, best first (what keras' decoder returns)."""
    probs = np.asarray(probs).reshape(-1)
    if probs.shape[0] != len(class_index):
        raise ValueError(f"{probs.shape[0]} scores for {len(class_index)} classes")
    best = np.argsort(probs)[::-1][:top]
    return [Prediction(int(i), class_index[i][0], class_index[i][1], float(probs[i])) for i in best]
