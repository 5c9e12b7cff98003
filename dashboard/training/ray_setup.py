"""Ray's process environment, set before Ray is first imported (Ray reads these at import).

- No usage statistics: nothing leaves the machine.
- A cluster on this machine (no address, or a loopback one) stays on loopback: Ray otherwise
  replaces 127.0.0.1 by the machine's network address so that other machines can join; its
  switch for one-machine clusters keeps every node on 127.0.0.1.
- An explicit address with a token on disk: the documented `ray start` runs with token
  authentication (RAY_AUTH_MODE=token, the token in ~/.ray/auth_token: docs/team.md), and
  Ray's client sends the token to an explicit address only when told to, which this does.
"""

from __future__ import annotations

import os
from pathlib import Path

from dashboard.settings import Settings


def prepare(settings: Settings) -> None:
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    if on_this_machine(settings.ray_address):
        os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
    if settings.ray_address and (os.environ.get("RAY_AUTH_TOKEN") or token_file().is_file()):
        os.environ.setdefault("RAY_AUTH_MODE", "token")


def token_file() -> Path:
    return Path(os.environ.get("RAY_AUTH_TOKEN_PATH") or Path.home() / ".ray" / "auth_token")


def on_this_machine(address: str | None) -> bool:
    """No address (a local cluster) or a loopback one."""
    host = (address or "127.0.0.1").removeprefix("ray://").rsplit(":", 1)[0]
    return host in ("127.0.0.1", "localhost", "::1", "[::1]")
