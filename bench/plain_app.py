"""Plain Streamlit with plain Keras, for `bench load`: what the Explore page's Predictions view
does for a viewer's upload, written as a Streamlit tutorial would, with nothing of the app
behind it (no navigation, no catalog, no bounded caches, no gate, no translations).

A title, the intro, the sidebar's pickers, the image, the Top-5 chart and its table: the same
kinds of element at about the same sizes. An upload is decoded with Pillow, centre-cropped to
128 px and classified by MobileNet alpha 0.25 with its ImageNet top (`st.cache_resource`, from
TLAB_WEIGHTS_DIR), as the app's default model does it. Whatever this costs per session under
load is Streamlit's and Keras' own floor on this machine.

One change from Streamlit's defaults, the one the app makes too (`glue.keep_keras_state_between
_runs`): Streamlit calls `keras.backend.clear_session()` and a full garbage collection after
every script run. With them a run here took 0.86 s alone and 23 s at 32 sessions, which is
that clean-up's cost, not the page's; without them the plain side is the floor of the work.
"""

from __future__ import annotations

import io
import json
import os

import numpy as np
import pandas  # noqa: F401  (first, alone: plotly imports it lazily, st.dataframe too)
import plotly.graph_objects as go
import streamlit as st
from PIL import Image

SIZE = 128


def _no_cleanup() -> None:
    """Streamlit's after-run clean-up without `clear_session` and its full collection."""


if os.environ.get("BENCH_PLAIN_STREAMLIT_CLEANUP") != "1":
    from streamlit.runtime.scriptrunner import script_runner

    script_runner._clean_problem_modules = _no_cleanup
SAMPLE = np.random.default_rng(0).integers(0, 255, (SIZE, SIZE, 3), dtype=np.uint8)


@st.cache_resource
def model():
    import keras

    folder = os.environ["TLAB_WEIGHTS_DIR"]
    net = keras.applications.MobileNet(input_shape=(SIZE, SIZE, 3), alpha=0.25, weights=None)
    net.load_weights(os.path.join(folder, "mobilenet_2_5_128_tf.h5"))
    with open(os.path.join(folder, "imagenet_class_index.json")) as f:
        index = json.load(f)
    names = [index[str(i)][1] for i in range(1000)]
    return net, names


def predict(data: bytes) -> tuple[np.ndarray, list[tuple[str, float]]]:
    import keras

    image = Image.open(io.BytesIO(data)).convert("RGB")
    side = min(image.size)
    left, top = (image.width - side) // 2, (image.height - side) // 2
    view = image.crop((left, top, left + side, top + side)).resize((SIZE, SIZE))
    pixels = np.asarray(view)
    net, names = model()
    batch = keras.applications.mobilenet.preprocess_input(pixels[None].astype("float32"))
    scores = np.asarray(net(batch, training=False))[0]
    return pixels, [(names[i], float(scores[i])) for i in np.argsort(scores)[::-1][:5]]


def top5(predictions) -> go.Figure:
    names, scores = [c for c, _ in predictions][::-1], [s for _, s in predictions][::-1]
    fig = go.Figure(go.Bar(x=scores, y=names, orientation="h"))
    fig.update_layout(height=260, title="Top-5 ImageNet classes")
    return fig


st.set_page_config(page_title="plain", layout="wide")
st.title("Explore pretrained models")
st.markdown("A network trained on ImageNet learns **low-level features** in early layers.")
st.sidebar.selectbox("Model family", ["MobileNet", "ResNet", "VGG"])
st.sidebar.selectbox("Model", ["MobileNet 0.25 @128", "MobileNet 1.0 @224"])
source = st.sidebar.radio("Image", ["Sample photo", "Upload"], horizontal=True)
upload = st.sidebar.file_uploader("Your image") if source == "Upload" else None
st.markdown("**MobileNet** — 0.5M parameters")
if source == "Upload" and upload is None:
    st.info("Upload an image in the sidebar.")
    st.stop()
pixels, predictions = predict(upload.getvalue()) if upload else (SAMPLE, [("tabby", 0.41)] * 5)
st.caption(f"Image: {upload.name if upload else 'cat'}")
tabs = st.tabs(["Predictions", "Feature maps", "Filters", "Grad-CAM", "Architecture"])
with tabs[0]:
    left, right = st.columns([1, 2])
    left.image(pixels, caption="What the model sees (centre crop)", width="stretch")
    right.plotly_chart(top5(predictions), width="stretch")
    right.dataframe(
        [{"class": c, "probability": round(s, 4)} for c, s in predictions], hide_index=True
    )
