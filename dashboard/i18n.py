"""The app's words in the reader's language: gettext catalogs managed with Babel.

Every user-facing string is written in English inside `_()`; a table marks its words with
`N_()` and the page translates them where they are shown. Text that holds values is written
with named fields and filled after translation: `_("{n} images").format(n=n)` (ruff's INT
rules refuse an f-string inside `_()`: it would never match the catalog).

The catalogs: `dashboard/locales/<lang>/LC_MESSAGES/messages.po`, one per language, and the
template `messages.pot`, both written by `python -m dashboard.catalogs` (extract from the code,
then update each catalog). A catalog is compiled to gettext's binary form in memory when it is
first used: no `.mo` in the repository, nothing written on the server.

The language is per session: the glue says how to read the session's choice (`follow`), and
`speaking(lang)` sets it for a block of work outside a page (a report, a run's files).
Numbers and percentages are written for the language by Babel.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import gettext
import io
import re
import string
from collections.abc import Callable, Iterator
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent

from models.words import N_

__all__ = [
    "LANGUAGES",
    "N_",
    "Spoken",
    "StoredText",
    "_",
    "language",
    "language_of",
    "number",
    "percent",
    "pgettext",
    "speaking",
]

LANGUAGES = {"en": "English", "ko": "한국어"}
SOURCE = "en"  # the language the code is written in
DOMAIN = "messages"
LOCALES = Path(__file__).parent / "locales"

_chosen: contextvars.ContextVar[str | None] = contextvars.ContextVar("language", default=None)
_session: Callable[[], str | None] = lambda: None  # noqa: E731 (set by the glue)


def follow(session_language: Callable[[], str | None]) -> None:
    """Where the current session's language is read (the glue: the session state)."""
    global _session
    _session = session_language


def language() -> str:
    """The language of the text being made now: a `speaking` block's, else the session's."""
    lang = _chosen.get() or _session()
    return lang if lang in LANGUAGES else SOURCE


@contextlib.contextmanager
def speaking(lang: str) -> Iterator[None]:
    """Make text in `lang` inside the block (any thread, any session)."""
    token = _chosen.set(lang if lang in LANGUAGES else SOURCE)
    try:
        yield
    finally:
        _chosen.reset(token)


def language_of(locale: str | None) -> str:
    """One of LANGUAGES for a browser's language tag ("ko-KR" -> "ko"); English otherwise."""
    primary = (locale or "").replace("_", "-").split("-")[0].lower()
    return primary if primary in LANGUAGES else SOURCE


def _(message: str) -> str:
    """`message` (English) in the current language; itself where the catalog lacks it."""
    return translations(language()).gettext(message)


def pgettext(context: str, message: str) -> str:
    """`message` where the same English needs two translations: the Train page is 학습, its
    button 학습 시작 (`pgettext("button", "Train")`)."""
    return translations(language()).pgettext(context, message)


@functools.cache
def translations(lang: str) -> gettext.NullTranslations:
    """The language's catalog, compiled in memory once per process."""
    po = LOCALES / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if lang == SOURCE or not po.is_file():
        return gettext.NullTranslations()
    with po.open("rb") as f:
        catalog = read_po(f, locale=lang, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


class Spoken(str):
    """A text that is taken once, on import (a Streamlit cache's `show_spinner`), and reads with
    `str()` each time it shows it: then it is in the language of the session it is shown to."""

    def __str__(self) -> str:
        return _(str.__str__(self))


class StoredText:
    """English sentences the app stores (a run's message, a skipped file's reason), shown in the
    reader's language: a stored text that fills one of `templates` is translated as that
    template with the same values; any other text is looked up as it is."""

    def __init__(self, templates: tuple[str, ...]):
        self.patterns = [(t, _template_pattern(t)) for t in templates]

    def __call__(self, stored: str) -> str:
        if not stored:
            return stored
        for template, pattern in self.patterns:
            found = pattern.fullmatch(stored)
            if found:
                return _(template).format(**found.groupdict())
        return _(stored)


def _template_pattern(template: str) -> re.Pattern:
    """The template as a regular expression, each {field} a named group."""
    parts = []
    for literal, field, _spec, _conversion in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if field:
            parts.append(f"(?P<{field}>.+?)")
    return re.compile("".join(parts), re.DOTALL)


def percent(value: float, digits: int = 1) -> str:
    """A fraction as a percentage for the current language (0.123 -> "12.3%")."""
    pattern = "#,##0" + ("." + "0" * digits if digits else "") + "%"
    return format_percent(value, pattern, locale=language())


def number(value: float, digits: int = 0) -> str:
    """A number with the current language's grouping and `digits` decimals."""
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, pattern, locale=language())
