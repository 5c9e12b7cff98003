"""The Train page's feature-space section: the dataset mapped through the backbone, pretrained
beside random weights; pick an image to see its neighbours; likely label problems and
near-duplicates."""

from __future__ import annotations

import streamlit as st

from dashboard import datasets, featurespace, glue
from dashboard.i18n import N_, _, number, percent
from dashboard.settings import ReadOnlyError
from models.weights import WeightsUnavailable
from pages.widgets import data_edits, session_keys
from pages.widgets.progress import with_progress

INTRO = N_(
    "Each dot is an image, placed by the backbone's pooled features (nearby dots: images the "
    "network sees as alike). Left: the ImageNet-pretrained backbone. Right: the same network "
    "with random weights. Classes that already fall apart on the left are why a new head on "
    "pretrained features learns them from few images."
)


RUN_INTRO = N_(
    "The same images, placed by the pretrained features (left) and by this run's own model "
    "after training (right): training pulls the classes apart."
)


def feature_space(settings, manifest, backbone: str, run=None) -> None:
    """Before training (`run` None): pretrained beside random weights. For a finished run:
    pretrained beside the run's fine-tuned features."""
    st.subheader(_("Feature space") if run is None else _("Feature space after this run"))
    st.caption(_(INTRO if run is None else RUN_INTRO))
    where = "" if run is None else f"_{run.id}"
    method = st.radio(_("Map"), featurespace.METHODS, horizontal=True, key=f"fs_method{where}")
    key = f"fs_{manifest.id}_{backbone}_{method}{where}"
    if settings.readonly:  # a stored map (looked up once per session), or none
        if key not in st.session_state:
            st.session_state[key] = _stored(settings, manifest, backbone, method, run)
        if st.session_state[key] is None:
            st.caption(_("Not mapped yet: map it on a server where you can edit."))
            return
    if key not in st.session_state:
        label = (
            _("Map this dataset in feature space") if run is None else _("Map this run's features")
        )
        if not st.button(label, key=f"fs_go_{manifest.id}{where}"):
            return
        fmap = _compute(settings, manifest, backbone, method, run)
        if fmap is None:
            return
        st.session_state[key] = fmap
    fmap = st.session_state[key]
    _show_map(fmap, manifest, where)
    if run is not None:
        return
    chosen = _pick_image(fmap, manifest)
    if chosen is not None:
        _show_neighbours(manifest, fmap, chosen)
    actions = _show_suspects(manifest, fmap) | _show_duplicates(manifest, fmap)
    data_edits.apply_panel(settings, manifest, backbone, data_edits.edit_from(manifest, actions))


def _compute(settings, manifest, backbone, method, run) -> featurespace.FeatureMap | None:
    run_id = None if run is None else run.id
    return with_progress(
        _("Mapping…"),
        lambda say: featurespace.feature_map(
            settings, manifest, backbone, method, say=say, run_id=run_id
        ),
        failed=_("The map could not be made: {error}"),
    )


def _stored(settings, manifest, backbone, method, run) -> featurespace.FeatureMap | None:
    """The map from what is cached; None when any part would have to be computed."""
    try:
        run_id = None if run is None else run.id
        return featurespace.feature_map(settings, manifest, backbone, method, run_id=run_id)
    except (ReadOnlyError, WeightsUnavailable, datasets.DatasetError):
        return None


def _show_map(fmap, manifest, where: str) -> None:
    fig = featurespace.charts.map_figure(
        fmap.panels,
        fmap.labels,
        manifest.classes,
        [r.split for r in fmap.records],
        [r.original for r in fmap.records],
    )
    event = st.plotly_chart(
        fig, on_select="rerun", selection_mode="points", key=f"fs_map_{manifest.id}{where}"
    )
    points = (event or {}).get("selection", {}).get("points", [])
    if points and "customdata" in points[0]:
        st.session_state[session_keys.picked_image(manifest.id)] = int(points[0]["customdata"])
    sep = "; ".join(f"{_(title)} {value:.2f}" for title, value in fmap.separation.items())
    if fmap.sampled:
        note = _(
            "{method} of {n} images (a stratified sample of {total}). Class separation "
            "(silhouette, -1 to 1): {separation}. Markers: ● train, ◆ validation."
        )
    else:
        note = _(
            "{method} of {n} images. Class separation (silhouette, -1 to 1): {separation}. "
            "Markers: ● train, ◆ validation."
        )
    note = note.format(
        method=fmap.method, n=number(len(fmap.rows)), total=number(fmap.total), separation=sep
    )
    st.caption(note if where else note + " " + _("Click a dot to see its neighbours."))


