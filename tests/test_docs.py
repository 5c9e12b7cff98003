import re

from models import catalog
from tests.conftest import ROOT
from tools import docs

README = ROOT / "README.md"


def test_models_page_lists_the_catalog():
    page = docs.MODELS_PAGE.read_text()
    assert docs.with_catalog(page) == page, "run: python -m tools.docs"
    assert page.count("| MobileNet |") == 16
    assert len(docs.catalog_markdown().splitlines()) == len(catalog.MODEL_LIST) + 2


def test_readme_starts_with_the_two_commands():
    lines = [line for line in README.read_text().splitlines() if line.strip()]
    code = lines[lines.index("```bash") + 1 : lines.index("```bash") + 3]
    assert lines.index("```bash") == 1  # right under the title
    assert code[0].endswith("python -m dashboard")  # streamlit run, warming Explore up
    assert code[1] == "pip install -r requirements-dev.txt && python -m pytest"


def test_readme_is_a_front_door_and_every_docs_page_is_reachable_from_it():
    text = README.read_text()
    assert len(text.splitlines()) <= 200
    linked = set(re.findall(r"\(docs/([\w.]+\.md)", text))
    assert linked == {p.name for p in (ROOT / "docs").glob("*.md")}


def test_links_between_docs_pages_point_at_files_that_exist():
    for page in [README, *(ROOT / "docs").glob("*.md")]:
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", page.read_text()):
            assert (page.parent / target).exists(), f"{page.name} links to missing {target}"
