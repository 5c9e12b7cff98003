"""Acting on what the app finds: per image keep, exclude or relabel, the paired check of what
the edit does (before and after it is applied), and one click to apply it as a new version."""

from __future__ import annotations

import streamlit as st

from dashboard import datasets, glue, probes, text
from dashboard.i18n import N_, _, number
from dashboard.settings import ReadOnlyError
from models.weights import WeightsUnavailable
from pages.widgets import session_keys

KEEP, EXCLUDE = "keep", "exclude"  # an action: these two, or a class to relabel to
APPLIED = "applied_edit"  # session: (new version id, its paired check) to show after a rerun


def action_box(manifest, record, label: str, suggested: str | None = None, place="fs") -> str:
    """One image's action, a selectbox: keep, exclude, or relabel to another class. `place`
    names the section it is in (an image can be in the suspects and in a confusion cell)."""
    options = [KEEP, EXCLUDE, *(c for c in manifest.classes if c != record.cls)]
    words = {KEEP: _("keep"), EXCLUDE: _("exclude")}  # made here, in this run's language
    words |= {o: _("relabel to {cls}").format(cls=o) for o in options[2:]}
    return st.selectbox(
        text.markdown_text(label),  # file and class names from an upload: shown as typed
        options,
        key=f"act_{place}_{manifest.id}_{record.sha}",
        format_func=words.get,
        help=_("Suggested: relabel to {cls}").format(cls=suggested) if suggested else None,
    )


def edit_from(manifest, actions: dict[str, str]) -> datasets.Edit:
    """sha -> action as a dataset edit."""
    edit = datasets.Edit()
    for sha, action in actions.items():
        if action == EXCLUDE:
            edit.exclude.add(sha)
        elif action != KEEP:
            edit.relabel[sha] = action
    return edit


def check_text(check: probes.PairedResult) -> str:
    """ "+4.5 points, 95% CI +1.2 to +7.8 over 5 folds", and what it means."""
    figure = _("{gain} points, 95% CI {low} to {high} over {folds} folds").format(
        gain=signed(check.gain),
        low=signed(check.low),
        high=signed(check.high),
        folds=check.folds,
    )
    if check.within_noise:
        verdict = _("within noise: this check cannot tell whether it helps.")
    elif check.gain > 0:
        verdict = _("it helps.")
    else:
        verdict = _("it hurts.")
    return f"{figure}: {verdict}"


def signed(value: float) -> str:
    """ "+4.5", "−1.2", "±0.0": a change in points, its sign always shown."""
    text = number(abs(value), 1)
    return ("+" if value > 0 else "−" if value < 0 else "±") + text


CHECK_HELP = N_(
    "A linear probe on the cached pretrained features, trained on the same 5 folds with the old "
    "labels and with the new ones, both scored on the held-out images against the new labels: "
    "the accuracy the edit buys, fold by fold, with a 95% interval."
)


def apply_panel(settings, manifest, backbone: str, edit: datasets.Edit, place="fs") -> None:
    """The edit's size, its paired check, and the button that makes it a new version."""
    if not edit:
        st.caption(_("Choose a change above to make a new version."))
        return
    st.markdown(
        _("**Your edit**: {relabel} relabelled, {exclude} excluded.").format(
            relabel=len(edit.relabel), exclude=len(edit.exclude)
        )
    )
    check = _paired_check(manifest, backbone, edit)
    if check is not None:
        st.info(_("If applied: {check}").format(check=check_text(check)), icon=":material/balance:")
        st.caption(_(CHECK_HELP))
    if settings.readonly:
        st.caption(_("A read-only server makes no versions."))
        return
    if st.button(_("Apply as a new version"), key=f"apply_{place}_{manifest.id}", type="primary"):
        apply_edit(settings, manifest, edit, check)


def _paired_check(manifest, backbone, edit) -> probes.PairedResult | None:
    try:
        relabel, exclude = tuple(sorted(edit.relabel.items())), tuple(sorted(edit.exclude))
        check = glue.paired_check(manifest.id, backbone, relabel, exclude)
    except (ReadOnlyError, WeightsUnavailable, datasets.DatasetError) as exc:
        st.caption(_("No check of the edit: {error}").format(error=exc))
        return None
    if check is None:
        st.caption(_("Too few images per class for a 2-fold check."))
    return check


def apply_edit(settings, manifest, edit, check=None) -> None:
    """Make the edit a new version and choose it (a message instead, when it does not hold)."""
    try:
        version, reused = datasets.new_version(settings, manifest, edit, glue.user_name())
    except datasets.DatasetError as exc:
        st.error(str(exc))
        return
    st.session_state[APPLIED] = (version.id, check, reused)
    st.session_state[session_keys.DATASET] = version.id
    st.rerun()


def _show_applied(manifest) -> None:
    """After the apply: the new version, with the check measured before it was made."""
    applied = st.session_state.get(APPLIED)
    if not applied or applied[0] != manifest.id:
        return
    check, reused = applied[1:]
    text = (
        _("This version existed already and is chosen now.")
        if reused
        else _("Made a new version of the dataset; it is chosen now.")
    )
    if check is not None:
        text += " " + _("The edit's check: {check}").format(check=check_text(check))
    st.success(text)


def lineage(settings, manifest) -> None:
    """Where this version comes from and what each step changed; the versions made from it
    (and, just after an apply, the check measured before the version was made)."""
    _show_applied(manifest)
    line, children = datasets.versions_of(settings, manifest)
    if len(line) == 1 and not children:
        return
    with st.expander(_("Versions ({n})").format(n=len(line) + len(children))):
        rows = [_version_row(m, manifest) for m in line + children]
        st.dataframe(rows, hide_index=True, width="stretch")


def _version_row(m, current) -> dict:
    c = m.changes
    return {
        _("version"): m.id,
        _("this one"): "◀" if m.id == current.id else "",
        _("made from"): m.parent,
        _("images"): len(m.images),
        _("relabelled"): len(c.moved),
        _("excluded"): len(c.left),
        _("added"): len(c.came),
    }
