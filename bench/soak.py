"""A bounded soak: `python -m bench soak` (about 10 minutes on 2 cores; not in the test run).

The real server, with runs training and being stopped in it the whole time (bench/load_entry.py
with TLAB_BENCH_TRAIN=cycle: a run starts, trains a few seconds, is stopped, the next starts).
10 sessions rerun every page (Explore, Train, Compare) 50 times each: 500 reruns of each page.
Warm-up: one round of every page per session, and the first two training runs started and
stopped (the trainer's models, optimizers and traced functions, and the allocator's high-water
mark with them, settle after the first runs). Then it counts the
server's resident memory, threads and open file handles (/proc) with the cycle paused and no
run in flight, and halfway (runs training); after
the cycle stops, no run may be left "queued" or "running".

soak_rss_growth_mb: RSS at the end minus after warm-up. Goal <= 100.
soak_thread_growth, soak_fd_growth: the same for threads and file handles. Goal <= 5 each
  (a leak grows with the reruns and runs; a few come and go with the trainer's own work).
  Streamlit keeps a closed session (and its socket) for 2 minutes so that a browser can
  reconnect to it, so the last count waits that window out.
soak_runs_left_running: runs still "queued" or "running" after the cycle ended. Goal 0.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import tempfile
import time
from pathlib import Path

from bench.load import Server, open_session
from bench.timing import figure

SESSIONS = 10
RERUNS_PER_PAGE = 500
PAGES = ("explore", "train", "compare")
WARMUP_RUNS = 2
SETTLE_S = 5.0
RECONNECT_WINDOW_S = 125.0  # Streamlit's MemorySessionStorage keeps closed sessions 120 s


def counts(server: Server) -> dict[str, float]:
    time.sleep(SETTLE_S)  # closed sessions' sockets are released by the server shortly after
    pid = server.proc.pid
    return {
        "rss_mb": server.rss_mb(),
        "threads": len(list(Path(f"/proc/{pid}/task").iterdir())),
        "fds": len(list(Path(f"/proc/{pid}/fd").iterdir())),
    }


async def rounds(port: int, n_rounds: int) -> int:
    """Each of the sessions reruns every page `n_rounds` times; returns the reruns done."""
    sessions = await asyncio.gather(*(open_session(port) for _ in range(SESSIONS)))
    try:

        async def one(session) -> int:
            done = 0
            for _ in range(n_rounds):
                for page in PAGES:
                    await session.run(session.pages[page])
                    done += 1
            return done

        return sum(await asyncio.gather(*(one(s) for s in sessions)))
    finally:
        await asyncio.gather(*(s.close() for s in sessions), return_exceptions=True)


def runs_ended(home: Path) -> int:
    try:
        with sqlite3.connect(home / "runs.db") as db:
            query = "SELECT COUNT(*) FROM runs WHERE status NOT IN ('queued', 'running')"
            return db.execute(query).fetchone()[0]
    except sqlite3.Error:
        return 0


def fd_kinds(server: Server) -> dict[str, int]:
    """Open file handles by what they point at (file suffix, socket, pipe...)."""
    kinds: dict[str, int] = {}
    for fd in Path(f"/proc/{server.proc.pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        kind = target.split(":")[0] if ":" in target else Path(target).suffix or target
        kinds[kind] = kinds.get(kind, 0) + 1
    return kinds


async def settled(server: Server, home: Path) -> tuple[dict, dict]:
    """Counts with no run in flight (the cycle pauses) once closed sessions have left
    Streamlit's reconnect window. Expired sessions go when another session is saved, so one
    session connects and closes first; its own three handles are in both counts alike."""
    pause = home / "pause-cycle"
    pause.touch()
    try:
        while left_running(home):
            await asyncio.sleep(1)
        await asyncio.sleep(RECONNECT_WINDOW_S)
        session = await open_session(server.port)
        await session.close()
        return counts(server), fd_kinds(server)
    finally:
        pause.unlink()


def left_running(home: Path) -> int:
    with sqlite3.connect(home / "runs.db") as db:
        rows = db.execute("SELECT COUNT(*) FROM runs WHERE status IN ('queued', 'running')")
        return rows.fetchone()[0]


def run() -> list[dict]:
    per_session = RERUNS_PER_PAGE // SESSIONS
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        server = Server(home, train="cycle")
        try:
            asyncio.run(rounds(server.port, 1))  # warm-up: every page once per session
            while runs_ended(home) < WARMUP_RUNS:  # ... and the first runs trained and stopped
                time.sleep(1)
            before, kinds_before = asyncio.run(settled(server, home))
            started = time.perf_counter()
            half = (per_session - 1) // 2
            reruns = asyncio.run(rounds(server.port, half))
            middle = counts(server)
            reruns += asyncio.run(rounds(server.port, per_session - 1 - half))
            seconds = time.perf_counter() - started
            after, kinds_after = asyncio.run(settled(server, home))
            (home / "stop-cycle").touch()  # the entry stops its cycle and the last run
            time.sleep(15)
            stuck = left_running(home)
            with sqlite3.connect(home / "runs.db") as db:
                n_runs = db.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
        finally:
            server.stop()
    print(
        f"# soak: {reruns} reruns in {seconds:.0f} s across {SESSIONS} sessions, {n_runs} runs "
        f"started and stopped; after warm-up {before}, halfway {middle}, at the end {after}"
    )
    grown = {k: kinds_after.get(k, 0) - kinds_before.get(k, 0) for k in kinds_after}
    print(f"# file handles that grew, by kind: { {k: v for k, v in grown.items() if v} }")
    return [
        figure("soak_rss_growth_mb", [after["rss_mb"] - before["rss_mb"]], "<= 100"),
        figure("soak_thread_growth", [after["threads"] - before["threads"]], "<= 5"),
        figure("soak_fd_growth", [after["fds"] - before["fds"]], "<= 5"),
        figure("soak_runs_left_running", [stuck], "== 0", runs=n_runs),
    ]
