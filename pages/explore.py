"""Explore: ImageNet-pretrained Keras models, their predictions, feature maps and filters."""

from __future__ import annotations

import numpy as np
import streamlit as st

from dashboard import explore, glue, images, model_menu, text
from dashboard.explore import charts
from pages.widgets import session_keys
from pages.widgets.progress import with_progress

INTRO = (
    "A network trained on ImageNet learns **low-level features** (colours, edges) in its early "
    "layers and **high-level features** (textures, object parts) in deep ones. That is why its "
    "backbone transfers to new tasks. Pick a model and a photo and look inside."
)


def pick_model(choices: list[model_menu.ModelChoice], default_key: str) -> str:
    by_key = {c.backbone.key: c for c in choices}
    families = model_menu.families()
    default_family = by_key[default_key].backbone.family
    family = st.sidebar.selectbox(
        "Model family",
        list(families),
        index=list(families).index(default_family),
        format_func=lambda f: f"{f} ({families[f][0].year})",
    )
    keys = [b.key for b in families[family]]
    key = st.sidebar.selectbox(
        "Model",
        keys,
        index=keys.index(default_key) if default_key in keys else 0,
        format_func=lambda k: f"{by_key[k].backbone.label} · {by_key[k].status}",
    )
    return key


def pick_image(max_upload_mb: int = 20) -> tuple[str, np.ndarray | None]:
    source = st.sidebar.radio("Image", ["Sample photo", "Upload"], horizontal=True)
    if source == "Sample photo":
        label = st.sidebar.selectbox("Sample", list(images.SAMPLES))
        return label, glue.sample_image(label)
    upload = st.sidebar.file_uploader(
        "Your image", type=list(images.UPLOAD_TYPES), max_upload_size=max_upload_mb
    )
    if upload is None:
        st.info("Upload an image in the sidebar (JPEG, PNG, WebP, BMP, GIF or TIFF).")
        return "", None
    try:
        return upload.name, glue.decoded_upload(upload.getvalue())
    except images.ImageError as exc:
        st.error(f"Cannot use **{text.markdown_text(upload.name)}**: {text.markdown_text(exc)}")
        return upload.name, None


def model_card(choice: model_menu.ModelChoice) -> None:
    b = choice.backbone
    top5 = f" · top-5 {b.top5}%" if b.top5 else ""
    st.markdown(
        f"**{b.label}** — {b.paper}  \n"
        f"{b.params / 1e6:.1f}M parameters · depth {b.depth or '—'} · input {b.input_size}px · "
        f"ImageNet top-1 {b.top1}%{top5} · {choice.status}"
    )


def predictions_tab(result: explore.Analysis) -> None:
    left, right = st.columns([1, 2])
    left.image(result.view, caption="What the model sees (centre crop)", width="stretch")
    right.plotly_chart(charts.top5_bar(result.predictions), width="stretch")
    right.dataframe(
        [{"class": p.name, "probability": round(p.score, 4)} for p in result.predictions],
        hide_index=True,
    )


