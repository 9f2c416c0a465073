"""Behaviour of cleaners.extract / explain on small synthetic pages written here."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import cleaners
from cleaners import Reason, explain, extract, paragraph_hash

ROOT = Path(__file__).resolve().parents[1]

PROSE = [
    "Le conseil municipal de Brest a voté mardi soir la rénovation complète du pont de "
    "Recouvrance, fermé aux piétons depuis le printemps à cause de la corrosion.",
    "Les travaux doivent commencer en janvier et durer dix-huit mois, selon l'adjointe "
    "chargée des mobilités, qui promet une passerelle provisoire pour les riverains.",
    "Le budget dépasse les douze millions d'euros, dont un tiers apporté par la région "
    "et l'État, le reste étant financé par un emprunt de la métropole sur vingt ans.",
    "Les commerçants du quartier redoutent une baisse de fréquentation et demandent des "
    "indemnités, comme celles accordées lors du chantier du tramway il y a dix ans.",
]


def page(body: str, head: str = "<title>Brest : le pont de Recouvrance rénové</title>") -> str:
    return f"<!DOCTYPE html><html lang='fr'><head>{head}</head><body>{body}</body></html>"


def paragraphs(texts: list[str] = PROSE) -> str:
    return "".join(f"<p>{t}</p>" for t in texts)


def test_anchor_body_only_and_chrome_dropped() -> None:
    html = page(
        "<header><nav><a href='/'>Accueil</a> <a href='/sport'>Sport</a></nav></header>"
        "<div class='td-post-content'>" + paragraphs() + "</div>"
        "<div class='sidebar'><p>Un autre sujet qui ne fait pas partie de cet article du "
        "tout, et qui parle de la météo de la semaine prochaine sur toute la côte.</p></div>"
        "<footer>© Le Télégramme du Ponant</footer>"
    )
    article = extract(html, "https://example.fr/a")
    assert article.text == "\n\n".join(PROSE)
    assert article.reason is None
    assert article.url == "https://example.fr/a"


def test_autoload_second_article_is_ignored() -> None:
    second = [t.replace("Brest", "Quimper") for t in PROSE]
    html = page(
        "<div id='tdb-autoload-article'>"
        f"<article class='tdb_templates'><div class='td-post-content'>{paragraphs()}</div>"
        "</article><article class='tdb_templates'>"
        f"<div class='td-post-content'>{paragraphs(second)}</div></article></div>"
    )
    text = extract(html).text
    assert "Brest" in text
    assert "Quimper" not in text


def test_in_body_ad_labels_and_slots_removed() -> None:
    html = page(
        "<div class='td-post-content'>"
        + paragraphs(PROSE[:2])
        + "<div class='td-a-ad id_inline_ad0'><span class='td-adspot-title'>- Publicité -</span>"
        "<a class='td_spot_img_all'><img alt='spot_img' src='x.png'></a></div>"
        "<p>- Advertisement -</p>" + paragraphs(PROSE[2:]) + "</div>"
    )
    text = extract(html).text
    assert text == "\n\n".join(PROSE)
    assert "spot_img" not in text


def test_orphan_widget_heading_removed() -> None:
    html = page(
        "<article>" + paragraphs() + "</article>"
        "<div id='jp-relatedposts' class='jp-relatedposts'>"
        "<h3 class='jp-relatedposts-headline'><em>Similaire</em></h3></div>"
        "<h3>Nos partenaires</h3><div class='OUTBRAIN' data-widget-id='AR_1'></div>"
    )
    text = extract(html).text
    assert "Similaire" not in text
    assert "Nos partenaires" not in text
    assert text.endswith(PROSE[-1])


def test_teaser_list_after_body_removed() -> None:
    teasers = "".join(
        f"<div class='item'><h3><a href='/t{i}'>Titre voisin numéro {i} sur un autre sujet</a>"
        f"</h3><p>Un extrait coupé d'un autre article, qui ressemble à de la prose…</p></div>"
        for i in range(6)
    )
    html = page("<main>" + paragraphs() + f"<section class='more'>{teasers}</section></main>")
    text = extract(html).text
    assert "Titre voisin" not in text
    assert "extrait coupé" not in text
    assert PROSE[0] in text


def test_read_also_line_inside_body_removed_but_prose_kept() -> None:
    quote = "Il faut lire aussi le rapport de la chambre régionale des comptes, dit-elle."
    html = page(
        "<div itemprop='articleBody'>"
        + paragraphs(PROSE[:2])
        + "<p class='lire'>Lire aussi\u00a0: <a href='/x'>Le tramway fête ses dix ans</a></p>"
        + paragraphs([*PROSE[2:], quote])
        + "</div>"
    )
    text = extract(html).text
    assert "tramway fête" not in text
    assert quote in text


def test_title_heading_is_metadata_not_text() -> None:
    html = page(
        "<article><h1>Brest : le pont de Recouvrance rénové</h1>" + paragraphs() + "</article>"
    )
    article = extract(html)
    assert article.title == "Brest : le pont de Recouvrance rénové"
    assert not article.text.startswith("Brest : le pont")


def test_headings_and_list_items_on_their_own_lines() -> None:
    html = page(
        "<article>" + paragraphs(PROSE[:2]) + "<h2>Le calendrier</h2>"
        "<ul><li>janvier : fermeture du pont ;</li><li>mars : pose de la passerelle ;</li>"
        "<li>été 2027 : réouverture.</li></ul>" + paragraphs(PROSE[2:]) + "</article>"
    )
    text = extract(html).text
    assert "\n\nLe calendrier\n\n- janvier : fermeture du pont ;\n- mars : pose" in text


def test_listing_page_is_not_an_article() -> None:
    grid = "".join(
        f"<div class='td_module_flex'><h3 class='entry-title'><a href='/a{i}'>Titre {i} de la "
        f"rubrique locale</a></h3><time>12 juin</time></div>"
        for i in range(12)
    )
    html = page(
        f"<div class='td_flex_block_1'>{grid}</div>",
        head="<title>Actualités</title><meta property='og:type' content='website'>",
    )
    article = extract(html)
    assert article.text == ""
    assert article.reason == Reason.NOT_ARTICLE


def test_short_paragraphs_beside_a_rail_of_headlines_are_an_article() -> None:
    # Wire style: one sentence a paragraph, none long enough to count as prose on its own.
    wire = [f"{text.split(',')[0]}." for text in PROSE] * 2
    rail = "".join(
        f"<li><h3><a href='/a{i}'>Titre {i} de la rubrique locale</a></h3></li>" for i in range(10)
    )
    html = page(
        f"<div class='story'>{paragraphs(wire)}</div><div class='rail'><ul>{rail}</ul></div>"
    )
    article = extract(html)
    assert article.reason is None
    assert article.text.startswith(wire[0])
    assert "rubrique locale" not in article.text


def test_an_article_written_in_divs_beside_a_rail_of_headlines_is_an_article() -> None:
    rail = "".join(
        f"<li><h3><a href='/a{i}'>Titre {i} de la rubrique locale</a></h3></li>" for i in range(10)
    )
    body = "".join(f"<div class='text'>{text}</div>" for text in PROSE)
    article = extract(page(f"<div class='col'>{body}</div><div class='rail'><ul>{rail}</ul></div>"))
    assert article.reason is None
    assert article.text.startswith(PROSE[0])


def test_a_blog_index_of_headlines_and_excerpts_in_one_block_is_not_an_article() -> None:
    posts = "".join(
        f"<h2><a href='/p{i}'>Billet {i} : le pont de Recouvrance</a></h2>"
        f"<p>{PROSE[i % 4][:90]}</p>"
        for i in range(9)
    )
    article = extract(page(f"<div class='posts'>{posts}</div>"))
    assert (article.text, article.reason) == ("", Reason.NOT_ARTICLE)


def test_consent_wall_without_article() -> None:
    html = page(
        "<div id='didomi-host'><div class='didomi-popup'><p>Nous utilisons des cookies et des "
        "technologies similaires pour mesurer l'audience et personnaliser les publicités.</p>"
        "<button>Tout accepter</button></div></div><main><div class='placeholder'></div></main>"
    )
    article = extract(html)
    assert article.text == ""
    assert article.reason == Reason.CONSENT_WALL


def test_consent_banner_on_article_page_is_dropped() -> None:
    html = page(
        "<div id='onetrust-banner-sdk'><p>We use cookies to improve your experience and to "
        "show you personalised advertising. Accept all or manage preferences.</p></div>"
        "<article>" + paragraphs() + "</article>"
    )
    article = extract(html)
    assert "cookies" not in article.text
    assert article.reason is None


@pytest.mark.parametrize("title", ["Just a moment...", "Attention Required! | Cloudflare"])
def test_bot_challenge_is_blocked(title: str) -> None:
    html = page(
        "<div id='challenge-running'>Checking your browser before accessing.</div>",
        head=f"<title>{title}</title>",
    )
    article = extract(html)
    assert article.text == ""
    assert article.reason == Reason.BLOCKED


def test_known_boilerplate_paragraph_dropped() -> None:
    notice = "Cet article est publié avec le concours du réseau des rédactions régionales."
    html = page("<article>" + paragraphs([*PROSE, notice]) + "</article>")
    assert notice in extract(html).text
    cleaned = extract(html, known_boilerplate=frozenset({paragraph_hash(notice)}))
    assert notice not in cleaned.text
    assert PROSE[-1] in cleaned.text


def test_paragraph_hash_ignores_case_spacing_and_quotes() -> None:
    assert paragraph_hash("L’été  est là") == paragraph_hash("l'été est là")
    assert len(paragraph_hash("x")) == 16
    assert paragraph_hash("un") != paragraph_hash("deux")


def test_bytes_are_decoded_with_the_header_charset() -> None:
    html = page("<article>" + paragraphs() + "<p>Un cœur à 10 €.</p></article>")
    data = html.encode("cp1252")
    article = extract(data, headers={"Content-Type": "text/html; charset=windows-1252"})
    assert "Un cœur à 10 €." in article.text


def test_explain_lists_removed_blocks_with_rules() -> None:
    html = page(
        "<div class='td-post-content'>"
        + paragraphs(PROSE[:2])
        + "<div class='td-a-rec td-a-rec-id-content_inline'><span>ANZEIGE</span></div>"
        + paragraphs(PROSE[2:])
        + "</div>"
        "<div class='td-post-sharing'><span>Partager</span> <a>Facebook</a></div>"
    )
    explanation = explain(html)
    assert explanation.article.text == extract(html).text
    rules = {block.rule for block in explanation.removed}
    assert "outside-anchor" in rules
    assert any(rule.startswith("token:") for rule in rules)
    inline_ad = next(b for b in explanation.removed if "td-a-rec" in b.selector)
    assert inline_ad.preview == "ANZEIGE"
    assert isinstance(explanation, cleaners.Explanation)


def test_explain_on_the_tagdiv_fixture_names_the_tail(fixture_pages: Path) -> None:
    explanation = explain((fixture_pages / "F01.html").read_bytes())
    previews = " ".join(b.preview for b in explanation.removed)
    assert "Plus comme ça" in previews
    assert "Partager" in previews
    assert "Plus comme ça" not in explanation.article.text


def write_benchmark_set(tmp_path: Path) -> Path:
    """A three-page set shaped like WCXB's, each page one article."""
    dataset = tmp_path / "set"
    (dataset / "html").mkdir(parents=True)
    truth = {}
    for i in range(3):
        body = [t.replace("Brest", f"Brest {i}") for t in PROSE]
        (dataset / "html" / f"p{i}.html").write_text(
            page("<article>" + paragraphs(body) + "</article>"), encoding="utf-8"
        )
        truth[f"p{i}"] = {
            "url": f"https://example.fr/{i}",
            "articleBody": "\n".join(body),
            "with": [body[0][:40]],
            "without": ["snippet absent from every page"],
        }
    (dataset / "ground-truth.json").write_text(__import__("json").dumps(truth), encoding="utf-8")
    return dataset


