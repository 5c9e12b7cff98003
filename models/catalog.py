"""The backbone catalog: one row per ImageNet model in `keras.applications`.

Like keras' own `applications_test.py` is driven by `MODEL_LIST`, this table drives the UI, the tests
and the README's model list. Stage layers are the last layer at each spatial resolution (stride
2, 4, 8, 16, 32), so "low / mid / high level" means the same thing for every model; they were read
off models built with `weights=None`, and `tests/test_catalog.py` checks every row against a build.

Published accuracies are the Keras applications table (ImageNet validation, single crop). MobileNet
v1's variants other than 1.0@224 come from the TF-slim model zoo that those weights were ported from.
Input contract for every row: RGB, float values 0-255, shape (batch, size, size, 3); the row's
`preprocess_input` maps that to what the model expects.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from types import ModuleType

HUMAN_TOP5_ERROR = 5.1  # Russakovsky et al. 2015, ILSVRC human annotator study

FAMILIES: dict[str, tuple[int, str]] = {
    "VGG": (2014, "Simonyan & Zisserman, Very Deep Convolutional Networks (ICLR 2015)"),
    "ResNet": (2015, "He et al., Deep Residual Learning for Image Recognition (CVPR 2016)"),
    "ResNetV2": (2016, "He et al., Identity Mappings in Deep Residual Networks (ECCV 2016)"),
    "Inception": (2015, "Szegedy et al., Rethinking the Inception Architecture (CVPR 2016)"),
    "Xception": (2017, "Chollet, Xception: Depthwise Separable Convolutions (CVPR 2017)"),
    "MobileNet": (2017, "Howard et al., MobileNets: Efficient CNNs for Mobile Vision (2017)"),
    "DenseNet": (2017, "Huang et al., Densely Connected Convolutional Networks (CVPR 2017)"),
    "NASNet": (2018, "Zoph et al., Learning Transferable Architectures (CVPR 2018)"),
    "MobileNetV2": (2018, "Sandler et al., MobileNetV2: Inverted Residuals (CVPR 2018)"),
    "MobileNetV3": (2019, "Howard et al., Searching for MobileNetV3 (ICCV 2019)"),
    "EfficientNet": (2019, "Tan & Le, EfficientNet: Rethinking Model Scaling (ICML 2019)"),
    "EfficientNetV2": (2021, "Tan & Le, EfficientNetV2: Smaller Models, Faster Training (2021)"),
    "ConvNeXt": (2022, "Liu et al., A ConvNet for the 2020s (CVPR 2022)"),
}
# InceptionResNetV2 is a 2016 paper (Inception-v4); the family year is InceptionV3's.
_YEAR_OVERRIDES = {"InceptionResNetV2": 2016}


@dataclass(frozen=True)
class Backbone:
    key: str  # unique id, also the UI's value
    builder: str  # attribute of keras.applications
    module: str  # keras.applications submodule holding preprocess_input / decode_predictions
    family: str
    params: int  # with the 1000-class ImageNet top
    depth: int | None  # as in the Keras table; None where it gives none
    input_size: int  # default square input, pixels
    top1: float  # published ImageNet top-1 accuracy, %
    top5: float | None
    stages: tuple[str, ...]  # last layer at each stride, low level -> high level
    last_conv: str  # Grad-CAM's layer
    weights_top: str  # Keras' file name for the weights with the classifier
    weights_notop: str  # ... and without it
    kwargs: tuple[tuple[str, object], ...] = field(default=())  # extra builder arguments

    @property
    def year(self) -> int:
        return _YEAR_OVERRIDES.get(self.builder, FAMILIES[self.family][0])

    @property
    def paper(self) -> str:
        return FAMILIES[self.family][1]

    @property
    def label(self) -> str:
        if self.builder == "MobileNet":
            kw = dict(self.kwargs)
            return f"MobileNet α={kw['alpha']} @{self.input_size}px"
        return self.builder

    @property
    def download_mb(self) -> float:
        """Approximate size of the weight file: float32 parameters."""
        return self.params * 4 / 1e6

    def keras_module(self) -> ModuleType:
        return importlib.import_module(f"keras.applications.{self.module}")

    def preprocess_input(self, x):
        return self.keras_module().preprocess_input(x)

    def decode_predictions(self, preds, top: int = 5):
        """Keras' own decoder; it downloads the class index. The app uses models.imagenet."""
        return self.keras_module().decode_predictions(preds, top=top)


