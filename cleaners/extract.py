"""``extract()``: one page in, one clean Article out; never raises.

Stages, with the clock checked between them:

1. decode bytes (``cleaners.markup.decode``) and parse once with selectolax/lexbor;
2. read metadata from the intact tree (``cleaners.metadata``);
3. classify pages that hold no article: bot challenges, consent walls, listings;
4. map where the page's prose is (``cleaners.body.prose``): the evidence the anchor, the
   pruning rules and the recall guard weigh;
5. find the body: the element the page marks as such, else the main column that holds
   nearly all the prose (``cleaners.body.anchor``); prune the noise around and inside it
   (``cleaners.body.prune``) and render what is left as text blocks (``cleaners.body.render``); a
   page with neither is handed to trafilatura after pruning;
6. lay the blocks out as text, drop trailing sign-offs (``cleaners.body.promos``) and known
   per-host boilerplate paragraphs, then ``clean_text``;
7. the recall guard (``cleaners.body.guard``): a text too small for the page's own evidence is
   replaced by trafilatura's extraction of the unpruned page when that holds more.
"""

from __future__ import annotations

import codecs
import hashlib
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from selectolax.lexbor import LexborHTMLParser, LexborNode

from cleaners.article import Article, Reason
from cleaners.body.anchor import Anchor, find_anchor, main_column
from cleaners.body.blocks import BALANCED, FULL_PAGE, trafilatura_blocks
from cleaners.body.guard import gather_evidence
from cleaners.body.lines import clean_text
from cleaners.body.pagekind import PageKind, classify_page, looks_like_listing
from cleaners.body.promos import drop_trailing_promos
from cleaners.body.prose import ProseMap
from cleaners.body.prune import Recorder, prune, record_outside
from cleaners.body.render import render_blocks
from cleaners.headers import header_value
from cleaners.markup.decode import decode_html
from cleaners.markup.depth import bound_depth
from cleaners.metadata import PageMetadata, read_metadata
from cleaners.metadata.language import detect_language
from cleaners.normalize import normalize_for_hash

log = logging.getLogger(__name__)

DEFAULT_DEADLINE = 5.0  # seconds of work for one document
# trafilatura is not interruptible: it is not handed more than this much HTML, nor called
# with less than TRAFILATURA_MIN_BUDGET seconds left.
TRAFILATURA_MAX_CHARS = 1_500_000
TRAFILATURA_MIN_BUDGET = 1.0
# The recall guard keeps the full-page extraction when it is this much longer.
RECOVERY_GAIN = 1.5
PARAGRAPH_HASH_CHARS = 16
PARAGRAPH_SEPARATOR = "\n\n"
# Binary sniffing: the share of C0 control characters in the first bytes.
BINARY_SNIFF_BYTES = 4096
BINARY_CONTROL_RATIO = 20


def paragraph_hash(paragraph: str) -> str:
    """Short hash of a paragraph, stable under case, spacing and quote style.

    A paragraph is a block of ``Article.text`` between blank lines; hashes of paragraphs
    that recur across a host's articles are what ``extract(known_boilerplate=…)`` drops.
    """
    digest = hashlib.sha256(normalize_for_hash(paragraph).encode("utf-8")).hexdigest()
    return digest[:PARAGRAPH_HASH_CHARS]


def split_paragraphs(text: str) -> list[str]:
    """The paragraphs of ``Article.text``: its blocks between blank lines."""
    return text.split(PARAGRAPH_SEPARATOR)


def drop_paragraphs(text: str, hashes: frozenset[str]) -> tuple[str, tuple[str, ...]]:
    """``text`` without the paragraphs whose ``paragraph_hash`` is in ``hashes``.

    Also returns the hashes it dropped, each once, in text order. Paragraphs are split
    as a reader of the stored text sees them, the same split that learns the hashes.
    """
    kept: list[str] = []
    dropped: dict[str, None] = {}
    for paragraph in split_paragraphs(text):
        digest = paragraph_hash(paragraph)
        if digest in hashes:
            dropped[digest] = None
        else:
            kept.append(paragraph)
    return PARAGRAPH_SEPARATOR.join(kept), tuple(dropped)


