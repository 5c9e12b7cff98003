"""A run's "none of these" rule and calibration, fitted once its training ends (the rule itself
is `models.unknown`): the pooled features of its images from the trained network, the
temperature and threshold fitted on the validation split, and the figures the page, the
report and the model card show (`runs.Calibration`).
"""

from __future__ import annotations

from dashboard import datasets, features
from dashboard.runs import Calibration
from dashboard.training.config import TrainConfig
from dashboard.training.evaluation import reliability
from dashboard.training.run_data import RunData
from models import feature_maps, unknown
from models.classifier import Classifier


def train_pooled(data: RunData, config: TrainConfig, clf: Classifier, frozen: bool):
    """The training images' pooled features (images x features, in the split's order) from the
    trained network, for the rule's bank. `frozen`: the pretrained base never changed, so the
    feature cache holds them."""
    if frozen:
        weights_id = features.pretrained_weights_id(data.settings, clf.backbone)
        arrays, _hits = features.split_features(
            data.settings,
            data.manifest,
            clf.backbone.key,
            weights_id,
            config.image_size,
            lambda: clf.features,
            config.batch_size,
        )
        return arrays[0][0]
    feed = datasets.training_data(
        data.settings,
        data.manifest,
        "train",
        image_size=config.image_size,
        batch_size=config.batch_size,
        shuffle=False,
        cache=True,
    )
    return feature_maps.pooled_features(clf.features, feed)


def fit(
    data: RunData, config: TrainConfig, pooled: dict, probs: dict
) -> tuple[unknown.Rule, Calibration]:
    """The rule (bank from the training images; temperature and threshold from the validation
    images) and what it does on the validation (and test) images."""
    truth = {s: features.labels(data.manifest, s) for s in probs}
    rule = unknown.fit_rule(
        pooled["train"],
        features.labels(data.manifest, "train"),
        pooled["val"],
        probs["val"],
        truth["val"],
        config.seed,
    )

    def accepted(split: str) -> float:
        scores = unknown.knn_scores(pooled[split], rule.bank, rule.neighbour)
        return float((scores <= rule.threshold).mean())

    after = unknown.calibrated(probs["val"], rule.temperature)
    calibration = Calibration(
        temperature=round(rule.temperature, 4),
        ece_before=round(reliability(truth["val"], probs["val"]).expected_error, 4),
        ece_after=round(reliability(truth["val"], after).expected_error, 4),
        threshold=round(rule.threshold, 6),
        neighbour=rule.neighbour,
        bank_images=len(rule.bank),
        keep=unknown.KEEP,
        val_accepted=round(accepted("val"), 4),
        test_accepted=round(accepted("test"), 4) if "test" in probs else None,
        test_ece_before=_ece(truth, probs, "test", 1.0),
        test_ece_after=_ece(truth, probs, "test", rule.temperature),
    )
    return rule, calibration


def _ece(truth: dict, probs: dict, split: str, temperature: float) -> float | None:
    if split not in probs:
        return None
    scaled = unknown.calibrated(probs[split], temperature)
    return round(reliability(truth[split], scaled).expected_error, 4)
