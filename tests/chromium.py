"""Debian's Chromium for the browser tests, driven by Playwright (which cannot download its
own browsers here)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
FAKE_CAMERA = ("--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def skip_or_fail(reason: str):
    """A skip on a machine without a browser; a failure in CI, which installs one."""
    if os.environ.get("CI"):
        pytest.fail(f"browser test cannot run in CI: {reason}")
    print(f"skipping the browser test: {reason}")
    pytest.skip(reason)


def require() -> None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        skip_or_fail("playwright is not installed (pip install -r requirements-dev.txt)")
    if not CHROMIUM.exists():
        skip_or_fail(f"no browser at {CHROMIUM} (apt-get install chromium)")


def launch(playwright, extra_args: tuple[str, ...] = ()):
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=[*ARGS, *extra_args])


def choose(page, expect, name: str | None, typed: str, option, box=None) -> None:
    """Pick an option of Streamlit's selectbox `name` (or the combobox locator `box`): type to
    filter, then click the option matching `option` (a regex) once the list shows it. Typing
    and pressing Enter raced the list opening on a loaded machine and left the box
    unchanged."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    box = box if box is not None else page.get_by_role("combobox", name=name)
    for _ in range(3):
        box.click()
        page.keyboard.type(typed)
        try:
            page.get_by_role("option", name=option).first.click(timeout=20_000)
            break
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    expect(box).to_have_value(option)
