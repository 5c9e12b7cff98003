""" "None of these": calibrated probabilities and an unknown flag, inside the model that is served.

A classifier always answers one of its classes. The served model adds two things on top of it,
both fitted on the run's validation images and both made of Keras' own layers and ops, so every
export (`.keras`, SavedModel, TFLite, ONNX) carries them and loads without our code:

- temperature scaling (Guo et al. 2017): the head's logits divided by one number T, chosen to
  minimise the validation images' negative log-likelihood. It moves confidence, never the
  predicted class. T is folded into a copy of the head's last Dense (W/T, b/T);
- an out-of-distribution score: the cosine distance from an image's pooled features to its
  k-th nearest training image (Sun et al. 2022). `python -m bench unknown` chose it over the
  distance to the nearest class mean in the whitened feature space (Mahalanobis), the energy
  score and the top softmax probability: on flowers-mini it rejected the most photos of other
  kinds at the same acceptance of flowers (docs/benchmarks.md). The training images' unit
  vectors are the kernel of a Dense layer (the bank), so the k nearest are one matmul and a
  top-k. The threshold is the split-conformal quantile of the validation images' scores, so at
  least `keep` of new images like them are accepted.

The served model's output, one row per image: the K calibrated probabilities, then the score,
then the flag (1.0: none of these). `split_output` reads it back.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import keras
import numpy as np
from keras import ops

NEIGHBOUR = 5  # the k of the k-th nearest training image
BANK_LIMIT = 2000  # training images kept in the bank (a stratified sample past this)
KEEP = 0.95  # of in-distribution images, accepted by the threshold
EXTRA_OUTPUTS = 2  # the score and the flag, after the K probabilities
NEVER = 2.0  # a threshold no cosine distance passes (they lie in [0, 2])


@dataclass(frozen=True)
class Rule:
    """What the served model needs beyond the classifier."""

    temperature: float
    threshold: float  # scores above it are "none of these"
    neighbour: int
    bank: np.ndarray  # (images, features) float32 unit vectors of training images


def fit_temperature(probs: np.ndarray, truth: np.ndarray) -> float:
    """T minimising the NLL of softmax(log p / T), i.e. softmax(logits / T), on (probs, truth);
    1.0 (no change) without images."""
    from scipy.optimize import minimize_scalar

    if not len(truth):
        return 1.0
    logp = np.log(np.clip(probs.astype("float64"), 1e-37, 1.0))

    def nll(log_t: float) -> float:
        z = logp / math.exp(log_t)
        z -= z.max(1, keepdims=True)
        log_norm = np.log(np.exp(z).sum(1))
        return float((log_norm - z[np.arange(len(truth)), truth]).mean())

    best = minimize_scalar(nll, bounds=(math.log(0.05), math.log(20.0)), method="bounded")
    return float(math.exp(best.x))


def calibrated(probs: np.ndarray, temperature: float) -> np.ndarray:
    """softmax(log p / T): the served model's probabilities, computed from the classifier's."""
    z = np.log(np.clip(probs.astype("float64"), 1e-37, 1.0)) / temperature
    z = np.exp(z - z.max(1, keepdims=True))
    return (z / z.sum(1, keepdims=True)).astype("float32")


def unit(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, "float32")
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def knn_scores(pooled: np.ndarray, bank: np.ndarray, k: int, itself: bool = False) -> np.ndarray:
    """1 - the cosine similarity to the k-th nearest bank image (`itself`: the rows of `pooled`
    are the bank's own, so each one's nearest, itself, is skipped)."""
    sims = unit(pooled) @ bank.T
    kth = np.sort(sims, axis=1)[:, -(k + int(itself))]
    return 1.0 - kth


def bank_of(pooled: np.ndarray, labels: np.ndarray, seed: int, limit: int = BANK_LIMIT):
    """The training images' unit vectors, all of them or a class-stratified sample of `limit`."""
    if len(pooled) <= limit:
        return unit(pooled)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(pooled))
    share = limit / len(pooled)
    kept = np.concatenate(
        [
            order[labels[order] == c][: max(1, round(share * (labels == c).sum()))]
            for c in np.unique(labels)
        ]
    )
    return unit(pooled[np.sort(kept[:limit])])


