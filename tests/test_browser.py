"""The whole flow in a real browser: Debian's Chromium driven by Playwright.

Starts the real app on a free local port, visits every page, explores the default cat with the
shared MobileNet weights, uploads flowers-mini.zip, asks the strategy advisor, trains a short
linear-head run and a short scratch run (after mapping the dataset in feature space and
excluding its clearest label suspect as a new version), clicks a confusion-matrix cell and
excludes one of its images as another version, opens Compare and sees both curves. Saves a
screenshot of each page for the docs (docs/screenshots/). Skipped, with the reason, where there
is no browser; in CI it must run, so there a missing browser fails.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from dashboard import explore
from tests import chromium
from tests.conftest import FLOWERS_ZIP, ROOT, WEIGHTS_DIR

SHOTS = ROOT / "docs" / "screenshots"
CATS = ("tabby", "tiger cat", "Egyptian cat", "lynx", "Persian cat")


class Words:
    """The page's words in one language, for the selectors: the same flow runs in English and in
    Korean (the catalog's own translations, so a changed translation cannot break it)."""

    def __init__(self, lang: str):
        self.lang = lang

    def __call__(self, message: str) -> str:
        from dashboard import i18n

        with i18n.speaking(self.lang):
            return i18n._(message)

    def button(self, message: str) -> str:
        from dashboard import i18n

        with i18n.speaking(self.lang):
            return i18n.pgettext("button", message)

    def status(self, status: str) -> str:
        from dashboard import i18n, runs

        with i18n.speaking(self.lang):
            return runs.status_text(status)

    def strategy(self, key: str, part: str) -> str:
        from models.strategies import STRATEGIES

        return self(getattr(STRATEGIES[key], part))

    def pattern(self, message: str, **fields: str) -> re.Pattern:
        """The translated `message` as a regex: markdown markers dropped, each field either the
        regex given or any text."""
        text = self(message).replace("**", "")
        parts = re.split(r"\{(\w+)\}", text)
        regex = "".join(
            re.escape(part) if i % 2 == 0 else fields.get(part, ".+?")
            for i, part in enumerate(parts)
        )
        return re.compile(regex)


@pytest.fixture(scope="module", params=["en", "ko"])
def words(request) -> Words:
    return Words(request.param)


@pytest.fixture(scope="module")
def server(tmp_path_factory, words):
    chromium.require()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    home = tmp_path_factory.mktemp("home")
    env = {
        **os.environ,
        "TLAB_HOME": str(home),
        "TLAB_WEIGHTS_DIR": str(WEIGHTS_DIR),
        "TLAB_OFFLINE": "1",
        "KERAS_HOME": str(tmp_path_factory.mktemp("keras")),
    }
    log_path = tmp_path_factory.mktemp("log") / "server.log"
    log = open(log_path, "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "dashboard",  # the README's first command: Explore's default model warms up
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    yield Server(url, proc, log_path, home)
    proc.terminate()
    proc.wait(30)
    log.close()


class Server:
    def __init__(self, url: str, proc: subprocess.Popen, log_path: Path, home: Path):
        self.url, self.proc, self.log_path, self.home = url, proc, log_path, home

    def runs(self) -> str:
        """Every run's status as the server stored it (the page may show an older one)."""
        import sqlite3

        if not (self.home / "runs.db").exists():
            return "(no run store yet)"
        with contextlib.closing(sqlite3.connect(self.home / "runs.db")) as db:
            rows = db.execute("SELECT id, strategy, status, message FROM runs").fetchall()
        return "\n".join(" · ".join(str(v) for v in row) for row in rows)

    @contextlib.contextmanager
    def stacks_on_failure(self):
        """On a failure, show the stored runs and the server's log with every thread's stack
        (SIGUSR1 makes the app write them; dashboard/glue.py): a stuck run shows where."""
        try:
            yield
        except Exception as exc:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGUSR1)
                time.sleep(2)
            log = self.log_path.read_text(errors="replace").splitlines()
            what = "\n".join(str(exc).splitlines()[:6])  # not the page's whole aria snapshot
            tail = "\n".join(log[-150:])
            raise AssertionError(
                f"{what}\n---- runs in the store ----\n{self.runs()}"
                f"\n---- server log, last 150 lines ----\n{tail}"
            ) from exc


def test_whole_flow_in_chromium(server, words):
    """The whole flow, once in English and once in Korean (a browser whose language is ko-KR)."""
    with server.stacks_on_failure():
        _whole_flow(server.url, words)
    assert explore.WARM_UP_DONE in server.log_path.read_text()  # `python -m dashboard` warmed up


def _whole_flow(server: str, t: Words) -> None:
    from playwright.sync_api import expect, sync_playwright

    shots = SHOTS if t.lang == "en" else SHOTS / t.lang
    shots.mkdir(parents=True, exist_ok=True)
    expect.set_options(timeout=120_000)  # the first page loads TensorFlow and the model
    with sync_playwright() as p:
        # Chromium's fake camera (a test pattern) for the webcam paths, allowed without asking.
        browser = chromium.launch(p, chromium.FAKE_CAMERA)
        locale = {"en": "en-US", "ko": "ko-KR"}[t.lang]  # the page follows the browser's language
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale=locale)
        page = context.new_page()
        page.set_default_timeout(120_000)
        _explore(page, server, expect, t, shots)
        _upload_and_advise(page, expect, t, shots)
        _feature_space(page, expect, t, shots)
        _act_on_a_suspect(page, expect, t)
        # A short linear-head run and a short scratch run (on 96 px images: a whole network
        # trained on 224 px took most of the flow's time).
        _train(page, expect, t, "linear_head", 20, 3)
        _train(page, expect, t, "scratch", 40, 2, image_size=96)
        page.screenshot(path=str(shots / "train.png"), full_page=True)
        _webcam(page, expect, t)
        _act_on_a_confusion_cell(page, expect, t, shots)
        _compare(page, expect, t, shots)
        browser.close()


