"""What an operator uses to see inside a running server."""

from __future__ import annotations


def enable_stack_dumps() -> None:
    """`kill -USR1 <server pid>` writes every thread's Python stack to the server's stderr: the
    way to see where a run that seems stuck is waiting, without stopping it."""
    import faulthandler
    import signal

    if hasattr(signal, "SIGUSR1"):  # not on Windows
        faulthandler.register(signal.SIGUSR1, all_threads=True)
