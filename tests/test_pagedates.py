"""Publication and update dates weighed across a page's evidence (cleaners.metadata.pagedates)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from selectolax.lexbor import LexborHTMLParser

from cleaners.metadata import read_metadata
from cleaners.metadata.zones import TEXTS_BEFORE_HEADLINE, texts_near

URL = "https://exemple.fr/2025/03/29/article/"
FETCHED = datetime(2025, 7, 1, 12, 0, tzinfo=UTC)

JSON_LD = (
    '<script type="application/ld+json">{"@type":"NewsArticle",'
    '"datePublished":"2025-04-02T10:00:00+02:00"}</script>'
)
META = '<meta property="article:published_time" content="2025-04-01T09:00:00+02:00">'
TIME = '<p><time datetime="2025-03-31T08:00:00+02:00">31 mars 2025</time></p>'
SHOWN = '<p class="post-date">30 mars 2025</p>'


def dates_of(
    head: str = "",
    body: str = "",
    *,
    url: str = URL,
    lang: str = "fr",
    fetched_at: datetime | None = FETCHED,
) -> tuple[str | None, str | None]:
    page = f'<html lang="{lang}"><head>{head}</head><body><h1>Le titre</h1>{body}</body></html>'
    meta = read_metadata(LexborHTMLParser(page), url, fetched_at=fetched_at)
    return meta.published, meta.modified


@pytest.mark.parametrize(
    ("head", "body", "published"),
    [
        (JSON_LD + META, TIME + SHOWN, "2025-04-02T10:00:00+02:00"),
        (META, TIME + SHOWN, "2025-04-01T09:00:00+02:00"),
        ("", TIME + SHOWN, "2025-03-31T08:00:00+02:00"),
        ("", SHOWN, "2025-03-30"),
        ("", "<p>Texte.</p>", "2025-03-29"),
    ],
)
def test_evidence_order(head: str, body: str, published: str) -> None:
    """JSON-LD, then meta tags, then <time>, then the shown date, then the URL."""
    assert dates_of(head, body)[0] == published


def test_an_update_never_replaces_a_publication() -> None:
    both = '<p><span>Updated</span> <time datetime="2025-06-04T09:05:00Z">June 4</time></p>'
    assert dates_of(body=both + SHOWN, url="https://exemple.fr/a/") == (
        "2025-03-30",
        "2025-06-04T09:05:00+00:00",
    )
    marked = (
        '<p><time itemprop="dateModified" datetime="2025-06-04T09:05:00Z">4 juin 2025</time></p>'
    )
    assert dates_of(body=marked + SHOWN, url="https://exemple.fr/a/")[0] == "2025-03-30"
    update = '<p class="meta">Mis à jour le 4 juin 2025 à 09h05</p>'
    # a date in the URL is a publication
    assert dates_of(body=update) == ("2025-03-29", "2025-06-04T09:05:00")


def test_a_page_showing_readers_only_its_update_is_dated_by_it() -> None:
    update = '<p class="meta">Mis à jour le 4 juin 2025 à 09h05</p>'
    assert dates_of(body=update, url="https://exemple.fr/a/") == (
        "2025-06-04T09:05:00",
        "2025-06-04T09:05:00",
    )
    # an update declared to machines only is a save stamp, not a date readers see
    declared = '<meta property="article:modified_time" content="2025-06-04T09:05:00+02:00">'
    assert dates_of(declared, url="https://exemple.fr/a/") == (None, "2025-06-04T09:05:00+02:00")


# A CMS that writes both dates at each save: its declared publication is the last save.
SAVED = (
    '<script type="application/ld+json">{"@type":"BlogPosting",'
    '"datePublished":"2025-06-20T10:00:00+02:00","dateModified":"2025-06-20T10:00:00+02:00"}'
    "</script>"
)


def test_a_declared_publication_that_is_the_last_save_gives_way_to_the_shown_one() -> None:
    assert dates_of(SAVED, SHOWN) == ("2025-03-30", "2025-06-20T10:00:00+02:00")
    # nothing is updated before it is published: that order is a save stamp too
    updated_before = SAVED.replace('"dateModified":"2025-06-20', '"dateModified":"2025-06-18')
    assert dates_of(updated_before, SHOWN)[0] == "2025-03-30"
    # the same clock time written in two zones is still one stamp
    in_utc = SAVED.replace(
        '"dateModified":"2025-06-20T10:00:00+02:00', '"dateModified":"2025-06-20T10:00:00Z'
    )
    assert dates_of(in_utc, SHOWN)[0] == "2025-03-30"
    assert dates_of(SAVED.replace("datePublished", "dateCreated"), TIME)[0] == "2025-03-31"


def test_a_declared_publication_before_its_update_is_kept() -> None:
    head = SAVED.replace('"datePublished":"2025-06-20', '"datePublished":"2025-04-02')
    assert dates_of(head, SHOWN)[0] == "2025-04-02T10:00:00+02:00"
    # an update later the same day is an update, not a save stamp
    same_day = SAVED.replace('"dateModified":"2025-06-20T10:00', '"dateModified":"2025-06-20T16:40')
    assert dates_of(same_day, SHOWN)[0] == "2025-06-20T10:00:00+02:00"
    # and without any declared update there is no stamp to doubt
    alone = SAVED.replace(',"dateModified":"2025-06-20T10:00:00+02:00"', "")
    assert dates_of(alone, SHOWN)[0] == "2025-06-20T10:00:00+02:00"


def test_a_save_stamp_a_day_after_the_shown_date_is_the_same_moment_elsewhere() -> None:
    """00:30 UTC on 31 March is the evening of 30 March in New York."""
    head = SAVED.replace("2025-06-20T10:00:00+02:00", "2025-03-31T00:30:00+00:00")
    assert dates_of(head, SHOWN)[0] == "2025-03-31T00:30:00+00:00"


def test_a_save_stamp_is_kept_against_updates_other_stories_and_later_dates() -> None:
    body = (
        '<p class="meta">Mis à jour le 2 mars 2025</p>'
        '<section class="related-articles"><p class="date">2 janvier 2025</p></section>'
    )
    assert dates_of(SAVED, body)[0] == "2025-06-20T10:00:00+02:00"
    later = '<p class="post-date">25 juin 2025</p>'
    assert dates_of(SAVED, later)[0] == "2025-06-20T10:00:00+02:00"


@pytest.mark.parametrize(
    ("name", "value", "published"),
    [
        ("citation_publication_date", "2025/04/01", "2025-04-01"),
        ("dcterms.issued", "2025-04-01T09:00:00+02:00", "2025-04-01T09:00:00+02:00"),
        ("og:published_time", "2025-04-01T07:00:00Z", "2025-04-01T07:00:00+00:00"),
    ],
)
def test_less_common_publication_meta_tags(name: str, value: str, published: str) -> None:
    head = f'<meta name="{name}" content="{value}">'
    assert dates_of(head, url="https://exemple.fr/a/")[0] == published


def test_future_and_ancient_dates_are_refused() -> None:
    head = (
        '<script type="application/ld+json">{"@type":"NewsArticle",'
        '"datePublished":"2025-09-01T10:00:00+02:00"}</script>'
        '<meta property="article:published_time" content="1970-01-01T00:00:00Z">'
    )
    assert dates_of(head, TIME)[0] == "2025-03-31T08:00:00+02:00"
    # the same page fetched after September: its JSON-LD date is no longer in the future
    later = datetime(2025, 10, 1, tzinfo=UTC)
    assert dates_of(head, TIME, fetched_at=later)[0] == "2025-09-01T10:00:00+02:00"


def test_time_zone_is_kept_and_lent_to_a_date_without_one() -> None:
    head = (
        '<meta property="article:published_time" content="2025-03-17T09:30:00-04:00">'
        '<meta property="article:modified_time" content="2025-03-17T11:05:00">'
    )
    assert dates_of(head) == ("2025-03-17T09:30:00-04:00", "2025-03-17T11:05:00-04:00")


def test_dates_of_related_stories_and_comments_never_count() -> None:
    body = (
        "<article><p>Texte.</p></article>"
        '<section class="related-articles"><time datetime="2025-05-02">2 mai 2025</time></section>'
        '<div id="comments"><span class="comment-date">3 mai 2025</span></div>'
    )
    assert dates_of(body=body, url="https://exemple.fr/a/") == (None, None)


def test_dates_in_banner_bio_and_newsletter_blocks_are_the_articles() -> None:
    """Blocks the pruner drops whatever they hold (ads, author bios, newsletter boxes)
    hold the article's own date on many templates: a hero banner, a newsletter issue."""
    for name in ("post-banner", "author-bio", "newsletter-details"):
        body = f'<div class="{name}"><p class="date">12 mai 2025</p></div>'
        assert dates_of(body=body, url="https://exemple.fr/a/")[0] == "2025-05-12", name


