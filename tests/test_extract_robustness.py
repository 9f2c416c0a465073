"""cleaners.extract never raises and never hangs, whatever it is given."""

from __future__ import annotations

import sys
import time

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cleaners import Article, Reason, explain, extract
from cleaners.extract import DEFAULT_DEADLINE, run_extraction

PARAGRAPH = "<p>Un paragraphe d'article assez long pour être gardé par l'extracteur de texte.</p>"
# Generous: the point is "returns", not speed; CI machines are slow and shared.
SANITY_BOUND = 60.0

markup = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "<div>",
                "</div>",
                "<p>",
                "</p>",
                "<article>",
                "<script>",
                "</script>",
                "<!--",
                "-->",
                "<table><tr><td>",
                "<h2>",
                "</h2>",
                "<a href='",
                "'>",
                "&amp;",
                "&#0;",
                "<ul><li>",
                "<![CDATA[",
                "<svg><math>",
                "<meta charset='utf-16'>",
                "\x00",
                "<p class='td-post-content'>",
                "<div itemprop='articleBody'>",
            ]
        ),
        st.text(max_size=40),
    ),
    max_size=60,
).map("".join)


def strict_extract(html: str | bytes, headers: dict[str, str] | None = None) -> Article:
    """``extract`` with internal errors raised: ``extract`` itself turns any of them into
    ``Reason.UNPARSABLE``, which would let these tests pass over a bug."""
    return run_extraction(
        html, "https://example.org/x", headers, frozenset(), DEFAULT_DEADLINE, strict=True
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4000))
def test_random_bytes_never_raise(data: bytes) -> None:
    article = strict_extract(data, headers={"content-type": "text/html; charset=utf-8"})
    assert isinstance(article, Article)
    assert article.text or article.reason


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markup)
@example("<div><script></script>\x1f")  # once raised inside htmldate's lxml tree
@example("<p>Texte</p><script></script>\ufffe")
def test_garbage_markup_never_raises(html: str) -> None:
    article = strict_extract(html)
    assert isinstance(article, Article)
    assert article.text or article.reason
    # lexbor parses any string into a tree: markup is never unparsable.
    assert article.reason != Reason.UNPARSABLE


def test_an_internal_error_becomes_unparsable_and_strict_mode_raises(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("a bug in a pruning rule")

    # ``cleaners.extract`` is also the name of the function the package exports.
    monkeypatch.setattr(sys.modules["cleaners.extract"], "prune", broken)
    html = f"<html><body><article>{PARAGRAPH * 5}</article></body></html>"
    assert extract(html).reason == Reason.UNPARSABLE
    with pytest.raises(RuntimeError, match="pruning rule"):
        strict_extract(html)


def test_a_metadata_failure_keeps_the_article_and_strict_mode_raises(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise ValueError("a date parser choked")

    monkeypatch.setattr(sys.modules["cleaners.extract"], "read_metadata", broken)
    html = (
        f"<html><head><title>T</title></head><body><article>{PARAGRAPH * 5}</article></body></html>"
    )
    article = extract(html)
    assert (article.reason, article.title) == (None, None)
    assert article.text.startswith("Un paragraphe d'article")
    assert any("metadata" in note for note in explain(html).notes)
    with pytest.raises(ValueError, match="date parser"):
        strict_extract(html)


def test_random_binary_is_not_html() -> None:
    data = bytes(range(256)) * 20
    assert extract(data).reason == Reason.NOT_HTML


@pytest.mark.parametrize("value", [b"", b"   \n", ""])
def test_empty_input(value: bytes | str) -> None:
    article = extract(value)
    assert article.text == ""
    assert article.reason == Reason.EMPTY_DOCUMENT


def test_ten_thousand_nested_divs() -> None:
    html = "<html><body>" + "<div>" * 10_000 + PARAGRAPH * 5 + "</div>" * 10_000
    article = extract(html)
    assert "paragraphe d'article" in article.text


def test_nul_bytes_are_ignored() -> None:
    html = ("<html><body><article>" + PARAGRAPH * 5 + "</article></body></html>").replace(
        "article assez", "article\x00 assez"
    )
    article = extract(html.encode("utf-8"))
    assert "\x00" not in article.text
    assert "paragraphe d'article assez long" in article.text


def test_truncated_mid_tag() -> None:
    html = "<html><body><article>" + PARAGRAPH * 6 + "<p>Coupé au milieu d'une bal<a hre"
    assert "paragraphe d'article" in extract(html).text


@pytest.mark.slow
def test_twenty_megabyte_page_returns_by_the_deadline() -> None:
    extract("<html><body>" + PARAGRAPH * 10 + "</body></html>")  # load models first
    numbered = (
        f"<p>Paragraphe {i} : un texte assez long pour compter comme de la prose.</p>"
        for i in range(280_000)
    )
    html = "<html><body><article>" + "".join(numbered) + "</article></body></html>"
    assert len(html) > 20_000_000
    deadline = 2.0
    started = time.monotonic()
    article = extract(html, deadline=deadline)
    elapsed = time.monotonic() - started
    assert elapsed < SANITY_BOUND
    # Either it finished, or the deadline fired and it says so.
    assert article.reason in (None, Reason.DEADLINE)
    if article.reason is None:
        assert article.text
