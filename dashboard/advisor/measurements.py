"""The forward passes behind the strategy advisor, each cached on disk.

1. The pretrained backbone over every train and validation image: the trainer's own feature
   cache entries, so a linear-head run after the advice (or before it) costs no second pass.
2. The same backbone on natural reference photos (`reference_photos`).
3. The same architecture with random weights (fixed seed) over the probe sample.
4. The ImageNet classifier over 100 images. It is the backbone with its top when those weights
   exist; else a sibling catalog row of the same network (MobileNet α=0.25 at 128 px for the one
   at 224) whose top weights are on disk; else this signal is left out, with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dashboard import datasets, features
from dashboard.advisor import reference_photos
from dashboard.advisor import signals as sig
from dashboard.datasets import Manifest
from dashboard.features import FeatureKey
from dashboard.i18n import N_, _
from dashboard.progress import Progress, silent
from dashboard.settings import Settings
from models import backbones, catalog, classifier, devices, feature_maps
from models.catalog import Backbone
from models.weights import WeightsUnavailable

# Why a measurement has no ImageNet classifier: stored in English with the advice (data), shown
# in the reader's language (`Advice.note`).
NO_CLASSIFIER = N_(
    "no ImageNet classifier weights for {backbone} on this machine ({file}); this signal is "
    "left out"
)


@dataclass
class Measured:
    features: np.ndarray  # pretrained pooled features, train then val images
    labels: np.ndarray
    probe_rows: np.ndarray  # rows of `features` the linear probes use
    random_features: np.ndarray  # random-init features of those rows
    reference: np.ndarray  # pretrained features of the natural reference photos
    probs: np.ndarray | None  # ImageNet probabilities of the concentration sample
    classifier: str  # which ImageNet classifier gave `probs`, or why there is none


def imagenet_classifier(settings: Settings, backbone: Backbone) -> Backbone | None:
    """The backbone itself if its top weights can be had, else a same-network sibling whose top
    weights are on disk (same builder and arguments, another input size)."""
    rows = [backbone] + [
        b
        for b in catalog.MODEL_LIST
        if b.builder == backbone.builder and b.kwargs == backbone.kwargs and b.key != backbone.key
    ]
    for b in rows:
        try:
            source = backbones.weights_source(
                b,
                include_top=True,
                weights_dir=settings.weights_dir,
                allow_download=settings.allow_download and b is backbone,
            )
        except WeightsUnavailable:
            continue
        if source.on_disk or b is backbone:
            return b
    return None


def _pass(model, records, settings, manifest, size, say: Progress, start, span, what):
    """One forward pass over `records`, reporting progress from `start` to `start + span`;
    `what`: the bar's sentence (translated), with `{done}` and `{total}` images."""
    batches = datasets.records_data(settings, manifest, records, image_size=size)

    def report(done: int) -> None:
        say(start + span * done / max(len(records), 1), what.format(done=done, total=len(records)))

    return feature_maps.pooled_features(model, batches, report)


def measure(
    settings: Settings, manifest: Manifest, backbone: Backbone, say: Progress = silent
) -> Measured:
    devices.configure()  # memory growth must be set before TensorFlow first touches a GPU
    size = backbone.input_size
    weights_id = features.pretrained_weights_id(settings, backbone)
    pretrained: list = []

    def pretrained_model():  # built once, and only if some pretrained pass is not cached
        if not pretrained:
            pretrained.append(features.pooled_model(settings, backbone, size))
        return pretrained[0]

    records = features.ordered_records(manifest)  # the order of the cached features
    n = len(records)
    say(0.0, _("Pretrained features of {n} images (cached for training too)").format(n=n))
    counted = _("Pretrained features: {done}/{total} images")
    pooled, labels = features.stacked_features(
        settings,
        manifest,
        backbone,
        pretrained_model,
        on_batch=lambda done: say(0.5 * done / n, counted.format(done=done, total=n)),
    )

    say(0.5, _("Natural reference photos"))
    photos = f"reference-photos:{reference_photos.VERSION}"
    reference = features.cached_array(
        settings,
        FeatureKey(backbone.key, weights_id, photos, "all", size),
        lambda: pretrained_model().predict(reference_photos.crops(size), batch_size=32, verbose=0),
    )

    rows = sig.stratified_sample(labels, sig.PROBE_MAX_IMAGES)
    sample = [records[i] for i in rows]

    random_what = _("Same network, random weights: {done}/{total} images")

    def random_pass():
        model = features.random_model(settings, backbone, size)
        return _pass(model, sample, settings, manifest, size, say, 0.55, 0.25, random_what)

    say(0.55, _("Same network with random weights"))
    key = FeatureKey(backbone.key, features.RANDOM_WEIGHTS, manifest.id, f"probe{len(rows)}", size)
    random_features = features.cached_array(settings, key, random_pass)

    say(0.8, _("ImageNet classifier"))
    probs, used = _imagenet_probs(settings, manifest, backbone, records, labels, say)
    say(1.0, _("Done"))
    return Measured(pooled, labels, rows, random_features, reference, probs, used)


def _imagenet_probs(settings, manifest, backbone, records, labels, say):
    """ImageNet probabilities of a stratified sample, from the backbone's own classifier or a
    sibling's; (None, why) when there is none. The classifier is optional: a download that
    fails is remembered (models.weights), and the second try takes a sibling on disk or none."""
    for _attempt in range(2):
        top = imagenet_classifier(settings, backbone)
        if top is None:
            break
        try:
            return _classifier_probs(settings, manifest, top, records, labels, say), top.label
        except WeightsUnavailable:
            continue
    return None, NO_CLASSIFIER.format(backbone=backbone.label, file=backbone.weights_top)


def _classifier_probs(settings, manifest, top, records, labels, say) -> np.ndarray:
    rows = sig.stratified_sample(labels, sig.CONCENTRATION_SAMPLE)
    weights_id = features.pretrained_weights_id(settings, top, include_top=True)
    what = _("ImageNet classifier: {done}/{total} images")

    def compute():
        with backbones.building():
            model = backbones.build(
                top,
                include_top=True,
                weights_dir=settings.weights_dir,
                allow_download=settings.allow_download,
            )
            wrapped = classifier.raw_image_model(top, model, top.input_size, pool=False)
        return _pass(
            wrapped,
            [records[i] for i in rows],
            settings,
            manifest,
            top.input_size,
            say,
            0.8,
            0.2,
            what,
        )

    key = FeatureKey(
        top.key, weights_id, manifest.id, f"sample{len(rows)}", top.input_size, "imagenet-probs"
    )
    return features.cached_array(settings, key, compute)
