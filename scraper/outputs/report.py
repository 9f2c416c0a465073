"""``scrape report``: one self-contained HTML file with charts, readable offline.

Charts are drawn by pygal, whose only output is SVG, and inlined: the file loads
nothing from elsewhere (pygal's tooltip script, fetched from its site by default,
is turned off; fonts are the browser's own). Why pygal rather than matplotlib's SVG
backend: a chart costs about 5 ms instead of 40 (500 hosts with a chart each), it is
one pure-Python wheel instead of some 150 MB of matplotlib, Pillow, fonttools and
their kin, and it makes stacked bars and small line charts with its defaults.

With hundreds of hosts the table stays readable: troubled hosts (drifting, or many
failures or empty pages) come first and are shown; the others follow in collapsed
sections of ``PAGE_ROWS`` hosts each.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from html import escape

import pygal
from pygal.graph.graph import Graph
from pygal.style import Style

from scraper.outputs.health import Drift
from scraper.outputs.report_data import Cluster, HostRow, ReportData

OPEN_ROWS = 25  # hosts shown before the collapsed sections (all troubled ones, up to MAX_OPEN)
MAX_OPEN = 100
PAGE_ROWS = 100  # hosts per collapsed section
STACKED_HOSTS = 10  # the busiest hosts get their own colour in the daily chart; "others" the rest
SHOWN_LANGUAGES = 12
OTHERS = "others"

# Red and blue first: the small per-host charts draw the empty share and the words in them.
_COLOURS = "#d62728 #1f77b4 #2ca02c #ff7f0e #9467bd #8c564b #e377c2 #17becf #bcbd22 #7f7f7f #aec7e8"
_STYLE = Style(
    font_family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    background="transparent",
    plot_background="#ffffff",
    colors=tuple(_COLOURS.split()),
)
# No script from elsewhere (pygal's default is its tooltip script on its own site).
_COMMON = {
    "js": [],
    "disable_xml_declaration": True,
    "explicit_size": True,
    "style": _STYLE,
    "no_data_text": "no data",
}

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:1.5em auto;
max-width:1200px;padding:0 1em;color:#222}
h1{margin-bottom:.2em}h2{margin-top:1.6em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;width:100%}th,td{padding:.3em .5em;border-bottom:1px solid #eee;
text-align:left;vertical-align:top}td.n{text-align:right;font-variant-numeric:tabular-nums}
tr.drifting{background:#fdecea}tr.troubled{background:#fff6e5}
.badge{display:inline-block;padding:0 .4em;border-radius:3px;font-size:12px;background:#eee}
.badge.drifting{background:#d62728;color:#fff}.badge.new{background:#e8f0fe}
details{margin:.8em 0}summary{cursor:pointer;font-weight:600}
figure.chart{margin:.5em 0}figure.chart svg{max-width:100%;height:auto}
td.chart{width:330px}td.chart figure{margin:0}td.chart svg{max-width:none}
.drift{color:#a61b1b;font-size:12px}.muted{color:#777}
"""


def render_report(data: ReportData) -> str:
    """The whole report as one HTML document."""
    drifting = [row for row in data.hosts if row.drifting]
    troubled = sum(row.troubled for row in data.hosts)
    since = f"since {data.since:%Y-%m-%d %H:%M} UTC" if data.since else "all history"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Crawl report: {escape(data.database)}</title><style>{_CSS}</style></head><body>",
        f"<h1>Crawl report</h1><p class='muted'>{escape(data.database)}: articles first seen "
        f"and pages fetched {since}; generated {data.generated_at:%Y-%m-%d %H:%M} UTC.</p>",
        f"<p>{data.stats.articles} articles from {len(data.hosts)} hosts; "
        f"<strong>{len(drifting)} drifting</strong>, {troubled} troubled.</p>",
        _drift_section(drifting),
        "<h2 id='articles-per-day'>Articles per day</h2>",
        _figure("articles-per-day", _articles_per_day(data)),
        _hosts_section(data.hosts),
        "<h2 id='languages'>Languages</h2>",
        _figure("languages", _languages(data.stats.by_language)),
        _clusters_section(data.cluster_sizes, data.clusters),
        "</body></html>",
    ]
    return "\n".join(parts)


def _figure(name: str, chart: Graph) -> str:
    svg = chart.render(is_unicode=True)
    return f'<figure class="chart" data-chart="{escape(name)}">{svg}</figure>'


def _drift_section(drifting: Sequence[HostRow]) -> str:
    if not drifting:
        return "<h2 id='drift'>Drift</h2><p>No host drifted from its own history.</p>"
    items = "".join(
        f"<li><a href='#host-{escape(row.host)}'>{escape(row.host)}</a>: "
        + "; ".join(escape(drift.describe()) for drift in _drifts(row))
        + "</li>"
        for row in drifting
    )
    return f"<h2 id='drift'>Drift</h2><ul>{items}</ul>"


