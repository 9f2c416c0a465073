"""Article metadata from a parsed page: title, authors, dates, URLs, image, tags.

Sources in order of trust: JSON-LD, then OpenGraph and other meta tags, then
``time[datetime]``, then what the page shows (h1, bylines, visible dates), then
the date a URL path spells out. All of it is read from the one tree the cleaner
already parsed, before pruning, with CSS selectors: no second parse, no
whole-document date search.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import islice

from selectolax.lexbor import LexborHTMLParser, LexborNode

from cleaners.dates import date_from_url, has_offset, normalize_iso, offset_of, parse_visible_date
from cleaners.images import lead_image
from cleaners.jsonld import LinkedData, read_linked_data
from cleaners.language import language_from_tag
from cleaners.links import absolute_url, base_url
from cleaners.scoped import SelectorPath, all_on_path, first_of_paths, first_on_path


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


_ENTITY = re.compile(r"&(?:#\d+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
_SPACES = re.compile(r"\s+")
_TITLE_SEPARATORS = (" - ", " | ", " – ", " — ", " · ", " :: ", " » ", " : ")
_BYLINE_PREFIX = re.compile(
    r"^(?:by|par|von|por|di|da|door|av|autor|author|auteur|autore|written by|écrit par)"
    r"\s*:?\s+",
    re.IGNORECASE,
)

_PUBLISHED_META = (
    "article:published_time",
    "og:article:published_time",
    "article:published",
    "datepublished",
    "dc.date.issued",
    "dc.date",
    "dcterms.created",
    "date",
    "pubdate",
    "publishdate",
    "publish-date",
    "parsely-pub-date",
    "sailthru.date",
)
_MODIFIED_META = (
    "article:modified_time",
    "og:article:modified_time",
    "article:modified",
    "og:updated_time",
    "datemodified",
    "dcterms.modified",
    "last-modified",
)
# Paths of simple selectors (see cleaners.scoped), never descendant selectors.
_PUBLISHED_TIME: tuple[SelectorPath, ...] = (
    ("time[itemprop=datePublished]",),
    ("time.published",),
    ("time.entry-date",),
    ("article", "time[datetime]"),
    ("time[datetime]",),
)
# Elements whose text is a date on most templates ("Publié le 27 juin 2025 à 14:16").
_DATED = ("[class*=date i]", "[class*=posted i]", "[class*=byline i]", "[class*=meta i]", "time")
_MAX_VISIBLE_DATE_CANDIDATES = 30
_MAX_DATE_TEXT = 120
_HEADLINE: tuple[SelectorPath, ...] = (
    ("h1[itemprop=headline]",),
    ("h1.entry-title",),
    ("h1.tdb-title-text",),
    ("article", "h1"),
    ("main", "h1"),
    ("h1",),
)
_BYLINE: tuple[SelectorPath, ...] = (
    ("[itemprop=author]", "[itemprop=name]"),
    ("[itemprop=author]",),
    ("a[rel~=author]",),
    (".tdb-author-name",),
    (".td-post-author-name", "a"),
    (".byline", "a"),
    (".author-name",),
)
_MAX_AUTHOR_CHARS = 80
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
    meta = _meta_tags(tree)
    linked = read_linked_data(
        (node.text() for node in tree.css('script[type="application/ld+json" i]')), url
    )
    base = base_url(tree, url)
    site_name = _first_clean(
        name
        for name in (
            linked.site_name,
            _one(meta, "og:site_name"),
            linked.publisher,
            _one(meta, "application-name"),
        )
        if name and not _is_address(name)
    )
    canonical_url = _canonical_url(tree, meta, base)
    published, modified = _dates(tree, meta, linked, fetched_at, (canonical_url, url))
    return PageMetadata(
        title=_title(tree, meta, linked, site_name),
        authors=_authors(tree, meta, linked),
        published=published,
        modified=modified,
        language_hint=_language_hint(tree, meta, linked, headers),
        canonical_url=canonical_url,
        site_name=site_name,
        description=_first_clean(
            (
                linked.description,
                _one(meta, "og:description"),
                _one(meta, "description"),
                _one(meta, "twitter:description"),
            )
        ),
        section=_first_clean(
            (linked.section, _one(meta, "article:section"), _one(meta, "og:article:section"))
        ),
        tags=_tags(tree, meta, linked),
        image=_image(tree, meta, linked, base),
        json_ld_body=_unescape(linked.body).strip() if linked.body else None,
        json_ld_word_count=linked.word_count,
    )


# --- reading the page -------------------------------------------------------------


def _meta_tags(tree: LexborHTMLParser) -> dict[str, list[str]]:
    """Every meta tag's content by lower-cased property/name/itemprop/http-equiv."""
    found: dict[str, list[str]] = {}
    for node in tree.css("meta[content]"):
        attributes = node.attributes
        content = attributes.get("content")
        if not content:
            continue
        keys = [
            attributes.get("property"),
            attributes.get("name"),
            attributes.get("http-equiv"),
            *(attributes.get("itemprop") or "").split(),
        ]
        for key in keys:
            if key:
                found.setdefault(key.strip().lower(), []).append(content)
    return found