def feature_maps_tab(key: str, loaded: explore.LoadedModel, result, rgb) -> None:
    st.subheader("Stage strip: low-level → high-level")
    st.caption(
        "The most active channel at the end of each stage. Early stages keep fine detail "
        "(edges, colour); late stages are coarse and respond to parts and objects."
    )
    cols = st.columns(len(result.stages))
    for i, (col, (name, acts)) in enumerate(zip(cols, result.stages.items(), strict=True)):
        channel = explore.top_channels(acts, 1)[0]
        picture = images.overlay(result.view, explore.channel_map(acts, channel), alpha=0.75)
        h, w, c = acts.shape
        col.image(picture, caption=f"stage {i + 1} · {name} · {h}×{w}×{c}", width="stretch")

    st.subheader("Any layer: its most active channels")
    layers = explore.map_layers(loaded)
    default = layers.index(loaded.backbone.stages[len(loaded.backbone.stages) // 2])
    layer = st.selectbox("Layer", layers, index=default, key="map_layer")
    acts = glue.layer_activations(key, layer, rgb)
    top = explore.top_channels(acts, 16)
    tiles = [images.colorize(explore.channel_map(acts, ch)) for ch in top]
    st.image(tiles, caption=[f"ch {ch}" for ch in top], width=88)
    channel = st.pills("Open a channel at full size", top, default=top[0], key=f"ch_{layer}")
    if channel is not None:
        title = f"{layer} · channel {channel} over the image"
        fig = charts.heatmap_over_image(result.view, explore.channel_map(acts, channel), title)
        st.plotly_chart(fig, width="stretch")


def filters_tab(key: str, loaded: explore.LoadedModel) -> None:
    name, kernels = explore.first_layer_kernels(loaded)
    st.subheader(f"First-layer filters ({name}, {len(kernels)} kernels)")
    st.caption("Each kernel as an RGB picture: colour blobs and oriented edges, the lowest level.")
    st.image(charts.tile_grid(kernels, columns=16, scale=6), width="content")

    st.subheader("What a channel responds to (activation maximisation)")
    st.caption(
        "Start from noise and change the image to excite one channel as much as possible. "
        "Low stages give stripes and colours, deep stages give textures and object parts."
    )
    stages = list(loaded.backbone.stages)
    with st.form("maximize"):
        c1, c2, c3 = st.columns(3)
        layer = c1.selectbox("Layer", stages, index=len(stages) // 2, key="max_layer")
        channel = c2.number_input("Channel", min_value=0, value=0, step=1, key="max_channel")
        steps = c3.slider("Steps", 10, 100, 30, step=10, key="max_steps")
        go = st.form_submit_button("Visualise")
    if go:
        channels = int(loaded.model.get_layer(layer).output.shape[-1])
        if channel >= channels:
            st.error(f"{layer} has {channels} channels (0–{channels - 1}).")
            return
        result = with_progress(
            "Gradient ascent…",
            lambda say: glue.maximized(key, layer, int(channel), steps, say),
            expected=(),
        )
        st.session_state.setdefault(session_keys.MAXIMIZED, {})[(key, layer, int(channel))] = result
    done = {
        k: v for k, v in st.session_state.get(session_keys.MAXIMIZED, {}).items() if k[0] == key
    }
    if done:
        cols = st.columns(min(len(done), 4))
        for i, ((_, layer, ch), res) in enumerate(reversed(list(done.items())[-4:])):
            cols[i].image(
                res.image,
                caption=f"{layer} ch {ch}: mean {res.start_mean:.2f} → {res.end_mean:.2f}",
                width="stretch",
            )


def gradcam_tab(key: str, loaded: explore.LoadedModel, result, rgb) -> None:
    names = [name.replace("_", " ") for _, name in loaded.class_index]
    top = result.predictions[0].class_id
    class_id = st.selectbox(
        "Explain class", range(len(names)), index=top, format_func=lambda i: names[i]
    )
    heat, explained = glue.grad_cam(key, rgb, int(class_id))
    title = f"Grad-CAM for “{names[explained]}” at {loaded.backbone.last_conv}"
    st.plotly_chart(charts.heatmap_over_image(result.view, heat, title), width="stretch")


def architecture_tab(loaded: explore.LoadedModel, settings) -> None:
    rows, totals = explore.architecture_rows(loaded)
    cols = st.columns(len(totals))
    for col, (label, value) in zip(cols, totals.items(), strict=True):
        col.metric(label, f"{value:,}")
    st.caption("Stages end at: " + " → ".join(loaded.backbone.stages))
    st.dataframe(rows, hide_index=True, height=320)
    st.subheader("The catalog")
    st.plotly_chart(charts.catalog_scatter(model_menu.all_backbones), width="stretch")
    st.dataframe(model_menu.catalog_rows(settings), hide_index=True)


def explore_page() -> None:
    st.title("Explore pretrained models")
    st.markdown(INTRO)
    settings = glue.settings()
    choices = model_menu.model_choices(settings)
    key = pick_model(choices, model_menu.default_model_key(settings))
    image_name, rgb = pick_image()
    model_card(next(c for c in choices if c.backbone.key == key))
    try:
        loaded = glue.loaded_model(key)
    except model_menu.WeightsUnavailable as exc:
        st.error(str(exc))
        st.plotly_chart(charts.catalog_scatter(model_menu.all_backbones), width="stretch")
        return
    if rgb is None:
        return
    result = glue.analysis(key, rgb)
    st.caption(f"Image: {text.markdown_text(image_name)} · {rgb.shape[1]}×{rgb.shape[0]} px")
    # Only the open tab's content runs and is sent: a room of viewers on Predictions costs one
    # chart and a table each, not every tab's feature maps, filters, Grad-CAM and layer table.
    views = {
        "Predictions": lambda: predictions_tab(result),
        "Feature maps": lambda: feature_maps_tab(key, loaded, result, rgb),
        "Filters": lambda: filters_tab(key, loaded),
        "Grad-CAM": lambda: gradcam_tab(key, loaded, result, rgb),
        "Architecture": lambda: architecture_tab(loaded, settings),
    }
    tabs = st.tabs(list(views), key=session_keys.EXPLORE_TAB, on_change="rerun")
    for tab, view in zip(tabs, views.values(), strict=True):
        if tab.open:
            with tab:
                view()


glue.require_entry_navigation()
explore_page()
