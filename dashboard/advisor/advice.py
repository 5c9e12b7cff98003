"""The strategy advisor: how big, and how like ImageNet, is a dataset, and what should be trained.

The tutorial's chart has two axes. Size: small or large, by training images per class. Similarity
to ImageNet: the mean of the `similarity_signals` scores (0.5 is the line). Each quadrant names
a rung of the strategy ladder:

    small · similar    1 linear head on the frozen base      (0 blocks trained)
    large · similar    2 MLP head (several FC layers)        (0 blocks)
    large · different  3 fine-tune the top blocks            (the top 2 of 5 blocks)
    small · different  4 augment and fine-tune everything   (all blocks)

An advice is stored per (dataset, backbone) as JSON under TLAB_HOME/advice, with the raw signal
values; scores, verdict and recommendation are derived from them on reading, so a change of
threshold applies to old measurements too. What is stored is language-neutral (numbers, keys,
English notes); the sentences a reader sees (`signals`, `reason`, `classifier_text`) are made
when they are asked for, in the language of the moment (`dashboard.i18n`).
"""

from __future__ import annotations

import json
import statistics
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from dashboard import datasets, runs, trust
from dashboard.advisor import measurements
from dashboard.advisor import signals as sig
from dashboard.datasets import Manifest
from dashboard.i18n import N_, _, number, percent
from dashboard.progress import Progress, silent
from dashboard.settings import Settings
from models import catalog
from models.strategies import STRATEGIES, Strategy

LARGE_PER_CLASS = 1000  # training images per class (median over classes) from which a set is large
STRONG_PROBE = 0.9  # a linear head this accurate on frozen features is worth trying first anyway
VERSION = 1

# The quadrants' words: the keys are data (`Advice.size`, `Advice.verdict`), shown translated.
WORDS = {"small": N_("small"), "large": N_("large"), "similar": N_("similar")}
WORDS["different"] = N_("different")

WHY = {  # (size, verdict) -> (strategy, why: N_, translated in `reason`)
    ("small", "similar"): (
        Strategy.LINEAR_HEAD,
        N_(
            "ImageNet's features already describe these images, and with few images every extra "
            "trained weight is a chance to overfit: keep the whole base frozen and learn one "
            "layer."
        ),
    ),
    ("large", "similar"): (
        Strategy.MLP_HEAD,
        N_(
            "The features fit, and there are enough images to learn several fully connected "
            "layers on top without overfitting; the base stays frozen."
        ),
    ),
    ("large", "different"): (
        Strategy.FINETUNE_TOP,
        N_(
            "The deep, ImageNet-specific blocks do not fit these images, and there are enough "
            "images to retrain them: train the head first, then the top blocks with a low "
            "learning rate."
        ),
    ),
    ("small", "different"): (
        Strategy.FULL_FINETUNE,
        N_(
            "The features do not fit and there are few images: augment them, and retrain the "
            "whole network from the pretrained start with a low learning rate."
        ),
    ),
}
# The size and similarity halves of `reason`, one whole sentence per quadrant.
WHERE = {
    ("small", "similar"): N_(
        "Small: {per_class} training images per class (under {limit}), and similar to ImageNet "
        "(similarity {similarity}, line at 0.5)."
    ),
    ("large", "similar"): N_(
        "Large: {per_class} training images per class (at least {limit}), and similar to "
        "ImageNet (similarity {similarity}, line at 0.5)."
    ),
    ("large", "different"): N_(
        "Large: {per_class} training images per class (at least {limit}), and different from "
        "ImageNet (similarity {similarity}, line at 0.5)."
    ),
    ("small", "different"): N_(
        "Small: {per_class} training images per class (under {limit}), and different from "
        "ImageNet (similarity {similarity}, line at 0.5)."
    ),
}
# The notes an advice stores (in English, as data) and shows in the reader's language.
PROBES_NOTE = N_("linear head: {pretrained} pretrained, {random} random weights")


@dataclass
class Signal:
    """A signal as a reader sees it: title, question and note in the language of the moment."""

    key: str
    title: str
    question: str
    value: float | None
    score: float | None  # 0..1, 0.5 = threshold; None = not measured
    note: str = ""


