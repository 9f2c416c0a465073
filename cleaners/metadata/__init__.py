"""Article metadata from a parsed page: title, authors, dates, URLs, image, tags.

Sources in order of trust: JSON-LD, then OpenGraph and other meta tags, then
``time[datetime]``, then what the page shows (h1, bylines, visible dates), then
the date a URL path spells out. All of it is read from the one tree the cleaner
already parsed, before pruning, with CSS selectors: no second parse, no
whole-document date search.

``read_metadata`` here gathers the fields; each has its module: ``jsonld`` and
``metatext`` (what the page declares), ``titles``, ``authors`` and ``bylines``, ``dates``,
``datewords`` and ``pagedates``, ``zones`` (where bylines and dates may be), ``language``
and ``images``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import chain

from selectolax.lexbor import LexborHTMLParser

from cleaners.headers import header_value
from cleaners.markup.links import absolute_url, base_url
from cleaners.markup.scoped import all_on_path
from cleaners.metadata.bylines import page_authors
from cleaners.metadata.images import lead_image
from cleaners.metadata.jsonld import LinkedData, read_linked_data
from cleaners.metadata.language import language_from_tag
from cleaners.metadata.metatext import (
    MetaTags,
    attribute,
    first_clean,
    first_meta,
    meta_tags,
    unescape,
    unique,
)
from cleaners.metadata.pagedates import page_dates
from cleaners.metadata.titles import page_title
from cleaners.metadata.zones import headline_node


@dataclass(frozen=True, slots=True)
class PageMetadata:
    """What a page says about its article, independent of the extracted text."""

    title: str | None = None
    authors: tuple[str, ...] = ()
    # ISO-8601, with the UTC offset when the page gives one; a bare date when only a
    # date is known.
    published: str | None = None
    modified: str | None = None
    language_hint: str | None = None  # ISO 639-1, from the page's labels, not its text
    canonical_url: str | None = None
    site_name: str | None = None
    description: str | None = None
    section: str | None = None
    tags: tuple[str, ...] = ()
    image: str | None = None  # absolute, never a data: placeholder
    json_ld_body: str | None = None
    json_ld_word_count: int | None = None


LINKED_DATA_META = "script:ld+json"
# The article's tag list; WordPress marks category links rel="category tag", and
# categories are not tags.
_TAG_LINKS = "a[rel~=tag]:not([rel~=category])"
_TAG_LISTS = ".tdb-tags, .td-tags, .tags-links, .post-tags, .entry-tags, .article-tags"


def read_metadata(
    tree: LexborHTMLParser,
    url: str | None = None,
    headers: Mapping[str, str] | None = None,
    *,
    fetched_at: datetime | None = None,
) -> PageMetadata:
    """Metadata of the page parsed into ``tree`` (before any pruning).

    ``url`` resolves relative links; ``headers`` (any case) may carry
    Content-Language; ``fetched_at`` (timezone-aware) dates relative bylines such as
    "il y a 6 heures", which are otherwise left undated.
    """
    meta = meta_tags(tree)
    scripts = (node.text() for node in tree.css('script[type="application/ld+json" i]'))
    # some React frameworks' meta helpers write the JSON-LD given under the key
    # "script:ld+json" as <meta name="script:ld+json" content="{…}">, not as a script
    linked = read_linked_data(chain(scripts, meta.get(LINKED_DATA_META, ())), url)
    base = base_url(tree, url)
    site_name = first_clean(
        name
        for name in (
            linked.site_name,
            first_meta(meta, "og:site_name"),
            linked.publisher,
            first_meta(meta, "application-name"),
        )
        if name and not _is_address(name)
    )
    canonical_url = _canonical_url(tree, meta, base)
    declared_title = first_clean(
        (linked.title, first_meta(meta, "og:title"), first_meta(meta, "twitter:title"))
    )
    headline = headline_node(tree, declared_title)
    published, modified = page_dates(tree, meta, linked, headline, (canonical_url, url), fetched_at)
    return PageMetadata(
        title=page_title(tree, headline, declared_title, site_name),
        authors=page_authors(tree, meta, linked, headline, site_name),
        published=published,
        modified=modified,
        language_hint=_language_hint(tree, meta, linked, headers),
        canonical_url=canonical_url,
        site_name=site_name,
        description=first_clean(
            (
                linked.description,
                first_meta(meta, "og:description"),
                first_meta(meta, "description"),
                first_meta(meta, "twitter:description"),
            )
        ),
        section=first_clean(
            (
                linked.section,
                first_meta(meta, "article:section"),
                first_meta(meta, "og:article:section"),
            )
        ),
        tags=_tags(tree, meta, linked),
        image=_image(tree, meta, linked, base),
        json_ld_body=unescape(linked.body).strip() if linked.body else None,
        json_ld_word_count=linked.word_count,
    )


# --- fields -------------------------------------------------------------------------


def _is_address(value: str) -> bool:
    """A URL, an e-mail address or a social handle, where a name was expected."""
    return "://" in value or "@" in value


def _language_hint(
    tree: LexborHTMLParser,
    meta: MetaTags,
    linked: LinkedData,
    headers: Mapping[str, str] | None,
) -> str | None:
    # The DOM's <html>, never a regex on the source: IE conditional comments carry a
    # decoy <html lang="en"> before the real one.
    root = tree.css_first("html")
    header_language = header_value(headers, "content-language")
    candidates = (
        attribute(root, "lang"),
        attribute(root, "xml:lang"),
        linked.language,
        first_meta(meta, "og:locale"),
        first_meta(meta, "content-language"),
        first_meta(meta, "language", "dc.language"),
        header_language,
    )
    return next((code for code in map(language_from_tag, candidates) if code), None)


def _canonical_url(tree: LexborHTMLParser, meta: MetaTags, base: str | None) -> str | None:
    canonical = attribute(tree.css_first("link[rel~=canonical i][href]"), "href")
    return absolute_url(canonical, base) or absolute_url(first_meta(meta, "og:url"), base)


def _tags(tree: LexborHTMLParser, meta: MetaTags, linked: LinkedData) -> tuple[str, ...]:
    declared = (linked.tags, meta.get("article:tag", ()), meta.get("news_keywords", ()))
    for source in declared:
        tags = unique(tag for tag in _split_single_list(source) if _is_tag(tag))
        if tags:
            return tags
    # only when nothing was declared: links marked as tags, else a theme's tag list
    links = tree.css(_TAG_LINKS) or all_on_path(tree, (_TAG_LISTS, "a"))
    return unique(node.text() for node in links)


def _split_single_list(values: Sequence[str]) -> Sequence[str]:
    # One value holding commas is a list ("Hong Kong,Protest,Asia"); several values
    # each holding a comma are names ("Trump, Donald J").
    return values[0].split(",") if len(values) == 1 else values


def _is_tag(value: str) -> bool:
    # CMS-internal labels ("@hp-top", "_no-apple-news", "/section/x") are not topics
    stripped = value.strip()
    return bool(stripped) and stripped[0] not in "@_/"


def _image(
    tree: LexborHTMLParser, meta: MetaTags, linked: LinkedData, base: str | None
) -> str | None:
    declared = (
        linked.image,
        first_meta(meta, "og:image:secure_url", "og:image:url", "og:image"),
        first_meta(meta, "twitter:image", "twitter:image:src"),
        attribute(tree.css_first("link[rel~=image_src i]"), "href"),
    )
    for candidate in declared:
        image = absolute_url(unescape(candidate) if candidate else None, base)
        if image:
            return image
    return lead_image(tree, base)
