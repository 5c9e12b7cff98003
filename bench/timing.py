"""Small timing helpers shared by the benchmarks.

A figure is a ratio of our side over plain Keras, measured in rounds that interleave the two
sides (so drift in the machine's load hits both alike): the figure is the median of the
per-round ratios, printed with their spread (min, median, max) and the number of rounds. A
figure whose spread crosses its goal proves nothing either way.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable


def median_seconds(fn: Callable[[], object], repeats: int, warmup: int = 2) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def interleaved_seconds(
    a: Callable[[], object], b: Callable[[], object], rounds: int, warmup: int = 2
) -> tuple[list[float], list[float]]:
    """Seconds of a and of b in each round, timed alternately."""
    for _ in range(warmup):
        a()
        b()
    ta, tb = [], []
    for _ in range(rounds):
        for fn, times in ((a, ta), (b, tb)):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
    return ta, tb


def ratios(ours: list[float], theirs: list[float]) -> list[float]:
    """Per-round ratios ours / theirs."""
    return [a / b for a, b in zip(ours, theirs, strict=True)]


def figure(name: str, per_round: list[float], goal: str, **extra) -> dict:
    """The median of the per-round ratios, with their spread (min, median, max)."""
    low, mid, high = min(per_round), statistics.median(per_round), max(per_round)
    print(f"# {name}: {mid:.3g} (spread {low:.3g}-{mid:.3g}-{high:.3g}, {len(per_round)} rounds)")
    spread = [round(v, 3) for v in (low, mid, high)]
    return {
        "figure": name,
        "value": round(mid, 3),
        "spread": spread,
        "rounds": len(per_round),
        "goal": goal,
        **extra,
    }


def print_figures(figures: list[dict]) -> None:
    for f in figures:
        print(json.dumps(f), flush=True)
