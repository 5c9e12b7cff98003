"""Train: bring a dataset, pick a backbone, get advice on what to train, train, evaluate, export."""

from __future__ import annotations

import streamlit as st

from dashboard import glue
from dashboard.i18n import _
from pages.widgets import (
    advisor_section,
    collect_next,
    dataset_changes,
    dataset_section,
    featurespace_section,
    training_section,
)


def train_page() -> None:
    st.title(_("Train a classifier"))
    settings = glue.settings()
    st.header(_("1 · Dataset"))
    dataset_section.bring_dataset(settings)
    manifest = dataset_section.choose_dataset(settings)
    if manifest is None:
        return
    dataset_section.show_summary(settings, manifest)
    st.header(_("2 · Backbone and advice"))
    backbone = training_section.choose_backbone(settings)
    advisor_section.advisor_section(settings, manifest, backbone)
    featurespace_section.feature_space(settings, manifest, backbone)
    collect_next.collect_next(settings, manifest, backbone)
    dataset_changes.change_dataset(settings, manifest, backbone)
    st.header(_("3 · Train"))
    training_section.training_section(settings, manifest, backbone)


glue.require_entry_navigation()
train_page()
