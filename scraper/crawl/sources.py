"""The crawl's sources file: TOML in, frozen dataclasses out.

Every mistake becomes a ``ConfigError`` whose message names the file and the
key (or the line, for TOML syntax errors), so cron mail says what to fix.
"""

from __future__ import annotations

import ipaddress
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scraper.config import DEFAULT_USER_AGENT
from scraper.errors import ConfigError
from scraper.urls import host_of, is_http_url

DEFAULT_DELAY = 1.0  # seconds between two requests to one host
DEFAULT_MAX_DEPTH = 1  # start page -> the articles it links to
DEFAULT_CONCURRENCY = 16  # hosts fetched at the same time

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True, slots=True)
class Source:
    """One site (or group of hosts) to crawl and the rules that bound it."""

    name: str
    start: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    include: tuple[re.Pattern[str], ...] = ()
    exclude: tuple[re.Pattern[str], ...] = ()
    max_depth: int = DEFAULT_MAX_DEPTH
    delay: float | None = None  # None: the file's top-level delay
    hosts: frozenset[str] = frozenset()  # hosts of start/feeds/sitemaps plus `hosts`

    @property
    def seeds(self) -> tuple[str, ...]:
        return self.start + self.feeds + self.sitemaps

    def owns(self, host: str) -> bool:
        return host in self.hosts

    def wants_article(self, url: str) -> bool:
        """True when ``url`` passes the include and exclude patterns."""
        if self.is_excluded(url):
            return False
        return not self.include or any(pattern.search(url) for pattern in self.include)

    def is_excluded(self, url: str) -> bool:
        return any(pattern.search(url) for pattern in self.exclude)


@dataclass(frozen=True, slots=True)
class CrawlConfig:
    """Everything the sources file says."""

    sources: tuple[Source, ...]
    user_agent: str = DEFAULT_USER_AGENT
    delay: float = DEFAULT_DELAY
    concurrency: int = DEFAULT_CONCURRENCY
    max_pages: int | None = None
    allow_private: tuple[IPNetwork, ...] = ()

    def delay_for(self, source: Source) -> float:
        return self.delay if source.delay is None else source.delay

    def source_named(self, name: str) -> Source | None:
        return next((source for source in self.sources if source.name == name), None)


_TOP_KEYS = frozenset(
    {"user_agent", "delay", "concurrency", "max_pages", "allow_private", "sources"}
)
_SOURCE_KEYS = frozenset(
    {"name", "start", "feeds", "sitemaps", "include", "exclude", "max_depth", "delay", "hosts"}
)


def load_sources(path: str | Path) -> CrawlConfig:
    """Read and validate a sources file."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    try:
        document = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start})") from exc
    except tomllib.TOMLDecodeError as exc:
        # tomllib's message already carries "(at line L, column C)".
        raise ConfigError(f"{path}: TOML syntax error: {exc}") from exc
    return parse_sources(document, origin=str(path))


def parse_sources(document: Mapping[str, Any], *, origin: str = "<sources>") -> CrawlConfig:
    """Validate an already-parsed TOML document."""
    _reject_unknown(document, _TOP_KEYS, origin)
    raw_sources = document.get("sources")
    if not isinstance(raw_sources, list) or not raw_sources:
        raise ConfigError(f"{origin}: key 'sources': at least one [[sources]] table is required")
    sources = tuple(
        _parse_source(entry, f"{origin}: [[sources]] #{index}")
        for index, entry in enumerate(raw_sources, start=1)
    )
    names = [source.name for source in sources]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ConfigError(f"{origin}: key 'name': duplicate source name {duplicates[0]!r}")
    return CrawlConfig(
        sources=sources,
        user_agent=_typed(document, "user_agent", str, origin, DEFAULT_USER_AGENT),
        delay=_non_negative(document, "delay", origin, DEFAULT_DELAY),
        concurrency=_positive_int(document, "concurrency", origin, DEFAULT_CONCURRENCY),
        max_pages=_positive_int(document, "max_pages", origin, None),
        allow_private=parse_networks(
            _string_list(document, "allow_private", origin), f"{origin}: key 'allow_private'"
        ),
    )


def parse_networks(values: tuple[str, ...] | list[str], where: str) -> tuple[IPNetwork, ...]:
    """CIDR strings -> networks; also used for the CLI's ``--allow-private``."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value, strict=False))
        except ValueError as exc:
            raise ConfigError(f"{where}: {value!r} is not a CIDR network ({exc})") from exc
    return tuple(networks)


