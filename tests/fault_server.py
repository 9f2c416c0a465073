"""A hostile web server for tests: each fault of the catalogue (issue 6) at its own path.

It speaks HTTP/1.1 over raw sockets, so it can do what a well-behaved server
library never will: reset a connection mid-body, announce more bytes than it
sends, drip one byte per second, serve decompression bombs. Every accepted
connection is counted before anything is read, so a test can prove that a
client never connected at all (the SSRF guard refuses before connecting).

Usage::

    with FaultServer() as server:
        fetch_page(client, server.url("/reset"))
        assert server.paths() == ["/reset"]

Extra routes (exact paths, or prefixes ending in "/") can be passed in; a
route is a function taking the ``Exchange`` of one request.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from email.utils import formatdate
from urllib.parse import parse_qsl, urlsplit

import brotli
import zstandard

Handler = Callable[["Exchange"], None]

READ_LIMIT = 64 * 1024
IDLE_POLL = 0.05  # how often waiting handlers look at the stop flag
BOMB_SIZE = 256 * 1024 * 1024  # decompressed size of each bomb
_BOMB_BLOCK = b" " * (1024 * 1024)


@dataclass(frozen=True, slots=True)
class Request:
    """One request as the server read it."""

    method: str
    path: str
    query: Mapping[str, str]
    headers: Mapping[str, str]  # lower-cased names
    received_at: float  # time.monotonic()


class Exchange:
    """One request and the socket to answer it on; handlers write through it."""

    def __init__(self, conn: socket.socket, request: Request, stopping: threading.Event) -> None:
        self.conn = conn
        self.request = request
        self.stopping = stopping
        self.body_bytes_sent = 0

    def send_head(self, status: int, headers: Mapping[str, str] | None = None) -> None:
        lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}", "Connection: close"]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        self.conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))

    def send_body(self, data: bytes) -> bool:
        """Send body bytes; False once the client has gone away."""
        try:
            self.conn.sendall(data)
        except OSError:
            return False
        self.body_bytes_sent += len(data)
        return True

    def respond(
        self,
        status: int,
        body: bytes = b"",
        content_type: str | None = "text/html; charset=utf-8",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        head = {"Content-Length": str(len(body))}
        if content_type:
            head["Content-Type"] = content_type
        self.send_head(status, head | dict(headers or {}))
        self.send_body(body)

    def reset(self) -> None:
        """Abort with a TCP RST instead of a clean close."""
        self.conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.conn.close()

    def wait(self, seconds: float) -> bool:
        """Sleep unless the server stops; False when it is stopping."""
        return not self.stopping.wait(seconds)


class FaultServer:
    """Raw-socket HTTP server on ``host`` (default 127.0.0.1) and an ephemeral port."""

    def __init__(self, host: str = "127.0.0.1", routes: Mapping[str, Handler] | None = None):
        self.host = host
        self.routes: dict[str, Handler] = default_routes() | dict(routes or {})
        self.requests: list[Request] = []
        self.connections = 0
        self.sent: dict[str, int] = {}  # body bytes sent, per path, once answered
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._listener = socket.socket(family, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind((host, 0))
        self.port: int = self._listener.getsockname()[1]
        self._thread = threading.Thread(target=self._accept_loop, daemon=True)

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def paths(self) -> list[str]:
        with self._lock:
            return [request.path for request in self.requests]

    def requests_for(self, path: str) -> list[Request]:
        with self._lock:
            return [request for request in self.requests if request.path == path]

    def __enter__(self) -> FaultServer:
        self._listener.listen(64)
        self._listener.settimeout(IDLE_POLL)
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stopping.set()
        self._thread.join()
        self._listener.close()

    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            with self._lock:
                self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(5.0)
        try:
            request = _read_request(conn)
            if request is None:
                return
            with self._lock:
                self.requests.append(request)
            exchange = Exchange(conn, request, self._stopping)
            self._route(request.path)(exchange)
            with self._lock:
                self.sent[request.path] = self.sent.get(request.path, 0) + exchange.body_bytes_sent
        except OSError:
            pass  # the client went away: that is the point of most routes here
        finally:
            conn.close()

    def _route(self, path: str) -> Handler:
        if path in self.routes:
            return self.routes[path]
        prefixes = [key for key in self.routes if key.endswith("/") and path.startswith(key)]
        if prefixes:
            return self.routes[max(prefixes, key=len)]
        return _not_found


def _read_request(conn: socket.socket) -> Request | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(READ_LIMIT)
        if not chunk:
            return None
        data += chunk
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    request_line, *header_lines = head.split("\r\n")
    method, target, _ = request_line.split(" ", 2)
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    parts = urlsplit(target)
    return Request(method, parts.path, dict(parse_qsl(parts.query)), headers, time.monotonic())


# --- pages -----------------------------------------------------------------

ARTICLE_PARAGRAPHS = (
    "The harbour authority confirmed on Tuesday that the northern pier will close for "
    "repairs after engineers found cracks in three of its supporting columns.",
    "Fishing crews who moor there were told to move to the southern basin, where the "
    "authority has set aside forty berths until the work is finished next spring.",
    "The mayor said the cost would be shared between the city and the regional fund, "
    "and that no fees would rise this year because of the closure.",
    "Residents had complained for months about loose planks and rust on the railings, "
    "and a petition asking for an inspection gathered more than two thousand names.",
)


def article_html(title: str = "Northern pier closes for repairs", extra: str = "") -> str:
    """A plain, well-formed news article the cleaner extracts without trouble."""
    paragraphs = "\n".join(f"<p>{text}</p>" for text in ARTICLE_PARAGRAPHS)
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
        f"</head><body><article><h1>{title}</h1>{paragraphs}{extra}</article></body></html>"
    )


def _html(exchange: Exchange, html: str, status: int = 200) -> None:
    exchange.respond(status, html.encode("utf-8"))


def _not_found(exchange: Exchange) -> None:
    _html(exchange, "<html><body><p>Not found</p></body></html>", 404)


def _article(exchange: Exchange) -> None:
    _html(exchange, article_html())


def _status(exchange: Exchange) -> None:
    """/status/<code>: that status with a small HTML body."""
    code = int(exchange.request.path.rsplit("/", 1)[1])
    _html(exchange, f"<html><body><p>status {code}</p></body></html>", code)


def _hold_open(exchange: Exchange) -> None:
    while exchange.wait(IDLE_POLL):
        pass


# Connection-level faults


def _reset_mid_body(exchange: Exchange) -> None:
    body = article_html().encode()
    exchange.send_head(200, {"Content-Type": "text/html", "Content-Length": str(len(body) * 50)})
    exchange.send_body(body[: len(body) // 2])
    exchange.wait(0.1)
    exchange.reset()


def _short_body(exchange: Exchange) -> None:
    """Announces more than it sends, then closes cleanly (FIN, not RST)."""
    body = article_html().encode()
    exchange.send_head(200, {"Content-Type": "text/html", "Content-Length": str(len(body) + 500)})
    exchange.send_body(body)


def _drip(exchange: Exchange) -> None:
    """/drip?interval=S: headers at once, then one body byte every S seconds, forever."""
    interval = float(exchange.request.query.get("interval", "1"))
    exchange.send_head(200, {"Content-Type": "text/html", "Content-Length": "100000"})
    exchange.send_body(b"<")
    while exchange.wait(interval) and exchange.send_body(b" "):
        pass


def _headers_then_silence(content_type: str, length: int) -> Handler:
    """Headers only; the body never comes. A client that waits for it times out."""

    def handler(exchange: Exchange) -> None:
        exchange.send_head(200, {"Content-Type": content_type, "Content-Length": str(length)})
        _hold_open(exchange)

    return handler


def _endless_chunked(exchange: Exchange) -> None:
    """Chunked HTML that never ends (until the client hangs up or 1 GiB is sent)."""
    exchange.send_head(200, {"Content-Type": "text/html", "Transfer-Encoding": "chunked"})
    block = b"<p>" + b"x" * (16 * 1024 - 7) + b"</p>"
    frame = f"{len(block):x}\r\n".encode() + block + b"\r\n"
    while exchange.body_bytes_sent < 1024**3 and exchange.send_body(frame):
        pass


# Redirects


def _redirect_loop(exchange: Exchange) -> None:
    exchange.respond(302, headers={"Location": exchange.request.path})


def _redirect_chain(exchange: Exchange) -> None:
    """/redirect/chain/<n>: n more hops, then an article."""
    hops = int(exchange.request.path.rsplit("/", 1)[1])
    if hops == 0:
        _article(exchange)
    else:
        exchange.respond(302, headers={"Location": f"/redirect/chain/{hops - 1}"})


def _redirect_to(exchange: Exchange) -> None:
    """/redirect/to?location=X: one redirect to X, whatever X is."""
    exchange.respond(302, headers={"Location": exchange.request.query["location"]})


# Compression bombs


def _compressed_stream(encoding: str) -> Iterator[bytes]:
    """``BOMB_SIZE`` bytes of HTML-looking whitespace, compressed as it is produced."""
    head = b"<!DOCTYPE html><html><body><p>"
    if encoding == "gzip":
        compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        feed, finish = compressor.compress, compressor.flush
    elif encoding == "br":
        brotli_compressor = brotli.Compressor(quality=5)
        feed, finish = brotli_compressor.process, brotli_compressor.finish
    else:
        zstd_compressor = zstandard.ZstdCompressor(level=3).compressobj()
        feed, finish = zstd_compressor.compress, zstd_compressor.flush
    yield feed(head)
    for _ in range(BOMB_SIZE // len(_BOMB_BLOCK)):
        yield feed(_BOMB_BLOCK)
    yield finish()


_bomb_cache: dict[str, bytes] = {}
_bomb_lock = threading.Lock()


def bomb(encoding: str) -> bytes:
    """The compressed bomb for ``encoding`` (gzip, br, zstd), built once per process."""
    with _bomb_lock:
        if encoding not in _bomb_cache:
            _bomb_cache[encoding] = b"".join(_compressed_stream(encoding))
        return _bomb_cache[encoding]


def _bomb(exchange: Exchange) -> None:
    """/bomb/<gzip|br|zstd>: a small compressed body that inflates to BOMB_SIZE bytes."""
    encoding = exchange.request.path.rsplit("/", 1)[1]
    exchange.respond(200, bomb(encoding), headers={"Content-Encoding": encoding})


# Charsets and markup

CP1252_TEXT = (
    "Le café de l’été coûte 2 € — « très cher », disent les habitués. "
    "Señora Muñoz über die Straße: naïve façade, déjà vu."
)
CP1251_TEXT = "Москва: в четверг правительство объявило о новых мерах поддержки семей."
UNICODE_TEXT = "Zürich, Kraków, Ελλάδα, 東京 and São Paulo share one page."


def _page_with(text: str, meta_charset: str | None = None) -> str:
    meta = f"<meta charset='{meta_charset}'>" if meta_charset else ""
    paragraphs = "".join(f"<p>{text} {filler}</p>" for filler in ARTICLE_PARAGRAPHS)
    return (
        f"<!DOCTYPE html><html><head>{meta}<title>Charset page</title></head>"
        f"<body><article><h1>Charset page</h1>{paragraphs}</article></body></html>"
    )


def _cp1252_undeclared(exchange: Exchange) -> None:
    exchange.respond(200, _page_with(CP1252_TEXT).encode("cp1252"), content_type="text/html")


def _cp1251_declared_utf8(exchange: Exchange) -> None:
    body = _page_with(CP1251_TEXT, meta_charset="utf-8").encode("cp1251")
    exchange.respond(200, body, content_type="text/html; charset=utf-8")


def _meta_vs_header(exchange: Exchange) -> None:
    """The header is right (utf-8), the page's own meta tag lies (iso-8859-1)."""
    body = _page_with(UNICODE_TEXT, meta_charset="iso-8859-1").encode("utf-8")
    exchange.respond(200, body, content_type="text/html; charset=utf-8")


