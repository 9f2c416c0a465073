"""A real HTTP server on 127.0.0.1 for tests, with scripted routes and a request log.

Each route is a frozen ``Route`` describing what to send: status, headers, body,
and optionally a delay before the headers, a chunked body dripped with pauses,
or a Content-Length that lies. The server records every request it served
(``ServedRequest``), including how much of the body it managed to send, so a
test can tell whether a client stopped reading early.

Usage::

    with LocalServer() as server:
        server.add("/a", html_route("<p>hi</p>"))
        httpx.get(server.url("/a"))
        assert server.requests_for("/a")[0].headers["user-agent"]
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

WRITE_BLOCK = 64 * 1024


@dataclass(frozen=True, slots=True)
class Route:
    """What the server answers on one path.

    ``chunk_size`` switches to ``Transfer-Encoding: chunked`` and sends the body
    in pieces of that size, sleeping ``chunk_delay`` between them.
    ``content_length`` overrides the announced length (to announce more than is sent).
    """

    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    delay: float = 0.0
    chunk_size: int | None = None
    chunk_delay: float = 0.0
    content_length: int | None = None


@dataclass(frozen=True, slots=True)
class ServedRequest:
    """One request as the server saw it, logged once the answer is over."""

    method: str
    path: str
    headers: Mapping[str, str]
    received_at: float  # time.monotonic() when the request line arrived
    body_bytes_sent: int
    complete: bool  # False when the client went away before the whole body was sent


def html_route(html: str | bytes, *, charset: str = "utf-8", status: int = 200) -> Route:
    body = html if isinstance(html, bytes) else html.encode(charset)
    content_type = ("Content-Type", f"text/html; charset={charset}")
    return Route(status=status, headers=(content_type,), body=body)


def redirect_route(location: str, status: int = 302) -> Route:
    return Route(status=status, headers=(("Location", location),))


class LocalServer:
    """A threaded HTTP/1.1 server on 127.0.0.1 and an ephemeral port.

    Routes can be added while the server runs; lookups use the full path with
    query string first, then the path alone.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._routes: dict[str, Route] = {}
        self._log: list[ServedRequest] = []
        self._lock = threading.Lock()
        self._logged = threading.Condition(self._lock)
        self._httpd = _QuietServer((host, port), _handler_class(self))
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def start(self) -> LocalServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join()

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def add(self, path: str, route: Route) -> str:
        """Serve ``route`` at ``path``; returns the absolute URL."""
        with self._lock:
            self._routes[path] = route
        return self.url(path)

    def add_pages(self, directory: Path, prefix: str = "/pages/") -> list[str]:
        """Serve every ``NAME.html`` of a fixture directory at ``prefix + NAME.html``.

        The content type and status come from ``NAME.meta.json`` when present, so a
        page whose charset is only in the HTTP header is served exactly that way.
        """
        paths = []
        for page in sorted(directory.glob("*.html")):
            meta_file = page.with_name(page.name.removesuffix(".html") + ".meta.json")
            meta = json.loads(meta_file.read_text("utf-8")) if meta_file.exists() else {}
            content_type = meta.get("content_type", "text/html; charset=utf-8")
            route = Route(
                status=int(meta.get("status", 200)),
                headers=(("Content-Type", content_type),) if content_type else (),
                body=page.read_bytes(),
            )
            paths.append(prefix + page.name)
            self.add(prefix + page.name, route)
        return paths

    def route_for(self, path: str) -> Route | None:
        with self._lock:
            return self._routes.get(path) or self._routes.get(path.partition("?")[0])

    @property
    def requests(self) -> list[ServedRequest]:
        with self._lock:
            return list(self._log)

    def requests_for(self, path: str) -> list[ServedRequest]:
        return [request for request in self.requests if request.path == path]

    def wait_for(self, path: str, count: int = 1, timeout: float = 5.0) -> list[ServedRequest]:
        """Wait until ``count`` answers to ``path`` are logged (logged when they end)."""
        deadline = time.monotonic() + timeout
        with self._logged:
            while True:
                served = [request for request in self._log if request.path == path]
                left = deadline - time.monotonic()
                if len(served) >= count or left <= 0:
                    return served
                self._logged.wait(left)

    def record(self, request: ServedRequest) -> None:
        with self._logged:
            self._log.append(request)
            self._logged.notify_all()


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        # A client that closes a kept-alive connection without reading everything
        # (as fetch does on purpose) resets it; that is not a server error.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _handler_class(server: LocalServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self._answer(send_body=True)

        def do_HEAD(self) -> None:
            self._answer(send_body=False)

        def _answer(self, *, send_body: bool) -> None:
            received_at = time.monotonic()
            route = server.route_for(self.path) or Route(status=404, body=b"not found")
            sent, complete = 0, False
            try:
                if route.delay:
                    time.sleep(route.delay)
                self._send_headers(route)
                if send_body:
                    for block in self._body_blocks(route):
                        self.wfile.write(block)
                        sent += len(block)
                    if route.chunk_size is not None:
                        self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()
                complete = True
            except ConnectionError:
                pass
            finally:
                if route.content_length is not None or not complete:
                    self.close_connection = True
                server.record(
                    ServedRequest(
                        method=self.command,
                        path=self.path,
                        headers={key.lower(): value for key, value in self.headers.items()},
                        received_at=received_at,
                        body_bytes_sent=sent,
                        complete=complete,
                    )
                )

        def _send_headers(self, route: Route) -> None:
            self.send_response(route.status)
            for name, value in route.headers:
                self.send_header(name, value)
            if route.chunk_size is not None:
                self.send_header("Transfer-Encoding", "chunked")
            else:
                length = route.content_length
                self.send_header(
                    "Content-Length", str(len(route.body) if length is None else length)
                )
            self.end_headers()

        def _body_blocks(self, route: Route) -> Iterator[bytes]:
            if route.chunk_size is None:
                for start in range(0, len(route.body), WRITE_BLOCK):
                    yield route.body[start : start + WRITE_BLOCK]
                return
            for index, start in enumerate(range(0, len(route.body), route.chunk_size)):
                if index and route.chunk_delay:
                    time.sleep(route.chunk_delay)
                chunk = route.body[start : start + route.chunk_size]
                yield b"%x\r\n%s\r\n" % (len(chunk), chunk)

        def log_message(self, format: str, *args: object) -> None:
            # The request log above replaces the default stderr chatter.
            pass

    return Handler


__all__ = [
    "LocalServer",
    "Route",
    "ServedRequest",
    "html_route",
    "redirect_route",
]
