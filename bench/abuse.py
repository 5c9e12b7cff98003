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
import urllib.request
import uuid
from pathlib import Path

from bench.load import FINISHED, TIMEOUT_S, Server, connect, top5_chart
from bench.timing import figure

SESSIONS = 32
SIDE = 6000


def picture(seed: int) -> bytes:
    """A distinct, flat PNG: tiny on disk, SIDE x SIDE px decoded."""
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (SIDE, SIDE), (seed * 7 % 256, seed * 13 % 256, 90)).save(buf, "PNG")
    return buf.getvalue()


def xsrf_cookie(port: int) -> str:
    """The XSRF cookie the health check sets, as the browser gets it before uploading."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health") as response:
        for header in response.headers.get_all("Set-Cookie") or []:
            if header.startswith("_streamlit_xsrf="):
                return header.split(";", 1)[0].split("=", 1)[1]
    return ""


def put_file(url: str, name: str, data: bytes, cookie: str) -> None:
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: image/png\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(url, data=body, method="PUT")
    request.add_header("Content-Type", f"multipart/form-data; boundary={boundary}")
    if cookie:
        request.add_header("X-Xsrftoken", cookie)
        request.add_header("Cookie", f"_streamlit_xsrf={cookie}")
    urllib.request.urlopen(request, timeout=TIMEOUT_S).close()


async def abuser(port: int, seed: int, cookie: str) -> str:
    """One session: Explore, upload its picture, wait for the answer ("top5" or "busy")."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    session = await connect(port)
    found: dict = {}

    async def read(stop) -> ForwardMsg:
        while True:
            message = ForwardMsg()
            message.ParseFromString(await session.ws.recv())
            kind = message.WhichOneof("type")
            if kind == "new_session":
                found["session"] = message.new_session.initialize.session_id
            elif kind == "delta":
                _remember(message.delta.new_element, found)
            if stop(message, kind):
                return message

    async def run(states=(), stop=_finished) -> ForwardMsg:
        request = BackMsg()
        request.rerun_script.query_string = ""
        request.rerun_script.widget_states.widgets.extend(states)
        await session.ws.send(request.SerializeToString())
        return await read(stop)

    try:
        await run()
        radio = _state(found["radio"], string_value="Upload")
        await run([radio])
        await session.ws.send(_ask_for_url(found["session"], seed).SerializeToString())
        reply = await read(lambda message, kind: kind == "file_urls_response")
        upload = await _upload(port, reply.file_urls_response.file_urls[0], found, seed, cookie)
        answer = await run([radio, upload], stop=_answered)
        if answer.WhichOneof("type") != "delta":
            return "none"
        return "top5" if top5_chart(answer.delta.new_element) else "busy"
    finally:
        await session.close()


def _ask_for_url(session_id: str, seed: int):
    from streamlit.proto.BackMsg_pb2 import BackMsg

    ask = BackMsg()
    ask.file_urls_request.request_id = uuid.uuid4().hex
    ask.file_urls_request.file_names.append(f"huge-{seed}.png")
    ask.file_urls_request.session_id = session_id
    return ask


async def _upload(port: int, urls, found: dict, seed: int, cookie: str):
    """PUT the picture where the server said; the uploader's state that names it."""
    data, name = picture(seed), f"huge-{seed}.png"
    url = f"http://127.0.0.1:{port}{urls.upload_url}"  # the server answers with a path
    await asyncio.to_thread(put_file, url, name, data, cookie)
    upload = _state(found["uploader"])
    info = upload.file_uploader_state_value.uploaded_file_info.add()
    info.file_id, info.name, info.size = urls.file_id, name, len(data)
    info.file_urls.CopyFrom(urls)
    return upload


def _finished(message, kind: str) -> bool:
    """A run that ended (not one that stopped early to rerun: the entry's first run does)."""
    return kind == "script_finished" and message.script_finished in FINISHED


def _answered(message, kind: str) -> bool:
    """The Top-5 chart or the busy message, or the end of the run without either."""
    if kind != "delta":
        return _finished(message, kind)
    element = message.delta.new_element
    busy = element.WhichOneof("type") == "alert" and "busy" in element.alert.body
    return busy or top5_chart(element)


def _remember(element, found: dict) -> None:
    kind = element.WhichOneof("type")
    if kind == "radio" and element.radio.label == "Image":
        found["radio"] = element.radio.id
    elif kind == "file_uploader":
        found["uploader"] = element.file_uploader.id


def _state(widget_id: str, **value):
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    return WidgetState(id=widget_id, **value)


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
