"""One call for the page: a dataset's map, pretrained beside random weights, with everything
the page shows around it. The 2-D points are cached too, so a warm map costs nothing."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dashboard import datasets, training
from dashboard.featurespace import embedding, neighbours, vectors
from dashboard.settings import Settings
from models import catalog

VERSION = 1


@dataclass(frozen=True)
class FeatureMap:
    method: str
    rows: np.ndarray  # which images were mapped (all, or a stratified sample)
    total: int  # images in the dataset's train and val splits
    pretrained: np.ndarray  # (len(rows), 2)
    random: np.ndarray
    features: np.ndarray  # pretrained features of the mapped images, for neighbours
    labels: np.ndarray
    records: list[datasets.ImageRecord]

    @property
    def sampled(self) -> bool:
        return len(self.rows) < self.total

    def separation(self) -> dict[str, float]:
        from dashboard.featurespace.charts import separation

        return {
            "pretrained": separation(self.pretrained, self.labels),
            "random": separation(self.random, self.labels),
        }

    def suspects(self) -> list[neighbours.Suspect]:
        return neighbours.suspects(self.features, self.labels)

    def near_duplicates(self) -> list[neighbours.NearDuplicate]:
        return neighbours.near_duplicates(self.features, [r.sha for r in self.records])


def feature_map(
    settings: Settings,
    manifest: datasets.Manifest,
    backbone_key: str,
    method: str = "t-SNE",
    limit: int = embedding.LIMIT,
    say: vectors.Progress | None = None,
) -> FeatureMap:
    say = say or (lambda fraction, text: None)
    backbone = catalog.get(backbone_key)
    pre = vectors.pretrained(settings, manifest, backbone, lambda f, t: say(0.45 * f, t))
    rand = vectors.random_init(settings, manifest, backbone, lambda f, t: say(0.45 + 0.3 * f, t))
    rows = embedding.sample_rows(pre.labels, limit)
    points = {}
    weights = {
        "pretrained": training.pretrained_weights_id(settings, backbone),
        "random": f"random-init:{vectors.RANDOM_SEED}",
    }
    for name, vecs in (("pretrained", pre), ("random", rand)):
        say(0.75 if name == "pretrained" else 0.88, f"{method} of the {name} features")
        kind = f"{weights[name]}|{method}|map{VERSION}"
        entry = (backbone.key, kind, manifest.id, f"{len(rows)} of {len(pre.labels)}", 0)
        points[name] = training.cached_array(
            settings, entry, lambda v=vecs: embedding.embed(v.features[rows], method)
        )
    say(1.0, "Done")
    return FeatureMap(
        method,
        rows,
        len(pre.labels),
        points["pretrained"],
        points["random"],
        pre.features[rows],
        pre.labels[rows],
        [pre.records[i] for i in rows],
    )
