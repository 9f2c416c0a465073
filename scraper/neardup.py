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
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy import Connection, Select, delete, insert, or_, select, tuple_, update

from cleaners import normalize_for_hash
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
    """The word ``size``-grams of the normalised text; a shorter text is one shingle."""
    words = _WORD.findall(normalize_for_hash(text))
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

    return MinHash(num_perm=NUM_PERM, seed=SEED, permutations=_permutations(), scheme=SCHEME)


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
    conn.execute(delete(_bands).where(_bands.c.article_id == article_id))
    conn.execute(
        insert(_bands),
        [
            {"article_id": article_id, "band": band, "hash": value}
            for band, value in enumerate(sig.band_hashes())
        ],
    )
    original = earliest_near_copy(conn, article_id, sig, threshold)
    conn.execute(
        update(_articles)
        .where(_articles.c.id == article_id)
        .values(minhash=sig.values, duplicate_of=original)
    )
    return original


def earliest_near_copy(
    conn: Connection, article_id: int, sig: Signature, threshold: float = DEFAULT_THRESHOLD
) -> int | None:
    """The lowest id below ``article_id`` whose signature is at least ``threshold`` similar."""
    query = (
        select(_articles.c.id, _articles.c.minhash)
        .where(_articles.c.id.in_(_candidates(sig)), _articles.c.id < article_id)
        .order_by(_articles.c.id)
    )
    for candidate_id, values in conn.execute(query):
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
    affected = _articles.c.duplicate_of == article_id
    if sig is not None:
        affected = or_(affected, _articles.c.id.in_(_candidates(sig)))
    query = (
        select(_articles.c.id, _articles.c.minhash)
        .where(affected, _articles.c.id > article_id)
        .order_by(_articles.c.id)
    )
    for later_id, values in conn.execute(query).all():
        original = (
            earliest_near_copy(conn, later_id, Signature(values), threshold) if values else None
        )
        conn.execute(
            update(_articles).where(_articles.c.id == later_id).values(duplicate_of=original)
        )


def _candidates(sig: Signature) -> Select[tuple[int]]:
    pairs = list(enumerate(sig.band_hashes()))
    return select(_bands.c.article_id).where(tuple_(_bands.c.band, _bands.c.hash).in_(pairs))
