"""Names from uploads show as plain text: never live HTML in a plotly chart or the report, never
a link, image or directive in Streamlit's markdown."""

from __future__ import annotations

import html
import re
from types import SimpleNamespace

import numpy as np
import pytest

from dashboard.advisor import charts as advisor_chart
from dashboard.advisor.advice import Advice
from dashboard.compare import charts as compare_charts
from dashboard.datasets import charts as dataset_charts
from dashboard.explore import charts as explore_charts
from dashboard.featurespace import charts as featurespace_charts
from dashboard.runs import ClassScores, ExportCheck, RunResults, SplitScores
from dashboard.text import chart_text, markdown_text
from dashboard.training import charts as training_charts
from models import catalog
from models.imagenet import Prediction

LINK = '<a href="https://evil.example/">x</a>'
BOLD = "<b>bold</b>"
MARKDOWN_LINK = "[x](https://evil.example/)"
EVIL = [LINK, BOLD, MARKDOWN_LINK]


def strings(node):
    """Every string anywhere in a figure's JSON (dicts, lists, numpy arrays)."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from strings(value)
    elif isinstance(node, list | tuple):
        for value in node:
            yield from strings(value)
    elif isinstance(node, np.ndarray):
        yield from strings(node.tolist())


def assert_plain(fig, names=EVIL) -> None:
    """No name's markup is live in the figure, and each name reached it (escaped)."""
    found = list(strings(fig.to_plotly_json()))
    assert not [s for s in found if "<a" in s.lower() or "<b>bold" in s.lower()]
    for name in names:
        assert any(chart_text(name) in s for s in found), f"{name!r} is not in the figure"


def typed_results(classes: list[str], confusion: list) -> RunResults:
    """A finished run's results: every class at F1 0.5."""
    per_class = [ClassScores(c, 0.5, 0.5, 0.5, 1) for c in classes]
    export = ExportCheck("model.keras", "labels.json", 1, 1, 0.0, True)
    return RunResults(classes, 0.5, SplitScores(0.5, confusion, per_class, []), export)


def run(name: str, seed: int = 0, per_class=()) -> SimpleNamespace:
    results = typed_results(list(per_class), [])
    config = {"backbone": "b", "name": name, "seed": seed}  # one seed group per name
    return SimpleNamespace(id=f"{name}-{seed}", name=name, config=config, results=results)


HISTORY = [{"epoch": e, "val_acc": 0.5 + e / 10, "seconds": 1.0} for e in (1, 2)]


def advice(name: str, dataset_id: str = "0" * 16) -> Advice:
    key = catalog.MODEL_LIST[0].key
    return Advice(dataset_id, name, "upload", key, 20, 2, 10.0, {})


def test_class_counts_bar():
    assert_plain(dataset_charts.class_counts_bar({c: {"train": 3, "val": 1} for c in EVIL}))


def test_confusion_heatmap():
    assert_plain(training_charts.confusion_heatmap(np.eye(3, dtype=int).tolist(), EVIL))


def test_training_curves_title():
    epochs = [{"epoch": 1, "acc": 0.5, "loss": 1.0, "val_acc": 0.4, "val_loss": 1.2}]
    assert_plain(training_charts.training_curves(epochs, title=LINK), [LINK])


@pytest.mark.parametrize("bands", [False, True])
def test_compare_curves(bands):
    runs = [run(n, seed) for n in EVIL for seed in (1, 2)] if bands else [run(n) for n in EVIL]
    histories = {r.id: HISTORY for r in runs}
    assert_plain(compare_charts.curves(runs, histories, "val_acc", smoothing=0.5, bands=bands))


def test_per_class_f1():
    assert_plain(compare_charts.per_class_f1([run(n, per_class=EVIL) for n in EVIL]))


def test_quadrant_chart():
    references = [advice(n, f"{i:016x}") for i, n in enumerate(EVIL[1:], start=1)]
    assert_plain(advisor_chart.quadrant_chart(advice(LINK), references))


def test_feature_space_map():
    labels = np.array([0, 1, 2])
    points = np.zeros((3, 2))
    fig = featurespace_charts.map_figure({BOLD: points}, labels, EVIL, ["train"] * 3, EVIL)
    assert_plain(fig)


def test_explore_charts():
    predictions = [Prediction(i, "n0", n, 0.3) for i, n in enumerate(EVIL)]
    assert_plain(explore_charts.top5_bar(predictions))
    heat = explore_charts.heatmap_over_image(np.zeros((4, 4, 3), "uint8"), np.zeros((2, 2)), LINK)
    assert_plain(heat, [LINK])


# plotly.js's convertEntities: how plotly turns the entities in a text back into characters
PLOTLY_ENTITIES = {"mu": "μ", "amp": "&", "lt": "<", "gt": ">", "nbsp": "\xa0", "times": "×"}


def plotly_shows(text: str) -> str:
    def one(m: re.Match) -> str:
        code = m.group(1)
        if code.startswith("#"):
            return chr(int(code[2:], 16) if code[1] == "x" else int(code[1:]))
        return PLOTLY_ENTITIES.get(code, m.group())

    return re.sub(r"&(#\d+|#x[\da-fA-F]+|[a-z]+);", one, text)


