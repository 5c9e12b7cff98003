"""Transfer Learning Lab: the entry script. It only routes; each page lives in pages/."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TensorFlow's C++ chatter off the console

import streamlit as st  # noqa: E402

from dashboard import glue  # noqa: E402

PAGES = Path(__file__).parent / "pages"


def main() -> None:
    glue.require_entry_navigation()
    st.set_page_config(page_title="Transfer Learning Lab", page_icon="🧠", layout="wide")
    page = st.navigation(
        [
            st.Page(
                PAGES / "explore.py", title="Explore", icon=":material/visibility:", default=True
            ),
            st.Page(PAGES / "train.py", title="Train", icon=":material/model_training:"),
            st.Page(PAGES / "compare.py", title="Compare", icon=":material/compare_arrows:"),
        ]
    )
    if glue.settings().readonly:
        # A viewer never sees a traceback: the message stays generic, the log keeps it all.
        st.set_option("client.showErrorDetails", "none")
        st.sidebar.caption(":material/visibility: Read-only demo")
    glue.mark_routed_by_entry()
    try:
        page.run()
    except glue.Busy as exc:  # heavy work refused for now: a message, not a traceback
        st.warning(str(exc), icon=":material/hourglass_top:")


main()
