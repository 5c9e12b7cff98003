"""Every image that ingest accepts renders in every view that shows images (issue 12, fault 1).

Streamlit scales an image to the width it is shown at and rounds its height down, so a strip of
a few pixels shown narrower than it is wide became 0 px high and raised inside `st.image`. The
property: over odd shapes (1×1, strips one or three pixels thin in both directions, long ones),
each view's picture goes through `st.image` at that view's width without an error: the sample
grid and the duplicates of the Train page, a run's mistakes with Grad-CAM and Try it, and
Explore's uploads.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
import streamlit as st
from PIL import Image
from streamlit.testing.v1 import AppTest

from dashboard import datasets, images
from dashboard.settings import Settings
from tests.conftest import ROOT, no_exception, train_on_page

# (width, height)
ODD_SHAPES = [(1, 1), (1, 40), (40, 1), (3, 10000), (10000, 3), (2, 700), (700, 2), (5, 5)]


def png(width: int, height: int, seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, "PNG")
    return buf.getvalue()


ODD_FILES = [(f"{w}x{h}.png", png(w, h, i)) for i, (w, h) in enumerate(ODD_SHAPES)]

# What each view does to an image before st.image, at the width it shows it.
VIEWS = {
    "sample grid": (lambda rgb: images.thumbnail(rgb, 144), 72),
    "mistakes": (lambda rgb: images.overlay(images.center_square(rgb, 160), np.ones((7, 7))), 160),
    "try it": (images.preview, "stretch"),
    "explore": (lambda rgb: images.center_square(rgb, 128), "stretch"),
}


def show(pictures, width) -> None:
    import streamlit as st

    st.image(pictures, width=width)


@pytest.mark.parametrize("view", VIEWS)
def test_every_odd_shape_goes_through_st_image_in_every_view(view):
    transform, width = VIEWS[view]
    pictures = [transform(images.decode(data)) for _, data in ODD_FILES]
    at = AppTest.from_function(show, args=(pictures, width)).run(timeout=60)
    no_exception(at)
    assert len(at.image[0].proto.imgs) == len(ODD_SHAPES)


def odd_dataset(settings: Settings) -> datasets.Manifest:
    """The odd shapes as one class (twice each: duplicates), ordinary photos as the other."""
    odd = ODD_FILES + [(f"again-{name}", data) for name, data in ODD_FILES]
    plain = [(f"{i}.png", png(32, 24, 100 + i)) for i in range(8)]
    return datasets.ingest_classes(settings, {"odd": odd, "plain": plain}, "odd shapes").manifest


def test_train_page_shows_a_dataset_of_odd_shapes(train_page):
    manifest = odd_dataset(Settings.from_env())
    at = train_page
    at.run()
    no_exception(at)
    assert len(manifest.images) == 2 * len(ODD_SHAPES) + 8  # every odd image was accepted
    grid = [img for element in at.image for img in element.proto.imgs]
    assert len(grid) >= len(ODD_SHAPES)  # the sample grid drew them
    assert any("Exact duplicates" in e.label for e in at.expander)


def test_explore_analyses_every_odd_upload(shared_weights_env):
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=180).run()
    at.sidebar.radio[0].set_value("Upload").run()
    for name, data in ODD_FILES:
        at.sidebar.file_uploader[0].upload(name, data, "image/png")
        at.run()
        no_exception(at)
        assert not at.error and len(at.dataframe[0].value) == 5, name


def test_a_run_on_odd_shapes_shows_its_mistakes_and_tries_every_odd_image(
    shared_weights_env, train_page
):
    manifest = odd_dataset(Settings.from_env())
    at = train_page
    at.run()
    train_on_page(at, manifest.id)
    no_exception(at)
    assert any(m.label == "Export parity" for m in at.metric)
    for name, data in ODD_FILES:
        at.file_uploader(key="try").upload(name, data, "image/png")
        at.run()
        no_exception(at)
        assert not at.error, name
