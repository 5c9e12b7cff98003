"""The message catalogs, kept up to date with the code: `python -m dashboard.catalogs`.

Extracts every `_()` and `N_()` string from the app's code with Babel into the template
`dashboard/locales/messages.pot`, then updates each language's `messages.po` from it: new
strings arrive untranslated (no fuzzy guesses), strings gone from the code leave. A translator
then fills the new `msgstr`s; the catalog test fails until every one is filled.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file
from babel.messages.pofile import read_po, write_po

from dashboard.i18n import DOMAIN, LANGUAGES, LOCALES, SOURCE

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("streamlit_app.py", "pages", "dashboard", "models")
TEMPLATE = LOCALES / f"{DOMAIN}.pot"
PROJECT = "Transfer Learning Lab"


def source_files() -> list[Path]:
    found = []
    for name in SOURCES:
        path = ROOT / name
        found += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return found


def extract() -> Catalog:
    """Every marked string in the code, with where it is written."""
    template = Catalog(project=PROJECT, domain=DOMAIN, copyright_holder=PROJECT)
    for path in source_files():
        rel = path.relative_to(ROOT).as_posix()
        found = extract_from_file("python", path, DEFAULT_KEYWORDS, ("Translators:",))
        for line, message, comments, context in found:
            template.add(message, locations=[(rel, line)], auto_comments=comments, context=context)
    return template


def catalog_path(lang: str) -> Path:
    return LOCALES / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read(path: Path, lang: str | None = None) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=lang, domain=DOMAIN)


def write(path: Path, catalog: Catalog) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        write_po(f, catalog, width=100, sort_output=True, ignore_obsolete=True)


def messages(catalog: Catalog) -> dict:
    """What a catalog says, without its header (whose dates change on every extraction)."""
    return {(m.id, m.context): (m.string, sorted(m.locations)) for m in catalog if m.id}


def new_catalog(lang: str) -> Catalog:
    return Catalog(
        locale=lang,
        domain=DOMAIN,
        project=PROJECT,
        copyright_holder=PROJECT,
        last_translator=f"{PROJECT} maintainers",
        language_team=f"{LANGUAGES[lang]} ({lang})",
    )


def update() -> None:
    template = extract()
    if not TEMPLATE.is_file() or messages(read(TEMPLATE)) != messages(template):
        write(TEMPLATE, template)
    for lang in LANGUAGES:
        if lang == SOURCE:
            continue
        path = catalog_path(lang)
        catalog = read(path, lang) if path.is_file() else new_catalog(lang)
        before = messages(catalog)
        catalog.update(template, no_fuzzy_matching=True)
        if messages(catalog) != before:
            write(path, catalog)


if __name__ == "__main__":
    update()
