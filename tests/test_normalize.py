"""cleaners.normalize: the canonical form behind content_hash, and article whitespace."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cleaners.normalize import content_hash, normalize_for_hash, normalize_whitespace

ARTICLE = (
    "L\u2019OTAN a d\u00e9clar\u00e9 \u00ab\u00a0non\u202f\u00bb \u2014 "
    "c\u2019est \u201cclair\u201d."
)


def test_normalize_for_hash_unifies_typography_case_and_spacing() -> None:
    assert normalize_for_hash(ARTICLE) == 'l\'otan a déclaré " non " - c\'est "clair".'


@pytest.mark.parametrize("dash", "\u2010\u2011\u2012\u2013\u2014\u2015\u2212")
def test_every_dash_becomes_hyphen(dash: str) -> None:
    assert normalize_for_hash(f"a{dash}b") == "a-b"


@pytest.mark.parametrize("invisible", ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"])
def test_invisible_characters_are_removed(invisible: str) -> None:
    assert normalize_for_hash(f"garan{invisible}ties") == "garanties"


def test_nfkc_folds_compatibility_forms() -> None:
    assert normalize_for_hash("ﬁn\u2026 Ｏｕｉ") == "fin... oui"


def test_whitespace_of_every_kind_collapses() -> None:
    assert normalize_for_hash(" a\u00a0\u202f\tb\n\n c\u3000") == "a b c"


def test_content_hash_is_sha256_of_normalised_text() -> None:
    expected = hashlib.sha256(normalize_for_hash(ARTICLE).encode()).hexdigest()
    assert content_hash(ARTICLE) == expected
    assert len(expected) == 64


def test_content_hash_ignores_layout_quotes_and_case() -> None:
    variant = "  l'otan A DÉCLARÉ « non » - c'est \"clair\".\n"
    assert content_hash(variant) == content_hash(ARTICLE)


def test_content_hash_differs_for_different_words() -> None:
    assert content_hash("Le groupe sera dirigé par Rubio.") != content_hash(
        "Le groupe sera dirigé par Rutte."
    )


@pytest.mark.parametrize("empty", ["", "   ", "\n\u00a0\u200b\t"])
def test_empty_text_has_no_hash(empty: str) -> None:
    with pytest.raises(ValueError, match="empty text has no hash"):
        content_hash(empty)


def test_normalize_whitespace_layout() -> None:
    raw = "  Titre\u00a0:  essai \r\n\r\n\r\n\tPremier\u202f!   \n \nSecond  \n\n\n"
    assert normalize_whitespace(raw) == "Titre : essai\n\nPremier !\n\nSecond"


def test_normalize_whitespace_keeps_single_line_breaks_and_characters() -> None:
    text = "Ligne un, avec « guillemets » et l’apostrophe.\nLigne deux — tiret."
    assert normalize_whitespace(text) == text


@given(st.text())
def test_normalize_for_hash_is_idempotent(text: str) -> None:
    once = normalize_for_hash(text)
    assert normalize_for_hash(once) == once


@given(st.text())
def test_normalize_whitespace_is_idempotent(text: str) -> None:
    once = normalize_whitespace(text)
    assert normalize_whitespace(once) == once
    assert "\n\n\n" not in once
    assert once == once.strip(" \n")


SPACES = st.sampled_from([" ", "  ", "\u00a0", "\u202f", "\t", "\n", "\n\n"])
WORDS = st.lists(st.text(alphabet="abcdéèçœ’'«»", min_size=1, max_size=8), min_size=1)


@given(WORDS, st.data())
def test_hash_is_stable_under_spacing_quotes_and_case(
    words: list[str], data: st.DataObject
) -> None:
    plain = " ".join(words)
    respaced = "".join(word + data.draw(SPACES) for word in words)
    retyped = respaced.replace("'", "\u2019").replace("«", '"').upper()
    assert content_hash(retyped) == content_hash(plain)


def test_a_line_of_zero_width_characters_is_blank_but_they_stay_inside_words() -> None:
    assert normalize_whitespace("Un.\n\u200d\nDeux.") == "Un.\n\nDeux."
    assert normalize_whitespace("famille 👨\u200d👩\u200d👧") == "famille 👨\u200d👩\u200d👧"
