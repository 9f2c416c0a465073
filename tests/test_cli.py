"""The scrape command line through click's CliRunner, plus one run of the installed executable."""

from __future__ import annotations

import dataclasses
import gzip
import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from local_server import Route, html_route

from cleaners import Article
from scraper.cli import main
from scraper.storage import open_store

REPO = Path(__file__).resolve().parents[1]
TAGDIV = "F01"
SAME_EVENT_OTHER_ARTICLE = "F05"
ARTICLE_FIELDS = {field.name for field in dataclasses.fields(Article)}


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def db(tmp_path: Path) -> str:
    return str(tmp_path / "cli.db")


def page_url(page_server, name: str) -> str:
    return page_server.url(f"/pages/{name}.html")


def json_lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_scrape_url_prints_title_blank_line_body_and_stores(runner, page_server, db):
    result = runner.invoke(main, [page_url(page_server, TAGDIV), "--db", db])

    assert result.exit_code == 0, result.stderr
    with open_store(db) as store:
        (stored,) = store.iter_articles()
    title, blank, *body = result.stdout.splitlines()
    assert title == stored.title
    assert blank == ""
    assert "\n".join(body) == stored.text
    assert result.stderr == ""


def test_options_may_come_before_targets_and_get_is_explicit(runner, page_server, db):
    url = page_url(page_server, TAGDIV)

    before = runner.invoke(main, ["--db", db, "--format", "json", url])
    explicit = runner.invoke(main, ["get", url, "--db", db, "--format", "json"])

    assert before.exit_code == explicit.exit_code == 0
    assert json_lines(before.stdout)[0]["status"] == "new"
    assert json_lines(explicit.stdout)[0]["status"] == "duplicate"


def test_text_output_separates_articles_with_a_dashes_line(runner, page_server, db):
    urls = [page_url(page_server, TAGDIV), page_url(page_server, SAME_EVENT_OTHER_ARTICLE)]

    result = runner.invoke(main, [*urls, "--db", db])

    assert result.exit_code == 0
    assert result.stdout.count("\n---\n") == 1


def test_json_output_has_article_fields_and_storage_status(runner, page_server, db):
    url = page_url(page_server, TAGDIV)

    first = runner.invoke(main, [url, "--db", db, "--format", "json"])
    second = runner.invoke(main, [url, "--db", db, "--format", "json"])

    (new,) = json_lines(first.stdout)
    (duplicate,) = json_lines(second.stdout)
    assert ARTICLE_FIELDS | {"content_hash", "status", "article_id"} <= new.keys()
    assert "error" not in new
    assert new["status"] == "new" and duplicate["status"] == "duplicate"
    assert new["article_id"] == duplicate["article_id"]
    assert len(new["content_hash"]) == 64
    assert new["text"] and isinstance(new["authors"], list)


def test_explain_lists_removed_blocks_then_the_kept_text(runner, page_server, db):
    url = page_url(page_server, TAGDIV)

    text = runner.invoke(main, [url, "--db", db, "--explain"])
    as_json = runner.invoke(main, [url, "--db", db, "--explain", "--format", "json"])

    assert text.exit_code == as_json.exit_code == 0
    removed_part, kept = text.stdout.split("\nkept:\n\n")
    removed_lines = removed_part.splitlines()
    assert removed_lines and all(line.startswith("removed by ") for line in removed_lines)
    assert "spot_img" not in kept
    (record,) = json_lines(as_json.stdout)
    assert kept.rstrip("\n") == f"{record['title']}\n\n{record['text']}"
    assert len(record["removed"]) == len(removed_lines)
    assert {"rule", "selector", "preview"} <= record["removed"][0].keys()


def test_failing_target_exits_1_and_the_others_are_stored(runner, page_server, local_server, db):
    bad = local_server.add("/missing", html_route("<p>no</p>", status=404))
    good = [page_url(page_server, TAGDIV), page_url(page_server, SAME_EVENT_OTHER_ARTICLE)]

    result = runner.invoke(main, [good[0], bad, good[1], "--db", db, "--format", "json"])

    assert result.exit_code == 1
    assert [line["status"] for line in json_lines(result.stdout)] == ["new", "failed", "new"]
    failed = json_lines(result.stdout)[1]
    assert failed["error"]["kind"] == "http_status" and failed["error"]["status"] == 404
    (line,) = result.stderr.splitlines()
    assert bad in line and "http_status" in line and "404" in line
    with open_store(db) as store:
        assert store.count_articles() == 2


def test_user_agent_and_timeout_options_reach_the_fetch(runner, fixture_pages, local_server, db):
    page = local_server.add("/page", html_route((fixture_pages / f"{TAGDIV}.html").read_bytes()))
    slow = local_server.add("/slow", Route(delay=2.0, headers=html_route("").headers, body=b"<p>"))

    named = runner.invoke(main, [page, "--db", db, "--user-agent", "test-agent/2"])
    late = runner.invoke(main, [slow, "--db", db, "--timeout", "0.3"])

    assert named.exit_code == 0
    (served,) = local_server.wait_for("/page")
    assert served.headers["user-agent"] == "test-agent/2"
    assert late.exit_code == 1 and f"{slow}: timeout" in late.stderr


