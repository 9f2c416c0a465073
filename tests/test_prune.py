"""The pruning pass and its tables, on small trees: what goes, what must stay."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser, LexborNode

from cleaners.body.anchor import find_anchor
from cleaners.body.prose import ProseMap
from cleaners.body.prune import prune
from cleaners.markup.rules import noise_rule, tokens_of

LONG = (
    "Une phrase d'article assez longue pour compter comme de la prose, avec des détails sur "
    "le sujet, des chiffres et une citation d'un élu local qui s'exprime longuement. "
)


def pruned(html: str, *, with_anchor: bool = False, title: str | None = None) -> tuple[str, list]:
    tree = LexborHTMLParser(html)
    removed: list[tuple[str, str]] = []

    def record(rule: str, node: LexborNode) -> None:
        removed.append((rule, node.text(strip=True)))

    anchor = find_anchor(tree, ProseMap(tree.body), None) if with_anchor else None
    scope = anchor.node if anchor is not None else tree.body
    keep = (anchor.node, *anchor.parts) if anchor is not None else ()
    prune(scope, ProseMap(tree.body), keep, record, title)
    return tree.body.text(separator=" ", strip=True), removed


def test_tokens_split_on_separators_and_camel_case_but_not_hashes() -> None:
    assert tokens_of("td_block_related_posts") == ("td", "block", "related", "posts")
    assert tokens_of("relatedPosts") == ("related", "posts")
    assert "jp" not in tokens_of("sc-77igqf-0 hJpRRP")


def test_whole_tokens_only() -> None:
    assert noise_rule("shared-content", "") is None
    assert noise_rule("header-load", "") is None
    assert noise_rule("post-share", "") == ("token:share", True)
    assert noise_rule("", "comments") == ("token:comments", False)


def test_comment_threads_are_named_in_several_languages_and_by_their_hosts() -> None:
    for value in (
        "article-kommentare",
        "bloc-commentaires",
        "seccion-comentarios",
        "viafoura-conversations",
    ):
        rule = noise_rule(value, "")
        assert rule is not None and rule[1] is False, value


def test_taxonomy_classes_do_not_name_the_block() -> None:
    assert noise_rule("post type-post tag-advertising category-social", "") is None


def test_embedded_posts_are_content() -> None:
    assert noise_rule("social-media-embed", "") is None


def test_noise_tags_and_widgets_removed_body_kept() -> None:
    text, removed = pruned(
        "<body><script>var x = 1;</script><nav>Accueil Sport</nav>"
        f"<div class='entry'><p>{LONG}</p></div>"
        "<div class='share-bar'>Partager Facebook</div>"
        "<div id='comments'><p>Premier commentaire !</p></div></body>"
    )
    assert LONG.strip() in text
    for gone in ("var x", "Accueil", "Partager", "Premier commentaire"):
        assert gone not in text
    assert {rule for rule, _ in removed} >= {"tag", "token:share", "token:comments"}


def test_guarded_token_spares_the_block_holding_the_prose() -> None:
    text, _ = pruned(
        f"<body><div class='widget-area'><p>{LONG}</p><p>{LONG}</p></div>"
        "<div class='widget'>Météo du jour</div></body>"
    )
    assert LONG.strip() in text
    assert "Météo" not in text


def test_unguarded_token_removes_a_comment_thread_holding_prose() -> None:
    text, _ = pruned(
        f"<body><p>{LONG}</p><p>{LONG}!</p><section class='comments'><p>Bravo. {LONG}</p>"
        "</section></body>"
    )
    assert "Bravo" not in text


def test_no_name_removes_the_block_holding_most_of_the_prose() -> None:
    # A page written inside a block named like a widget: the name is not enough.
    text, removed = pruned(
        f"<body><p>{LONG}</p><section class='comments'><p>1. {LONG}</p><p>2. {LONG}</p>"
        f"<p>3. {LONG}</p></section></body>"
    )
    assert "3. Une phrase" in text
    assert removed == []


def test_a_cookie_banner_goes_however_much_it_says() -> None:
    text, _ = pruned(f"<body><div class='cookie-notice'><p>{LONG}</p></div><p>Court.</p></body>")
    assert "Une phrase" not in text


def test_anchor_ancestors_are_never_removed() -> None:
    text, _ = pruned(
        "<body><div class='social-layout'><div itemprop='articleBody'>"
        f"<p>{LONG}</p><p>{LONG}</p><p>{LONG}</p></div></div></body>",
        with_anchor=True,
    )
    assert LONG.strip() in text


def test_related_caption_and_its_link_list_removed() -> None:
    text, removed = pruned(
        f"<body><p>{LONG}</p><h4>Articles similaires</h4>"
        "<ul><li><a href='/1'>Un</a></li><li><a href='/2'>Deux</a></li></ul></body>"
    )
    assert "Articles similaires" not in text
    assert "Deux" not in text
    assert ("label", "Articles similaires") in removed


def test_label_inside_prose_is_kept() -> None:
    sentence = "Selon lui, il faut lire aussi le rapport publié la semaine dernière."
    text, _ = pruned(f"<body><p>{LONG}</p><p>{sentence}</p></body>")
    assert sentence in text


def test_orphan_heading_removed_real_section_heading_kept() -> None:
    text, _ = pruned(
        f"<body><p>{LONG}</p><h2>Les chiffres</h2><p>{LONG}</p>"
        "<h3>Vous aimerez peut-être</h3><div class='trc'></div></body>"
    )
    assert "Les chiffres" in text
    assert "Vous aimerez" not in text


def test_teaser_grid_removed() -> None:
    items = "".join(
        f"<div><h3><a href='/{i}'>Titre {i}</a></h3><p>Extrait {i}…</p></div>" for i in range(4)
    )
    text, removed = pruned(f"<body><p>{LONG}</p><div class='grid'>{items}</div></body>")
    assert "Titre 2" not in text
    assert any(rule == "teaser-list" for rule, _ in removed)


def test_headline_repeating_the_title_removed() -> None:
    text, _ = pruned(f"<body><h1>Le pont rouvre</h1><p>{LONG}</p></body>", title="Le pont rouvre")
    assert "Le pont rouvre" not in text


def test_time_text_survives_for_trafilatura() -> None:
    tree = LexborHTMLParser(f"<body><p><time datetime='2025-09-01'>11h35</time></p><p>{LONG}</p>")
    prune(tree.body, ProseMap(tree.body))
    assert tree.css_first("time") is None
    assert "11h35" in tree.body.text()


def test_out_of_time_stops_before_any_pass() -> None:
    tree = LexborHTMLParser("<body><script>x</script><p>texte</p></body>")
    prune(tree.body, ProseMap(tree.body), out_of_time=lambda: True)
    assert tree.css_first("script") is not None


def test_split_body_parts_are_joined() -> None:
    tree = LexborHTMLParser(
        f"<body><div class='chunks'><div class='article-body'><p>{LONG}</p><p>{LONG}</p></div>"
        f"<div class='ad'></div><div class='article-body'><p>Suite : {LONG}</p></div>"
        f"<div class='article-body'><p>{LONG}</p><p>{LONG}</p></div></div></body>"
    )
    anchor = find_anchor(tree, ProseMap(tree.body), None)
    assert anchor is not None
    assert anchor.node.attributes.get("class") == "chunks"
    assert len(anchor.parts) == 2


def test_truncated_anchor_is_refused() -> None:
    tree = LexborHTMLParser(f"<body><div class='entry-content'><p>{LONG * 3}</p></div></body>")
    assert find_anchor(tree, ProseMap(tree.body), expected_words=10_000) is None
    assert find_anchor(tree, ProseMap(tree.body), expected_words=60) is not None


def test_small_marked_widget_before_the_story_is_not_the_anchor() -> None:
    tree = LexborHTMLParser(
        "<body><aside><div class='entry-content'><p>Notre rédaction est ouverte du lundi au "
        f"vendredi. {LONG}</p></div></aside><main><div class='entry-content'>"
        f"<p>1. {LONG}</p><p>2. {LONG}</p><p>3. {LONG}</p><p>4. {LONG}</p></div></main></body>"
    )
    anchor = find_anchor(tree, ProseMap(tree.body), None)
    assert anchor is not None
    assert "Notre rédaction" not in anchor.node.text()


def test_caption_of_a_removed_link_list_goes_with_it() -> None:
    text, removed = pruned(
        f"<body><p>{LONG}</p><div class='box'><div class='box-title'>Catégories</div><br>"
        "<ul><li><a href='/a'>Agriculture</a></li><li><a href='/c'>Culture</a></li>"
        "<li><a href='/s'>Sport</a></li></ul></div></body>"
    )
    assert "Catégories" not in text
    assert ("link-list-caption", "Catégories") in removed


def test_widget_names_in_other_languages() -> None:
    for value in ("publicidad", "bloc-partage", "noticias-relacionadas", "werbung-box"):
        assert noise_rule(value, "") is not None, value


def test_anchor_shorter_than_the_page_summary_is_refused() -> None:
    tree = LexborHTMLParser(f"<body><div class='entry-content'><p>{LONG * 3}</p></div></body>")
    assert find_anchor(tree, ProseMap(tree.body), None, summary="x" * 2000) is None
    assert (
        find_anchor(tree, ProseMap(tree.body), None, summary="Le résumé de l'article.") is not None
    )


def test_a_page_builder_heading_block_stays_a_newsletter_box_goes_with_its_plea() -> None:
    text, removed = pruned(
        "<body><div class='elementor-widget elementor-widget-heading'><h2>Les chiffres</h2>"
        "</div><div class='elementor-widget elementor-widget-text-editor'>"
        f"<p>1. {LONG}</p><p>2. {LONG}</p><p>3. {LONG}</p></div>"
        f"<div class='newsletter-box'><h3>Notre lettre</h3><p>Chaque samedi, {LONG}</p></div>"
        "</body>"
    )
    assert "Les chiffres" in text
    assert "Chaque samedi" not in text
    assert [rule for rule, _ in removed] == ["token:newsletter"]
