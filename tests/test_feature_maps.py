import keras
import numpy as np

from models import feature_maps
from tests.tiny_models import three_stage


def test_one_map_per_stage_with_the_expected_shapes():
    model = three_stage(size=32)
    extractor = feature_maps.FeatureExtractor(model, ["s1", "s2", "s3"], with_output=True)
    batch = np.random.default_rng(0).random((2, 32, 32, 3), dtype="float32")
    output, maps = extractor(batch)
    assert list(maps) == ["s1", "s2", "s3"]
    assert [m.shape for m in maps.values()] == [(2, 16, 16, 4), (2, 8, 8, 8), (2, 4, 4, 16)]
    np.testing.assert_allclose(output, model.predict_on_batch(batch), rtol=1e-5, atol=1e-6)
    # Same numbers as a model that stops at that stage: the multi-output model shares layers.
    alone = keras.Model(model.inputs, model.get_layer("s2").output).predict_on_batch(batch)
    np.testing.assert_allclose(maps["s2"], alone, rtol=1e-5, atol=1e-6)


def test_single_layer_extractor_and_no_output():
    model = three_stage()
    output, maps = feature_maps.FeatureExtractor(model, ["s3"])(np.zeros((1, 32, 32, 3)))
    assert output is None and maps["s3"].shape == (1, 4, 4, 16)


def test_conv_like_layers_lists_spatial_layers_in_order():
    assert feature_maps.conv_like_layers(three_stage()) == ["s1", "s2", "s3"]


def test_rank_channels_and_normalize():
    acts = np.zeros((4, 4, 3), "float32")
    acts[..., 1] = 5.0
    acts[0, 0, 2] = 3.0
    assert list(feature_maps.rank_channels(acts)) == [1, 2, 0]
    assert feature_maps.normalize(acts[..., 0]).max() == 0.0  # flat map: zeros, not NaN
    n = feature_maps.normalize(acts[..., 2])
    assert n.min() == 0.0 and n.max() == 1.0
