"""The paired check between two versions of a dataset (or a version and an edit not yet
applied), on the older one's cached pretrained features: the very entry a head-only run, the
advisor and the feature-space map fill, so a warm cache means no forward pass."""

from __future__ import annotations

import numpy as np

from dashboard import datasets, features
from dashboard.i18n import _
from dashboard.probes.curve import Curves, class_curves
from dashboard.probes.paired import PairedResult, paired_kfold
from dashboard.progress import Progress, part, silent
from dashboard.settings import Settings
from models.catalog import Backbone


def check_edit(
    settings: Settings, manifest: datasets.Manifest, edit: datasets.Edit, backbone: Backbone
) -> PairedResult | None:
    """What `edit` would do, before it is applied."""
    after = {
        r.sha: edit.relabel.get(r.sha, r.cls) for r in manifest.images if r.sha not in edit.exclude
    }
    return _check(settings, manifest, after, backbone)


def check_versions(
    settings: Settings, old: datasets.Manifest, new: datasets.Manifest, backbone: Backbone
) -> PairedResult | None:
    """What `new` changed against `old`, on the images both hold (images the new one added
    are not in the older one's features, and are left out)."""
    return _check(settings, old, {r.sha: r.cls for r in new.images}, backbone)


def _check(settings, manifest, after: dict[str, str], backbone) -> PairedResult | None:
    x, _ = features.stacked_features(settings, manifest, backbone)
    records = features.ordered_records(manifest)
    names = sorted({r.cls for r in records} | set(after.values()))
    index = {c: i for i, c in enumerate(names)}
    old = np.array([index[r.cls] for r in records])
    kept = np.array([r.sha in after for r in records])
    new = np.array([index[after.get(r.sha, r.cls)] for r in records])
    return paired_kfold(x, old, new, kept)


def learning_curves(
    settings: Settings, manifest: datasets.Manifest, backbone: Backbone, say: Progress = silent
) -> Curves:
    """The dataset's learning curves (per class, and all classes together) on its cached
    pretrained features; the features are computed first where they are not cached. Raises
    DatasetError with too few images per class for two folds."""
    records = features.ordered_records(manifest)
    count = part(say, 0.0, 0.5)
    x, _labels = features.stacked_features(
        settings,
        manifest,
        backbone,
        on_batch=lambda done: count(done / max(len(records), 1), _("Features")),
    )
    index = {c: i for i, c in enumerate(manifest.classes)}
    labels = np.array([index[r.cls] for r in records])
    probing = part(say, 0.5, 0.5)
    curves = class_curves(x, labels, on_step=lambda f: probing(f, _("Learning curves")))
    if curves is None:
        raise datasets.DatasetError(_("Too few images per class for a 2-fold check."))
    return curves
