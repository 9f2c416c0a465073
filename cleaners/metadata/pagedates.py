"""When the article was published and last updated, weighing what the page says.

Evidence, strongest first: JSON-LD (``datePublished``, ``dateModified``), meta tags,
``<time datetime>``, the dates shown next to the headline or in date-named elements (in
the nine languages of ``cleaners.metadata.datewords``), and last the date a URL path spells out.
The two dates stay apart: a date labelled "Updated" never takes the place of a
publication the page gives; only a page that gives no publication anywhere and shows
readers its last update is dated by it. A declared publication with the very stamp of
the declared update, or days after it, is the stamp of the last save, not a publication:
one the page shows days earlier is taken. A date before 1990 or after the fetch is
refused; so is any date inside a widget listing other stories (``cleaners.metadata.zones``). A
time zone the page gives is kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from itertools import islice

from htmldate import find_date
from selectolax.lexbor import LexborHTMLParser, LexborNode

from cleaners.metadata.dates import (
    MIN_YEAR,
    date_from_url,
    date_label,
    has_offset,
    labelled_dates,
    normalize_iso,
    offset_of,
    parse_visible_date,
)
from cleaners.metadata.jsonld import LinkedData
from cleaners.metadata.metatext import MetaTags, attribute, first_meta
from cleaners.metadata.zones import in_widget, texts_near, without_widgets

PUBLISHED_META = (
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
    # less common: Open Graph variants, Dublin Core, scholarly (Highwire/Google Scholar),
    # PRISM, and the tags of analytics and sharing scripts
    "og:published_time",
    "og:publish_date",
    "published_time",
    "publication_date",
    "publish_date",
    "dc.date.created",
    "dcterms.issued",
    "dcterms.date",
    "citation_publication_date",
    "citation_online_date",
    "citation_date",
    "prism.publicationdate",
    "cxenseparse:publishtime",
    "cxenseparse:recs:publishtime",
    "shareaholic:article_published_time",
)
MODIFIED_META = (
    "article:modified_time",
    "og:article:modified_time",
    "article:modified",
    "og:updated_time",
    "datemodified",
    "dcterms.modified",
    "last-modified",
    "og:modified_time",
    "dc.date.modified",
    "shareaholic:article_modified_time",
)
# The <time> elements templates mark as the publication.
_PUBLISHED_TIME = "time[itemprop=datePublished], time.published, time.entry-date"
# Elements whose text is a date on most templates ("Publié le 27 juin 2025 à 14:16").
_DATED = (
    "[class*=date i], [class*=posted i], [class*=publi i], [class*=byline i], [class*=meta i], time"
)
_MAX_TIMES = 10
_MAX_DATED_ELEMENTS = 30
_MAX_DATE_TEXT = 120
_MAX_MACHINE_TEXT = 40
_DIGIT = re.compile(r"\d")
# The label of a date sits in at most two elements before it ("Updated", " ").
_LABEL_SIBLINGS = 2
_MAX_LABEL_TEXT = 40
# Language tags whose numeric dates are month-first. A bare "en" is British as often as
# American: its "03/10/2023" is read day-first, as in the rest of the world.
_MONTH_FIRST_LANGUAGES = frozenset({"en-us"})
# A page's clock may run up to a day ahead of the fetch's (time zones); beyond, the date
# is a placeholder or an event announced for later, not the publication.
_CLOCK_SLACK = timedelta(days=1)
# The same moment falls on two calendar days at most, one apart, across time zones.
_TIME_ZONES_APART = timedelta(days=1)


def page_dates(
    tree: LexborHTMLParser,
    meta: MetaTags,
    linked: LinkedData,
    headline: LexborNode | None,
    urls: Iterable[str | None],
    fetched_at: datetime | None,
) -> tuple[str | None, str | None]:
    """(published, modified) as ISO-8601 strings, each None when the page gives none."""
    latest = (fetched_at or datetime.now(UTC)) + _CLOCK_SLACK
    declared_published = _plausible(
        (linked.published, *(first_meta(meta, key) for key in PUBLISHED_META)), latest
    )
    declared_modified = _plausible(
        (linked.modified, *(first_meta(meta, key) for key in MODIFIED_META)), latest
    )
    published = next(iter(declared_published), None)
    modified = next(iter(declared_modified), None)
    if published is None or modified is None:
        time_published, time_modified = _time_elements(tree, headline, latest)
        published = published or time_published
        modified = modified or time_modified
    month_first = _month_first(tree, meta)
    shown_modified = None
    if published is None:
        published, shown_modified = _shown_dates(tree, headline, fetched_at, latest, month_first)
        modified = modified or shown_modified
    elif declared_published and _save_stamp(published, modified):
        shown, _ = _shown_dates(
            tree, headline, fetched_at, latest, month_first, modified_wanted=False
        )
        if shown and _days_before(shown, published):
            published = shown
    if published is None:
        published = _plausible_one(map(date_from_url, urls), latest)
    if published is None:
        # a page showing its readers no date but its last update is read under that date
        # (on wcxb-dev, annotated so on 14 of 19 such pages); an update declared to
        # machines only is not shown to anyone (1 of 6)
        published = shown_modified
    if published is None:
        published = _htmldate_publication(tree, urls, modified, latest)
    known = declared_published + declared_modified
    return (
        _with_page_offset(published, known) if published else None,
        _with_page_offset(modified, known) if modified else None,
    )


# lxml, under htmldate, refuses text XML cannot hold (C0 controls, U+FFFE, U+FFFF, lone
# surrogates) with a ValueError; HTML allows them, and a stray one must not cost the page.
_NOT_XML_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _htmldate_publication(
    tree: LexborHTMLParser, urls: Iterable[str | None], modified: str | None, latest: datetime
) -> str | None:
    """htmldate's fast search, asked only where the page gave none of our evidence: it
    knows markup our rules do not (wcxb-dev day 0.871 -> 0.881, 1.5 ms a page on average).
    It is not shown the blocks of other stories and comments, whose dates never count;
    a day it finds that is the page's last update is not taken for the publication."""
    url = next((u for u in urls if u), None)
    day = find_date(
        _NOT_XML_TEXT.sub("", without_widgets(tree)),
        extensive_search=False,
        original_date=True,
        url=url,
        min_date=f"{MIN_YEAR}-01-01",
        max_date=latest.date().isoformat(),
    )
    if not day or (modified and modified.startswith(day)):
        return None
    return day