def _row(key, builder, module, family, params, depth, size, top1, top5, stages, last, top, notop,
         kwargs=()):  # fmt: skip
    return Backbone(key, builder, module, family, params, depth, size, top1, top5, tuple(stages),
                    last, top, notop, tuple(kwargs))  # fmt: skip


# MobileNet v1: every alpha x input size that Keras has weights for. (top-1, top-5) in %.
_MOBILENET_V1 = {
    (0.25, 128): (41.5, 66.3), (0.25, 160): (45.5, 70.3), (0.25, 192): (47.7, 72.3),
    (0.25, 224): (49.8, 74.2), (0.5, 128): (56.3, 79.4), (0.5, 160): (59.1, 81.9),
    (0.5, 192): (61.7, 83.6), (0.5, 224): (63.3, 84.9), (0.75, 128): (62.1, 83.9),
    (0.75, 160): (65.3, 86.0), (0.75, 192): (67.2, 87.3), (0.75, 224): (68.4, 88.2),
    (1.0, 128): (65.2, 85.8), (1.0, 160): (68.0, 87.7), (1.0, 192): (70.0, 89.2),
    (1.0, 224): (70.4, 89.5),
}  # fmt: skip
_MOBILENET_V1_PARAMS = {0.25: 475544, 0.5: 1342536, 0.75: 2601976, 1.0: 4253864}
_MOBILENET_V1_STAGES = ("conv_pw_1_relu", "conv_pw_3_relu", "conv_pw_5_relu", "conv_pw_11_relu",
                        "conv_pw_13_relu")  # fmt: skip


def _mobilenet_v1(alpha: float, size: int) -> Backbone:
    alpha_text = {0.25: "2_5", 0.5: "5_0", 0.75: "7_5", 1.0: "1_0"}[alpha]
    top1, top5 = _MOBILENET_V1[(alpha, size)]
    return _row(f"MobileNet_{alpha}_{size}", "MobileNet", "mobilenet", "MobileNet",
                _MOBILENET_V1_PARAMS[alpha], 55, size, top1, top5, _MOBILENET_V1_STAGES,
                "conv_pw_13_relu", f"mobilenet_{alpha_text}_{size}_tf.h5",
                f"mobilenet_{alpha_text}_{size}_tf_no_top.h5", (("alpha", alpha),))  # fmt: skip