def _bom_utf8(exchange: Exchange) -> None:
    """A UTF-8 BOM, with a header that claims windows-1252: the BOM wins."""
    body = b"\xef\xbb\xbf" + _page_with(UNICODE_TEXT).encode("utf-8")
    exchange.respond(200, body, content_type="text/html; charset=windows-1252")


def _bom_utf16(exchange: Exchange) -> None:
    exchange.respond(200, _page_with(UNICODE_TEXT).encode("utf-16"), content_type="text/html")


def _nested_divs(exchange: Exchange) -> None:
    depth = 10_000
    inner = "".join(f"<p>{text}</p>" for text in ARTICLE_PARAGRAPHS)
    _html(exchange, "<html><body>" + "<div>" * depth + inner + "</div>" * depth + "</body></html>")


def _nul_bytes(exchange: Exchange) -> None:
    page = article_html().replace("</p>", "\x00</p>").replace("pier", "pi\x00er")
    _html(exchange, page)


def _truncated(exchange: Exchange) -> None:
    page = article_html()
    _html(exchange, page[: page.rindex("<p>") + 2])


def _empty(exchange: Exchange) -> None:
    exchange.respond(200, b"")


def _blank_page(exchange: Exchange) -> None:
    _html(exchange, "<!DOCTYPE html><html><head><title></title></head><body> </body></html>")


