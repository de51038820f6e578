"""An httpx transport that answers from an :class:`~emulator.app.EmulatorApp` in-process.

No sockets: ``httpx.Client(transport=EmulatorTransport(app))`` sends every request
straight to ``app.handle``. A dropped connection raises ``httpx.RemoteProtocolError``,
as httpx does when a server closes the socket without answering. This is the only
module of the emulator that imports httpx.
"""

from __future__ import annotations

import httpx

from emulator.app import EmulatorApp
from emulator.exceptions import DropConnection

__all__ = ["EmulatorTransport"]


class EmulatorTransport(httpx.BaseTransport):
    """Routes httpx requests to ``app.handle``, whatever their host."""

    def __init__(self, app: EmulatorApp) -> None:
        self.app = app

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        try:
            answer = self.app.handle(
                request.method,
                request.url.path,
                request.url.query.decode("ascii"),
                dict(request.headers),
                body,
            )
        except DropConnection:
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            ) from None
        return httpx.Response(
            answer.status, headers=answer.headers, content=answer.body, request=request
        )
