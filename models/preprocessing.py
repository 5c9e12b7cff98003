"""Each backbone's `preprocess_input` as built-in Keras layers, so it travels inside the model.

An exported `.keras` file then takes raw 0-255 RGB images and loads with plain
`keras.saving.load_model`, without our code or custom objects. `tests/test_preprocessing.py`
checks every mode against Keras' own `preprocess_input`.
"""

from __future__ import annotations

import keras
import numpy as np

# keras.applications submodule -> imagenet_utils mode; "none": the model rescales inside itself.
MODES = {
    "mobilenet": "tf",
    "mobilenet_v2": "tf",
    "xception": "tf",
    "inception_v3": "tf",
    "inception_resnet_v2": "tf",
    "resnet_v2": "tf",
    "nasnet": "tf",
    "resnet": "caffe",
    "vgg16": "caffe",
    "vgg19": "caffe",
    "densenet": "torch",
    "mobilenet_v3": "none",
    "efficientnet": "none",
    "efficientnet_v2": "none",
    "convnext": "none",
}

_TORCH_MEAN, _TORCH_STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
_CAFFE_MEAN_BGR = (103.939, 116.779, 123.68)


def apply(module: str, x):
    """Apply the module's preprocessing to the symbolic tensor x (RGB, 0-255)."""
    mode = MODES[module]
    if mode == "tf":
        return keras.layers.Rescaling(1 / 127.5, offset=-1.0, name="preprocess_tf")(x)
    if mode == "torch":
        x = keras.layers.Rescaling(1 / 255.0, name="preprocess_scale")(x)
        return keras.layers.Normalization(
            mean=list(_TORCH_MEAN), variance=[s * s for s in _TORCH_STD], name="preprocess_torch"
        )(x)
    if mode == "caffe":
        # RGB -> BGR and mean subtraction as one fixed 1x1 convolution (a permutation matrix).
        conv = keras.layers.Conv2D(3, 1, name="preprocess_caffe", trainable=False)
        y = conv(x)
        kernel = np.zeros((1, 1, 3, 3), "float32")
        for out_channel, in_channel in enumerate((2, 1, 0)):
            kernel[0, 0, in_channel, out_channel] = 1.0
        conv.set_weights([kernel, -np.array(_CAFFE_MEAN_BGR, "float32")])
        return y
    return x