def extract(
    html: str | bytes,
    url: str | None = None,
    *,
    headers: Mapping[str, str] | None = None,
    known_boilerplate: frozenset[str] = frozenset(),
    deadline: float | None = DEFAULT_DEADLINE,
    fetched_at: datetime | None = None,
) -> Article:
    """The article in ``html``; an empty Article with a ``reason`` when there is none.

    ``html`` as bytes is decoded with the charset of the Content-Type in ``headers``
    (any case), the page's own declaration, or detection. ``known_boilerplate`` holds
    ``paragraph_hash`` values of paragraphs to drop (a host's recurring teasers and
    pleas); the hashes of those it dropped are in ``Article.boilerplate``. ``deadline``
    bounds the work in seconds (None: no bound); when it runs out, the text found so far
    comes back with ``Reason.DEADLINE``. ``fetched_at`` (timezone-aware) dates relative
    bylines such as "il y a 6 heures". Never raises.
    """
    return run_extraction(html, url, headers, known_boilerplate, deadline, fetched_at=fetched_at)


def run_extraction(
    html: str | bytes,
    url: str | None,
    headers: Mapping[str, str] | None,
    known_boilerplate: frozenset[str],
    deadline: float | None,
    record: Recorder | None = None,
    fetched_at: datetime | None = None,
    notes: list[str] | None = None,
    *,
    strict: bool = False,
) -> Article:
    """``extract`` with an optional recorder of removed blocks and a list that collects
    notes on the decisions taken (both used by ``explain``).

    ``strict`` lets an internal error propagate instead of becoming ``Reason.UNPARSABLE``:
    the tests run the cleaner so, since an error caught here would pass them unseen.
    """
    clock = _Clock(deadline)
    try:
        return _extract(
            html, url, headers or {}, known_boilerplate, clock, record, fetched_at, notes, strict
        )
    except Exception:  # a cleaner must not take a crawl down on one bad page
        if strict:
            raise
        log.exception("extract failed on %s", url)
        return Article(url=url, reason=Reason.UNPARSABLE)


@dataclass(slots=True)
class _Clock:
    budget: float | None
    started: float = 0.0

    def __post_init__(self) -> None:
        self.started = time.monotonic()

    def remaining(self) -> float:
        if self.budget is None:
            return float("inf")
        return self.budget - (time.monotonic() - self.started)

    def expired(self) -> bool:
        return self.remaining() <= 0


def _extract(
    html: str | bytes,
    url: str | None,
    headers: Mapping[str, str],
    known_boilerplate: frozenset[str],
    clock: _Clock,
    record: Recorder | None,
    fetched_at: datetime | None,
    notes: list[str] | None,
    strict: bool,
) -> Article:
    if isinstance(html, bytes):
        if not html.strip():
            return Article(url=url, reason=Reason.EMPTY_DOCUMENT)
        # UTF-16 text is one NUL in two bytes: its BOM says it is text, not binary.
        utf16 = html.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
        if not utf16 and _is_binary(html[:BINARY_SNIFF_BYTES].decode("latin-1")):
            return Article(url=url, reason=Reason.NOT_HTML)
        html = decode_html(html, header_value(headers, "content-type"))
    elif _is_binary(html[:BINARY_SNIFF_BYTES]):
        return Article(url=url, reason=Reason.NOT_HTML)
    if "\x00" in html:
        html = html.replace("\x00", "")
    if not html.strip():
        return Article(url=url, reason=Reason.EMPTY_DOCUMENT)

    # Depth guard (cleaners.markup.depth): parsing and walking the tree cost the square of its
    # depth, in C calls the deadline cannot stop. Too-deep pages are flattened or refused.
    bounded = bound_depth(html)
    if bounded is None:
        return Article(url=url, reason=Reason.TOO_DEEP)
    html = bounded

    tree = LexborHTMLParser(html)
    body = tree.body
    if body is None:
        return Article(url=url, reason=Reason.UNPARSABLE)
    meta = _metadata(tree, url, headers, fetched_at, notes, strict)
    kind = classify_page(tree)
    if kind is PageKind.CHALLENGE:
        return _article(meta, url, "", Reason.BLOCKED)
    if clock.expired():
        return _article(meta, url, "", Reason.DEADLINE)

    expected_words = _expected_words(meta)
    prose = ProseMap(body)
    evidence = gather_evidence(body, prose, expected_words)
    anchor = find_anchor(tree, prose, expected_words, meta.description)
    # A page whose JSON-LD carries an article body is an article, however it looks.
    if anchor is None and expected_words is None and looks_like_listing(tree):
        return _article(meta, url, "", Reason.NOT_ARTICLE)
    if anchor is None:
        column = main_column(body, prose, evidence.outside)
        anchor = Anchor(column, ()) if column is not None else None
    scope = anchor.node if anchor is not None else body
    if anchor is not None and record is not None:
        record_outside(anchor.node, record)
    keep = (anchor.node, *anchor.parts) if anchor is not None else ()
    prune(scope, prose, keep, record, meta.title, clock.expired)
    if clock.expired():
        text, dropped = _without_known(_layout(render_blocks(scope)), known_boilerplate)
        return replace(_article(meta, url, text, Reason.DEADLINE), boilerplate=dropped)

    if anchor is not None:
        blocks = [b for part in anchor.parts or (anchor.node,) for b in render_blocks(part)]
    else:
        blocks = _trafilatura_blocks(body, clock)
    text = _layout(blocks)
    # Weighed before the host's known boilerplate goes: dropping it is no shortfall.
    shortfall = evidence.shortfall(text)
    if shortfall is not None:
        text = _recover(html, text, shortfall, clock, notes)
    text, dropped = _without_known(text, known_boilerplate)
    reason = None
    if not text:
        reason = Reason.CONSENT_WALL if kind is PageKind.CONSENT else Reason.NO_CONTENT
    return replace(_article(meta, url, text, reason), boilerplate=dropped)


