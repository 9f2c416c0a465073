"""SSRF guard: which addresses a fetch may reach, enforced where sockets are opened.

Discovered URLs (links, feeds, sitemaps, redirects, canonical links) come from
pages an attacker may write, so they may name internal services: a cloud
metadata endpoint, a database on 10.x, the crawler's own loopback. The guard
resolves the host once, refuses the connection when any resolved address is not
a public (global) address, and then connects to the very addresses it checked,
so a DNS answer that changes between the check and the connect (DNS rebinding)
cannot slip through. TLS SNI and the Host header still carry the hostname.

Refusing the whole host when *any* address is internal (rather than dialling
only the public ones) is deliberate: a name that resolves to a mix of public
and private addresses is either misconfigured or hostile, and a refusal is
easier to explain than a silent choice.

The check sits in the httpcore network backend, below httpx's redirect logic,
so every hop and every new connection is checked. ``--allow-private CIDR``
opens ranges explicitly; URLs typed on the command line use
``AddressPolicy.trust_all()``.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import anyio
import httpcore
import httpx

from scraper.errors import FetchError, FetchErrorKind
from scraper.urls import MAX_URL_LENGTH

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

ALLOWED_SCHEMES = frozenset({"http", "https"})

# Prefixes whose addresses carry an IPv4 address in their last 32 bits (RFC 6052
# well-known NAT64 prefix). 6to4 and IPv4-mapped forms are unwrapped by ipaddress.
_NAT64_PREFIX = ipaddress.IPv6Network("64:ff9b::/96")

# RFC 6761 §6.4: ".invalid" names never resolve; answering here keeps a missing or
# hijacking resolver from turning them into a transient error or an address.
_NEVER_RESOLVES = ".invalid"

# httpx's own defaults for HTTPTransport, restated because httpx keeps them private.
_POOL_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)

Resolver = Callable[[str, int], Sequence[str]]
"""Turns (host, port) into IP address strings; raises socket.gaierror like getaddrinfo."""


def system_resolver(host: str, port: int) -> list[str]:
    """Resolve with the operating system's resolver, keeping its order, without repeats."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def embedded_ipv4(ip: IPAddress) -> IPAddress:
    """The IPv4 address an IPv6 address stands for (mapped, 6to4, NAT64), else ``ip``."""
    if isinstance(ip, ipaddress.IPv4Address):
        return ip
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64_PREFIX:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip


@dataclass(frozen=True, slots=True)
class AddressPolicy:
    """Public addresses are allowed; others only inside one of ``allowed``."""

    allowed: tuple[IPNetwork, ...] = ()

    @classmethod
    def from_cidrs(cls, cidrs: Iterable[str]) -> AddressPolicy:
        """Build from ``--allow-private`` values; raises ValueError on a malformed CIDR."""
        return cls(tuple(ipaddress.ip_network(cidr, strict=False) for cidr in cidrs))

    @classmethod
    def trust_all(cls) -> AddressPolicy:
        """For URLs the user typed: every address, loopback included."""
        return cls((ipaddress.IPv4Network("0.0.0.0/0"), ipaddress.IPv6Network("::/0")))

    def is_blocked(self, ip: IPAddress | str) -> bool:
        address = ipaddress.ip_address(ip) if isinstance(ip, str) else ip
        # Strip a scope id ("fe80::1%eth0") so network membership tests work.
        if isinstance(address, ipaddress.IPv6Address) and address.scope_id:
            address = ipaddress.IPv6Address(str(address).split("%", 1)[0])
        effective = embedded_ipv4(address)
        if any(effective in net or address in net for net in self.allowed):
            return False
        # Multicast is "global" for ipaddress, but no web page lives there.
        return not effective.is_global or effective.is_multicast


def check_url(url: str | httpx.URL) -> None:
    """Refuse URLs the crawler must never request, whatever address they resolve to."""
    text = str(url)
    if len(text) > MAX_URL_LENGTH:
        raise FetchError(
            text[:200] + "…",
            FetchErrorKind.INVALID_URL,
            f"URL is {len(text)} characters long (limit {MAX_URL_LENGTH})",
        )
    scheme = urlsplit(text).scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise FetchError(
            text, FetchErrorKind.BAD_SCHEME, f"scheme {scheme or '(none)'!r} is not http or https"
        )


