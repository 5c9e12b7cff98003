"""Transfer Learning Lab: the entry script. It only routes; each page lives in pages/."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TensorFlow's C++ chatter off the console

import streamlit as st  # noqa: E402

from dashboard import glue, text  # noqa: E402
from dashboard.i18n import _  # noqa: E402
from pages.widgets import language  # noqa: E402

PAGES = Path(__file__).parent / "pages"


def main() -> None:
    glue.require_entry_navigation()
    st.set_page_config(page_title="Transfer Learning Lab", page_icon="🧠", layout="wide")
    language.choose_language()
    if glue.sign_in_configured() or glue.server_settings().readonly:
        # Viewers never see a traceback: the message stays generic, the log keeps it all.
        st.set_option("client.showErrorDetails", "none")
    if glue.sign_in_configured():
        sign_in()
    page = st.navigation(
        [
            st.Page(
                PAGES / "explore.py", title=_("Explore"), icon=":material/visibility:", default=True
            ),
            st.Page(PAGES / "train.py", title=_("Train"), icon=":material/model_training:"),
            st.Page(PAGES / "compare.py", title=_("Compare"), icon=":material/compare_arrows:"),
        ]
    )
    if glue.server_settings().readonly:
        st.sidebar.caption(":material/visibility: " + _("Read-only demo"))
    glue.mark_routed_by_entry()
    try:
        page.run()
    except glue.Busy as exc:  # heavy work refused for now: a message, not a traceback
        st.warning(str(exc), icon=":material/hourglass_top:")


def sign_in() -> None:
    """Everyone signs in (Streamlit's OIDC login); the sidebar says who, and as what."""
    if not glue.signed_in():
        st.title("Transfer Learning Lab")
        st.write(_("Sign in to explore models, look at datasets and runs, and compare them."))
        st.button(_("Sign in"), type="primary", on_click=st.login)
        st.stop()
    role = _("editor") if glue.can_edit() else _("viewer: read-only")
    st.sidebar.caption(f":material/person: {text.markdown_text(glue.user_name())} · {role}")
    st.sidebar.button(_("Sign out"), on_click=st.logout)


main()