def _articles_per_day(data: ReportData) -> Graph:
    days = sorted({day for day, _, _ in data.articles_by_day})
    totals: Counter[str] = Counter()
    for _, host, count in data.articles_by_day:
        totals[host] += count
    busiest = [host for host, _ in totals.most_common(STACKED_HOSTS)]
    series: dict[str, Counter[str]] = defaultdict(Counter)
    for day, host, count in data.articles_by_day:
        series[host if host in busiest else OTHERS][day] += count
    chart = pygal.StackedBar(
        width=1100,
        height=380,
        x_label_rotation=40,
        show_minor_x_labels=False,
        x_labels_major_every=max(1, len(days) // 15),
        legend_at_bottom=True,
        truncate_legend=30,
        **_COMMON,
    )
    chart.title = "Articles per day (first seen, UTC), by site"
    chart.x_labels = days
    for host in [*busiest, OTHERS]:
        if host in series:
            chart.add(host, [series[host][day] for day in days])
    return chart


def _languages(by_language: Sequence[tuple[str, int]]) -> Graph:
    shown = list(by_language[:SHOWN_LANGUAGES])
    rest = sum(count for _, count in by_language[SHOWN_LANGUAGES:])
    if rest:
        shown.append((OTHERS, rest))
    chart = pygal.HorizontalBar(width=700, height=60 + 28 * max(1, len(shown)), **_COMMON)
    chart.title = "Articles per language"
    chart.show_legend = False
    chart.x_labels = [language for language, _ in shown]
    chart.add("articles", [count for _, count in shown])
    return chart


_HOST_HEAD = (
    "<tr><th>host</th><th>status</th><th>fetches</th><th>failures by kind</th>"
    "<th>empty share</th><th>median words</th><th>learned boilerplate paragraphs</th>"
    "<th>last success</th><th>empty share and median words per day</th></tr>"
)


def _hosts_section(rows: Sequence[HostRow]) -> str:
    troubled = sum(row.troubled for row in rows)
    shown = max(OPEN_ROWS, min(troubled, MAX_OPEN))
    parts = [
        "<h2 id='hosts'>Hosts</h2>",
        "<p class='muted'>Drifting hosts first, then troubled ones (a fifth of their fetches "
        "failed or of their pages came out empty), then the busiest. In the small charts, "
        "red is the share of empty pages (left axis), blue the median words of the pages "
        "with text (right axis), one point a day.</p>",
        _host_table(rows[:shown]),
    ]
    for start in range(shown, len(rows), PAGE_ROWS):
        page = rows[start : start + PAGE_ROWS]
        parts.append(
            f"<details><summary>Hosts {start + 1}–{start + len(page)} of {len(rows)}</summary>"
            f"{_host_table(page)}</details>"
        )
    return "\n".join(parts)


def _host_table(rows: Iterable[HostRow]) -> str:
    return f"<table>{_HOST_HEAD}{''.join(_host_row(row) for row in rows)}</table>"


def _host_row(row: HostRow) -> str:
    status = row.health.status if row.health is not None else "no history"
    kinds = ", ".join(f"{kind} {count}" for kind, count in row.fetches.failed_by_kind)
    words = f"{row.median_words:.0f}" if row.median_words is not None else "–"
    drifts = "".join(f"<div class='drift'>{escape(d.describe())}</div>" for d in _drifts(row))
    css = "drifting" if row.drifting else "troubled" if row.troubled else ""
    return (
        f"<tr id='host-{escape(row.host)}' class='{css}'>"
        f"<td>{escape(row.host)}{drifts}</td>"
        f"<td><span class='badge {escape(status)}'>{escape(status)}</span></td>"
        f"<td class='n'>{row.fetches.fetches}</td><td>{escape(kinds) or '–'}</td>"
        f"<td class='n'>{row.fetches.empty_share:.1%}</td><td class='n'>{words}</td>"
        f"<td class='n'>{row.learned_paragraphs}</td><td>{_when(row.last_success)}</td>"
        f"<td class='chart'>{_figure(f'host:{row.host}', _host_chart(row))}</td></tr>"
    )


def _host_chart(row: HostRow) -> Graph:
    words = [day.median_words for day in row.days]
    most_words = max((count for count in words if count is not None), default=0)
    chart = pygal.Line(
        width=320,
        height=120,
        show_legend=False,
        show_x_labels=False,
        show_y_guides=False,
        show_dots=len(row.days) <= 3,  # a lone day is a dot or nothing; dots cost time
        dots_size=2,
        margin=4,
        range=(0, 100),
        y_labels=[0, 50, 100],
        secondary_range=(0, max(1.0, most_words)),  # from 0, so a jitter looks like one
        **_COMMON,
    )
    chart.x_labels = [day.day for day in row.days]
    chart.add("empty %", [round(100 * day.empty_share, 1) for day in row.days])
    chart.add("median words", words, secondary=True)
    return chart


def _clusters_section(sizes: Sequence[tuple[int, int]], clusters: Sequence[Cluster]) -> str:
    chart = pygal.Bar(width=700, height=300, show_legend=False, **_COMMON)
    chart.title = "Near-duplicate clusters by size (articles in the cluster)"
    chart.x_labels = [str(size) for size, _ in sizes]
    chart.add("clusters", [count for _, count in sizes])
    rows = "".join(
        f"<tr><td>{escape(cluster.title or '(untitled)')}</td><td>{escape(cluster.host or '–')}"
        f"</td><td class='n'>{cluster.copies + 1}</td><td class='n'>{cluster.hosts}</td>"
        f"<td class='n'>{cluster.article_id}</td></tr>"
        for cluster in clusters
    )
    table = (
        "<table><tr><th>first article</th><th>its host</th><th>articles</th><th>hosts</th>"
        f"<th>article id</th></tr>{rows}</table>"
        if clusters
        else "<p>No near-duplicates.</p>"
    )
    return (
        "<h2 id='near-duplicates'>Near-duplicate clusters</h2>"
        "<p class='muted'>An article and its later near-copies (syndicated or lightly "
        "edited), largest clusters first.</p>"
        f"{_figure('near-duplicate-clusters', chart)}{table}"
    )


def _drifts(row: HostRow) -> Sequence[Drift]:
    return row.health.drifts if row.health is not None else ()


def _when(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M}" if moment is not None else "never"
