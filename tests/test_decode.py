"""cleaners.markup.decode: BOM, HTTP charset, <meta>, detection; no mojibake, never raises."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cleaners.markup.decode import charset_from_content_type, decode, decode_html

FRENCH_CP1252_TEXT = (
    "L\u2019\u00e9t\u00e9 dernier, le c\u0153ur du march\u00e9 a co\u00fbt\u00e9 12 \u20ac de plus"
    "\u2026 \u201cC\u2019est \u00e9norme\u201d, dit l\u2019\u00e9lu. Les \u00e9l\u00e8ves ont "
    "r\u00e9pondu \u00e0 la question du ma\u00eetre, puis ils sont partis d\u00e9jeuner."
)
UKRAINIAN_TEXT = (
    "Президент України заявив, що переговори щодо гарантій безпеки тривають. "
    "Це дуже важливо для країни і для всієї Європи, наголосив він у четвер."
)
MOJIBAKE = ("Ã©", "â€™", "Ã¨", "\u0092", "\u0080", "\ufffd")


def page(body: str, head: str = "") -> str:
    return (
        f"<!DOCTYPE html><html><head>{head}<title>Essai</title></head>"
        f"<body><p>{body}</p></body></html>"
    )


def assert_clean(text: str, expected_fragment: str) -> None:
    assert expected_fragment in text
    for bad in MOJIBAKE:
        assert bad not in text, bad


def test_windows_1252_without_any_declaration_is_detected() -> None:
    data = page(FRENCH_CP1252_TEXT).encode("cp1252")
    for byte in (b"\x92", b"\x93", b"\x94", b"\x85", b"\x80", b"\x9c"):
        assert byte in data  # the test exercises the C1-range characters latin-1 would break
    decoded = decode(data)
    assert decoded.source == "detected"
    assert_clean(decoded.text, FRENCH_CP1252_TEXT)


def test_charset_only_in_http_header_is_honoured() -> None:
    data = page(FRENCH_CP1252_TEXT).encode("cp1252")
    decoded = decode(data, "text/html; charset=windows-1252")
    assert (decoded.encoding, decoded.source) == ("cp1252", "header")
    assert_clean(decoded.text, FRENCH_CP1252_TEXT)


@pytest.mark.parametrize("label", ["iso-8859-1", "ISO-8859-1", "latin1", "us-ascii"])
def test_latin1_and_ascii_labels_mean_windows_1252(label: str) -> None:
    data = page(FRENCH_CP1252_TEXT).encode("cp1252")
    decoded = decode(data, f"text/html; charset={label}")
    assert decoded.encoding == "cp1252"
    assert_clean(decoded.text, FRENCH_CP1252_TEXT)


def test_cp1251_declared_as_utf8_falls_back_to_detection() -> None:
    data = page(UKRAINIAN_TEXT, '<meta charset="utf-8">').encode("cp1251")
    decoded = decode(data, "text/html; charset=UTF-8")
    assert decoded.source == "detected"
    assert_clean(decoded.text, UKRAINIAN_TEXT)


def test_header_wins_over_conflicting_meta() -> None:
    data = page(FRENCH_CP1252_TEXT, '<meta charset="iso-8859-5">').encode("cp1252")
    decoded = decode(data, "text/html; charset=windows-1252")
    assert decoded.source == "header"
    assert_clean(decoded.text, FRENCH_CP1252_TEXT)


def test_meta_decides_when_header_charset_does_not_fit() -> None:
    data = page(
        UKRAINIAN_TEXT, '<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">'
    )
    decoded = decode(data.encode("cp1251"), "text/html; charset=utf-8")
    assert (decoded.encoding, decoded.source) == ("cp1251", "meta")
    assert_clean(decoded.text, UKRAINIAN_TEXT)


def test_bom_wins_over_conflicting_meta() -> None:
    data = codecs.BOM_UTF8 + page(FRENCH_CP1252_TEXT, '<meta charset="windows-1252">').encode()
    decoded = decode(data, "text/html; charset=iso-8859-1")
    assert decoded.source == "bom"
    assert not decoded.text.startswith("\ufeff")
    assert_clean(decoded.text, FRENCH_CP1252_TEXT)


def test_utf16_bom() -> None:
    data = codecs.BOM_UTF16_LE + page(UKRAINIAN_TEXT).encode("utf-16-le")
    assert_clean(decode_html(data), UKRAINIAN_TEXT)


def test_iso_8859_15_euro_and_oe() -> None:
    text = "Le prix est de 5 \u20ac pour un \u0153uf et pour le c\u0153ur."
    data = page(text, '<meta charset="iso-8859-15">').encode("iso8859_15")
    assert b"\xa4" in data and b"\xbd" in data
    decoded = decode(data)
    assert (decoded.encoding, decoded.source) == ("iso8859-15", "meta")
    assert_clean(decoded.text, text)


def test_utf8_bytes_labelled_latin1_are_utf8() -> None:
    data = page(FRENCH_CP1252_TEXT, '<meta charset="iso-8859-1">').encode("utf-8")
    decoded = decode(data, "text/html; charset=ISO-8859-1")
    assert decoded.encoding == "utf-8"
    assert_clean(decoded.text, FRENCH_CP1252_TEXT)


def test_non_ascii_title_before_meta_charset() -> None:
    html = (
        "<html><head><title>Caf\u00e9 cr\u00e8me \u00e0 l\u2019\u00e9t\u00e9</title>"
        '<meta charset="utf-8"></head><body><p>D\u00e9j\u00e0 vu.</p></body></html>'
    )
    decoded = decode(html.encode("utf-8"))
    assert_clean(decoded.text, "Caf\u00e9 cr\u00e8me \u00e0 l\u2019\u00e9t\u00e9")


def test_undeclared_utf8_is_utf8() -> None:
    decoded = decode(page(FRENCH_CP1252_TEXT).encode("utf-8"))
    assert (decoded.encoding, decoded.source) == ("utf-8", "utf-8")


def test_stray_cp1252_bytes_in_a_utf8_page_are_repaired() -> None:
    good = page(FRENCH_CP1252_TEXT).encode("utf-8")
    data = good.replace(b"</p>", b" Il l\x92a dit.</p>")
    decoded = decode(data, "text/html; charset=utf-8")
    assert decoded.source == "utf-8-repaired"
    assert_clean(decoded.text, FRENCH_CP1252_TEXT + " Il l\u2019a dit.")


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        ("text/html; charset=UTF-8", "UTF-8"),
        ('text/html;charset="windows-1252"', "windows-1252"),
        ("text/html", None),
        ("", None),
        (None, None),
    ],
)
def test_charset_from_content_type(content_type: str | None, expected: str | None) -> None:
    assert charset_from_content_type(content_type) == expected


def test_unknown_declared_charset_is_ignored() -> None:
    decoded = decode(page("caf\u00e9").encode(), "text/html; charset=x-no-such-thing")
    assert decoded.text.count("caf\u00e9") == 1


def test_empty_input() -> None:
    assert decode_html(b"") == ""


@given(
    st.binary(max_size=2048),
    st.sampled_from(
        [None, "text/html; charset=utf-8", "text/html; charset=koi8-r", "charset=bogus"]
    ),
)
def test_random_bytes_never_raise(data: bytes, content_type: str | None) -> None:
    assert isinstance(decode_html(data, content_type), str)


@given(st.text(max_size=300))
def test_utf8_text_round_trips(text: str) -> None:
    text = text.lstrip("\ufeff")  # a leading BOM is consumed by design
    assert decode_html(text.encode("utf-8")) == text