CHALLENGE_HTML = (
    "<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>"
    "<div id='challenge-running'><h1>Checking if the site connection is secure</h1>"
    "<p>Enable JavaScript and cookies to continue.</p>"
    "<noscript>Please enable JavaScript.</noscript></div>"
    "<script src='/cdn-cgi/challenge-platform/h/b/orchestrate/jsch/v1'></script>"
    "</body></html>"
)

CONSENT_HTML = (
    "<!DOCTYPE html><html><head><title>Before you continue</title></head><body>"
    "<div id='didomi-host' class='didomi-popup consent-wall'>"
    "<h2>We value your privacy</h2>"
    "<p>We and our 842 partners store and access information on your device, such as "
    "cookies, and process personal data to personalise ads and content, measure their "
    "performance and develop our services.</p>"
    "<p>You can accept, refuse or customise your choices at any time.</p>"
    "<button>Accept all</button><button>Refuse all</button><button>Customise</button>"
    "</div></body></html>"
)


def _challenge(exchange: Exchange) -> None:
    _html(exchange, CHALLENGE_HTML)


def _consent(exchange: Exchange) -> None:
    _html(exchange, CONSENT_HTML)


# Rate limits


def _retry_after_seconds(exchange: Exchange) -> None:
    seconds = exchange.request.query.get("seconds", "2")
    exchange.respond(429, b"slow down", "text/plain", {"Retry-After": seconds})