def _explore(page, server: str, expect, t: Words, shots: Path) -> None:
    """Explore: the default cat with the shared MobileNet weights."""
    page.goto(server)
    expect(page.get_by_text(t("Top-5 ImageNet classes"))).to_be_visible()
    body = page.locator("body").inner_text()
    assert any(cat in body for cat in CATS), body[:2000]
    page.screenshot(path=str(shots / "explore.png"))
    page.get_by_role("tab", name=t("Feature maps")).click()
    expect(page.get_by_text(t("Stage strip: low-level → high-level"))).to_be_visible()


def _upload_and_advise(page, expect, t: Words, shots: Path) -> None:
    """Train: upload flowers-mini.zip, pick the small backbone, measure with the advisor."""
    page.get_by_role("link", name=t("Train")).click()
    expect(page.get_by_text(t("Dataset zip"))).to_be_visible()
    page.locator("input[type=file]").first.set_input_files(str(FLOWERS_ZIP))
    expect(page.get_by_text(t("Images per class")).first).to_be_visible()
    # The small shared backbone (the default is the most accurate on disk: MobileNetV2).
    small = re.compile(r"^MobileNet α=0.25 @224px")
    chromium.choose(page, expect, t("Backbone"), "0.25 @224", small)
    # The advisor: measure, then the 2x2 chart and a recommendation.
    page.get_by_role("button", name=t.pattern("Measure this dataset with {backbone}")).click()
    linear = re.escape(t.strategy("linear_head", "title"))
    advice = page.get_by_text(
        t.pattern("**Recommendation: {strategy}** — {reason}", strategy=linear)
    )
    expect(advice).to_be_visible()
    expect(
        page.get_by_text(t("Where this dataset sits on the transfer-learning chart"))
    ).to_be_visible()
    advice.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "advisor.png"))


