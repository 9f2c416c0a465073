"""Paths of simple selectors find what the equivalent descendant selector finds."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

from cleaners.markup.scoped import all_on_path, first_of_paths, first_on_path

PAGE = LexborHTMLParser(
    "<header><h1>Logo</h1><img src='/logo.png'></header>"
    "<article><h1>Titre</h1><figure><img src='/a.jpg'></figure><img src='/b.jpg'></article>"
)


def test_first_on_path_searches_below_the_first_scope() -> None:
    node = first_on_path(PAGE, ("article", "h1"))
    assert node is not None and node.text() == "Titre"
    assert first_on_path(PAGE, ("main", "h1")) is None


def test_all_on_path() -> None:
    sources = [node.attributes["src"] for node in all_on_path(PAGE, ("article", "img"))]
    assert sources == ["/a.jpg", "/b.jpg"]
    assert [node.attributes["src"] for node in all_on_path(PAGE, ("article", "figure", "img"))] == [
        "/a.jpg"
    ]
    assert all_on_path(PAGE, ("aside", "img")) == []


def test_first_of_paths_takes_the_first_path_that_finds() -> None:
    node = first_of_paths(PAGE, [("main", "h1"), ("article", "h1"), ("h1",)])
    assert node is not None and node.text() == "Titre"
    assert first_of_paths(PAGE, [("main", "h1")]) is None
