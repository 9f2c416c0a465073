"""Markup signatures of non-content blocks: tags, class/id tokens, anchors, page markers.

Class and id values are split into lower-case tokens on ``-``, ``_``, spaces and camelCase
humps ("td-post-sharing" → td, post, sharing; "relatedPosts" → related, posts), and rules
match whole tokens or pairs of adjacent tokens, so "shared" never matches "share" and
"ad" never matches "head" or "load".

Widget captions ("Plus comme ça", "- Publicité -") live in ``cleaners.body.labels``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import pairwise

# Elements that never carry article prose.
NOISE_TAGS: tuple[str, ...] = (
    "script",
    "style",
    "noscript",
    "template",
    "iframe",
    "svg",
    "canvas",
    "object",
    "embed",
    "button",
    "select",
    "input",
    "textarea",
    "label",
    "nav",
    "aside",
    "dialog",
    "menu",
    "link",
    "meta",
    "video",
    "audio",
    "map",
    "math",
    "figcaption",
)

# Page chrome: removed unless it wraps the article body.
CHROME_TAGS: tuple[str, ...] = ("header", "footer", "form")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# One token is enough: each names a widget, never an article body. The groups say what
# kind of widget; the removal rules treat some kinds differently.
SHARE_TOKENS: frozenset[str] = _words(
    """share sharing shares sharebar sharethis social socials sharedaddy addtoany a2a essb
    heateor shareaholic sociallinks partage partager compartir compartilhar condividi
    teilen"""
)
# Lists of other articles.
RELATED_TOKENS: frozenset[str] = _words(
    """related relatedposts yarpp outbrain taboola recommended recommendations
    recommendation relacionadas relacionados correlati similaires connexes"""
)
PROMOTED_TOKENS: frozenset[str] = _words(
    """popular trending mostread mostpopular readmore readalso suggested teasers"""
)
AD_TOKENS: frozenset[str] = _words(
    """ad ads adv advert adverts advertisement advertising adslot adspot adunit adsense dfp
    gpt sponsor sponsored promo promoted publicite pub banner commercial publicidad
    publicidade pubblicita werbung anzeige reklama"""
)
# Pleas to subscribe: prose, but never the article's.
SUBSCRIPTION_TOKENS: frozenset[str] = _words(
    """newsletter newsletters subscribe subscription signup optin mailchimp mc4wp"""
)
# Overlays and login boxes; "cmp" is a consent manager's prefix, and a design system's for
# "component" (Adobe's "cmp-container" wraps article text), so it is one of these.
OVERLAY_TOKENS: frozenset[str] = _words("""login signin register modal popup overlay cmp""")
# Cookie and consent banners: never an article, however much text they hold.
CONSENT_TOKENS: frozenset[str] = _words(
    """cookie cookies consent gdpr didomi tarteaucitron onetrust cookiebot"""
)
# Comment threads, in the languages of the label tables, and the hosted systems' names.
COMMENT_TOKENS: frozenset[str] = _words(
    """comment comments respond disqus replies commentaire commentaires kommentar kommentare
    comentario comentarios commento commenti reacties komentarz komentarze yorum yorumlar
    livefyre viafoura"""
)
CHROME_TOKENS: frozenset[str] = _words(
    """breadcrumb breadcrumbs crumb crumbs pagination pager menu navbar navigation sidebar
    widget widgets masthead toolbar skip"""
)
# Tags, bylines; standfirsts (a summary printed above the body, like the title).
META_TOKENS: frozenset[str] = _words(
    """tags tagcloud keywords byline author authors standfirst chapo chapeau dek subtitle
    subheadline"""
)
# Author biographies: a paragraph about the writer, not of the story.
BIO_TOKENS: frozenset[str] = _words("""bio bios saboxplugin""")
# Photo captions, credits and galleries: describe pictures, however long.
MEDIA_TOKENS: frozenset[str] = _words(
    """caption captions credit credits gallery slideshow lightbox"""
)
NOISE_TOKENS: frozenset[str] = (
    SHARE_TOKENS
    | RELATED_TOKENS
    | PROMOTED_TOKENS
    | AD_TOKENS
    | SUBSCRIPTION_TOKENS
    | OVERLAY_TOKENS
    | CONSENT_TOKENS
    | COMMENT_TOKENS
    | CHROME_TOKENS
    | META_TOKENS
    | BIO_TOKENS
    | MEDIA_TOKENS
)

# Blocks named by these tokens are dropped even when they hold prose: comment threads,
# related-article lists, ads, subscription pleas, bios and captions hold real sentences,
# just not the article's. The other names (page chrome, widgets, overlays, bylines, share
# bars, "popular" boxes) are ignored on a block holding prose paragraphs unless its text is
# mostly links: a page builder's "widget" or a design system's "cmp" (component) wraps the
# article itself. No name removes the block holding most of the prose (``cleaners.body.prune``).
UNGUARDED_TOKENS: frozenset[str] = (
    COMMENT_TOKENS
    | CONSENT_TOKENS
    | RELATED_TOKENS
    | AD_TOKENS
    | SUBSCRIPTION_TOKENS
    | BIO_TOKENS
    | MEDIA_TOKENS
)

# Adjacent token pairs that name a widget where each token alone is ambiguous.
NOISE_PAIRS: frozenset[tuple[str, str]] = frozenset(
    {
        ("post", "navigation"),
        ("next", "prev"),
        ("prev", "next"),
        ("nav", "links"),
        ("more", "stories"),
        ("more", "articles"),
        ("read", "more"),
        ("read", "also"),
        ("you", "may"),
        ("also", "like"),
        ("most", "read"),
        ("most", "popular"),
        ("block", "title"),
        ("related", "title"),
        ("entry", "meta"),
        ("post", "meta"),
        ("article", "meta"),
        ("post", "tags"),
        ("entry", "tags"),
        ("tag", "list"),
        ("td", "a"),
        ("a", "rec"),
        ("a", "ad"),
        ("module", "wrap"),
        ("single", "related"),
        ("single", "tags"),
        ("next", "post"),
        ("prev", "post"),
        ("previous", "post"),
        ("load", "more"),
        ("inline", "related"),
        ("see", "also"),
        ("paywall", "prompt"),
    }
)

# Quoted posts embedded in the article ("social-media-embed", "twitter-tweet") are content.
EMBED_TOKENS: frozenset[str] = frozenset({"embed", "embedded", "tweet"})

# Class names that carry a post's taxonomy, not the block's role ("tag-advertising",
# "category-social-media" on WordPress article wrappers).
TAXONOMY_PREFIXES: tuple[str, ...] = ("tag-", "tag_", "category-", "category_", "cat-", "topic-")

# Where the article body usually is, most specific first. The first selector that yields
# a credible block wins; ``article`` is judged separately (it is often a page template).
ANCHOR_SELECTORS: tuple[str, ...] = (
    ".td-post-content",
    "[itemprop~=articleBody]",
    "[itemprop~=reviewBody]",
    ".entry-content",
    ".post-content",
    ".article-body",
    ".article__body",
    ".articleBody",
    ".story-body",
    ".post-body",
)

# Pages that append the next articles (tagDiv autoload) repeat these: the first is the body.
FIRST_ONLY_SELECTORS: frozenset[str] = frozenset({".td-post-content"})

# A whole-page template rendered as <article> (tagDiv Cloud "tdb_templates").
TEMPLATE_ARTICLE_TOKENS: frozenset[str] = frozenset({"tdb_templates", "type-tdb_templates"})

# Bot-challenge interstitials served with status 200.
CHALLENGE_TITLE = re.compile(
    r"just a moment|checking your browser|attention required|access denied|"
    r"are you a robot|verify you are (a )?human|ddos protection|please wait while we verify|"
    r"un instant|vérification de votre navigateur",
    re.IGNORECASE,
)
CHALLENGE_SELECTORS = (
    "#challenge-form, #challenge-running, #cf-challenge-running, .cf-browser-verification, "
    "#px-captcha, .g-recaptcha, #captcha-container"
)

# Consent-manager roots: present on many article pages; a page that has one and no
# article text left after pruning is a consent wall (the selectors only ever decide
# between two reasons for an empty page, so broad substrings are safe here).
CONSENT_SELECTORS = (
    "#didomi-host, .didomi-popup, #tarteaucitronRoot, #cookie-notice, #cookie-law-info-bar, "
    ".cmplz-cookiebanner, #axeptio_overlay, #onetrust-banner-sdk, #onetrust-consent-sdk, "
    ".qc-cmp2-container, [id^=sp_message_container], #CybotCookiebotDialog, "
    ".fc-consent-root, #usercentrics-root, "
    # home-made walls: any block named for cookies, consent or GDPR
    "[class*=cookie i], [id*=cookie i], [class*=consent i], [id*=consent i], "
    "[class*=gdpr i], [id*=gdpr i]"
)


def is_consent_rule(rule: str) -> bool:
    """Whether a rule of ``noise_rule`` names a cookie or consent banner."""
    return rule.removeprefix("token:") in CONSENT_TOKENS


_WORD_SPLIT = re.compile(r"[\s_\-]+")
_CAMEL_SPLIT = re.compile(r"(?<=[a-z])(?=[A-Z])")
# camelCase parts shorter than this mean a generated hash ("hJpRRP"), not words.
MIN_CAMEL_PART = 3


def tokens_of(value: str) -> tuple[str, ...]:
    """Lower-case tokens of a class or id value."""
    found: list[str] = []
    names = value.split()
    if any(name.startswith(TAXONOMY_PREFIXES) for name in names):
        value = " ".join(n for n in names if not n.startswith(TAXONOMY_PREFIXES))
    for word in _WORD_SPLIT.split(value):
        parts = _CAMEL_SPLIT.split(word)
        if len(parts) > 1 and min(map(len, parts)) >= MIN_CAMEL_PART:
            found.extend(p.lower() for p in parts)
        elif word:
            found.append(word.lower())
    return tuple(found)


def noise_rule(class_value: str, id_value: str) -> tuple[str, bool] | None:
    """The token rule a class/id pair matches and whether it is guarded; or None.

    The rule is named ``token:<token>`` or ``token:<first>-<second>`` for a pair.
    """
    guarded_hit: str | None = None
    for value in (class_value, id_value):
        if not value:
            continue
        embed, rule, guarded = _value_rule(value)
        if embed:
            return None
        if rule is not None and not guarded:
            return rule, False
        guarded_hit = guarded_hit or rule
    return (guarded_hit, True) if guarded_hit else None


@lru_cache(maxsize=8192)
def _value_rule(value: str) -> tuple[bool, str | None, bool]:
    """(is an embed, matched rule, rule is guarded) for one class or id value."""
    words = tokens_of(value)
    if EMBED_TOKENS.intersection(words):
        return True, None, False
    hit: str | None = None
    for token in sorted(NOISE_TOKENS.intersection(words)):
        if token in UNGUARDED_TOKENS:
            return False, f"token:{token}", False
        hit = hit or f"token:{token}"
    for first, second in pairwise(words):
        if (first, second) in NOISE_PAIRS:
            hit = hit or f"token:{first}-{second}"
    return False, hit, True
