"""Remove non-content subtrees from a parsed page before text extraction.

The pruner works on one scope (the article anchor when one was found, else ``<body>``)
and removes, in order: noise tags, page chrome, blocks whose class/id names a widget,
short lines that are widget captions (and the link lists they announce), headings that
repeat the title, "read also" link paragraphs, teaser grids, link lists and link clouds,
and headings left with nothing under them. A node that wraps the anchor (or one of
its parts) is never removed, so a body with a noisy class on a parent survives.

Every removal goes through ``_Pruner.drop`` so ``explain`` sees exactly what the fast
path does: the recorder is ``None`` there and costs nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence

from selectolax.lexbor import LexborNode

from cleaners.body.labels import CHROME_LABELS, MAX_LABEL_LENGTH, RELATED_TITLES, label_key
from cleaners.body.prose import ProseMap
from cleaners.markup.rules import CHROME_TAGS, NOISE_TAGS, is_consent_rule, noise_rule
from cleaners.markup.tree import (
    element_children,
    has_ancestor_in,
    has_ancestor_tag,
    link_share,
    next_element,
)

# Called with the rule name and the node just before the node is removed.
Recorder = Callable[[str, LexborNode], None]

HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
# Elements that hold a caption as their whole text. Not div: its text is its whole
# subtree, and deep div nests would make this quadratic; div captions carry widget classes.
LABEL_CARRIERS = "p, h2, h3, h4, h5, h6, span, strong, b, em, li, small"
# A widget caption above a removed list is short, and not a paragraph or list item.
MAX_CAPTION_CHARS = 60
PROSE_TAGS = ("p", "li", "ul", "ol", "table", "blockquote")
# Captions often trail off: "You may also like...", "À lire aussi…".
TRAILING_ELLIPSIS = ".…"
# A form wrapping a whole page (ASP.NET) holds the article; a real form holds few paragraphs.
FORM_MAX_PARAGRAPHS = 2
# Teaser lists: at least this many items, each a linked heading with a short excerpt.
TEASER_LINKS = "h2 > a, h3 > a, h4 > a, h5 > a"
TEASER_MIN_ITEMS = 3
TEASER_MAX_EXCERPT = 400
# A "Read also: <a>title</a>" line is short; longer paragraphs with a colon are prose.
READ_ALSO_MAX_CHARS = 300
# Navigation-like lists: this many items or more, each nothing but a link.
LINK_LIST_MIN_ITEMS = 3
LINK_ITEM_DENSITY = 0.9
# Several sibling links filling this share of their parent's text: a paragraph of prose
# with links stays well below it.
LINK_CLOUD_DENSITY = 0.8
# Share of a block's text that sits in links for it to count as a link list.
LINK_LIST_DENSITY = 0.6
# No rule removes a block holding this share of the scope's prose: a body container with
# a stray "social", "widget" or "header" name must survive when no anchor protects it.
MAX_PROSE_SHARE = 0.5
# A block named like a widget that holds prose stays unless this share of its text is links.
GUARD_LINK_SHARE = 0.25


def prune(
    scope: LexborNode,
    prose: ProseMap,
    keep: Sequence[LexborNode] = (),
    record: Recorder | None = None,
    title: str | None = None,
    out_of_time: Callable[[], bool] = lambda: False,
) -> None:
    """Remove noise under ``scope`` in place, never removing a ``keep`` node or its ancestors.

    ``prose`` maps where the page's prose is (counted before pruning): no rule removes a
    block holding most of the scope's prose. ``keep`` holds the body anchor and its parts;
    ``title`` is the article's headline: a heading repeating it is metadata, not body.
    ``out_of_time`` is asked between passes; when it says yes, the remaining passes are
    skipped.
    """
    pruner = _Pruner(scope, prose, keep, record, title)
    for step in pruner.passes():
        if out_of_time():
            return
        step()


def record_outside(anchor: LexborNode, record: Recorder) -> None:
    """Report what lies outside the anchor: extraction drops it without pruning it."""
    node = anchor
    while node.parent is not None and node.tag != "body":
        sibling = node.parent.child
        while sibling is not None:
            if (
                sibling.is_element_node
                and sibling.mem_id != node.mem_id
                and sibling.tag not in NOISE_TAGS
                and sibling.text(strip=True)
            ):
                record("outside-anchor", sibling)
            sibling = sibling.next
        node = node.parent


class _Pruner:
    def __init__(
        self,
        scope: LexborNode,
        prose: ProseMap,
        keep: Sequence[LexborNode],
        record: Recorder | None,
        title: str | None,
    ):
        self.scope = scope
        self.record = record
        self.title_key = _heading_key(title) if title else None
        self.protected: set[int] = set()
        for kept in keep:
            node = kept
            while node is not None and node.mem_id not in self.protected:
                self.protected.add(node.mem_id)
                node = node.parent
        self.prose = prose
        self.scope_prose = prose.chars(scope)

    def passes(self) -> list[Callable[[], None]]:
        scope = self.scope
        return [
            lambda: self.drop(("tag", n) for n in scope.css(",".join(NOISE_TAGS))),
            lambda: self.drop(
                ("chrome", n) for n in scope.css(",".join(CHROME_TAGS)) if self.is_chrome(n)
            ),
            lambda: self.drop(self.token_matches(), spare_prose=False),
            lambda: self.drop(self.labels()),
            lambda: self.drop(("headline", n) for n in self.headlines()),
            lambda: self.drop(self.read_also_paragraphs()),
            lambda: self.drop(with_captions("teaser-list", teaser_lists(scope))),
            lambda: self.drop(with_captions("link-list", link_lists(scope))),
            lambda: self.drop(with_captions("link-cloud", link_clouds(scope))),
            lambda: self.drop(("orphan-heading", n) for n in self.orphan_headings()),
            # trafilatura deletes <time> elements with their text; "11h35" in a live blog
            # is content.
            lambda: scope.unwrap_tags(["time"]),
        ]

    def drop(self, matches: Iterable[tuple[str, LexborNode]], spare_prose: bool = True) -> None:
        """Remove matched nodes, skipping the anchor's ancestors and already-removed parts.

        With ``spare_prose``, a node holding most of the scope's prose is skipped too;
        passes that weigh the prose themselves turn it off.
        """
        # Collect first, then remove: a removed node's descendants must not be touched.
        doomed: list[tuple[str, LexborNode]] = []
        gone: set[int] = set()
        for rule, node in matches:
            if node.mem_id in self.protected or has_ancestor_in(node, gone):
                continue
            if spare_prose and self.holds_most_prose(node):
                continue
            doomed.append((rule, node))
            gone.add(node.mem_id)
        for rule, node in doomed:
            if self.record is not None:
                self.record(rule, node)
            node.decompose()

    def is_chrome(self, node: LexborNode) -> bool:
        if node.tag != "form":
            return True
        return len(node.css("p")) <= FORM_MAX_PARAGRAPHS

    def token_matches(self) -> Iterator[tuple[str, LexborNode]]:
        for node in self.scope.css("[class], [id]"):
            attrs = node.attributes
            match = noise_rule(attrs.get("class") or "", attrs.get("id") or "")
            if match is None or node.tag in ("html", "body"):
                continue
            rule, guarded = match
            # Syntax highlighters name the parts of code ("hljs-comment", "token tag").
            if has_ancestor_tag(node, ("pre", "code")):
                continue
            # A guarded name alone is no evidence against prose: page builders call every
            # block of an article a "widget", design systems a "cmp" (component), down to
            # the section headings. A block of teasers holds excerpts too, but under its
            # linked titles; a sidebar widget's own heading goes as an orphan heading.
            if (
                guarded
                and (self.prose.chars(node) or _is_heading_only(node))
                and not _is_link_heavy(node, GUARD_LINK_SHARE)
            ):
                continue
            # No name removes the block holding most of the prose, but a cookie banner is
            # never the article, however much it says.
            if self.holds_most_prose(node) and not is_consent_rule(rule):
                continue
            yield rule, node

    def holds_most_prose(self, node: LexborNode) -> bool:
        return bool(self.scope_prose) and (
            self.prose.chars(node) >= MAX_PROSE_SHARE * self.scope_prose
        )

    def labels(self) -> Iterator[tuple[str, LexborNode]]:
        """Short elements whose whole text is a widget caption, and the links they announce."""
        for node in self.scope.css(LABEL_CARRIERS):
            text = node.text(deep=True, separator=" ", strip=True)
            if not text or len(text) > MAX_LABEL_LENGTH:
                continue
            key = label_key(text.rstrip(TRAILING_ELLIPSIS))
            if key in RELATED_TITLES:
                yield "label", node
                yield from (("label-links", n) for n in _link_lists_after(node))
            elif key in CHROME_LABELS:
                yield "label", node

    def headlines(self) -> Iterator[LexborNode]:
        """Headings that repeat the article title (it is metadata, not body text)."""
        if not self.title_key:
            return
        for heading in self.scope.css("h1, h2"):
            key = _heading_key(heading.text(deep=True, separator=" ", strip=True))
            if key and (key == self.title_key or (heading.tag == "h1" and key in self.title_key)):
                yield heading

    def read_also_paragraphs(self) -> Iterator[tuple[str, LexborNode]]:
        """'Lire aussi : <a>title</a>' lines inside a body."""
        seen: set[int] = set()
        for link in self.scope.css("p a"):
            node = link.parent
            while node is not None and node.tag != "p":
                node = node.parent
            if node is None or node.mem_id in seen:
                continue
            seen.add(node.mem_id)
            text = node.text(deep=True, separator=" ", strip=True)
            if len(text) > READ_ALSO_MAX_CHARS or ":" not in text:
                continue
            if label_key(text.split(":", 1)[0]) in RELATED_TITLES and link_share(node, text) > 0.5:
                yield "read-also", node

    def orphan_headings(self) -> Iterator[LexborNode]:
        """Headings with nothing under them: their widget was removed or is filled by JS."""
        for heading in self.scope.css(",".join(HEADINGS)):
            following = _next_content(heading, self.scope)
            if following is None or (following.tag in HEADINGS and following.tag <= heading.tag):
                yield heading


def teaser_lists(scope: LexborNode) -> Iterator[LexborNode]:
    """Blocks of >= 3 items that each hold a linked heading and at most a short excerpt."""
    seen: set[int] = set()
    for link in scope.css(TEASER_LINKS):
        item = link.parent
        container = item.parent
        # Climb to the block whose children are the repeated teaser items.
        for _ in range(4):
            if container is None or container.mem_id in seen:
                break
            if _is_teaser_block(container):
                seen.add(container.mem_id)
                yield container
                break
            item, container = container, container.parent


def with_captions(rule: str, blocks: Iterable[LexborNode]) -> Iterator[tuple[str, LexborNode]]:
    """Each block, preceded by its caption: a short linkless element right before it
    ("Categorias", "Tags") that would otherwise stand alone in the text."""
    for block in blocks:
        caption = _previous_element(block)
        if caption is not None and caption.tag not in PROSE_TAGS and caption.css_first("a") is None:
            text = caption.text(deep=True, separator=" ", strip=True)
            if 0 < len(text) <= MAX_CAPTION_CHARS:
                yield f"{rule}-caption", caption
        yield rule, block


def _previous_element(node: LexborNode) -> LexborNode | None:
    """The element just before ``node``, past line breaks; None after loose text."""
    sibling = node.prev
    while sibling is not None:
        if sibling.is_element_node and sibling.tag != "br":
            return sibling
        if sibling.is_text_node and sibling.text(strip=True):
            return None
        sibling = sibling.prev
    return None


def link_lists(scope: LexborNode) -> Iterator[LexborNode]:
    """Lists whose every item is a link: menus, category and tag clouds, linked teasers."""
    for node in scope.css("ul, ol"):
        items = [c for c in element_children(node) if c.tag == "li"]
        if len(items) < LINK_LIST_MIN_ITEMS:
            continue
        if all(_is_bare_link(item) for item in items):
            yield node


def link_clouds(scope: LexborNode) -> Iterator[LexborNode]:
    """Blocks that are mostly sibling links (tag clouds, "don't miss" lines), outside lists."""
    parents: dict[int, list] = {}
    for link in scope.css("a"):
        parent = link.parent
        if parent is not None and parent.tag not in ("li", "ul", "ol"):
            entry = parents.setdefault(parent.mem_id, [0, parent])
            entry[0] += 1
    for count, parent in parents.values():
        if count < LINK_LIST_MIN_ITEMS:
            continue
        text = parent.text(deep=True, separator=" ", strip=True)
        if link_share(parent, text) >= LINK_CLOUD_DENSITY:
            yield parent


def _is_heading_only(node: LexborNode) -> bool:
    """Whether all of ``node``'s text is in one heading (a page builder's heading block)."""
    heading = node.css_first(",".join(HEADINGS))
    if heading is None:
        return False
    text = heading.text(deep=True, strip=True)
    return bool(text) and text == node.text(deep=True, strip=True)


def _is_link_heavy(node: LexborNode, share: float) -> bool:
    return link_share(node, node.text(deep=True, separator=" ", strip=True)) >= share


def _is_bare_link(item: LexborNode) -> bool:
    text = item.text(deep=True, separator=" ", strip=True)
    if not text:
        return True
    return link_share(item, text) >= LINK_ITEM_DENSITY


def _is_teaser_block(node: LexborNode) -> bool:
    items = list(element_children(node))
    if len(items) < TEASER_MIN_ITEMS:
        return False
    teasers = 0
    for item in items:
        heading_link = item.css_first("a" if item.tag in HEADINGS else TEASER_LINKS)
        if heading_link is None:
            return False
        rest = len(item.text(deep=True, strip=True)) - len(heading_link.text(strip=True))
        if rest > TEASER_MAX_EXCERPT:
            return False
        teasers += 1
    return teasers >= TEASER_MIN_ITEMS


def _link_lists_after(node: LexborNode) -> list[LexborNode]:
    """The link-list siblings that follow a 'Related articles' caption."""
    found = []
    sibling = next_element(node)
    while sibling is not None and sibling.tag not in HEADINGS:
        text = sibling.text(deep=True, separator=" ", strip=True)
        if text and link_share(sibling, text) < LINK_LIST_DENSITY:
            break
        found.append(sibling)
        sibling = next_element(sibling)
    return found


def _heading_key(text: str) -> str:
    return " ".join(text.casefold().split())


def _next_content(node: LexborNode, scope: LexborNode) -> LexborNode | None:
    """The first following node with text or an image, climbing out of wrappers up to scope."""
    while node is not None and node.mem_id != scope.mem_id:
        sibling = node.next
        while sibling is not None:
            if sibling.is_text_node:
                if sibling.text(strip=True):
                    return sibling
            elif sibling.is_element_node and (
                sibling.text(strip=True) or sibling.css_first("img, picture, figure")
            ):
                return sibling
            sibling = sibling.next
        node = node.parent
    return None
