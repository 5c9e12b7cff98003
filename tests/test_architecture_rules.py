"""The architecture rules, checked on the source.

- Arrows point down only: pages -> dashboard -> models, and inside dashboard: the launcher
  (`__main__`) -> glue -> report -> (advisor | compare | explore | featurespace) -> training
  (execution) -> features -> runs (the record) -> datasets -> the shared modules. Siblings on
  one level do not import each other; nothing imports in a circle.
- Pages read runs from the run store (`glue.run_store()`), never through the job queue: a page
  that shows runs starts no trainer.
- A feature package's modules are its own: other code uses only the names its `__init__`
  lists in `__all__`.
- streamlit only in pages/ and dashboard/glue.py.
- Small files, formatted by the formatter: `# fmt: off` only around data tables.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGES = ("pages", "dashboard", "models")
FILES = sorted(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py"))
PROJECT_FILES = sorted(
    p for p in ROOT.rglob("*.py") if not {".git", ".venv", "venv"} & set(p.parts)
)
SHARED = {
    "settings",
    "images",
    "model_menu",
    "significance",
    "storage",
    "shared_store",
    "text",
    "trust",
    "bounded",
    "access",
    "progress",
    "i18n",  # the words in the session's language
    "catalogs",  # keeps the message catalogs up to date with the code
    "tutorial",  # the tutorial's figures, told beside what shows them
    "diagnostics",  # stack dumps on SIGUSR1, for the operator
}
FEATURES = (
    "datasets",
    "runs",
    "features",
    "probes",
    "training",
    "advisor",
    "compare",
    "explore",
    "featurespace",
    "report",
)
# dashboard's levels, bottom up; a unit imports only its own level's unit and lower levels.
LEVELS = [
    {"shared"},
    {"datasets"},
    {"runs"},  # the record: read without the machinery that trains
    {"features"},  # what networks compute from images, cached: below all who read it
    {"probes"},  # quick linear models on cached features: questions about the data
    {"training"},  # execution: the queue, the executors, the trainer
    {"advisor", "compare", "explore", "featurespace"},
    {"report"},  # a run's report gathers the features' charts
    {"glue"},
    {"__main__"},  # the launcher, `python -m dashboard`: runs Streamlit's command, not its API
]
DATA_TABLES = {"models/catalog.py", "dashboard/datasets/layout.py"}
STREAMLIT_GLUE = "dashboard/glue.py"


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names imported from it) for every import, also those inside functions."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, [alias.name for alias in node.names]))
    return found


def targets(path: Path) -> set[str]:
    """The project modules a file imports: `from dashboard import datasets` counts as
    dashboard.datasets, `from dashboard.datasets import Manifest` as dashboard.datasets."""
    out = set()
    for module, names in imports(path):
        if module.split(".")[0] not in PACKAGES:
            continue
        out.add(module)
        out |= {f"{module}.{n}" for n in names if (ROOT / module.replace(".", "/") / n).exists()}
        out |= {f"{module}.{n}" for n in names if _is_module(f"{module}.{n}")}
    return out


def _is_module(dotted: str) -> bool:
    base = ROOT / dotted.replace(".", "/")
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def unit(dotted: str) -> str | None:
    """The dashboard unit a module belongs to: a feature package, a shared module, glue."""
    parts = dotted.split(".")
    if parts[0] != "dashboard" or len(parts) < 2:
        return None
    return "shared" if parts[1] in SHARED else parts[1]


def level(name: str) -> int:
    return next(i for i, units in enumerate(LEVELS) if name in units)


def public_names(package: str) -> set[str]:
    tree = ast.parse((ROOT / "dashboard" / package / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            return set(ast.literal_eval(node.value))
    return set()


IDS = {"ids": lambda p: rel(p)}


@pytest.mark.parametrize("path", FILES, **IDS)
def test_arrows_point_down_between_the_top_level_packages(path):
    layer = path.relative_to(ROOT).parts[0]
    below = set(PACKAGES[PACKAGES.index(layer) :])  # itself and the layers under it
    used = {t.split(".")[0] for t in targets(path)}
    assert used <= below, f"{rel(path)} imports {used - below} from above"


@pytest.mark.parametrize("path", sorted((ROOT / "dashboard").rglob("*.py")), **IDS)
def test_arrows_point_down_inside_dashboard(path):
    mine = unit(module_name(path))
    if mine is None:  # dashboard/__init__.py
        return
    for target in targets(path):
        theirs = unit(target)
        if theirs is None or theirs == mine:
            continue
        assert level(theirs) < level(mine), f"{rel(path)} ({mine}) imports {target} ({theirs})"


@pytest.mark.parametrize(
    "path", sorted(p for p in FILES if rel(p).startswith(("pages", "dash"))), **IDS
)
def test_no_package_imports_a_siblings_internals(path):
    mine = unit(module_name(path))
    for module, names in imports(path):
        parts = module.split(".")
        if parts[0] != "dashboard" or len(parts) < 2 or parts[1] not in FEATURES:
            continue
        package = parts[1]
        if package == mine:
            continue
        where = f"{rel(path)}: from {module} import {', '.join(names)}"
        assert len(parts) == 2, f"{where} reaches inside dashboard.{package}"
        assert set(names) <= public_names(package), f"{where}: not in its __all__"


def test_every_feature_package_lists_what_it_offers():
    for package in FEATURES:
        offered = public_names(package)
        assert offered, f"dashboard/{package}/__init__.py has no __all__"
        source = (ROOT / "dashboard" / package / "__init__.py").read_text(encoding="utf-8")
        for name in offered:
            assert name in source.replace(f'"{name}"', ""), f"{package}.{name} listed, not there"


def test_nothing_in_dashboard_imports_in_a_circle():
    graph = {module_name(p): targets(p) for p in (ROOT / "dashboard").rglob("*.py")}
    state: dict[str, str] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for nxt in graph.get(node, ()):
            if nxt not in graph or nxt == node:
                continue
            # a package's __init__ re-exports its modules: that arrow is not a circle
            if node == nxt.rsplit(".", 1)[0]:
                continue
            assert state.get(nxt) != "open", " -> ".join([*path, node, nxt])
            if nxt not in state:
                visit(nxt, [*path, node])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [])


READERS_OF_RUNS = sorted(
    p for p in FILES if rel(p).startswith(("pages/", "dashboard/report/", STREAMLIT_GLUE))
)


@pytest.mark.parametrize("path", READERS_OF_RUNS, **IDS)
def test_pages_never_read_runs_through_the_job_queue(path):
    """`jm.runs`, `job_manager().runs`: the queue's own writer. Reading through it made a page
    (and a report) start the trainer's and the watch's threads just to list rows."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    attrs = [n for n in ast.walk(tree) if isinstance(n, ast.Attribute)]
    reads = [n.lineno for n in attrs if n.attr == "runs"]
    assert not reads, f"{rel(path)} reads `.runs` at lines {reads}: use glue.run_store()"
    if rel(path) != STREAMLIT_GLUE:  # the glue's job_manager() is the one door to the queue
        starts = [n.lineno for n in attrs if n.attr in ("manager", "JobManager")]
        assert not starts, f"{rel(path)} opens a job queue itself at lines {starts}"


@pytest.mark.parametrize("path", FILES, **IDS)
def test_streamlit_only_in_pages_and_the_glue_module(path):
    if rel(path).startswith("pages/") or rel(path) == STREAMLIT_GLUE:
        return
    assert "streamlit" not in {m.split(".")[0] for m, _ in imports(path)}, rel(path)


@pytest.mark.parametrize("path", FILES, **IDS)
def test_files_stay_small(path):
    if rel(path) in DATA_TABLES:
        return
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 300, rel(path)


def test_the_formatter_formats_everything_but_data_tables():
    for path in PROJECT_FILES:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"#\s*fmt:\s*skip\s*$", text, re.M), rel(path)
        if re.search(r"^\s*#\s*fmt:\s*off\s*$", text, re.M):
            assert rel(path) in DATA_TABLES, f"{rel(path)}: fmt: off outside a data table"


def test_test_modules_do_not_import_each_other():
    """Shared fixtures and helpers live in conftest.py or a helper module, not in a test file."""
    for path in sorted((ROOT / "tests").glob("test_*.py")):
        imported = {m for m, _ in imports(path)}
        assert not {m for m in imported if m.startswith("tests.test_")}, rel(path)
