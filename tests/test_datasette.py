"""``datasette scrape.db`` finds the full-text index of ``articles``: its table page can search.

Datasette runs in-process here (its own ASGI client, no server or port), on a
database the store wrote, and is asked what a user's browser would ask.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from datasette.app import Datasette
from nlp_corpus import save_article

from scraper.storage import open_store


def stored(path: Path) -> Path:
    with open_store(str(path)) as store:
        save_article(store, "https://a.example/1", "Les garanties de sécurité.", title="Garanties")
        save_article(store, "https://a.example/2", "Un hiver doux sur la côte.", title="Hiver")
    return path


def test_datasette_detects_the_index_and_its_table_page_searches(tmp_path: Path) -> None:
    database = stored(tmp_path / "scrape.db")

    async def browse() -> tuple[str | None, list[str], str]:
        datasette = Datasette([str(database)])
        await datasette.invoke_startup()
        index = await datasette.get_database("scrape").fts_table("articles")
        hits = await datasette.client.get("/scrape/articles.json?_search=securite&_shape=array")
        page = await datasette.client.get("/scrape/articles")
        assert hits.status_code == page.status_code == 200
        return index, [row["title"] for row in hits.json()], page.text

    index, titles, page = asyncio.run(browse())
    assert index == "articles_fts"
    assert titles == ["Garanties"]  # accents ignored, as in scrape search
    assert 'name="_search"' in page  # the search box
