"""Explore: ImageNet-pretrained Keras models, their predictions, feature maps and filters."""

from __future__ import annotations

import numpy as np
import streamlit as st

from dashboard import explore, glue, images, model_menu, text
from dashboard.explore import charts
from dashboard.i18n import N_, _, number, percent
from pages.widgets import session_keys
from pages.widgets.progress import with_progress
from pages.widgets.tutorial_note import tutorial_note

INTRO = N_(
    "A network trained on ImageNet learns **low-level features** (colours, edges) in its early "
    "layers and **high-level features** (textures, object parts) in deep ones. That is why its "
    "backbone transfers to new tasks. Pick a model and a photo and look inside."
)
SAMPLE, UPLOAD = N_("Sample photo"), N_("Upload")  # the image's sources (shown translated)


def pick_model(choices: list[model_menu.ModelChoice], default_key: str) -> str:
    by_key = {c.backbone.key: c for c in choices}
    families = model_menu.families()
    default_family = by_key[default_key].backbone.family
    family = st.sidebar.selectbox(
        _("Model family"),
        list(families),
        index=list(families).index(default_family),
        format_func=lambda f: f"{f} ({families[f][0].year})",
    )
    keys = [b.key for b in families[family]]
    # Options shown through texts made here, in the script's thread and language: Streamlit's
    # AppTest calls format_func again from the test's thread, where `_()` is English.
    shown = {k: f"{by_key[k].backbone.label} · {by_key[k].status}" for k in keys}
    key = st.sidebar.selectbox(
        _("Model"),
        keys,
        index=keys.index(default_key) if default_key in keys else 0,
        format_func=shown.get,
    )
    return key


def pick_image(max_upload_mb: int = 20) -> tuple[str, np.ndarray | None]:
    sources = {SAMPLE: _(SAMPLE), UPLOAD: _(UPLOAD)}
    source = st.sidebar.radio(_("Image"), list(sources), format_func=sources.get, horizontal=True)
    if source == SAMPLE:
        samples = {label: _(label) for label in images.SAMPLES}
        label = st.sidebar.selectbox(_("Sample"), list(samples), format_func=samples.get)
        return samples[label], glue.sample_image(label)
    upload = st.sidebar.file_uploader(
        _("Your image"), type=list(images.UPLOAD_TYPES), max_upload_size=max_upload_mb
    )
    if upload is None:
        st.info(_("Upload an image in the sidebar (JPEG, PNG, WebP, BMP, GIF or TIFF)."))
        return "", None
    try:
        return upload.name, glue.decoded_upload(upload.getvalue())
    except images.ImageError as exc:
        st.error(
            _("Cannot use **{name}**: {error}").format(
                name=text.markdown_text(upload.name), error=text.markdown_text(exc.text())
            )
        )
        return upload.name, None


def model_card(choice: model_menu.ModelChoice) -> None:
    b = choice.backbone
    facts = [
        _("{millions}M parameters").format(millions=f"{b.params / 1e6:.1f}"),
        _("depth {depth}").format(depth=b.depth or "—"),
        _("input {size}px").format(size=b.input_size),
        _("ImageNet top-1 {accuracy}").format(accuracy=percent(b.top1 / 100)),
    ]
    if b.top5:
        facts.append(_("top-5 {accuracy}").format(accuracy=percent(b.top5 / 100)))
    st.markdown(f"**{b.label}** — {b.paper}  \n" + " · ".join([*facts, choice.status]))


def predictions_tab(result: explore.Analysis) -> None:
    left, right = st.columns([1, 2])
    left.image(result.view, caption=_("What the model sees (centre crop)"), width="stretch")
    right.plotly_chart(charts.top5_bar(result.predictions), width="stretch")
    right.dataframe(
        [{_("class"): p.name, _("probability"): round(p.score, 4)} for p in result.predictions],
        hide_index=True,
    )


