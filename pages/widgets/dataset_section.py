"""Train page, step 1: bring a dataset, choose one, and see what it holds."""

from __future__ import annotations

import streamlit as st

from dashboard import datasets, glue, images, text
from dashboard.datasets import DatasetError
from dashboard.settings import READONLY_NOTE
from pages.widgets import session_keys, webcam
from pages.widgets.progress import with_progress

md = text.markdown_text  # names from uploads show as typed, never as markup


def run_ingest(label: str, ingest) -> None:
    """Run one ingest with a progress bar; show what happened; select the dataset."""
    result = with_progress(
        f"Checking {label}…",
        lambda say: ingest(lambda f, counted: say(f, f"Checking {label}: {counted}")),
        explain=lambda exc: f"**{md(label)}** cannot be used: {md(exc)}",
        expected=(DatasetError,),
    )
    if result is None:
        return
    m = result.manifest
    if result.reused:
        st.info(f"This dataset is already stored as **{md(m.name)}**; using it.")
    else:
        st.success(f"Stored **{md(m.name)}**: {len(m.images)} images in {len(m.classes)} classes.")
    if result.skipped:
        st.warning(f"{len(result.skipped)} file(s) were not used; see *Skipped files* below.")
    st.session_state[session_keys.DATASET] = m.id


def bring_dataset(settings) -> None:
    if settings.readonly:
        st.info(READONLY_NOTE)
        return
    zip_tab, folder_tab, class_tab, camera_tab, sample_tab = st.tabs(
        ["Zip of class folders", "Folder", "Images per class", "Webcam", "Built-in samples"]
    )
    with zip_tab:
        st.caption(
            "`<root>/<class>/<image>` at any depth; `train/` `val/` `test/` folders above the "
            "classes are recognised and their split kept."
        )
        up = st.file_uploader(
            "Dataset zip", type=["zip"], max_upload_size=settings.max_upload_mb, key="zip_up"
        )
        done = st.session_state.setdefault(session_keys.INGESTED, {})
        if up is not None and up.file_id not in done:
            done[up.file_id] = True
            name = up.name.rsplit(".", 1)[0] or "dataset"
            run_ingest(
                up.name, lambda p: datasets.ingest_zip(settings, up, name, p, glue.user_name())
            )
    with folder_tab:
        files = st.file_uploader(
            "A folder of class folders",
            accept_multiple_files="directory",
            max_upload_size=settings.max_upload_mb,
            key="folder_up",
        )
        if files and st.button("Add this folder", key="add_folder"):
            pairs = [(f.name, f.getvalue()) for f in files]
            name = pairs[0][0].split("/", 1)[0] if "/" in pairs[0][0] else "folder upload"
            run_ingest(
                name, lambda p: datasets.ingest_files(settings, pairs, name, p, glue.user_name())
            )
    with class_tab:
        per_class_upload(settings)
    with camera_tab:
        webcam.capture_dataset(settings, run_ingest)
    with sample_tab:
        for key, text in datasets.SAMPLES.items():
            if st.button(f"Add {key}", key=f"sample_{key}", help=text):
                run_ingest(
                    key, lambda p, k=key: datasets.ingest_sample(settings, k, p, glue.user_name())
                )
            st.caption(text)


def per_class_upload(settings) -> None:
    st.caption("As in Teachable Machine: name each class and drop its images.")
    n = st.session_state.setdefault(session_keys.N_CLASSES, 2)
    classes = {}
    for i in range(n):
        c1, c2 = st.columns([1, 3])
        name = c1.text_input("Class name", f"Class {i + 1}", key=f"class_name_{i}")
        ups = c2.file_uploader(
            f"Images of {md(name)}",
            accept_multiple_files=True,
            key=f"class_files_{i}",
            type=list(images.UPLOAD_TYPES),
        )
        if ups:
            classes.setdefault(name.strip() or f"Class {i + 1}", []).extend(
                (u.name, u.getvalue()) for u in ups
            )
    c1, c2, c3 = st.columns(3)
    if c1.button("Add a class", key="add_class"):
        st.session_state[session_keys.N_CLASSES] = n + 1
        st.rerun()
    title = c2.text_input("Dataset name", "my classes", key="classes_dataset_name")
    if c3.button("Save as dataset", key="save_classes", disabled=not classes):
        run_ingest(
            title, lambda p: datasets.ingest_classes(settings, classes, title, p, glue.user_name())
        )


def choose_dataset(settings):
    stored = datasets.list_datasets(settings)
    if not stored:
        st.info("No datasets yet: add one above.")
        return None
    ids = [m.id for m in stored]
    by_id = {m.id: m for m in stored}
    current = st.session_state.get(session_keys.DATASET)
    chosen = st.selectbox(
        "Stored datasets",
        ids,
        index=ids.index(current) if current in ids else 0,
        format_func=lambda i: (
            f"{by_id[i].name} · {len(by_id[i].images)} images · {len(by_id[i].classes)} classes"
            + (f" · by {by_id[i].owner}" if by_id[i].owner else "")
        ),
    )
    st.session_state[session_keys.DATASET] = chosen
    if not settings.readonly:
        manage_dataset(settings, by_id[chosen])
    return by_id[chosen]


def manage_dataset(settings, manifest) -> None:
    chosen = manifest.id
    with st.expander("Rename or delete"):
        new = st.text_input("Name", manifest.name, key=f"rename_{chosen}")
        c1, c2 = st.columns(2)
        if c1.button("Rename", key="rename") and new.strip() != manifest.name:
            datasets.rename(settings, chosen, new)
            st.rerun()
        sure = c2.checkbox("Yes, delete it", key=f"sure_{chosen}")
        if c2.button("Delete", key="delete", disabled=not sure):
            datasets.delete(settings, chosen)
            st.session_state.pop(session_keys.DATASET, None)
            st.rerun()


def show_summary(settings, manifest) -> None:
    s = datasets.summarize(manifest)
    cols = st.columns(4)
    cols[0].metric("Images", f"{s.n_images:,}")
    cols[1].metric("Classes", s.n_classes)
    cols[2].metric("On disk", f"{s.total_bytes / 2**20:.1f} MB")
    splits = s.split_totals()
    cols[3].metric("Train / val / test", " / ".join(str(splits.get(k, 0)) for k in SPLITS))
    how = manifest.split
    st.caption(
        f"Layout: {manifest.layout}. Split: "
        + (
            "kept from the upload."
            if how.get("kept_from_upload")
            else f"stratified, {how.get('val', 0):.0%} validation, seed {how.get('seed')}."
        )
        + " Every run on this dataset uses this split."
    )
    for warning in s.warnings:
        st.warning(warning)
    left, right = st.columns(2)
    left.plotly_chart(datasets.charts.class_counts_bar(s.counts), width="stretch")
    right.plotly_chart(datasets.charts.image_sizes_scatter(s.sizes), width="stretch")
    st.subheader("Samples per class")
    for cls, pictures in glue.sample_thumbnails(manifest.id, 8).items():
        st.image(pictures, caption=[cls] * len(pictures), width=72)
    if s.duplicates:
        with st.expander(f"Exact duplicates ({len(s.duplicates)} groups)"):
            st.dataframe(
                [
                    {"group": i + 1, "class": r.cls, "split": r.split, "file": r.original}
                    for i, group in enumerate(s.duplicates)
                    for r in group
                ],
                hide_index=True,
            )
    if manifest.skipped:
        with st.expander(f"Skipped files ({len(manifest.skipped)})", expanded=True):
            st.dataframe([{"file": p, "reason": r} for p, r in manifest.skipped], hide_index=True)


SPLITS = ("train", "val", "test")
