"""Compare: accuracy curves of runs side by side (coming with the Compare issue)."""

import streamlit as st

from dashboard import ui_cache


def compare_page() -> None:
    st.title("Compare runs")
    st.info(
        "Coming next: pick finished training runs and overlay their accuracy and loss curves, "
        "e.g. ImageNet-pretrained against from-scratch, to see He et al. (2018)'s finding that "
        "pretrained initialisation reaches high accuracy 2-3x sooner on your own data. "
        "Runs appear here once the **Train** page can make them."
    )
    st.page_link("pages/explore.py", label="Go to Explore", icon=":material/visibility:")


ui_cache.require_entry_navigation()
compare_page()
