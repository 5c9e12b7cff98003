"""The one shape of progress a service reports to a page: `say(fraction, text)`, the fraction
of the work done (0 to 1) and a sentence for the bar. A page hands one to any long call
(`pages/widgets/progress.py` draws it); services split theirs with `part` and count images or
steps with `counting`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from dashboard.i18n import _


class Progress(Protocol):
    def __call__(self, fraction: float, text: str) -> None: ...


def silent(fraction: float, text: str) -> None:
    """For a caller that shows no progress."""


def part(say: Progress, start: float, span: float) -> Progress:
    """A sub-task's progress as the stretch [start, start + span] of the whole."""
    return lambda fraction, text: say(start + span * fraction, text)


def counting(
    say: Progress, total: int, what: str, unit: str | None = None
) -> Callable[[int], None]:
    """`done -> say(done / total, "what: done/total unit")`, for a pass that counts. `what` and
    `unit` (default "images") come in the reader's language; the sentence is made in it when
    the counting starts, whichever thread counts."""
    sentence = _("{what}: {done}/{total} {unit}")
    unit = _("images") if unit is None else unit
    return lambda done: say(
        done / max(total, 1), sentence.format(what=what, done=done, total=total, unit=unit)
    )
