"""``scrape report``: what it reads (SQLite and PostgreSQL), and the HTML file it writes.

The HTML is parsed: every chart is there as inline SVG, nothing is loaded from
elsewhere, and with hundreds of hosts the troubled ones come first and the rest
is collapsed.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import lxml.html
import pytest
from click.testing import CliRunner
from nlp_corpus import article_text, save_article, syndicated_copy

from scraper.cli import main
from scraper.errors import FetchErrorKind
from scraper.outputs.health import DRIFTING, HostHealth
from scraper.outputs.report import OPEN_ROWS, render_report
from scraper.outputs.report_data import HostDay, HostRow, ReportData, collect_report
from scraper.outputs.stats import HostFetches, Stats
from scraper.records import FetchAttempt
from scraper.storage import Store, open_store

START = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)
PLEA = "Abonnez-vous à notre lettre du matin pour ne rien manquer."


def at(minutes: int) -> datetime:
    return START + timedelta(minutes=minutes)


def article(store: Store, url: str, minutes: int, *extra: str, language: str = "fr") -> None:
    text = "\n\n".join([article_text(zlib.crc32(url.encode()), 5), *extra])
    save_article(store, url, text, fetched_at=at(minutes), language=language, title=url)


def failure(store: Store, url: str, minutes: int, kind: str, message: str) -> None:
    attempt = FetchAttempt(url, at(minutes), url, 404, error_kind=kind, error_message=message)
    store.save(attempt, None, ())


@pytest.fixture
def filled(db_url: str) -> str:
    return fill(db_url)


def fill(db_url: str) -> str:
    """drift.example became a bot challenge; busy.example pastes a plea into a third of its
    articles; troubled.example fails half its fetches; one story syndicated across hosts."""
    with open_store(db_url) as store:
        for n in range(30):
            article(store, f"https://drift.example/{n}", n)
        for n in range(6):
            url = f"https://drift.example/c{n}"
            failure(store, url, 100 + n, FetchErrorKind.EMPTY, "no article text (blocked)")
        for n in range(30):
            plea = (PLEA,) if n % 3 == 0 else ()
            article(store, f"https://busy.example/{n}", n, *plea, language="en")
        for n in range(4):
            article(store, f"https://troubled.example/{n}", n)
            failure(store, f"https://troubled.example/x{n}", n, FetchErrorKind.HTTP_STATUS, "404")
        original = article_text(7)
        save_article(store, "https://syn.example/story", original, fetched_at=at(50))
        copy = syndicated_copy(original, 7)
        save_article(store, "https://copy.example/story", copy, fetched_at=at(51))
    return db_url


def test_the_report_reads_hosts_troubled_first_with_their_figures(filled: str) -> None:
    with open_store(filled) as store:
        data = collect_report(store)
    order = [row.host for row in data.hosts]
    assert order[:2] == ["drift.example", "troubled.example"]
    rows = {row.host: row for row in data.hosts}
    drift, busy = rows["drift.example"], rows["busy.example"]
    assert drift.health is not None and drift.health.status == DRIFTING
    assert (drift.fetches.fetches, drift.fetches.empty) == (36, 6)
    assert drift.median_words == 5 * 40
    assert drift.last_success == at(29)
    assert busy.learned_paragraphs == 1  # the plea, in 10 of 30 articles
    assert busy.median_words == 5 * 40 + (10 / 30 > 0.5) * len(PLEA.split())
    assert rows["troubled.example"].troubled and not rows["troubled.example"].drifting
    assert [(day.extracted, day.empty) for day in drift.days] == [(36, 6)]

    assert sum(count for _, _, count in data.articles_by_day) == data.stats.articles == 66
    assert dict(data.stats.by_language) == {"fr": 34, "en": 30, "unknown": 2}
    assert data.cluster_sizes == ((2, 1),)
    [cluster] = data.clusters
    assert (cluster.host, cluster.copies, cluster.hosts) == ("syn.example", 1, 2)


EXTERNAL_ATTRIBUTES = ("href", "src", "srcset", "data", "action", "poster", "background")


def external_references(html: str) -> list[str]:
    """Everything in ``html`` that a browser would load from elsewhere."""
    found = []
    document = lxml.html.fromstring(html)
    for element in document.iter():
        if not isinstance(element.tag, str):
            continue  # comments and processing instructions (checked below)
        if element.tag in ("link", "iframe", "object", "embed", "img", "base"):
            found.append(f"<{element.tag}>")
        for name, value in element.attrib.items():
            if name.rsplit(":", 1)[-1] in EXTERNAL_ATTRIBUTES and not value.startswith("#"):
                found.append(f"{element.tag} {name}={value}")
    found += re.findall(r"url\(\s*['\"]?(?!#)[^)]*\)", html)
    found += re.findall(r"@import[^;]*", html)
    found += re.findall(r"<\?xml-stylesheet[^>]*>", html)
    return found


SHAPES = "self::path or self::circle or self::rect"


def charts(html: str) -> dict[str, lxml.html.HtmlElement]:
    document = lxml.html.fromstring(html)
    return {
        figure.get("data-chart"): figure for figure in document.iterfind(".//figure[@data-chart]")
    }


def test_the_html_has_every_chart_inline_and_loads_nothing_from_elsewhere(filled: str) -> None:
    with open_store(filled) as store:
        data = collect_report(store)
    html = render_report(data)

    found = charts(html)
    hosts = {f"host:{row.host}" for row in data.hosts}
    assert set(found) == {"articles-per-day", "languages", "near-duplicate-clusters", *hosts}
    for name, figure in found.items():
        [svg] = figure.iterfind(".//svg")
        assert float(svg.get("width")) > 0 and float(svg.get("height")) > 0, name
        drawn = svg.xpath(f".//g[contains(@class, 'series')]/descendant::*[{SHAPES}]")
        assert drawn, name  # a series is drawn
    assert not found["articles-per-day"].xpath(".//text[contains(@class, 'no_data')]")
    assert external_references(html) == []
    assert (
        "drift.example"
        in lxml.html.fromstring(html).get_element_by_id("drift").getnext().text_content()
    )


def test_the_check_for_external_references_finds_them() -> None:
    page = (
        '<html><head><link rel="stylesheet" href="https://cdn.example/a.css">'
        "<style>@import 'x.css'; b{background:url(https://e.example/i.png)}</style></head>"
        '<body><script src="//cdn.example/a.js"></script><svg><image xlink:href="a.png"/>'
        '<use href="#local"/></svg></body></html>'
    )
    assert external_references(page) == [
        "<link>",
        "link href=https://cdn.example/a.css",
        "script src=//cdn.example/a.js",
        "image xlink:href=a.png",
        "url(https://e.example/i.png)",
        "@import 'x.css'",
    ]


def test_cli_writes_the_report_and_since_restricts_it(filled: str, tmp_path: Path) -> None:
    output = tmp_path / "report.html"
    result = CliRunner().invoke(main, ["report", "--db", filled, "-o", str(output)])
    assert result.exit_code == 0, result.output
    assert "report on 5 hosts written to" in result.stderr
    html = output.read_text("utf-8")
    assert html.startswith("<!DOCTYPE html>") and "drift.example" in html

    later = CliRunner().invoke(
        main, ["report", "--db", filled, "--since", "2999-01-01", "-o", str(output)]
    )
    assert later.exit_code == 0, later.output
    assert "0 articles from 0 hosts" in output.read_text("utf-8")


def test_an_unwritable_output_fails_with_its_name(filled: str, tmp_path: Path) -> None:
    output = tmp_path / "missing-dir" / "report.html"
    result = CliRunner().invoke(main, ["report", "--db", filled, "-o", str(output)])
    assert result.exit_code == 1
    assert "cannot write" in result.output and "report.html" in result.output


def many_hosts(count: int, troubled: int) -> ReportData:
    """A report of ``count`` hosts, the first ``troubled`` of them failing half their fetches."""
    rows = []
    for n in range(count):
        failed = 50 if n < troubled else 1
        fetches = HostFetches(f"h{n:03}.example", 100, failed, (("timeout", failed),), 50, 0)
        day = HostDay("2026-11-02", 50, 0, 300.0)
        health = HostHealth(fetches.host, "healthy", 100, START)
        rows.append(HostRow(fetches, 300.0, 0, START, health, (day,)))
    stats = Stats(0, (), (), (), tuple(row.fetches for row in rows))
    ordered = sorted(rows, key=lambda row: (not row.troubled, row.host))
    return ReportData("test.db", None, START, stats, (), tuple(ordered), (), ())


@pytest.mark.slow
def test_with_hundreds_of_hosts_the_troubled_come_first_and_the_rest_is_collapsed() -> None:
    html = render_report(many_hosts(330, troubled=40))
    document = lxml.html.fromstring(html)
    tables = document.get_element_by_id("hosts").itersiblings()
    [shown, *collapsed] = [t for t in tables if t.tag in ("table", "details")]
    shown_hosts = [row.get("id") for row in shown.iterfind(".//tr[@id]")]
    assert len(shown_hosts) == 40 > OPEN_ROWS  # every troubled host, none else
    assert all(row.get("class") == "troubled" for row in shown.iterfind(".//tr[@id]"))
    assert [d.tag for d in collapsed] == ["details"] * 3
    assert [d.findtext("summary") for d in collapsed] == [
        "Hosts 41–140 of 330",
        "Hosts 141–240 of 330",
        "Hosts 241–330 of 330",
    ]
    assert all(d.get("open") is None for d in collapsed)
    assert len(charts(html)) == 330 + 3


# The charts' rendered boxes, written into the page where --dump-dom shows them. Only
# the copy opened in the browser gets this script; the report itself has none.
MEASURE = """<script>
const boxes = [...document.querySelectorAll("figure.chart")].map(figure => {
  const svg = figure.querySelector("svg"), box = svg.getBoundingClientRect();
  const shapes = svg.querySelectorAll("g.series path, g.series circle, g.series rect");
  return [figure.dataset.chart, box.width, box.height, shapes.length];
});
document.body.setAttribute("data-boxes", JSON.stringify(boxes));
</script></body>"""


def headless_chromium() -> list[str] | None:
    for name, flags in (("chromium-headless-shell", []), ("chromium", ["--headless"])):
        if found := shutil.which(name):
            return [found, *flags, "--no-sandbox", "--disable-gpu"]
    return None


def test_a_headless_browser_renders_every_chart_with_a_size(db: str, tmp_path: Path) -> None:
    browser = headless_chromium()
    if browser is None:
        pytest.skip("no headless Chromium (apt-get install chromium-headless-shell)")
    with open_store(fill(db)) as store:
        html = render_report(collect_report(store))
    page = tmp_path / "measured.html"
    page.write_text(html.replace("</body>", MEASURE), encoding="utf-8")

    dumped = subprocess.run(
        [*browser, "--window-size=1280,1000", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert dumped.returncode == 0, dumped.stderr
    boxes = json.loads(lxml.html.fromstring(dumped.stdout).body.get("data-boxes"))
    assert {name for name, *_ in boxes} == set(charts(html))
    for name, width, height, shapes in boxes:
        assert width > 100 and height > 50 and shapes > 0, name
