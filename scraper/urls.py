"""URL normalisation: one spelling per page, and one dedup key per article URL.

``normalize_url`` gives a URL that still fetches the same page (lower-case scheme
and host, no default port, no fragment, dot segments resolved, unsafe characters
percent-encoded). ``url_key`` goes further and folds the variants under which
news sites serve one article (``www.``, trailing slash, AMP switches, tracking
parameters, parameter order) into one string; ``article_urls`` stores that key.

Everything here is pure string work (the standard library, and ``idna`` to check
international host names as the fetcher does), so the crawler can call it for
every discovered link.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

import idna

# Longest URL browsers and crawlers commonly accept; longer ones are refused so
# a hostile page cannot make us store arbitrarily large keys.
MAX_URL_LENGTH = 2083

_SCHEMES = frozenset({"http", "https"})
_DEFAULT_PORTS = {"http": 80, "https": 443}

# Characters left as they are when percent-encoding a path or query: RFC 3986
# reserved and unreserved characters, plus "%" so existing escapes survive.
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_QUERY_SAFE = _PATH_SAFE + "?"
_ESCAPE = re.compile(r"%[0-9a-fA-F]{2}")
# Characters that cannot appear in a host name, even an internationalised one.
_BAD_HOST = re.compile(r"[\x00-\x20\x7f<>\"{}|\\^`%]")
# The user name and password are kept as written: a control character would reach
# the fetcher raw, and it refuses the URL.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Trailing slashes and "/amp" segments, any number of them, in any order.
_PATH_TAIL = re.compile(r"(?:/(?:amp)?)+$")
_WWW = "www."

# Query parameters that only say where a click came from, never which page.
_TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "ref",
        "ref_src",
        "ref_url",
        "referrer",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "xtor",
        "ocid",
        "cmpid",
        "smid",
        "share",
        "sr_share",
    }
)
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "matomo_", "hsa_", "oly_", "vero_", "at_")
# Switches that ask for the AMP rendering of the same article.
_AMP_PARAMS = frozenset({"amp"})
_AMP_VALUED_PARAMS = frozenset({"outputtype"})  # outputType=amp


def normalize_url(url: str, base: str | None = None) -> str:
    """Return the canonical spelling of an http(s) URL, resolved against ``base``.

    Raises ``ValueError`` when the result is not an absolute http(s) URL with a
    host, has an invalid port, or is longer than ``MAX_URL_LENGTH``.
    """
    url = url.strip()
    try:
        url.encode("utf-8")  # lone surrogates cannot be percent-encoded
        if base is not None:
            url = urljoin(base.strip(), url)
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:  # also bad IPv6 literals and ports
        raise ValueError(f"not a valid URL: {url!r}") from exc
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in _SCHEMES or not host or _BAD_HOST.search(host):
        raise ValueError(f"not an http(s) URL: {url!r}")
    if not host.isascii() and not _is_idna(host):
        raise ValueError(f"not a valid international host name: {url!r}")
    if _CONTROL.search(parts.username or "") or _CONTROL.search(parts.password or ""):
        raise ValueError(f"control character in the user name or password: {url!r}")
    netloc = _netloc(parts.username, parts.password, host, port, scheme)
    path = _percent_encode(_remove_dot_segments(parts.path or "/"), _PATH_SAFE)
    query = _percent_encode(parts.query, _QUERY_SAFE)
    normalized = urlunsplit((scheme, netloc, path, query, ""))
    if len(normalized) > MAX_URL_LENGTH:
        raise ValueError(f"URL longer than {MAX_URL_LENGTH} characters")
    return normalized


def url_key(url: str, base: str | None = None) -> str:
    """Return the dedup key of a URL: the variants of one article share one key.

    On top of ``normalize_url``: a leading ``www.`` is dropped, so are trailing
    slashes and ``/amp`` segments (the root stays ``/``), the AMP switches
    (``amp``, ``amp=1``, ``outputType=amp``) and tracking parameters (``utm_*``,
    ``fbclid``, ``gclid``, ``mc_cid``, ``ref``…); the remaining parameters are sorted.
    Raises ``ValueError`` like ``normalize_url``, or when the key itself is too long.
    """
    parts = urlsplit(normalize_url(url, base))
    host = _without_www(parts.hostname or "")
    netloc = _netloc(parts.username, parts.password, host, parts.port, parts.scheme)
    path = _PATH_TAIL.sub("", parts.path) or "/"
    params = sorted(
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if not _is_noise_param(name, value)
    )
    key = urlunsplit((parts.scheme, netloc, path, urlencode(params), ""))
    if len(key) > MAX_URL_LENGTH:  # re-encoding the query can lengthen it
        raise ValueError(f"URL key longer than {MAX_URL_LENGTH} characters")
    return key


def host_of(url: str) -> str:
    """Return the lower-case host name of an http(s) URL, without port or ``www.``.

    Raises ``ValueError`` for anything ``normalize_url`` refuses.
    """
    return _without_www(urlsplit(normalize_url(url)).hostname or "")


def is_http_url(text: str) -> bool:
    """Tell whether ``text`` is an absolute http(s) URL that ``normalize_url`` accepts."""
    try:
        normalize_url(text)
    except ValueError:
        return False
    return True


def _is_idna(host: str) -> bool:
    """Whether the fetcher can encode ``host`` (IDNA 2008, as httpx does)."""
    try:
        idna.encode(host)
    except idna.IDNAError:
        return False
    return True


def _without_www(host: str) -> str:
    """Drop leading "www." labels, but never down to a bare top-level domain."""
    while host.startswith(_WWW) and "." in host[len(_WWW) :]:
        host = host[len(_WWW) :]
    return host


def _netloc(
    username: str | None, password: str | None, host: str, port: int | None, scheme: str
) -> str:
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc = f"{netloc}:{port}"
    if username is not None:
        userinfo = username if password is None else f"{username}:{password}"
        netloc = f"{userinfo}@{netloc}"
    return netloc


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4 for an absolute path."""
    if "." not in path:
        return path
    kept: list[str] = []
    for segment in path.split("/")[1:]:
        if segment == "..":
            if kept:
                kept.pop()
        elif segment != ".":
            kept.append(segment)
    trailing = "/" if path.endswith(("/.", "/..")) else ""
    return "/" + "/".join(kept) + trailing


def _percent_encode(text: str, safe: str) -> str:
    """Encode what must be encoded and upper-case existing escapes (%c3 → %C3)."""
    encoded = quote(text, safe=safe)
    return _ESCAPE.sub(lambda match: match.group(0).upper(), encoded)


def _is_noise_param(name: str, value: str) -> bool:
    name = name.lower()
    if name in _TRACKING_PARAMS or name in _AMP_PARAMS or name.startswith(_TRACKING_PREFIXES):
        return True
    return name in _AMP_VALUED_PARAMS and value.lower() == "amp"