def _pick_image(fmap, manifest) -> int | None:
    options = list(range(len(fmap.records)))
    key = session_keys.picked_image(manifest.id)
    st.session_state.setdefault(key, None)  # a click on a dot sets it (_show_map)
    return st.selectbox(
        _("Image"),
        options,
        key=key,
        placeholder=_("Pick an image (or click a dot)"),
        format_func=lambda i: f"{fmap.records[i].original} · {fmap.records[i].cls}",
    )


def _thumb(manifest, record):
    return glue.record_thumbnail(manifest.home(record), record.file)


def _show_neighbours(manifest, fmap, chosen: int) -> None:
    near = featurespace.nearest(fmap.features, chosen)
    pictures = [_thumb(manifest, fmap.records[chosen])]
    captions = [_("picked · {cls}").format(cls=fmap.records[chosen].cls)]
    for i, sim in near:
        pictures.append(_thumb(manifest, fmap.records[i]))
        captions.append(f"{fmap.records[i].cls} · {sim:.2f}")
    st.markdown(_("**Nearest neighbours** (pretrained features, cosine similarity)"))
    st.image(pictures, caption=captions, width=96)


def _show_suspects(manifest, fmap) -> dict[str, str]:
    """The suspects, each with its action (sha -> keep, exclude or a class)."""
    suspects = fmap.suspects
    classes = manifest.classes
    st.markdown(_("**Likely label problems** ({n})").format(n=len(suspects)))
    if not suspects:
        st.caption(_("No image whose nearest neighbours mostly carry another label."))
    else:
        st.caption(
            _(
                "Images whose label a linear probe on the pretrained features, trained without "
                "them, finds unlikely (at most {given}) while it gives another class {other} or "
                "more; clearest first. Look at them: a wrong label, or a hard image."
            ).format(given=percent(0.15, 0), other=percent(0.5, 0))
        )
        st.dataframe(
            [
                {
                    _("file"): fmap.records[s.index].original,
                    _("labelled"): classes[s.label],
                    _("features say"): classes[s.likely],
                    _("p(label)"): round(s.given_probability, 3),
                    _("p(other)"): round(s.likely_probability, 3),
                    _("neighbours agreeing"): percent(s.neighbours_share, 0),
                }
                for s in suspects
            ],
            hide_index=True,
        )
    actions = {}
    if not suspects:
        return actions
    with st.expander(_("Act on the suspects"), expanded=True):
        for s in suspects:
            record = fmap.records[s.index]
            left, right = st.columns([1, 5], vertical_alignment="center")
            left.image(_thumb(manifest, record), width=72)
            label = f"{record.original}: {classes[s.label]} → {classes[s.likely]}?"
            with right:
                actions[record.sha] = data_edits.action_box(
                    manifest, record, label, classes[s.likely]
                )
    return actions


def _show_duplicates(manifest, fmap) -> dict[str, str]:
    pairs = fmap.near_duplicates
    st.markdown(_("**Near-duplicates** ({n})").format(n=len(pairs)))
    if not pairs:
        st.caption(_("No two different files nearly alike (cosine similarity over 0.97)."))
        return {}
    st.dataframe(
        [
            {
                _("first"): fmap.records[p.first].original,
                _("second"): fmap.records[p.second].original,
                _("similarity"): round(p.similarity, 3),
            }
            for p in pairs
        ],
        hide_index=True,
    )
    actions = {}
    with st.expander(_("Act on the near-duplicates")):
        for p in pairs:
            first, second = fmap.records[p.first], fmap.records[p.second]
            left, mid, right = st.columns([1, 1, 4], vertical_alignment="center")
            left.image(_thumb(manifest, first), width=72)
            mid.image(_thumb(manifest, second), width=72)
            label = _("{second} (nearly {first})").format(
                second=second.original, first=first.original
            )
            with right:
                actions[second.sha] = data_edits.action_box(manifest, second, label)
    return actions
