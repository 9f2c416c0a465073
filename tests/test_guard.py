"""The recall guard: the evidence a page gives of its article, and what happens on a
shortfall. The pages are written here; the real-world cases are in fixtures/ (G01-G06)."""

from __future__ import annotations

import sys

import pytest
from selectolax.lexbor import LexborHTMLParser

from cleaners import Reason, explain, extract
from cleaners.body.anchor import main_column
from cleaners.body.guard import Evidence, gather_evidence
from cleaners.body.prose import PROSE_MIN_CHARS, ProseMap, reading_length

SENTENCES = [
    f"Paragraphe {i} : la commune de Quimper a présenté mardi le plan de rénovation de ses "
    f"quais, avec des détails sur le calendrier, le budget et les travaux du lot numéro {i}."
    for i in range(8)
]
ARTICLE = "".join(f"<p>{s}</p>" for s in SENTENCES)


def evidence_of(body_html: str, json_ld_words: int | None = None) -> Evidence:
    tree = LexborHTMLParser(f"<html><body>{body_html}</body></html>")
    return gather_evidence(tree.body, ProseMap(tree.body), json_ld_words)


def test_prose_outside_menus_footers_asides_and_banners_is_the_evidence() -> None:
    def noise(where: str) -> str:
        return f"<p>{SENTENCES[0]} ({where})</p>"

    evidence = evidence_of(
        f"<nav>{noise('menu')}</nav><main>{ARTICLE}</main><aside>{noise('aside')}</aside>"
        f"<footer>{noise('footer')}</footer><div id='onetrust-banner-sdk'>{noise('banner')}</div>"
    )
    assert evidence.prose_chars == sum(map(len, SENTENCES))
    assert len(evidence.outside) == 4


def test_a_header_holding_most_of_the_prose_holds_the_article() -> None:
    evidence = evidence_of(f"<header class='post-content'>{ARTICLE}</header>")
    assert evidence.prose_chars == sum(map(len, SENTENCES))
    assert not evidence.outside


def test_a_cookie_banner_is_never_evidence_however_much_it_says() -> None:
    assert evidence_of(f"<div class='cookie-wall'>{ARTICLE}</div>").prose_chars == 0


def test_shortfall_against_the_prose_and_against_json_ld() -> None:
    evidence = Evidence(prose_chars=4000)
    assert evidence.shortfall("x" * 2500) is None
    assert "about 4,000" in (evidence.shortfall("x" * 300) or "")
    assert "JSON-LD" in (Evidence(prose_chars=500, json_ld_words=2000).shortfall("x" * 900) or "")
    # A page with almost no prose has no article to lose.
    assert Evidence(prose_chars=300).shortfall("") is None


def test_main_column_is_the_block_of_paragraphs_not_a_paragraph_nor_the_sidebar() -> None:
    tree = LexborHTMLParser(
        "<html><body><div class='wrap'><div class='col'>"
        f"{ARTICLE}</div><div class='side'><p>{SENTENCES[0]} (aside)</p></div></div>"
        f"<div class='single'><div><p>{SENTENCES[1]}</p></div></div></body></html>"
    )
    prose = ProseMap(tree.body)
    column = main_column(tree.body, prose)
    assert column is not None and column.attributes.get("class") == "col"
    single = LexborHTMLParser(f"<html><body><main><p>{SENTENCES[0]}</p></main></body></html>")
    column = main_column(single.body, ProseMap(single.body))
    assert column is not None and column.tag == "main"


def test_a_cut_text_is_recovered_from_the_full_page_and_explain_says_why(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A rule that loses the bet: only the first block of the body survives rendering.
    render = sys.modules["cleaners.extract"].render_blocks
    monkeypatch.setattr(
        sys.modules["cleaners.extract"], "render_blocks", lambda scope: render(scope)[:1]
    )
    html = (
        f"<html><body><nav><a href='/'>Accueil</a></nav><article>{ARTICLE}</article></body></html>"
    )
    explained = explain(html, "https://example.org/quais")
    assert all(s in explained.article.text for s in SENTENCES)
    assert explained.article.reason is None
    (note,) = explained.notes
    assert note.startswith("recall guard: ") and "kept the full-page extraction" in note


def test_the_guard_stays_quiet_on_a_whole_article() -> None:
    html = (
        f"<html><body><nav><a href='/'>Accueil</a></nav><article>{ARTICLE}</article></body></html>"
    )
    explained = explain(html, "https://example.org/quais")
    assert explained.notes == ()
    assert explained.article.text.count("Paragraphe") == len(SENTENCES)


def test_a_page_kind_is_given_only_when_no_article_prose_is_found() -> None:
    banner = (
        "<div id='didomi-host'><p>Nous utilisons des cookies pour mesurer l'audience et "
        "personnaliser les contenus et les publicités que vous voyez sur ce site.</p></div>"
    )
    with_article = extract(f"<html><body>{banner}<div class='main'>{ARTICLE}</div></body></html>")
    assert with_article.reason is None
    assert "cookies" not in with_article.text
    wall = extract(f"<html><body>{banner}<main><div class='paywall'></div></main></body></html>")
    assert (wall.text, wall.reason) == ("", Reason.CONSENT_WALL)


def test_teaser_excerpts_named_so_are_not_prose() -> None:
    excerpts = "".join(
        f"<div class='post-card__excerpt'><p>{s} (autre article)</p></div>" for s in SENTENCES
    )
    tree = LexborHTMLParser(f"<html><body><main>{ARTICLE}</main>{excerpts}</body></html>")
    prose = ProseMap(tree.body)
    assert prose.chars(tree.body) == prose.chars(tree.css_first("main"))


def test_dense_scripts_weigh_by_what_they_say_not_by_characters() -> None:
    assert reading_length("Plain ASCII text.") == len("Plain ASCII text.")
    assert reading_length("Café crème") == len("Café crème")
    # 37 Japanese characters (kana, kanji, two punctuation marks) say what 100 Latin letters do.
    sentence = "東京都は四日、湾岸部の新型交通システムを再来年から導入する方針を発表した。"
    assert reading_length(sentence) >= PROSE_MIN_CHARS > len(sentence)
    tree = LexborHTMLParser(f"<html><body><main><p>{sentence}</p></main></body></html>")
    assert ProseMap(tree.body).chars(tree.body) == reading_length(sentence)
    # Hangul is written with spaces between words: counted as it is.
    assert reading_length("서울시는 새 교통 체계를 도입한다") == len(
        "서울시는 새 교통 체계를 도입한다"
    )
