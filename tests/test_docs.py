from dashboard import docs
from models import catalog


def test_readme_model_list_is_the_catalog():
    readme = docs.README.read_text()
    assert docs.with_catalog(readme) == readme, "run: python -m dashboard.docs"
    assert readme.count("| MobileNet |") == 16
    assert len(docs.catalog_markdown().splitlines()) == len(catalog.MODEL_LIST) + 2


def test_readme_starts_with_the_two_commands():
    lines = [line for line in docs.README.read_text().splitlines() if line.strip()]
    code = lines[lines.index("```bash") + 1 : lines.index("```bash") + 3]
    assert code[0].endswith("streamlit run streamlit_app.py")
    assert code[1] == "pip install -r requirements-dev.txt && python -m pytest"
