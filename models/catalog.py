"""The backbone catalog: one row per ImageNet model in `keras.applications`.

Like keras' own `applications_test.py` is driven by `MODEL_LIST`, this table drives the UI, the tests
and docs/models.md. Stage layers are the last layer at each spatial resolution (stride
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


def _row(builder: str, **fields) -> Backbone:
    """One catalog row; its key is the Keras builder's name unless given."""
    fields.setdefault("key", builder)
    fields["stages"] = tuple(fields["stages"])
    return Backbone(builder=builder, **fields)


# MobileNet v1: every alpha x input size that Keras has weights for. (top-1, top-5) in %.
# fmt: off
_MOBILENET_V1 = {
    (0.25, 128): (41.5, 66.3), (0.25, 160): (45.5, 70.3), (0.25, 192): (47.7, 72.3),
    (0.25, 224): (49.8, 74.2), (0.5, 128): (56.3, 79.4), (0.5, 160): (59.1, 81.9),
    (0.5, 192): (61.7, 83.6), (0.5, 224): (63.3, 84.9), (0.75, 128): (62.1, 83.9),
    (0.75, 160): (65.3, 86.0), (0.75, 192): (67.2, 87.3), (0.75, 224): (68.4, 88.2),
    (1.0, 128): (65.2, 85.8), (1.0, 160): (68.0, 87.7), (1.0, 192): (70.0, 89.2),
    (1.0, 224): (70.4, 89.5),
}
# fmt: on
_MOBILENET_V1_PARAMS = {0.25: 475544, 0.5: 1342536, 0.75: 2601976, 1.0: 4253864}
_MOBILENET_V1_STAGES = (
    "conv_pw_1_relu",
    "conv_pw_3_relu",
    "conv_pw_5_relu",
    "conv_pw_11_relu",
    "conv_pw_13_relu",
)


def _mobilenet_v1(alpha: float, size: int) -> Backbone:
    alpha_text = {0.25: "2_5", 0.5: "5_0", 0.75: "7_5", 1.0: "1_0"}[alpha]
    top1, top5 = _MOBILENET_V1[(alpha, size)]
    return _row(
        "MobileNet",
        key=f"MobileNet_{alpha}_{size}",
        module="mobilenet",
        family="MobileNet",
        params=_MOBILENET_V1_PARAMS[alpha],
        depth=55,
        input_size=size,
        top1=top1,
        top5=top5,
        last_conv="conv_pw_13_relu",
        stages=_MOBILENET_V1_STAGES,
        weights_top=f"mobilenet_{alpha_text}_{size}_tf.h5",
        weights_notop=f"mobilenet_{alpha_text}_{size}_tf_no_top.h5",
        kwargs=(("alpha", alpha),),
    )


