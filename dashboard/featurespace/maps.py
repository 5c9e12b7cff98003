"""One call for the page: a dataset's map in two panels, with everything the page shows around
it. Before training: the pretrained backbone beside the same network at random weights. From a
finished run: the pretrained features beside the run's own, fine-tuned ones, so one sees the
classes pull apart. The 2-D points are cached too, so a warm map costs nothing."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from dashboard import datasets, features
from dashboard.featurespace import embedding, neighbours, vectors
from dashboard.i18n import N_, _
from dashboard.progress import Progress, part, silent
from dashboard.settings import Settings
from models import catalog

VERSION = 1
# The panels' titles: keys of `FeatureMap.panels` (English, kept in the session's map), shown
# translated by the page and the chart.
PRETRAINED = N_("Pretrained (ImageNet)")
RANDOM = N_("Same network, random weights")
FINETUNED = N_("Fine-tuned by this run")


@dataclass(frozen=True)
class FeatureMap:
    method: str
    rows: np.ndarray  # which images were mapped (all, or a stratified sample)
    total: int  # images in the dataset's train and val splits
    panels: dict[str, np.ndarray]  # title (English, N_) -> (len(rows), 2) points
    features: np.ndarray  # pretrained features of the mapped images, for neighbours
    labels: np.ndarray
    records: list[datasets.ImageRecord]

    @property
    def sampled(self) -> bool:
        return len(self.rows) < self.total

    # Cached: the page asks again on every rerun (a click on a dot), and the suspects' probe
    # is a 5-fold fit.
    @cached_property
    def separation(self) -> dict[str, float]:
        """Each panel's class separation (silhouette of its points, -1 to 1)."""
        from dashboard.featurespace.charts import separation

        return {title: separation(points, self.labels) for title, points in self.panels.items()}

    @cached_property
    def suspects(self) -> list[neighbours.Suspect]:
        return neighbours.suspects(self.features, self.labels)

    @cached_property
    def near_duplicates(self) -> list[neighbours.NearDuplicate]:
        return neighbours.near_duplicates(self.features, [r.sha for r in self.records])


def feature_map(
    settings: Settings,
    manifest: datasets.Manifest,
    backbone_key: str,
    method: str = "t-SNE",
    limit: int = embedding.LIMIT,
    say: Progress = silent,
    run_id: str | None = None,
) -> FeatureMap:
    """Pretrained beside random weights; with `run_id`, pretrained beside that run's model."""
    backbone = catalog.get(backbone_key)
    pre = vectors.pretrained(settings, manifest, backbone, part(say, 0, 0.45))
    weights = {PRETRAINED: features.pretrained_weights_id(settings, backbone)}
    if run_id is None:
        other = vectors.random_init(settings, manifest, backbone, part(say, 0.45, 0.3))
        weights[RANDOM] = features.RANDOM_WEIGHTS
    else:
        other = vectors.finetuned(settings, manifest, run_id, part(say, 0.45, 0.3))
        weights[FINETUNED] = f"run:{run_id}"
    rows = embedding.sample_rows(pre.labels, limit)
    panels = {}
    for (title, wid), vecs in zip(weights.items(), (pre, other), strict=True):
        mapping = _("{method} of the features: {panel}").format(method=method, panel=_(title))
        say(0.75 if title == PRETRAINED else 0.88, mapping)
        subset = f"{len(rows)} of {len(pre.labels)}"
        output = f"{method} map v{VERSION}"
        key = features.FeatureKey(
            backbone.key, wid, manifest.id, subset, backbone.input_size, output
        )
        panels[title] = features.cached_array(
            settings, key, lambda v=vecs: embedding.embed(v.features[rows], method)
        )
    say(1.0, _("Done"))
    return FeatureMap(
        method,
        rows,
        len(pre.labels),
        panels,
        pre.features[rows],
        pre.labels[rows],
        [pre.records[i] for i in rows],
    )
