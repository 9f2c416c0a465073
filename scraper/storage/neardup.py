"""Near-duplicates: MinHash over word shingles, with the LSH index kept in the database.

Each article gets a MinHash signature of its 5-word shingles, cut into
``BANDS`` bands of ``ROWS`` values. Every band is hashed and stored in
``article_bands``; articles sharing one (band, hash) pair are candidates, found
by one indexed query, so the index survives across runs and is shared by every
process writing to the database. A candidate is confirmed when the estimated
Jaccard similarity of the two signatures reaches the threshold (0.8 by default).

The signature is datasketch's ``affine32`` MinHash of the shingles' CRC-32
(seed 1), computed here in numpy over the whole text at once: the values are
datasketch's to the bit (a test holds them equal, so the bands stored by earlier
versions stay comparable), at a fraction of its cost.

20 bands of 6 rows make a pair with Jaccard 0.8 a candidate with probability
0.998, 0.7 with 0.92 and 0.5 with 0.27: the banding suits thresholds from 0.7
up. It is fixed because stored bands must stay comparable; changing it means
re-indexing (``scrape reclean`` does).

An article is linked to the *earliest* stored article it is a near-copy of,
whether or not that one is itself a copy, so ``duplicate_of`` depends only on
the signatures of earlier articles and the articles with ``duplicate_of`` NULL
are one per group.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import cache

import numpy as np
from sqlalchemy import Connection, bindparam, delete, insert, or_, select, update

from scraper.storage.models import ArticleBandRow, ArticleRow

SHINGLE_WORDS = 5
BANDS = 20
ROWS = 6
NUM_PERM = BANDS * ROWS
SEED = 1  # seed and scheme fixed: signatures stored by one run meet those of the next
SCHEME = "affine32"
DEFAULT_THRESHOLD = 0.8
SIGNATURE_DTYPE = np.dtype("<u4")  # MinHash values are 32-bit; stored little-endian

_WORD = re.compile(r"\w+")
_SPACE = ord(" ")
# MurmurHash3's 32-bit finaliser, which datasketch's affine32 scheme applies to
# every input hash before permuting it: (shift, multiplier) steps, then a last shift.
_FMIX32 = ((16, 0x85EBCA6B), (13, 0xC2B2AE35))
_FMIX32_LAST_SHIFT = 16
_bands = ArticleBandRow.__table__
_articles = ArticleRow.__table__


@dataclass(frozen=True, slots=True)
class Signature:
    """The MinHash values of one text, as stored in ``articles.minhash``."""

    values: bytes

    def band_hashes(self) -> tuple[int, ...]:
        """One signed 64-bit hash per band (fits a BIGINT column on every backend)."""
        width = ROWS * SIGNATURE_DTYPE.itemsize
        return tuple(
            int.from_bytes(
                hashlib.blake2b(
                    self.values[band * width : (band + 1) * width], digest_size=8
                ).digest(),
                "little",
                signed=True,
            )
            for band in range(BANDS)
        )

    def similarity(self, other: Signature) -> float:
        """Estimated Jaccard similarity: the share of equal MinHash values."""
        mine = np.frombuffer(self.values, dtype=SIGNATURE_DTYPE)
        theirs = np.frombuffer(other.values, dtype=SIGNATURE_DTYPE)
        if mine.shape != theirs.shape:
            return 0.0  # made with another NUM_PERM: not comparable
        return float(np.count_nonzero(mine == theirs)) / len(mine)


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[str]:
    """The word ``size``-grams of the text, case-folded; a shorter text is one shingle.

    Words are runs of ``\\w`` in the NFKC form, so quotes, dashes, punctuation and
    spacing never matter: the parts of ``normalize_for_hash`` that shingles need,
    at a fifth of its cost. ``signature`` hashes exactly these.
    """
    words = _words(text)
    if len(words) <= size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[start : start + size]) for start in range(len(words) - size + 1)}


def signature(text: str) -> Signature | None:
    """The MinHash signature of ``text``'s shingles; None when it has no words."""
    words = _words(text)
    if not words:
        return None
    hashes = _fmix32(np.array(_shingle_crcs(words), dtype=np.uint32))
    multipliers, offsets = _permutations()
    # One row per shingle, one column per permutation; uint32 arithmetic wraps as
    # datasketch's does. Repeated shingles change no minimum: no set is needed.
    values = (hashes[:, np.newaxis] * multipliers + offsets).min(axis=0)
    return Signature(values.astype(SIGNATURE_DTYPE).tobytes())


def _words(text: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def _shingle_crcs(words: list[str], size: int = SHINGLE_WORDS) -> list[int]:
    """CRC-32 of the UTF-8 of every shingle, read as slices of the words joined once."""
    data = " ".join(words).encode("utf-8")
    if len(words) <= size:
        return [zlib.crc32(data)]
    # A space is one byte in UTF-8 and no word holds one: the words' byte bounds.
    spaces = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == _SPACE)
    starts = [0, *(spaces[: -(size - 1)] + 1).tolist()]
    ends = [*spaces[size - 1 :].tolist(), len(data)]
    view = memoryview(data)
    return [zlib.crc32(view[start:end]) for start, end in zip(starts, ends, strict=True)]


def _fmix32(hashes: np.ndarray) -> np.ndarray:
    for shift, multiplier in _FMIX32:
        hashes = (hashes ^ (hashes >> np.uint32(shift))) * np.uint32(multiplier)
    return hashes ^ (hashes >> np.uint32(_FMIX32_LAST_SHIFT))


