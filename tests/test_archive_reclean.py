"""Raw archive written with each fetch; ``reclean`` over it in a real process pool.

Pages are served by a real local server and stored by the real pipeline; the
"new cleaner" is ``cleaners.extract`` with an option changed (paragraphs it
must now treat as boilerplate), as a better cleaner release would behave.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from local_server import LocalServer, Route, html_route
from nlp_corpus import paragraphs
from spinning_cleaner import extract_spinning_on
from sqlalchemy import func, select, update
from warcio.archiveiterator import ArchiveIterator

import cleaners
from scraper.cli import main
from scraper.fetch import make_client
from scraper.outputs.search import search
from scraper.pipeline import scrape_target
from scraper.reclean import RecleanSelection, reclean
from scraper.storage import Store
from scraper.storage.archive import RawPage, pack, unpack
from scraper.storage.models import ArticleRow, ArticleUrlRow, FetchRow, RawPageRow

NEW_VERSION = "test-next"


def page(title: str, body: list[str]) -> str:
    inner = "".join(f"<p>{paragraph}</p>" for paragraph in body)
    return (
        f"<html lang='fr'><head><title>{title}</title></head>"
        f"<body><article><h1>{title}</h1>{inner}</article></body></html>"
    )


def without(*boilerplate: str) -> partial[cleaners.Article]:
    """The cleaner with ``boilerplate`` paragraphs known: the option a reclean picks up."""
    hashes = frozenset(cleaners.paragraph_hash(paragraph) for paragraph in boilerplate)
    return partial(cleaners.extract, known_boilerplate=hashes)


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with make_client() as client:
        yield client


def fetch(server: LocalServer, store: Store, client: httpx.Client, path: str, html: str) -> int:
    server.add(path, html_route(html))
    outcome = scrape_target(server.url(path), store, client)
    assert outcome.save.article_id is not None, outcome.error
    return outcome.save.article_id


def article(store: Store, article_id: int) -> ArticleRow | None:
    with store.read() as conn:
        row = conn.execute(select(ArticleRow.__table__).where(ArticleRow.id == article_id))
        return row.one_or_none()  # type: ignore[return-value]


def test_pack_and_unpack_round_trip() -> None:
    raw = RawPage(
        b"<html>\xe9t\xe9</html>" * 100, (("content-type", "text/html; charset=latin-1"),)
    )
    values = pack(raw)
    assert values["size"] == len(raw.body)
    assert len(values["body"]) < len(raw.body)
    assert unpack(values["codec"], values["body"], values["headers"]) == raw
    with pytest.raises(ValueError, match="codec"):
        unpack("rot13", values["body"], values["headers"])


def test_every_fetched_body_is_archived_with_its_headers(
    local_server: LocalServer, store: Store, client: httpx.Client
) -> None:
    html = page("Le port rouvre", paragraphs(1, 4))
    fetch(local_server, store, client, "/article", html)
    local_server.add("/listing", html_route("<html><body><nav>rien</nav></body></html>"))
    empty = scrape_target(local_server.url("/listing"), store, client)
    assert empty.failed
    local_server.add("/gone", Route(status=404, body=b"gone"))
    assert scrape_target(local_server.url("/gone"), store, client).failed

    with store.read() as conn:
        rows = conn.execute(
            select(FetchRow.requested_url, FetchRow.outcome, RawPageRow.__table__)
            .join(RawPageRow, RawPageRow.fetch_id == FetchRow.id)
            .order_by(FetchRow.id)
        ).all()
    # The article and the empty page are archived; the 404 had no page to keep.
    assert [row.requested_url.rsplit("/", 1)[1] for row in rows] == ["article", "listing"]
    first = unpack(rows[0].codec, rows[0].body, rows[0].headers)
    assert first.body == html.encode("utf-8")
    assert first.header_map["content-type"].startswith("text/html")
    assert rows[0].size == len(html.encode("utf-8"))


def test_reclean_updates_text_hash_version_and_search_index(
    local_server: LocalServer, store: Store, client: httpx.Client
) -> None:
    body = paragraphs(2, 6)
    # Plain prose no cleaner rule targets: only the injected option can drop it.
    plea = "Les kiwals ondoyants du plateau de Morvaline ont fleuri durant toute la nuit claire."
    changing = fetch(local_server, store, client, "/a", page("Le port rouvre", [*body, plea]))
    steady = fetch(local_server, store, client, "/b", page("La gare ferme", paragraphs(3, 6)))
    before = article(store, changing)
    assert before is not None and plea in before.text
    assert [hit.article_id for hit in search(store, "kiwals morvaline")] == [changing]

    report = reclean(store, workers=2, extract=without(plea), version=NEW_VERSION)

    assert (report.pages, report.changed, report.unchanged, report.empty) == (2, 1, 1, 0)
    assert report.pages_per_second > 0
    after = article(store, changing)
    assert after is not None
    assert plea not in after.text and body[0] in after.text
    assert after.content_hash == cleaners.content_hash(after.text) != before.content_hash
    assert after.word_count == len(after.text.split())
    assert after.cleaner_version == NEW_VERSION
    untouched = article(store, steady)
    assert untouched is not None and untouched.cleaner_version == NEW_VERSION
    assert search(store, "kiwals morvaline") == []  # the index followed the new text
    assert search(store, body[0])[0].article_id == changing


def test_reclean_merges_articles_that_now_read_the_same(
    local_server: LocalServer, store: Store, client: httpx.Client
) -> None:
    body = paragraphs(4, 6)
    signature_a = "Les kiwals ondoyants du plateau de Morvaline fleurissent au matin."
    signature_b = "Les grands orvets de la vallée de Pluvine dorment encore le soir."
    first = fetch(local_server, store, client, "/matin", page("Le pont", [*body, signature_a]))
    second = fetch(local_server, store, client, "/soir", page("Le pont", [*body, signature_b]))
    assert first != second

    report = reclean(store, workers=2, extract=without(signature_a, signature_b))

    assert report.merged == 1
    assert article(store, second) is None
    with store.read() as conn:
        urls = conn.execute(
            select(ArticleUrlRow.url).where(ArticleUrlRow.article_id == first)
        ).scalars()
        assert sorted(url.rsplit("/", 1)[1] for url in urls) == ["matin", "soir"]
        assert (
            conn.execute(
                select(func.count()).select_from(FetchRow).where(FetchRow.article_id == first)
            ).scalar_one()
            == 2
        )


def test_reclean_recomputes_near_duplicate_links(
    local_server: LocalServer, store: Store, client: httpx.Client
) -> None:
    body = paragraphs(5)  # 20 paragraphs
    teasers = paragraphs(6, 14)  # a tail the old cleaner kept
    original = fetch(local_server, store, client, "/original", page("Le sommet", body))
    copy_body = [*body[:10], paragraphs(7, 1)[0], *body[11:], *teasers]
    copy = fetch(local_server, store, client, "/copie", page("Le sommet", copy_body))
    before = article(store, copy)
    assert before is not None and before.duplicate_of is None  # the tail hid the copy

    reclean(store, workers=2, extract=without(*teasers))

    after = article(store, copy)
    assert after is not None and after.duplicate_of == original


def test_empty_result_keeps_the_article_and_selection_limits_the_run(
    local_server: LocalServer, store: Store, client: httpx.Client
) -> None:
    body = paragraphs(8, 3)
    kept = fetch(local_server, store, client, "/a", page("Court", body))
    report = reclean(store, workers=1, extract=without(*body), version=NEW_VERSION)
    assert (report.pages, report.empty) == (1, 1)
    row = article(store, kept)
    assert row is not None and body[0] in row.text
    assert row.cleaner_version == cleaners.__version__  # nothing was written

    elsewhere = RecleanSelection(site="other.example")
    assert reclean(store, elsewhere, workers=1).pages == 0
    assert reclean(store, RecleanSelection(site="127.0.0.1"), workers=1).pages == 1
    assert reclean(store, RecleanSelection(stale_only=True), workers=1).pages == 0


def test_cli_reclean_prints_pages_per_second(
    local_server: LocalServer, db: str, store: Store, client: httpx.Client
) -> None:
    fetch(local_server, store, client, "/a", page("Le marché", paragraphs(9, 5)))
    result = CliRunner().invoke(main, ["reclean", "--db", db, "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("reclean: 1 pages, 0 changed, 1 unchanged")
    assert "pages/s" in result.output


def test_warc_export_is_readable_by_warcio(
    local_server: LocalServer, db: str, store: Store, client: httpx.Client, tmp_path: Path
) -> None:
    html = page("Le marché", paragraphs(10, 4))
    gzipped = Route(
        headers=(("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip")),
        body=gzip.compress(html.encode()),
    )
    local_server.add("/gz", gzipped)
    assert not scrape_target(local_server.url("/gz"), store, client).failed
    fetch(local_server, store, client, "/b", page("La gare", paragraphs(11, 4)))

    path = tmp_path / "pages.warc.gz"
    result = CliRunner().invoke(main, ["warc", "--db", db, "-o", str(path)])
    assert result.exit_code == 0, result.output
    assert "2 pages written" in result.output

    with path.open("rb") as stream:
        records = [
            (
                record.rec_headers.get_header("WARC-Target-URI"),
                record.http_headers,
                record.content_stream().read(),
            )
            for record in ArchiveIterator(stream)
            if record.rec_type == "response"
        ]
    assert [uri.rsplit("/", 1)[1] for uri, _, _ in records] == ["gz", "b"]
    _, http_headers, body = records[0]
    assert body == html.encode()  # archived decoded: the WARC says so in its headers
    assert http_headers.get_header("content-encoding") is None
    assert http_headers.get_statuscode() == "200"
    assert http_headers.get_header("content-type") == "text/html; charset=utf-8"
    assert http_headers.get_header("content-length") == str(len(body))


def test_reclean_refreshes_metadata_of_unchanged_text(
    local_server: LocalServer, store: Store, client: httpx.Client
) -> None:
    article_id = fetch(local_server, store, client, "/a", page("Le tramway", paragraphs(12, 5)))
    with store.write() as conn:  # as an older cleaner might have stored it
        conn.execute(
            update(ArticleRow)
            .where(ArticleRow.id == article_id)
            .values(title="Titre erroné", language=None, cleaner_version="0.0.1")
        )

    report = reclean(store, workers=1)

    assert (report.unchanged, report.changed) == (1, 0)
    row = article(store, article_id)
    assert row is not None
    assert (row.title, row.language, row.cleaner_version) == (
        "Le tramway",
        "fr",
        cleaners.__version__,
    )
    assert [hit.article_id for hit in search(store, "tramway")] == [article_id]
    assert search(store, "erroné") == []


@pytest.mark.slow
def test_a_page_holding_its_cleaner_fails_alone_and_its_chunk_mates_are_recleaned(
    local_server: LocalServer, store: Store, client: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    paths = ["/a", "/spin", "/b", "/c"]  # one chunk: the stuck page's mates go again
    ids = {
        path: fetch(local_server, store, client, path, page(path, paragraphs(seed, 5)))
        for seed, path in enumerate(paths, start=20)
    }
    spinning = partial(extract_spinning_on, "/spin")
    # One worker: what is cleaned after the stuck page is cleaned by its replacement.
    report = reclean(store, workers=1, extract=spinning, version=NEW_VERSION, page_time_limit=1.0)
    assert (report.pages, report.failed) == (3, 1)
    assert ", 1 failed," in report.summary()
    for path, article_id in ids.items():
        row = article(store, article_id)
        assert row is not None
        assert row.cleaner_version == (cleaners.__version__ if path == "/spin" else NEW_VERSION)
    assert f"article {ids['/spin']}" in caplog.text and "killed" in caplog.text