def _parse_source(entry: Any, where: str) -> Source:
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: must be a table")
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"{where}: key 'name': a non-empty string is required")
    where = f"{where} ({name})"
    _reject_unknown(entry, _SOURCE_KEYS, where)
    start = _urls(entry, "start", where)
    feeds = _urls(entry, "feeds", where)
    sitemaps = _urls(entry, "sitemaps", where)
    if not (start or feeds or sitemaps):
        raise ConfigError(f"{where}: needs at least one of 'start', 'feeds', 'sitemaps'")
    hosts = frozenset(host_of(url) for url in start + feeds + sitemaps) | _hosts(entry, where)
    return Source(
        name=name,
        start=start,
        feeds=feeds,
        sitemaps=sitemaps,
        include=_patterns(entry, "include", where),
        exclude=_patterns(entry, "exclude", where),
        max_depth=_non_negative_int(entry, "max_depth", where, DEFAULT_MAX_DEPTH),
        delay=_non_negative(entry, "delay", where, None),
        hosts=hosts,
    )


def _reject_unknown(table: Mapping[str, Any], known: frozenset[str], where: str) -> None:
    for key in table:
        if key not in known:
            raise ConfigError(
                f"{where}: unknown key {key!r} (expected one of {', '.join(sorted(known))})"
            )


def _typed(table: Mapping[str, Any], key: str, kind: type, where: str, default: Any) -> Any:
    if key not in table:
        return default
    value = table[key]
    # bool is an int in Python; a TOML `true` is never a valid number here.
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise ConfigError(f"{where}: key {key!r}: expected {kind.__name__}, got {value!r}")
    return value


def _checked(
    table: Mapping[str, Any],
    key: str,
    where: str,
    default: Any,
    kind: type | tuple[type, ...],
    ok: Callable[[Any], bool],
    expected: str,
) -> Any:
    if key not in table:
        return default
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, kind) or not ok(value):
        raise ConfigError(f"{where}: key {key!r}: expected {expected}, got {value!r}")
    return value


def _non_negative(table: Mapping[str, Any], key: str, where: str, default: Any) -> Any:
    value = _checked(
        table, key, where, default, (int, float), lambda v: v >= 0, "a number >= 0 (seconds)"
    )
    return None if value is None else float(value)


def _non_negative_int(table: Mapping[str, Any], key: str, where: str, default: Any) -> Any:
    return _checked(table, key, where, default, int, lambda v: v >= 0, "an integer >= 0")


def _positive_int(table: Mapping[str, Any], key: str, where: str, default: Any) -> Any:
    return _checked(table, key, where, default, int, lambda v: v > 0, "an integer > 0")


def _string_list(table: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{where}: key {key!r}: expected a list of strings, got {value!r}")
    return tuple(value)


def _hosts(table: Mapping[str, Any], where: str) -> frozenset[str]:
    """Extra host names a source's links may lead to (a CDN, a mobile site)."""
    try:
        return frozenset(host_of(f"http://{host}/") for host in _string_list(table, "hosts", where))
    except ValueError as exc:
        raise ConfigError(f"{where}: key 'hosts': {exc}") from exc


def _urls(table: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    urls = _string_list(table, key, where)
    for url in urls:
        if not is_http_url(url):
            raise ConfigError(f"{where}: key {key!r}: {url!r} is not an http(s) URL")
    return urls


def _patterns(table: Mapping[str, Any], key: str, where: str) -> tuple[re.Pattern[str], ...]:
    patterns = []
    for text in _string_list(table, key, where):
        try:
            patterns.append(re.compile(text))
        except re.error as exc:
            raise ConfigError(
                f"{where}: key {key!r}: bad regular expression {text!r}: {exc}"
            ) from exc
    return tuple(patterns)