def _retry_after_date(exchange: Exchange) -> None:
    seconds = float(exchange.request.query.get("seconds", "2"))
    when = formatdate(time.time() + seconds, usegmt=True)
    exchange.respond(429, b"slow down", "text/plain", {"Retry-After": when})


def default_routes() -> dict[str, Handler]:
    return {
        "/article": _article,
        "/status/": _status,
        "/reset": _reset_mid_body,
        "/short": _short_body,
        "/drip": _drip,
        "/silent": _hold_open,
        "/pdf": _headers_then_silence("application/pdf", 5_000_000),
        "/image": _headers_then_silence("image/jpeg", 2_000_000),
        "/big/length": _headers_then_silence("text/html", 1024**3),
        "/big/chunked": _endless_chunked,
        "/redirect/loop": _redirect_loop,
        "/redirect/chain/": _redirect_chain,
        "/redirect/to": _redirect_to,
        "/bomb/": _bomb,
        "/charset/cp1252-undeclared": _cp1252_undeclared,
        "/charset/cp1251-declared-utf8": _cp1251_declared_utf8,
        "/charset/meta-vs-header": _meta_vs_header,
        "/charset/bom-utf8": _bom_utf8,
        "/charset/bom-utf16": _bom_utf16,
        "/malformed/nested": _nested_divs,
        "/malformed/nul": _nul_bytes,
        "/malformed/truncated": _truncated,
        "/empty": _empty,
        "/blank": _blank_page,
        "/challenge": _challenge,
        "/consent": _consent,
        "/retry-after/seconds": _retry_after_seconds,
        "/retry-after/date": _retry_after_date,
    }


def closed_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on (bound, then released; the kernel will refuse it)."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


_REASONS = {
    200: "OK",
    301: "Moved Permanently",
    302: "Found",
    404: "Not Found",
    410: "Gone",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
