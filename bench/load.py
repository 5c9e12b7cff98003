"""A demo room: the real server under N concurrent viewers of Explore, each with its own photo.

`python -m bench load` starts `streamlit run` on a free port with the shared MobileNet weights
(TLAB_WEIGHTS_DIR, else ../shared/keras-weights), warms it with one viewer, then opens N
sessions at once for N = 1, 8, 32. Each session is a lightweight client that speaks
Streamlit's own protocol over its websocket, as the browser does (a `BackMsg` asking to run the
script, `ForwardMsg`s back), with no browser: the figure is the server's, not the clients'.
Each session uploads a photo of its own (a 640x480 JPEG the server has not seen: since issue
25, so the figure includes the work per input; before, every session viewed the same cached
sample) through the sidebar's uploader (`bench/uploads.py`). Time to predictions: from opening
the websocket to receiving the Top-5 chart; a session may instead be told "busy, try again"
(the app's gate on heavy work), counted and printed. Server RSS is read from /proc while the
N sessions are open.

load_p95_32_vs_1: p95 time to predictions with 32 sessions over one session alone (medians of
  5 single sessions). Goal <= 4.
plain_keras_app_p95_32_vs_1: the same for plain Streamlit with plain Keras (bench/plain_app.py:
  the elements the Predictions view sends, the upload decoded and classified by the same
  model, no app behind them).
load_p95_32_vs_plain: the app's p95 at 32 sessions over that plain app's. Goal <= 1.3.
rss_per_session_mb: (server RSS with 32 sessions open - with 1) / 31. Goal <= 15.
load_p95_8_training_vs_idle: p95 with 8 sessions while a full fine-tune trains in the same
  server, over the same without. Goal <= 2.
"""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.timing import figure

ROOT = Path(__file__).resolve().parents[1]
SHARED_WEIGHTS = ROOT.parent / "shared" / "keras-weights"
SESSIONS = (1, 8, 32)
TIMEOUT_S = 600.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`streamlit run` of the app (or of the entry that also trains) in a child process."""

    def __init__(
        self, home: Path, train: str = "", plain: bool = False, launcher: bool = False, settle=2.0
    ):
        self.port = free_port()
        weights = os.environ.get("TLAB_WEIGHTS_DIR") or str(SHARED_WEIGHTS)
        env = dict(os.environ, TLAB_HOME=str(home), TLAB_WEIGHTS_DIR=weights, TLAB_OFFLINE="1")
        env.update(PYTHONPATH=str(ROOT), TF_CPP_MIN_LOG_LEVEL="3")
        if train:
            env["TLAB_BENCH_TRAIN"] = train  # "1": one long run; "cycle": start, stop, repeat
        entry = ROOT / ("bench/load_entry.py" if train else "streamlit_app.py")
        if plain:
            entry = ROOT / "bench/plain_app.py"
        self.log = open(home / "server.log", "w")  # noqa: SIM115 (closed in stop)
        # launcher: the README's `python -m dashboard` (its default model warming up from the
        # start) instead of `streamlit run streamlit_app.py`.
        command = ["-m", "dashboard"] if launcher else ["-m", "streamlit", "run", str(entry)]
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            [
                sys.executable,
                *command,
                "--server.port",
                str(self.port),
                "--server.headless",
                "true",
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.wait_until_healthy(settle)

    def wait_until_healthy(self, settle: float, timeout: float = 120.0) -> None:
        import urllib.request

        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/_stcore/health") as r:
                    if r.status == 200:
                        time.sleep(settle)  # the server's own start-up work is done
                        return
            except OSError:
                time.sleep(0.5)
        raise RuntimeError("the server did not start")

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


class Session:
    """One viewer over Streamlit's websocket protocol, as the browser speaks it: a `BackMsg`
    asks for a script run (of a page, by its hash), `ForwardMsg`s come back."""

    def __init__(self, ws):
        self.ws, self.pages = ws, {}

    async def run(self, page_hash: str = "", until=None) -> float:
        """Seconds until `until(element)` holds for a new element, or until the run ends."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        started = time.perf_counter()
        request = BackMsg()
        request.rerun_script.query_string = ""
        request.rerun_script.page_script_hash = page_hash
        await self.ws.send(request.SerializeToString())
        while True:
            message = ForwardMsg()
            message.ParseFromString(await self.ws.recv())
            kind = message.WhichOneof("type")
            if kind == "navigation":
                pages = message.navigation.app_pages
                self.pages = {p.page_name.lower(): p.page_script_hash for p in pages}
            elif self._done(message, kind, until):
                return time.perf_counter() - started

    @staticmethod
    def _done(message, kind: str, until) -> bool:
        if until:
            return kind == "delta" and until(message.delta.new_element)
        return kind == "script_finished" and message.script_finished in FINISHED

    async def close(self) -> None:
        await self.ws.close()


FINISHED = (0, 3)  # FINISHED_SUCCESSFULLY, FINISHED_FRAGMENT_RUN_SUCCESSFULLY


