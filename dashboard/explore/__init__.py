"""Explore: what one image does inside one ImageNet-pretrained model (predictions, feature maps,
Grad-CAM, filters, the architecture), and the figures that show it.

Other packages use only the names below; the modules behind them are this package's own.
"""

from dashboard.explore import charts
from dashboard.explore.analysis import (
    ARCHITECTURE_WORDS,
    Analysis,
    LoadedModel,
    analyse,
    architecture_rows,
    channel_map,
    first_layer_kernels,
    grad_cam,
    layer_activations,
    load,
    map_layers,
    maximize,
    model_input,
    top_channels,
)
from dashboard.explore.warm import WARM_UP_DONE, loaded_model, warm_up

__all__ = [
    "ARCHITECTURE_WORDS",
    "WARM_UP_DONE",
    "Analysis",
    "LoadedModel",
    "analyse",
    "architecture_rows",
    "channel_map",
    "charts",
    "first_layer_kernels",
    "grad_cam",
    "layer_activations",
    "load",
    "loaded_model",
    "map_layers",
    "maximize",
    "model_input",
    "top_channels",
    "warm_up",
]
