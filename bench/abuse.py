"""Viewers who try to exhaust the server: `python -m bench abuse`.

The real server (`streamlit run`, as `bench load` starts it) and 32 sessions at once, each
uploading a distinct image to Explore that is a small file and a huge picture: a PNG of
6,000 x 6,000 px (about 0.1 MB, 108 MB once decoded in full). Each session speaks Streamlit's
own protocol as the browser does: it switches the sidebar to "Upload", asks the server for an
upload URL, PUTs the file over HTTP (with the XSRF cookie and header, as the browser sends
them), and reruns with the uploader's state.

abuse_rss_growth_mb: the server's peak RSS while the 32 sessions are answered (sampled every
  0.2 s) minus its RSS after one warm-up session viewed a sample photo. Goal <= 1024.
abuse_answered: sessions that got an answer (the Top-5 chart, or the "busy, try again"
  message) out of 32. Goal: 32.
"""

from __future__ import annotations

import asyncio
import io
import tempfile
import threading
import time
from pathlib import Path

from bench.load import TIMEOUT_S, Server
from bench.timing import figure
from bench.uploads import upload_and_answer, xsrf_cookie

SESSIONS = 32
SIDE = 6000


def picture(seed: int) -> bytes:
    """A distinct, flat PNG: tiny on disk, SIDE x SIDE px decoded."""
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (SIDE, SIDE), (seed * 7 % 256, seed * 13 % 256, 90)).save(buf, "PNG")
    return buf.getvalue()


async def abuser(port: int, seed: int, cookie: str) -> str:
    """One session: Explore, upload its picture, wait for the answer ("top5" or "busy")."""
    return await upload_and_answer(port, f"huge-{seed}.png", picture(seed), cookie)


def room(server: Server) -> tuple[list[str], float]:
    """(each session's answer, the server's peak RSS while they were answered)."""
    peak, done = [server.rss_mb()], threading.Event()

    def sample() -> None:
        while not done.wait(0.2):
            peak.append(server.rss_mb())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    cookie = xsrf_cookie(server.port)

    async def all_of_them():
        jobs = (abuser(server.port, seed, cookie) for seed in range(SESSIONS))
        return await asyncio.wait_for(asyncio.gather(*jobs, return_exceptions=True), TIMEOUT_S)

    try:
        answers = asyncio.run(all_of_them())
    finally:
        done.set()
        sampler.join()
    return [a if isinstance(a, str) else f"error {type(a).__name__}" for a in answers], max(peak)


def run() -> list[dict]:
    from bench.load import room as viewers

    with tempfile.TemporaryDirectory() as tmp:
        server = Server(Path(tmp))
        try:
            asyncio.run(viewers(server.port, 1, server))  # warm: TensorFlow, the model
            time.sleep(2)
            base = server.rss_mb()
            answers, peak = room(server)
        finally:
            server.stop()
    counts = {a: answers.count(a) for a in sorted(set(answers))}
    print(f"# abuse: {SESSIONS} sessions, answers {counts}, RSS {base:.0f} -> peak {peak:.0f} MB")
    answered = sum(a in ("top5", "busy") for a in answers)
    return [
        figure("abuse_rss_growth_mb", [peak - base], "<= 1024", base_mb=round(base)),
        figure("abuse_answered", [answered], f"== {SESSIONS}", **counts),
    ]
