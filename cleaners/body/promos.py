"""Sign-off paragraphs at the end of an article: follow-us, newsletter pleas, wire credits.

They sit inside the body markup, so no DOM rule sees them, and they are prose, so no
label table matches them. Only short blocks among the last few are considered: the
same words in the middle of an article are reporting, not a plea.
"""

from __future__ import annotations

import re

# How far from the end, and how long, a sign-off can be.
TAIL_BLOCKS = 4
MAX_PROMO_CHARS = 320

_SOCIAL = r"(?:twitter|facebook|instagram|telegram|youtube|linkedin|tiktok|whatsapp)"
PROMO = re.compile(
    "|".join(
        (
            # "Follow us on Twitter", "Suivez-nous sur Facebook", "Folgen Sie uns auf …"
            rf"\b(?:follow|suivez|suivre|folgen|segui|seguici|síguenos|siga|sigam|obserwuj|"
            rf"підписуйтесь|подписывайтесь)\b.{{0,80}}{_SOCIAL}",
            # newsletter and subscription pleas: an imperative, not the word "newsletter"
            r"\bsign up\b|\bsubscribe (?:to|now|today|here)\b|\bget (?:the|our) .{0,40}"
            r"newsletter|\binscrivez-vous\b|\babonnez-vous\b|\brecevez\b.{0,60}newsletter|"
            r"\babonnieren\b|\bsuscr[ií]bete\b|\biscriviti\b|\bassine\b|\bzapisz się\b|"
            r"\bпідпишіться\b|\bподпишитесь\b|"
            r"\b(?:our|notre|nos|unseren?|nuestro|nostra|nossa)\s+newsletters?\b",
            # wire credits: "(Reporting by …; Editing by …)", "… contributed to this report."
            r"^\(?(?:additional )?(?:reporting|writing|editing) by\b|contributed to this report",
        )
    ),
    re.IGNORECASE,
)


def drop_trailing_promos(blocks: list[str]) -> list[str]:
    """``blocks`` without the short sign-off blocks among the last ``TAIL_BLOCKS``."""
    head, tail = blocks[:-TAIL_BLOCKS], blocks[-TAIL_BLOCKS:]
    kept = [b for b in tail if len(b) > MAX_PROMO_CHARS or not PROMO.search(b)]
    return head + kept if len(kept) < len(tail) else blocks
