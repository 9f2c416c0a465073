"""Language from the cleaned text, with the page's label only as a hint."""

from __future__ import annotations

import pytest

from cleaners.metadata.language import detect_language, language_from_tag

FRENCH = (
    "Les dirigeants européens se sont réunis jeudi à Bruxelles pour discuter des "
    "garanties de sécurité qui pourraient être offertes à l'Ukraine après un éventuel "
    "cessez-le-feu. Plusieurs pays ont proposé d'envoyer des troupes."
)
UKRAINIAN = (
    "Лідери європейських країн зібралися в четвер у Брюсселі, щоб обговорити "
    "гарантії безпеки, які можуть бути надані Україні після можливого припинення "
    "вогню. Кілька країн запропонували направити війська."
)
GERMAN = (
    "Die europäischen Staats- und Regierungschefs trafen sich am Donnerstag in "
    "Brüssel, um über Sicherheitsgarantien für die Ukraine nach einem möglichen "
    "Waffenstillstand zu beraten. Mehrere Länder boten an, Truppen zu entsenden."
)
ENGLISH = (
    "European leaders met in Brussels on Thursday to discuss the security guarantees "
    "that could be offered to Ukraine after a possible ceasefire. Several countries "
    "offered to send troops."
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (FRENCH, "fr"),
        (UKRAINIAN, "uk"),
        (GERMAN, "de"),
        (ENGLISH, "en"),
    ],
)
def test_paragraphs_in_four_languages(text: str, expected: str) -> None:
    assert detect_language(text) == expected


def test_text_outweighs_a_wrong_page_label() -> None:
    # tagDiv and some French magazines label French pages lang="en"
    assert detect_language(FRENCH, hint="en") == "fr"
    assert detect_language(GERMAN, hint="en-US") == "de"


def test_short_text_falls_back_to_the_hint() -> None:
    assert detect_language("Kyiv, 19 août", hint="fr-FR") == "fr"
    assert detect_language("OK", hint=None) is None
    assert detect_language("", hint="uk") == "uk"


def test_long_article_is_classified_from_a_sample() -> None:
    assert detect_language(FRENCH * 200 + ENGLISH) == "fr"


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("fr-FR", "fr"),
        ("fr_FR", "fr"),
        ("FR", "fr"),
        ("uk", "uk"),
        (" de-AT ", "de"),
        ("iw", "he"),
        ("x-default", None),
        ("fra", None),
        ("", None),
        (None, None),
        ("e", None),
    ],
)
def test_language_from_tag(tag: str | None, expected: str | None) -> None:
    assert language_from_tag(tag) == expected


def test_hint_settles_close_languages_but_not_distant_ones() -> None:
    croatian = (
        "Vlada je danas predstavila novi plan za poboljšanje javnog zdravstva i "
        "smanjenje lista čekanja u bolnicama."
    )
    assert detect_language(croatian, hint="hr-HR") == "hr"  # classifier leans to "bs"
    norwegian = (
        "Regjeringen har i dag lagt fram et forslag om å styrke forsvaret og øke "
        "bevilgningene til sykehusene i hele landet."
    )
    assert detect_language(norwegian, hint="da") == "no"  # "da" is far behind