def feature_maps_tab(key: str, loaded: explore.LoadedModel, result, rgb) -> None:
    st.subheader(_("Stage strip: low-level → high-level"))
    st.caption(
        _(
            "The most active channel at the end of each stage. Early stages keep fine detail "
            "(edges, colour); late stages are coarse and respond to parts and objects."
        )
    )
    cols = st.columns(len(result.stages))
    for i, (col, (name, acts)) in enumerate(zip(cols, result.stages.items(), strict=True)):
        channel = explore.top_channels(acts, 1)[0]
        picture = images.overlay(result.view, explore.channel_map(acts, channel), alpha=0.75)
        h, w, c = acts.shape
        caption = _("stage {number} · {layer} · {shape}").format(
            number=i + 1, layer=name, shape=f"{h}×{w}×{c}"
        )
        col.image(picture, caption=caption, width="stretch")
    tutorial_note(1)

    st.subheader(_("Any layer: its most active channels"))
    layers = explore.map_layers(loaded)
    default = layers.index(loaded.backbone.stages[len(loaded.backbone.stages) // 2])
    layer = st.selectbox(_("Layer"), layers, index=default, key="map_layer")
    acts = glue.layer_activations(key, layer, rgb)
    top = explore.top_channels(acts, 16)
    tiles = [images.colorize(explore.channel_map(acts, ch)) for ch in top]
    st.image(tiles, caption=[_("ch {channel}").format(channel=ch) for ch in top], width=88)
    channel = st.pills(_("Open a channel at full size"), top, default=top[0], key=f"ch_{layer}")
    if channel is not None:
        title = _("{layer} · channel {channel} over the image").format(layer=layer, channel=channel)
        fig = charts.heatmap_over_image(result.view, explore.channel_map(acts, channel), title)
        st.plotly_chart(fig, width="stretch")


def filters_tab(key: str, loaded: explore.LoadedModel) -> None:
    name, kernels = explore.first_layer_kernels(loaded)
    st.subheader(
        _("First-layer filters ({layer}, {kernels} kernels)").format(
            layer=name, kernels=len(kernels)
        )
    )
    st.caption(
        _("Each kernel as an RGB picture: colour blobs and oriented edges, the lowest level.")
    )
    st.image(charts.tile_grid(kernels, columns=16, scale=6), width="content")
    tutorial_note(1)

    st.subheader(_("What a channel responds to (activation maximisation)"))
    st.caption(
        _(
            "Start from noise and change the image to excite one channel as much as possible. "
            "Low stages give stripes and colours, deep stages give textures and object parts."
        )
    )
    stages = list(loaded.backbone.stages)
    with st.form("maximize"):
        c1, c2, c3 = st.columns(3)
        layer = c1.selectbox(_("Layer"), stages, index=len(stages) // 2, key="max_layer")
        channel = c2.number_input(_("Channel"), min_value=0, value=0, step=1, key="max_channel")
        steps = c3.slider(_("Steps"), 10, 100, 30, step=10, key="max_steps")
        go = st.form_submit_button(_("Visualise"))
    if go:
        channels = int(loaded.model.get_layer(layer).output.shape[-1])
        if channel >= channels:
            st.error(
                _("{layer} has {channels} channels (0–{last}).").format(
                    layer=layer, channels=channels, last=channels - 1
                )
            )
            return
        result = with_progress(
            _("Gradient ascent…"),
            lambda say: glue.maximized(key, layer, int(channel), steps, say),
            expected=(),
        )
        st.session_state.setdefault(session_keys.MAXIMIZED, {})[(key, layer, int(channel))] = result
    done = {
        k: v for k, v in st.session_state.get(session_keys.MAXIMIZED, {}).items() if k[0] == key
    }
    if done:
        cols = st.columns(min(len(done), 4))
        for i, ((_model, layer, ch), res) in enumerate(reversed(list(done.items())[-4:])):
            caption = _("{layer} ch {channel}: mean {start} → {end}").format(
                layer=layer, channel=ch, start=f"{res.start_mean:.2f}", end=f"{res.end_mean:.2f}"
            )
            cols[i].image(res.image, caption=caption, width="stretch")


def gradcam_tab(key: str, loaded: explore.LoadedModel, result, rgb) -> None:
    names = [name.replace("_", " ") for _wnid, name in loaded.class_index]
    top = result.predictions[0].class_id
    class_id = st.selectbox(
        _("Explain class"), range(len(names)), index=top, format_func=lambda i: names[i]
    )
    heat, explained = glue.grad_cam(key, rgb, int(class_id))
    title = _("Grad-CAM for “{name}” at {layer}").format(
        name=names[explained], layer=loaded.backbone.last_conv
    )
    st.plotly_chart(charts.heatmap_over_image(result.view, heat, title), width="stretch")


def architecture_tab(loaded: explore.LoadedModel, settings) -> None:
    rows, totals = explore.architecture_rows(loaded)
    words = {key: _(word) for key, word in explore.ARCHITECTURE_WORDS.items()}
    cols = st.columns(len(totals))
    for col, (label, value) in zip(cols, totals.items(), strict=True):
        col.metric(words.get(label, label), number(value))
    stages = " → ".join(loaded.backbone.stages)
    st.caption(_("Stages end at: {stages}").format(stages=stages))
    headed = [{words.get(k, k): v for k, v in row.items()} for row in rows]
    st.dataframe(headed, hide_index=True, height=320)
    st.subheader(_("ImageNet and the ILSVRC"))
    left, right = st.columns([3, 2])
    left.plotly_chart(charts.ilsvrc_winners(), width="stretch")
    with right:
        tutorial_note(2)
    st.subheader(_("The catalog"))
    st.plotly_chart(charts.catalog_scatter(model_menu.all_backbones), width="stretch")
    st.dataframe(model_menu.catalog_rows(settings), hide_index=True)


def explore_page() -> None:
    st.title(_("Explore pretrained models"))
    st.markdown(_(INTRO))
    settings = glue.settings()
    choices = model_menu.model_choices(settings)
    key = pick_model(choices, model_menu.default_model_key(settings))
    image_name, rgb = pick_image()
    model_card(next(c for c in choices if c.backbone.key == key))
    try:
        loaded = glue.loaded_model(key)
    except model_menu.WeightsUnavailable as exc:
        st.error(model_menu.unavailable_text(exc))
        st.plotly_chart(charts.catalog_scatter(model_menu.all_backbones), width="stretch")
        return
    if rgb is None:
        return
    result = glue.analysis(key, rgb)
    st.caption(
        _("Image: {name} · {width}×{height} px").format(
            name=text.markdown_text(image_name), width=rgb.shape[1], height=rgb.shape[0]
        )
    )
    # Only the open tab's content runs and is sent: a room of viewers on Predictions costs one
    # chart and a table each, not every tab's feature maps, filters, Grad-CAM and layer table.
    views = {
        _("Predictions"): lambda: predictions_tab(result),
        _("Feature maps"): lambda: feature_maps_tab(key, loaded, result, rgb),
        _("Filters"): lambda: filters_tab(key, loaded),
        _("Grad-CAM"): lambda: gradcam_tab(key, loaded, result, rgb),
        _("Architecture"): lambda: architecture_tab(loaded, settings),
    }
    tabs = st.tabs(list(views), key=session_keys.EXPLORE_TAB, on_change="rerun")
    for tab, view in zip(tabs, views.values(), strict=True):
        if tab.open:
            with tab:
                view()


glue.require_entry_navigation()
explore_page()