# One row per model, by keyword. Stages: the last layer at each stride, low level -> high level.
# fmt: off
MODEL_LIST: tuple[Backbone, ...] = (
    *(_mobilenet_v1(alpha, size) for alpha, size in _MOBILENET_V1),
    _row("MobileNetV2", module="mobilenet_v2", family="MobileNetV2", params=3538984, depth=105,
         input_size=224, top1=71.3, top5=90.1, last_conv="out_relu",
         stages=("block_1_expand_relu", "block_3_expand_relu", "block_6_expand_relu", "block_13_expand_relu", "out_relu"),
         weights_top="mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224.h5", weights_notop="mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5"),
    _row("MobileNetV3Small", module="mobilenet_v3", family="MobileNetV3", params=2554968, depth=None,
         input_size=224, top1=68.1, top5=None, last_conv="activation_17",
         stages=("activation", "re_lu_2", "activation_1", "activation_11", "activation_17"),
         weights_top="weights_mobilenet_v3_small_224_1.0_float.h5", weights_notop="weights_mobilenet_v3_small_224_1.0_float_no_top_v2.h5"),
    _row("MobileNetV3Large", module="mobilenet_v3", family="MobileNetV3", params=5507432, depth=None,
         input_size=224, top1=75.6, top5=None, last_conv="activation_19",
         stages=("re_lu_1", "re_lu_5", "activation_1", "activation_13", "activation_19"),
         weights_top="weights_mobilenet_v3_large_224_1.0_float.h5", weights_notop="weights_mobilenet_v3_large_224_1.0_float_no_top_v2.h5"),
    _row("Xception", module="xception", family="Xception", params=22910480, depth=81,
         input_size=299, top1=79.0, top5=94.5, last_conv="block14_sepconv2_act",
         stages=("block2_sepconv2_bn", "block3_sepconv2_bn", "block4_sepconv2_bn", "block13_sepconv2_bn", "block14_sepconv2_act"),
         weights_top="xception_weights_tf_dim_ordering_tf_kernels.h5", weights_notop="xception_weights_tf_dim_ordering_tf_kernels_notop.h5"),
    _row("VGG16", module="vgg16", family="VGG", params=138357544, depth=16,
         input_size=224, top1=71.3, top5=90.1, last_conv="block5_conv3",
         stages=("block1_conv2", "block2_conv2", "block3_conv3", "block4_conv3", "block5_conv3"),
         weights_top="vgg16_weights_tf_dim_ordering_tf_kernels.h5", weights_notop="vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5"),
    _row("VGG19", module="vgg19", family="VGG", params=143667240, depth=19,
         input_size=224, top1=71.3, top5=90.0, last_conv="block5_conv4",
         stages=("block1_conv2", "block2_conv2", "block3_conv4", "block4_conv4", "block5_conv4"),
         weights_top="vgg19_weights_tf_dim_ordering_tf_kernels.h5", weights_notop="vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5"),
    _row("ResNet50", module="resnet", family="ResNet", params=25636712, depth=107,
         input_size=224, top1=74.9, top5=92.1, last_conv="conv5_block3_out",
         stages=("conv1_relu", "conv2_block3_out", "conv3_block4_out", "conv4_block6_out", "conv5_block3_out"),
         weights_top="resnet50_weights_tf_dim_ordering_tf_kernels.h5", weights_notop="resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5"),
    _row("ResNet101", module="resnet", family="ResNet", params=44707176, depth=209,
         input_size=224, top1=76.4, top5=92.8, last_conv="conv5_block3_out",
         stages=("conv1_relu", "conv2_block3_out", "conv3_block4_out", "conv4_block23_out", "conv5_block3_out"),
         weights_top="resnet101_weights_tf_dim_ordering_tf_kernels.h5", weights_notop="resnet101_weights_tf_dim_ordering_tf_kernels_notop.h5"),
    _row("ResNet152", module="resnet", family="ResNet", params=60419944, depth=311,
         input_size=224, top1=76.6, top5=93.1, last_conv="conv5_block3_out",
         stages=("conv1_relu", "conv2_block3_out", "conv3_block8_out", "conv4_block36_out", "conv5_block3_out"),
         weights_top="resnet152_weights_tf_dim_ordering_tf_kernels.h5", weights_notop="resnet152_weights_tf_dim_ordering_tf_kernels_notop.h5"),
    _row("ResNet50V2", module="resnet_v2", family="ResNetV2", params=25613800, depth=103,
         input_size=224, top1=76.0, top5=93.0, last_conv="post_relu",
         stages=("conv1_conv", "conv2_block3_1_relu", "conv3_block4_1_relu", "conv4_block6_1_relu", "post_relu"),
         weights_top="resnet50v2_weights_tf_dim_ordering_tf_kernels.h5", weights_notop="resnet50v2_weights_tf_dim_ordering_tf_kernels_notop.h5"),
    _row("ResNet101V2", module="resnet_v2", family="ResNetV2", params=44675560, depth=205,
         input_size=224, top1=77.2, top5=93.8, last_conv="post_relu",
         stages=("conv1_conv", "conv2_block3_1_relu", "conv3_block4_1_relu", "conv4_block23_1_relu", "post_relu"),
         weights_top="resnet101v2_weights_tf_dim_ordering_tf_kernels.h5", weights_notop="resnet101v2_weights_tf_dim_ordering_tf_kernels_notop.h5"),
    _row("ResNet152V2", module="resnet_v2", family="ResNetV2", params=60380648, depth=307,
         input_size=224, top1=78.0, top5=94.2, last_conv="post_relu",
         stages=("conv1_conv", "conv2_block3_1_relu", "conv3_block8_1_relu", "conv4_block36_1_relu", "post_relu"),
         weights_top="resnet152v2_weights_tf_dim_ordering_tf_kernels.h5", weights_notop="resnet152v2_weights_tf_dim_ordering_tf_kernels_notop.h5"),
    _row("InceptionV3", module="inception_v3", family="Inception", params=23851784, depth=189,
         input_size=299, top1=77.9, top5=93.7, last_conv="mixed10",
         stages=("activation_2", "activation_4", "activation_28", "activation_74", "mixed10"),
         weights_top="inception_v3_weights_tf_dim_ordering_tf_kernels.h5", weights_notop="inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5"),
    _row("InceptionResNetV2", module="inception_resnet_v2", family="Inception", params=55873736, depth=449,
         input_size=299, top1=80.3, top5=95.3, last_conv="conv_7b_ac",
         stages=("activation_2", "activation_4", "activation_74", "activation_161", "conv_7b_ac"),
         weights_top="inception_resnet_v2_weights_tf_dim_ordering_tf_kernels.h5", weights_notop="inception_resnet_v2_weights_tf_dim_ordering_tf_kernels_notop.h5"),
    _row("DenseNet121", module="densenet", family="DenseNet", params=8062504, depth=242,
         input_size=224, top1=75.0, top5=92.3, last_conv="relu",
         stages=("conv1_relu", "pool2_conv", "pool3_conv", "pool4_conv", "relu"),
         weights_top="densenet121_weights_tf_dim_ordering_tf_kernels.h5", weights_notop="densenet121_weights_tf_dim_ordering_tf_kernels_notop.h5"),
    _row("DenseNet169", module="densenet", family="DenseNet", params=14307880, depth=338,
         input_size=224, top1=76.2, top5=93.2, last_conv="relu",
         stages=("conv1_relu", "pool2_conv", "pool3_conv", "pool4_conv", "relu"),
         weights_top="densenet169_weights_tf_dim_ordering_tf_kernels.h5", weights_notop="densenet169_weights_tf_dim_ordering_tf_kernels_notop.h5"),
    _row("DenseNet201", module="densenet", family="DenseNet", params=20242984, depth=402,
         input_size=224, top1=77.3, top5=93.6, last_conv="relu",
         stages=("conv1_relu", "pool2_conv", "pool3_conv", "pool4_conv", "relu"),
         weights_top="densenet201_weights_tf_dim_ordering_tf_kernels.h5", weights_notop="densenet201_weights_tf_dim_ordering_tf_kernels_notop.h5"),
    _row("NASNetMobile", module="nasnet", family="NASNet", params=5326716, depth=389,
         input_size=224, top1=74.4, top5=91.9, last_conv="activation_187",
         stages=("adjust_relu_1_stem_2", "adjust_relu_1_0", "adjust_relu_1_5", "adjust_relu_1_9", "activation_187"),
         weights_top="nasnet_mobile.h5", weights_notop="nasnet_mobile_no_top.h5"),
    _row("NASNetLarge", module="nasnet", family="NASNet", params=88949818, depth=533,
         input_size=331, top1=82.5, top5=96.0, last_conv="activation_259",
         stages=("adjust_relu_1_stem_2", "adjust_relu_1_0", "adjust_relu_1_7", "adjust_relu_1_13", "activation_259"),
         weights_top="nasnet_large.h5", weights_notop="nasnet_large_no_top.h5"),
    _row("EfficientNetB0", module="efficientnet", family="EfficientNet", params=5330571, depth=132,
         input_size=224, top1=77.1, top5=93.3, last_conv="top_activation",
         stages=("block2a_expand_activation", "block3a_expand_activation", "block4a_expand_activation", "block6a_expand_activation", "top_activation"),
         weights_top="efficientnetb0.h5", weights_notop="efficientnetb0_notop.h5"),
    _row("EfficientNetB1", module="efficientnet", family="EfficientNet", params=7856239, depth=186,
         input_size=240, top1=79.1, top5=94.4, last_conv="top_activation",
         stages=("block2a_expand_activation", "block3a_expand_activation", "block4a_expand_activation", "block6a_expand_activation", "top_activation"),
         weights_top="efficientnetb1.h5", weights_notop="efficientnetb1_notop.h5"),
    _row("EfficientNetB2", module="efficientnet", family="EfficientNet", params=9177569, depth=186,
         input_size=260, top1=80.1, top5=94.9, last_conv="top_activation",
         stages=("block2a_expand_activation", "block3a_expand_activation", "block4a_expand_activation", "block6a_expand_activation", "top_activation"),
         weights_top="efficientnetb2.h5", weights_notop="efficientnetb2_notop.h5"),
    _row("EfficientNetB3", module="efficientnet", family="EfficientNet", params=12320535, depth=210,
         input_size=300, top1=81.6, top5=95.7, last_conv="top_activation",
         stages=("block2a_expand_activation", "block3a_expand_activation", "block4a_expand_activation", "block6a_expand_activation", "top_activation"),
         weights_top="efficientnetb3.h5", weights_notop="efficientnetb3_notop.h5"),
    _row("EfficientNetB4", module="efficientnet", family="EfficientNet", params=19466823, depth=258,
         input_size=380, top1=82.9, top5=96.4, last_conv="top_activation",
         stages=("block2a_expand_activation", "block3a_expand_activation", "block4a_expand_activation", "block6a_expand_activation", "top_activation"),
         weights_top="efficientnetb4.h5", weights_notop="efficientnetb4_notop.h5"),
    _row("EfficientNetB5", module="efficientnet", family="EfficientNet", params=30562527, depth=312,
         input_size=456, top1=83.6, top5=96.7, last_conv="top_activation",
         stages=("block2a_expand_activation", "block3a_expand_activation", "block4a_expand_activation", "block6a_expand_activation", "top_activation"),
         weights_top="efficientnetb5.h5", weights_notop="efficientnetb5_notop.h5"),
    _row("EfficientNetB6", module="efficientnet", family="EfficientNet", params=43265143, depth=360,
         input_size=528, top1=84.0, top5=96.8, last_conv="top_activation",
         stages=("block2a_expand_activation", "block3a_expand_activation", "block4a_expand_activation", "block6a_expand_activation", "top_activation"),
         weights_top="efficientnetb6.h5", weights_notop="efficientnetb6_notop.h5"),
    _row("EfficientNetB7", module="efficientnet", family="EfficientNet", params=66658687, depth=438,
         input_size=600, top1=84.3, top5=97.0, last_conv="top_activation",
         stages=("block2a_expand_activation", "block3a_expand_activation", "block4a_expand_activation", "block6a_expand_activation", "top_activation"),
         weights_top="efficientnetb7.h5", weights_notop="efficientnetb7_notop.h5"),
    _row("EfficientNetV2B0", module="efficientnet_v2", family="EfficientNetV2", params=7200312, depth=None,
         input_size=224, top1=78.7, top5=94.3, last_conv="top_activation",
         stages=("block1a_project_activation", "block2b_add", "block4a_expand_activation", "block6a_expand_activation", "top_activation"),
         weights_top="efficientnetv2-b0.h5", weights_notop="efficientnetv2-b0_notop.h5"),
    _row("EfficientNetV2B1", module="efficientnet_v2", family="EfficientNetV2", params=8212124, depth=None,
         input_size=240, top1=79.8, top5=95.0, last_conv="top_activation",
         stages=("block1b_add", "block2c_add", "block4a_expand_activation", "block6a_expand_activation", "top_activation"),
         weights_top="efficientnetv2-b1.h5", weights_notop="efficientnetv2-b1_notop.h5"),
    _row("EfficientNetV2B2", module="efficientnet_v2", family="EfficientNetV2", params=10178374, depth=None,
         input_size=260, top1=80.5, top5=95.1, last_conv="top_activation",
         stages=("block1b_add", "block2c_add", "block4a_expand_activation", "block6a_expand_activation", "top_activation"),
         weights_top="efficientnetv2-b2.h5", weights_notop="efficientnetv2-b2_notop.h5"),
    _row("EfficientNetV2B3", module="efficientnet_v2", family="EfficientNetV2", params=14467622, depth=None,
         input_size=300, top1=82.0, top5=95.8, last_conv="top_activation",
         stages=("block1b_add", "block2c_add", "block4a_expand_activation", "block6a_expand_activation", "top_activation"),
         weights_top="efficientnetv2-b3.h5", weights_notop="efficientnetv2-b3_notop.h5"),
    _row("EfficientNetV2S", module="efficientnet_v2", family="EfficientNetV2", params=21612360, depth=None,
         input_size=384, top1=83.9, top5=96.7, last_conv="top_activation",
         stages=("block1b_add", "block2d_add", "block4a_expand_activation", "block6a_expand_activation", "top_activation"),
         weights_top="efficientnetv2-s.h5", weights_notop="efficientnetv2-s_notop.h5"),
    _row("EfficientNetV2M", module="efficientnet_v2", family="EfficientNetV2", params=54431388, depth=None,
         input_size=480, top1=85.3, top5=97.4, last_conv="top_activation",
         stages=("block1c_add", "block2e_add", "block4a_expand_activation", "block6a_expand_activation", "top_activation"),
         weights_top="efficientnetv2-m.h5", weights_notop="efficientnetv2-m_notop.h5"),
    _row("EfficientNetV2L", module="efficientnet_v2", family="EfficientNetV2", params=119027848, depth=None,
         input_size=480, top1=85.7, top5=97.5, last_conv="top_activation",
         stages=("block1d_add", "block2g_add", "block4a_expand_activation", "block6a_expand_activation", "top_activation"),
         weights_top="efficientnetv2-l.h5", weights_notop="efficientnetv2-l_notop.h5"),
    _row("ConvNeXtTiny", module="convnext", family="ConvNeXt", params=28589128, depth=None,
         input_size=224, top1=81.3, top5=None, last_conv="convnext_tiny_stage_3_block_2_identity",
         stages=("convnext_tiny_stage_0_block_2_identity", "convnext_tiny_stage_1_block_2_identity", "convnext_tiny_stage_2_block_8_identity", "convnext_tiny_stage_3_block_2_identity"),
         weights_top="convnext_tiny.h5", weights_notop="convnext_tiny_notop.h5"),
    _row("ConvNeXtSmall", module="convnext", family="ConvNeXt", params=50223688, depth=None,
         input_size=224, top1=82.3, top5=None, last_conv="convnext_small_stage_3_block_2_identity",
         stages=("convnext_small_stage_0_block_2_identity", "convnext_small_stage_1_block_2_identity", "convnext_small_stage_2_block_26_identity", "convnext_small_stage_3_block_2_identity"),
         weights_top="convnext_small.h5", weights_notop="convnext_small_notop.h5"),
    _row("ConvNeXtBase", module="convnext", family="ConvNeXt", params=88591464, depth=None,
         input_size=224, top1=85.3, top5=None, last_conv="convnext_base_stage_3_block_2_identity",
         stages=("convnext_base_stage_0_block_2_identity", "convnext_base_stage_1_block_2_identity", "convnext_base_stage_2_block_26_identity", "convnext_base_stage_3_block_2_identity"),
         weights_top="convnext_base.h5", weights_notop="convnext_base_notop.h5"),
    _row("ConvNeXtLarge", module="convnext", family="ConvNeXt", params=197767336, depth=None,
         input_size=224, top1=86.3, top5=None, last_conv="convnext_large_stage_3_block_2_identity",
         stages=("convnext_large_stage_0_block_2_identity", "convnext_large_stage_1_block_2_identity", "convnext_large_stage_2_block_26_identity", "convnext_large_stage_3_block_2_identity"),
         weights_top="convnext_large.h5", weights_notop="convnext_large_notop.h5"),
    _row("ConvNeXtXLarge", module="convnext", family="ConvNeXt", params=350196968, depth=None,
         input_size=224, top1=86.7, top5=None, last_conv="convnext_xlarge_stage_3_block_2_identity",
         stages=("convnext_xlarge_stage_0_block_2_identity", "convnext_xlarge_stage_1_block_2_identity", "convnext_xlarge_stage_2_block_26_identity", "convnext_xlarge_stage_3_block_2_identity"),
         weights_top="convnext_xlarge.h5", weights_notop="convnext_xlarge_notop.h5"),
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
