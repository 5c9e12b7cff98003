"""Train page, step 1: bring a dataset, choose one, and see what it holds."""

from __future__ import annotations

import streamlit as st

from dashboard import datasets, glue, images, text
from dashboard.datasets import DatasetError
from dashboard.i18n import _, number, percent
from dashboard.settings import READONLY_NOTE
from pages.widgets import data_edits, session_keys, webcam
from pages.widgets.progress import with_progress

md = text.markdown_text  # names from uploads show as typed, never as markup


def run_ingest(label: str, ingest) -> None:
    """Run one ingest with a progress bar; show what happened; select the dataset."""
    checking = _("Checking {name}: {count}")
    result = with_progress(
        _("Checking {name}…").format(name=label),
        lambda say: ingest(lambda f, counted: say(f, checking.format(name=label, count=counted))),
        explain=lambda exc: _("**{name}** cannot be used: {error}").format(
            name=md(label), error=md(exc)
        ),
        expected=(DatasetError,),
    )
    if result is None:
        return
    m = result.manifest
    if result.reused:
        st.info(
            _("This dataset is already stored as **{name}**; using it.").format(name=md(m.name))
        )
    else:
        st.success(
            _("Stored **{name}**: {images} images in {classes} classes.").format(
                name=md(m.name), images=len(m.images), classes=len(m.classes)
            )
        )
    if result.skipped:
        st.warning(
            _("{n} file(s) were not used; see *Skipped files* below.").format(n=len(result.skipped))
        )
    st.session_state[session_keys.DATASET] = m.id


def bring_dataset(settings) -> None:
    if settings.readonly:
        st.info(_(READONLY_NOTE))
        return
    zip_tab, folder_tab, class_tab, camera_tab, sample_tab = st.tabs(
        [
            _("Zip of class folders"),
            _("Folder"),
            _("Images per class"),
            _("Webcam"),
            _("Built-in samples"),
        ]
    )
    with zip_tab:
        st.caption(
            _(
                "`<root>/<class>/<image>` at any depth; `train/` `val/` `test/` folders above "
                "the classes are recognised and their split kept."
            )
        )
        up = st.file_uploader(
            _("Dataset zip"), type=["zip"], max_upload_size=settings.max_upload_mb, key="zip_up"
        )
        done = st.session_state.setdefault(session_keys.INGESTED, {})
        if up is not None and up.file_id not in done:
            done[up.file_id] = True
            name = up.name.rsplit(".", 1)[0] or _("dataset")
            run_ingest(
                up.name, lambda p: datasets.ingest_zip(settings, up, name, p, glue.user_name())
            )
    with folder_tab:
        files = st.file_uploader(
            _("A folder of class folders"),
            accept_multiple_files="directory",
            max_upload_size=settings.max_upload_mb,
            key="folder_up",
        )
        if files and st.button(_("Add this folder"), key="add_folder"):
            pairs = [(f.name, f.getvalue()) for f in files]
            name = pairs[0][0].split("/", 1)[0] if "/" in pairs[0][0] else _("folder upload")
            run_ingest(
                name, lambda p: datasets.ingest_files(settings, pairs, name, p, glue.user_name())
            )
    with class_tab:
        per_class_upload(settings)
    with camera_tab:
        webcam.capture_dataset(settings, run_ingest)
    with sample_tab:
        for key, about in datasets.SAMPLES.items():
            label = _("Add {name}").format(name=_(datasets.SAMPLE_NAMES[key]))
            if st.button(label, key=f"sample_{key}", help=_(about)):
                run_ingest(
                    key, lambda p, k=key: datasets.ingest_sample(settings, k, p, glue.user_name())
                )
            st.caption(_(about))


def per_class_upload(settings) -> None:
    st.caption(_("As in Teachable Machine: name each class and drop its images."))
    n = st.session_state.setdefault(session_keys.N_CLASSES, 2)
    classes = {}
    for i in range(n):
        c1, c2 = st.columns([1, 3])
        default = _("Class {n}").format(n=i + 1)
        name = c1.text_input(_("Class name"), default, key=f"class_name_{i}")
        ups = c2.file_uploader(
            _("Images of {name}").format(name=md(name)),
            accept_multiple_files=True,
            key=f"class_files_{i}",
            type=list(images.UPLOAD_TYPES),
        )
        if ups:
            classes.setdefault(name.strip() or default, []).extend(
                (u.name, u.getvalue()) for u in ups
            )
    c1, c2, c3 = st.columns(3)
    if c1.button(_("Add a class"), key="add_class"):
        st.session_state[session_keys.N_CLASSES] = n + 1
        st.rerun()
    title = c2.text_input(_("Dataset name"), _("my classes"), key="classes_dataset_name")
    if c3.button(_("Save as dataset"), key="save_classes", disabled=not classes):
        run_ingest(
            title, lambda p: datasets.ingest_classes(settings, classes, title, p, glue.user_name())
        )


