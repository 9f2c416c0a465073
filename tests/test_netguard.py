"""The SSRF guard: address policy, URL checks, and the guarded httpx transports.

Transport tests run against a real FaultServer; an injected resolver stands in
for DNS where a test needs a hostname (there is no DNS server here).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time

import httpx
import pytest
from fault_server import FaultServer
from hypothesis import given
from hypothesis import strategies as st

from scraper.errors import FetchError, FetchErrorKind
from scraper.fetch import fetch_page, fetch_page_async, make_async_client, make_client
from scraper.fetch.netguard import (
    AddressPolicy,
    AsyncGuardedTransport,
    GuardedTransport,
    check_url,
    embedded_ipv4,
)

BLOCKED = [
    "127.0.0.1",
    "127.255.255.254",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",  # cloud metadata endpoint
    "100.64.0.1",  # carrier-grade NAT
    "0.0.0.0",
    "255.255.255.255",
    "224.0.1.1",  # multicast, which ipaddress calls global
    "240.0.0.1",  # reserved
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "fd12:3456::1",
    "ff02::1",
    "::ffff:127.0.0.1",  # IPv4-mapped loopback
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",
    "2002:7f00:1::1",  # 6to4 wrapping 127.0.0.1
    "2002:a9fe:a9fe::",  # 6to4 wrapping 169.254.169.254
    "64:ff9b::a00:1",  # NAT64 wrapping 10.0.0.1
    "2001:db8::1",  # documentation
]
PUBLIC = ["8.8.8.8", "93.184.216.34", "2606:4700::1111", "::ffff:8.8.8.8", "2002:808:808::"]


@pytest.mark.parametrize("address", BLOCKED)
def test_non_public_addresses_are_blocked_by_default(address: str) -> None:
    assert AddressPolicy().is_blocked(address)


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_pass(address: str) -> None:
    assert not AddressPolicy().is_blocked(address)


def test_allow_private_opens_exactly_the_given_ranges() -> None:
    policy = AddressPolicy.from_cidrs(["127.0.0.0/8", "fd00::/8"])
    assert not policy.is_blocked("127.0.0.2")
    assert not policy.is_blocked("::ffff:127.0.0.1")  # the mapped form of an allowed address
    assert not policy.is_blocked("fd12::1")
    assert policy.is_blocked("10.0.0.1")
    assert policy.is_blocked("169.254.169.254")
    assert policy.is_blocked("::1")


def test_scoped_link_local_address_is_blocked() -> None:
    assert AddressPolicy().is_blocked("fe80::1%1")


def test_malformed_cidr_is_refused() -> None:
    with pytest.raises(ValueError):
        AddressPolicy.from_cidrs(["127.0.0.0/33"])


def test_trust_all_allows_loopback() -> None:
    assert not AddressPolicy.trust_all().is_blocked("127.0.0.1")
    assert not AddressPolicy.trust_all().is_blocked("::1")


@given(st.ip_addresses(v=4))
def test_wrapped_ipv4_is_judged_like_the_address_it_wraps(address: ipaddress.IPv4Address) -> None:
    policy = AddressPolicy()
    mapped = ipaddress.IPv6Address(f"::ffff:{address}")
    assert embedded_ipv4(mapped) == address
    assert policy.is_blocked(mapped) == policy.is_blocked(address)
    sixtofour = ipaddress.IPv6Address((0x2002 << 112) | (int(address) << 80))
    assert policy.is_blocked(sixtofour) == policy.is_blocked(address)


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("file:///etc/passwd", FetchErrorKind.BAD_SCHEME),
        ("ftp://example.org/a.html", FetchErrorKind.BAD_SCHEME),
        ("data:text/html,<p>hi</p>", FetchErrorKind.BAD_SCHEME),
        ("gopher://example.org/", FetchErrorKind.BAD_SCHEME),
        ("http://example.org/" + "a" * 2100, FetchErrorKind.INVALID_URL),
    ],
)
def test_check_url_refuses(url: str, kind: str) -> None:
    with pytest.raises(FetchError) as caught:
        check_url(url)
    assert caught.value.kind == kind


def test_check_url_accepts_http_and_https_up_to_the_limit() -> None:
    check_url("https://example.org/")
    check_url("HTTP://example.org/" + "a" * (2083 - len("HTTP://example.org/")))


def _fixed_resolver(answers: dict[str, list[str]], calls: list[str] | None = None):
    def resolve(host: str, port: int) -> list[str]:
        if calls is not None:
            calls.append(host)
        if host not in answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return answers[host]

    return resolve


def test_loopback_refused_without_connecting() -> None:
    with FaultServer() as server:
        client = make_client(transport=GuardedTransport(AddressPolicy()))
        with pytest.raises(FetchError) as caught:
            fetch_page(client, server.url("/article"))
    assert caught.value.kind == FetchErrorKind.BLOCKED_ADDRESS
    assert caught.value.url == server.url("/article")
    assert server.connections == 0


def test_connects_to_the_checked_address_with_the_hostname_in_host_header() -> None:
    """One lookup, then the checked address is dialled; Host still names the site."""
    calls: list[str] = []
    resolver = _fixed_resolver({"news.example": ["127.0.0.2"]}, calls)
    policy = AddressPolicy.from_cidrs(["127.0.0.2/32"])
    with FaultServer(host="127.0.0.2") as server:
        client = make_client(transport=GuardedTransport(policy, resolver=resolver))
        result = fetch_page(client, f"http://news.example:{server.port}/article")
    assert result.status == 200
    assert calls == ["news.example"]
    assert server.requests_for("/article")[0].headers["host"] == f"news.example:{server.port}"


def test_dns_rebinding_cannot_switch_address_after_the_check() -> None:
    """A resolver answering public first and loopback after is asked only once per connect."""
    answers = iter([["8.8.8.8"], ["127.0.0.1"]])
    seen: list[str] = []

    def rebinding(host: str, port: int) -> list[str]:
        seen.append(host)
        return next(answers)

    with FaultServer() as server:
        transport = GuardedTransport(AddressPolicy(), resolver=rebinding)
        client = httpx.Client(transport=transport, timeout=0.5)
        # First lookup says 8.8.8.8 (public, allowed) -> the dial goes there, never to us.
        with pytest.raises(httpx.HTTPError):
            client.get(f"http://rebind.example:{server.port}/article")
        # Second lookup says loopback -> refused before any connection.
        with pytest.raises(FetchError) as caught:
            client.get(f"http://rebind.example:{server.port}/other")
    assert caught.value.kind == FetchErrorKind.BLOCKED_ADDRESS
    assert seen == ["rebind.example", "rebind.example"]
    assert server.connections == 0


def test_a_host_with_one_private_address_among_public_ones_is_refused() -> None:
    resolver = _fixed_resolver({"mixed.example": ["8.8.8.8", "10.0.0.5"]})
    client = make_client(transport=GuardedTransport(AddressPolicy(), resolver=resolver))
    with pytest.raises(FetchError) as caught:
        fetch_page(client, "http://mixed.example/")
    assert caught.value.kind == FetchErrorKind.BLOCKED_ADDRESS
    assert "10.0.0.5" in caught.value.message


@pytest.mark.parametrize(
    ("host", "kind"),
    [
        ("2130706433", FetchErrorKind.BLOCKED_ADDRESS),
        ("0x7f000001", FetchErrorKind.BLOCKED_ADDRESS),
        ("127.1", FetchErrorKind.BLOCKED_ADDRESS),
        ("[::1]", FetchErrorKind.BLOCKED_ADDRESS),
        ("[::ffff:127.0.0.1]", FetchErrorKind.BLOCKED_ADDRESS),
        ("[::ffff:7f00:1]", FetchErrorKind.BLOCKED_ADDRESS),
        ("0177.0.0.1", FetchErrorKind.INVALID_URL),  # httpx refuses octal before any lookup
    ],
)
def test_unusual_spellings_of_loopback_are_refused(host: str, kind: str) -> None:
    """Whatever spelling the system resolver accepts, the address it yields is what is judged."""
    client = make_client(transport=GuardedTransport(AddressPolicy()))
    with pytest.raises(FetchError) as caught:
        fetch_page(client, f"http://{host}:1/")
    assert caught.value.kind == kind


def test_invalid_tld_is_a_permanent_dns_error_without_asking_the_resolver() -> None:
    calls: list[str] = []
    transport = GuardedTransport(AddressPolicy(), resolver=_fixed_resolver({}, calls))
    with pytest.raises(FetchError) as caught:
        fetch_page(make_client(transport=transport), "http://nothing-here.invalid/")
    assert caught.value.kind == FetchErrorKind.DNS_ERROR
    assert calls == []


def test_unknown_name_is_a_dns_error() -> None:
    transport = GuardedTransport(AddressPolicy(), resolver=_fixed_resolver({}))
    with pytest.raises(FetchError) as caught:
        fetch_page(make_client(transport=transport), "http://unknown.example/")
    assert caught.value.kind == FetchErrorKind.DNS_ERROR


def test_resolver_temporary_failure_is_a_transient_timeout() -> None:
    """EAI_AGAIN is how getaddrinfo reports a resolver that did not answer in time."""

    def timing_out(host: str, port: int) -> list[str]:
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    transport = GuardedTransport(AddressPolicy(), resolver=timing_out)
    with pytest.raises(FetchError) as caught:
        fetch_page(make_client(transport=transport), "http://slow-dns.example/")
    assert caught.value.kind == FetchErrorKind.TIMEOUT


def test_async_resolver_hang_is_cut_by_the_connect_timeout() -> None:
    def hanging(host: str, port: int) -> list[str]:
        time.sleep(3)
        return ["8.8.8.8"]

    async def fetch() -> None:
        transport = AsyncGuardedTransport(AddressPolicy(), resolver=hanging)
        async with httpx.AsyncClient(transport=transport, timeout=0.3) as client:
            await client.get("http://hanging-dns.example/")

    started = time.monotonic()
    with pytest.raises(FetchError) as caught:
        asyncio.run(fetch())
    assert caught.value.kind == FetchErrorKind.TIMEOUT
    assert time.monotonic() - started < 2.5  # did not wait for the resolver thread


def test_async_transport_blocks_and_allows_like_the_sync_one() -> None:
    async def fetch(policy: AddressPolicy, url: str) -> int:
        async with make_async_client(transport=AsyncGuardedTransport(policy)) as client:
            return (await fetch_page_async(client, url)).status

    with FaultServer() as server:
        with pytest.raises(FetchError) as caught:
            asyncio.run(fetch(AddressPolicy(), server.url("/article")))
        assert caught.value.kind == FetchErrorKind.BLOCKED_ADDRESS
        assert server.connections == 0
        assert asyncio.run(fetch(AddressPolicy.from_cidrs(["127.0.0.0/8"]), server.url("/article")))
    assert server.connections == 1


def test_transport_refuses_overlong_urls_before_connecting() -> None:
    with FaultServer() as server:
        transport = GuardedTransport(AddressPolicy.trust_all())
        with pytest.raises(FetchError) as caught:
            fetch_page(make_client(transport=transport), server.url("/" + "a" * 2100))
    assert caught.value.kind == FetchErrorKind.INVALID_URL
    assert server.connections == 0
