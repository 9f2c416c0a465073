"""Golden pages: cleaners.extract must give the exact body and metadata each page expects.

The expectations were written from the page specification (page-anatomy.md, d), not from
the cleaner's output; ``fixtures/regen.py`` rewrites one on purpose only.
"""

from __future__ import annotations

import html
import json
import re
from datetime import datetime
from functools import cache

import pytest
from helpers_fixtures import PAGES, GoldenPage, golden_page_names, load_golden_page

from cleaners import Article
from cleaners.markup.decode import decode_html
from cleaners.normalize import content_hash, normalize_whitespace

NAMES = golden_page_names()

# page-anatomy.md d.5: boilerplate labels no output line may be or begin with. A test
# oracle only: prose may contain these words mid-sentence.
SHARED_NEGATIVE_LINE_STARTS = (
    # fr
    "Lire aussi", "À lire aussi", "Lire également", "Voir aussi", "Sur le même sujet",
    "Dans la même rubrique", "Sur le même thème", "Articles similaires", "Articles liés",
    "Articles connexes", "Vous aimerez aussi", "Vous pourriez aussi aimer", "Plus comme ça",
    "Plus de l'auteur", "Les plus lus", "Populaire", "Tendances", "Partager",
    "Partager sur Facebook", "Partager cette publication", "Publicité", "Passer la publicité",
    "Nous utilisons des cookies", "Tout accepter", "Inscrivez-vous à notre newsletter",
    "Laisser un commentaire", "Annuler la réponse", "Votre adresse e-mail ne sera pas publiée",
    "La suite est réservée aux abonnés", "Il vous reste", "Article précédent", "Article suivant",
    "Mots-clés", "Crédits photos",
    # en
    "Related articles", "More from author", "More like this", "You may also like", "Popular",
    "TRENDING", "Most Read", "Share", "Share this:", "- Advertisement -", "LEAVE A REPLY",
    "Cancel reply", "Please enter your comment!", "Subscribe", "Previous article",
    "Next article", "Load more",
)  # fmt: skip
ARTIFACTS = ("spot_img", "![", "](", "[spot_img]", "Ã©", "â€™", "Ã¨", "\ufffd")
# C1 control characters in text mean windows-1252 bytes were decoded as latin-1.
_C1_CONTROL = re.compile("[\u0080-\u009f]")
# Tags of the inline elements a paragraph of the fixtures may hold.
_INLINE_TAG = re.compile(r"</?(?:a|b|em|i|span|strong|time)\b[^>]*>", re.IGNORECASE)
_NEGATIVE_LINE = re.compile(
    "|".join(re.escape(label.casefold()) for label in SHARED_NEGATIVE_LINE_STARTS) + r"(?!\w)"
)


@cache
def page(name: str) -> GoldenPage:
    return load_golden_page(name)


@cache
def article(name: str) -> Article:
    return page(name).extract()


def visible_source(name: str, *, inline_tags: bool = True) -> str:
    """The page's decoded source with entities resolved and whitespace tidied.

    Without ``inline_tags`` the tags of inline elements are left out, so that a paragraph
    holding a link or a bold name reads as one string, as it does in the text.
    """
    golden = page(name)
    source = decode_html(golden.html, golden.content_type)
    if not inline_tags:
        source = _INLINE_TAG.sub("", source)
    return normalize_whitespace(html.unescape(source))


def test_there_are_golden_pages() -> None:
    assert {"F01", "F01b", "F02", "F05", "F08", "E02"} <= set(NAMES)


# -- the fixtures themselves: these hold whatever the cleaner does -----------------------


@pytest.mark.parametrize("name", NAMES)
def test_fetch_context_is_complete(name: str) -> None:
    meta = json.loads((PAGES / f"{name}.meta.json").read_text("utf-8"))
    assert {"url", "final_url", "content_type", "status"} <= meta.keys()
    assert meta["final_url"].startswith("https://") and meta["status"] == 200


def test_dedup_pairs_are_what_the_storage_tests_need() -> None:
    """F01b is F01 with another related tail (one article); F05 is the same event told
    differently (another article)."""
    assert page("F01").expected_text == page("F01b").expected_text
    assert page("F01").html != page("F01b").html
    assert page("F01").url != page("F01b").url
    assert content_hash(page("F01").expected_text) != content_hash(page("F05").expected_text)


