"""The catalogs: complete, up to date with the code, and safe to fill; the language per session
and per thread; numbers written for the language."""

from __future__ import annotations

import re
import string
import threading

import pytest

from dashboard import catalogs, i18n
from dashboard.i18n import _


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def markup(text: str) -> list[str]:
    """The markdown and icon markers a translation must keep."""
    return sorted(re.findall(r"\*\*|`|:material/[a-z_]+:", text))


@pytest.fixture(scope="module")
def template():
    return catalogs.extract()


@pytest.fixture(scope="module", params=[lang for lang in i18n.LANGUAGES if lang != i18n.SOURCE])
def catalog(request):
    return request.param, catalogs.read(catalogs.catalog_path(request.param), request.param)


def test_the_template_is_up_to_date_with_the_code(template):
    """Re-extraction adds nothing: `python -m dashboard.catalogs` was run after the last change."""
    on_disk = catalogs.messages(catalogs.read(catalogs.TEMPLATE))
    fresh = catalogs.messages(template)
    assert set(fresh) - set(on_disk) == set(), "new strings: run python -m dashboard.catalogs"
    assert set(on_disk) - set(fresh) == set(), "gone strings: run python -m dashboard.catalogs"


def test_every_message_has_a_translation(template, catalog):
    lang, cat = catalog
    ids = {(m.id, m.context) for m in template if m.id}
    translated = {(m.id, m.context) for m in cat if m.id and m.string and not m.fuzzy}
    assert len(ids) > 300  # the whole app, not a corner of it
    missing = sorted(ids - translated)
    assert not missing, f"{len(missing)} strings without a {lang} translation: {missing[:10]}"


def test_translations_keep_every_field_and_marker(catalog):
    """A translation that drops `{name}` would break `.format`; one that drops `**` breaks the
    markdown."""
    _, cat = catalog
    for m in cat:
        if m.id and m.string:
            assert fields(m.string) == fields(m.id), (m.id, m.string)
            assert markup(m.string) == markup(m.id), (m.id, m.string)


def test_no_fstring_in_a_marked_call_reaches_the_catalog(template):
    """An f-string inside `_()` is never extracted (ruff's INT001 refuses it too): every
    message's fields are names, not expressions."""
    for m in template:
        if m.id:
            assert all(name.isidentifier() for name in fields(m.id)), m.id


def test_korean_catalog_translates_and_english_is_the_source():
    with i18n.speaking("ko"):
        assert _("Explore") == "탐색"
        assert i18n.pgettext("button", "Train") == "학습 시작" and _("Train") == "학습"
        assert i18n.language() == "ko"
    with i18n.speaking("en"):
        assert _("Explore") == "Explore"
    assert _("a sentence nobody wrote") == "a sentence nobody wrote"


@pytest.mark.parametrize(
    ("tag", "lang"),
    [("ko-KR", "ko"), ("ko", "ko"), ("en-US", "en"), ("fr-FR", "en"), (None, "en"), ("", "en")],
)
def test_the_browser_language_picks_the_first_language(tag, lang):
    assert i18n.language_of(tag) == lang


def test_two_threads_speak_their_own_language_at_once():
    """Two viewers' script threads at the same time: each sees its own language."""
    seen, both_inside = {}, threading.Barrier(2)

    def viewer(lang: str) -> None:
        with i18n.speaking(lang):
            both_inside.wait(10)  # both languages are set at the same moment
            seen[lang] = _("Explore")

    threads = [threading.Thread(target=viewer, args=(lang,)) for lang in ("en", "ko")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert seen == {"en": "Explore", "ko": "탐색"}


def test_an_unknown_language_falls_back_to_english():
    with i18n.speaking("xx"):
        assert i18n.language() == "en"


def test_numbers_are_written_for_the_language():
    with i18n.speaking("en"):
        assert i18n.percent(0.1234) == "12.3%" and i18n.number(12345.678, 1) == "12,345.7"
    with i18n.speaking("ko"):
        assert i18n.percent(0.5, 0) == "50%" and i18n.number(1234) == "1,234"