def test_a_date_column_inside_the_article_is_the_articles() -> None:
    body = '<article><aside class="post-sidebar"><p class="date">12 mai 2025</p></aside></article>'
    assert dates_of(body=body, url="https://exemple.fr/a/")[0] == "2025-05-12"


def test_date_shown_next_to_the_headline_without_any_markup() -> None:
    body = "<p>Par Claire Besson</p><p>November 2, 2022</p><p>" + "Texte. " * 60 + "</p>"
    assert dates_of(body=body, url="https://exemple.fr/a/")[0] == "2022-11-02"


def test_numeric_dates_follow_the_pages_language() -> None:
    body = '<p class="date">03/02/2025</p>'
    assert dates_of(body=body, url="https://exemple.fr/a/", lang="en-US")[0] == "2025-03-02"
    assert dates_of(body=body, url="https://exemple.fr/a/", lang="en-GB")[0] == "2025-02-03"


def test_headline_set_in_a_paragraph_when_the_page_has_no_h1() -> None:
    page = (
        '<html><head><meta property="og:title" content="Le marché rouvre | Exemple"></head>'
        '<body><p class="hero">Le marché rouvre</p><p>Feb 16, 2025</p></body></html>'
    )
    meta = read_metadata(LexborHTMLParser(page), "https://exemple.fr/a/", fetched_at=FETCHED)
    assert (meta.title, meta.published) == ("Le marché rouvre", "2025-02-16")


