"""Who trains a run: a process named host:pid, alive by its process id on this machine and by
its heartbeat on another (several servers sharing one run store)."""

from __future__ import annotations

import os
import socket
import time


def owner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


STALE_S = 60.0  # a trainer beats every few seconds; a minute without one means it is gone


def trainer_alive(run) -> bool:
    """Whether the process that owns an active run still lives: by its process id on this
    machine, by its heartbeat on another."""
    host = run.owner.rpartition(":")[0]
    if host == socket.gethostname():
        return _process_alive(run.owner)
    return run.heartbeat is not None and time.time() - run.heartbeat < STALE_S


def _process_alive(owner: str) -> bool:
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
