"""The renderer lays a pruned subtree out as text blocks, in one walk of the tree."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

from cleaners.body.render import render_blocks

LONG = (
    "Une phrase d'article assez longue pour compter comme de la prose, avec des détails sur "
    "le sujet et une citation d'un élu local."
)


def blocks(body: str) -> list[str]:
    return render_blocks(LexborHTMLParser(f"<html><body>{body}</body></html>").body)


def test_paragraphs_headings_and_loose_text_are_blocks_in_order() -> None:
    assert blocks(
        f"<div>Texte libre avant. <p>{LONG}</p><h2>Les <em>chiffres</em></h2>Reste du texte"
        "<br>sur deux lignes.</div>"
    ) == ["Texte libre avant.", LONG, "Les chiffres", "Reste du texte\nsur deux lignes."]


def test_lists_tables_and_code() -> None:
    assert blocks(
        "<ul><li>digues ;</li><li>alertes <b>SMS</b> ;<ul><li>par commune.</li></ul></li></ul>"
        "<table><tr><th>Ville</th><th>Budget</th></tr><tr><td>Nantes</td><td>4 M€</td></tr>"
        "</table><pre>git init\n  git add -A</pre>"
    ) == [
        "- digues ;\n- alertes SMS ;\n- par commune.",
        "Ville | Budget\nNantes | 4 M€",
        "git init\n  git add -A",
    ]


def test_items_wrapped_in_divs_and_sub_lists_straight_in_a_list_are_items() -> None:
    # Invalid nesting the parser keeps as written: page builders wrap each item in a
    # <div>; pasted documents put a sub-list straight inside its parent list.
    assert blocks(
        "<ul><div><li><strong>Durée :</strong> dix jours.</li></div>"
        "<div><li>Repas compris.</li></div></ul>"
        "<ul><li><p><strong>Exemples</strong> :</p></li><ul><li><p>bar à salades ;</p></li>"
        "<li><p>stands de cuisine.</p></li></ul><!-- fin --></ul>"
    ) == [
        "- Durée : dix jours.\n- Repas compris.",
        "- Exemples :\n- bar à salades ;\n- stands de cuisine.",
    ]


def test_a_sub_list_inside_a_block_of_an_item_is_kept_after_the_item() -> None:
    assert blocks(
        "<ul><li><div><p>Étapes :</p><ol><li>vider ;</li><li>rincer.</li></ol></div></li>"
        "<li>Fin.</li></ul>"
    ) == ["- Étapes :\n- vider ;\n- rincer.\n- Fin."]


def test_line_breaks_and_blocks_inside_an_item_part_its_words() -> None:
    assert blocks(
        "<ol><li><p><span>Banc compact</span><span><br></span><span>Prix :</span> 299 €</p>"
        "<p>Un banc <b>s</b>olide, <a href='/b'>peu encombrant</a>.</p>"
        "<script>track()</script><span hidden>caché</span></li></ol>"
    ) == ["- Banc compact Prix : 299 € Un banc solide, peu encombrant."]


def test_links_are_text_but_link_blocks_and_link_lists_are_navigation() -> None:
    assert blocks(
        f"<p>{LONG} Voir <a href='/rapport'>le rapport</a>.</p>"
        "<p><a href='/suite'>Lire la suite de notre dossier</a></p>"
        "<ul><li><a href='/a'>Agriculture</a></li><li><a href='/b'>Culture</a></li></ul>"
    ) == [f"{LONG} Voir le rapport."]


def test_a_card_that_is_one_link_around_a_heading_and_an_excerpt_is_a_teaser() -> None:
    card = f"<a href='/autre'><h3>Un autre article</h3><p>{LONG}</p></a>"
    assert blocks(f"<p>{LONG} !</p>{card}") == [f"{LONG} !"]


def test_a_list_of_cards_renders_its_items_as_blocks() -> None:
    cards = "".join(
        f"<li><h3>{n}. Modèle {n}</h3><p>{LONG}</p><ul><li>Pour : silencieux</li>"
        "<li>Contre : cher</li></ul></li>"
        for n in (1, 2)
    )
    assert blocks(f"<ol>{cards}</ol>") == [
        "1. Modèle 1",
        LONG,
        "- Pour : silencieux\n- Contre : cher",
        "2. Modèle 2",
        LONG,
        "- Pour : silencieux\n- Contre : cher",
    ]


def test_figures_hidden_elements_and_orphan_headings_are_left_out() -> None:
    assert blocks(
        f"<h2>Le projet</h2><p>{LONG}</p><figure><img src='a.jpg'><figcaption>Photo DR"
        "</figcaption></figure><p hidden>caché</p><div style='display: none'>caché</div>"
        "<p aria-hidden='true'>caché</p><h2>Articles récents</h2>"
    ) == ["Le projet", LONG]


def test_deep_nesting_renders_without_recursion() -> None:
    depth = 5000
    assert blocks("<div>" * depth + f"<p>{LONG}</p>" + "</div>" * depth) == [LONG]


def test_a_table_inside_a_figure_is_content_its_caption_is_not() -> None:
    assert blocks(
        "<figure class='wp-block-table'><table><tr><td>Autonomie</td><td>180 min</td></tr>"
        "</table><figcaption>Source : fabricant</figcaption></figure>"
    ) == ["Autonomie | 180 min"]
