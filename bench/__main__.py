"""`python -m bench [NAME ...]`: run benchmarks, then print one JSON line per figure."""

from __future__ import annotations

import importlib
import sys

from bench.timing import print_figures

BENCHMARKS = {
    "feature_maps": "bench.feature_maps",
    "loader": "bench.loader",
    "training": "bench.training",
    "watched": "bench.watched",
    "load": "bench.load",
    "featurespace": "bench.featurespace",
    "probes": "bench.probes",
    "first_view": "bench.first_view",
}
# Run only when named: `python -m bench soak` (about 10 minutes), `python -m bench team` (Ray;
# requirements-team.txt), `python -m bench abuse` (32 viewers uploading huge pictures),
# `python -m bench forecast` (the collect-next forecast checked on flowers-mini), `python -m
# bench unknown` (which "none of these" score: four measured on flowers-mini and other photos),
# `python -m bench batch` (a batch prediction's peak memory at 2,000 images against 50).
ON_REQUEST = {
    "soak": "bench.soak",
    "team": "bench.team",
    "abuse": "bench.abuse",
    "forecast": "bench.forecast",
    "unknown": "bench.unknown",
    "batch": "bench.batch",
}


def main(argv: list[str]) -> int:
    known = {**BENCHMARKS, **ON_REQUEST}
    names = argv or list(BENCHMARKS)
    unknown = [n for n in names if n not in known]
    if unknown:
        print(f"unknown benchmark(s) {unknown}; known: {', '.join(known)}", file=sys.stderr)
        return 2
    figures = []
    for name in names:
        print(f"# running {name}", flush=True)
        figures += importlib.import_module(known[name]).run()
    print_figures(figures)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