@cache
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """The affine permutations h -> a * h + b (mod 2**32) of datasketch's affine32 for ``SEED``.

    Drawn as datasketch draws them (odd multipliers, then offsets, from numpy's
    ``RandomState``, whose stream numpy keeps fixed) without importing it: its
    scipy import costs every process a second.
    """
    generator = np.random.RandomState(SEED)
    halves = generator.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32)
    offsets = generator.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return halves * np.uint32(2) + np.uint32(1), offsets


def index_article(
    conn: Connection, article_id: int, sig: Signature, threshold: float = DEFAULT_THRESHOLD
) -> int | None:
    """Store the article's signature and bands and link it to its earliest near-copy.

    Returns the id it now duplicates, or None. Runs inside the caller's transaction.
    """
    return index_articles(conn, {article_id: sig}, threshold)[article_id]


def index_articles(
    conn: Connection,
    signatures: Mapping[int, Signature | None],
    threshold: float = DEFAULT_THRESHOLD,
) -> dict[int, int | None]:
    """``index_article`` for several articles in a few statements; a None signature unindexes.

    Each article is linked from the index as it stands once all of them are in
    it. Returns each article's earliest near-copy, or None.
    """
    ids = sorted(signatures)
    if not ids:
        return {}
    conn.execute(_DELETE_BANDS, {"ids": ids})
    band_rows = [
        {"article_id": article_id, "band": band, "hash": value}
        for article_id in ids
        if (sig := signatures[article_id]) is not None
        for band, value in enumerate(sig.band_hashes())
    ]
    if band_rows:
        conn.execute(_INSERT_BANDS, band_rows)
    signed = {article_id: sig for article_id, sig in signatures.items() if sig is not None}
    links = {**dict.fromkeys(ids), **earliest_near_copies(conn, signed, threshold)}
    conn.execute(
        _SET_SIGNATURE,
        [
            {
                "article_id": article_id,
                "minhash": _values(signatures[article_id]),
                "original": links[article_id],
            }
            for article_id in ids
        ],
    )
    return links


def earliest_near_copies(
    conn: Connection, signatures: Mapping[int, Signature], threshold: float = DEFAULT_THRESHOLD
) -> dict[int, int | None]:
    """For each indexed article, the lowest id below its own that is ``threshold`` similar."""
    found: dict[int, int | None] = dict.fromkeys(signatures)
    if not signatures:
        return found
    rows = conn.execute(_EARLIER_CANDIDATES, {"ids": sorted(signatures)})
    for article_id, candidate_id, values in rows:  # by article, then candidate id
        # A candidate indexed in this same call has no stored signature yet.
        candidate = signatures.get(candidate_id)
        if candidate is None and values is not None:
            candidate = Signature(values)
        if found[article_id] is not None or candidate is None:
            continue
        if signatures[article_id].similarity(candidate) >= threshold:
            found[article_id] = candidate_id
    return found


def relink_later(
    conn: Connection, changed: Collection[int], threshold: float = DEFAULT_THRESHOLD
) -> None:
    """Recompute the links of later articles that may have changed with the ``changed`` ones.

    ``changed`` are articles whose text (hence bands) changed or which are gone;
    their own bands must be stored already. The later articles are those linked
    to one of them and those sharing a band with one.
    """
    if not changed:
        return
    rows = conn.execute(_LATER_LINKED_OR_CANDIDATES, {"ids": sorted(changed)}).all()
    signatures = {later_id: Signature(values) for later_id, values in rows if values}
    links = {later_id: None for later_id, _ in rows} | earliest_near_copies(
        conn, signatures, threshold
    )
    if links:
        conn.execute(
            _SET_LINK,
            [{"article_id": later_id, "original": link} for later_id, link in links.items()],
        )


def _values(sig: Signature | None) -> bytes | None:
    return None if sig is None else sig.values


# Statements built once: these run for every stored article. Candidates are found
# by joining an article's own stored bands to every other article's through the
# (band, hash) index, on SQLite and PostgreSQL alike.
_IDS = bindparam("ids", expanding=True)
_ARTICLE = bindparam("article_id")
_mine, _theirs = _bands.alias("mine"), _bands.alias("theirs")
_SAME_BAND = (_theirs.c.band == _mine.c.band) & (_theirs.c.hash == _mine.c.hash)
_earlier_pairs = (
    select(_mine.c.article_id, _theirs.c.article_id.label("candidate_id"))
    .join(_theirs, _SAME_BAND & (_theirs.c.article_id < _mine.c.article_id))
    .where(_mine.c.article_id.in_(_IDS))
    .distinct()
    .subquery()
)
_EARLIER_CANDIDATES = (
    select(_earlier_pairs.c.article_id, _earlier_pairs.c.candidate_id, _articles.c.minhash)
    .join(_articles, _articles.c.id == _earlier_pairs.c.candidate_id)
    .order_by(_earlier_pairs.c.article_id, _earlier_pairs.c.candidate_id)
)
_LATER_CANDIDATES = (
    select(_theirs.c.article_id)
    .join(_mine, _SAME_BAND & (_theirs.c.article_id > _mine.c.article_id))
    .where(_mine.c.article_id.in_(_IDS))
)
_LATER_LINKED_OR_CANDIDATES = (
    select(_articles.c.id, _articles.c.minhash)
    .where(
        or_(_articles.c.duplicate_of.in_(_IDS), _articles.c.id.in_(_LATER_CANDIDATES)),
        _articles.c.id.not_in(_IDS),
    )
    .order_by(_articles.c.id)
)
_INSERT_BANDS = insert(_bands)
_DELETE_BANDS = delete(_bands).where(_bands.c.article_id.in_(_IDS))
_SET_LINK = (
    update(_articles).where(_articles.c.id == _ARTICLE).values(duplicate_of=bindparam("original"))
)
_SET_SIGNATURE = _SET_LINK.values(minhash=bindparam("minhash"))
