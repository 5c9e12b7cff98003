"""The webcam, as in Teachable Machine: take pictures into named classes and save them as a
dataset, through the same safe ingest as every upload. (A finished run's *Try it* takes a
camera picture too: `results_view.try_it`.)"""

from __future__ import annotations

import streamlit as st

from dashboard import datasets, glue, text
from dashboard.i18n import _
from pages.widgets import session_keys

MAX_SHOTS = 500


def capture_dataset(settings, run_ingest) -> None:
    st.caption(
        _(
            "Name a class, take its pictures, switch the class and go on; then save them all "
            "as a dataset. The pictures stay in this browser session until you save them."
        )
    )
    shots: dict = st.session_state.setdefault(session_keys.WEBCAM_SHOTS, {})
    seen: set = st.session_state.setdefault(session_keys.WEBCAM_SEEN, set())
    first = _("Class {n}").format(n=1)
    cls = st.text_input(_("Class of the next pictures"), first, key="webcam_class").strip()
    label = _("Take a picture of {name}").format(name=text.markdown_text(cls or first))
    photo = st.camera_input(label, key="webcam_photo")
    if photo is not None and photo.file_id not in seen:
        seen.add(photo.file_id)
        if sum(len(v) for v in shots.values()) < MAX_SHOTS:
            taken = shots.setdefault(cls or first, [])
            taken.append((f"{len(taken) + 1:04d}.jpg", photo.getvalue()))
        else:
            st.warning(
                _("{n} pictures is the most one session holds: save them first.").format(
                    n=MAX_SHOTS
                )
            )
    if shots:
        total = sum(len(v) for v in shots.values())
        st.caption(
            _("{total} picture(s) so far, in {n} class(es).").format(total=total, n=len(shots))
        )
        cls_, pictures = _("class"), _("pictures")
        st.dataframe(
            [{cls_: c, pictures: len(v)} for c, v in shots.items()],
            hide_index=True,
        )
    c1, c2, c3 = st.columns(3)
    name = c1.text_input(_("Dataset name"), _("webcam"), key="webcam_dataset_name")
    if c2.button(_("Save as dataset"), key="webcam_save", disabled=len(shots) < 2):
        taken = {c: list(v) for c, v in shots.items()}
        owner = glue.user_name()
        run_ingest(name, lambda p: datasets.ingest_classes(settings, taken, name, p, owner))
    if c3.button(_("Start over"), key="webcam_clear", disabled=not shots):
        shots.clear()
        st.rerun()