def _save_stamp(published: str, modified: str | None) -> bool:
    """Whether a declared publication is the stamp of the last save, not a publication.

    Some CMSs write the time of each save into both dates: the same stamp in both (its
    clock time, whatever zone each is written in), or an update days before the
    publication, which cannot be, says the publication is no such thing.
    """
    if modified is None:
        return False
    return modified[:19] == published[:19] or modified[:10] < published[:10]


def _days_before(shown: str, declared: str) -> bool:
    """Whether ``shown`` is days before ``declared``; one day apart is only time zones
    (a UTC stamp after midnight is the evening before in the Americas)."""
    return date.fromisoformat(declared[:10]) - date.fromisoformat(shown[:10]) > _TIME_ZONES_APART


def _plausible(values: Iterable[str | None], latest: datetime) -> list[str]:
    return [iso for iso in map(normalize_iso, values) if iso and _not_after(iso, latest)]


def _plausible_one(values: Iterable[str | None], latest: datetime) -> str | None:
    return next(iter(_plausible(values, latest)), None)


def _not_after(iso: str, latest: datetime) -> bool:
    return iso[:10] <= latest.date().isoformat()


def _time_attribute(node: LexborNode | None) -> str | None:
    return attribute(node, "datetime") or attribute(node, "content")


def _time_elements(
    tree: LexborHTMLParser, headline: LexborNode | None, latest: datetime
) -> tuple[str | None, str | None]:
    """(published, modified) from the first ``<time datetime>`` elements of the article."""
    marked = tree.css_first(_PUBLISHED_TIME)
    published = None
    if marked is not None and not in_widget(marked, headline):
        published = _plausible_one((_time_attribute(marked),), latest)
    modified = None
    article = tree.css_first("article")
    for scope in (tree,) if article is None else (article, tree):
        for node in islice(scope.css("time[datetime]"), _MAX_TIMES):
            if in_widget(node, headline):
                continue
            found = _plausible_one((_time_attribute(node),), latest)
            if _says_updated(node):
                modified = modified or found
            else:
                published = published or found
            if published and modified:
                return published, modified
        if published:
            break  # past the article, the page's times are other stories'
    return published, modified


