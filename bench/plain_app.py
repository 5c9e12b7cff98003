"""Plain Streamlit, for `bench load`: what the Explore page's Predictions view sends, with
nothing of the app behind it (no TensorFlow, no model, no caches, no navigation).

A title, the intro, the sidebar's pickers, the image, the Top-5 chart and its table: the same
kinds of element at about the same sizes, every value made once at import. Whatever this costs
per session under load is Streamlit's own floor on this machine.
"""

from __future__ import annotations

import numpy as np
import pandas  # noqa: F401  (first, alone: plotly imports it lazily, st.dataframe too)
import plotly.graph_objects as go
import streamlit as st

IMAGE = np.random.default_rng(0).integers(0, 255, (128, 128, 3), dtype=np.uint8)
CLASSES = ["tabby", "tiger cat", "Egyptian cat", "lynx", "Persian cat"]
SCORES = [0.41, 0.22, 0.18, 0.09, 0.02]


def top5() -> go.Figure:
    fig = go.Figure(go.Bar(x=SCORES[::-1], y=CLASSES[::-1], orientation="h"))
    fig.update_layout(height=260, title="Top-5 ImageNet classes")
    return fig


st.set_page_config(page_title="plain", layout="wide")
st.title("Explore pretrained models")
st.markdown("A network trained on ImageNet learns **low-level features** in early layers.")
st.sidebar.selectbox("Model family", ["MobileNet", "ResNet", "VGG"])
st.sidebar.selectbox("Model", ["MobileNet 0.25 @128", "MobileNet 1.0 @224"])
st.sidebar.radio("Image", ["Sample photo", "Upload"], horizontal=True)
st.sidebar.selectbox("Sample", ["cat", "coffee", "astronaut"])
st.markdown("**MobileNet** — 0.5M parameters")
st.caption("Image: cat · 451×300 px")
tabs = st.tabs(["Predictions", "Feature maps", "Filters", "Grad-CAM", "Architecture"])
with tabs[0]:
    left, right = st.columns([1, 2])
    left.image(IMAGE, caption="What the model sees (centre crop)", width="stretch")
    right.plotly_chart(top5(), width="stretch")
    right.dataframe(
        [{"class": c, "probability": s} for c, s in zip(CLASSES, SCORES, strict=True)],
        hide_index=True,
    )