def _recover(html: str, text: str, shortfall: str, clock: _Clock, notes: list[str] | None) -> str:
    """The longer of ``text`` and trafilatura's full extraction of the unpruned page.

    Called when the recall guard finds ``text`` too small for the page: a pruning rule or
    the anchor lost the bet, and trafilatura with its fallback extractors, on the page as
    served, is the second opinion.
    """
    if len(html) > TRAFILATURA_MAX_CHARS or clock.remaining() < TRAFILATURA_MIN_BUDGET:
        _note(notes, f"recall guard: {shortfall}; no time left to recover")
        return text
    recovered = _layout(trafilatura_blocks(html, FULL_PAGE))
    if len(recovered) <= RECOVERY_GAIN * len(text):
        _note(notes, f"recall guard: {shortfall}; the full page gave no more ({len(recovered):,})")
        return text
    _note(notes, f"recall guard: {shortfall}; kept the full-page extraction ({len(recovered):,})")
    return recovered


def _note(notes: list[str] | None, note: str) -> None:
    if notes is not None:
        notes.append(note)


def _trafilatura_blocks(body: LexborNode, clock: _Clock) -> list[str]:
    """trafilatura's reading of a pruned page that marks no body and has no main column."""
    pruned = body.html or ""
    if len(pruned) > TRAFILATURA_MAX_CHARS or clock.remaining() < TRAFILATURA_MIN_BUDGET:
        return render_blocks(body)
    # lxml gives up on trees nested beyond its depth limit, where lexbor did not.
    return trafilatura_blocks(f"<html>{pruned}</html>", BALANCED) or render_blocks(body)


def _layout(blocks: list[str]) -> str:
    """The article text of ``blocks``, trailing sign-offs and boilerplate lines dropped."""
    return clean_text("\n\n".join(drop_trailing_promos(blocks)))


def _without_known(text: str, known_boilerplate: frozenset[str]) -> tuple[str, tuple[str, ...]]:
    """``text`` without the host's known boilerplate paragraphs, and their hashes."""
    if not known_boilerplate:
        return text, ()
    return drop_paragraphs(text, known_boilerplate)


def _article(meta: PageMetadata, url: str | None, text: str, reason: str | None) -> Article:
    return Article(
        text=text,
        title=meta.title,
        authors=meta.authors,
        published=meta.published,
        modified=meta.modified,
        language=detect_language(text, meta.language_hint) if text else meta.language_hint,
        url=url,
        canonical_url=meta.canonical_url,
        site_name=meta.site_name,
        description=meta.description,
        section=meta.section,
        tags=meta.tags,
        image=meta.image,
        reason=reason,
    )


def _metadata(
    tree: LexborHTMLParser,
    url: str | None,
    headers: Mapping[str, str],
    fetched_at: datetime | None,
    notes: list[str] | None,
    strict: bool,
) -> PageMetadata:
    """The page's metadata; none, rather than no article, when reading it fails.

    Dates and bylines go through third-party parsers (htmldate on lxml) that a hostile
    page may break: the article text does not depend on them and is kept.
    """
    try:
        return read_metadata(tree, url, headers, fetched_at=fetched_at)
    except Exception as error:
        if strict:
            raise
        log.exception("reading the metadata failed on %s", url)
        _note(notes, f"metadata: reading it failed ({type(error).__name__}); the text is kept")
        return PageMetadata()


def _expected_words(meta: PageMetadata) -> int | None:
    if meta.json_ld_body:
        return len(meta.json_ld_body.split())
    return meta.json_ld_word_count


def _is_binary(head: str) -> bool:
    """Binary data (an image, a PDF, random bytes): control characters text never has.

    A stray NUL in a page is tolerated; one byte in twenty is not markup.
    """
    controls = sum(1 for ch in head if ch < " " and ch not in "\t\n\r\f")
    return controls * BINARY_CONTROL_RATIO > len(head)
