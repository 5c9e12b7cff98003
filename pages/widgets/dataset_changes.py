"""Changing a dataset by hand: add images to a class (files or the camera), merge or drop
classes. Each change is a new version (`data_edits.apply_edit`); a read-only server offers
none."""

from __future__ import annotations

import streamlit as st

from dashboard import datasets, images, text
from dashboard.i18n import _
from pages.widgets import data_edits, session_keys

NEW_CLASS = "\0new"  # the class option for a name not in the dataset yet
MAX_SHOTS = 200  # camera pictures one session holds for one dataset


def change_dataset(settings, manifest, backbone: str) -> None:
    if settings.readonly:
        return
    st.subheader(_("Change the dataset"))
    st.caption(
        _(
            "Each change makes a new version; the old one stays, and so do the runs on it. "
            "Added images go to training, so every version is measured on the same "
            "validation images."
        )
    )
    add_images(settings, manifest)
    with st.expander(_("Merge or drop classes")):
        merge_or_drop(settings, manifest, backbone)


def add_images(settings, manifest) -> None:
    """Files or camera pictures into one class (chosen, or a new name), as a new version."""
    options = [*manifest.classes, NEW_CLASS]
    names = {**{c: c for c in manifest.classes}, NEW_CLASS: _("a new class…")}
    cls = st.selectbox(
        _("Add images to the class"),
        options,
        key=session_keys.add_class(manifest.id),
        format_func=names.get,
    )
    if cls == NEW_CLASS:
        cls = st.text_input(_("Name of the new class"), key=f"add_new_{manifest.id}").strip()
    left, right = st.columns(2)
    files = left.file_uploader(
        _("Images"),
        accept_multiple_files=True,
        type=list(images.UPLOAD_TYPES),
        key=f"add_files_{manifest.id}",
    )
    shots = _camera(right, manifest, cls)
    additions = [datasets.Addition(cls, f.name, f.getvalue()) for f in files or []]
    additions += [datasets.Addition(c, name, data) for c, name, data in shots]
    label = _("Add {n} image(s) as a new version").format(n=len(additions))
    if st.button(label, key=f"add_go_{manifest.id}", disabled=not additions or not cls):
        st.session_state.pop(session_keys.add_shots(manifest.id), None)
        data_edits.apply_edit(settings, manifest, datasets.Edit(add=additions))


def _camera(col, manifest, cls: str) -> list:
    """The pictures taken so far, each kept with the class it was taken for."""
    shots = st.session_state.setdefault(session_keys.add_shots(manifest.id), [])
    photo = col.camera_input(
        _("Or take pictures of {name}").format(name=text.markdown_text(cls or "…")),
        key=f"add_photo_{manifest.id}",
        disabled=not cls,
    )
    seen = {name for _c, name, _d in shots}
    name = photo and f"camera-{photo.file_id}.jpg"
    if photo is not None and name not in seen and len(shots) < MAX_SHOTS:
        shots.append((cls, name, photo.getvalue()))
    if shots:
        col.caption(_("{n} picture(s) taken.").format(n=len(shots)))
    return shots


def merge_or_drop(settings, manifest, backbone: str) -> None:
    merge = st.multiselect(_("Merge these classes"), manifest.classes, key=f"merge_{manifest.id}")
    into = st.text_input(
        _("into the class named"),
        key=f"merge_into_{manifest.id}",
        placeholder=merge[0] if merge else "",
    )
    drop = st.multiselect(
        _("Drop these classes (their images leave the dataset)"),
        manifest.classes,
        key=f"drop_{manifest.id}",
    )
    edit = datasets.drop_classes(manifest, drop)
    if len(merge) >= 2 or (merge and into.strip()):
        edit.relabel = datasets.merge_classes(manifest, merge, into.strip() or merge[0]).relabel
    data_edits.apply_panel(settings, manifest, backbone, edit, place="classes")