def test_benchmark_script_prints_the_table(tmp_path: Path) -> None:
    dataset = write_benchmark_set(tmp_path)
    out = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "extract.py"),
            "--dataset",
            str(dataset),
            "--per-page",
            str(tmp_path / "pages.tsv"),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    header = next(line for line in out.splitlines() if line.startswith("| extractor"))
    for column in (
        "F1 ± s.e.",
        "precision",
        "recall",
        "word F1",
        "empty",
        "with missed",
        "without leaked",
        "losses",
        "pages/s",
        "× trafilatura",
    ):
        assert column in header
    assert "| newsclean | 1.000 ± 0.000 | 1.000 | 1.000 | 1.000 | 0 | 0 | 0 | 0 |" in out
    assert "newsclean loses 0 that trafilatura keeps" in out
    assert len((tmp_path / "pages.tsv").read_text().splitlines()) == 4


def test_benchmark_perturbations_rewrite_the_pages_not_the_truth(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from extract import PERTURBATIONS  # bench/extract.py
    finally:
        sys.path.remove(str(ROOT / "bench"))
    html = b"<header id='top'><nav class='menu'>M</nav></header><article class='post'>T</article>"
    assert PERTURBATIONS["no-names"](html) == b"<header><nav>M</nav></header><article>T</article>"
    assert PERTURBATIONS["no-landmarks"](html) == (
        b"<div id='top'><div class='menu'>M</div></div><div class='post'>T</div>"
    )
    out = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "extract.py"),
            "--dataset",
            str(write_benchmark_set(tmp_path)),
            "--perturb",
            "no-landmarks",
            "--only",
            "newsclean",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "perturbed: no-landmarks" in out
    assert "| newsclean | 1.000 ± 0.000 |" in out