def test_db_comes_from_the_environment_then_the_working_directory(
    runner, page_server, tmp_path, monkeypatch
):
    url = page_url(page_server, TAGDIV)
    env_db = tmp_path / "from-env.db"
    monkeypatch.chdir(tmp_path)

    from_env = runner.invoke(main, [url], env={"SCRAPE_DB": str(env_db)})
    default = runner.invoke(main, [url], env={"SCRAPE_DB": None})

    assert from_env.exit_code == default.exit_code == 0
    assert env_db.exists()
    assert (tmp_path / "scrape.db").exists()


def test_sqlalchemy_url_is_accepted_for_db(runner, page_server, tmp_path):
    db_file = tmp_path / "by-url.db"
    result = runner.invoke(main, [page_url(page_server, TAGDIV), "--db", f"sqlite:///{db_file}"])

    assert result.exit_code == 0
    assert db_file.exists()


@pytest.mark.parametrize("suffix", [".html", ".html.gz"])
def test_saved_page_target(runner, fixture_pages, tmp_path, db, suffix):
    html = (fixture_pages / f"{TAGDIV}.html").read_bytes()
    saved = tmp_path / f"page{suffix}"
    saved.write_bytes(gzip.compress(html) if suffix.endswith(".gz") else html)

    result = runner.invoke(main, [str(saved), "--db", db, "--format", "json"])

    assert result.exit_code == 0, result.stderr
    assert json_lines(result.stdout)[0]["status"] == "new"


def test_saved_page_named_like_a_command_is_reached_with_a_path(
    runner, fixture_pages, tmp_path, db, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    Path("export.html").write_bytes((fixture_pages / f"{TAGDIV}.html").read_bytes())
    Path("export").write_bytes(b"")

    command = runner.invoke(main, ["export", "--db", db])
    # "./export" is the file; it is refused because its name is not a saved page's.
    file = runner.invoke(main, ["./export", "--db", db])

    assert command.exit_code == 0
    assert file.exit_code == 1 and "file_error" in file.stderr
    assert runner.invoke(main, ["./export.html", "--db", db]).exit_code == 0


def test_export_round_trip(runner, page_server, db, tmp_path):
    urls = [page_url(page_server, TAGDIV), page_url(page_server, SAME_EVENT_OTHER_ARTICLE)]
    scraped = json_lines(runner.invoke(main, [*urls, "--db", db, "--format", "json"]).stdout)
    out = tmp_path / "articles.jsonl"

    to_stdout = runner.invoke(main, ["export", "--db", db])
    to_file = runner.invoke(main, ["export", "--db", db, "--format", "jsonl", "-o", str(out)])
    future = runner.invoke(main, ["export", "--db", db, "--since", "2999-01-01"])

    assert to_stdout.exit_code == to_file.exit_code == future.exit_code == 0
    exported = json_lines(to_stdout.stdout)
    assert json_lines(out.read_text("utf-8")) == exported
    assert {line["content_hash"] for line in exported} == {line["content_hash"] for line in scraped}
    assert all(line["urls"] and line["first_seen"] for line in exported)
    assert future.stdout == ""


def test_bad_since_is_a_usage_error(runner, db):
    result = runner.invoke(main, ["export", "--db", db, "--since", "last tuesday"])
    assert result.exit_code == 2
    assert "ISO 8601" in result.stderr


def test_db_upgrade(runner, db):
    result = runner.invoke(main, ["db", "upgrade", "--db", db])
    assert result.exit_code == 0, result.stderr
    assert Path(db).exists()


def test_unusable_database_exits_1_with_one_line(runner, fixture_pages, tmp_path):
    missing_dir_db = str(tmp_path / "no" / "such" / "dir" / "x.db")

    result = runner.invoke(main, [str(fixture_pages / f"{TAGDIV}.html"), "--db", missing_dir_db])

    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert "x.db" in line


@pytest.mark.parametrize(
    "args", [[], ["--no-such-option", "x"], ["https://example.test/", "--format", "xml"], ["get"]]
)
def test_usage_errors_exit_2(runner, args):
    assert runner.invoke(main, args).exit_code == 2


def walk_commands(command: click.Command, path: tuple[str, ...]):
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield from walk_commands(sub, (*path, name))


def user_documentation() -> str:
    """The README (the front page) and the pages of docs/ it links to."""
    pages = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
    assert len(pages) > 1, "docs/ has no pages"
    return "\n".join(page.read_text("utf-8") for page in pages)


def test_every_command_and_option_has_help_and_a_documentation_mention():
    documentation = user_documentation()
    for path, command in walk_commands(main, ("scrape",)):
        name = " ".join(path)
        assert command.help, f"{name} has no help text"
        assert name in documentation, f"README and docs/ do not mention {name!r}"
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"{name} {param.opts[0]} has no help"
                assert any(opt in documentation for opt in param.opts), (
                    f"README and docs/ lack {param.opts}"
                )


def test_ci_runs_exactly_the_readme_test_command():
    readme = (REPO / "README.md").read_text("utf-8")
    command = "python3 -m venv .venv && .venv/bin/pip install '.[test]' && .venv/bin/pytest"
    assert command in readme
    assert command in (REPO / ".ci" / "run").read_text("utf-8")


def test_installed_scrape_executable(page_server, db):
    scrape = Path(sys.executable).parent / "scrape"
    completed = subprocess.run(
        [str(scrape), page_url(page_server, TAGDIV), "--db", db, "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr
    assert json_lines(completed.stdout)[0]["status"] == "new"


def test_python_dash_m_scraper_is_the_same_command():
    completed = subprocess.run(
        [sys.executable, "-m", "scraper", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0
    assert completed.stdout.startswith("scrape, version ")
