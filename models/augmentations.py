"""The augmentations a run can use, one row each: what it does, its strength's range and the
default strength (0 is off). One table drives the form's sliders, the preview, the layers the
training model runs and the docs. The defaults are what strategy 4 always used."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import keras

from models.words import N_


@dataclass(frozen=True)
class Augmentation:
    key: str
    title: str  # N_: shown through _()
    about: str  # what the strength means
    default: float
    high: float  # the slider's top (its bottom is 0: off)
    step: float
    layer: Callable[[float, int], keras.layers.Layer]  # (strength, seed) -> the layer


AUGMENTATIONS = (
    Augmentation(
        "flip",
        N_("Horizontal flip"),
        N_("on (1) or off (0): half the images mirrored"),
        1.0,
        1.0,
        1.0,
        lambda s, seed: keras.layers.RandomFlip("horizontal", seed=seed),
    ),
    Augmentation(
        "rotation",
        N_("Rotation"),
        N_("up to this fraction of a full turn, either way"),
        0.1,
        0.5,
        0.05,
        lambda s, seed: keras.layers.RandomRotation(s, seed=seed),
    ),
    Augmentation(
        "zoom",
        N_("Zoom"),
        N_("in or out by up to this fraction of the size"),
        0.15,
        0.5,
        0.05,
        lambda s, seed: keras.layers.RandomZoom(s, seed=seed),
    ),
    Augmentation(
        "contrast",
        N_("Contrast"),
        N_("contrast changed by up to this factor"),
        0.2,
        0.9,
        0.05,
        lambda s, seed: keras.layers.RandomContrast(s, seed=seed),
    ),
    Augmentation(
        "translation",
        N_("Translation"),
        N_("shifted by up to this fraction of the size"),
        0.0,
        0.4,
        0.05,
        lambda s, seed: keras.layers.RandomTranslation(s, s, seed=seed),
    ),
)
BY_KEY = {a.key: a for a in AUGMENTATIONS}
DEFAULTS = {a.key: a.default for a in AUGMENTATIONS}


def strengths(chosen: Mapping[str, float] | None) -> dict[str, float]:
    """Every augmentation's strength: the defaults where `chosen` (a stored run's, or the
    form's) says nothing; unknown keys are dropped, strengths clipped to the table's range."""
    out = dict(DEFAULTS)
    for key, value in (chosen or {}).items():
        if key in BY_KEY:
            out[key] = min(max(float(value), 0.0), BY_KEY[key].high)
    return out


def augmentation(seed: int, chosen: Mapping[str, float] | None = None) -> keras.Sequential:
    """The layers of the augmentations switched on (strength > 0), in the table's order."""
    found = strengths(chosen)
    return keras.Sequential(
        [a.layer(found[a.key], seed) for a in AUGMENTATIONS if found[a.key] > 0],
        name="augmentation",
    )
