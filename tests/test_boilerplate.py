"""Per-host learned boilerplate, end to end: a real site on loopback, the real cleaner,
real databases (SQLite and PostgreSQL), the pipeline and the crawl.

The site's articles carry plain ``<p>`` paragraphs inside the article body that no
DOM rule can tell from prose: a rotating pair of teasers out of five, a subscription
plea, a long background paragraph that every article repeats, and a quote that two
articles share.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from local_server import LocalServer, html_route
from sqlalchemy import select, update
from synthetic_site import SyntheticSite, loopback_hosts, serve, sources_toml

from cleaners import Article, paragraph_hash
from scraper.fetch import make_client
from scraper.pipeline import scrape_target
from scraper.reclean import reclean
from scraper.records import FetchAttempt
from scraper.storage import DUPLICATE, NEW, Store, open_store
from scraper.storage.boilerplate import (
    MAX_PARAGRAPH_CHARS,
    BoilerplateCache,
    known_boilerplate,
)
from scraper.storage.models import ArticleRow, FetchRow, HostArticlesRow
from scraper.urls import host_of

PAGES = 20
TEASERS = (
    "Notre dossier spécial : la rentrée scolaire en dix questions.",
    "Découvrez aussi notre série d'été sur les villages du Périgord.",
    "Retrouvez chaque semaine la chronique économique de Paul Martin.",
    "Notre enquête sur les prix de l'immobilier dans la région.",
    "Le podcast de la rédaction, tous les vendredis sur notre site.",
)
# Mid-body: the cleaner's own rules already drop a plea that ends the text.
PLEA = (
    "Cette information vous est offerte grâce à nos abonnés : merci à eux de faire vivre "
    "un journalisme local et indépendant."
)
# Longer than MAX_PARAGRAPH_CHARS: shared by every article, yet real text to keep.
BACKGROUND = (
    "Depuis le début de l'année, le conseil départemental a engagé un vaste programme de "
    "rénovation des routes secondaires, financé pour moitié par l'État, qui doit durer "
    "jusqu'en 2027 et concerne plus de quatre cents kilomètres de voirie, des ponts "
    "anciens aux carrefours jugés dangereux par les habitants et les élus des communes "
    "rurales, lesquels réclamaient ces travaux depuis plus de dix ans déjà."
)
QUOTE = "« Nous ne lâcherons rien », a déclaré la maire à la sortie du conseil."
QUOTE_PAGES = (7, 12)  # two articles: below MIN_ARTICLES, it must stay
LEARNED = frozenset(map(paragraph_hash, (*TEASERS, PLEA)))


class PaddedSite(SyntheticSite):
    """The synthetic site, with per-host boilerplate pasted into each article body."""

    def __init__(self, hosts: list[str], articles: int) -> None:
        super().__init__(hosts, articles)
        self.edited: set[int] = set()  # articles whose first paragraph was rewritten

    def real_paragraphs(self, host: str, number: int) -> list[str]:
        real = super().paragraphs(host, number)
        if number in self.edited:
            real[0] = "Mise à jour : le conseil a finalement reporté son vote à lundi."
        if number in QUOTE_PAGES:
            real.append(QUOTE)
        return [*real, BACKGROUND]

    def paragraphs(self, host: str, number: int) -> list[str]:
        first, second, *rest = self.real_paragraphs(host, number)
        teasers = [TEASERS[number % len(TEASERS)], TEASERS[(number + 1) % len(TEASERS)]]
        return [first, *teasers, second, PLEA, *rest]


@pytest.fixture
def site() -> Iterator[PaddedSite]:
    with serve(PaddedSite(loopback_hosts(1), PAGES)) as served:
        yield served


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with make_client() as client:
        yield client


def stored_text(store: Store, url: str) -> str:
    article_id = store.article_for_url(url)
    with store.read() as conn:
        query = select(ArticleRow.text).where(ArticleRow.id == article_id)
        return conn.execute(query).scalar_one()


def assert_real_text_kept(site: PaddedSite, host: str, number: int, text: str) -> None:
    for paragraph in site.real_paragraphs(host, number):
        assert paragraph in text, (number, paragraph[:40])


def test_recurring_paragraphs_are_learned_and_dropped_real_ones_stay(
    db_url: str, site: PaddedSite, client: httpx.Client
) -> None:
    host = site.hosts[0]
    urls = [site.article_url(host, number) for number in range(PAGES)]
    with open_store(db_url) as store:
        outcomes = [scrape_target(url, store, client) for url in urls]
        assert [outcome.save.status for outcome in outcomes] == [NEW] * PAGES
        texts = [stored_text(store, url) for url in urls]
        with store.read() as conn:
            known = known_boilerplate(conn, host_of(urls[0]))

    # The first pages land before anything is known: stored as the cleaner sees them.
    for number in range(3):
        assert PLEA in texts[number]
        assert TEASERS[number] in texts[number]
    # Every teaser is in 40 % of the pages; by the eleventh all are known.
    for number in range(10, PAGES):
        assert not any(teaser in texts[number] for teaser in TEASERS), number
        assert PLEA not in texts[number]
        assert outcomes[number].article is not None
        assert set(outcomes[number].article.boilerplate) <= LEARNED
    for number in range(PAGES):
        assert_real_text_kept(site, host, number, texts[number])
    assert known == LEARNED  # neither the long background nor the quote of two articles
    assert len(BACKGROUND) > MAX_PARAGRAPH_CHARS
    assert all(QUOTE in texts[number] for number in QUOTE_PAGES)


def test_a_page_stored_before_learning_is_a_duplicate_when_fetched_again(
    db_url: str, site: PaddedSite, client: httpx.Client
) -> None:
    host = site.hosts[0]
    urls = [site.article_url(host, number) for number in range(PAGES)]
    with open_store(db_url) as store:
        first = [scrape_target(url, store, client) for url in urls]
        count = store.count_articles()

        again = scrape_target(urls[0], store, client)  # stored with its teasers and plea
        assert again.article is not None and again.article.boilerplate
        assert PLEA not in again.article.text
        assert again.save.status == DUPLICATE
        assert again.save.article_id == first[0].save.article_id
        assert store.count_articles() == count

        site.edited.add(1)  # a real change is still a new article
        edited = scrape_target(urls[1], store, client)
        assert edited.save.status == NEW
        assert store.count_articles() == count + 1


def test_reclean_keeps_learned_boilerplate_out(
    tmp_path: Path, site: PaddedSite, client: httpx.Client
) -> None:
    host = site.hosts[0]
    urls = [site.article_url(host, number) for number in range(PAGES)]
    with open_store(str(tmp_path / "scrape.db")) as store:
        for url in urls:
            scrape_target(url, store, client)
        report = reclean(store, workers=1)
        texts = [stored_text(store, url) for url in urls]

    assert report.pages == PAGES
    # The first pages, stored before learning, lose their teasers now; no page gets them back.
    for number in range(PAGES):
        assert not any(teaser in texts[number] for teaser in TEASERS), number
        assert PLEA not in texts[number]
        assert_real_text_kept(site, host, number, texts[number])


def saved_copy(store: Store, url: str, text: str) -> None:
    attempt = FetchAttempt(requested_url=url, fetched_at=datetime.now(UTC), final_url=url)
    store.save(attempt, Article(text=text, url=url), [url])


def test_near_copies_are_not_counted(tmp_path: Path) -> None:
    story = [f"Paragraphe {n} du même récit, avec assez de mots pour un bardeau." for n in range(8)]
    with open_store(str(tmp_path / "scrape.db")) as store:
        for version in range(4):  # the same story updated: a near-copy each time
            text = "\n\n".join([*story, f"Mise à jour numéro {version}."])
            saved_copy(store, f"https://news.example/story-v{version}", text)
        with store.read() as conn:
            counted = conn.execute(select(HostArticlesRow.article_count)).scalar_one()
            known = known_boilerplate(conn, "news.example")
        assert store.count_articles() == 4
    assert counted == 1
    assert known == frozenset()


WORDS = ("budget", "mairie", "récolte", "tribunal", "festival", "hôpital")


def distinct_article(host: str, number: int, extra: list[str]) -> str:
    own = [f"Article {number} de {host} : {word} et encore {word} {number}." for word in WORDS]
    return "\n\n".join([*own, *extra])


def test_thresholds_three_articles_and_a_fifth_of_the_host(tmp_path: Path) -> None:
    in_two, in_three, in_four = "Vu dans deux.", "Vu dans trois.", "Vu dans quatre."
    with open_store(str(tmp_path / "scrape.db")) as store:
        for number in range(20):
            extra = [p for p, n in ((in_two, 2), (in_three, 3), (in_four, 4)) if number < n]
            url = f"https://site.example/{number}"
            saved_copy(store, url, distinct_article("site.example", number, extra))
            with store.read() as conn:
                known = known_boilerplate(conn, "site.example")
            if number + 1 == 10:  # floor max(3, 20 % of 10) = 3
                assert known == {paragraph_hash(in_three), paragraph_hash(in_four)}
        assert store.count_articles() == 20
    # 20 articles: 20 % is 4, so three are no longer enough.
    assert known == {paragraph_hash(in_four)}


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_cache_reads_a_host_again_after_its_ttl_and_holds_few_hosts(tmp_path: Path) -> None:
    plea = "Abonnez-vous pour lire la suite de nos articles."
    clock = FakeClock()

    def add_article(store: Store, host: str, number: int) -> None:
        body = f"Article numéro {number} de {host}, un texte qui lui est propre et unique."
        saved_copy(store, f"https://{host}/a{number}", f"{body}\n\n{plea}")

    with open_store(str(tmp_path / "scrape.db")) as store:
        cache = BoilerplateCache(store, ttl=30.0, max_hosts=1, clock=clock)
        for number in range(2):
            add_article(store, "a.example", number)
        assert cache.for_url("https://a.example/x") == frozenset()
        add_article(store, "a.example", 2)  # the third article: the plea is now known
        clock.now = 29.0
        assert cache.for_url("https://a.example/x") == frozenset()  # still fresh
        clock.now = 30.0
        assert cache.for_url("https://a.example/x") == {paragraph_hash(plea)}

        for number in range(3):
            add_article(store, "b.example", number)
        assert cache.for_url("https://b.example/x") == {paragraph_hash(plea)}
        # One host at most: a.example left, so it is read again (and now sees nothing).
        with store.write() as conn:
            conn.execute(HostArticlesRow.__table__.delete())
        assert cache.for_url("https://a.example/x") == frozenset()
        assert cache.for_url("not a url") == frozenset()


@pytest.mark.slow
def test_crawl_workers_drop_what_earlier_pages_taught(tmp_path: Path, site: PaddedSite) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text(sources_toml(site, delay=0.01), encoding="utf-8")
    db = tmp_path / "scrape.db"
    command = [sys.executable, "-m", "scraper", "crawl", str(sources), "--db", str(db)]
    command += ["--allow-private", "127.0.0.0/8"]

    def crawl() -> None:
        done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
        assert done.returncode == 0, done.stderr

    host = site.hosts[0]
    crawl()  # learns from the first twenty articles
    new_urls = site.add_articles(host, 5)
    crawl()  # a new run's workers read what the first one learned
    with open_store(str(db)) as store:
        assert store.count_articles() == PAGES + 5
        for number, url in enumerate(new_urls, start=PAGES):
            text = stored_text(store, url)
            assert not any(teaser in text for teaser in TEASERS), number
            assert PLEA not in text
            assert_real_text_kept(site, host, number, text)


RELATIVE_DATE_PAGE = """<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">
<title>Le marché couvert rouvre ses portes</title></head><body>
<article><h1>Le marché couvert rouvre ses portes</h1>
<p class="byline">Publié il y a 6 heures</p>
<p>Après deux ans de travaux, le marché couvert de la ville a rouvert ce matin. Les
commerçants, heureux de retrouver leurs étals, ont accueilli une foule nombreuse dès
l'ouverture, sous un soleil encore timide.</p>
<p>La municipalité a investi plus de trois millions d'euros dans la rénovation de la
charpente, de l'éclairage et des réseaux. Les travaux ont pris six mois de retard à cause
de la découverte de vestiges anciens sous le parvis.</p>
<p>Le marché sera ouvert du mardi au dimanche, de sept heures à quatorze heures, et
accueillera des producteurs locaux le samedi matin.</p>
</article></body></html>"""


def test_relative_byline_is_dated_from_the_fetch_time(
    tmp_path: Path, local_server: LocalServer, client: httpx.Client
) -> None:
    url = local_server.add("/marche/", html_route(RELATIVE_DATE_PAGE))
    with open_store(str(tmp_path / "scrape.db")) as store:
        outcome = scrape_target(url, store, client)
        with store.read() as conn:
            fetched_at = conn.execute(select(FetchRow.fetched_at)).scalar_one()
            published = conn.execute(select(ArticleRow.published)).scalar_one()
    expected = (fetched_at - timedelta(hours=6)).replace(microsecond=0).isoformat()
    assert outcome.article is not None
    assert outcome.article.published == published == expected


def test_reclean_dates_a_relative_byline_from_the_original_fetch(
    tmp_path: Path, local_server: LocalServer, client: httpx.Client
) -> None:
    url = local_server.add("/marche/", html_route(RELATIVE_DATE_PAGE))
    fetched_at = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
    with open_store(str(tmp_path / "scrape.db")) as store:
        scrape_target(url, store, client)
        with store.write() as conn:  # as if fetched long ago
            conn.execute(update(FetchRow).values(fetched_at=fetched_at))
        reclean(store, workers=1)
        with store.read() as conn:
            published = conn.execute(select(ArticleRow.published)).scalar_one()
    assert published == (fetched_at - timedelta(hours=6)).isoformat()