@pytest.mark.parametrize("name", [*EVIL, "&lt;b&gt;", "A&B", "$x^2$", "a > b < c", "plain"])
def test_chart_text_shows_the_name_as_typed(name):
    shown = chart_text(name)
    assert not re.search(r"[<>$]", shown)  # no tag for plotly, no TeX for MathJax
    assert plotly_shows(shown) == name


def report_stubs(monkeypatch):
    """run_report's stores, replaced: a finished run and dataset whose names are markup."""
    from dashboard import advisor, datasets, training
    from dashboard import runs as run_record
    from dashboard.datasets.manifest import ImageRecord, Manifest

    images = [
        ImageRecord(f"images/{i:064x}.png", f"{i:064x}", c, "train", LINK, 8, 8, 1)
        for i, c in enumerate(EVIL)
    ]
    manifest = Manifest("0" * 16, BOLD, "upload", "folders", list(EVIL), images)
    confusion = np.eye(3, dtype=int).tolist()
    results = typed_results(list(EVIL), confusion)
    the_run = SimpleNamespace(
        id="20240101-000000-abcdef",
        name=LINK,
        dataset_id=manifest.id,
        dataset_name=BOLD,
        results=results,
        config={"seed": 1, "image_size": 32, "note": MARKDOWN_LINK},
        status="finished",
        backbone=catalog.MODEL_LIST[0].key,
        strategy="linear_head",
        best_val_acc=0.5,
        final_val_acc=0.5,
    )
    runs = SimpleNamespace(
        get=lambda run_id: the_run,
        epochs=lambda ids: {i: [dict(HISTORY[0], acc=0.5, loss=1.0, val_loss=1.0)] for i in ids},
    )
    # the report reads runs through one of these, whichever this version has
    monkeypatch.setattr(training, "open_runs", lambda settings: runs, raising=False)
    monkeypatch.setattr(run_record, "open_runs", lambda settings: runs, raising=False)
    monkeypatch.setattr(training, "manager", lambda settings: SimpleNamespace(runs=runs))
    monkeypatch.setattr(datasets, "get", lambda settings, dataset_id: manifest)
    monkeypatch.setattr(advisor, "stored", lambda settings, dataset_id, backbone: advice(BOLD))
    monkeypatch.setattr(advisor, "all_stored", lambda settings, backbone: [advice(LINK, "1" * 16)])
    return the_run


def assert_plain_page(page: str) -> None:
    # plotly's JSON writes `<` as \u003c inside the <script>: look for either form
    for raw in (
        '<a href="https://evil',
        '\\u003ca href=\\"https://evil',
        "<b>bold",
        "\\u003cb\\u003ebold",
    ):
        assert raw not in page, raw
    assert "&lt;a href=" in page  # the names are there, as text


def test_the_reports_show_names_as_text(monkeypatch):
    from dashboard import report

    the_run = report_stubs(monkeypatch)
    assert_plain_page(report.run_report(None, the_run.id))
    assert_plain_page(report.comparison_report(None, [the_run.id], [{"run": LINK}]))


# --- Streamlit markdown ---------------------------------------------------------------------

TRICKY = [
    *EVIL,
    "![i](https://evil.example/p.png)",
    "https://evil.example/x and www.evil.example and a@evil.example",
    ":red[x] :smile: :material/home: :streamlit: $x^2$ $$y$$",
    "`c` *e* _u_ ~~s~~ | a | b | # h + - 1. \\ {x} &lt; &amp;",
    "heading\n===",
]
# What Streamlit's frontend rewrites in the text after parsing, where backslash escapes are
# already undone (StreamlitMarkdown: remark-gfm's autolink literals, remark-emoji, icons).
STREAMLIT_TEXT_PATTERNS = [
    r"(?i)(https?://|www(?=\.))[-.\w]+",
    r"[-.\w+]+@[-\w]+(\.[-\w]+)+",
    r":[\w+-]+:",
    r":material_\w+:",
]


def commonmark(text: str) -> str:
    """Streamlit's markdown is CommonMark + GFM; markdown-it-py (installed with rich) parses
    the same way. Python-Markdown is not CommonMark (it keeps `\\:` as typed): no stand-in."""
    markdown_it = pytest.importorskip("markdown_it")
    return markdown_it.MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(text)


@pytest.mark.parametrize("name", TRICKY)
def test_markdown_text_renders_as_the_text_typed(name):
    rendered = commonmark(markdown_text(name))
    assert re.findall(r"<[^>]*>", rendered) == ["<p>", "</p>"]  # no a, img, b, h1, code ...
    visible = html.unescape(rendered.removeprefix("<p>").removesuffix("</p>\n"))
    assert visible.replace("\u2060", "") == name.replace("\n", " ")


@pytest.mark.parametrize("name", TRICKY)
def test_markdown_text_leaves_nothing_for_streamlits_text_rewrites(name):
    source = markdown_text(name)
    assert ":material/" not in source  # Streamlit turns it into :material_ before parsing
    visible = html.unescape(re.sub(r"<[^>]*>", "", commonmark(source)))
    for pattern in STREAMLIT_TEXT_PATTERNS:
        assert not re.search(pattern, visible), (pattern, visible)
