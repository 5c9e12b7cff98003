"""Debian's Chromium for the browser tests, driven by Playwright (which cannot download its
own browsers here)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
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
