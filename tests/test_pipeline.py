"""scrape_target end to end: real local server, real cleaner, real SQLite file."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from local_server import Route, html_route
from sqlalchemy import select

from scraper.errors import FetchErrorKind
from scraper.fetch import make_client
from scraper.pipeline import scrape_target
from scraper.storage import Store, open_store
from scraper.storage.models import FetchRow

# Golden pages (fixtures/pages): a tagDiv article, the same article with another
# related-posts tail, another article on the same event, a page whose charset is
# only in the HTTP header.
TAGDIV = "F01"
TAGDIV_OTHER_TAIL = "F01b"
SAME_EVENT_OTHER_ARTICLE = "F05"
CHARSET_IN_HEADER_ONLY = "E02"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(str(tmp_path / "scrape.db")) as store:
        yield store


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with make_client() as client:
        yield client


def page_url(page_server, name: str) -> str:
    return page_server.url(f"/pages/{name}.html")


def fetch_rows(store: Store) -> list[FetchRow]:
    with store.read() as conn:
        return list(conn.execute(select(FetchRow.__table__)))


def test_fixture_page_is_stored_once(page_server, store, client):
    url = page_url(page_server, TAGDIV)

    first = scrape_target(url, store, client)
    again = scrape_target(url, store, client)

    assert first.error is None
    assert first.save.status == "new"
    assert first.article is not None and first.article.text
    assert again.save.status == "duplicate"
    assert again.save.article_id == first.save.article_id
    assert store.count_articles() == 1
    assert [row.outcome for row in fetch_rows(store)] == ["new", "duplicate"]


def test_explain_gives_the_same_article_and_the_removed_blocks(page_server, store, client):
    url = page_url(page_server, TAGDIV)

    plain = scrape_target(url, store, client)
    explained = scrape_target(url, store, client, explain=True)

    assert plain.explanation is None
    assert explained.explanation is not None and explained.explanation.removed
    assert explained.explanation.article == explained.article == plain.article
    assert explained.save.article_id == plain.save.article_id


def test_same_article_with_another_tail_is_one_article_with_both_urls(page_server, store, client):
    url = page_url(page_server, TAGDIV)
    other_url = page_url(page_server, TAGDIV_OTHER_TAIL)

    first = scrape_target(url, store, client)
    second = scrape_target(other_url, store, client)

    assert second.save.status == "duplicate"
    assert second.save.article_id == first.save.article_id
    assert store.article_for_url(url) == store.article_for_url(other_url) == first.save.article_id
    assert store.count_articles() == 1


def test_two_articles_on_one_event_are_two_rows(page_server, store, client):
    first = scrape_target(page_url(page_server, TAGDIV), store, client)
    second = scrape_target(page_url(page_server, SAME_EVENT_OTHER_ARTICLE), store, client)

    assert first.save.status == second.save.status == "new"
    assert first.save.article_id != second.save.article_id
    assert store.count_articles() == 2


def test_canonical_url_leads_to_the_article(page_server, store, client):
    outcome = scrape_target(page_url(page_server, TAGDIV), store, client)

    assert outcome.article is not None and outcome.article.canonical_url
    assert store.article_for_url(outcome.article.canonical_url) == outcome.save.article_id


def test_charset_from_the_header_reaches_the_cleaner(page_server, store, client, fixture_pages):
    expected = json.loads((fixture_pages / f"{CHARSET_IN_HEADER_ONLY}.expected.json").read_text())

    outcome = scrape_target(page_url(page_server, CHARSET_IN_HEADER_ONLY), store, client)

    assert outcome.error is None and outcome.article is not None
    for phrase in expected["must_contain"]:
        assert phrase in outcome.article.text
    for mojibake in ("Ã", "â€", "\ufffd"):
        assert mojibake not in outcome.article.text


def test_failed_fetch_is_recorded_without_an_article(local_server, store, client):
    url = local_server.add("/missing", html_route("<p>gone</p>", status=404))

    outcome = scrape_target(url, store, client)

    assert outcome.failed and outcome.error is not None
    assert outcome.error.kind == FetchErrorKind.HTTP_STATUS
    assert outcome.save.status == "failed" and outcome.save.article_id is None
    (row,) = fetch_rows(store)
    assert (row.requested_url, row.status, row.error_kind) == (url, 404, "http_status")
    assert store.count_articles() == 0


def test_page_without_article_text_fails_with_the_cleaners_reason(local_server, store, client):
    url = local_server.add("/blank", html_route("<html><body></body></html>"))

    outcome = scrape_target(url, store, client)

    assert outcome.error is not None and outcome.error.kind == FetchErrorKind.EMPTY
    assert outcome.article is not None and outcome.article.reason
    assert outcome.article.reason in outcome.error.message
    (row,) = fetch_rows(store)
    assert row.error_kind == "empty" and row.byte_count > 0


def test_a_failure_does_not_stop_the_next_target(page_server, local_server, store, client):
    bad = local_server.add(
        "/pdf", Route(headers=(("Content-Type", "application/pdf"),), body=b"%PDF")
    )

    outcomes = [
        scrape_target(target, store, client) for target in (bad, page_url(page_server, TAGDIV))
    ]

    assert [outcome.save.status for outcome in outcomes] == ["failed", "new"]
    assert outcomes[0].error is not None and outcomes[0].error.kind == FetchErrorKind.NOT_HTML


@pytest.mark.parametrize("suffix", [".html", ".html.gz"])
def test_saved_page_is_stored_like_a_fetched_one(tmp_path, fixture_pages, store, client, suffix):
    html = (fixture_pages / f"{TAGDIV}.html").read_bytes()
    saved = tmp_path / f"saved{suffix}"
    saved.write_bytes(gzip.compress(html) if suffix.endswith(".gz") else html)

    outcome = scrape_target(str(saved), store, client)

    assert outcome.save.status == "new"
    assert outcome.article is not None and outcome.article.url == saved.resolve().as_uri()
    (row,) = fetch_rows(store)
    assert row.requested_url == saved.resolve().as_uri()


def test_missing_saved_page_is_a_file_error(tmp_path, store, client):
    outcome = scrape_target(str(tmp_path / "nowhere.html"), store, client)

    assert outcome.error is not None and outcome.error.kind == FetchErrorKind.FILE_ERROR
    assert fetch_rows(store)[0].error_kind == "file_error"