def test_trailing_sign_offs_dropped_but_not_the_same_words_mid_article() -> None:
    mid = "Les abonnés à la newsletter municipale avaient été prévenus dès le mois de mars."
    follow = "Suivez-nous sur Facebook et Instagram pour ne rien manquer de l'actualité locale."
    plea = "Inscrivez-vous à notre newsletter pour recevoir l'essentiel chaque matin."
    html = page("<article>" + paragraphs([PROSE[0], mid, *PROSE[1:], follow, plea]) + "</article>")
    text = extract(html).text
    assert mid in text
    assert follow not in text
    assert plea not in text
    assert text.endswith(PROSE[-1])


def test_short_article_beside_a_headline_sidebar_is_still_an_article() -> None:
    sidebar = "".join(f"<h3><a href='/s{i}'>Brève {i}</a></h3>" for i in range(10))
    html = page("<main>" + paragraphs(PROSE[:3]) + f"</main><div class='rail'>{sidebar}</div>")
    article = extract(html)
    assert article.reason is None
    assert PROSE[0] in article.text


def test_a_closing_sentence_about_a_newsletter_is_not_a_plea() -> None:
    closing = "La newsletter de la mairie annoncera la date des travaux aux riverains."
    html = page("<article>" + paragraphs([*PROSE, closing]) + "</article>")
    assert extract(html).text.endswith(closing)


@pytest.mark.parametrize("count", [3, 30])
def test_every_part_of_a_split_body_is_kept(count: int) -> None:
    parts = "".join(
        f"<div itemprop='articleBody'><p>Partie {i}. {PROSE[i % len(PROSE)]}</p></div>"
        "<div class='ad-slot'></div>"
        for i in range(count)
    )
    text = extract(page(f"<main><div class='story'>{parts}</div></main>")).text
    assert all(f"Partie {i}." in text for i in range(count))


def test_home_made_cookie_wall_is_a_consent_wall() -> None:
    html = page(
        "<div class='site-cookie-wall'><h2>Vos choix</h2><p>Ce site utilise des cookies pour "
        "fonctionner et mesurer son audience. Acceptez-les pour lire la suite.</p>"
        "<button>J'accepte</button></div>"
    )
    article = extract(html)
    assert article.text == ""
    assert article.reason == Reason.CONSENT_WALL
