"""A minimal keep-alive HTTP/1.1 client for `bench/server.py`: prepared bytes out, one reply in.

The benchmark's clients share the machine (and, being threads of one process, a GIL) with the
server they measure. `http.client` spends ~0.2 ms of CPU per request on header objects, a quarter
of what the server spends on `/v1/health`; that overhead lands mostly on the cheapest request and
so flattered the analyze / health ratio. Requests here are built before the clock starts and a
reply is parsed only as far as its status and Content-Length.
"""

from __future__ import annotations

import re
import socket

_LENGTH = re.compile(rb"\r\ncontent-length:[ \t]*(\d+)", re.IGNORECASE)


def request_bytes(method: str, path: str, port: int, body: bytes | None, token: str) -> bytes:
    """One complete HTTP/1.1 request, as `http.client` would send it for a JSON body."""
    head = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}"]
    if token:
        head.append(f"Authorization: Bearer {token}")
    if body is not None:
        head += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + (body or b"")


class Connection:
    """One keep-alive connection to 127.0.0.1:`port`; replies must carry a Content-Length."""

    def __init__(self, port: int, timeout: float = 60.0) -> None:
        self._sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._buffer = b""

    def send(self, request: bytes) -> tuple[int, bytes]:
        """Send one request from `request_bytes`; returns (status, body)."""
        self._sock.sendall(request)
        while (end := self._buffer.find(b"\r\n\r\n")) < 0:
            self._receive()
        head, self._buffer = self._buffer[:end], self._buffer[end + 4 :]
        status = int(head.split(b" ", 2)[1])
        length = _LENGTH.search(head)
        if length is None:
            raise ConnectionError(f"reply without Content-Length: {head[:200]!r}")
        size = int(length.group(1))
        while len(self._buffer) < size:
            self._receive()
        body, self._buffer = self._buffer[:size], self._buffer[size:]
        return status, body

    def _receive(self) -> None:
        chunk = self._sock.recv(1 << 16)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        self._buffer += chunk

    def close(self) -> None:
        self._sock.close()