# fmt: off
MODEL_LIST: tuple[Backbone, ...] = (
    *(_mobilenet_v1(alpha, size) for alpha, size in _MOBILENET_V1),
    _row("MobileNetV2", "MobileNetV2", "mobilenet_v2", "MobileNetV2", 3538984, 105, 224, 71.3, 90.1,
         ("block_1_expand_relu", "block_3_expand_relu", "block_6_expand_relu", "block_13_expand_relu", "out_relu"),
         "out_relu", "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224.h5", "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5", ()),
    _row("MobileNetV3Small", "MobileNetV3Small", "mobilenet_v3", "MobileNetV3", 2554968, None, 224, 68.1, None,
         ("activation", "re_lu_2", "activation_1", "activation_11", "activation_17"),
         "activation_17", "weights_mobilenet_v3_small_224_1.0_float.h5", "weights_mobilenet_v3_small_224_1.0_float_no_top_v2.h5", ()),
    _row("MobileNetV3Large", "MobileNetV3Large", "mobilenet_v3", "MobileNetV3", 5507432, None, 224, 75.6, None,
         ("re_lu_1", "re_lu_5", "activation_1", "activation_13", "activation_19"),
         "activation_19", "weights_mobilenet_v3_large_224_1.0_float.h5", "weights_mobilenet_v3_large_224_1.0_float_no_top_v2.h5", ()),
    _row("Xception", "Xception", "xception", "Xception", 22910480, 81, 299, 79.0, 94.5,
         ("block2_sepconv2_bn", "block3_sepconv2_bn", "block4_sepconv2_bn", "block13_sepconv2_bn", "block14_sepconv2_act"),
         "block14_sepconv2_act", "xception_weights_tf_dim_ordering_tf_kernels.h5", "xception_weights_tf_dim_ordering_tf_kernels_notop.h5", ()),
    _row("VGG16", "VGG16", "vgg16", "VGG", 138357544, 16, 224, 71.3, 90.1,
         ("block1_conv2", "block2_conv2", "block3_conv3", "block4_conv3", "block5_conv3"),
         "block5_conv3", "vgg16_weights_tf_dim_ordering_tf_kernels.h5", "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5", ()),
    _row("VGG19", "VGG19", "vgg19", "VGG", 143667240, 19, 224, 71.3, 90.0,
         ("block1_conv2", "block2_conv2", "block3_conv4", "block4_conv4", "block5_conv4"),
         "block5_conv4", "vgg19_weights_tf_dim_ordering_tf_kernels.h5", "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5", ()),
    _row("ResNet50", "ResNet50", "resnet", "ResNet", 25636712, 107, 224, 74.9, 92.1,
         ("conv1_relu", "conv2_block3_out", "conv3_block4_out", "conv4_block6_out", "conv5_block3_out"),
         "conv5_block3_out", "resnet50_weights_tf_dim_ordering_tf_kernels.h5", "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5", ()),
    _row("ResNet101", "ResNet101", "resnet", "ResNet", 44707176, 209, 224, 76.4, 92.8,
         ("conv1_relu", "conv2_block3_out", "conv3_block4_out", "conv4_block23_out", "conv5_block3_out"),
         "conv5_block3_out", "resnet101_weights_tf_dim_ordering_tf_kernels.h5", "resnet101_weights_tf_dim_ordering_tf_kernels_notop.h5", ()),
    _row("ResNet152", "ResNet152", "resnet", "ResNet", 60419944, 311, 224, 76.6, 93.1,
         ("conv1_relu", "conv2_block3_out", "conv3_block8_out", "conv4_block36_out", "conv5_block3_out"),
         "conv5_block3_out", "resnet152_weights_tf_dim_ordering_tf_kernels.h5", "resnet152_weights_tf_dim_ordering_tf_kernels_notop.h5", ()),
    _row("ResNet50V2", "ResNet50V2", "resnet_v2", "ResNetV2", 25613800, 103, 224, 76.0, 93.0,
         ("conv1_conv", "conv2_block3_1_relu", "conv3_block4_1_relu", "conv4_block6_1_relu", "post_relu"),
         "post_relu", "resnet50v2_weights_tf_dim_ordering_tf_kernels.h5", "resnet50v2_weights_tf_dim_ordering_tf_kernels_notop.h5", ()),
    _row("ResNet101V2", "ResNet101V2", "resnet_v2", "ResNetV2", 44675560, 205, 224, 77.2, 93.8,
         ("conv1_conv", "conv2_block3_1_relu", "conv3_block4_1_relu", "conv4_block23_1_relu", "post_relu"),
         "post_relu", "resnet101v2_weights_tf_dim_ordering_tf_kernels.h5", "resnet101v2_weights_tf_dim_ordering_tf_kernels_notop.h5", ()),
    _row("ResNet152V2", "ResNet152V2", "resnet_v2", "ResNetV2", 60380648, 307, 224, 78.0, 94.2,
         ("conv1_conv", "conv2_block3_1_relu", "conv3_block8_1_relu", "conv4_block36_1_relu", "post_relu"),
         "post_relu", "resnet152v2_weights_tf_dim_ordering_tf_kernels.h5", "resnet152v2_weights_tf_dim_ordering_tf_kernels_notop.h5", ()),
    _row("InceptionV3", "InceptionV3", "inception_v3", "Inception", 23851784, 189, 299, 77.9, 93.7,
         ("activation_2", "activation_4", "activation_28", "activation_74", "mixed10"),
         "mixed10", "inception_v3_weights_tf_dim_ordering_tf_kernels.h5", "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5", ()),
    _row("InceptionResNetV2", "InceptionResNetV2", "inception_resnet_v2", "Inception", 55873736, 449, 299, 80.3, 95.3,
         ("activation_2", "activation_4", "activation_74", "activation_161", "conv_7b_ac"),
         "conv_7b_ac", "inception_resnet_v2_weights_tf_dim_ordering_tf_kernels.h5", "inception_resnet_v2_weights_tf_dim_ordering_tf_kernels_notop.h5", ()),
    _row("DenseNet121", "DenseNet121", "densenet", "DenseNet", 8062504, 242, 224, 75.0, 92.3,
         ("conv1_relu", "pool2_conv", "pool3_conv", "pool4_conv", "relu"),
         "relu", "densenet121_weights_tf_dim_ordering_tf_kernels.h5", "densenet121_weights_tf_dim_ordering_tf_kernels_notop.h5", ()),
    _row("DenseNet169", "DenseNet169", "densenet", "DenseNet", 14307880, 338, 224, 76.2, 93.2,
         ("conv1_relu", "pool2_conv", "pool3_conv", "pool4_conv", "relu"),
         "relu", "densenet169_weights_tf_dim_ordering_tf_kernels.h5", "densenet169_weights_tf_dim_ordering_tf_kernels_notop.h5", ()),
    _row("DenseNet201", "DenseNet201", "densenet", "DenseNet", 20242984, 402, 224, 77.3, 93.6,
         ("conv1_relu", "pool2_conv", "pool3_conv", "pool4_conv", "relu"),
         "relu", "densenet201_weights_tf_dim_ordering_tf_kernels.h5", "densenet201_weights_tf_dim_ordering_tf_kernels_notop.h5", ()),
    _row("NASNetMobile", "NASNetMobile", "nasnet", "NASNet", 5326716, 389, 224, 74.4, 91.9,
         ("adjust_relu_1_stem_2", "adjust_relu_1_0", "adjust_relu_1_5", "adjust_relu_1_9", "activation_187"),
         "activation_187", "nasnet_mobile.h5", "nasnet_mobile_no_top.h5", ()),
    _row("NASNetLarge", "NASNetLarge", "nasnet", "NASNet", 88949818, 533, 331, 82.5, 96.0,
         ("adjust_relu_1_stem_2", "adjust_relu_1_0", "adjust_relu_1_7", "adjust_relu_1_13", "activation_259"),
         "activation_259", "nasnet_large.h5", "nasnet_large_no_top.h5", ()),
    _row("EfficientNetB0", "EfficientNetB0", "efficientnet", "EfficientNet", 5330571, 132, 224, 77.1, 93.3,
         ("block2a_expand_activation", "block3a_expand_activation", "block4a_expand_activation", "block6a_expand_activation", "top_activation"),
         "top_activation", "efficientnetb0.h5", "efficientnetb0_notop.h5", ()),
    _row("EfficientNetB1", "EfficientNetB1", "efficientnet", "EfficientNet", 7856239, 186, 240, 79.1, 94.4,
         ("block2a_expand_activation", "block3a_expand_activation", "block4a_expand_activation", "block6a_expand_activation", "top_activation"),
         "top_activation", "efficientnetb1.h5", "efficientnetb1_notop.h5", ()),
    _row("EfficientNetB2", "EfficientNetB2", "efficientnet", "EfficientNet", 9177569, 186, 260, 80.1, 94.9,
         ("block2a_expand_activation", "block3a_expand_activation", "block4a_expand_activation", "block6a_expand_activation", "top_activation"),
         "top_activation", "efficientnetb2.h5", "efficientnetb2_notop.h5", ()),
    _row("EfficientNetB3", "EfficientNetB3", "efficientnet", "EfficientNet", 12320535, 210, 300, 81.6, 95.7,
         ("block2a_expand_activation", "block3a_expand_activation", "block4a_expand_activation", "block6a_expand_activation", "top_activation"),
         "top_activation", "efficientnetb3.h5", "efficientnetb3_notop.h5", ()),
    _row("EfficientNetB4", "EfficientNetB4", "efficientnet", "EfficientNet", 19466823, 258, 380, 82.9, 96.4,
         ("block2a_expand_activation", "block3a_expand_activation", "block4a_expand_activation", "block6a_expand_activation", "top_activation"),
         "top_activation", "efficientnetb4.h5", "efficientnetb4_notop.h5", ()),
    _row("EfficientNetB5", "EfficientNetB5", "efficientnet", "EfficientNet", 30562527, 312, 456, 83.6, 96.7,
         ("block2a_expand_activation", "block3a_expand_activation", "block4a_expand_activation", "block6a_expand_activation", "top_activation"),
         "top_activation", "efficientnetb5.h5", "efficientnetb5_notop.h5", ()),
    _row("EfficientNetB6", "EfficientNetB6", "efficientnet", "EfficientNet", 43265143, 360, 528, 84.0, 96.8,
         ("block2a_expand_activation", "block3a_expand_activation", "block4a_expand_activation", "block6a_expand_activation", "top_activation"),
         "top_activation", "efficientnetb6.h5", "efficientnetb6_notop.h5", ()),
    _row("EfficientNetB7", "EfficientNetB7", "efficientnet", "EfficientNet", 66658687, 438, 600, 84.3, 97.0,
         ("block2a_expand_activation", "block3a_expand_activation", "block4a_expand_activation", "block6a_expand_activation", "top_activation"),
         "top_activation", "efficientnetb7.h5", "efficientnetb7_notop.h5", ()),
    _row("EfficientNetV2B0", "EfficientNetV2B0", "efficientnet_v2", "EfficientNetV2", 7200312, None, 224, 78.7, 94.3,
         ("block1a_project_activation", "block2b_add", "block4a_expand_activation", "block6a_expand_activation", "top_activation"),
         "top_activation", "efficientnetv2-b0.h5", "efficientnetv2-b0_notop.h5", ()),
    _row("EfficientNetV2B1", "EfficientNetV2B1", "efficientnet_v2", "EfficientNetV2", 8212124, None, 240, 79.8, 95.0,
         ("block1b_add", "block2c_add", "block4a_expand_activation", "block6a_expand_activation", "top_activation"),
         "top_activation", "efficientnetv2-b1.h5", "efficientnetv2-b1_notop.h5", ()),
    _row("EfficientNetV2B2", "EfficientNetV2B2", "efficientnet_v2", "EfficientNetV2", 10178374, None, 260, 80.5, 95.1,
         ("block1b_add", "block2c_add", "block4a_expand_activation", "block6a_expand_activation", "top_activation"),
         "top_activation", "efficientnetv2-b2.h5", "efficientnetv2-b2_notop.h5", ()),
    _row("EfficientNetV2B3", "EfficientNetV2B3", "efficientnet_v2", "EfficientNetV2", 14467622, None, 300, 82.0, 95.8,
         ("block1b_add", "block2c_add", "block4a_expand_activation", "block6a_expand_activation", "top_activation"),
         "top_activation", "efficientnetv2-b3.h5", "efficientnetv2-b3_notop.h5", ()),
    _row("EfficientNetV2S", "EfficientNetV2S", "efficientnet_v2", "EfficientNetV2", 21612360, None, 384, 83.9, 96.7,
         ("block1b_add", "block2d_add", "block4a_expand_activation", "block6a_expand_activation", "top_activation"),
         "top_activation", "efficientnetv2-s.h5", "efficientnetv2-s_notop.h5", ()),
    _row("EfficientNetV2M", "EfficientNetV2M", "efficientnet_v2", "EfficientNetV2", 54431388, None, 480, 85.3, 97.4,
         ("block1c_add", "block2e_add", "block4a_expand_activation", "block6a_expand_activation", "top_activation"),
         "top_activation", "efficientnetv2-m.h5", "efficientnetv2-m_notop.h5", ()),
    _row("EfficientNetV2L", "EfficientNetV2L", "efficientnet_v2", "EfficientNetV2", 119027848, None, 480, 85.7, 97.5,
         ("block1d_add", "block2g_add", "block4a_expand_activation", "block6a_expand_activation", "top_activation"),
         "top_activation", "efficientnetv2-l.h5", "efficientnetv2-l_notop.h5", ()),
    _row("ConvNeXtTiny", "ConvNeXtTiny", "convnext", "ConvNeXt", 28589128, None, 224, 81.3, None,
         ("convnext_tiny_stage_0_block_2_identity", "convnext_tiny_stage_1_block_2_identity", "convnext_tiny_stage_2_block_8_identity", "convnext_tiny_stage_3_block_2_identity"),
         "convnext_tiny_stage_3_block_2_identity", "convnext_tiny.h5", "convnext_tiny_notop.h5", ()),
    _row("ConvNeXtSmall", "ConvNeXtSmall", "convnext", "ConvNeXt", 50223688, None, 224, 82.3, None,
         ("convnext_small_stage_0_block_2_identity", "convnext_small_stage_1_block_2_identity", "convnext_small_stage_2_block_26_identity", "convnext_small_stage_3_block_2_identity"),
         "convnext_small_stage_3_block_2_identity", "convnext_small.h5", "convnext_small_notop.h5", ()),
    _row("ConvNeXtBase", "ConvNeXtBase", "convnext", "ConvNeXt", 88591464, None, 224, 85.3, None,
         ("convnext_base_stage_0_block_2_identity", "convnext_base_stage_1_block_2_identity", "convnext_base_stage_2_block_26_identity", "convnext_base_stage_3_block_2_identity"),
         "convnext_base_stage_3_block_2_identity", "convnext_base.h5", "convnext_base_notop.h5", ()),
    _row("ConvNeXtLarge", "ConvNeXtLarge", "convnext", "ConvNeXt", 197767336, None, 224, 86.3, None,
         ("convnext_large_stage_0_block_2_identity", "convnext_large_stage_1_block_2_identity", "convnext_large_stage_2_block_26_identity", "convnext_large_stage_3_block_2_identity"),
         "convnext_large_stage_3_block_2_identity", "convnext_large.h5", "convnext_large_notop.h5", ()),
    _row("ConvNeXtXLarge", "ConvNeXtXLarge", "convnext", "ConvNeXt", 350196968, None, 224, 86.7, None,
         ("convnext_xlarge_stage_0_block_2_identity", "convnext_xlarge_stage_1_block_2_identity", "convnext_xlarge_stage_2_block_26_identity", "convnext_xlarge_stage_3_block_2_identity"),
         "convnext_xlarge_stage_3_block_2_identity", "convnext_xlarge.h5", "convnext_xlarge_notop.h5", ()),
)
# fmt: on

BY_KEY: dict[str, Backbone] = {b.key: b for b in MODEL_LIST}
FALLBACK_DEFAULT = "MobileNetV2"


def get(key: str) -> Backbone:
    try:
        return BY_KEY[key]
    except KeyError:
        raise KeyError(f"unknown backbone {key!r}; known: {', '.join(BY_KEY)}") from None


def families() -> dict[str, list[Backbone]]:
    """Backbones grouped by family, families in order of their year."""
    grouped: dict[str, list[Backbone]] = {}
    for b in sorted(MODEL_LIST, key=lambda b: (FAMILIES[b.family][0], b.family)):
        grouped.setdefault(b.family, []).append(b)
    return grouped
