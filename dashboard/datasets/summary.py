"""What a stored dataset holds: counts per class and split, image sizes, duplicates, warnings."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from dashboard.datasets.store import ImageRecord, Manifest
from dashboard.i18n import _
from dashboard.significance import class_prior

IMBALANCE_RATIO = 3.0  # largest class / smallest class above this gets a warning
FEW_IMAGES = 10  # fewer per class than this gets a warning
MANY_CLASSES = 100


@dataclass(frozen=True)
class Summary:
    n_images: int
    n_classes: int
    total_bytes: int
    counts: dict[str, dict[str, int]]  # class -> split -> images
    sizes: Counter  # (width, height) -> images
    duplicates: list[list[ImageRecord]]  # groups of identical files
    warnings: list[str] = field(default_factory=list)

    def split_totals(self) -> dict[str, int]:
        totals: Counter = Counter()
        for per_split in self.counts.values():
            totals.update(per_split)
        return dict(totals)


def summarize(manifest: Manifest) -> Summary:
    counts: dict[str, Counter] = {c: Counter() for c in manifest.classes}
    by_sha: dict[str, list[ImageRecord]] = defaultdict(list)
    for r in manifest.images:
        counts[r.cls][r.split] += 1
        by_sha[r.sha].append(r)
    duplicates = [group for group in by_sha.values() if len(group) > 1]
    return Summary(
        n_images=len(manifest.images),
        n_classes=len(manifest.classes),
        total_bytes=sum(r.bytes for r in {r.sha: r for r in manifest.images}.values()),
        counts={c: dict(v) for c, v in counts.items()},
        sizes=Counter((r.width, r.height) for r in manifest.images),
        duplicates=duplicates,
        warnings=_warnings(manifest, counts, duplicates),
    )


def _warnings(manifest, counts, duplicates) -> list[str]:
    out = []
    totals = {c: sum(v.values()) for c, v in counts.items()}
    big, small = max(totals, key=totals.get), min(totals, key=totals.get)
    if totals[small] and totals[big] / totals[small] > IMBALANCE_RATIO:
        out.append(
            _(
                "Classes are imbalanced: {big} has {n_big} images, {small} only {n_small}. "
                "Accuracy will favour the large classes; add images to the small ones or read "
                "per-class recall, not just accuracy."
            ).format(big=repr(big), n_big=totals[big], small=repr(small), n_small=totals[small])
        )
    few = sorted(c for c, n in totals.items() if n < FEW_IMAGES)
    if few:
        shown = ", ".join(repr(c) for c in few[:10]) + (" …" if len(few) > 10 else "")
        out.append(
            _(
                "{n} class(es) have fewer than {few} images ({classes}); "
                "a class with one image cannot be validated at all."
            ).format(n=len(few), few=FEW_IMAGES, classes=shown)
        )
    if len(counts) > MANY_CLASSES:
        out.append(
            _("{n} classes: charts show them all, scroll or filter to read them.").format(
                n=len(counts)
            )
        )
    cross_class = [g for g in duplicates if len({r.cls for r in g}) > 1]
    if cross_class:
        out.append(
            _(
                "{n} identical image(s) appear in more than one class: their labels "
                "contradict each other."
            ).format(n=len(cross_class))
        )
    leaks = [g for g in duplicates if len({r.split for r in g}) > 1]
    if leaks:
        out.append(
            _(
                "{n} identical image(s) are in both training and validation/test: "
                "validation accuracy will look better than it is."
            ).format(n=len(leaks))
        )
    return out


def sample_grid(manifest: Manifest, per_class: int = 6) -> dict[str, list[ImageRecord]]:
    """Up to `per_class` images of each class, in a stable order."""
    grid: dict[str, list[ImageRecord]] = {c: [] for c in manifest.classes}
    for r in sorted(manifest.images, key=lambda r: r.original):
        if len(grid[r.cls]) < per_class:
            grid[r.cls].append(r)
    return grid


def validation_prior(manifest: Manifest) -> tuple[int, float]:
    """(validation images, class prior): the accuracy of always answering the commonest class."""
    counts = Counter(r.cls for r in manifest.records("val"))
    return sum(counts.values()), class_prior(list(counts.values()))
