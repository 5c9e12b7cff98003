"""A run's record in words: its status and the messages its trainer stores. The store keeps them
in English (data that every server and session shares); a page shows them in its reader's
language through `status_text` and `message_text`.

A message with values is stored as its template filled in (`SERVER_STOPPED.format(epochs=3)`);
`message_text` finds the template again, translates it and puts the same values back. Any
other message (an error's own words) is looked up as it is, and shown as it is when the
catalog does not know it.
"""

from __future__ import annotations

from dashboard.i18n import N_, StoredText, _
from dashboard.runs.record import RunStatus

STATUS_WORDS = {
    RunStatus.QUEUED: N_("queued"),
    RunStatus.RUNNING: N_("running"),
    RunStatus.FINISHED: N_("finished"),
    RunStatus.STOPPED: N_("stopped"),
    RunStatus.FAILED: N_("failed"),
    RunStatus.INTERRUPTED: N_("interrupted"),
}

# What trainers store as a run's message (English, filled with `.format`).
NOT_STARTED = N_("Stopped before it started.")
SERVER_STOPPED = N_("The server stopped after {epochs} epoch(s); they are kept.")
USER_STOPPED = N_("Stopped by the user after {epochs} epoch(s); they are kept.")
RAY_CANCELLED = N_("Stopped by the user; Ray cancelled its task. Finished epochs are kept.")
RAY_DIED = N_("The Ray worker training this run died ({error}); its finished epochs are kept.")
TRAINER_GONE = N_(
    "Its trainer went away before it finished (the server, a Ray worker or its node "
    "stopped); its epochs are kept."
)
CACHE_OFF = N_("Feature cache off: augmentation changes every image each epoch.")  # live only
CPU_DEVICE = N_("CPU ({cores} cores)")  # models.devices.CPU_NAME: a run's device, as stored
TEMPLATES = (SERVER_STOPPED, USER_STOPPED, RAY_DIED, CPU_DEVICE)


def status_text(status: RunStatus | str) -> str:
    """A status as a page shows it: "finished", "완료"."""
    words = STATUS_WORDS.get(status)
    return _(words) if words else str(status)


# A stored run message as a page shows it, in the reader's language where it is one of
# the trainers' sentences.
message_text = StoredText(TEMPLATES)
