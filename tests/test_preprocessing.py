"""The in-model preprocessing layers equal Keras' own preprocess_input, for every module."""

import keras
import numpy as np
import pytest

from models import catalog, preprocessing


@pytest.mark.parametrize("module", sorted({b.module for b in catalog.MODEL_LIST}))
def test_layers_match_keras_preprocess_input(module):
    x = np.random.default_rng(0).uniform(0, 255, (2, 8, 8, 3)).astype("float32")
    inputs = keras.Input((8, 8, 3))
    model = keras.Model(inputs, preprocessing.apply(module, inputs))
    expected = keras.applications.__dict__[module].preprocess_input(x.copy())
    np.testing.assert_allclose(model.predict_on_batch(x), expected, rtol=1e-5, atol=1e-4)


def test_every_catalog_module_has_a_mode():
    assert {b.module for b in catalog.MODEL_LIST} <= set(preprocessing.MODES)
