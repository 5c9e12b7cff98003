"""A stratified train/validation/test split with a fixed seed.

Written out instead of sklearn's `train_test_split(stratify=...)`, which refuses classes with a
single image; here such an image simply stays in train. Every class with two or more images gets
at least one validation image.
"""

from __future__ import annotations

import random
from collections import defaultdict


def stratified(labels: list[str], val: float, test: float = 0.0, seed: int = 42) -> list[str]:
    """The split ("train", "val" or "test") of each position in `labels`."""
    if not 0 <= val < 1 or not 0 <= test < 1 or val + test >= 1:
        raise ValueError("val and test must be fractions that leave some training data")
    by_class: dict[str, list[int]] = defaultdict(list)
    for i, label in enumerate(labels):
        by_class[label].append(i)
    splits = ["train"] * len(labels)
    rng = random.Random(seed)
    for label in sorted(by_class):
        members = by_class[label]
        rng.shuffle(members)
        n = len(members)
        n_test = round(n * test) if n >= 3 else 0
        n_val = max(1, round(n * val)) if n >= 2 and val > 0 else 0
        n_val = min(n_val, n - n_test - 1)  # always leave one for training
        for i in members[:n_test]:
            splits[i] = "test"
        for i in members[n_test : n_test + n_val]:
            splits[i] = "val"
    return splits
