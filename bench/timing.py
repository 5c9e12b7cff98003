"""Small timing helpers shared by the benchmarks."""

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


def interleaved_medians(
    a: Callable[[], object], b: Callable[[], object], repeats: int, warmup: int = 2
) -> tuple[float, float]:
    """Median seconds of a and b, timed alternately so drift in machine load hits both alike."""
    for _ in range(warmup):
        a()
        b()
    ta, tb = [], []
    for _ in range(repeats):
        for fn, times in ((a, ta), (b, tb)):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
    return statistics.median(ta), statistics.median(tb)


def figure(name: str, value: float, goal: str, **extra) -> dict:
    return {"figure": name, "value": round(value, 3), "goal": goal, **extra}


def print_figures(figures: list[dict]) -> None:
    for f in figures:
        print(json.dumps(f), flush=True)