def choose_dataset(settings):
    stored = datasets.list_datasets(settings)
    if not stored:
        st.info(_("No datasets yet: add one above."))
        return None
    ids = [m.id for m in stored]
    by_id = {m.id: m for m in stored}
    current = st.session_state.get(session_keys.DATASET)
    chosen = st.selectbox(
        _("Stored datasets"),
        ids,
        index=ids.index(current) if current in ids else 0,
        format_func={i: _dataset_label(m) for i, m in by_id.items()}.get,  # in this language
    )
    st.session_state[session_keys.DATASET] = chosen
    if not settings.readonly:
        manage_dataset(settings, by_id[chosen])
    return by_id[chosen]


def _dataset_label(m) -> str:
    parts = [
        m.name,
        _("{n} images").format(n=len(m.images)),
        _("{n} classes").format(n=len(m.classes)),
    ]
    if m.owner:
        parts.append(_("by {name}").format(name=m.owner))
    if m.parent:
        parts.append(_("version of {id}").format(id=m.parent))
    return " · ".join(parts)


def manage_dataset(settings, manifest) -> None:
    chosen = manifest.id
    with st.expander(_("Rename or delete")):
        new = st.text_input(_("Name"), manifest.name, key=f"rename_{chosen}")
        c1, c2 = st.columns(2)
        if c1.button(_("Rename"), key="rename") and new.strip() != manifest.name:
            datasets.rename(settings, chosen, new)
            st.rerun()
        sure = c2.checkbox(_("Yes, delete it"), key=f"sure_{chosen}")
        if c2.button(_("Delete"), key="delete", disabled=not sure):
            datasets.delete(settings, chosen)
            st.session_state.pop(session_keys.DATASET, None)
            st.rerun()


def show_summary(settings, manifest) -> None:
    s = datasets.summarize(manifest)
    cols = st.columns(4)
    cols[0].metric(_("Images"), number(s.n_images))
    cols[1].metric(_("Classes"), s.n_classes)
    cols[2].metric(_("On disk"), f"{s.total_bytes / 2**20:.1f} MB")
    splits = s.split_totals()
    cols[3].metric(_("Train / val / test"), " / ".join(str(splits.get(k, 0)) for k in SPLITS))
    st.caption(_split_note(manifest))
    data_edits.lineage(settings, manifest)
    for warning in s.warnings:
        st.warning(warning)
    left, right = st.columns(2)
    left.plotly_chart(datasets.charts.class_counts_bar(s.counts), width="stretch")
    right.plotly_chart(datasets.charts.image_sizes_scatter(s.sizes), width="stretch")
    st.subheader(_("Samples per class"))
    for cls, pictures in glue.sample_thumbnails(manifest.id, 8).items():
        st.image(pictures, caption=[cls] * len(pictures), width=72)
    if s.duplicates:
        with st.expander(_("Exact duplicates ({n} groups)").format(n=len(s.duplicates))):
            group, cls, split, file = _("group"), _("class"), _("split"), _("file")
            st.dataframe(
                [
                    {
                        group: i + 1,
                        cls: r.cls,
                        split: datasets.split_text(r.split),
                        file: r.original,
                    }
                    for i, duplicates in enumerate(s.duplicates)
                    for r in duplicates
                ],
                hide_index=True,
            )
    if manifest.skipped:
        title = _("Skipped files ({n})").format(n=len(manifest.skipped))
        with st.expander(title, expanded=True):
            file, reason = _("file"), _("reason")
            st.dataframe(
                [{file: p, reason: datasets.reason_text(r)} for p, r in manifest.skipped],
                hide_index=True,
            )


def _split_note(manifest) -> str:
    layout, how = datasets.layout_text(manifest.layout), manifest.split
    if how.get("kept_from_upload"):
        return _(
            "Layout: {layout}. Split: kept from the upload. Every run on this dataset uses "
            "this split."
        ).format(layout=layout)
    return _(
        "Layout: {layout}. Split: stratified, {val} validation, seed {seed}. Every run on "
        "this dataset uses this split."
    ).format(layout=layout, val=percent(how.get("val", 0), 0), seed=how.get("seed"))


SPLITS = ("train", "val", "test")
