"""cleaners.body.lines.clean_text: the seeds, and the same rules in other languages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from cleaners.body.lines import clean_text

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SEEDS = SHARED / "seeds"
needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason=f"seed texts not found in {SEEDS}")
BENCH_TRUTH = SHARED / "bench" / "zyte" / "ground-truth.json"

PROSE = (
    "Le conseil municipal a voté mardi soir le budget de l'année prochaine, après un débat "
    "de plus de quatre heures sur le financement des transports publics."
)
PROSE_2 = (
    "Selon l'adjointe aux finances, la hausse des dépenses sera compensée par une baisse "
    "des frais de fonctionnement et par des subventions régionales."
)


def seed(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


@needs_seeds
def test_seed_000_loses_its_whole_tail() -> None:
    cleaned = clean_text(seed("000"))
    for noise in (
        "spot_img",
        "populaire",
        "Partager cette publication",
        "Plus comme ça",
        "ICI",
        "Potap",
        "métro de Kyiv",
        "UVAPE",
        "week-end",
    ):
        assert noise not in cleaned, noise
    assert cleaned.endswith("niveau plus concret.")


@needs_seeds
def test_seed_000_keeps_headings_and_bullets() -> None:
    cleaned = clean_text(seed("000"))
    lines = cleaned.split("\n")
    assert lines[0].startswith("Garanties de sécurité pour l'Ukraine")
    for kept in ("Quatre composantes des garanties", "Positions alliées"):
        assert kept in lines
    bullets = [line for line in lines if line.startswith("• ")]
    assert bullets == [
        "• présence militaire;",
        "• défense aérienne;",
        "• fourniture d'armes;",
        "• suivi de la mise en œuvre des accords de cessation des hostilités.",
    ]


@needs_seeds
def test_seed_000_body_is_otherwise_untouched() -> None:
    original = seed("000")
    body = original[: original.index("spot_img")]
    assert clean_text(seed("000")).split() == body.split()


@needs_seeds
def test_seed_001_comes_back_unchanged() -> None:
    original = seed("001")
    assert clean_text(original) == original.strip()


def test_spot_img_artifacts_in_every_form_are_removed() -> None:
    text = f"{PROSE}\n\n![spot_img](https://ex.fr/pub.jpg)[spot_img]spot_img\n\n{PROSE_2}"
    assert clean_text(text) == f"{PROSE}\n\n{PROSE_2}"


def test_label_glued_to_spot_img_run_is_removed() -> None:
    text = f"{PROSE}\n\nspot_imgspot_imgspot_imgspot_imgpopulaire\n\n{PROSE_2}"
    assert clean_text(text) == f"{PROSE}\n\n{PROSE_2}"


@pytest.mark.parametrize(
    "label",
    [
        "Partager cette publication:",
        "Partager cette publication\u00a0:",
        "Partager cette publication\u202f:",
        "- Publicité -",
        "POPULAIRE",
        "Share this:",
        "- Advertisement -",
        "ANZEIGE",
        "Teilen",
        "Compartir",
        "Condividi",
        "Compartilhar",
        "Udostępnij",
        "Поділитися",
        "Поделиться",
        "Laisser un commentaire",
        "LEAVE A REPLY",
        "Article précédent",
        "Delen",
        "Mest lästa",
        "Paylaş",
        "分享到：",
        "【関連記事】",
        "공유하기",
        "Table of Contents",
        "Sommaire",
        "Inhaltsverzeichnis",
    ],
)
def test_label_lines_are_dropped_between_paragraphs(label: str) -> None:
    assert clean_text(f"{PROSE}\n\n{label}\n\n{PROSE_2}") == f"{PROSE}\n\n{PROSE_2}"


@pytest.mark.parametrize(
    "sentence",
    [
        "« Il faut lire aussi le rapport de la Cour des comptes », a-t-il insisté.",
        "Cette mesure reste populaire auprès des habitants du quartier.",
        "Partager cette publication: voilà ce que demandait le maire à ses électeurs hier.",
        "Voir aussi le rapport annexe, publié en mars.",
    ],
)
def test_prose_containing_label_words_stays(sentence: str) -> None:
    text = f"{PROSE}\n\n{sentence}\n\n{PROSE_2}"
    assert clean_text(text) == text


def related_tail(title: str, items: list[tuple[str, str]]) -> str:
    return "\n\n".join([title, *(f"{head}\n\n{teaser}" for head, teaser in items)])


TAILS = {
    "fr": (
        "Plus comme ça",
        [
            ("Un nouveau pont ouvrira au printemps", "Les travaux du pont sur la rivière..."),
            ("La bibliothèque change d'horaires", "À partir du mois prochain, la bibliothèque…"),
        ],
    ),
    "en": (
        "More like this",
        [
            ("New bridge to open in spring", "Work on the bridge over the river..."),
            ("Library changes its hours", "From next month, the library will…"),
        ],
    ),
    "de": (
        "Das könnte Sie auch interessieren",
        [
            ("Neue Brücke öffnet im Frühling", "Die Arbeiten an der Brücke über den Fluss..."),
            ("Bibliothek ändert Öffnungszeiten", "Ab dem nächsten Monat wird die Bibliothek…"),
        ],
    ),
    "es": (
        "Artículos relacionados",
        [
            ("Un nuevo puente abrirá en primavera", "Las obras del puente sobre el río..."),
            ("La biblioteca cambia de horario", "A partir del próximo mes, la biblioteca…"),
        ],
    ),
    "it": (
        "Articoli correlati",
        [("Un nuovo ponte in primavera", "I lavori del ponte sul fiume...")],
    ),
    "pt": (
        "Leia também",
        [("Nova ponte abre na primavera", "As obras da ponte sobre o rio...")],
    ),
    "pl": (
        "Czytaj także",
        [("Nowy most otwarty wiosną", "Prace przy moście na rzece...")],
    ),
    "uk": (
        "Більше схожих",
        [("Новий міст відкриють навесні", "Роботи на мосту через річку...")],
    ),
    "ru": (
        "Читайте также",
        [("Новый мост откроют весной", "Работы на мосту через реку...")],
    ),
    "nl": (
        "Lees ook",
        [("Nieuwe brug gaat in het voorjaar open", "De werkzaamheden aan de brug over de...")],
    ),
    "ja": (
        "関連記事",
        [("新しい橋、春に開通へ", "川に架かる新しい橋の工事は……")],
    ),
    "zh": (
        "相关阅读",
        [("新大桥明年春天通车", "横跨江面的新大桥工程进展顺利…")],
    ),
}


@pytest.mark.parametrize("language", sorted(TAILS))
def test_titled_related_tail_is_cut(language: str) -> None:
    title, items = TAILS[language]
    text = f"{PROSE}\n\n{PROSE_2}\n\n{related_tail(title, items)}"
    assert clean_text(text) == f"{PROSE}\n\n{PROSE_2}"


def test_tail_with_stray_label_and_no_final_newline_is_cut() -> None:
    title, items = TAILS["fr"]
    tail = related_tail(title, items).replace(title, f"{title}\nICI", 1)
    text = f"{PROSE}\n\nPartager cette publication:\n\n{tail}"
    assert not text.endswith("\n")
    assert clean_text(text) == PROSE


def test_title_only_related_list_is_cut() -> None:
    titles = "\n".join(["Un nouveau pont", "La bibliothèque ferme", "Le marché déménage"])
    text = f"{PROSE}\n\nArticles connexes\n\n{titles}"
    assert clean_text(text) == PROSE


def test_untitled_teaser_run_at_the_end_is_cut() -> None:
    items = [
        (f"Titre numéro {n} d'un autre article", f"Le début du résumé {n}...") for n in range(3)
    ]
    text = f"{PROSE}\n\n{PROSE_2}\n\n" + "\n\n".join(f"{h}\n\n{t}" for h, t in items)
    assert clean_text(text) == f"{PROSE}\n\n{PROSE_2}"


def test_two_untitled_teaser_pairs_are_not_enough() -> None:
    items = [
        (f"Titre numéro {n} d'un autre article", f"Le début du résumé {n}...") for n in range(2)
    ]
    text = f"{PROSE}\n\n" + "\n\n".join(f"{h}\n\n{t}" for h, t in items)
    assert clean_text(text) == text


def test_related_title_followed_by_prose_does_not_cut() -> None:
    text = f"{PROSE}\n\nLire aussi\n\nUn titre court\n\n{PROSE_2}\n\n{PROSE}"
    assert clean_text(text) == f"{PROSE}\n\nUn titre court\n\n{PROSE_2}\n\n{PROSE}"


def test_related_title_before_any_prose_does_not_cut() -> None:
    text = f"Plus comme ça\n\nUn titre\n\nUn résumé...\n\n{PROSE}"
    assert clean_text(text) == f"Un titre\n\nUn résumé...\n\n{PROSE}"


def test_heading_and_bullets_inside_article_stay() -> None:
    text = f"{PROSE}\n\nPositions alliées\n\n• premier point;\n• second point.\n\n{PROSE_2}"
    assert clean_text(text) == text


@given(st.text())
def test_never_raises_and_is_idempotent(text: str) -> None:
    once = clean_text(text)
    assert clean_text(once) == once


@pytest.mark.parametrize(
    "notice",
    [
        "Il vous reste 62\u00a0% de cet article à lire. La suite est réservée aux abonnés.",
        "Il vous reste 57.09% de cet article à lire.",
        "La suite est réservée aux abonnés.",
        "Article réservé aux abonnés",
        "Déjà abonné ? Se connecter",
        "You have 4 free articles left this month",
        "Subscribe to continue reading",
    ],
)
def test_paywall_notice_lines_are_dropped(notice: str) -> None:
    assert clean_text(f"{PROSE}\n\n{notice}\n\n{PROSE_2}") == f"{PROSE}\n\n{PROSE_2}"


def test_prose_about_subscribers_stays() -> None:
    sentence = (
        "Le journal affirme que la suite est réservée aux abonnés depuis 2019, "
        "ce que conteste le syndicat."
    )
    text = f"{PROSE}\n\n{sentence}"
    assert clean_text(text) == text


@pytest.mark.parametrize("ellipsis", ["...", "…", " […]", " (...)"])
def test_every_ellipsis_form_marks_a_teaser(ellipsis: str) -> None:
    items = [
        (f"Titre numéro {n} d'un autre article", f"Le début du résumé {n}{ellipsis}")
        for n in range(3)
    ]
    text = f"{PROSE}\n\n" + "\n\n".join(f"{h}\n\n{t}" for h, t in items)
    assert clean_text(text) == PROSE


LINE_KINDS = st.sampled_from(
    [
        PROSE,
        PROSE_2,
        "",
        "Plus comme ça",
        "Populaire",
        "Partager :",
        "spot_imgspot_img",
        "Un titre court",
        "Le début d'un résumé...",
        "Il vous reste 10 % de cet article à lire.",
    ]
)


@example(
    ["Un titre court", "Le début d'un résumé...", "Populaire"]
    + ["Un titre court", "Le début d'un résumé..."] * 2
)
@example(["Un titre court", "Le début d'un résumé..."] * 3 + ["Plus comme ça", "Un titre court"])
@example(
    ["Le début d'un résumé...", PROSE, "Le début d'un résumé...", PROSE, "Le début d'un résumé..."]
)
@given(st.lists(LINE_KINDS, max_size=14))
def test_structured_input_is_idempotent_and_keeps_the_opening_prose(lines: list[str]) -> None:
    text = "\n".join([PROSE, *lines])
    once = clean_text(text)
    assert clean_text(once) == once
    assert once.startswith(PROSE)


def words(text: str) -> list[str]:
    """The visible words: a zero-width space between two line breaks is no word."""
    return [word for word in text.split() if word.strip("\u200b\u200c\u200d\u2060\ufeff")]


@pytest.mark.skipif(not BENCH_TRUTH.exists(), reason=f"benchmark not found at {BENCH_TRUTH}")
def test_hand_made_article_bodies_pass_through() -> None:
    """Real article bodies in many languages (the benchmark's ground truth) are clean
    already: the line rules may touch at most 1 % of them."""
    bodies = [page["articleBody"] for page in json.loads(BENCH_TRUTH.read_text("utf-8")).values()]
    changed = [body for body in bodies if words(clean_text(body)) != words(body)]
    assert len(bodies) > 100
    assert len(changed) <= len(bodies) // 100


@pytest.mark.parametrize(
    "counter", ["0 Comments", "12 commentaires", "3 Kommentare", "5 комментариев"]
)
def test_comment_counters_are_dropped(counter: str) -> None:
    assert clean_text(f"{PROSE}\n\n{counter}") == PROSE
