"""Every catalog row against a real build: driven by the table, as keras' applications_test is.

Each model is built once through `keras.applications` with `weights="imagenet"`, but with the
download and the weight load stubbed out: that gives a randomly initialised model (as with
`weights=None`) *and* the file name Keras would fetch, which must equal the row's.
"""

from __future__ import annotations

import keras
import pytest
from keras.src.utils import file_utils

from models import catalog
from models.naming import fresh_layer_names

NOTOP_CHECK_MAX_PARAMS = 30_000_000  # building twice is cheap for these; keep CI time down


def build_capturing_filename(backbone, include_top, monkeypatch) -> tuple[keras.Model, str]:
    seen = []
    monkeypatch.setattr(file_utils, "get_file", lambda fname, *a, **k: seen.append(fname) or fname)
    monkeypatch.setattr(keras.Model, "load_weights", lambda self, *a, **k: None)
    kwargs = dict(backbone.kwargs)
    size = backbone.input_size
    with fresh_layer_names():
        model = getattr(keras.applications, backbone.builder)(
            weights="imagenet", include_top=include_top, input_shape=(size, size, 3), **kwargs
        )
    return model, seen[-1]


@pytest.mark.parametrize("backbone", catalog.MODEL_LIST, ids=lambda b: b.key)
def test_row_matches_the_built_model(backbone, monkeypatch):
    model, filename = build_capturing_filename(backbone, True, monkeypatch)
    try:
        assert filename == backbone.weights_top
        assert model.input_shape == (None, backbone.input_size, backbone.input_size, 3)
        assert model.output_shape == (None, 1000)
        assert model.count_params() == backbone.params
        sizes = []
        for name in backbone.stages:
            shape = model.get_layer(name).output.shape
            assert len(shape) == 4, name
            sizes.append(shape[1])
        # Stages go from fine to coarse, each at a lower resolution than the last.
        assert sizes == sorted(sizes, reverse=True) and len(set(sizes)) == len(sizes), sizes
        last = model.get_layer(backbone.last_conv).output.shape
        assert len(last) == 4 and last[1] == sizes[-1] and last[1] > 1
        assert callable(backbone.keras_module().preprocess_input)
        assert callable(backbone.keras_module().decode_predictions)
    finally:
        del model
        keras.backend.clear_session()


@pytest.mark.parametrize(
    "backbone",
    [b for b in catalog.MODEL_LIST if b.params < NOTOP_CHECK_MAX_PARAMS],
    ids=lambda b: b.key,
)
def test_no_top_file_name(backbone, monkeypatch):
    _, filename = build_capturing_filename(backbone, False, monkeypatch)
    keras.backend.clear_session()
    assert filename == backbone.weights_notop


def test_table_is_complete_and_consistent():
    keys = [b.key for b in catalog.MODEL_LIST]
    assert len(keys) == len(set(keys))
    builders = {b.builder for b in catalog.MODEL_LIST}
    expected = {
        "Xception",
        "VGG16",
        "VGG19",
        "ResNet50",
        "ResNet101",
        "ResNet152",
        "ResNet50V2",
        "ResNet101V2",
        "ResNet152V2",
        "InceptionV3",
        "InceptionResNetV2",
        "MobileNet",
        "MobileNetV2",
        "MobileNetV3Small",
        "MobileNetV3Large",
        "DenseNet121",
        "DenseNet169",
        "DenseNet201",
        "NASNetMobile",
        "NASNetLarge",
        "ConvNeXtTiny",
        "ConvNeXtSmall",
        "ConvNeXtBase",
        "ConvNeXtLarge",
        "ConvNeXtXLarge",
        *(f"EfficientNetB{i}" for i in range(8)),
        *(f"EfficientNetV2{v}" for v in ("B0", "B1", "B2", "B3", "S", "M", "L")),
    }
    assert builders == expected
    assert sum(b.builder == "MobileNet" for b in catalog.MODEL_LIST) == 16  # 4 alphas x 4 sizes
    for b in catalog.MODEL_LIST:
        assert 2014 <= b.year <= 2022 and b.paper
        assert 40 < b.top1 < 90 and (b.top5 is None or b.top1 < b.top5 < 100)


def test_families_are_grouped_in_year_order():
    years = [members[0].year for members in catalog.families().values()]
    assert years == sorted(years)
    assert catalog.get("MobileNet_0.25_128").label == "MobileNet α=0.25 @128px"
    with pytest.raises(KeyError, match="unknown backbone"):
        catalog.get("AlexNet")
