"""Text-level cleaning: what is left of boilerplate after extraction, line by line.

Three rules, all linear in the text:

1. ``spot_img`` artifacts (the alt text of tagDiv image ads) are deleted.
2. The related-articles tail is cut: a block title such as "Plus comme ça" standing as
   a line after the article, followed only by short titles and truncated teasers; or,
   without a title, a run of title + "…"-teaser pairs that ends the text.
3. Lines that *are* a boilerplate label ("Partager cette publication :", "Populaire",
   "- Publicité -") or a notice ("Il vous reste 62 % de cet article à lire.", "3 Comments")
   are dropped. Prose that merely contains such words stays.
"""

from __future__ import annotations

import re

from cleaners.body.labels import (
    CHROME_LABELS,
    MAX_LABEL_LENGTH,
    MAX_NOTICE_LENGTH,
    NOTICE,
    RELATED_TITLES,
    label_key,
)
from cleaners.normalize import join_lines, normalize_whitespace

# tagDiv image-ad alt text, as other HTML-to-text tools render it: "![spot_img](…)",
# "[spot_img]". The bare word is removed with a plain (much faster) str.replace.
_SPOT_IMG_MARKUP = re.compile(r"!?\[spot_img\](?:\([^)\s]*\))?")

# A line this long is article prose: the related tail must come after one. Lower than the
# prose map's paragraphs (cleaners.body.prose, 100): here a line only has to outrun a teaser
# title (at most ~80 characters) to show the article has begun.
PROSE_MIN_LENGTH = 80
# Related-list lines: titles are short; teaser excerpts are cut to a few sentences.
MAX_TITLE_LENGTH = 160
MAX_TEASER_LENGTH = 320
# Without a block title, this many title + teaser pairs at the end make a related list.
MIN_UNTITLED_TEASER_PAIRS = 3


def clean_text(text: str) -> str:
    """Remove boilerplate lines and the related-articles tail from extracted text.

    The result has normalised whitespace (see ``normalize_whitespace``); text that has
    no boilerplate comes back otherwise unchanged.
    """
    if "spot_img" in text:
        if "[spot_img]" in text:
            text = _SPOT_IMG_MARKUP.sub("", text)
        text = text.replace("spot_img", "")
    lines = normalize_whitespace(text).split("\n")
    noise = [_is_boilerplate(line) for line in lines]
    end = _untitled_teaser_run_start(lines, noise, _titled_tail_start(lines))
    return join_lines(
        line for line, dropped in zip(lines[:end], noise, strict=False) if not dropped
    )


def _is_boilerplate(line: str) -> bool:
    """A label line ("Partager :", "Populaire") or a notice (paywall, comment count)."""
    if not line or len(line) > MAX_NOTICE_LENGTH:
        return False
    key = label_key(line)
    if len(line) <= MAX_LABEL_LENGTH and (key in CHROME_LABELS or key in RELATED_TITLES):
        return True
    return NOTICE.fullmatch(key) is not None


def _titled_tail_start(lines: list[str]) -> int:
    """Index of a related-block title after prose that only a teaser list follows."""
    seen_prose = False
    for index, line in enumerate(lines):
        if (
            seen_prose
            and len(line) <= MAX_LABEL_LENGTH
            and label_key(line) in RELATED_TITLES
            and _is_teaser_list(lines[index + 1 :])
        ):
            return index
        seen_prose = seen_prose or len(line) >= PROSE_MIN_LENGTH
    return len(lines)


def _is_teaser_list(lines: list[str]) -> bool:
    """True if ``lines`` hold only truncated teasers and short titles (or nothing).

    Without a truncated teaser, the lines must read as titles: short, and mostly not
    closed by a full stop the way prose paragraphs are.
    """
    items = sentences = 0
    any_truncated = False
    titles_only = True
    for line in lines:
        if not line:
            continue
        if len(line) > MAX_TEASER_LENGTH:
            return False  # prose: stop at once, the rest of the text is not a list
        items += 1
        sentences += line.endswith(".")
        titles_only = titles_only and len(line) <= MAX_TITLE_LENGTH
        any_truncated = any_truncated or _is_truncated(line)
    return any_truncated or (titles_only and 2 * sentences <= items)


def _untitled_teaser_run_start(lines: list[str], noise: list[bool], end: int) -> int:
    """Start of a run of (title, "…"-teaser) pairs ending at ``end``, or ``end``.

    The run must be long enough to be a list, and come after the first prose line: an
    article whose paragraphs happen to end with "..." keeps at least its opening. Label
    lines (``noise``) between the pairs are skipped: they are dropped anyway, and
    counting them would let a second pass over the result cut what the first one kept.
    """
    items = [(index, lines[index]) for index in range(end) if lines[index] and not noise[index]]
    first_prose = next(
        (n for n, (_, line) in enumerate(items) if len(line) >= PROSE_MIN_LENGTH), len(items)
    )
    candidates = items[first_prose + 1 :]
    pairs = 0
    start = end
    while len(candidates) >= 2 * (pairs + 1):
        (title_at, title), (_, teaser) = candidates[
            len(candidates) - 2 * (pairs + 1) : len(candidates) - 2 * pairs
        ]
        if not _is_title_teaser_pair(title, teaser):
            break
        pairs += 1
        start = title_at
    return start if pairs >= MIN_UNTITLED_TEASER_PAIRS else end


def _is_title_teaser_pair(title: str, teaser: str) -> bool:
    return (
        len(title) <= MAX_TITLE_LENGTH
        and not _is_truncated(title)
        and len(teaser) <= MAX_TEASER_LENGTH
        and _is_truncated(teaser)
    )


def _is_truncated(line: str) -> bool:
    """Ends with an ellipsis, bare or bracketed: "...", "…", "[…]", "(...)"."""
    return line.rstrip("])").endswith(("...", "…"))
