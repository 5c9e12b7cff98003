"""The webcam, through AppTest's camera input: pictures taken into named classes are saved as
a dataset through the safe ingest, and a trained model classifies a camera picture, with
Grad-CAM."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from dashboard import glue
from tests.conftest import no_exception, train_on_page

COLOURS = {"red": (210, 30, 30), "blue": (30, 40, 210)}


def jpeg(colour, seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    pixels = np.clip(np.array(colour) + rng.normal(0, 20, (120, 160, 3)), 0, 255)
    buf = io.BytesIO()
    Image.fromarray(pixels.astype("uint8")).save(buf, "JPEG")
    return buf.getvalue()


def take_pictures(at, per_class: int):
    for cls, colour in COLOURS.items():
        at.text_input(key="webcam_class").set_value(cls).run()
        for i in range(per_class):
            at.camera_input(key="webcam_photo").set_value(
                (f"shot{i}.jpg", jpeg(colour, i), "image/jpeg")
            )
            at.run()
            at.run()  # a rerun shows the same picture again: it must not count twice
    return at


def counts(at) -> dict[str, int]:
    table = next(df.value for df in at.dataframe if "pictures" in df.value.columns)
    return dict(zip(table["class"], table["pictures"], strict=True))


def test_pictures_taken_per_class_are_saved_as_a_dataset(train_page):
    at = take_pictures(train_page, 3)
    no_exception(at)
    assert counts(at) == {"red": 3, "blue": 3}
    at.text_input(key="webcam_dataset_name").set_value("my webcam").run()
    at.button(key="webcam_save").click().run()
    no_exception(at)
    assert any("Stored **my webcam**: 6 images in 2 classes" in s.value for s in at.success)
    stored = glue.settings()
    from dashboard import datasets

    (manifest,) = datasets.list_datasets(stored)
    assert manifest.classes == ["blue", "red"] and manifest.source == "classes"


def test_one_class_is_not_enough_to_save(train_page):
    at = train_page
    at.camera_input(key="webcam_photo").set_value(("a.jpg", jpeg((9, 9, 9), 0), "image/jpeg"))
    at.run()
    assert at.button(key="webcam_save").disabled


def test_a_trained_model_classifies_a_camera_picture_with_grad_cam(shared_weights_env, train_page):
    at = take_pictures(train_page, 6)
    at.button(key="webcam_save").click().run()
    train_on_page(at, epochs=5)
    at.camera_input(key="try_camera").set_value(("me.jpg", jpeg(COLOURS["red"], 99), "image/jpeg"))
    at.run()
    no_exception(at)
    assert not at.error
    assert any(c.value.startswith("Grad-CAM for ") for c in at.caption)
    table = next(df.value for df in at.dataframe if "probability" in df.value.columns)
    assert table["class"].iloc[0] == "red", table
