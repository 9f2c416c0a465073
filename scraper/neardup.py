"""Near-duplicates: MinHash over word shingles, with the LSH index kept in the database.

Each article gets a MinHash signature of its 5-word shingles (datasketch), cut
into ``BANDS`` bands of ``ROWS`` values. Every band is hashed and stored in
``article_bands``; articles sharing one (band, hash) pair are candidates, found
by one indexed query, so the index survives across runs and is shared by every
process writing to the database. A candidate is confirmed when the estimated
Jaccard similarity of the two signatures reaches the threshold (0.8 by default).

20 bands of 6 rows make a pair with Jaccard 0.8 a candidate with probability
0.998, 0.7 with 0.92 and 0.5 with 0.27: the banding suits thresholds from 0.7
up. It is fixed because stored bands must stay comparable; changing it means
re-indexing (``scrape reclean`` does).

An article is linked to the *earliest* stored article it is a near-copy of,
whether or not that one is itself a copy, so ``duplicate_of`` depends only on
earlier articles and the articles with ``duplicate_of`` NULL are one per group.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy import Connection, and_, bindparam, delete, insert, or_, select, update

from scraper.models import ArticleBandRow, ArticleRow

if TYPE_CHECKING:
    from datasketch import MinHash

SHINGLE_WORDS = 5
BANDS = 20
ROWS = 6
NUM_PERM = BANDS * ROWS
SEED = 1  # seed and scheme fixed: signatures stored by one run meet those of the next
SCHEME = "affine32"
DEFAULT_THRESHOLD = 0.8
SIGNATURE_DTYPE = np.dtype("<u4")  # MinHash values are 32-bit; stored little-endian

_WORD = re.compile(r"\w+")
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
    at a fifth of its cost.
    """
    words = _WORD.findall(unicodedata.normalize("NFKC", text).casefold())
    if len(words) <= size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[start : start + size]) for start in range(len(words) - size + 1)}


def signature(text: str) -> Signature | None:
    """The MinHash signature of ``text``; None when it has no words."""
    grams = shingles(text)
    if not grams:
        return None
    minhash = _empty_minhash()
    minhash.update_batch([gram.encode("utf-8") for gram in grams])
    return Signature(minhash.hashvalues.astype(SIGNATURE_DTYPE).tobytes())


def _empty_minhash() -> MinHash:
    # Imported here: datasketch pulls in scipy, a second of start-up that commands
    # which never index an article should not pay.
    from datasketch import MinHash

    return MinHash(
        num_perm=NUM_PERM,
        seed=SEED,
        permutations=_permutations(),
        scheme=SCHEME,
        # CRC-32 runs at C speed where datasketch's default SHA-1 makes a Python call
        # per shingle; affine32 mixes the input hash before permuting it, and a few
        # thousand shingles rarely collide in 32 bits.
        hashfunc=zlib.crc32,
    )


@cache
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME).permutations


def index_article(
    conn: Connection, article_id: int, sig: Signature, threshold: float = DEFAULT_THRESHOLD
) -> int | None:
    """Store the article's signature and bands and link it to its earliest near-copy.

    Returns the id it now duplicates, or None. Runs inside the caller's transaction.
    """
    conn.execute(_DELETE_BANDS, {"article_id": article_id})
    conn.execute(
        insert(_bands),
        [
            {"article_id": article_id, "band": band, "hash": value}
            for band, value in enumerate(sig.band_hashes())
        ],
    )
    original = earliest_near_copy(conn, article_id, sig, threshold)
    parameters = {"article_id": article_id, "minhash": sig.values, "original": original}
    conn.execute(_SET_SIGNATURE, parameters)
    return original


def earliest_near_copy(
    conn: Connection, article_id: int, sig: Signature, threshold: float = DEFAULT_THRESHOLD
) -> int | None:
    """The lowest id below ``article_id`` whose signature is at least ``threshold`` similar."""
    rows = conn.execute(_EARLIER_CANDIDATES, {"article_id": article_id, **_band_parameters(sig)})
    for candidate_id, values in rows:
        if values is not None and sig.similarity(Signature(values)) >= threshold:
            return candidate_id
    return None


def relink_later(
    conn: Connection, article_id: int, sig: Signature | None, threshold: float = DEFAULT_THRESHOLD
) -> None:
    """Recompute the links of later articles that may have changed with ``article_id``.

    Those are the later articles linked to it, and (when it still has text)
    those sharing a band with its new signature.
    """
    if sig is None:
        rows = conn.execute(_LATER_LINKED, {"article_id": article_id})
    else:
        parameters = {"article_id": article_id, **_band_parameters(sig)}
        rows = conn.execute(_LATER_LINKED_OR_CANDIDATES, parameters)
    for later_id, values in rows.all():
        original = (
            earliest_near_copy(conn, later_id, Signature(values), threshold) if values else None
        )
        conn.execute(_SET_LINK, {"article_id": later_id, "original": original})


def _band_parameters(sig: Signature) -> dict[str, int]:
    return {f"hash_{band}": value for band, value in enumerate(sig.band_hashes())}


# Statements built once: these run several times per stored article. Candidates
# are an OR of (band, hash) pairs, which SQLite and PostgreSQL answer from the
# (band, hash) index; a row-value IN list would scan the whole table on SQLite.
_CANDIDATES = select(_bands.c.article_id).where(
    or_(
        *(
            and_(_bands.c.band == band, _bands.c.hash == bindparam(f"hash_{band}"))
            for band in range(BANDS)
        )
    )
)
_ARTICLE = bindparam("article_id")
_SIGNED = select(_articles.c.id, _articles.c.minhash).order_by(_articles.c.id)
_EARLIER_CANDIDATES = _SIGNED.where(_articles.c.id.in_(_CANDIDATES), _articles.c.id < _ARTICLE)
_LATER_LINKED = _SIGNED.where(_articles.c.duplicate_of == _ARTICLE, _articles.c.id > _ARTICLE)
_LATER_LINKED_OR_CANDIDATES = _SIGNED.where(
    or_(_articles.c.duplicate_of == _ARTICLE, _articles.c.id.in_(_CANDIDATES)),
    _articles.c.id > _ARTICLE,
)
_DELETE_BANDS = delete(_bands).where(_bands.c.article_id == _ARTICLE)
_SET_LINK = (
    update(_articles).where(_articles.c.id == _ARTICLE).values(duplicate_of=bindparam("original"))
)
_SET_SIGNATURE = _SET_LINK.values(minhash=bindparam("minhash"))
