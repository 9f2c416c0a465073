"""read_metadata on small pages, one per JSON-LD / OpenGraph / URL / image variant
(page-anatomy d.3 and d.4)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from cleaners.metadata import PageMetadata, read_metadata

URL = "https://exemple.fr/2025/08/19/garanties/"


def metadata_of(
    head: str = "",
    body: str = "",
    *,
    url: str | None = URL,
    headers: dict[str, str] | None = None,
    html_open: str = "<html>",
    fetched_at: datetime | None = None,
) -> PageMetadata:
    page = f"<!DOCTYPE html>{html_open}<head>{head}</head><body>{body}</body></html>"
    return read_metadata(LexborHTMLParser(page), url, headers, fetched_at=fetched_at)


def ld(json_text: str) -> str:
    return f'<script type="application/ld+json">{json_text}</script>'


YOAST_GRAPH = ld("""{"@context":"https://schema.org","@graph":[
 {"@type":"Article","@id":"https://exemple.fr/2025/08/19/garanties/#article",
  "isPartOf":{"@id":"https://exemple.fr/2025/08/19/garanties/"},
  "author":{"name":"Olena Kovalenko","@id":"https://exemple.fr/#/schema/person/42"},
  "headline":"Garanties de sécurité : ce que prévoit le texte",
  "datePublished":"2025-08-19T10:46:00+03:00","dateModified":"2025-08-19T12:05:31+03:00",
  "mainEntityOfPage":{"@id":"https://exemple.fr/2025/08/19/garanties/"},
  "wordCount":412,"publisher":{"@id":"https://exemple.fr/#organization"},
  "image":{"@id":"https://exemple.fr/2025/08/19/garanties/#primaryimage"},
  "keywords":["Ukraine","Diplomatie","OTAN"],"articleSection":["Monde","Europe"],
  "inLanguage":"fr-FR"},
 {"@type":"WebPage","@id":"https://exemple.fr/2025/08/19/garanties/",
  "url":"https://exemple.fr/2025/08/19/garanties/","name":"Garanties - Exemple Info"},
 {"@type":"ImageObject","@id":"https://exemple.fr/2025/08/19/garanties/#primaryimage",
  "url":"https://exemple.fr/wp-content/uploads/2025/08/sommet.jpg","width":1200},
 {"@type":"BreadcrumbList","itemListElement":[{"@type":"ListItem","position":1,
  "name":"Accueil"}]},
 {"@type":"WebSite","@id":"https://exemple.fr/#website","name":"Exemple Info"},
 {"@type":"Organization","@id":"https://exemple.fr/#organization","name":"Exemple SAS"},
 {"@type":"Person","@id":"https://exemple.fr/#/schema/person/42","name":"Olena Kovalenko"}
]}""")


# --- JSON-LD ------------------------------------------------------------------------


def test_yoast_graph_gives_the_article_node_resolved_through_ids() -> None:
    meta = metadata_of(YOAST_GRAPH)
    assert meta.title == "Garanties de sécurité : ce que prévoit le texte"
    assert meta.authors == ("Olena Kovalenko",)
    assert meta.published == "2025-08-19T10:46:00+03:00"  # Kyiv summer time kept as given
    assert meta.modified == "2025-08-19T12:05:31+03:00"
    assert meta.image == "https://exemple.fr/wp-content/uploads/2025/08/sommet.jpg"
    assert meta.site_name == "Exemple Info"  # the WebSite, not the publishing company
    assert meta.tags == ("Ukraine", "Diplomatie", "OTAN")
    assert meta.section == "Monde"
    assert meta.json_ld_word_count == 412
    assert meta.language_hint == "fr"  # no <html lang>: JSON-LD inLanguage is next


def test_plain_news_article_with_body_and_missing_date_modified() -> None:
    meta = metadata_of(
        ld("""{"@context":"https://schema.org","@type":"NewsArticle",
        "headline":"Le sommet de Kyiv","datePublished":"2025-08-19T07:46:00Z",
        "articleBody":"Premier paragraphe.\\n\\nSecond paragraphe.","wordCount":"4",
        "author":"Marie Durand","image":"https://cdn.exemple.fr/kyiv.jpg"}""")
    )
    assert meta.title == "Le sommet de Kyiv"
    assert meta.published == "2025-08-19T07:46:00+00:00"
    assert meta.modified is None
    assert meta.json_ld_body == "Premier paragraphe.\n\nSecond paragraphe."
    assert meta.json_ld_word_count == 4
    assert meta.authors == ("Marie Durand",)
    assert meta.image == "https://cdn.exemple.fr/kyiv.jpg"


def test_json_ld_written_as_a_meta_tag_by_a_framework_is_read() -> None:
    """Some React frameworks write the JSON-LD of their meta helpers as a meta tag."""
    block = (
        '{"@type":"Article","headline":"Le sommet de Kyiv",'
        '"datePublished":"2025-08-19T09:00:00-05:00","dateModified":"2025-08-20T10:00:00-05:00",'
        '"author":{"@type":"Person","name":"Marie Durand"}}'
    )
    escaped = block.replace('"', "&quot;")
    meta = metadata_of(f'<meta name="script:ld+json" content="{escaped}">', url=None)
    assert (meta.title, meta.authors) == ("Le sommet de Kyiv", ("Marie Durand",))
    assert (meta.published, meta.modified) == (
        "2025-08-19T09:00:00-05:00",
        "2025-08-20T10:00:00-05:00",
    )


def test_type_array_is_an_article() -> None:
    meta = metadata_of(
        ld("""{"@type":["NewsArticle","Article"],"headline":"Deux types",
        "author":[{"@type":"Person","name":"A. Martin"},{"@type":"Person","name":"B. Petit"}],
        "image":[{"@type":"ImageObject","url":"https://exemple.fr/a.jpg"},
                 "https://exemple.fr/b.jpg"]}""")
    )
    assert meta.title == "Deux types"
    assert meta.authors == ("A. Martin", "B. Petit")
    assert meta.image == "https://exemple.fr/a.jpg"


def test_image_object_with_content_url_and_schema_prefixed_type() -> None:
    meta = metadata_of(
        ld("""{"@type":"http://schema.org/BlogPosting","headline":"Billet",
        "image":{"@type":"ImageObject","contentUrl":"/img/billet.png"}}""")
    )
    assert meta.title == "Billet"
    assert meta.image == "https://exemple.fr/img/billet.png"


def test_malformed_block_is_repaired_and_a_second_block_still_read() -> None:
    broken = ld("""{"@context":"https://schema.org","@type":"WebSite","name":"Exemple Info",}""")
    article = ld("""{"@type":"NewsArticle","headline":"Ligne 1
suite &amp; fin","description":"Un r\\u00e9sum\\u00e9 d&#39;une ligne","author":
{"@type":"Person","name":"Jean d&#39;Ormesson"},}""")
    meta = metadata_of(broken + article)
    assert meta.site_name == "Exemple Info"
    assert meta.title == "Ligne 1 suite & fin"  # raw newline tolerated, entity decoded
    assert meta.description == "Un résumé d'une ligne"
    assert meta.authors == ("Jean d'Ormesson",)


def test_hopeless_block_is_ignored() -> None:
    meta = metadata_of(ld("{not json at all") + '<meta property="og:title" content="Repli">')
    assert meta.title == "Repli"


def test_listing_of_articles_prefers_the_one_about_this_url() -> None:
    meta = metadata_of(
        ld("""[{"@type":"NewsArticle","headline":"Autre article",
        "url":"https://exemple.fr/autre/"},
        {"@type":"NewsArticle","headline":"Celui-ci","url":"https://exemple.fr/2025/08/19/garanties"}
        ]""")
    )
    assert meta.title == "Celui-ci"


# --- OpenGraph and meta -------------------------------------------------------------

OPEN_GRAPH = """
<title>Le titre de l'onglet | Exemple Info</title>
<link rel="canonical" href="https://exemple.fr/2025/08/19/garanties/">
<meta property="og:title" content="Le vrai titre - Exemple Info">
<meta property="og:site_name" content="Exemple Info">
<meta property="og:url" content="https://exemple.fr/?p=1234">
<meta property="og:description" content="Le résumé.">
<meta property="og:image" content="https://exemple.fr/og.jpg">
<meta property="article:published_time" content="2025-06-27T14:16:00+02:00">
<meta property="article:modified_time" content="2025-06-28T09:00:00+02:00">
<meta property="article:section" content="Politique">
<meta property="article:tag" content="Élections">
<meta property="article:tag" content="Sénat">
<meta property="article:tag" content="Réforme">
<meta name="twitter:title" content="Titre Twitter">
<meta name="twitter:image" content="https://exemple.fr/tw.jpg">
<meta name="author" content="Claire Bernard">
"""


def test_open_graph_and_article_meta() -> None:
    meta = metadata_of(OPEN_GRAPH, "<h1>Un titre de page différent</h1>")
    assert meta.title == "Le vrai titre"  # og:title minus " - site", preferred to h1
    assert meta.canonical_url == "https://exemple.fr/2025/08/19/garanties/"  # not og:url
    assert meta.site_name == "Exemple Info"
    assert meta.description == "Le résumé."
    assert meta.image == "https://exemple.fr/og.jpg"
    assert meta.published == "2025-06-27T14:16:00+02:00"
    assert meta.modified == "2025-06-28T09:00:00+02:00"
    assert meta.section == "Politique"
    assert meta.tags == ("Élections", "Sénat", "Réforme")
    assert meta.authors == ("Claire Bernard",)


def test_json_ld_outranks_open_graph() -> None:
    meta = metadata_of(
        OPEN_GRAPH
        + ld('{"@type":"Article","headline":"Titre JSON-LD","datePublished":"2025-06-27"}')
    )
    assert meta.title == "Titre JSON-LD"
    assert meta.published == "2025-06-27"  # a bare date stays a bare date


def test_twitter_cards_when_no_open_graph() -> None:
    meta = metadata_of(
        '<meta name="twitter:title" content="Seulement Twitter">'
        '<meta name="twitter:image:src" content="/t.jpg">'
        '<meta name="twitter:description" content="Résumé Twitter">'
    )
    assert meta.title == "Seulement Twitter"
    assert meta.image == "https://exemple.fr/t.jpg"
    assert meta.description == "Résumé Twitter"


def test_double_escaped_entity_in_og_title_is_unescaped_once_more() -> None:
    meta = metadata_of('<meta property="og:title" content="L&amp;#39;accord d&amp;rsquo;été">')
    assert meta.title == "L'accord d’été"


def test_title_falls_back_to_h1_then_title_element() -> None:
    assert metadata_of("<title>Onglet</title>", "<h1> Le  titre\n h1 </h1>").title == "Le titre h1"
    assert metadata_of("<title>Onglet</title>", "<p>pas de titre</p>").title == "Onglet"
    assert (
        metadata_of(
            "<title>Exemple Info | Titre après le site</title>"
            '<meta property="og:site_name" content="Exemple Info">'
        ).title
        == "Titre après le site"
    )


def test_author_urls_handles_and_byline_prefixes() -> None:
    meta = metadata_of(
        '<meta property="article:author" content="https://facebook.com/x">'
        '<meta name="author" content="Par Luc Moreau">'
    )
    assert meta.authors == ("Luc Moreau",)
    tagdiv = metadata_of(
        body='<div class="tdb_single_author"><span class="tdb-author-by">'
        'Par</span><a class="tdb-author-name" href="/author/ines/">'
        "Inès Laurent</a></div>"
    )
    assert tagdiv.authors == ("Inès Laurent",)


# --- dates in the page --------------------------------------------------------------


def test_time_datetime_when_no_structured_date() -> None:
    meta = metadata_of(
        body='<aside><p>Brève</p></aside><div class="tdb_single_date">'
        '<time class="entry-date updated td-module-date" '
        'datetime="2025-06-27T14:16:00+02:00">27 juin 2025</time></div>'
    )
    assert meta.published == "2025-06-27T14:16:00+02:00"


def test_visible_french_date_takes_the_page_offset() -> None:
    meta = metadata_of(
        '<meta property="article:modified_time" content="2025-06-28T09:00:00+02:00">',
        '<span class="td-post-date">Publié le 27 juin 2025 14:16</span>',
    )
    assert meta.published == "2025-06-27T14:16:00+02:00"
    assert metadata_of(body='<div class="date">19/08/2025</div>').published == "2025-08-19"


def test_relative_visible_date_needs_the_fetch_time() -> None:
    body = '<span class="post-date">il y a 6 heures</span>'
    url = "https://exemple.fr/breve-sans-date"
    assert metadata_of(body=body, url=url).published is None
    fetched = datetime(2025, 6, 27, 14, 16, tzinfo=timezone(timedelta(hours=2)))
    assert (
        metadata_of(body=body, url=url, fetched_at=fetched).published == "2025-06-27T08:16:00+02:00"
    )
    utc = datetime(2025, 6, 27, 12, 16, tzinfo=UTC)
    assert metadata_of(body=body, url=url, fetched_at=utc).published == "2025-06-27T06:16:00+00:00"


def test_naive_structured_date_prefers_the_same_moment_with_offset() -> None:
    meta = metadata_of(
        ld('{"@type":"Article","headline":"x","datePublished":"2025-08-19T10:46:00"}')
        + '<meta property="article:published_time" '
        'content="2025-08-19T10:46:00+03:00">'
    )
    assert meta.published == "2025-08-19T10:46:00+03:00"


# --- URLs ---------------------------------------------------------------------------


def test_relative_canonical_is_resolved_against_the_page_url() -> None:
    meta = metadata_of('<link rel="canonical" href="/fr/nouvelles/garanties-securite">')
    assert meta.canonical_url == "https://exemple.fr/fr/nouvelles/garanties-securite"


def test_base_href_is_honoured_and_tracking_parameters_left_to_the_scraper() -> None:
    meta = metadata_of(
        '<base href="https://media.exemple.fr/fr/">'
        '<link rel="canonical" href="nouvelles/garanties?amp=1&utm_source=x">'
    )
    assert (
        meta.canonical_url == "https://media.exemple.fr/fr/nouvelles/garanties?amp=1&utm_source=x"
    )


def test_og_url_when_no_canonical_and_nothing_without_a_usable_url() -> None:
    assert (
        metadata_of('<meta property="og:url" content="https://exemple.fr/a/">').canonical_url
        == "https://exemple.fr/a/"
    )
    assert metadata_of('<link rel="canonical" href="/relative">', url=None).canonical_url is None
    assert metadata_of('<link rel="canonical" href="javascript:void(0)">').canonical_url is None


# --- language hint ------------------------------------------------------------------


def test_ie_conditional_comment_decoy_lang_is_ignored() -> None:
    page = (
        '<!DOCTYPE html>\n<!--[if IE 8]><html class="ie8" lang="en"><![endif]-->\n'
        '<!--[if IE 9]><html class="ie9" lang="en"><![endif]-->\n'
        '<!--[if gt IE 8]><!--><html lang="fr-FR"><!--<![endif]-->\n'
        "<head><title>t</title></head><body><p>Bonjour</p></body></html>"
    )
    assert read_metadata(LexborHTMLParser(page), URL).language_hint == "fr"


def test_language_hint_sources_in_order() -> None:
    assert metadata_of('<meta property="og:locale" content="fr_FR">').language_hint == "fr"
    assert metadata_of(headers={"Content-Language": "de-DE"}).language_hint == "de"
    assert (
        metadata_of(
            '<meta http-equiv="content-language" content="uk">', headers={"content-language": "de"}
        ).language_hint
        == "uk"
    )
    assert (
        metadata_of(
            html_open='<html lang="EN-us">', headers={"content-language": "de"}
        ).language_hint
        == "en"
    )
    assert metadata_of(html_open='<html lang="x-default">').language_hint is None


# --- lead image ---------------------------------------------------------------------

PLACEHOLDER = "data:image/gif;base64,R0lGODlhAQABAAAAACw="


def test_lazy_image_placeholder_is_never_the_lead_image() -> None:
    body = (
        f'<article><figure><img src="{PLACEHOLDER}" data-src="/uploads/vraie.jpg" '
        'loading="lazy" alt="Le sommet"><figcaption>Photo : AFP</figcaption></figure>'
        "</article>"
    )
    assert metadata_of(body=body).image == "https://exemple.fr/uploads/vraie.jpg"


def test_lazy_srcset_and_lazy_src_variants() -> None:
    srcset = (
        f'<article><img src="{PLACEHOLDER}" '
        'data-srcset="/a-640.jpg 640w, /a-1280.jpg 1280w"></article>'
    )
    assert metadata_of(body=srcset).image == "https://exemple.fr/a-640.jpg"
    lazy = (
        f'<article><img src="{PLACEHOLDER}" data-lazy-src="https://cdn.exemple.fr/b.jpg"></article>'
    )
    assert metadata_of(body=lazy).image == "https://cdn.exemple.fr/b.jpg"


def test_ad_images_and_placeholders_only_give_no_image() -> None:
    body = (
        '<article><a class="td_spot_img_all"><img src="/ad.png" alt="spot_img"></a>'
        f'<img src="{PLACEHOLDER}"></article>'
    )
    assert metadata_of(body=body).image is None


def test_noscript_copy_serves_when_the_lazy_image_has_no_real_source() -> None:
    body = (
        f'<article><img src="{PLACEHOLDER}" class="lazy">'
        '<noscript><img src="/uploads/noscript.jpg"></noscript></article>'
    )
    assert metadata_of(body=body).image == "https://exemple.fr/uploads/noscript.jpg"


def test_tagdiv_featured_image_before_other_article_images() -> None:
    body = (
        '<article><div class="tdb_single_related"><img src="/related.jpg"></div>'
        '<div class="tdb_single_featured_image"><img class="entry-thumb" '
        f'src="{PLACEHOLDER}" data-lazy-src="/featured.jpg"></div></article>'
    )
    assert metadata_of(body=body).image == "https://exemple.fr/featured.jpg"


def test_og_image_outranks_body_images_and_data_uri_og_image_is_skipped() -> None:
    assert (
        metadata_of(
            '<meta property="og:image" content="/og.jpg">',
            '<article><img src="/body.jpg"></article>',
        ).image
        == "https://exemple.fr/og.jpg"
    )
    assert (
        metadata_of(
            f'<meta property="og:image" content="{PLACEHOLDER}">',
            '<article><img src="/body.jpg"></article>',
        ).image
        == "https://exemple.fr/body.jpg"
    )


# --- robustness ---------------------------------------------------------------------


def test_empty_page_gives_empty_metadata() -> None:
    assert read_metadata(LexborHTMLParser(""), None) == PageMetadata()


_MARKUP = st.lists(
    st.sampled_from(
        [
            "<html lang='",
            "fr",
            "'>",
            "<meta property='og:title' content='",
            "&amp;#",
            "<script type='application/ld+json'>",
            "</script>",
            '{"@type":',
            '"Article"',
            "[",
            "]",
            "}",
            '"@graph":',
            '"author":',
            '"image":',
            '{"@id":"x"}',
            ",",
            "<time datetime='",
            "2025-02-30T25:61",
            "<link rel=canonical href='",
            "http://[::1",
            "<base href='",
            "<img data-src='",
            "data:",
            "<h1>",
            "27 juin 2025 99:99",
            "il y a 6 heures",
            "'>",
            "\x00",
            "<!--[if IE]>",
            "-->",
            "<title>",
            "<article>",
        ]
    ),
    max_size=40,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.one_of(_MARKUP, st.text(max_size=300)))
def test_never_raises_on_random_markup(markup: str) -> None:
    fetched = datetime(2025, 6, 27, tzinfo=UTC)
    result = read_metadata(
        LexborHTMLParser(markup), URL, {"Content-Language": markup[:8]}, fetched_at=fetched
    )
    assert isinstance(result, PageMetadata)


# --- values that are not what they claim ---------------------------------------------


def test_tag_lists_split_filtered_and_categories_left_out() -> None:
    single = metadata_of('<meta property="article:tag" content="Hong Kong,Protest,Asie">')
    assert single.tags == ("Hong Kong", "Protest", "Asie")
    names = metadata_of(
        '<meta property="article:tag" content="Trump, Donald J">'
        '<meta property="article:tag" content="Beshear, Andy">'
    )
    assert names.tags == ("Trump, Donald J", "Beshear, Andy")
    internal = metadata_of(
        ld(
            '{"@type":"Article","headline":"x",'
            '"keywords":["@hp-top","_no-feed","/section/x","Loire"]}'
        )
    )
    assert internal.tags == ("Loire",)
    links = metadata_of(
        body='<a rel="category tag" href="/culture/">Culture</a>'
        '<a rel="tag" href="/tag/lecture/">Lecture</a>'
    )
    assert links.tags == ("Lecture",)
    tagdiv = metadata_of(
        body='<ul class="tdb-tags"><li><span>Теги</span></li>'
        '<li><a href="/tag/metro/">метро</a></li>'
        '<li><a href="/tag/kyiv/">Київ</a></li></ul>'
    )
    assert tagdiv.tags == ("метро", "Київ")


def test_addresses_are_not_names() -> None:
    meta = metadata_of(
        '<meta name="author" content="jeff@exemple.fr">'
        '<meta property="og:site_name" content="https://www.exemple.fr">'
        '<meta name="application-name" content="Exemple Info">'
    )
    assert meta.authors == ()
    assert meta.site_name == "Exemple Info"


def test_placeholder_dates_are_skipped_for_the_next_source() -> None:
    meta = metadata_of(
        ld('{"@type":"NewsArticle","headline":"x","datePublished":"0001-01-01T00:00:00Z"}')
        + '<meta property="article:published_time" '
        'content="2019-11-20T05:14:35Z">'
    )
    assert meta.published == "2019-11-20T05:14:35+00:00"


def test_time_datetime_in_gmt_and_date_classes_in_any_case() -> None:
    gmt = metadata_of(body='<time datetime="2019-11-18 17:19:53 GMT">Nov 18</time>')
    assert gmt.published == "2019-11-18T17:19:53+00:00"
    camel = metadata_of(body='<span class="storyDate">Posted: Fri 6:45 PM, Feb 16, 2018</span>')
    assert camel.published == "2018-02-16"


def test_page_node_serves_when_there_is_no_article_node() -> None:
    meta = metadata_of(
        ld(
            '{"@type":"MedicalWebPage","headline":"Quinze conseils",'
            '"datePublished":"2019-11-14T08:00:00.000Z",'
            '"author":{"@type":"Person","name":"R. Link"}}'
        )
    )
    assert (meta.title, meta.published, meta.authors) == (
        "Quinze conseils",
        "2019-11-14T08:00:00+00:00",
        ("R. Link",),
    )


def test_hostile_json_ld_is_survived() -> None:
    deep = ld("[" * 5000 + "]" * 5000) + ld('{"mainEntity":' * 900 + "{}" + "}" * 900)
    huge_count = ld('{"@type":"Article","headline":"x","wordCount":"' + "9" * 5000 + '"}')
    odd_digits = ld('{"@type":"Article","headline":"y","wordCount":"²"}')
    assert metadata_of(deep).title is None
    assert metadata_of(huge_count).json_ld_word_count is None
    assert metadata_of(odd_digits).json_ld_word_count is None


def test_visible_date_of_the_article_before_the_sidebar() -> None:
    body = (
        '<aside><span class="post-date">3 mars 2024</span></aside>'
        '<article><p class="meta">Publié le 27 juin 2025</p></article>'
    )
    assert metadata_of(body=body).published == "2025-06-27"


def test_url_date_is_the_last_resort() -> None:
    assert metadata_of(url="https://exemple.fr/2025/06/27/crue/").published == "2025-06-27"
    assert (
        metadata_of(
            body='<span class="date">28 juin 2025</span>', url="https://exemple.fr/2025/06/27/crue/"
        ).published
        == "2025-06-28"
    )


def test_ten_thousand_nested_blocks() -> None:
    page = (
        "<article>" + "<div class='meta'>" * 10_000 + "<span class='date'>27 juin 2025"
        "</span>" + "</div>" * 10_000 + "</article>"
    )
    meta = read_metadata(LexborHTMLParser(page), "https://exemple.fr/breve")
    assert meta.published == "2025-06-27"


def test_ten_thousand_nested_blocks_of_pictures_links_and_headings() -> None:
    layer = "<div><img src='data:image/gif;base64,R0lGOD'><a href='/x'>x</a><h1>t</h1>"
    page = "<article><div class='tags-links'>" + layer * 10_000
    meta = read_metadata(LexborHTMLParser(page), "https://exemple.fr/breve")
    assert meta.image is None
    assert meta.title == "t"
    assert meta.tags == ("x",)


def test_unnamed_site_suffix_is_cut_where_the_headline_ends() -> None:
    suffixed = '<meta property="og:title" content="Le vrai titre de l’article | Le Journal">'
    assert (
        metadata_of(suffixed, "<h1>Le vrai titre de l’article</h1>").title
        == "Le vrai titre de l’article"
    )
    logo = '<meta property="og:title" content="Le Journal | Le vrai titre">'
    assert metadata_of(logo, "<h1>Le Journal</h1>").title == "Le Journal | Le vrai titre"
    colon = '<meta property="og:title" content="Macron : la réforme des retraites">'
    assert metadata_of(colon, "<h1>Macron</h1>").title == "Macron : la réforme des retraites"


def test_the_headline_shown_wins_over_a_declared_seo_title_of_the_same_story() -> None:
    seo = '<meta property="og:title" content="Pont de Saint-Clair : réouverture après travaux">'
    shown = "<h1>Le pont de Saint-Clair rouvre après dix mois de travaux</h1>"
    assert (
        metadata_of(seo, shown).title == "Le pont de Saint-Clair rouvre après dix mois de travaux"
    )
    # a section label sharing one word with the declared title is not the headline
    assert metadata_of(seo, "<h1>Travaux</h1>").title == (
        "Pont de Saint-Clair : réouverture après travaux"
    )