async def connect(port: int) -> Session:
    """A new session on the server's websocket, as a browser tab opens one."""
    import websockets

    ws = await websockets.connect(
        f"ws://127.0.0.1:{port}/_stcore/stream",
        subprotocols=["streamlit"],
        max_size=None,
        open_timeout=TIMEOUT_S,
    )
    return Session(ws)


async def open_session(port: int) -> Session:
    """A connected session whose first run (the default page) has finished."""
    session = await connect(port)
    await session.run()
    return session


def top5_chart(element) -> bool:
    return element.WhichOneof("type") == "plotly_chart" and "Top-5" in element.plotly_chart.spec


async def viewer(port: int, opened: list) -> float:
    """One new viewer of Explore: seconds from connecting to the Top-5 chart. The session stays
    open (appended to `opened`) so that the server holds it while the others run."""
    started = time.perf_counter()
    session = await connect(port)
    opened.append(session)
    await session.run(until=top5_chart)
    return time.perf_counter() - started


async def uploader(port: int, opened: list, seed: int, cookie: str) -> tuple[float, str]:
    """One new viewer of Explore who uploads a photo of its own (a 640x480 JPEG no one sent
    before): (seconds from connecting to the Top-5 chart, "top5", "busy" or "none")."""
    from bench.loader import photo
    from bench.uploads import upload_and_answer

    started = time.perf_counter()
    answer = await upload_and_answer(
        port, f"photo-{seed}.jpg", photo(seed, (640, 480)), cookie, opened
    )
    return time.perf_counter() - started, answer


async def room(port: int, n: int, server: Server, first_seed: int = 0) -> tuple[list, float]:
    """n sessions opened at once, each uploading its own photo: ([(seconds to predictions,
    answer)], server RSS with all of them open)."""
    from bench.uploads import xsrf_cookie

    opened: list = []
    cookie = xsrf_cookie(port)
    try:
        views = (uploader(port, opened, first_seed + i, cookie) for i in range(n))
        times = await asyncio.wait_for(asyncio.gather(*views), TIMEOUT_S)
        return list(times), server.rss_mb()
    finally:
        await asyncio.gather(*(s.close() for s in opened), return_exceptions=True)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def measure(train: bool = False, sizes=SESSIONS, plain: bool = False) -> dict:
    """Each room's seconds to predictions (each session its own new photo), answers and RSS."""
    seeds = iter(range(0, 10**6, 1000))  # every room's photos are new to the server
    with tempfile.TemporaryDirectory() as tmp:
        server = Server(Path(tmp), train="1" if train else "", plain=plain)
        try:
            asyncio.run(room(server.port, 1, server, next(seeds)))  # warm: TensorFlow, the model
            if train:
                time.sleep(20)  # the run is past building its model and training
            singles = [asyncio.run(room(server.port, 1, server, next(seeds))) for _ in range(5)]
            out = {"single": [t for (views, _) in singles for t, _ in views]}
            out["rss_1"] = statistics.median(rss for _, rss in singles)
            for n in sizes:
                views, rss = asyncio.run(room(server.port, n, server, next(seeds)))
                out[n], out[f"rss_{n}"] = [t for t, _ in views], rss
                out[f"answers_{n}"] = [a for _, a in views]
                answers = {
                    a: out[f"answers_{n}"].count(a) for a in sorted(set(out[f"answers_{n}"]))
                }
                what = "plain Streamlit + Keras, " if plain else "training, " if train else ""
                print(
                    f"# {what}{n} sessions: median {statistics.median(out[n]):.2f} s, p95 "
                    f"{p95(out[n]):.2f} s, answers {answers}, server RSS {rss:.0f} MB",
                    flush=True,
                )
        finally:
            server.stop()
    return out


def run() -> list[dict]:
    idle = measure()
    plain = measure(sizes=(32,), plain=True)
    busy = measure(train=True, sizes=(8,))
    single = statistics.median(idle["single"])
    plain_single = statistics.median(plain["single"])
    print(f"# one session alone: {single:.3f} s (median of 5), server RSS {idle['rss_1']:.0f} MB")
    print(f"# plain Streamlit + Keras, one session alone: {plain_single:.3f} s (median of 5)")
    per_session = (idle["rss_32"] - idle["rss_1"]) / 31
    busy_32 = idle["answers_32"].count("busy")
    return [
        figure(
            "load_p95_32_vs_1",
            [p95(idle[32]) / single],
            "<= 4",
            p95_s=round(p95(idle[32]), 2),
            busy=busy_32,
        ),
        figure(
            "plain_keras_app_p95_32_vs_1",
            [p95(plain[32]) / plain_single],
            "info: the floor of a Streamlit page doing this work on this machine",
            p95_s=round(p95(plain[32]), 3),
        ),
        figure("load_p95_32_vs_plain", [p95(idle[32]) / p95(plain[32])], "<= 1.3"),
        figure("load_p95_8_vs_1", [p95(idle[8]) / single], "info"),
        figure("rss_per_session_mb", [per_session], "<= 15", rss_32=round(idle["rss_32"])),
        figure("load_p95_8_training_vs_idle", [p95(busy[8]) / p95(idle[8])], "<= 2"),
    ]