def _says_updated(node: LexborNode) -> bool:
    """Whether the page marks ``node`` (an element, or the text of one) as the last
    update: ``itemprop=dateModified``, or an "Updated" label just before it."""
    element = node.parent if node.tag == "-text" else node
    if (attribute(element, "itemprop") or "").lower() == "datemodified":
        return True
    return date_label(_text_before(node)) == "modified"


def _text_before(node: LexborNode) -> str:
    """The little text just before ``node``: its label, when the page writes one."""
    current: LexborNode | None = node
    while current is not None and current.prev is None:
        current = current.parent
        if current is None or current.tag in ("body", "html", "article"):
            return ""
    parts = []
    sibling = current.prev if current is not None else None
    while sibling is not None and len(parts) < _LABEL_SIBLINGS:
        parts.append(sibling.text_content if sibling.tag == "-text" else sibling.text())
        sibling = sibling.prev
    return " ".join(reversed(parts))[-_MAX_LABEL_TEXT:]


def _shown_dates(
    tree: LexborHTMLParser,
    headline: LexborNode | None,
    fetched_at: datetime | None,
    latest: datetime,
    month_first: bool,
    *,
    modified_wanted: bool = True,
) -> tuple[str | None, str | None]:
    """(published, modified) as the page shows them to readers; without
    ``modified_wanted`` the search stops at the first publication."""
    published = modified = None
    for node, text in _date_texts(tree, headline):
        # some pages print the machine date itself: "2022-11-23T08:10+02:00"
        stripped = text.strip()
        printed = len(stripped) <= _MAX_MACHINE_TEXT and stripped[:4].isdigit()
        machine = normalize_iso(stripped) if printed else None
        dated = [(machine, None)] if machine else labelled_dates(text, month_first)
        if not dated and fetched_at is not None:
            relative = parse_visible_date(text, fetched_at)
            dated = [(relative, None)] if relative else []
        if not dated or in_widget(node, headline):
            continue
        updated = _says_updated(node)  # said before the first date only
        for iso, label in dated:
            if not _not_after(iso, latest):
                continue
            if label == "modified" or (label is None and updated):
                modified = modified or iso
            else:
                published = published or iso
            updated = False
        if published and (modified or not modified_wanted):
            break
    return published, modified


def _date_texts(
    tree: LexborHTMLParser, headline: LexborNode | None
) -> Iterator[tuple[LexborNode, str]]:
    """Short texts that may show the article's dates, nearest the headline first."""
    if headline is not None:
        for node in texts_near(headline):
            text = node.text_content or ""
            if _DIGIT.search(text):
                yield node, text
    # The article first: sidebars list other stories with their dates. Searched from
    # the article node, not with an "article …" selector, which walks every
    # candidate's ancestors and crawls on deeply nested pages.
    article = tree.css_first("article")
    scopes = (tree,) if article is None else (article, tree)
    nodes = (node for scope in scopes for node in scope.css(_DATED))
    for node in islice(nodes, _MAX_DATED_ELEMENTS):
        # a date-named block may go on with tags or a share bar: its start is the date
        yield node, node.text(separator=" ")[:_MAX_DATE_TEXT]


def _month_first(tree: LexborHTMLParser, meta: MetaTags) -> bool:
    """Whether the page writes 03/09/2026 for 9 March, as US English does."""
    tag = attribute(tree.css_first("html"), "lang") or first_meta(meta, "og:locale") or ""
    return tag.lower().replace("_", "-") in _MONTH_FIRST_LANGUAGES


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
