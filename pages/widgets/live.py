"""One way to show something that training may still change: the Train page's run, the Compare
page's curves and the advisor's ladder."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st


def live_view(key: str, draw: Callable[[], bool], pending: bool, every: float = 2.0) -> None:
    """Draw a view whose content waits on training.

    `draw()` renders it and returns True while something it shows is queued or running. While
    something is `pending`, the view is a fragment that redraws itself every `every` seconds
    (only it reruns, not the page). When nothing is pending any more, the whole page reruns once,
    so that what appears only at the end (results, downloads) is drawn, and the polling stops.
    Otherwise it is a plain fragment: its widgets rerun only this view.
    """
    polled = f"_{key}_live"

    def poll() -> None:
        if draw():
            st.session_state[polled] = True
        elif st.session_state.pop(polled, None):
            st.rerun()

    if pending:
        st.fragment(poll, run_every=every)()
    else:
        st.session_state.pop(polled, None)  # the full rerun that ended the polling
        st.fragment(draw)()
