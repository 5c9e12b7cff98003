"""Train page, a run that ended (finished, stopped or interrupted): train it N more epochs from
its last checkpoint, as a new run that continues its curve."""

from __future__ import annotations

import streamlit as st

from dashboard import glue, training
from dashboard.i18n import _
from dashboard.runs import RunStatus
from pages.widgets import session_keys

CONTINUABLE = (RunStatus.FINISHED, RunStatus.STOPPED, RunStatus.INTERRUPTED)


def keep_training(settings, run) -> None:
    if settings.readonly or run.status not in CONTINUABLE:
        return
    done = training.continuation.continued_epochs(settings, run.id)
    if done is None:  # trained before runs kept checkpoints
        return
    with st.expander(_("Keep training"), icon=":material/play_arrow:"):
        st.caption(
            _(
                "A new run goes on from this one's checkpoint after epoch {done}: its weights, "
                "its optimizer's state and its learning-rate schedule, the same images and "
                "settings. Its curve starts with this run's epochs."
            ).format(done=done)
        )
        a, b = st.columns([1, 2])
        more = a.number_input(_("More epochs"), 1, 500, 5, key=f"more_{run.id}")
        if b.button(_("Continue training"), key=f"continue_{run.id}", type="primary"):
            try:  # the settings are a database row's: data that may not make a config
                config = training.from_dict(run.config).with_(
                    epochs=done + int(more), resume_from=run.id
                )
            except (TypeError, ValueError):
                st.error(_("This run's settings cannot be read; it cannot be continued."))
                return
            child, _reused = glue.job_manager().submit(config, by=glue.user_name())
            st.session_state[session_keys.RUN] = child.id
            st.rerun()
