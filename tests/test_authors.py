"""Author names cleaned out of bylines (cleaners.metadata.authors), and weighed between what the
page declares and what it shows (cleaners.metadata.bylines)."""

from __future__ import annotations

import pytest
from selectolax.lexbor import LexborHTMLParser

from cleaners.metadata import read_metadata
from cleaners.metadata.authors import author_names, is_organisation, unique_names

URL = "https://exemple.fr/2025/06/03/article/"


def authors_of(head: str = "", body: str = "") -> tuple[str, ...]:
    page = f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>"
    return read_metadata(LexborHTMLParser(page), URL).authors


def ld(json_text: str) -> str:
    return f'<script type="application/ld+json">{json_text}</script>'


@pytest.mark.parametrize(
    ("byline", "names"),
    [
        # prefixes, in the languages the cleaner reads
        ("By Jane Doe", ["Jane Doe"]),
        ("Par Jeanne Martin", ["Jeanne Martin"]),
        ("Von Max Mustermann", ["Max Mustermann"]),
        ("Por Ana Lima", ["Ana Lima"]),
        ("di Mario Rossi", ["Mario Rossi"]),
        ("Автор: Олена Коваленко", ["Олена Коваленко"]),
        ("Written by: Jane Doe", ["Jane Doe"]),
        ("This post was written by Jane Doe", ["Jane Doe"]),
        ("Da Silva", ["Da Silva"]),  # a capitalised particle is a name, not "by"
        # roles, credentials and the beat in front of a role
        ("Jane Doe, Staff Writer", ["Jane Doe"]),
        ("Jeanne Martin, journaliste", ["Jeanne Martin"]),
        ("Harry Rabinowitz Tech Reporter", ["Harry Rabinowitz"]),
        ("Dr. Ann Lee, MD, FACP", ["Dr. Ann Lee"]),
        ("Shelby Loos, DVM", ["Shelby Loos"]),
        # dates, e-mail addresses, URLs and social handles
        ("By Jane Doe | Updated Dec 3, 2025", ["Jane Doe"]),
        ("Posted by Jane Doe on December 3, 2025", ["Jane Doe"]),
        ("Jeanne Martin le 12 mai 2025 à 08h30", ["Jeanne Martin"]),
        ("Jane Doe jane.doe@example.org", ["Jane Doe"]),
        ("Jane Doe https://example.org/jane", ["Jane Doe"]),
        ("Jane Doe @janedoe", ["Jane Doe"]),
        ("@janedoe", []),
        ("jane.doe@example.org", []),
        # several authors are separate names
        ("Par Jeanne Martin et Paul Roux", ["Jeanne Martin", "Paul Roux"]),
        ("Jane Doe, John Roe, and Ana Lima", ["Jane Doe", "John Roe", "Ana Lima"]),
        ("Jane Doe; John Roe", ["Jane Doe", "John Roe"]),
        ("Maria & Katerina", ["Maria & Katerina"]),  # first names only: one signature
        # reviewers and photographers are not authors
        ("Medically reviewed by Dr. Ann Lee", []),
        ("Shelby Loos, DVM Reviewed by Molly Price", ["Shelby Loos"]),
        ("Jane Doe Photos by John Roe", ["Jane Doe"]),
        # placeholders and account ids
        ("page.head.extra.author", []),
        ("undefined", []),
        ("admin", []),
        ("u8f3k2m9q", []),
        # Chinese, Japanese and Korean: roles written against the name, datelines, editors
        ("山田太郎記者", ["山田太郎"]),
        ("记者 王芳", ["王芳"]),
        ("文／王芳", ["王芳"]),
        ("王芳、李明", ["王芳", "李明"]),
        ("[서울=뉴시스] 홍길동 기자 hong@example.com", ["홍길동"]),
        ("记者 王芳 责任编辑：赵强", ["王芳"]),
        ("写真：山田太郎", []),
        ("Jane Doe [Updated]", ["Jane Doe"]),
    ],
)
def test_author_names(byline: str, names: list[str]) -> None:
    assert author_names(byline) == names


