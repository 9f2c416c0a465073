"""The lead image of an article as the page shows it, past lazy-loading placeholders.

Used when the page declares no image (JSON-LD, og:image): lazy loaders put a
``data:`` GIF in ``src`` and the real URL in ``data-src``/``data-lazy-src``/
``srcset``; ad slots carry pictures too (tagDiv's ``alt="spot_img"``).
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice

from selectolax.lexbor import LexborHTMLParser, LexborNode

from cleaners.markup.links import absolute_url
from cleaners.markup.scoped import SelectorPath, all_on_path

# Where the article's own picture is, most specific first (paths of simple
# selectors, see cleaners.markup.scoped).
_LEAD_IMAGE: tuple[SelectorPath, ...] = (
    (".tdb_single_featured_image", "img"),
    (".td-post-featured-image", "img"),
    ("[itemprop=image]", "img"),
    ("article", "figure", "img"),
    ("article", "img"),
    ("[itemprop=articleBody]", "img"),
    (".td-post-content", "img"),
    ("main", "img"),
)
# The lead image is among the first pictures of its block; a page of ten thousand
# placeholders does not need all of them checked.
_MAX_IMAGES_PER_BLOCK = 20
# Where lazy loaders keep the real source, before the placeholder in src.
_SOURCE_ATTRIBUTES = (
    "data-src",
    "data-lazy-src",
    "data-original",
    "data-srcset",
    "data-lazy-srcset",
    "srcset",
    "src",
)
_AD_ALTS = frozenset({"spot_img", "banner", "advertisement", "ad", "pub", "publicité"})


def lead_image(tree: LexborHTMLParser, base: str | None) -> str | None:
    """Absolute URL of the first real picture of the article, or None."""
    for path in _LEAD_IMAGE:
        for node in islice(all_on_path(tree, path), _MAX_IMAGES_PER_BLOCK):
            if (node.attributes.get("alt") or "").strip().lower() in _AD_ALTS:
                continue
            found = (absolute_url(source, base) for source in _sources(node))
            image = next(filter(None, found), None)
            if image:
                return image
    return None


def _sources(node: LexborNode) -> Iterator[str]:
    for name in _SOURCE_ATTRIBUTES:
        value = (node.attributes.get(name) or "").strip()
        if value and not value.lower().startswith("data:"):
            # a srcset lists "url 640w, url 1280w"; its first URL will do
            yield value.split(",")[0].split()[0] if "srcset" in name else value
