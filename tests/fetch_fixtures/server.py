"""A local HTTP server on 127.0.0.1 (port 0) that replays service fixtures.

Routes map ``METHOD /path`` (optionally with required query parameters) to a list of
:class:`Reply`; replies are served in order and the last one repeats. ``{base}`` in a
body or header is replaced by the server's own address, so pagination links point back
here. Every request is recorded for assertions (headers, query, body).
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).parent


@dataclass(frozen=True)
class Reply:
    """One canned answer: a fixture file or a body, a status, headers, and misbehaviours."""

    status: int = 200
    file: str | None = None
    body: str | bytes = b""
    content_type: str = "application/json; charset=utf-8"
    headers: tuple[tuple[str, str], ...] = ()
    delay: float = 0.0  # seconds to wait before answering (timeouts)
    truncate: bool = False  # announce the full length, send half, close the connection
    trickle: float = 0.0  # seconds between single bytes of the body (a server that never quite stops)
    trickle_head: bool = False  # with trickle: the status line and headers arrive one byte at a time too
    announce_length: bool = True  # False: no Content-Length, the body ends when the connection closes


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes


@dataclass
class _Route:
    method: str
    path: str
    query: dict[str, str]
    replies: list[Reply]
    served: int = 0


@dataclass
class FixtureServer:
    routes: list[_Route] = field(default_factory=list)
    requests: list[Recorded] = field(default_factory=list)

    def __post_init__(self) -> None:
        server = self
        self.closed = threading.Event()  # stops trickling handlers when the test ends

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # keep test output quiet
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                query = parse_qs(parts.query, keep_blank_values=True)
                server.requests.append(
                    Recorded(self.command, parts.path, query, {k.lower(): v for k, v in self.headers.items()}, body)
                )
                reply = server._match(self.command, parts.path, query)
                if reply is None:
                    reply = Reply(status=404, body=b'{"error":"Record not found"}')
                if reply.delay:
                    time.sleep(reply.delay)
                payload = reply.body if reply.file is None else (FIXTURES / reply.file).read_bytes()
                if isinstance(payload, str):
                    payload = payload.encode("utf-8")
                payload = payload.replace(b"{base}", server.base.encode())
                try:
                    if reply.trickle and reply.trickle_head:
                        head = f"HTTP/1.1 {reply.status} OK\r\nContent-Type: {reply.content_type}\r\n"
                        head += f"Content-Length: {len(payload)}\r\n\r\n"
                        for byte in head.encode() + payload:
                            if server.closed.is_set():
                                break
                            self.wfile.write(bytes([byte]))
                            self.wfile.flush()
                            time.sleep(reply.trickle)
                        self.close_connection = True
                        return
                    self.send_response(reply.status)
                    self.send_header("Content-Type", reply.content_type)
                    if reply.announce_length:
                        self.send_header("Content-Length", str(len(payload)))
                    else:
                        self.send_header("Connection", "close")
                        self.close_connection = True
                    for name, value in reply.headers:
                        self.send_header(name, value.replace("{base}", server.base))
                    if reply.truncate:
                        self.send_header("Connection", "close")
                    self.end_headers()
                    if reply.truncate:
                        self.wfile.write(payload[: len(payload) // 2])
                        self.wfile.flush()
                        self.close_connection = True
                        self.connection.shutdown(socket.SHUT_RDWR)
                        return
                    if reply.trickle:
                        for index in range(len(payload)):
                            if server.closed.is_set():
                                break
                            self.wfile.write(payload[index : index + 1])
                            self.wfile.flush()
                            time.sleep(reply.trickle)
                        return
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError, OSError):
                    self.close_connection = True

            do_GET = _handle
            do_POST = _handle

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    @property
    def base(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def use_tls(self, certfile: str, keyfile: str) -> str:
        """Serve HTTPS from now on; returns the https base address."""
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(certfile, keyfile)
        self._httpd.socket = context.wrap_socket(self._httpd.socket, server_side=True)
        return self.base.replace("http://", "https://")

    def url(self, path: str) -> str:
        return self.base + path

    def route(self, method: str, path: str, *replies: Reply, query: dict[str, str] | None = None) -> None:
        self.routes.append(_Route(method, path, dict(query or {}), list(replies)))

    def hits(self, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.path == path]

    def _match(self, method: str, path: str, query: dict[str, list[str]]) -> Reply | None:
        candidates = [
            r
            for r in self.routes
            if r.method == method and r.path == path and all(v in query.get(k, []) for k, v in r.query.items())
        ]
        if not candidates:
            return None
        route = max(candidates, key=lambda r: len(r.query))  # most specific wins
        reply = route.replies[min(route.served, len(route.replies) - 1)]
        route.served += 1
        return reply

    def close(self) -> None:
        self.closed.set()
        self._httpd.shutdown()
        self._httpd.server_close()


# --- helpers shared by the fetch tests ------------------------------------------------

import pytest  # noqa: E402

from ascolto_core.fetch.http import FetchClient, HttpPolicy  # noqa: E402


@pytest.fixture
def server():
    """A fresh fixture server per test (127.0.0.1, random port)."""
    instance = FixtureServer()
    yield instance
    instance.close()


@pytest.fixture
def stranger():
    """A second server on another port: another origin, standing in for a foreign host."""
    instance = FixtureServer()
    yield instance
    instance.close()


@pytest.fixture
def sleeps() -> list[float]:
    """Records the waits the client asked for, instead of sleeping."""
    return []


@pytest.fixture
def client(sleeps: list[float]):
    """A client with tiny timeouts and backoff so failure tests stay fast."""
    instance = FetchClient(HttpPolicy(timeout=0.5, retries=2, backoff=0.01), sleep=sleeps.append)
    yield instance
    instance.close()


def closed_port_url() -> str:
    """An address on 127.0.0.1 where nothing listens."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return f"http://127.0.0.1:{port}"