@pytest.mark.parametrize(
    ("byline", "names"),
    [
        ("Rédaction", ["Rédaction"]),
        ("AFP", ["AFP"]),
        ("Staff", ["Staff"]),
        ("Staff Writer", ["Staff Writer"]),  # nobody else named: the desk signs
        ("Morgan & Morgan", ["Morgan & Morgan"]),
        ("Par Jeanne Martin et Paul Roux, AFP", ["Jeanne Martin", "Paul Roux", "AFP"]),
    ],
)
def test_organisation_bylines_are_kept_as_written(byline: str, names: list[str]) -> None:
    assert author_names(byline) == names


def test_organisations_are_recognised() -> None:
    assert is_organisation("La Rédaction")
    assert is_organisation("AFP")
    assert is_organisation("The Upwork Team")
    assert is_organisation("Le Journal de la Vallée", site_name="Le Journal de la Vallée")
    assert not is_organisation("Jeanne Martin", site_name="Le Journal de la Vallée")


def test_one_author_counts_once() -> None:
    assert unique_names(["Jane Doe", "JANE DOE", "Jane  Doe", "John Roe"]) == (
        "Jane Doe",
        "John Roe",
    )


# --- declared against shown -----------------------------------------------------------


def test_declared_person_outranks_the_byline() -> None:
    page = ld('{"@type":"NewsArticle","author":{"@type":"Person","name":"Jane Doe"}}')
    assert authors_of(page, '<p class="byline">By John Roe</p>') == ("Jane Doe",)


def test_declared_organisation_gives_way_to_a_person_in_the_byline() -> None:
    page = ld('{"@type":"NewsArticle","author":{"@type":"Organization","name":"Exemple Info"}}')
    byline = '<h1>Titre</h1><div class="meta">Par <a rel="author" href="/a/">Luc Moreau</a></div>'
    assert authors_of(page, byline) == ("Luc Moreau",)
    assert authors_of(page, "<h1>Titre</h1><p>Texte.</p>") == ("Exemple Info",)


def test_the_site_named_as_author_is_an_organisation() -> None:
    head = (
        '<meta property="og:site_name" content="Exemple Info">'
        '<meta name="author" content="Exemple Info">'
    )
    byline = '<h1>Titre</h1><p class="byline">Par Luc Moreau</p>'
    assert authors_of(head, byline) == ("Luc Moreau",)


def test_byline_words_next_to_the_headline() -> None:
    body = "<h1>Le titre</h1><p><span>Par</span> <span>Claire Besson</span></p><p>Texte.</p>"
    assert authors_of(body=body) == ("Claire Besson",)
    assert authors_of(body="<h1>Le titre</h1><p>Written by Jane Doe</p>") == ("Jane Doe",)
    # words found by their wording alone must look like a name
    assert authors_of(body="<h1>Le titre</h1><p>by weak or incomplete coverage</p>") == ()


def test_bylines_of_related_stories_never_count() -> None:
    body = (
        "<article><h1>Titre</h1><p>Texte de l'article.</p></article>"
        '<aside class="related-posts"><p class="byline">Par Lucie Martin</p></aside>'
        '<div id="comments"><span class="comment-author">Marc Petit</span></div>'
    )
    assert authors_of(body=body) == ()


def test_bylines_in_banner_and_bio_blocks_are_the_articles() -> None:
    for name in ("post-banner", "author-bio"):
        body = f'<h1>Titre</h1><div class="{name}"><p class="byline">Par Lucie Martin</p></div>'
        assert authors_of(body=body) == ("Lucie Martin",), name


def test_link_to_an_author_page_is_a_byline_and_the_author_index_is_not() -> None:
    body = (
        '<nav><a href="/people/">People</a></nav><h1>T</h1><a href="/authors/ana-lima">Ana Lima</a>'
    )
    assert authors_of(body=body) == ("Ana Lima",)


def test_by_label_inside_a_byline_block() -> None:
    body = (
        '<h1>T</h1><div class="byline"><span>Guide</span> <span>by</span> '
        '<a href="/authors/will">Will Judd</a> <span>Deputy Editor</span></div>'
    )
    assert authors_of(body=body) == ("Will Judd",)


def test_name_in_json_ld_twice_and_in_the_byline_counts_once() -> None:
    page = ld(
        '{"@graph":[{"@type":"NewsArticle","author":[{"@id":"#p"},{"name":"INÈS LAURENT"}]},'
        '{"@type":"Person","@id":"#p","name":"Inès Laurent"}]}'
    )
    assert authors_of(page, '<h1>T</h1><p class="byline">Par Inès Laurent</p>') == ("Inès Laurent",)
