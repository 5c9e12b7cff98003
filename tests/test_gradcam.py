import keras
import numpy as np

from models.gradcam import GradCAM
from tests.tiny_models import bright_dark_detector, three_stage


def bright_top_left(size: int = 8) -> np.ndarray:
    image = np.zeros((1, size, size, 3), "float32")
    image[0, : size // 2, : size // 2] = 1.0
    return image


def test_heatmap_is_highest_where_the_class_evidence_is():
    model = bright_dark_detector()
    image = bright_top_left()
    heat, class_id = GradCAM(model, "conv")(image, class_id=0)
    assert class_id == 0 and heat.shape == (8, 8)
    bright, rest = heat[:4, :4], heat.copy()
    rest[:4, :4] = np.nan
    assert bright.min() == 1.0 and np.nanmax(rest) == 0.0
    # The other class's evidence (dark pixels) is everywhere but the bright square.
    heat_dark, _ = GradCAM(model, "conv")(image, class_id=1)
    assert heat_dark[:4, :4].max() == 0.0 and heat_dark[4:, 4:].min() == 1.0


def test_default_class_is_the_top_one():
    model = bright_dark_detector()
    mostly_dark = np.zeros((1, 8, 8, 3), "float32")
    _, class_id = GradCAM(model, "conv")(mostly_dark)
    assert class_id == int(np.argmax(model.predict_on_batch(mostly_dark)))


def test_softmax_activation_top_reads_logits():
    """MobileNet v1 style: the last layer is Activation('softmax'); its input is the logits."""
    inputs = keras.Input((16, 16, 3))
    x = keras.layers.Conv2D(4, 3, padding="same", activation="relu", name="conv")(inputs)
    x = keras.layers.GlobalAveragePooling2D()(x)
    x = keras.layers.Dense(3, name="logits")(x)
    model = keras.Model(inputs, keras.layers.Activation("softmax", name="predictions")(x))
    image = np.random.default_rng(1).random((1, 16, 16, 3), dtype="float32")
    heat, class_id = GradCAM(model, "conv")(image)
    assert heat.shape == (16, 16) and heat.min() >= 0.0 and heat.max() <= 1.0
    assert class_id == int(np.argmax(model.predict_on_batch(image)))


def test_works_on_a_three_stage_classifier():
    heat, _ = GradCAM(three_stage(), "s3")(np.ones((1, 32, 32, 3), "float32"))
    assert heat.shape == (4, 4)