@dataclass
class Advice:
    """A dataset's measured signals and what they advise; built by keyword (a wide record)."""

    dataset_id: str
    dataset_name: str
    dataset_source: str
    backbone: str
    n_images: int
    n_classes: int
    train_per_class: float  # median over classes
    values: dict[str, float | None]  # raw signal values
    notes: dict[str, str] = field(default_factory=dict)
    classifier: str = ""
    seconds: float = 0.0
    measured_at: float = field(default_factory=time.time)
    version: int = VERSION

    @property
    def signals(self) -> list[Signal]:
        out = []
        for key, spec in sig.SPECS.items():
            v = self.values.get(key)
            s = None if v is None else sig.score(spec, v)
            out.append(Signal(key, _(spec.title), _(spec.question), v, s, self.note(key)))
        return out

    def note(self, key: str) -> str:
        """The stored note on a signal, in the reader's language: rebuilt from the values where
        they hold it, else the stored sentence through the catalog."""
        stored = self.notes.get(key, "")
        pre, rnd = self.values.get("probe_accuracy"), self.values.get("random_probe_accuracy")
        if key == "transfer_lift" and self.values.get(key) is not None and None not in (pre, rnd):
            return _(PROBES_NOTE).format(pretrained=percent(pre), random=percent(rnd))
        if key == "imagenet_classes" and stored and self.values.get(key) is None:
            b = catalog.get(self.backbone)
            return _(measurements.NO_CLASSIFIER).format(backbone=b.label, file=b.weights_top)
        return _(stored) if stored else ""

    @property
    def classifier_text(self) -> str:
        """Which ImageNet classifier was used (a model's label), or why none was."""
        if self.values.get("imagenet_classes") is None and "imagenet_classes" in self.notes:
            return self.note("imagenet_classes")
        return self.classifier

    @property
    def similarity(self) -> float:
        scores = [s.score for s in self.signals if s.score is not None]
        return sum(scores) / len(scores) if scores else 0.5

    @property
    def verdict(self) -> str:
        return "similar" if self.similarity >= 0.5 else "different"

    @property
    def size(self) -> str:
        return "large" if self.train_per_class >= LARGE_PER_CLASS else "small"

    @property
    def strategy(self) -> str:
        return WHY[(self.size, self.verdict)][0]

    @property
    def blocks(self) -> int:
        """How many of the backbone's blocks (catalog stages) the strategy trains."""
        s = STRATEGIES[self.strategy]
        if s.trains_base:
            return len(catalog.get(self.backbone).stages)
        return s.unfreeze_blocks

    @property
    def reason(self) -> str:
        """Why this strategy, in the language of the moment (made from the stored values)."""
        quadrant = (self.size, self.verdict)
        where = _(WHERE[quadrant]).format(
            per_class=f"{self.train_per_class:g}",
            limit=number(LARGE_PER_CLASS),
            similarity=f"{self.similarity:.2f}",
        )
        blocks = _("Train {blocks} of the backbone's {total} blocks.").format(
            blocks=self.blocks, total=len(catalog.get(self.backbone).stages)
        )
        text = f"{where} {blocks} {_(WHY[quadrant][1])}"
        probe = self.values.get("probe_accuracy")
        if probe is not None and probe >= STRONG_PROBE and self.strategy != Strategy.LINEAR_HEAD:
            caveat = _(
                "Yet a linear head on the frozen features already reaches {accuracy} in "
                "cross-validation here: strategy 1 costs about one forward pass, so run the "
                "ladder and let the measurement decide."
            )
            text += " " + caveat.format(accuracy=percent(probe))
        return text

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1)


def folder(settings: Settings) -> Path:
    return settings.home / "advice"  # made by the first advice written


def _path(settings: Settings, dataset_id: str, backbone: str) -> Path:
    return folder(settings) / f"{trust.dataset_id(dataset_id)}__{catalog.get(backbone).key}.json"


def stored(settings: Settings, dataset_id: str, backbone: str) -> Advice | None:
    try:  # measured here, or on another server (TLAB_STORE_URL)
        text = runs.sync.read_text(settings, _path(settings, dataset_id, backbone))
        raw = json.loads(text) if text else {}
        return Advice(**raw) if raw.get("version") == VERSION else None
    except (OSError, ValueError, TypeError, KeyError):
        return None


def all_stored(settings: Settings, backbone: str) -> list[Advice]:
    """Every stored advice for this backbone whose dataset still exists."""
    alive = {m.id for m in datasets.list_datasets(settings)}
    found = [stored(settings, *p.stem.split("__", 1)) for p in folder(settings).glob("*__*.json")]
    return [a for a in found if a and a.backbone == backbone and a.dataset_id in alive]


def size_of(manifest: Manifest) -> tuple[int, int, float]:
    """(images, classes, median training images per class)."""
    train = Counter(r.cls for r in manifest.records("train"))
    per_class = statistics.median([train.get(c, 0) for c in manifest.classes])
    return len(manifest.images), len(manifest.classes), float(per_class)


def measure(
    settings: Settings,
    manifest: Manifest,
    backbone: str,
    say: Progress = silent,
    again: bool = False,
) -> Advice:
    """Measure (or read the stored advice); raises WeightsUnavailable without pretrained weights."""
    if not again and (found := stored(settings, manifest.id, backbone)):
        return found
    settings.check_writable("measuring datasets")  # a read-only server shows stored advice
    started = time.perf_counter()
    m = measurements.measure(settings, manifest, catalog.get(backbone), say)
    values: dict[str, float | None] = {}
    notes: dict[str, str] = {}
    if m.probs is None:
        values["imagenet_classes"], notes["imagenet_classes"] = None, m.classifier
    else:
        values["imagenet_classes"] = sig.imagenet_classes_seen(m.probs)
    y = m.labels[m.probe_rows]
    try:
        pre = sig.probe_accuracy(m.features[m.probe_rows], y)
        rnd = sig.probe_accuracy(m.random_features, y)
        values["transfer_lift"] = sig.transfer_lift(pre, rnd, len(manifest.classes))
        notes["transfer_lift"] = PROBES_NOTE.format(pretrained=f"{pre:.1%}", random=f"{rnd:.1%}")
        values["probe_accuracy"] = pre  # not a signal: the caveat in `reason` uses it
        values["random_probe_accuracy"] = rnd  # nor this: the note is made from both
    except ValueError as exc:  # a class with a single image: no cross-validation
        values["transfer_lift"], notes["transfer_lift"] = None, str(exc)
    values["silent_channels"] = sig.silent_channels(m.features, m.reference)
    n, k, per_class = size_of(manifest)
    advice = Advice(
        dataset_id=manifest.id,
        dataset_name=manifest.name,
        dataset_source=manifest.source,
        backbone=backbone,
        n_images=n,
        n_classes=k,
        train_per_class=per_class,
        values=values,
        notes=notes,
        classifier=m.classifier,
        seconds=round(time.perf_counter() - started, 2),
    )
    runs.sync.write_text(settings, _path(settings, manifest.id, backbone), advice.to_json())
    return advice
