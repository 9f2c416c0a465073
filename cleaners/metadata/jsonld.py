"""Article facts from the JSON-LD blocks of a page (schema.org).

Real blocks are messy: Yoast puts the article in an ``@graph`` next to WebPage,
Person and BreadcrumbList nodes and links them by ``@id``; ``@type`` may be a
list; authors and images come as strings, objects or arrays; some blocks carry
trailing commas, raw newlines or HTML entities. This module reads what it can
and returns raw strings; the caller cleans and validates them.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

SCHEMA_ARTICLE_TYPES = frozenset(
    {
        "Article",
        "NewsArticle",
        "BlogPosting",
        "ReportageNewsArticle",
        "AnalysisNewsArticle",
        "OpinionNewsArticle",
        "BackgroundNewsArticle",
        "ReviewNewsArticle",
        "AskPublicNewsArticle",
        "LiveBlogPosting",
        "ScholarlyArticle",
        "TechArticle",
        "SocialMediaPosting",
        "Report",
        "SatiricalArticle",
        "AdvertiserContentArticle",
    }
)
# A page node (WebPage, ItemPage, MedicalWebPage…) is used only when there is no
# article node: Yoast and some CMSs describe a story as a plain page.
PAGE_TYPE_SUFFIX = "Page"
ORGANISATION_TYPE_SUFFIX = "Organization"
OTHER_ORGANISATION_TYPES = frozenset({"Corporation", "LocalBusiness", "NGO", "Brand", "WebSite"})

_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_INVALID_ESCAPE = re.compile(r"\\(?=[^\"\\/bfnrtu])")
_MAX_COUNT_DIGITS = 9
_WRAPPERS = ("<!--", "-->", "<![CDATA[", "]]>", "//<![CDATA[", "//]]>")


@dataclass(frozen=True, slots=True)
class LinkedData:
    """What the page's JSON-LD says about its article; raw, uncleaned strings."""

    title: str | None = None
    authors: tuple[str, ...] = ()
    # the authors typed Organization (a newsroom, the publisher), not Person
    organisation_authors: tuple[str, ...] = ()
    published: str | None = None
    modified: str | None = None
    description: str | None = None
    section: str | None = None
    tags: tuple[str, ...] = ()  # as listed; one value may be a comma-separated list
    image: str | None = None
    body: str | None = None
    word_count: int | None = None
    site_name: str | None = None  # the WebSite node's name
    publisher: str | None = None
    language: str | None = None


def parse_block(text: str) -> Any:
    """The JSON value of one ld+json script, repaired if needed; None if hopeless."""
    for candidate in _repairs(text):
        try:
            # strict=False admits the raw newlines and tabs CMSs leave inside strings
            return json.loads(candidate, strict=False)
        except (ValueError, RecursionError):  # RecursionError: absurdly deep nesting
            continue
    return None


def _repairs(text: str) -> Iterator[str]:
    stripped = text.strip()
    for wrapper in _WRAPPERS:
        stripped = stripped.replace(wrapper, "")
    stripped = stripped.strip().rstrip(";")
    yield stripped
    repaired = _INVALID_ESCAPE.sub("", _TRAILING_COMMA.sub(r"\1", stripped))
    yield repaired
    if "&quot;" in repaired:
        # The whole block was entity-escaped by a template filter.
        yield html.unescape(repaired)


def read_linked_data(blocks: Iterable[str], page_url: str | None = None) -> LinkedData:
    """Facts about the page's article from the texts of its ld+json scripts."""
    nodes = [node for block in blocks for node in _nodes(parse_block(block))]
    by_id = {node["@id"]: node for node in nodes if isinstance(node.get("@id"), str)}
    article = _main_node(
        nodes, lambda types: bool(types & SCHEMA_ARTICLE_TYPES), page_url
    ) or _main_node(nodes, _is_page, page_url)
    site_name = _site_name(nodes)
    if article is None:
        return LinkedData(site_name=site_name)
    return LinkedData(
        title=_text(article.get("headline")) or _text(article.get("name")),
        authors=tuple(_names(article.get("author"), by_id)),
        organisation_authors=tuple(_names(article.get("author"), by_id, _is_organisation)),
        published=_text(article.get("datePublished")) or _text(article.get("dateCreated")),
        modified=_text(article.get("dateModified")),
        description=_text(article.get("description")),
        section=_first_text(article.get("articleSection")),
        tags=tuple(_keywords(article.get("keywords"))),
        image=_image_url(article.get("image"), by_id)
        or _image_url(article.get("thumbnailUrl"), by_id)
        or _image_url(_resolve(article.get("isPartOf"), by_id).get("primaryImageOfPage"), by_id),
        body=_text(article.get("articleBody")),
        word_count=_integer(article.get("wordCount")),
        site_name=site_name,
        publisher=next(_names(article.get("publisher"), by_id), None),
        language=_text(article.get("inLanguage")),
    )


