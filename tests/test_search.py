"""Full-text search: hits, BM25 ranking, snippets, the index kept in sync, migration 0003."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from click.testing import CliRunner
from nlp_corpus import save_article
from sqlalchemy import delete, update

from scraper.cli import main
from scraper.outputs.search import match_expression, search
from scraper.storage import Store, database_url, open_store
from scraper.storage.database import create_database_engine, downgrade_database, upgrade_database
from scraper.storage.models import ArticleRow, Base, is_modelled

ABOUT = (
    "Les garanties de sécurité pour l'Ukraine reposeront sur quatre axes. "
    "Ces garanties de sécurité engagent les alliés européens."
)
UNRELATED = "Un hiver doux sur la côte. Les pêcheurs attendent le printemps."
MENTIONS = "Le conseil a parlé de budget. Il a aussi évoqué des garanties, et la sécurité du port."


@pytest.fixture
def ids(store: Store) -> dict[str, int]:
    """Three articles: one about the query, one that mentions its words, one unrelated."""
    saved = {
        "unrelated": save_article(store, "https://c.example/c", UNRELATED, title="Hiver"),
        "mentions": save_article(store, "https://b.example/b", MENTIONS, title="Conseil"),
        "about": save_article(
            store,
            "https://a.example/a?utm_source=x",
            ABOUT,
            title="Garanties de sécurité : une étape",
            canonical_url="https://a.example/a",
        ),
    }
    return {name: result.article_id for name, result in saved.items() if result.article_id}


def test_hits_are_ranked_by_relevance(store: Store, ids: dict[str, int]) -> None:
    hits = search(store, "garanties de sécurité")
    assert [hit.article_id for hit in hits] == [ids["about"], ids["mentions"]]
    assert hits[0].score > hits[1].score > 0
    assert hits[0].title == "Garanties de sécurité : une étape"
    assert hits[0].url == "https://a.example/a"  # the canonical URL when there is one
    assert "[garanties]" in hits[0].snippet.lower()


def test_case_and_accents_are_ignored(store: Store, ids: dict[str, int]) -> None:
    assert [hit.article_id for hit in search(store, "SECURITE garanties")] == [
        ids["about"],
        ids["mentions"],
    ]


def test_every_word_must_occur_and_limit_applies(store: Store, ids: dict[str, int]) -> None:
    assert [hit.article_id for hit in search(store, "garanties ukraine")] == [ids["about"]]
    assert len(search(store, "garanties", limit=1)) == 1
    assert search(store, "introuvable") == []


def test_query_syntax_is_never_an_error(store: Store, ids: dict[str, int]) -> None:
    assert match_expression('garanties AND "sécurité*') == '"garanties" "AND" "sécurité"'
    assert search(store, 'garanties -"sécurité (NEAR') == []  # plain words, no FTS5 syntax
    with pytest.raises(ValueError, match="nothing to search"):
        search(store, " ?! ")


def test_index_follows_updates_and_deletes(store: Store, ids: dict[str, int]) -> None:
    with store.write() as conn:
        conn.execute(
            update(ArticleRow)
            .where(ArticleRow.id == ids["unrelated"])
            .values(text="Une tempête sur la frontière.")
        )
        conn.execute(delete(ArticleRow).where(ArticleRow.id == ids["about"]))
    assert [hit.article_id for hit in search(store, "tempête frontière")] == [ids["unrelated"]]
    assert search(store, "hiver pêcheurs") == []  # the old words left the index
    assert [hit.article_id for hit in search(store, "garanties")] == [ids["mentions"]]


def test_cli_prints_ranked_hits_with_urls(db: str, ids: dict[str, int]) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["search", "garanties de sécurité", "--db", db])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("1. Garanties de sécurité : une étape  [")
    assert lines[1].strip() == "https://a.example/a"
    assert "[garanties]" in lines[2].lower()
    assert lines[3].startswith("2. Conseil")
    nothing = runner.invoke(main, ["search", "introuvable", "--db", db])
    assert nothing.exit_code == 0 and nothing.stdout == ""
    assert "no article matches" in nothing.stderr
    assert runner.invoke(main, ["search", "...", "--db", db]).exit_code == 2


def test_migrations_match_the_models_and_rebuild_the_index(db: str, ids: dict[str, int]) -> None:
    url = database_url(db)
    engine = create_database_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"include_name": is_modelled})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()

    downgrade_database(url, "0002")  # drops the index and the NLP columns, keeps articles
    upgrade_database(url)
    with open_store(db) as store:
        assert [hit.article_id for hit in search(store, "ukraine")] == [ids["about"]]
    downgrade_database(url, "base")
    upgrade_database(url)
    with open_store(db) as store:
        assert store.count_articles() == 0
