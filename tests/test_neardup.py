"""Near-duplicates: shingles, MinHash signatures, and links made as articles are saved."""

from __future__ import annotations

import zlib

import pytest
from nlp_corpus import SEEDS, article_text, save_article, syndicated_copy
from sqlalchemy import func, select

import cleaners
from scraper.storage import Store, neardup, open_store
from scraper.storage.models import ArticleBandRow, ArticleRow
from scraper.storage.neardup import BANDS, shingles, signature


def duplicate_of(store: Store, article_id: int) -> int | None:
    with store.read() as conn:
        query = select(ArticleRow.duplicate_of).where(ArticleRow.id == article_id)
        return conn.execute(query).scalar_one()


def seed_texts() -> tuple[str, str]:
    paths = sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else []
    if len(paths) < 2:
        pytest.skip(f"seed texts not found in {SEEDS}")
    return cleaners.clean_text(paths[0].read_text()), cleaners.clean_text(paths[1].read_text())


def test_shingles_ignore_case_punctuation_and_spacing() -> None:
    assert shingles("Le Port, rouvre  enfin ses portes !") == shingles(
        "le port rouvre enfin ses portes"
    )
    assert shingles("un deux trois quatre cinq six") == {
        "un deux trois quatre cinq",
        "deux trois quatre cinq six",
    }
    assert shingles("trop court") == {"trop court"}
    assert shingles(" … ") == set()
    assert signature(" … ") is None


def test_signature_is_deterministic_and_comparable() -> None:
    text = article_text(1)
    first, again = signature(text), signature(text)
    assert first is not None and again is not None
    assert first == again
    assert first.similarity(again) == 1.0
    assert len(first.band_hashes()) == BANDS
    other = signature(article_text(2))
    assert other is not None and first.similarity(other) < 0.1


def test_syndicated_copy_is_linked_to_the_original(store: Store) -> None:
    original = article_text(3)
    first = save_article(store, "https://a.example/original", original)
    copy = save_article(store, "https://b.example/reprise", syndicated_copy(original, 3))

    assert copy.status == "new"  # a different text: a row of its own …
    assert copy.article_id != first.article_id
    assert duplicate_of(store, copy.article_id) == first.article_id  # … marked as a copy
    assert duplicate_of(store, first.article_id) is None


def test_seed_pair_is_not_a_near_duplicate(store: Store) -> None:
    seed_000, seed_001 = seed_texts()
    first = save_article(store, "https://a.example/000", seed_000)
    second = save_article(store, "https://b.example/001", seed_001)
    assert duplicate_of(store, first.article_id) is None
    assert duplicate_of(store, second.article_id) is None
    sig_000, sig_001 = signature(seed_000), signature(seed_001)
    assert sig_000 is not None and sig_001 is not None
    assert sig_000.similarity(sig_001) < 0.3


def test_unrelated_articles_stay_apart_and_are_indexed(store: Store) -> None:
    ids = [
        save_article(store, f"https://a.example/{n}", article_text(n)).article_id for n in (4, 5)
    ]
    assert [duplicate_of(store, article_id) for article_id in ids] == [None, None]
    with store.read() as conn:
        bands = conn.execute(select(func.count()).select_from(ArticleBandRow)).scalar_one()
    assert bands == 2 * BANDS


def test_a_copy_points_to_the_earliest_article_it_copies(store: Store) -> None:
    original = article_text(6)
    first = save_article(store, "https://a.example/1", original)
    second = save_article(store, "https://b.example/2", syndicated_copy(original, 6))
    third = save_article(store, "https://c.example/3", syndicated_copy(original, 7))
    assert duplicate_of(store, second.article_id) == first.article_id
    assert duplicate_of(store, third.article_id) == first.article_id


def test_the_index_lives_in_the_database_across_runs(db: str) -> None:
    original = article_text(8)
    with open_store(db) as store:
        first = save_article(store, "https://a.example/1", original)
    with open_store(db) as store:
        copy = save_article(store, "https://b.example/2", syndicated_copy(original, 8))
        assert duplicate_of(store, copy.article_id) == first.article_id


def test_threshold_is_configurable(db: str) -> None:
    original = article_text(9)
    with open_store(db, near_threshold=0.99) as store:
        save_article(store, "https://a.example/1", original)
        copy = save_article(store, "https://b.example/2", syndicated_copy(original, 9))
        assert duplicate_of(store, copy.article_id) is None