def _nodes(value: Any) -> Iterator[dict[str, Any]]:
    """Every object of a block that may describe the page: top level, @graph, mainEntity."""
    # An explicit stack, not recursion: a hostile block may nest a thousand levels deep.
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, list):
            pending.extend(reversed(item))
        elif isinstance(item, dict):
            yield item
            pending.extend((item.get("mainEntity"), item.get("@graph")))


def _types(node: dict[str, Any]) -> set[str]:
    raw = node.get("@type")
    names = raw if isinstance(raw, list) else [raw]
    # "schema:NewsArticle" and "http://schema.org/NewsArticle" are NewsArticle too
    return {re.split(r"[/:]", name)[-1] for name in names if isinstance(name, str)}


def _is_organisation(types: set[str]) -> bool:
    # NewsMediaOrganization, Corporation, LocalBusiness…: not a person
    return any(
        name.endswith(ORGANISATION_TYPE_SUFFIX) or name in OTHER_ORGANISATION_TYPES
        for name in types
    )


def _is_page(types: set[str]) -> bool:
    return any(name.endswith(PAGE_TYPE_SUFFIX) for name in types)


def _main_node(
    nodes: list[dict[str, Any]], wanted: Callable[[set[str]], bool], page_url: str | None
) -> dict[str, Any] | None:
    candidates = [node for node in nodes if wanted(_types(node))]
    if not candidates:
        return None
    # A listing page may describe several articles; the one about this URL wins,
    # then the first that has a headline.
    if page_url:
        wanted = _comparable(page_url)
        for node in candidates:
            if any(_comparable(url) == wanted for url in _urls_named_by(node)):
                return node
    return next((node for node in candidates if node.get("headline")), candidates[0])


def _urls_named_by(node: dict[str, Any]) -> Iterator[str]:
    for key in ("url", "mainEntityOfPage", "@id"):
        value = node.get(key)
        if isinstance(value, dict):
            value = value.get("@id") or value.get("url")
        if isinstance(value, str):
            yield value


def _comparable(url: str) -> str:
    return url.split("#", 1)[0].rstrip("/").lower()


def _site_name(nodes: list[dict[str, Any]]) -> str | None:
    websites = (node for node in nodes if "WebSite" in _types(node))
    return next((name for name in (_text(node.get("name")) for node in websites) if name), None)


def _resolve(value: Any, by_id: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The node a value stands for, completed by the node its "@id" points at."""
    if isinstance(value, list):
        value = value[0] if value else None
    if not isinstance(value, dict):
        return {}
    reference = value.get("@id")
    if isinstance(reference, str) and reference in by_id:
        return {**by_id[reference], **value}
    return value


def _names(
    value: Any,
    by_id: dict[str, dict[str, Any]],
    wanted: Callable[[set[str]], bool] | None = None,
) -> Iterator[str]:
    """The names of the people or organisations ``value`` gives; of the ``wanted`` types only,
    when given."""
    values = value if isinstance(value, list) else [value]
    for item in values:
        if isinstance(item, str):
            if wanted is None:
                yield item
            continue
        node = _resolve(item, by_id)
        if wanted is not None and not wanted(_types(node)):
            continue
        name = _text(node.get("name"))
        if name is None and (node.get("givenName") or node.get("familyName")):
            name = " ".join(
                filter(None, (_text(node.get("givenName")), _text(node.get("familyName"))))
            )
        if name:
            yield name


def _image_url(value: Any, by_id: dict[str, dict[str, Any]]) -> str | None:
    values = value if isinstance(value, list) else [value]
    for item in values:
        if isinstance(item, str) and item.strip():
            return item
        node = _resolve(item, by_id)
        url = _text(node.get("url")) or _text(node.get("contentUrl"))
        if url:
            return url
    return None


def _keywords(value: Any) -> Iterator[str]:
    # "a, b" stays one string: the caller splits a lone comma-separated value
    values = value if isinstance(value, list) else [value]
    yield from (word for word in values if isinstance(word, str) and word.strip())


def _text(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value
    if isinstance(value, dict):
        # {"@value": "...", "@language": "fr"} literals
        return _text(value.get("@value"))
    return None


def _first_text(value: Any) -> str | None:
    if isinstance(value, list):
        return next((text for text in map(_text, value) if text), None)
    return _text(value)


def _integer(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = value.strip() if isinstance(value, str) else ""
    # isdecimal, not isdigit: int() refuses "²"; and no 5,000-digit "counts"
    if text.isdecimal() and len(text) <= _MAX_COUNT_DIGITS:
        return int(text)
    return None