def _feature_space(page, expect, t: Words, shots: Path) -> None:
    """The map, pretrained beside random weights, and the suspects under it."""
    page.get_by_role("button", name=t("Map this dataset in feature space")).click()
    separation = "Class separation (silhouette, -1 to 1): {separation}. Markers: ● train, ◆ "
    sampled = "{method} of {n} images (a stratified sample of {total}). " + separation
    whole = "{method} of {n} images. " + separation  # the caption's two forms
    either = "|".join(t.pattern(m + "validation.").pattern for m in (sampled, whole))
    expect(page.get_by_text(re.compile(either))).to_be_visible()
    chart = page.locator(".js-plotly-plot", has_text=t("Same network, random weights"))
    expect(chart).to_be_visible()
    expect(chart.locator(".scatterlayer .trace").first).to_be_attached()
    suspects = t.pattern("**Likely label problems** ({n})", n=r"\d+")
    expect(page.get_by_text(suspects)).to_be_visible()
    chart.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "featurespace.png"))


def _train(
    page, expect, t: Words, strategy: str, default_epochs: int, epochs: int, image_size=None
) -> None:
    """One short run of `strategy` from its own form, watched until it has finished."""
    if strategy != "linear_head":
        title = t.strategy(strategy, "title")  # "5 · From scratch (baseline)": type its number
        chromium.choose(page, expect, t("Strategy"), title[:3], re.compile(re.escape(title)))
    # While the page reruns (after a new dataset version, say), the old form can still show
    # beside the new one: wait until one is left, then for it to show.
    advice = page.get_by_text(t.strategy(strategy, "advice"))
    expect(advice).to_have_count(1)
    expect(advice).to_be_visible()
    epochs_input = page.get_by_label(t("Epochs"), exact=True)  # not Keep training's "More epochs"
    expect(epochs_input).to_have_count(1)  # the previous form has gone
    expect(epochs_input).to_have_value(str(default_epochs))  # this strategy's form
    epochs_input.fill(str(epochs))
    epochs_input.press("Tab")
    if image_size:
        size_input = page.get_by_label(t("Image size"))
        size_input.fill(str(image_size))
        size_input.press("Tab")
    page.get_by_role("button", name=t.button("Train"), exact=True).click()
    # The new run's own caption (older captions can linger while the page reruns).
    caption = "Device: {device} · run {run} · status {status}"
    active = "|".join(re.escape(t.status(s)) for s in ("queued", "running"))
    live = page.get_by_text(t.pattern(caption, run=r"\S+", status=f"(?:{active})"))
    expect(live).to_be_visible()
    run_id = t.pattern(caption, run=r"(\S+)").search(live.inner_text()).group(1)
    finished = t.pattern(caption, run=re.escape(run_id), status=re.escape(t.status("finished")))
    expect(page.get_by_text(finished)).to_be_visible(timeout=300_000)
    parity = page.get_by_text(t("Export parity"))
    expect(parity).to_have_count(1)  # the new run's results only, once the rerun is done
    expect(parity).to_be_visible()


def _webcam(page, expect, t: Words) -> None:
    """The fake camera: a picture classified by the last run, with Grad-CAM; then a picture
    taken into a class of a new dataset."""
    _take_photo(page, expect, t, t("Or point the camera at something"))
    grad_cam = t.pattern("Grad-CAM for {name}").pattern
    expect(page.get_by_text(re.compile("^" + grad_cam))).to_be_visible()
    first_class = t("Class {n}").format(n=1)
    label = t("Take a picture of {name}").format(name=first_class)
    _open_tab(
        page, expect, t("Webcam"), page.get_by_test_id("stCameraInput").filter(has_text=label)
    )
    _take_photo(page, expect, t, label)
    so_far = t("{total} picture(s) so far, in {n} class(es).").format(total=1, n=1)
    expect(page.get_by_text(so_far)).to_be_visible()


def _open_tab(page, expect, name: str, inside) -> None:
    """Click the tab `name` until `inside` (a locator in it) shows. A click that lands while the
    page is still rerunning after the last photo can be undone by the rerun's redraw of the
    tabs; the condition, not the click, says the tab is open."""
    for _ in range(4):
        page.get_by_role("tab", name=name).click()
        try:
            expect(inside).to_be_visible(timeout=20_000)
            return
        except AssertionError:
            continue
    expect(inside).to_be_visible()