@pytest.mark.parametrize("name", NAMES)
def test_expected_text_lines_are_in_the_page(name: str) -> None:
    source = visible_source(name, inline_tags=False)
    for line in filter(None, page(name).expected_text.split("\n")):
        # A table row is laid out "cell | cell": each cell is in the page.
        for cell in line.removeprefix("- ").split(" | "):
            assert cell in source, line


@pytest.mark.parametrize("name", NAMES)
def test_negative_strings_are_in_the_page_but_not_in_the_expectation(name: str) -> None:
    expected = page(name).expected
    source = visible_source(name)
    for unwanted in expected.get("must_not_contain", []):
        assert unwanted in source, f"{unwanted!r} is not in the page: the check could never fail"
        assert unwanted not in page(name).expected_text, unwanted
    for wanted in expected.get("must_contain", []):
        assert wanted in page(name).expected_text, wanted


# -- the cleaner on the fixtures ---------------------------------------------------------


def test_same_article_under_two_urls_hashes_the_same() -> None:
    assert content_hash(article("F01").text) == content_hash(article("F01b").text)
    assert content_hash(article("F01").text) != content_hash(article("F05").text)


@pytest.mark.parametrize("name", NAMES)
def test_text_is_exactly_the_expected_body(name: str) -> None:
    assert normalize_whitespace(article(name).text) == normalize_whitespace(
        page(name).expected_text
    )


@pytest.mark.parametrize("name", NAMES)
def test_must_contain(name: str) -> None:
    text = article(name).text
    missing = [s for s in page(name).expected.get("must_contain", []) if s not in text]
    assert not missing


@pytest.mark.parametrize("name", NAMES)
def test_must_not_contain(name: str) -> None:
    text = article(name).text
    leaked = [s for s in page(name).expected.get("must_not_contain", []) if s in text]
    assert not leaked


@pytest.mark.parametrize("name", NAMES)
def test_no_line_is_a_boilerplate_label(name: str) -> None:
    lines = [line.strip().casefold() for line in article(name).text.split("\n")]
    assert [line for line in lines if _NEGATIVE_LINE.match(line)] == []


@pytest.mark.parametrize("name", NAMES)
def test_no_artifacts_or_mojibake(name: str) -> None:
    text = article(name).text
    assert [artifact for artifact in ARTIFACTS if artifact in text] == []
    assert _C1_CONTROL.search(text) is None


@pytest.mark.parametrize("name", NAMES)
def test_reason(name: str) -> None:
    result = article(name)
    expected_reason = page(name).expected.get("reason")
    assert result.reason == expected_reason
    assert result.is_empty == (expected_reason is not None)


PLAIN_FIELDS = ("title", "language", "canonical_url", "image", "site_name")


@pytest.mark.parametrize(
    ("name", "field"),
    [(n, f) for n in NAMES for f in PLAIN_FIELDS if f in page(n).expected],
)
def test_metadata_field(name: str, field: str) -> None:
    assert getattr(article(name), field) == page(name).expected[field]


@pytest.mark.parametrize("name", [n for n in NAMES if "authors" in page(n).expected])
def test_authors(name: str) -> None:
    assert list(article(name).authors) == page(name).expected["authors"]


@pytest.mark.parametrize("name", [n for n in NAMES if "tags" in page(n).expected])
def test_tags(name: str) -> None:
    assert sorted(article(name).tags) == sorted(page(name).expected["tags"])


@pytest.mark.parametrize(
    ("name", "field"),
    [(n, f) for n in NAMES for f in ("published", "modified") if f in page(n).expected],
)
def test_dates_are_the_same_instant_with_an_offset(name: str, field: str) -> None:
    expected = page(name).expected[field]
    found = getattr(article(name), field)
    if expected is None:
        assert found is None
        return
    assert found is not None
    parsed = datetime.fromisoformat(found)
    assert parsed.utcoffset() is not None, f"{found} has no UTC offset"
    assert parsed == datetime.fromisoformat(expected)
