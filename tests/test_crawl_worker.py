"""The crawl's worker processes: a batch of pages, cleaned and stored by a real worker."""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from multiprocessing import get_context
from pathlib import Path

from synthetic_site import SyntheticSite

from scraper.crawl.frontier_records import Kind
from scraper.crawl.worker import PageAnalysis, PageJob, analyse_batch, init_worker
from scraper.errors import FetchError
from scraper.records import FetchAttempt
from scraper.storage import FAILED, NEW, open_store

HEADERS = (("content-type", "text/html; charset=utf-8"),)


def article_job(site: SyntheticSite, number: int) -> PageJob:
    url = site.article_url("127.0.0.2", number)
    body = site.article_html("127.0.0.2", number)
    attempt = FetchAttempt(url, datetime.now(UTC), url, 200, "text/html", len(body), 0.01)
    return PageJob(Kind.ARTICLE, url, url, body, HEADERS, attempt)


def test_a_page_that_fails_in_a_batch_fails_alone(tmp_path: Path) -> None:
    site = SyntheticSite(["127.0.0.2"], 3)
    site.ports = {"127.0.0.2": 8080}
    sitemap = "http://127.0.0.2:8080/sitemap.xml"
    not_a_sitemap = b'<?xml version="1.0"?>'
    broken_sitemap = PageJob(Kind.SITEMAP, sitemap, sitemap, not_a_sitemap, max_bytes=1000)
    empty = PageJob(
        Kind.ARTICLE,
        "http://127.0.0.2:8080/vide/",
        "http://127.0.0.2:8080/vide/",
        b"<html><body><article></article></body></html>",
        HEADERS,
        FetchAttempt("http://127.0.0.2:8080/vide/", datetime.now(UTC)),
    )
    jobs = [article_job(site, 0), broken_sitemap, empty, article_job(site, 1), article_job(site, 0)]
    db = tmp_path / "crawl.db"
    open_store(str(db)).close()
    spawn = get_context("spawn")
    with ProcessPoolExecutor(
        1, mp_context=spawn, initializer=init_worker, initargs=(os.getpid(), str(db), None)
    ) as pool:
        results = pool.submit(analyse_batch, jobs).result()

    assert isinstance(results[1], FetchError)
    saved = [r.saved if isinstance(r, PageAnalysis) else None for r in results]
    assert saved == [NEW, None, FAILED, NEW, "duplicate"]
    with open_store(str(db)) as store:
        assert store.count_articles() == 2
        with store.read() as conn:
            outcomes = sorted(conn.exec_driver_sql("SELECT outcome FROM fetches").scalars())
    assert outcomes == ["duplicate", "failed", "new", "new"]