def conformal_threshold(scores: np.ndarray, keep: float = KEEP) -> float:
    """Above the ceil((n + 1) keep)-th smallest of n validation scores: a new image like them
    falls below it with probability >= keep (split conformal). Halfway to the next score, so no
    validation image sits on the line, where float rounding in another runtime could flip it.
    With too few images to say, just above the largest."""
    if not len(scores):
        return NEVER
    s = np.sort(scores)
    rank = min(math.ceil((len(s) + 1) * keep), len(s))
    above = s[rank] if rank < len(s) else min(s[-1] + 0.02, NEVER)
    return float((s[rank - 1] + above) / 2)


def fit_rule(
    train_pooled: np.ndarray,
    train_labels: np.ndarray,
    val_pooled: np.ndarray,
    val_probs: np.ndarray,
    val_truth: np.ndarray,
    seed: int,
) -> Rule:
    bank = bank_of(train_pooled, train_labels, seed)
    k = max(1, min(NEIGHBOUR, len(bank)))
    threshold = conformal_threshold(knn_scores(val_pooled, bank, k))
    return Rule(fit_temperature(val_probs, val_truth), threshold, k, bank)


def decide(rule: Rule, pooled: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """The served model's output computed in numpy, for the same images (tests compare)."""
    score = knn_scores(pooled, rule.bank, rule.neighbour)
    flag = (score > rule.threshold).astype("float32")
    return np.column_stack([calibrated(probs, rule.temperature), score, flag]).astype("float32")


def split_output(out: np.ndarray, n_classes: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(probabilities, score, unknown) from a served model's rows; a model without the rule
    (K columns: a run trained before it existed) reads as score 0, never unknown."""
    out = np.asarray(out, "float32")
    if out.ndim != 2 or out.shape[1] not in (n_classes, n_classes + EXTRA_OUTPUTS):
        raise ValueError(f"rows of {out.shape} are no model's answers for {n_classes} classes")
    if out.shape[1] == n_classes:
        return out, np.zeros(len(out), "float32"), np.zeros(len(out), bool)
    return out[:, :n_classes], out[:, n_classes], out[:, n_classes + 1] > 0.5


def served_model(model: keras.Model, rule: Rule) -> keras.Model:
    """The classifier (raw images -> probabilities, its pooled features at layer "pool", its
    head last) with the rule on top: raw images -> [calibrated probabilities, score, flag]."""
    pooled = model.get_layer("pool").output
    head = model.layers[-1]
    x = pooled
    for layer in head.layers[:-1]:  # the head's hidden layers (Dropout: identity at inference)
        x = layer(x)
    last = head.layers[-1]
    scaled = keras.layers.Dense(
        last.units, activation="softmax", dtype="float32", name="calibrated"
    )
    probs = scaled(x)
    kernel, bias = (np.asarray(w) for w in last.get_weights())
    scaled.set_weights([kernel / rule.temperature, bias / rule.temperature])
    directions = keras.layers.UnitNormalization(dtype="float32", name="unit")(pooled)
    bank = keras.layers.Dense(len(rule.bank), use_bias=False, dtype="float32", name="bank")
    sims = bank(directions)
    bank.set_weights([rule.bank.T.astype("float32")])
    bank.trainable = False
    kth = ops.top_k(sims, rule.neighbour)[0][:, rule.neighbour - 1 :]
    score = ops.subtract(1.0, kth)
    flag = ops.cast(ops.greater(score, float(rule.threshold)), "float32")
    out = keras.layers.Concatenate(name="served", dtype="float32")([probs, score, flag])
    return keras.Model(model.inputs[0], out, name="served")
