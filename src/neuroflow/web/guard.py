"""The page's outermost layer: an upload over the cap refused before it is read, and every request
that ends badly told to the terminal in one line instead of a traceback.

A client that leaves mid-upload, an unexpected error (a 500) and a request cut short by Ctrl-C each
log one line on `neuroflow serve`'s terminal; the client, when it is still there, gets one line.
"""

from __future__ import annotations

import asyncio
import json
import logging

from starlette.requests import ClientDisconnect

from neuroflow.web.public import public_line

LOG = logging.getLogger("uvicorn.error")  # uvicorn prints its records as one line each


class Guard:
    """ASGI middleware: refuse a declared body over `max_bytes` (413); log each bad end once."""

    def __init__(self, app, max_bytes: int):
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        what = f"{scope['method']} {scope['path']}"
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length", b"").decode("latin-1")
        if length.isdigit() and int(length) > self.max_bytes:
            await _answer(send, 413, f"the upload is larger than {self.max_bytes >> 20} MB")
            return
        started = False

        async def sending(message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except ClientDisconnect:
            LOG.warning("%s: the client left before its request was read whole", what)
        except asyncio.CancelledError:  # the server stops (Ctrl-C) while this request waits
            LOG.warning("%s: cut short, the server is stopping", what)
        except Exception as err:
            line = public_line(f"internal error ({type(err).__name__}: {err})")
            LOG.error("%s: 500, %s", what, line)
            if not started:
                await _answer(send, 500, line)


async def _answer(send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
