"""Generated articles and a helper to store them, for the NLP tests (near-dup, export, reclean…).

Texts are made from a small French vocabulary with a seeded generator, so every
run sees the same words and the tests stay deterministic.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

from cleaners import Article
from scraper.records import FetchAttempt, SaveResult
from scraper.storage import Store
from scraper.storage.archive import RawPage

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"

VOCABULARY = (  # words separated by spaces
    "gouvernement ministre accord sécurité garanties frontière armée conseil "
    "européen président réunion sommet délégation proposition budget élection région "
    "commune port pêche marché prix hausse baisse semaine année hiver printemps "
    "rapport enquête tribunal décision syndicat grève usine emploi salariés "
    "entreprise projet chantier route pont train gare hôpital école université "
    "étudiants recherche énergie climat tempête inondation récolte agriculteurs "
    "village habitants maire"
)


def paragraphs(seed: int, count: int = 20, words: int = 40) -> list[str]:
    """``count`` paragraphs of ``words`` pseudo-random words each, the same for a given seed."""
    rng = random.Random(seed)
    vocabulary = VOCABULARY.split()
    return [
        " ".join(rng.choice(vocabulary) for _ in range(words)).capitalize() + "."
        for _ in range(count)
    ]


def article_text(seed: int, count: int = 20) -> str:
    return "\n\n".join(paragraphs(seed, count))


def syndicated_copy(text: str, seed: int) -> str:
    """``text`` with one paragraph rewritten and a related-posts tail of its own."""
    parts = text.split("\n\n")
    parts[len(parts) // 2] = paragraphs(seed + 1000, 1)[0]
    tail = "Lire aussi : " + " ".join(paragraphs(seed + 2000, 1, 12))
    return "\n\n".join([*parts, tail])


def save_article(
    store: Store,
    url: str,
    text: str,
    *,
    raw: RawPage | None = None,
    fetched_at: datetime | None = None,
    **metadata: object,
) -> SaveResult:
    """Store ``text`` as the article fetched from ``url``, as the pipeline would."""
    attempt = FetchAttempt(
        requested_url=url,
        fetched_at=fetched_at or datetime.now(UTC),
        final_url=url,
        status=200,
        content_type="text/html",
        byte_count=len(text),
    )
    article = Article(text=text, url=url, **metadata)  # type: ignore[arg-type]
    return store.save(attempt, article, [url], raw)
