import keras

from models.naming import fresh_layer_names


def build():
    inputs = keras.Input((4,))
    return keras.Model(inputs, keras.layers.Activation("relu")(keras.layers.Dense(2)(inputs)))


def test_unnamed_layers_get_the_same_names_on_every_build():
    build()  # moves this thread's counters on
    with fresh_layer_names():
        first = [layer.name for layer in build().layers]
    build()
    with fresh_layer_names():
        second = [layer.name for layer in build().layers]
    assert first == second == ["input_layer", "dense", "activation"]


def test_counters_outside_the_block_are_kept():
    before = build().layers[-1].name
    with fresh_layer_names():
        build()
    after = build().layers[-1].name
    assert before != after  # still counting up, not restarted by the block
