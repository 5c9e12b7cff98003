"""The tutorial's figure beside the part of a page that shows its idea (`dashboard.tutorial`)."""

from __future__ import annotations

import streamlit as st

from dashboard import tutorial
from dashboard.i18n import _


def tutorial_note(number: int) -> None:
    """Figure `number` of the tutorial, in the session's language, with its papers linked."""
    figure = tutorial.FIGURES[number]
    with st.container(border=True):
        heading = _("The tutorial, figure {number}: {title}")
        st.markdown(
            ":material/menu_book: **" + heading.format(number=number, title=_(figure.title)) + "**"
        )
        st.markdown(_(figure.text))
        if figure.references:
            links = " · ".join(f"[{r.title}]({r.url})" for r in figure.references)
            st.caption(_("Read more: {links}").format(links=links))
