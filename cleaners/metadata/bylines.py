"""Who wrote the article, weighing what the page declares against what it shows.

Declared authors come first: JSON-LD ``author``, then the ``author`` meta fields, each
source tried in turn. A declared author that is an organisation (typed Organization in
JSON-LD, a newsroom, the site's own name) gives way to a person the visible byline
names; with no such person, the organisation stays the author. The visible byline is
found by its markup (``itemprop=author``, ``rel=author``, author and byline classes,
links to an author page) or by its words next to the headline ("By Jane Doe", "Par
Jeanne Martin"), never inside a widget listing other stories. Every name goes through
``cleaners.metadata.authors``, and each author counts once however many sources name them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from selectolax.lexbor import LexborHTMLParser, LexborNode

from cleaners.markup.rules import tokens_of
from cleaners.metadata.authors import BYLINE_PREFIX, author_names, is_organisation, unique_names
from cleaners.metadata.datewords import is_date_word
from cleaners.metadata.jsonld import LinkedData
from cleaners.metadata.metatext import MetaTags
from cleaners.metadata.zones import in_widget, texts_near

AUTHOR_META = (
    "author",
    "article:author",
    "parsely-author",
    "sailthru.author",
    "dc.creator",
    "dcterms.creator",
    "byl",
)
# The byline's markup, in one selector so that lexbor returns the nodes in page order.
# Each alternative costs a walk of the whole tree: only those that found bylines on
# wcxb-dev are here.
_MARKED = (
    "[itemprop~=author], [rel~=author], [class*=author i], [class*=byline i], "
    "[class*=writer i], a[href*='/author/' i], a[href*='/authors/' i], a[href*='?author=' i], "
    "a[href*='/contributor' i]"
)
_MAX_MARKED = 40
# A block longer than this is an author's biography or a whole card, not a byline;
# its own name element is matched by the selector anyway.
_MAX_BYLINE_CHARS = 200
_LINES_READ = 4
_MAX_SHOWN_WORDS = 5
_MAX_SHOWN_CHARS = 50
# Words of a byline block that are never a name.
_NOT_NAMES = frozenset(
    {
        "the author",
        "about the author",
        "about",
        "bio",
        "profile",
        "contributor",
        "contributors",
        "view all posts",
        "all posts",
        "posts",
        "articles",
        "stories",
        "more",
        "read more",
        "follow",
        "share",
        "contact",
        "admin",
        "administrator",
        "guest",
        "anonymous",
        "unknown",
    }
)
# An author's description or picture, next to the byline but not it.
_ABOUT_AUTHOR = frozenset({"description", "desc", "avatar", "image", "img", "photo"})
_FUNCTION_WORDS = frozenset(
    {"of", "the", "on", "for", "to", "in", "with", "from", "at", "by", "par", "de", "von"}
)
# Links to the site's author index itself ("/people/"), not to one author's page.
_AUTHOR_INDEX = re.compile(
    r"/(?:author|authors|people|contributors?|writers|autor|auteur)/?(?:[?#]|$)", re.IGNORECASE
)


def page_authors(
    tree: LexborHTMLParser,
    meta: MetaTags,
    linked: LinkedData,
    headline: LexborNode | None,
    site_name: str | None,
) -> tuple[str, ...]:
    """The article's authors, persons first, each once."""
    declared = _declared(meta, linked)
    organisations = {name.casefold() for name in linked.organisation_authors}
    persons = [
        name
        for name in declared
        if name.casefold() not in organisations and not is_organisation(name, site_name)
    ]
    if persons:
        return unique_names(persons)
    shown = _shown(tree, headline)
    return unique_names(shown or declared)


def _declared(meta: MetaTags, linked: LinkedData) -> list[str]:
    """The names of the first declared source that has any."""
    for source in (linked.authors, *(meta.get(key, ()) for key in AUTHOR_META)):
        names = [name for raw in source for name in author_names(raw)]
        if names:
            return names
    return []


def _shown(tree: LexborHTMLParser, headline: LexborNode | None) -> list[str]:
    """The names of the visible byline: marked up, or written next to the headline."""
    for node in _marked(tree, headline):
        names = _names_in_block(node)
        if names:
            return names
    return _written_near(headline) if headline is not None else []


def _marked(tree: LexborHTMLParser, headline: LexborNode | None) -> Iterator[LexborNode]:
    article = tree.css_first("article")
    scopes = (tree,) if article is None else (article, tree)
    seen: set[int] = set()
    count = 0
    for scope in scopes:
        for node in scope.css(_MARKED):
            if node.mem_id in seen or node.tag in ("body", "html", "article", "meta", "link"):
                continue
            if node.tag == "a" and _AUTHOR_INDEX.search(node.attributes.get("href") or ""):
                continue
            if _ABOUT_AUTHOR.intersection(tokens_of(node.attributes.get("class") or "")):
                continue
            seen.add(node.mem_id)
            count += 1
            if count > _MAX_MARKED:
                return
            if not in_widget(node, headline):
                yield node


def _names_in_block(node: LexborNode) -> list[str]:
    """The names in a byline block: those after its "By" label, else its first names."""
    text = node.text(separator="\n")
    if len(text) > _MAX_BYLINE_CHARS:
        return []
    lines = [line.strip() for line in text.split("\n") if line.strip()][:_LINES_READ]
    for label, line in zip(["", *lines], lines, strict=False):
        if _introduces(label) or BYLINE_PREFIX.match(line):
            names = _shown_names(line, strict=False)
            if names:
                return names
    return next(filter(None, (_shown_names(line, strict=False) for line in lines)), [])


def _written_near(headline: LexborNode) -> list[str]:
    """ "By Jane Doe" in the texts around the headline, or "By" followed by a name."""
    label = ""
    for node in texts_near(headline):
        text = (node.text_content or "").strip()
        if _introduces(label) or BYLINE_PREFIX.match(text):
            names = _shown_names(text, strict=True)
            if names and not in_widget(node, headline):
                return names
        label = text
    return []


def _introduces(label: str) -> bool:
    """ "By", "Written by", "Recipe by", "Auteur :": a label the name follows."""
    folded = label.casefold().rstrip(" :：")
    return bool(BYLINE_PREFIX.fullmatch(folded)) or folded.endswith(
        (" by", " par", " von", " from")
    )


def _shown_names(text: str, *, strict: bool) -> list[str]:
    """The names in a line of a byline; ``strict`` (text found by its words, not its
    markup) also wants a capital letter, which user names ("jdoe") may lack."""
    return [name for name in author_names(text) if _is_shown_name(name, strict)]


def _is_shown_name(name: str, strict: bool) -> bool:
    """A name as a byline shows it: a few words, no digits, not a label."""
    words = name.split()
    lowercase = not any(word[:1].isupper() for word in words)
    return (
        0 < len(words) <= _MAX_SHOWN_WORDS
        and len(name) <= _MAX_SHOWN_CHARS
        and not any(char.isdigit() or char in "!?" for char in name)
        and name.casefold() not in _NOT_NAMES
        and not _introduces(name)
        and not is_date_word(name)
        and words[-1].casefold() not in _FUNCTION_WORDS
        # a user name may be lower-case ("jdoe"), a phrase ("on behalf of") is not a name
        and not (lowercase and (strict or (len(words) > 1 and _FUNCTION_WORDS & set(words))))
        # found by its words only: every long word capitalised, as in "Maria de la Cruz"
        and not (strict and any(len(word) > 3 and not word[0].isupper() for word in words))
    )