def test_texts_before_the_headline_come_nearest_first_even_after_a_long_menu() -> None:
    menu = "".join(f"<li><a href='/r{i}'>Rubrique {i}</a></li>" for i in range(300))
    page = (
        f"<body><nav><ul>{menu}</ul></nav><div><span>Par Ana Ruiz</span> "
        "<span>3 juin 2025</span></div><h1>Titre</h1></body>"
    )
    headline = LexborHTMLParser(page).css_first("h1")
    texts = [node.text_content.strip() for node in texts_near(headline)]
    assert texts[:4] == ["3 juin 2025", "Par Ana Ruiz", "Rubrique 299", "Rubrique 298"]
    assert len(texts) == TEXTS_BEFORE_HEADLINE


def test_ten_thousand_nested_blocks_before_the_headline() -> None:
    page = "<div>" * 10_000 + "<span>27 juin 2025</span>" + "</div>" * 10_000 + "<h1>Titre</h1>"
    meta = read_metadata(LexborHTMLParser(page), "https://exemple.fr/breve", fetched_at=FETCHED)
    assert meta.published == "2025-06-27"


def test_htmldate_is_asked_where_the_page_gives_none_of_our_evidence() -> None:
    # A microformat date our own rules do not read; htmldate knows it.
    body = '<abbr class="published" title="2021-03-04T10:00:00">4 mars</abbr><p>Texte.</p>'
    assert dates_of(body=body, url="https://exemple.fr/a/")[0] == "2021-03-04"


def test_htmldate_is_not_shown_the_dates_of_other_stories() -> None:
    body = (
        "<p>Texte.</p><section class='related-posts'>"
        '<abbr class="published" title="2021-03-04T10:00:00">4 mars</abbr></section>'
    )
    assert dates_of(body=body, url="https://exemple.fr/a/")[0] is None
