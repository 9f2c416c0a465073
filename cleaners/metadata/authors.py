"""Author names out of the strings pages put in bylines and author fields.

A byline is written for readers: "Par Jeanne Martin et Paul Roux, AFP", "By Jane Doe,
Staff Writer | Updated Dec 3, 2025", "Dr. Ann Lee, MD, FACP", "@jdoe". What comes out
is the names alone, one per author: prefixes ("By", "Par", "Von"…), roles, credentials,
dates, e-mail addresses, URLs and social handles go. An organisation credited as the
author ("Rédaction", "AFP", "Staff") is kept as it is written, never split like a list
of people; ``is_organisation`` says which names are one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from cleaners.metadata.dates import first_date_start
from cleaners.metadata.datewords import MODIFIED_LABEL, PUBLISHED_LABEL
from cleaners.metadata.metatext import clean

MAX_NAME_CHARS = 60
MAX_NAME_WORDS = 6

# "By", "Par", "Von"… in the nine languages, with the forms a byline label takes.
BYLINE_PREFIX = re.compile(
    r"^(?:(?:written|posted|published|reported|text|story|words|article)\s+by|by|par|"
    r"écrit\s+par|rédigé\s+par|publié\s+par|texte|von|text|por|escrito\s+por|(?-i:di|da)|"
    r"scritto\s+da|door|av|autor(?:in|a|ka|en)?|authors?|auteur(?:e|s)?|autore|автор(?:ка)?|"
    r"przez)\b\s*[:：]?\s*",
    re.IGNORECASE,
)
# Credits of a reviewer, an editor or a photographer: not the author's, in front or behind.
_OTHER_CREDIT = re.compile(
    r"(?:^|\s)(?:(?:medically|fact[-\s]checked|expert)\s+)?reviewed\s+by\b|"
    r"(?:^|\s)fact[-\s]checked\b|(?:^|\s)edited\s+by\b|"
    r"(?:^|\s)(?:photos?|photography|images?|illustrations?|video)\s*(?:by\b|:)|"
    r"责任编辑|責任編輯|编辑[:：]|編集[:：]|摄影[:：]|攝影[:：]|写真[:：]|사진[:：]",
    re.IGNORECASE,
)
# Chinese, Japanese and Korean bylines: "[서울=뉴시스] 홍길동 기자", "山田太郎記者", "记者 王芳",
# "文／王芳". The role is written against the name, without a space in Chinese and Japanese.
_CJK_DATELINE = re.compile(r"^\s*[\[【〔（(][^\]】〕）)]{1,30}[\]】〕）)]\s*")
_CJK_ROLE = re.compile(r"\s*(?:特派員|特派员|編集委員|記者|记者|通讯员|通訊員|기자|특파원)\s*")
_CJK_PREFIX = re.compile(r"^\s*(?:文|撰文|作者|글)\s*[/／:：]\s*")
# "This post was written by Jane Doe", "Recipe by Jane Doe": the name follows the last "by"
_BY_INSIDE = re.compile(r"^.*\s(?:by|par|von|door|przez)\s+(?=\S)", re.IGNORECASE)
_PUNCTUATION = " -–—|,:;·•/[]()"
# "Updated", "Publié le"…: the byline's name is over where its date's label starts
_DATE_LABELS = (MODIFIED_LABEL, PUBLISHED_LABEL)
# "Jane Doe on", "Jeanne Martin le": the word a byline puts before its date
_TRAILING_CONNECTOR = re.compile(r"\s+(?:on|le|am|el|il|em|w|в)?\s*$", re.IGNORECASE)
# "page.head.extra.author", "post.author.name": a template variable left in the page,
# not a user name such as "sara.r.peter"
_TEMPLATE_PATH = re.compile(
    r"^[a-z_]+(?:\.[a-z_]+)*\.(?:author|name|title|meta|data)(?:\.[a-z_]+)*$"
)
# Values CMSs put in author fields when nobody is named.
_PLACEHOLDERS = frozenset(
    {"undefined", "null", "none", "n/a", "admin", "administrator", "webmaster", "unknown"}
)
_MAX_CREDENTIAL_LETTERS = 6
_MIXED_CASE_CREDENTIALS = frozenset(
    {"phd", "msc", "bsc", "med", "mph", "psyd", "pharmd", "drph", "mba", "jd", "esq"}
)
_SPLIT_NAMES = re.compile(
    r"\s*(?:;|\s/\s|\s·\s|\s\|\s|,\s*(?:and|&|et|und|y|e|i|en)\s+|,|、|，)\s*", re.IGNORECASE
)
_AND = re.compile(r"\s+(?:and|&|et|und|y|e|i|en|и|і|oraz)\s+", re.IGNORECASE)
_EMAIL = re.compile(r"\S+@\S+\.\w+")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_HANDLE = re.compile(r"(?<!\w)@\w+")
_DASH_TAIL = re.compile(r"\s+[-–—]\s+.*$")
_PARENTHESES = re.compile(r"\s*\([^)]*\)")
_ROLE_WORDS = frozenset(
    {
        "writer",
        "editor",
        "editors",
        "reporter",
        "correspondent",
        "journalist",
        "contributor",
        "columnist",
        "director",
        "manager",
        "founder",
        "co-founder",
        "ceo",
        "cto",
        "president",
        "expert",
        "specialist",
        "analyst",
        "producer",
        "strategist",
        "consultant",
        "professor",
        "researcher",
        "head",
        "lead",
        "senior",
        "chief",
        "associate",
        "freelance",
        "representative",
        "journaliste",
        "rédacteur",
        "rédactrice",
        "correspondant",
        "correspondante",
        "envoyé",
        "envoyée",
        "spécial",
        "redakteur",
        "redakteurin",
        "korrespondent",
        "korrespondentin",
        "redactor",
        "redactora",
        "periodista",
        "corresponsal",
        "giornalista",
        "redattore",
        "inviato",
        "jornalista",
        "redator",
        "dziennikarz",
        "dziennikarka",
        "redaktor",
        "журналіст",
        "журналист",
        "кореспондент",
        "корреспондент",
        "редактор",
    }
)
# Words that qualify a role ("Tech Reporter", "Contributing Editor"), not a name.
_BEATS = frozenset(
    {
        "tech",
        "technology",
        "science",
        "health",
        "food",
        "travel",
        "sports",
        "business",
        "news",
        "politics",
        "style",
        "fashion",
        "shopping",
        "commerce",
        "deals",
        "features",
        "contributing",
        "managing",
        "executive",
        "digital",
        "content",
        "video",
        "data",
    }
)
# Names of newsrooms, desks and agencies: an organisation, not a person.
_ORGANISATION_WORDS = frozenset(
    {
        "staff",
        "team",
        "newsroom",
        "newsdesk",
        "desk",
        "editorial",
        "editors",
        "rédaction",
        "redaction",
        "équipe",
        "redaktion",
        "redacción",
        "redaccion",
        "redazione",
        "redação",
        "redacao",
        "redakcja",
        "редакція",
        "редакция",
        "afp",
        "ap",
        "reuters",
        "dpa",
        "ansa",
        "efe",
        "pap",
        "belga",
        "ats",
        "sda",
        "apa",
        "upi",
        "bloomberg",
        "укрінформ",
        "уніан",
        "тасс",
        "ria",
        "agencies",
        "agences",
        "agenturen",
        "agencias",
        "agenzie",
        "inc",
        "ltd",
        "llc",
        "gmbh",
        "sa",
        "sas",
    }
)
_WORD = re.compile(r"[^\W\d_][\w'’.-]*")


def author_names(raw: str | None) -> list[str]:
    """The names an author field or a byline credits, in order, each cleaned."""
    text = clean(raw)
    credit = _OTHER_CREDIT.search(text) if text else None
    if credit:
        text = text[: credit.start()]
    if not text:
        return []
    text = _BY_INSIDE.sub("", _HANDLE.sub(" ", _URL.sub(" ", _EMAIL.sub(" ", text))))
    text = _CJK_ROLE.sub(" ", _CJK_PREFIX.sub("", _CJK_DATELINE.sub("", text))).strip()
    text = _before_date(BYLINE_PREFIX.sub("", _PARENTHESES.sub("", text).strip(_PUNCTUATION)))
    names: list[str] = []
    for part in _SPLIT_NAMES.split(text):
        part = BYLINE_PREFIX.sub("", part.strip(_PUNCTUATION)).strip(_PUNCTUATION)
        # "MD" after a name is a credential; "JWU" alone is the author
        if part and not (names and _is_credential(part)):
            names.extend(_split_pair(_before_role(_DASH_TAIL.sub("", part))))
    names = [name for name in names if _is_name(name)]
    if not names and is_organisation(text):
        return [text]
    return names


def unique_names(names: Iterable[str]) -> tuple[str, ...]:
    """``names`` each once: "JANE DOE", "Jane Doe" and "Jane Doe, MD" are one author."""
    kept: dict[str, str] = {}
    for name in names:
        key = " ".join(_WORD.findall(name.casefold()))
        if key and key not in kept:
            kept[key] = name
    return tuple(kept.values())


def is_organisation(name: str, site_name: str | None = None) -> bool:
    """Whether ``name`` credits a newsroom, an agency or the site itself, not a person."""
    words = _WORD.findall(name.casefold())
    if site_name and _letters(name) == _letters(site_name):
        return True
    return any(word.strip(".") in _ORGANISATION_WORDS for word in words)


def _letters(text: str) -> str:
    return "".join(char for char in text.casefold() if char.isalnum())


def _before_date(text: str) -> str:
    """The byline up to its first date or date label ("Jane Doe · Updated Dec 3, 2025")."""
    starts = [found.start() for found in (label.search(text) for label in _DATE_LABELS) if found]
    if starts:
        text = text[: min(starts)]
    start = first_date_start(text)
    if start is not None:
        text = _TRAILING_CONNECTOR.sub("", text[:start])
    return text.strip(_PUNCTUATION)


def _split_pair(part: str) -> list[str]:
    """ "Jane Doe and John Roe" → both; "Maria & Katerina" or "Morgan & Morgan" stays one."""
    if not part:
        return []
    pieces = [piece.strip(_PUNCTUATION) for piece in _AND.split(part)]
    if len(pieces) > 1 and all(len(piece.split()) >= 2 for piece in pieces):
        return pieces
    return [part]


def _is_credential(part: str) -> bool:
    """ "MD", "Ph.D.", "DVM", "E-RYT 200": letters after a name, not a name."""
    if is_organisation(part):
        return False
    return all(_is_credential_word(word.replace(".", "").replace("-", "")) for word in part.split())


def _is_credential_word(bare: str) -> bool:
    return (
        bare.isdigit()
        or (bare.isupper() and len(bare) <= _MAX_CREDENTIAL_LETTERS)
        or bare.casefold() in _MIXED_CASE_CREDENTIALS
    )


def _before_role(part: str) -> str:
    """ "Matt Check Head Winemaker" → "Matt Check"; "Staff Writer" → "" (a role only)."""
    words = part.split()
    for index, word in enumerate(words):
        if word.strip(".,").casefold() in _ROLE_WORDS:
            before = words[:index]
            # "Harry Rabinowitz Tech Reporter": the beat goes with the role
            if len(before) > 2 and before[-1].casefold() in _BEATS:
                before = before[:-1]
            name = " ".join(before)
            return "" if len(before) < 2 or is_organisation(name) else name
    return part


def _is_name(name: str) -> bool:
    return (
        0 < len(name.split()) <= MAX_NAME_WORDS
        and len(name) <= MAX_NAME_CHARS
        and any(char.isalpha() for char in name)
        # "mdelatorreq6vkpg2ma0ci": a CMS account id, not how anyone signs ("98 Buck Social"
        # is a name)
        and not (" " not in name and any(char.isdigit() for char in name))
        and name.casefold() not in _PLACEHOLDERS
        and not _TEMPLATE_PATH.match(name)
    )
