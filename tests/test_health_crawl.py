"""End to end: crawl a local multi-host site, break one host's template, crawl again.

The crawler runs as a real process against the synthetic site on loopback hosts.
After the second run, ``scrape health`` must name the host whose articles became a
JavaScript-only shell, and only it: the host with a short article and a 404 in the
same run, the host with a quiet day and the host crawled for the first time are not
flagged. The report must show the drifted host first.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import lxml.html
import pytest
from click.testing import CliRunner, Result
from synthetic_site import SyntheticSite, loopback_hosts, serve, sources_toml

from scraper.cli import EXIT_DRIFT, main

JS_SHELL = b"""<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">
<title>Le Synth\xc3\xa9tique</title><link rel="stylesheet" href="/static/app.css">
<script src="/static/app.js" defer></script></head>
<body><div id="root"></div><noscript>Activez JavaScript pour lire cet article.</noscript>
</body></html>"""
BRIEF = ["Le conseil municipal se réunira jeudi à 18 heures en mairie."]
ARTICLES = 30


class ChangingSite(SyntheticSite):
    """The synthetic site, whose hosts can switch to a JavaScript-only template,
    publish a brief, or link to an article that is gone."""

    def __init__(self, hosts: list[str], articles_per_host: int) -> None:
        super().__init__(hosts, articles_per_host)
        self.javascript_only: set[str] = set()
        self.briefs: set[tuple[str, int]] = set()
        self.dead_links: dict[str, str] = {}

    def paragraphs(self, host: str, number: int) -> list[str]:
        if (host, number) in self.briefs:
            return BRIEF
        return super().paragraphs(host, number)

    def article_html(self, host: str, number: int, tail_seed: int = 0) -> bytes:
        if host in self.javascript_only:
            return JS_SHELL
        return super().article_html(host, number, tail_seed)

    def home_html(self, host: str) -> bytes:
        home = super().home_html(host)
        if host in self.dead_links:
            link = f'<a href="{self.dead_links[host]}">Disparu</a></body>'.encode()
            home = home.replace(b"</body>", link)
        return home


@pytest.fixture
def site() -> Iterator[ChangingSite]:
    with serve(ChangingSite(loopback_hosts(4, first=80), ARTICLES)) as served:
        yield served


def health(db: Path) -> Result:
    return CliRunner().invoke(main, ["health", "--db", str(db)])


def crawl(site: SyntheticSite, hosts: list[str], sources: Path, db: Path) -> None:
    sections = sources_toml(site, delay=0).split("[[sources]]")
    kept = [sections[0]] + [s for s in sections[1:] if any(f"{h}:" in s for h in hosts)]
    sources.write_text("[[sources]]".join(kept), encoding="utf-8")
    command = [sys.executable, "-m", "scraper", "crawl", str(sources), "--db", str(db)]
    command += ["--allow-private", "127.0.0.0/8"]
    run = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode in (0, 1), run.stderr  # 1: the dead link failed for good


@pytest.mark.slow
def test_health_names_only_the_host_whose_template_broke(
    site: ChangingSite, tmp_path: Path
) -> None:
    broken, varied, quiet, newcomer = site.hosts
    site.article_counts[newcomer] = 6
    db, sources = tmp_path / "crawl.db", tmp_path / "sources.toml"
    crawl(site, [broken, varied, quiet], sources, db)
    first = health(db)
    assert (first.exit_code, first.stdout) == (
        0,
        "health: 0 drifting, 3 healthy, 0 new, 0 idle (3 hosts)\n",
    ), first.output

    # The next run: a new template on one host; ordinary news on the others.
    site.javascript_only.add(broken)
    site.add_articles(broken, 8)
    site.add_articles(varied, 6)
    site.briefs.add((varied, ARTICLES))  # the first of them
    site.dead_links[varied] = "/2025/01/article-disparu-999/"
    site.add_articles(quiet, 1)
    crawl(site, site.hosts, sources, db)

    second = health(db)
    assert second.exit_code == EXIT_DRIFT, second.output
    [drifted, tally] = second.stdout.splitlines()
    assert drifted.startswith(f"{broken}  empty 100% of 8 recent vs 0% of {ARTICLES} before")
    assert tally == "health: 1 drifting, 2 healthy, 1 new, 0 idle (4 hosts)"

    report = tmp_path / "report.html"
    written = CliRunner().invoke(main, ["report", "--db", str(db), "-o", str(report)])
    assert written.exit_code == 0, written.output
    document = lxml.html.fromstring(report.read_text("utf-8"))
    drift_list = document.get_element_by_id("drift").getnext()
    assert [item.text_content().split(":")[0] for item in drift_list] == [broken]
    first_row = document.get_element_by_id("hosts").getparent().find(".//tr[@id]")
    assert first_row.get("id") == f"host-{broken}" and first_row.get("class") == "drifting"
