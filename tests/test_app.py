"""The app as a user drives it, through Streamlit's AppTest (in-process, no browser)."""

from __future__ import annotations

import io

import pytest
import streamlit as st
from PIL import Image
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

CATS = {"tabby", "tiger_cat", "Egyptian_cat", "lynx", "Persian_cat"}


@pytest.fixture
def app(shared_weights_env) -> AppTest:
    # Caches are per process; settings come from the environment this test set.
    st.cache_data.clear()
    st.cache_resource.clear()
    return AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=180)


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def image_captions(at: AppTest) -> list[str]:
    return [i.caption for image in at.image for i in image.proto.imgs]


def open_tab(at: AppTest, label: str) -> AppTest:
    """Click a tab of Explore: only the open tab's content runs."""
    at.session_state["explore_tab"] = label
    return at.run()


def test_explore_default_shows_everything_for_the_cat(app):
    at = app.run()
    no_exception(at)
    assert not at.error
    model = [s for s in at.sidebar.selectbox if s.label == "Model"][0]
    assert model.value == "MobileNet_0.25_128"
    top5 = at.dataframe[0].value["class"].tolist()
    assert CATS & set(top5), top5
    # Predictions only: the other tabs' content is neither computed nor sent until opened.
    assert len(at.dataframe) == 1 and not at.subheader
    assert image_captions(at) == ["What the model sees (centre crop)"]
    captions = image_captions(open_tab(at, "Feature maps"))
    stage_captions = [c for c in captions if c.startswith("stage ")]
    assert len(stage_captions) == 5 and "conv_pw_1_relu" in stage_captions[0]
    assert sum(c.startswith("ch ") for c in captions) == 16  # most active channels grid
    subheaders = [s.value for s in open_tab(at, "Filters").subheader]
    assert any(s.startswith("First-layer filters (conv1, 8 kernels)") for s in subheaders)
    charts = [c.proto.spec for c in open_tab(at, "Grad-CAM").get("plotly_chart")]
    gradcam = [s for s in charts if "Grad-CAM for" in s]
    assert gradcam and any(cat.replace("_", " ") in gradcam[0] for cat in CATS)
    open_tab(at, "Architecture")
    no_exception(at)
    layer_table = at.dataframe[0].value
    assert len(layer_table) == 91 and "conv_pw_13_relu" in set(layer_table["name"])
    assert len(at.dataframe[1].value) == 55  # the catalog


def test_rerun_with_same_inputs_does_not_recompute(app, monkeypatch):
    at = app.run()
    from dashboard import explore

    calls = []
    original = explore.analyse
    monkeypatch.setattr(explore, "analyse", lambda *a: calls.append(1) or original(*a))
    at.run()
    no_exception(at)
    assert calls == []


def test_activation_maximisation_from_the_form(app):
    at = open_tab(app.run(), "Filters")
    at.selectbox(key="max_layer").set_value("conv_pw_3_relu")
    at.number_input(key="max_channel").set_value(2)
    at.slider(key="max_steps").set_value(10)
    at.button[0].click().run()
    no_exception(at)
    result = [c for c in image_captions(at) if c.startswith("conv_pw_3_relu ch 2: mean")]
    assert result, image_captions(at)
    start, end = (float(v) for v in result[0].split("mean ")[1].split(" → "))
    assert end > start


def test_model_without_weights_offline_shows_the_message(app):
    at = app.run()
    family = [s for s in at.sidebar.selectbox if s.label == "Model family"][0]
    family.set_value("MobileNetV2").run()
    no_exception(at)
    assert at.error, "expected a message about missing weights"
    message = at.error[0].value
    assert "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224.h5" in message
    assert "TLAB_WEIGHTS_DIR" in message or "keras-weights" in message


def test_broken_upload_shows_a_message(app):
    at = app.run()
    at.sidebar.radio[0].set_value("Upload").run()
    at.sidebar.file_uploader[0].upload("broken.png", b"\x89PNG\r\n\x1a\nnot really", "image/png")
    at.run()
    no_exception(at)
    assert "broken.png" in at.error[0].value


def test_uploaded_image_is_analysed(app):
    at = app.run()
    at.sidebar.radio[0].set_value("Upload").run()
    buf = io.BytesIO()
    Image.new("RGBA", (300, 200), (30, 120, 200, 128)).save(buf, format="PNG")
    at.sidebar.file_uploader[0].upload("blue.png", buf.getvalue(), "image/png")
    at.run()
    no_exception(at)
    assert not at.error and len(at.dataframe[0].value) == 5
