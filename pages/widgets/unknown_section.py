"""Train page, a finished run: what it calls "none of these" (its unknown rule and the
validation images the rule rejects) and how its probabilities were calibrated."""

from __future__ import annotations

import streamlit as st

from dashboard import glue, text, training
from dashboard.i18n import _
from dashboard.runs import Run

SHOWN = 8  # rejected images drawn, the farthest first


def none_of_these(settings, manifest, run: Run) -> None:
    c = run.results.calibration
    with st.expander(_("None of these: images of no class"), icon=":material/help:"):
        st.write(training.model_card.unknown_sentence(c))
        if c is None:
            return
        st.caption(training.model_card.calibration_sentence(c))
        found = training.results.rejected(settings, run, manifest) or []
        total = len(manifest.records("val"))
        if not found:
            st.caption(_("It accepts every validation image."))
            return
        st.caption(
            _("The validation images it calls none of these: {n} of {total}.").format(
                n=len(found), total=total
            )
        )
        cols = st.columns(4)
        for i, r in enumerate(found[:SHOWN]):
            col = cols[i % 4]
            col.image(glue.record_thumbnail(manifest.home(r.record), r.record.file))
            col.caption(
                _("{cls}, score {score:.3f}").format(
                    cls=text.markdown_text(r.record.cls), score=r.score
                )
            )
