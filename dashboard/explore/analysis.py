"""What one image does to one pretrained model: predictions, feature maps, Grad-CAM, filters.

Thin functions over `models/`; the page calls them through `dashboard.glue`, which caches a
loaded model per process and results per (model, image).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from dashboard.i18n import N_, _
from dashboard.images import center_square
from dashboard.progress import Progress, silent
from dashboard.settings import Settings
from models import (
    architecture,
    backbones,
    catalog,
    devices,
    feature_maps,
    filters,
    gradcam,
    weights,
)
from models.catalog import Backbone
from models.imagenet import Prediction, decode


@dataclass
class LoadedModel:
    """A pretrained classifier and the helpers built on it, made once per process."""

    backbone: Backbone
    model: object  # keras.Model
    class_index: list[tuple[str, str]]
    extractor: feature_maps.FeatureExtractor
    cam: gradcam.GradCAM
    layer_extractors: dict[str, feature_maps.FeatureExtractor] = field(default_factory=dict)

    @property
    def nbytes(self) -> int:
        """What its weights take in memory (float32), for the bounded cache of models."""
        return int(self.model.count_params()) * 4

    def extractor_for(self, layer: str) -> feature_maps.FeatureExtractor:
        # One compiled predict function per layer, reused for every later image.
        if layer not in self.layer_extractors:
            self.layer_extractors[layer] = feature_maps.FeatureExtractor(self.model, [layer])
        return self.layer_extractors[layer]


def load(key: str, settings: Settings) -> LoadedModel:
    """Raises `weights.WeightsUnavailable` (a message for the user) when offline and missing."""
    b = catalog.get(key)
    class_index = weights.load_class_index(settings.weights_dir, settings.allow_download)
    devices.configure()  # Explore is usually first to touch a GPU: set memory growth before
    with backbones.building():  # its draws would change a seeded build in another thread
        model = backbones.build(
            b, weights_dir=settings.weights_dir, allow_download=settings.allow_download
        )
    extractor = feature_maps.FeatureExtractor(model, b.stages, with_output=True)
    return LoadedModel(b, model, class_index, extractor, gradcam.GradCAM(model, b.last_conv))


def model_input(backbone: Backbone, rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(the square crop the model sees as uint8, that crop preprocessed as a batch of one)."""
    view = center_square(rgb, backbone.input_size)
    batch = backbone.preprocess_input(view[None].astype("float32"))
    return view, np.asarray(batch)


@dataclass(frozen=True)
class Analysis:
    """Everything one forward pass gives: the crop, top-5 and each stage's activations."""

    view: np.ndarray
    predictions: list[Prediction]
    stages: dict[str, np.ndarray]  # stage layer -> (h, w, c)


def analyse(loaded: LoadedModel, rgb: np.ndarray) -> Analysis:
    view, batch = model_input(loaded.backbone, rgb)
    probs, maps = loaded.extractor(batch)
    return Analysis(
        view=view,
        predictions=decode(probs[0], loaded.class_index, top=5),
        stages={name: m[0] for name, m in maps.items()},
    )


def layer_activations(loaded: LoadedModel, layer: str, rgb: np.ndarray) -> np.ndarray:
    """(h, w, c) activations of any one layer for this image."""
    _view, batch = model_input(loaded.backbone, rgb)
    _probs, maps = loaded.extractor_for(layer)(batch)
    return maps[layer][0]


def grad_cam(loaded: LoadedModel, rgb: np.ndarray, class_id: int | None) -> tuple[np.ndarray, int]:
    _view, batch = model_input(loaded.backbone, rgb)
    return loaded.cam(batch, class_id)


def maximize(loaded: LoadedModel, layer: str, channel: int, steps: int, say: Progress = silent):
    """Activation maximisation from seeded noise around mid-grey, in this model's input space."""
    size = loaded.backbone.input_size
    rng = np.random.default_rng(channel)
    noise = 128.0 + rng.normal(0.0, 20.0, (1, size, size, 3))
    start = np.asarray(loaded.backbone.preprocess_input(noise.astype("float32")))
    low = np.asarray(loaded.backbone.preprocess_input(np.zeros((1, 1, 1, 3), "float32")))
    high = np.asarray(loaded.backbone.preprocess_input(np.full((1, 1, 1, 3), 255.0, "float32")))
    step = 0.02 * float(np.abs(high - low).max())  # 2% of the input's range per step
    return filters.maximize_activation(
        loaded.model,
        layer,
        channel,
        start,
        steps=steps,
        step_size=step,
        progress=lambda i, n: say(i / n, _("step {step}/{steps}").format(step=i, steps=n)),
    )


def first_layer_kernels(loaded: LoadedModel) -> tuple[str, np.ndarray]:
    return filters.kernel_tiles(loaded.model)


def map_layers(loaded: LoadedModel) -> list[str]:
    return feature_maps.conv_like_layers(loaded.model)


def top_channels(activations: np.ndarray, n: int) -> list[int]:
    return [int(c) for c in feature_maps.rank_channels(activations)[:n]]


def channel_map(activations: np.ndarray, channel: int) -> np.ndarray:
    return feature_maps.normalize(activations[..., channel])


# The words of models.architecture's rows and totals (its keys), translated where shown.
ARCHITECTURE_WORDS = {
    "#": "#",
    "name": N_("name"),
    "type": N_("type"),
    "output shape": N_("output shape"),
    "parameters": N_("parameters"),
    "ends stage": N_("ends stage"),
    "layers": N_("layers"),
    "trainable": N_("trainable"),
    "non-trainable": N_("non-trainable"),
}


def architecture_rows(loaded: LoadedModel) -> tuple[list[dict], dict[str, int]]:
    """The layers' rows and the totals, keyed by `ARCHITECTURE_WORDS`' keys."""
    return (
        architecture.layer_rows(loaded.model, loaded.backbone.stages),
        architecture.totals(loaded.model),
    )