def _one(meta: Mapping[str, list[str]], *keys: str) -> str | None:
    for key in keys:
        values = meta.get(key)
        if values:
            return values[0]
    return None


def _attribute(node: LexborNode | None, name: str) -> str | None:
    if node is None:
        return None
    value = node.attributes.get(name)
    return value.strip() if value and value.strip() else None


# --- cleaning values ----------------------------------------------------------------


def _unescape(value: str) -> str:
    # The parser decodes attributes once; a value that still holds an entity was
    # escaped twice by its CMS ("&amp;#39;"), and raw JSON-LD text not at all.
    for _ in range(2):
        if not _ENTITY.search(value):
            break
        value = html.unescape(value)
    return value


def _clean(value: str | None) -> str | None:
    if not value:
        return None
    text = _SPACES.sub(" ", _unescape(value)).strip()
    return text or None


def _first_clean(values: Iterable[str | None]) -> str | None:
    return next((text for text in map(_clean, values) if text), None)


def _unique(values: Iterable[str | None]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for value in values:
        text = _clean(value)
        if text:
            seen.setdefault(text.casefold(), text)
    return tuple(seen.values())


# --- fields -------------------------------------------------------------------------


def _title(
    tree: LexborHTMLParser, meta: Mapping[str, list[str]], linked: LinkedData, site_name: str | None
) -> str | None:
    declared = _first_clean((linked.title, _one(meta, "og:title"), _one(meta, "twitter:title")))
    if declared is None:
        shown = _first_clean(_shown_titles(tree))
        return _without_site_name(shown, site_name) if shown and site_name else shown
    title = _without_site_name(declared, site_name) if site_name else declared
    if title == declared and any(separator in title for separator in _TITLE_SEPARATORS):
        return _without_suffix_beyond_headline(title, _clean(next(_shown_titles(tree), None)))
    return title


def _without_suffix_beyond_headline(title: str, headline: str | None) -> str:
    """ "Headline | Le Journal" → "Headline" when the page's h1 reads "Headline".

    For pages that do not name their site. The suffix must be shorter than the
    headline, so a logo h1 ("Le Journal") never replaces "Le Journal | Headline".
    """
    if not headline or not title.casefold().startswith(headline.casefold()):
        return title
    rest = title[len(headline) :]
    if any(rest.startswith(separator) for separator in _TITLE_SEPARATORS) and len(rest) < len(
        headline
    ):
        return title[: len(headline)]
    return title


def _shown_titles(tree: LexborHTMLParser) -> Iterator[str]:
    # a generator, so the tree is only searched as far as needed
    for node in (first_of_paths(tree, _HEADLINE), tree.css_first("title")):
        if node is not None:
            yield node.text()


def _without_site_name(title: str, site_name: str) -> str:
    """ "Headline - Site" → "Headline" (also "Site | Headline"), when Site is the site."""
    folded, site = title.casefold(), site_name.casefold()
    for separator in _TITLE_SEPARATORS:
        if folded.endswith(separator + site) and len(folded) > len(separator + site):
            return title[: -len(separator + site)].strip()
        if folded.startswith(site + separator) and len(folded) > len(site + separator):
            return title[len(site + separator) :].strip()
    return title


def _authors(
    tree: LexborHTMLParser, meta: Mapping[str, list[str]], linked: LinkedData
) -> tuple[str, ...]:
    declared = (
        linked.authors,
        meta.get("author", ()),
        meta.get("article:author", ()),
        meta.get("parsely-author", ()),
    )
    for source in declared:
        names = _unique(_author_name(name) for name in source)
        if names:
            return names
    return _unique(_author_name(name) for name in _byline(tree))


def _byline(tree: LexborHTMLParser) -> tuple[str, ...]:
    node = first_of_paths(tree, _BYLINE)
    return (node.text(),) if node is not None else ()


def _is_address(value: str) -> bool:
    """A URL, an e-mail address or a social handle, where a name was expected."""
    return "://" in value or "@" in value


def _author_name(raw: str | None) -> str | None:
    name = _clean(raw)
    if not name or _is_address(name) or len(name) > _MAX_AUTHOR_CHARS:
        return None
    # tagDiv bylines read "By X -"; keep only X
    return _BYLINE_PREFIX.sub("", name).strip(" -–—|,") or None


def _dates(
    tree: LexborHTMLParser,
    meta: Mapping[str, list[str]],
    linked: LinkedData,
    fetched_at: datetime | None,
    urls: Iterable[str | None],
) -> tuple[str | None, str | None]:
    modified_candidates = _iso_values(
        (linked.modified, *(_one(meta, key) for key in _MODIFIED_META))
    )
    published_candidates = _iso_values(
        (linked.published, *(_one(meta, key) for key in _PUBLISHED_META))
    )
    if not published_candidates:
        published_candidates = _iso_values(_time_datetime(tree, path) for path in _PUBLISHED_TIME)
    published = (
        published_candidates[0]
        if published_candidates
        else _visible_date(tree, fetched_at) or next(filter(None, map(date_from_url, urls)), None)
    )
    modified = modified_candidates[0] if modified_candidates else None
    known = published_candidates + modified_candidates
    return (
        _with_page_offset(published, known) if published else None,
        _with_page_offset(modified, known) if modified else None,
    )


def _time_datetime(tree: LexborHTMLParser, path: SelectorPath) -> str | None:
    node = first_on_path(tree, path)
    return _attribute(node, "datetime") or _attribute(node, "content")


def _iso_values(values: Iterable[str | None]) -> list[str]:
    return [iso for iso in map(normalize_iso, values) if iso]


def _visible_date(tree: LexborHTMLParser, fetched_at: datetime | None) -> str | None:
    # The article first: sidebars list other stories with their dates. Searched from
    # the article node, not with an "article …" selector, which walks every
    # candidate's ancestors and crawls on deeply nested pages.
    article = tree.css_first("article")
    scopes = (tree,) if article is None else (article, tree)
    nodes = (node for scope in scopes for selector in _DATED for node in scope.css(selector))
    for node in islice(nodes, _MAX_VISIBLE_DATE_CANDIDATES):
        text = node.text(separator=" ")
        if len(text) <= _MAX_DATE_TEXT:
            found = parse_visible_date(text, fetched_at)
            if found:
                return found
    return None


def _with_page_offset(value: str, known: list[str]) -> str:
    """Give a date-time without offset the page's own offset, if the page shows one.

    The same moment written elsewhere with its offset is preferred; otherwise the
    offset of any other date on the page (a page has one timezone).
    """
    if has_offset(value) or len(value) == len("2025-01-01"):
        return value
    same_moment = next((iso for iso in known if iso.startswith(value) and has_offset(iso)), None)
    if same_moment:
        return same_moment
    offset = next((offset_of(iso) for iso in known if has_offset(iso)), None)
    return value + offset if offset else value


def _language_hint(
    tree: LexborHTMLParser,
    meta: Mapping[str, list[str]],
    linked: LinkedData,
    headers: Mapping[str, str] | None,
) -> str | None:
    # The DOM's <html>, never a regex on the source: IE conditional comments carry a
    # decoy <html lang="en"> before the real one.
    root = tree.css_first("html")
    header_language = next(
        (value for key, value in (headers or {}).items() if key.lower() == "content-language"), None
    )
    candidates = (
        _attribute(root, "lang"),
        _attribute(root, "xml:lang"),
        linked.language,
        _one(meta, "og:locale"),
        _one(meta, "content-language"),
        _one(meta, "language", "dc.language"),
        header_language,
    )
    return next((code for code in map(language_from_tag, candidates) if code), None)


def _canonical_url(
    tree: LexborHTMLParser, meta: Mapping[str, list[str]], base: str | None
) -> str | None:
    canonical = _attribute(tree.css_first("link[rel~=canonical i][href]"), "href")
    return absolute_url(canonical, base) or absolute_url(_one(meta, "og:url"), base)


def _tags(
    tree: LexborHTMLParser, meta: Mapping[str, list[str]], linked: LinkedData
) -> tuple[str, ...]:
    declared = (linked.tags, meta.get("article:tag", ()), meta.get("news_keywords", ()))
    for source in declared:
        tags = _unique(tag for tag in _split_single_list(source) if _is_tag(tag))
        if tags:
            return tags
    # only when nothing was declared: links marked as tags, else a theme's tag list
    links = tree.css(_TAG_LINKS) or all_on_path(tree, (_TAG_LISTS, "a"))
    return _unique(node.text() for node in links)


def _split_single_list(values: Sequence[str]) -> Sequence[str]:
    # One value holding commas is a list ("Hong Kong,Protest,Asia"); several values
    # each holding a comma are names ("Trump, Donald J").
    return values[0].split(",") if len(values) == 1 else values


def _is_tag(value: str) -> bool:
    # CMS-internal labels ("@hp-top", "_no-apple-news", "/section/x") are not topics
    stripped = value.strip()
    return bool(stripped) and stripped[0] not in "@_/"


def _image(
    tree: LexborHTMLParser, meta: Mapping[str, list[str]], linked: LinkedData, base: str | None
) -> str | None:
    declared = (
        linked.image,
        _one(meta, "og:image:secure_url", "og:image:url", "og:image"),
        _one(meta, "twitter:image", "twitter:image:src"),
        _attribute(tree.css_first("link[rel~=image_src i]"), "href"),
    )
    for candidate in declared:
        image = absolute_url(_unescape(candidate) if candidate else None, base)
        if image:
            return image
    return lead_image(tree, base)