class GuardRefusal(Exception):
    """Raised below httpx when a connection is refused; the transport adds the URL."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


def _checked_addresses(host: str, addresses: Sequence[str], policy: AddressPolicy) -> list[str]:
    if not addresses:
        raise GuardRefusal(FetchErrorKind.DNS_ERROR, f"{host} has no address")
    blocked = [ip for ip in addresses if policy.is_blocked(ip)]
    if blocked:
        raise GuardRefusal(
            FetchErrorKind.BLOCKED_ADDRESS,
            f"{host} resolves to non-public address {blocked[0]} (see --allow-private)",
        )
    return list(addresses)


def _resolution_failure(host: str, exc: OSError) -> GuardRefusal:
    # EAI_AGAIN is what the resolver reports when its servers did not answer in
    # time: transient, so it is reported as a timeout and retried. Anything else
    # (NXDOMAIN, no address) is a permanent DNS error.
    if isinstance(exc, socket.gaierror) and exc.errno == socket.EAI_AGAIN:
        return GuardRefusal(FetchErrorKind.TIMEOUT, f"DNS lookup of {host} timed out ({exc})")
    return GuardRefusal(FetchErrorKind.DNS_ERROR, f"cannot resolve {host} ({exc})")


def _refuse_special_name(host: str) -> None:
    if host.rstrip(".").lower().endswith(_NEVER_RESOLVES):
        raise GuardRefusal(FetchErrorKind.DNS_ERROR, f"{host} is a reserved .invalid name")


class GuardedBackend(httpcore.NetworkBackend):
    """Resolves, checks, then connects to the checked addresses (sync httpcore)."""

    def __init__(self, policy: AddressPolicy, resolver: Resolver = system_resolver) -> None:
        self._policy = policy
        self._resolver = resolver
        self._direct = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        _refuse_special_name(host)
        try:
            resolved = self._resolver(host, port)
        except OSError as exc:
            raise _resolution_failure(host, exc) from exc
        last_error: Exception | None = None
        for ip in _checked_addresses(host, resolved, self._policy):
            try:
                return self._direct.connect_tcp(ip, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last_error = exc
        assert last_error is not None  # _checked_addresses never returns an empty list
        raise last_error

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        raise GuardRefusal(FetchErrorKind.BLOCKED_ADDRESS, "unix sockets are never fetched")

    def sleep(self, seconds: float) -> None:
        self._direct.sleep(seconds)


class AsyncGuardedBackend(httpcore.AsyncNetworkBackend):
    """The asyncio/trio twin of GuardedBackend; the lookup runs in a worker thread."""

    def __init__(self, policy: AddressPolicy, resolver: Resolver = system_resolver) -> None:
        self._policy = policy
        self._resolver = resolver
        self._direct = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        _refuse_special_name(host)
        try:
            # A thread cannot be interrupted, but the task stops waiting for it:
            # a resolver that hangs costs a thread for a while, never the crawl.
            with anyio.fail_after(timeout):
                resolved = await anyio.to_thread.run_sync(
                    self._resolver, host, port, abandon_on_cancel=True
                )
        except TimeoutError as exc:
            raise GuardRefusal(
                FetchErrorKind.TIMEOUT, f"DNS lookup of {host} took more than {timeout} s"
            ) from exc
        except OSError as exc:
            raise _resolution_failure(host, exc) from exc
        last_error: Exception | None = None
        for ip in _checked_addresses(host, resolved, self._policy):
            try:
                return await self._direct.connect_tcp(
                    ip, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last_error = exc
        assert last_error is not None
        raise last_error

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise GuardRefusal(FetchErrorKind.BLOCKED_ADDRESS, "unix sockets are never fetched")

    async def sleep(self, seconds: float) -> None:
        await self._direct.sleep(seconds)


def _refused_to_fetch_error(url: httpx.URL, refusal: GuardRefusal) -> FetchError:
    return FetchError(str(url), refusal.kind, refusal.message)


class GuardedTransport(httpx.HTTPTransport):
    """httpx transport whose every connection goes through GuardedBackend.

    httpx 0.28 has no public way to hand a network backend to HTTPTransport, so
    the connection pool it builds is replaced by an equivalent one that has it
    (the one reliance on an httpx internal; tests/test_netguard.py fails loudly if
    a new httpx renames it, because blocked addresses would then be reached).
    """

    def __init__(
        self,
        policy: AddressPolicy,
        *,
        resolver: Resolver = system_resolver,
        verify: ssl.SSLContext | bool = True,
        limits: httpx.Limits | None = None,
    ) -> None:
        limits = limits or _POOL_LIMITS
        super().__init__(verify=verify, limits=limits)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(verify=verify),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=GuardedBackend(policy, resolver),
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        check_url(request.url)
        try:
            return super().handle_request(request)
        except GuardRefusal as refusal:
            raise _refused_to_fetch_error(request.url, refusal) from refusal


class AsyncGuardedTransport(httpx.AsyncHTTPTransport):
    """The async twin of GuardedTransport, for httpx.AsyncClient."""

    def __init__(
        self,
        policy: AddressPolicy,
        *,
        resolver: Resolver = system_resolver,
        verify: ssl.SSLContext | bool = True,
        limits: httpx.Limits | None = None,
    ) -> None:
        limits = limits or _POOL_LIMITS
        super().__init__(verify=verify, limits=limits)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(verify=verify),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=AsyncGuardedBackend(policy, resolver),
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        check_url(request.url)
        try:
            return await super().handle_async_request(request)
        except GuardRefusal as refusal:
            raise _refused_to_fetch_error(request.url, refusal) from refusal
