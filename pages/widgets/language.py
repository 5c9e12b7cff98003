"""The sidebar's language box: English or 한국어, for this session only (docs/i18n.md)."""

from __future__ import annotations

import streamlit as st

from dashboard import glue, i18n

BOX = "_tlab_language_box"


def choose_language() -> str:
    """The session's language: the browser's (`st.context.locale`) on the first visit, then the
    sidebar's choice. Kept under the glue's key, not the box's: a widget's state goes when a
    run does not draw it, the language must not."""
    if glue.LANGUAGE not in st.session_state:
        st.session_state[glue.LANGUAGE] = i18n.language_of(st.context.locale)
    languages = list(i18n.LANGUAGES)
    st.sidebar.selectbox(
        "Language · 언어",
        languages,
        index=languages.index(st.session_state[glue.LANGUAGE]),
        format_func=i18n.LANGUAGES.get,
        key=BOX,
        on_change=_keep,
    )
    return st.session_state[glue.LANGUAGE]


def _keep() -> None:
    st.session_state[glue.LANGUAGE] = st.session_state[BOX]