def test_an_exact_duplicate_is_not_a_near_duplicate_row(store: Store) -> None:
    text = article_text(10)
    first = save_article(store, "https://a.example/1", text)
    again = save_article(store, "https://a.example/1?utm_source=x", text)
    assert again.status == "duplicate"
    assert again.article_id == first.article_id
    assert duplicate_of(store, first.article_id) is None


def test_candidate_lookup_uses_the_band_index(store: Store) -> None:
    """Every stored article is compared by an index search, never a scan of all bands."""
    ids = [
        save_article(store, f"https://a.example/{n}", article_text(n)).article_id for n in (11, 12)
    ]
    query = neardup._EARLIER_CANDIDATES.params(ids=ids)
    sql = query.compile(store.engine, compile_kwargs={"literal_binds": True})
    with store.read() as conn:
        plan = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}").all()
    details = " | ".join(row[-1] for row in plan)
    assert "ix_article_bands_band_hash" in details
    assert "SCAN theirs" not in details and "SCAN mine" not in details


@pytest.mark.parametrize("seed", [13, 14])
def test_signature_is_datasketch_minhash_of_the_shingles(seed: int) -> None:
    """The numpy signature keeps the values stored by earlier versions (datasketch's)."""
    from datasketch import MinHash

    texts = [
        article_text(seed),
        "Élan, ÉTÉ ﬁn — straße İstanbul ½ x² « citation » l’été",
        "un deux trois quatre cinq",
        "un deux trois quatre cinq six",
        "mot",
    ]
    for text in texts:
        reference = MinHash(num_perm=neardup.NUM_PERM, seed=neardup.SEED, scheme=neardup.SCHEME)
        reference.hashfunc = zlib.crc32
        reference.update_batch([gram.encode("utf-8") for gram in shingles(text)])
        sig = signature(text)
        assert sig is not None
        assert sig.values == reference.hashvalues.astype(neardup.SIGNATURE_DTYPE).tobytes()


def test_batch_indexing_links_like_one_by_one(store: Store) -> None:
    """``index_articles`` over several articles links them as saving them one by one does."""
    original = article_text(15)
    texts = [
        original,
        syndicated_copy(original, 15),
        article_text(16),
        syndicated_copy(original, 17),
    ]
    ids = [
        save_article(store, f"https://a.example/{n}", text).article_id
        for n, text in enumerate(texts)
    ]
    one_by_one = [duplicate_of(store, article_id) for article_id in ids]
    with store.write() as conn:
        links = neardup.index_articles(
            conn, {i: signature(t) for i, t in zip(ids, texts, strict=True)}
        )
    assert one_by_one == [None, ids[0], None, ids[0]]
    assert [links[article_id] for article_id in ids] == one_by_one


def test_relink_later_follows_a_changed_original(store: Store) -> None:
    original = article_text(18)
    first = save_article(store, "https://a.example/1", original).article_id
    copy = save_article(store, "https://b.example/2", syndicated_copy(original, 18)).article_id
    assert duplicate_of(store, copy) == first
    with store.write() as conn:  # the original now reads otherwise, as a reclean may find
        neardup.index_articles(conn, {first: signature(article_text(19))})
        neardup.relink_later(conn, [first])
    assert duplicate_of(store, copy) is None
    with store.write() as conn:  # and back: the copy finds it again
        neardup.index_articles(conn, {first: signature(original)})
        neardup.relink_later(conn, [first])
    assert duplicate_of(store, copy) == first


def test_indexing_no_signature_takes_the_article_out_of_the_index(store: Store) -> None:
    original = article_text(20)
    first = save_article(store, "https://a.example/1", original).article_id
    copy = save_article(store, "https://b.example/2", syndicated_copy(original, 20)).article_id
    with store.write() as conn:  # the copy's new text has no words to sign
        assert neardup.index_articles(conn, {copy: None}) == {copy: None}
    with store.read() as conn:
        bands = select(func.count()).select_from(ArticleBandRow)
        assert conn.execute(bands.where(ArticleBandRow.article_id == copy)).scalar_one() == 0
        assert conn.execute(bands.where(ArticleBandRow.article_id == first)).scalar_one() == BANDS
        row = conn.execute(select(ArticleRow.minhash).where(ArticleRow.id == copy)).scalar_one()
    assert row is None
    assert duplicate_of(store, copy) is None