def _take_photo(page, expect, t: Words, label: str) -> None:
    """Take Photo on the camera labelled `label`, once its own video shows frames, and see the
    picture taken. A finished run's results draw the try-it camera last, after the mistakes'
    Grad-CAM: on a loaded machine a click aimed at "the last camera" landed, while that was
    still computing, on the dataset tab's camera or on a new camera without a frame yet, which
    captures nothing."""
    camera = page.get_by_test_id("stCameraInput").filter(has_text=label)
    expect(camera).to_have_count(1)
    expect(camera).to_be_visible()
    page.wait_for_function(
        "(v) => v.readyState >= 2 && v.videoWidth > 0",
        arg=camera.locator("video").element_handle(),
        timeout=120_000,
    )
    # Streamlit's own words: its frontend has no Korean, so they read the same in both flows.
    camera.get_by_role("button", name="Take Photo").click()
    expect(camera.get_by_role("button", name="Clear photo")).to_be_visible()


def _exclude_and_apply(page, expect, t: Words, place: str, shot: Path | None = None) -> None:
    """In the section `place` (fs: the suspects, cm_: a confusion cell), exclude the first
    image, see the edit's paired check, apply it and see the new version chosen."""
    first = page.locator(f"[class*='st-key-act_{place}']").first.get_by_role("combobox")
    first.scroll_into_view_if_needed()
    chromium.choose(page, expect, None, t("exclude"), re.compile(re.escape(t("exclude"))), first)
    expect(page.get_by_text(t.pattern("If applied: {check}"))).to_be_visible()
    if shot:
        first.scroll_into_view_if_needed()
        page.screenshot(path=str(shot))
    page.locator(f"[class*='st-key-apply_{place}'] button").click()
    made = t("Made a new version of the dataset; it is chosen now.")
    expect(page.get_by_text(re.compile("^" + re.escape(made)))).to_be_visible()


def _act_on_a_suspect(page, expect, t: Words) -> None:
    """The clearest likely label problem excluded: the runs below train on the new version."""
    _exclude_and_apply(page, expect, t, "fs_")


def _act_on_a_confusion_cell(page, expect, t: Words, shots: Path) -> None:
    """Click the last run's fullest confusion cell (a mistake's, where there is one), see its
    images, exclude the first and apply that as a new version of the dataset."""
    chart = page.locator(
        ".js-plotly-plot",
        has_text=t("Confusion matrix (validation): click a cell to see its images"),
    )
    chart.scroll_into_view_if_needed()
    labels = chart.locator(".heatmaplayer text")  # the counts, row by row (true class)
    counts = [int(v) for v in labels.all_text_contents()]
    n = round(len(counts) ** 0.5)
    off = [k for k in range(len(counts)) if k // n != k % n and counts[k]]
    cell = max(off or range(len(counts)), key=counts.__getitem__)
    box = labels.nth(cell).bounding_box()  # a click on the cell's centre selects its marker
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    chosen = t.pattern("true {true} → predicted {predicted} ({n})", n=str(counts[cell]))
    expect(page.get_by_role("combobox", name=t("Images of"))).to_have_value(chosen)
    _exclude_and_apply(page, expect, t, "cm_", shots / "confusion_cell.png")


def _compare(page, expect, t: Words, shots: Path) -> None:
    """Compare: both runs' curves."""
    from dashboard.compare.charts import LABELS

    page.get_by_role("link", name=t("Compare")).click()
    title = t("{metric} by {x_axis}").format(metric=t(LABELS["val_acc"]), x_axis=t("epoch"))
    expect(page.get_by_text(title)).to_be_visible()
    page.screenshot(path=str(shots / "compare.png"), full_page=True)
    expect(page.locator("text.legendtext", has_text="scratch").first).to_be_attached()
    legend = " | ".join(page.locator("text.legendtext").all_text_contents())
    assert "linear_head" in legend and "scratch" in legend, legend
    page.screenshot(path=str(shots / "compare.png"), full_page=True)
