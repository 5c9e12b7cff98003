"""One way to run long work on a page: a progress bar while it runs, a message instead of a
traceback when it fails, and nothing left on the page afterwards."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

import streamlit as st

from dashboard.datasets import DatasetError
from dashboard.progress import Progress
from models.weights import WeightsUnavailable

log = logging.getLogger(__name__)
T = TypeVar("T")
EXPECTED = (WeightsUnavailable, DatasetError)  # bad input, missing weights: their own words


def with_progress(
    label: str,
    work: Callable[[Progress], T],
    failed: str | None = None,
    explain: Callable[[Exception], str] = str,
    expected: tuple[type[Exception], ...] = EXPECTED,
) -> T | None:
    """`work(say)` under a bar that starts at `label`; its result, or None when it failed.

    An `expected` error shows `explain(error)`. Any other shows `failed` (a sentence with
    `{error}` where the error's type and message go) and the log keeps its traceback; without
    `failed` it goes on up (the entry script shows "busy" for `glue.Busy`)."""
    bar = st.progress(0.0, text=label)
    try:
        return work(lambda fraction, text: bar.progress(min(fraction, 1.0), text=text))
    except expected as exc:
        st.error(explain(exc))
    except Exception as exc:
        if failed is None:
            raise
        log.exception("%s failed", label)
        st.error(failed.format(error=f"{type(exc).__name__}: {exc}"))
    finally:
        bar.empty()
    return None
