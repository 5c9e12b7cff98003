"""Who may change things, once people sign in (Streamlit's `st.login`, OpenID Connect).

With sign-in configured (`[auth]` in `.streamlit/secrets.toml`), everyone signs in, and only
editors may upload, train, stop, rename and delete; everyone else sees the app read-only, as
on a demo server. Editors are listed in `[tlab] editors`: an e-mail address, or `claim=value`
for a claim of the identity token (`groups=tlab-editors` matches a `groups` claim that is, or
contains, `tlab-editors`). Without sign-in configured, the one local user edits, as before.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def is_editor(claims: Mapping, editors: Sequence[str]) -> bool:
    """Whether a signed-in user (their token's claims) is one of `editors`."""
    email = str(claims.get("email") or "").strip().lower()
    for entry in editors:
        name, is_claim, value = str(entry).partition("=")
        if is_claim and _claim_has(claims.get(name.strip()), value.strip()):
            return True
        if not is_claim and email and entry.strip().lower() == email:
            return True
    return False


def _claim_has(claim: object, value: str) -> bool:
    if isinstance(claim, list | tuple):
        return value in [str(c) for c in claim]
    return claim is not None and str(claim) == value
