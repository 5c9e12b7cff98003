"""A viewer that uploads its own picture to a page, over Streamlit's own protocol, as the
browser does: it switches the sidebar's "Image" radio to "Upload", asks the server for an
upload URL, PUTs the file over HTTP (with the XSRF cookie and header, as the browser sends
them), and reruns with the uploader's state. Used by `bench load` (each viewer its own photo)
and `bench abuse` (each its own huge PNG)."""

from __future__ import annotations

import asyncio
import urllib.request
import uuid

from bench.load import FINISHED, TIMEOUT_S, connect, top5_chart


def xsrf_cookie(port: int) -> str:
    """The XSRF cookie the health check sets, as the browser gets it before uploading."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health") as response:
        for header in response.headers.get_all("Set-Cookie") or []:
            if header.startswith("_streamlit_xsrf="):
                return header.split(";", 1)[0].split("=", 1)[1]
    return ""


def put_file(url: str, name: str, data: bytes, cookie: str) -> None:
    boundary = uuid.uuid4().hex
    kind = "image/png" if name.endswith(".png") else "image/jpeg"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            f"Content-Type: {kind}\r\n\r\n"
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


async def upload_and_answer(port: int, name: str, data: bytes, cookie: str, opened=None) -> str:
    """One session: the page, its picture uploaded; "top5", "busy" or "none" (the run ended
    without either). With `opened`, the session stays open (appended) for the caller to close."""
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

    if opened is not None:
        opened.append(session)
    try:
        await run()
        radio = _state(found["radio"], string_value="Upload")
        await run([radio])
        await session.ws.send(_ask_for_url(found["session"], name).SerializeToString())
        reply = await read(lambda message, kind: kind == "file_urls_response")
        urls = reply.file_urls_response.file_urls[0]
        upload = await _upload(port, urls, found, name, data, cookie)
        answer = await run([radio, upload], stop=_answered)
        if answer.WhichOneof("type") != "delta":
            return "none"
        return "top5" if top5_chart(answer.delta.new_element) else "busy"
    finally:
        if opened is None:
            await session.close()


def _ask_for_url(session_id: str, name: str):
    from streamlit.proto.BackMsg_pb2 import BackMsg

    ask = BackMsg()
    ask.file_urls_request.request_id = uuid.uuid4().hex
    ask.file_urls_request.file_names.append(name)
    ask.file_urls_request.session_id = session_id
    return ask


async def _upload(port: int, urls, found: dict, name: str, data: bytes, cookie: str):
    """PUT the picture where the server said; the uploader's state that names it."""
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
