"""A synthetic news site on several loopback hosts, for crawl tests and the crawl benchmark.

Each host (127.0.0.x, its own port) serves:

* ``/robots.txt``: ``Disallow: /private/``, a ``Crawl-delay`` and a ``Sitemap:`` line;
* ``/``: a home page linking to every article, plus tag pages, a private page
  and another host (links a crawl must not follow);
* ``/feed/``: RSS of the newest articles, with an ETag (304 when it matches);
* ``/sitemap.xml``: a sitemap index → ``/sitemap-posts.xml.gz`` (gzip urlset
  with ``lastmod``) and ``/sitemap-news.xml`` (news sitemap);
* ``/2025/MM/slug-N/``: articles in the tagDiv Cloud template, whose
  related-posts tail changes on every request, so only the cleaned text is
  stable;
* ``/private/…``: pages that robots.txt forbids.

The server is asyncio on a background thread (or a child process for the
benchmark) with HTTP/1.1 keep-alive, and logs every request it answers.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import random
import threading
import time
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html import escape

_WORD_TEXT = (
    "gouvernement ministre réforme budget région conseil municipal élection député vote "
    "entreprise salariés grève accord syndicat hôpital médecins patients école enseignants "
    "élèves université chercheurs étude climat sécheresse agriculteurs récolte prix énergie "
    "électricité transport train autoroute travaux quartier habitants association festival "
    "musique théâtre exposition musée football match victoire équipe saison entraîneur "
    "tribunal procès avocat enquête police justice décision rapport commission sénat "
    "mairie projet logement loyer marché commerce emploi chômage croissance inflation"
)
_WORDS = tuple(_WORD_TEXT.split())
_BASE_DATE = datetime(2025, 1, 1, 8, 0, tzinfo=UTC)
PARAGRAPHS_PER_ARTICLE = 5
FEED_SIZE = 10
NEWS_SITEMAP_SIZE = 5
RELATED_COUNT = 4


@dataclass(frozen=True, slots=True)
class LoggedRequest:
    host: str
    path: str
    at: float  # time.monotonic() when the request head was read
    headers: dict[str, str] = field(default_factory=dict)


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(9, 16))]
    return words[0].capitalize() + " " + " ".join(words[1:]) + "."


class SyntheticSite:
    """The content of every host; all of it generated from (host, article number)."""

    def __init__(
        self,
        hosts: list[str],
        articles_per_host: int,
        *,
        crawl_delay: float | None = None,
        seed: int = 1,
        full_template: bool = False,
    ) -> None:
        self.hosts = list(hosts)
        self.seed = seed
        self.crawl_delay = crawl_delay
        self.full_template = full_template
        self.article_counts = dict.fromkeys(self.hosts, articles_per_host)
        self.ports: dict[str, int] = {}
        self._requests_served = 0
        self.log: list[LoggedRequest] = []
        # Generated text, kept: a page and its related-posts tail reuse other articles'
        # titles and paragraphs, and the benchmark wants a server that mostly answers.
        self._titles: dict[tuple[str, int], str] = {}
        self._paragraphs: dict[tuple[str, int], list[str]] = {}
        self._chrome: dict[str, _Chrome] = {}

    # -- addresses -----------------------------------------------------------

    def base(self, host: str) -> str:
        return f"http://{host}:{self.ports[host]}"

    def article_path(self, host: str, number: int) -> str:
        month = 1 + number % 12
        return f"/2025/{month:02d}/{self._slug(host, number)}-{number}/"

    def article_url(self, host: str, number: int) -> str:
        return self.base(host) + self.article_path(host, number)

    def all_article_urls(self) -> set[str]:
        return {
            self.article_url(host, number)
            for host in self.hosts
            for number in range(self.article_counts[host])
        }

    def add_articles(self, host: str, count: int) -> list[str]:
        start = self.article_counts[host]
        self.article_counts[host] = start + count
        return [self.article_url(host, number) for number in range(start, start + count)]

    # -- content -------------------------------------------------------------

    def _rng(self, host: str, number: int) -> random.Random:
        digest = hashlib.sha256(f"{self.seed}:{host}:{number}".encode()).digest()
        return random.Random(int.from_bytes(digest[:8], "big"))

    def _slug(self, host: str, number: int) -> str:
        rng = self._rng(host, number)
        words = "-".join(rng.choice(_WORDS) for _ in range(3))
        return unicodedata.normalize("NFKD", words).encode("ascii", "ignore").decode()

    def title(self, host: str, number: int) -> str:
        key = (host, number)
        if key not in self._titles:
            self._titles[key] = _sentence(self._rng(host, -number - 1)).rstrip(".")
        return self._titles[key]

    def paragraphs(self, host: str, number: int) -> list[str]:
        key = (host, number)
        if key not in self._paragraphs:
            rng = self._rng(host, number)
            self._paragraphs[key] = [
                " ".join(_sentence(rng) for _ in range(rng.randint(3, 5)))
                for _ in range(PARAGRAPHS_PER_ARTICLE)
            ]
        return self._paragraphs[key]

    def generate_text(self) -> None:
        """Generate every article's title and paragraphs now rather than on first request."""
        for host in self.hosts:
            for number in range(self.article_counts[host]):
                self.title(host, number)
                self.paragraphs(host, number)

    def chrome(self, host: str) -> _Chrome:
        """The template around a host's articles when ``full_template`` is set.

        Real news pages weigh about 115 KB (the median of the Zyte benchmark pages;
        this template makes about 130 KB), mostly inline CSS and scripts, menus, a
        sidebar of other posts and footer widgets; the article itself is a few KB.
        The benchmarks serve this weight so that the cost per page they measure is
        the one real crawls pay. Built once per host, so serving it costs little.
        """
        if host not in self._chrome:
            self._chrome[host] = _build_chrome(self, host)
        return self._chrome[host]

    def published(self, host: str, number: int) -> datetime:
        return _BASE_DATE + timedelta(hours=number)

    def article_html(self, host: str, number: int, tail_seed: int = 0) -> bytes:
        """One article page; ``tail_seed`` picks the related posts, so the tail varies."""
        title = escape(self.title(host, number))
        url = self.article_url(host, number)
        published = self.published(host, number).isoformat()
        body = "\n".join(f"<p>{escape(p)}</p>" for p in self.paragraphs(host, number))
        count = self.article_counts[host]
        tail_rng = random.Random(tail_seed)
        related = [tail_rng.randrange(count) for _ in range(RELATED_COUNT)]
        related_html = "\n".join(
            f'<div class="tdb_module_related td_module_wrap"><div class="td-module-container">'
            f'<div class="td-module-meta-info"><h3 class="entry-title td-module-title">'
            f'<a href="{self.article_url(host, other)}">{escape(self.title(host, other))}</a></h3>'
            f'<div class="td-excerpt">{escape(self.paragraphs(host, other)[0][:120])}...</div>'
            f"</div></div></div>"
            for other in related
        )
        spots = "".join(
            '<div class="td-block td-a-rec td-a-rec-id-custom-spot td-a-rec-img">'
            '<div style="display: inline-block"><a class="td_spot_img_all" href="/pub/">'
            '<img alt="spot_img" src="/pub.png"></a></div></div>'
            for _ in range(4)
        )
        chrome = self.chrome(host) if self.full_template else _Chrome()
        html = f"""<!DOCTYPE html>
<html lang="fr-FR"><head><meta charset="utf-8"><title>{title} - Le Synthétique</title>
<link rel="canonical" href="{url}">
<meta property="og:title" content="{title}">
<meta property="article:published_time" content="{published}">
{chrome.head}
</head>
<body class="single single-post">
<div class="td-menu-background"></div>
<div id="td-outer-wrap" class="td-theme-wrap">
<div class="tdc-header-wrap"><ul><li class="menu-item"><a href="/">Accueil</a></li>
<li class="menu-item"><a href="/tag/politique/">Politique</a></li></ul>{chrome.menu}</div>
<div id="tdb-autoload-article"><div class="td-main-content-wrap"><div class="tdc-content-wrap">
<article class="tdb_templates type-tdb_templates">
<div class="td_block_wrap tdb_title"><div class="tdb-block-inner">
<h1 class="tdb-title-text">{title}</h1></div></div>
<div class="tdb_single_date">
<time class="entry-date updated td-module-date" datetime="{published}">{published[:10]}</time></div>
<div class="tdb_single_post_share"><div class="td-post-sharing tdb-block">
<div class="td-post-sharing-visible">
<div class="td-social-share-text">Partager</div>
<a class="td-social-network td-social-facebook" href="#">
<div class="td-social-but-text">Facebook</div></a>
</div></div></div>
<div class="td_block_wrap tdb_single_content td-post-content tagdiv-type">
<div class="tdb-block-inner td-fix-index">
{body}
</div></div>
{spots}
<div class="td_block_wrap td_block_title"><h4 class="td-block-title"><span>populaire</span></h4>
</div>
<div class="td_block_wrap tdb_single_related tdb-single-related-posts">
<div class="td-block-title-wrap"><h4 class="td-block-title"><span>Plus comme ça</span></h4></div>
<div class="td_block_inner tdb-block-inner">
{related_html}
</div></div>
<div class="td_block_wrap tdb_single_comments"><div id="comments" class="comments">
<div id="respond" class="comment-respond">
<h3 id="reply-title" class="comment-reply-title">LAISSER UN COMMENTAIRE</h3>
<form id="commentform"><textarea></textarea>
<div class="td-warning-comment">Veuillez saisir votre commentaire!</div></form>
</div></div></div>
{chrome.sidebar}
</article></div></div></div>
<div class="tdc-footer-wrap">{chrome.footer}
<div class="td-sub-footer-copy">© Copyright 2025 Le Synthétique</div>
</div>
</div></body></html>
"""
        return html.encode("utf-8")

    def home_html(self, host: str) -> bytes:
        count = self.article_counts[host]
        items = "\n".join(
            f'<li><a href="{self.article_path(host, number)}?utm_source=home#top">'
            f"{escape(self.title(host, number))}</a></li>"
            for number in reversed(range(count))
        )
        other = self.hosts[(self.hosts.index(host) + 1) % len(self.hosts)]
        html = f"""<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">
<title>Le Synthétique</title></head><body>
<nav><a href="/tag/politique/">Politique</a> <a href="/private/brouillon-1/">Brouillons</a>
<a href="mailto:redaction@example.org">Écrire</a> <a href="{self.base(other)}/">Voisin</a></nav>
<ul class="td_block_inner">{items}</ul></body></html>"""
        return html.encode("utf-8")

    def feed_xml(self, host: str) -> bytes:
        count = self.article_counts[host]
        items = "".join(
            f"<item><title>{escape(self.title(host, n))}</title>"
            f"<link>{self.article_url(host, n)}</link>"
            f"<pubDate>{self.published(host, n).strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate>"
            f"</item>"
            for n in reversed(range(max(0, count - FEED_SIZE), count))
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>Le Synthétique</title><link>{self.base(host)}/</link>{items}"
            "</channel></rss>"
        ).encode()

    def sitemap_index(self, host: str) -> bytes:
        base = self.base(host)
        return (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<sitemap><loc>{base}/sitemap-posts.xml.gz</loc></sitemap>"
            f"<sitemap><loc>{base}/sitemap-news.xml</loc></sitemap>"
            "</sitemapindex>"
        ).encode()

    def sitemap_posts(self, host: str) -> bytes:
        urls = "".join(
            f"<url><loc>{self.article_url(host, n)}</loc>"
            f"<lastmod>{self.published(host, n).isoformat()}</lastmod></url>"
            for n in range(self.article_counts[host])
        )
        return gzip.compress(
            (
                '<?xml version="1.0" encoding="UTF-8"?>'
                f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
            ).encode(),
            mtime=0,
        )

    def sitemap_news(self, host: str) -> bytes:
        count = self.article_counts[host]
        urls = "".join(
            f"<url><loc>{self.article_url(host, n)}</loc><news:news>"
            f"<news:publication_date>{self.published(host, n).isoformat()}"
            f"</news:publication_date><news:title>{escape(self.title(host, n))}</news:title>"
            f"</news:news></url>"
            for n in range(max(0, count - NEWS_SITEMAP_SIZE), count)
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
            f"{urls}</urlset>"
        ).encode()

    def robots_txt(self, host: str) -> bytes:
        lines = ["User-agent: *", "Disallow: /private/"]
        if self.crawl_delay is not None:
            lines.append(f"Crawl-delay: {self.crawl_delay}")
        lines += ["", f"Sitemap: {self.base(host)}/sitemap.xml", ""]
        return "\n".join(lines).encode()

    # -- HTTP ----------------------------------------------------------------

    def respond(
        self, host: str, path: str, headers: dict[str, str]
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        """Status, headers and body for one request."""
        path = path.split("?", 1)[0]
        xml = [("Content-Type", "application/xml")]
        if path == "/robots.txt":
            return 200, [("Content-Type", "text/plain")], self.robots_txt(host)
        if path == "/":
            return 200, _HTML, self.home_html(host)
        if path == "/feed/":
            etag = f'"{self.article_counts[host]}"'
            if headers.get("if-none-match") == etag:
                return 304, [("ETag", etag)], b""
            return (
                200,
                [("Content-Type", "application/rss+xml"), ("ETag", etag)],
                self.feed_xml(host),
            )
        if path == "/sitemap.xml":
            return 200, xml, self.sitemap_index(host)
        if path == "/sitemap-posts.xml.gz":
            return 200, [("Content-Type", "application/x-gzip")], self.sitemap_posts(host)
        if path == "/sitemap-news.xml":
            return 200, xml, self.sitemap_news(host)
        number = self._article_number(host, path)
        if number is not None:
            self._requests_served += 1
            return 200, _HTML, self.article_html(host, number, tail_seed=self._requests_served)
        if path.startswith(("/private/", "/tag/")):
            return 200, _HTML, b"<html><body><p>Rien ici.</p></body></html>"
        return 404, _HTML, b"<html><body>Not found</body></html>"

    def _article_number(self, host: str, path: str) -> int | None:
        parts = path.strip("/").split("/")
        if len(parts) != 3 or parts[0] != "2025":
            return None
        number_text = parts[2].rsplit("-", 1)[-1]
        if not number_text.isdigit():
            return None
        number = int(number_text)
        if number >= self.article_counts[host] or path != self.article_path(host, number):
            return None
        return number

    def requests(self, host: str | None = None) -> list[LoggedRequest]:
        return [r for r in self.log if host is None or r.host == host]


_CATEGORIES = (
    "Actualité", "Politique", "Économie", "Société", "Culture", "Sport", "Monde",
    "Régions", "Sciences", "Santé", "Opinions", "Vidéos",
)  # fmt: skip
CSS_RULES = 420
SCRIPT_BLOCKS = 160
SUBMENU_ITEMS = 8
SIDEBAR_POSTS = 12
FOOTER_TAGS = 40


@dataclass(frozen=True, slots=True)
class _Chrome:
    """A full template's parts, around the article (empty: the bare template)."""

    head: str = ""
    menu: str = ""
    sidebar: str = ""
    footer: str = ""


def _tag_path(name: str) -> str:
    slug = unicodedata.normalize("NFKD", name.lower()).encode("ascii", "ignore").decode()
    return f"/tag/{slug.replace(' ', '-')}/"


def _build_chrome(site: SyntheticSite, host: str) -> _Chrome:
    rng = site._rng(host, -(10**6))
    css = "\n".join(
        f".tdi_{n} .td-module-container:hover .entry-title a{{color:#{rng.randrange(16**6):06x};"
        f"margin-bottom:{rng.randint(0, 40)}px;font-size:{rng.randint(11, 32)}px!important}}"
        for n in range(CSS_RULES)
    )
    blocks = ",\n".join(
        f'{{"id":"tdi_{n}","atts":"{{\\"limit\\":\\"{rng.randint(3, 12)}\\",'
        f'\\"modules_on_row\\":\\"eyJhbGwiOiIzMy4zMzMzMzMzMyUifQ==\\"}}",'
        f'"td_column_number":{rng.randint(1, 3)},"block_type":"td_flex_block_{rng.randint(1, 5)}"}}'
        for n in range(SCRIPT_BLOCKS)
    )
    base = site.base(host)
    graph = (
        '{"@context":"https://schema.org","@graph":[{"@type":"WebSite","@id":"'
        f'{base}/#website","url":"{base}/","name":"Le Synthétique","inLanguage":"fr-FR"}},'
        f'{{"@type":"Organization","@id":"{base}/#organization","name":"Le Synthétique",'
        f'"logo":{{"@type":"ImageObject","url":"{base}/logo.png"}}}}]}}'
    )
    head = (
        f'<style id="td-theme-css">{css}</style>\n'
        f"<script>var tdBlocksArray = [\n{blocks}\n];</script>\n"
        f'<script type="application/ld+json" class="yoast-schema-graph">{graph}</script>'
    )
    menu_items = "\n".join(
        f'<li class="menu-item menu-item-has-children td-menu-item td-mega-menu">'
        f'<a href="{_tag_path(name)}">{name}</a><ul class="sub-menu">'
        + "".join(
            f'<li class="menu-item td-menu-item td-normal-menu">'
            f'<a href="{_tag_path(name + " " + word)}">{word.capitalize()}</a></li>'
            for word in rng.sample(_WORDS, SUBMENU_ITEMS)
        )
        + "</ul></li>"
        for name in _CATEGORIES
    )
    menu = (
        f'<div class="tdb_header_menu"><ul id="menu-main" class="tdb-block-menu">{menu_items}</ul>'
        f'</div><div id="td-mobile-nav"><div class="td-mobile-content">'
        f'<ul class="td-mobile-main-menu">{menu_items}</ul></div></div>'
    )
    count = site.article_counts[host]
    newest = range(count - 1, max(-1, count - 1 - SIDEBAR_POSTS), -1)
    modules = "\n".join(
        f'<div class="td_module_flex td_module_flex_1 td_module_wrap td-animation-stack">'
        f'<div class="td-module-container td-category-pos-above"><div class="td-image-container">'
        f'<div class="td-module-thumb"><a href="{site.article_path(host, n)}"'
        ' class="td-image-wrap">'
        f'<span class="entry-thumb td-thumb-css" data-type="css_image"></span></a></div></div>'
        f'<div class="td-module-meta-info"><h3 class="entry-title td-module-title">'
        f'<a href="{site.article_path(host, n)}">{escape(site.title(host, n))}</a></h3>'
        f'<div class="td-editor-date"><span class="td-author-date">'
        f'<span class="td-post-author-name"><a href="/tag/redaction/">Rédaction</a> -</span>'
        f'<span class="td-post-date"><time class="entry-date updated td-module-date" '
        f'datetime="{site.published(host, n).isoformat()}">'
        f"{site.published(host, n):%d/%m/%Y}</time></span></span></div>"
        f'<div class="td-excerpt">{escape(site.paragraphs(host, n)[1][:140])}...</div>'
        f"</div></div></div>"
        for n in newest
    )
    sidebar = (
        '<div class="td_block_wrap td_flex_block_1 tdi_90 td-pb-border-top">'
        '<div class="td-block-title-wrap"><h4 class="td-block-title">'
        f'<span>Dernières nouvelles</span></h4></div><div class="td_block_inner">{modules}</div>'
        '<div class="td-load-more-wrap"><a href="#" class="td_ajax_load_more">Charger plus</a>'
        '</div></div><div class="tdn_block_newsletter_subscribe"><div class="tds-newsletter">'
        '<h3 class="tdn-title">Lettre d\'information</h3><p class="tdn-descr">Recevez chaque '
        'matin les titres du jour.</p><form class="tdn-form"><input type="email">'
        "<button>S'abonner</button></form></div></div>"
    )
    tags = " ".join(
        f'<a href="{_tag_path(word)}" class="tag-cloud-link">{word}</a>'
        for word in rng.sample(_WORDS, FOOTER_TAGS)
    )
    footer = (
        '<div class="td-footer-wrapper"><aside class="footer-text-wrap"><div class="block-title">'
        "<span>À propos</span></div>Le Synthétique est un journal d'information régionale."
        '</aside><aside class="widget widget_tag_cloud"><div class="tagcloud">'
        f'{tags}</div></aside><div class="footer-social-wrap td-social-style-2">'
        '<span class="td-social-icon-wrap"><a href="#">Facebook</a></span>'
        '<span class="td-social-icon-wrap"><a href="#">Telegram</a></span></div></div>'
        f'<ul class="td-subfooter-menu">{menu_items.replace("sub-menu", "td-hidden")}</ul>'
    )
    return _Chrome(head, menu, sidebar, footer)


_HTML = [("Content-Type", "text/html; charset=utf-8")]


async def _serve_connection(
    site: SyntheticSite, host: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    try:
        while True:
            request_line = await reader.readline()
            if not request_line.strip():
                break
            headers: dict[str, str] = {}
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b"\n", b""):
                    break
                name, _, value = line.decode("latin-1").partition(":")
                headers[name.strip().lower()] = value.strip()
            _, target, _ = request_line.decode("latin-1").split(" ", 2)
            site.log.append(LoggedRequest(host, target, time.monotonic(), headers))
            status, response_headers, body = site.respond(host, target, headers)
            head = [f"HTTP/1.1 {status} {'OK' if status == 200 else 'Other'}"]
            head += [f"{name}: {value}" for name, value in response_headers]
            head += [f"Content-Length: {len(body)}", "", ""]
            writer.write("\r\n".join(head).encode("latin-1") + body)
            await writer.drain()
            if headers.get("connection", "").lower() == "close":
                break
    except (ConnectionError, ValueError):
        pass  # a client that hangs up (or a crawler killed with -9) is not an error here
    finally:
        writer.close()


@contextmanager
def serve(site: SyntheticSite) -> Iterator[SyntheticSite]:
    """Serve every host of ``site`` from a background thread until the block ends."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    servers: list[asyncio.Server] = []

    async def start() -> None:
        for host in site.hosts:
            server = await asyncio.start_server(
                lambda r, w, host=host: _serve_connection(site, host, r, w), host, 0
            )
            site.ports[host] = server.sockets[0].getsockname()[1]
            servers.append(server)

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(start())
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=run, name="synthetic-site", daemon=True)
    thread.start()
    ready.wait(10)
    try:
        yield site
    finally:

        async def stop() -> None:
            for server in servers:
                server.close()
                await server.wait_closed()
            # Keep-alive connections still open: end their handlers too.
            others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in others:
                task.cancel()
            await asyncio.gather(*others, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


def loopback_hosts(count: int, first: int = 2) -> list[str]:
    """``count`` distinct loopback addresses: Linux routes all of 127/8 to lo."""
    return [f"127.0.{(n >> 8) & 255}.{n & 255}" for n in range(first, first + count)]


def sources_toml(site: SyntheticSite, *, delay: float, max_depth: int = 1) -> str:
    """A sources file with one source per host: home page, feed and sitemap index."""
    parts = [f"delay = {delay}\n"]
    for host in site.hosts:
        base = site.base(host)
        parts.append(
            "[[sources]]\n"
            f'name = "site-{host}"\n'
            f'start = ["{base}/"]\n'
            f'feeds = ["{base}/feed/"]\n'
            f'sitemaps = ["{base}/sitemap.xml"]\n'
            "exclude = ['/tag/']\n"
            f"max_depth = {max_depth}\n"
        )
    return "\n".join(parts)
