"""The marker for words that a table holds and a page shows: `N_("...")` leaves the text as it
is (English, the source language) and tells the catalog extractor to collect it; the page
translates it where it is shown (`dashboard.i18n._(row.title)`). models/ sits below the app,
so its tables mark their words and never translate them."""

from __future__ import annotations


def N_(message: str) -> str:  # noqa: N802 (gettext's name for a marker)
    return message
