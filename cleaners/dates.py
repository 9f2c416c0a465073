"""Dates as pages write them, turned into ISO-8601 strings.

Three kinds of input: machine dates from JSON-LD, meta tags and ``time[datetime]``
(ISO-8601 or RFC 2822); dates written for readers ("27 juin 2025 14:16",
"19/08/2025", "il y a 6 heures"); dates in URL paths ("/2025/06/27/…"). The output
keeps what the source knows and no more: a UTC offset only when one was given, a
bare date when no time was given.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from email.utils import parsedate_to_datetime

# Earlier "dates" are CMS placeholders such as 0001-01-01, not publication dates.
MIN_YEAR = 1990

# Month names in the languages the cleaner targets: full forms, the genitive forms
# Slavic languages use in dates, and the abbreviations newsrooms print.
_MONTH_NAMES: dict[int, tuple[str, ...]] = {
    1: (
        "january",
        "jan",
        "janvier",
        "janv",
        "januar",
        "jänner",
        "enero",
        "ene",
        "gennaio",
        "gen",
        "janeiro",
        "stycznia",
        "styczeń",
        "січня",
        "января",
    ),
    2: (
        "february",
        "feb",
        "février",
        "fevrier",
        "févr",
        "fevr",
        "fév",
        "fev",
        "februar",
        "febrero",
        "febbraio",
        "fevereiro",
        "lutego",
        "luty",
        "лютого",
        "февраля",
    ),
    3: (
        "march",
        "mar",
        "mars",
        "märz",
        "marz",
        "marzo",
        "março",
        "marco",
        "marca",
        "marzec",
        "березня",
        "марта",
    ),
    4: (
        "april",
        "apr",
        "avril",
        "avr",
        "abril",
        "abr",
        "aprile",
        "kwietnia",
        "kwiecień",
        "квітня",
        "апреля",
    ),
    5: ("may", "mai", "mayo", "maggio", "mag", "maio", "maja", "maj", "травня", "мая"),
    6: (
        "june",
        "jun",
        "juin",
        "juni",
        "junio",
        "giugno",
        "giu",
        "junho",
        "czerwca",
        "czerwiec",
        "червня",
        "июня",
    ),
    7: (
        "july",
        "jul",
        "juillet",
        "juil",
        "juli",
        "julio",
        "luglio",
        "lug",
        "julho",
        "lipca",
        "lipiec",
        "липня",
        "июля",
    ),
    8: (
        "august",
        "aug",
        "août",
        "aout",
        "agosto",
        "ago",
        "sierpnia",
        "sierpień",
        "серпня",
        "августа",
    ),
    9: (
        "september",
        "sep",
        "sept",
        "septembre",
        "septiembre",
        "setiembre",
        "settembre",
        "set",
        "setembro",
        "września",
        "wrzesień",
        "вересня",
        "сентября",
    ),
    10: (
        "october",
        "oct",
        "octobre",
        "oktober",
        "okt",
        "octubre",
        "ottobre",
        "ott",
        "outubro",
        "out",
        "października",
        "październik",
        "жовтня",
        "октября",
    ),
    11: (
        "november",
        "nov",
        "novembre",
        "noviembre",
        "novembro",
        "listopada",
        "listopad",
        "листопада",
        "ноября",
    ),
    12: (
        "december",
        "dec",
        "décembre",
        "decembre",
        "déc",
        "dezember",
        "dez",
        "diciembre",
        "dic",
        "dicembre",
        "dezembro",
        "grudnia",
        "grudzień",
        "грудня",
        "декабря",
    ),
}
_MONTHS: dict[str, int] = {name: number for number, names in _MONTH_NAMES.items() for name in names}

_WORD = r"[^\W\d_]+"
_ORDINAL = r"(?:er|st|nd|rd|th|º|o)?\.?"
# "27 juin 2025", "1er juillet 2025", "27. Juni 2025", "21 de abril de 2022", "21 abril, 2022"
_DAY_MONTH_YEAR = re.compile(
    rf"\b(?P<day>\d{{1,2}}){_ORDINAL}\s*(?:de\s+)?(?P<month>{_WORD})\.?,?\s+(?:de\s+)?"
    r"(?P<year>\d{4})\b"
)
# "June 27, 2025", "Friday, June 27th 2025"
_MONTH_DAY_YEAR = re.compile(
    rf"\b(?P<month>{_WORD})\.?\s+(?P<day>\d{{1,2}}){_ORDINAL},?\s+(?P<year>\d{{4}})\b"
)
# "19/08/2025", "19.08.2025", "19-08-2025"
_NUMERIC_DMY = re.compile(r"\b(?P<day>\d{1,2})([./-])(?P<month>\d{1,2})\2(?P<year>\d{4})\b")
# "2025-08-19", "2025/08/19"
_NUMERIC_YMD = re.compile(r"\b(?P<year>\d{4})([./-])(?P<month>\d{1,2})\2(?P<day>\d{1,2})\b")
# A clock time right after the date: "14:16", "14h16", "à 14 h 16", "14.16 Uhr", "2:16 pm"
_CLOCK = re.compile(
    r"^\D{0,12}?\b(?P<hour>\d{1,2})\s*(?::|\.|h|H)\s*(?P<minute>\d{2})"
    r"(?::(?P<second>\d{2}))?(?:\s*(?P<half>[aApP])\.?\s?[mM]\.?)?"
)
_DATE_PATTERNS = (_DAY_MONTH_YEAR, _MONTH_DAY_YEAR, _NUMERIC_YMD, _NUMERIC_DMY)

_ONE = r"un|une|a|an|one|ein|eine|einer|einem|uno|una|um|uma"
# Each unit of a relative date, in the languages above, and the time it stands for.
_UNIT_STEPS = tuple(
    (re.compile(pattern, re.IGNORECASE), step)
    for pattern, step in (
        (r"min(?:ute|uto|ut)?s?|minuten", timedelta(minutes=1)),
        (r"h|hrs?|hours?|heures?|stunden?|horas?|or[ae]", timedelta(hours=1)),
        (r"days?|jours?|tage?n?|días?|dias?|giorn[oi]", timedelta(days=1)),
        (r"weeks?|semaines?|wochen?|semanas?|settiman[ae]", timedelta(weeks=1)),
    )
)
_UNIT = "|".join(pattern.pattern for pattern, _ in _UNIT_STEPS)
# three digits at most: "il y a 10¹² heures" is not a date and would overflow
_AMOUNT = rf"(?P<amount>\d{{1,3}}|{_ONE})\s+(?P<unit>{_UNIT})"
_RELATIVE = (
    # "il y a 6 heures", "vor 6 Stunden", "hace 6 horas", "há 6 horas"
    re.compile(rf"\b(?:il\s+y\s+a|vor|hace|há)\s+{_AMOUNT}\b", re.IGNORECASE),
    # "6 hours ago", "6 ore fa"
    re.compile(rf"\b{_AMOUNT}\s+(?:ago|fa)\b", re.IGNORECASE),
)
_YESTERDAY = re.compile(
    r"\b(?:yesterday|hier|gestern|ayer|ieri|ontem|wczoraj|вчора|вчера)\b", re.IGNORECASE
)
_TODAY = re.compile(
    r"\b(?:today|aujourd'hui|aujourd’hui|heute|hoy|oggi|hoje|dzisiaj|"
    r"сьогодні|сегодня)\b",
    re.IGNORECASE,
)

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_LOOSE_ISO = re.compile(
    r"^(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})"
    r"(?:[T ](?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?(?:\.\d+)?"
    r"\s*(?P<tz>Z|GMT|UTC|[+-]\d{2}:?\d{2}|[+-]\d{2})?)?$"
)
# "/2025/06/27/slug", "/2025-06-27/slug", "/20250627-slug": dates many CMSs put in paths
_URL_DATE = re.compile(
    r"/(?P<year>(?:19|20)\d{2})(?:/(?P<month>\d{1,2})/(?P<day>\d{1,2})(?=/)"
    r"|-(?P<month2>\d{2})-(?P<day2>\d{2})(?=[/_-])"
    r"|(?P<month3>\d{2})(?P<day3>\d{2})(?=[/_-]))"
)


def _format(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat()


def normalize_iso(value: str | None) -> str | None:
    """An ISO-8601 or RFC 2822 date string, or None if ``value`` is not one.

    "2025-08-19T07:46:00Z" → "2025-08-19T07:46:00+00:00"; an offset given by the source
    is kept as given, not converted; "2025-08-19" stays a bare date.
    """
    iso = _parse_machine_date(value)
    return iso if iso and int(iso[:4]) >= MIN_YEAR else None


def _parse_machine_date(value: str | None) -> str | None:
    if not value:
        return None
    text = value.strip()
    if _DATE_ONLY.match(text):
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            return None
    try:
        return _format(datetime.fromisoformat(text))
    except ValueError:
        pass
    loose = _LOOSE_ISO.match(text)
    if loose:
        return _from_loose_iso(loose)
    try:
        return _format(parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError):
        return None


def _from_loose_iso(match: re.Match[str]) -> str | None:
    """Non-padded or oddly offset ISO dates ("2025-8-9 7:05", "+0300", "+03")."""
    parts = match.groupdict()
    try:
        day = date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
    except ValueError:
        return None
    if parts["hour"] is None:
        return day.isoformat()
    tz = parts["tz"] or ""
    if tz in ("GMT", "UTC"):
        tz = "Z"
    if tz and tz != "Z":
        tz = tz.replace(":", "").ljust(5, "0")
        tz = f"{tz[:3]}:{tz[3:]}"
    stamp = (
        f"{day.isoformat()}T{int(parts['hour']):02d}:{parts['minute']}:"
        f"{parts['second'] or '00'}{tz}"
    )
    try:
        return _format(datetime.fromisoformat(stamp))
    except ValueError:
        return None


def date_from_url(url: str | None) -> str | None:
    """The publication date a URL path spells out ("/2025/06/27/…"), as a bare date."""
    if not url:
        return None
    for match in _URL_DATE.finditer(url):
        month = match["month"] or match["month2"] or match["month3"]
        day = match["day"] or match["day2"] or match["day3"]
        year = int(match["year"])
        try:
            found = date(year, int(month), int(day))
        except ValueError:
            continue
        if year >= MIN_YEAR:
            return found.isoformat()
    return None


def has_offset(value: str) -> bool:
    """True when an ISO string from ``normalize_iso`` carries a UTC offset."""
    return len(value) > 19 and value[19] in "+-"


def offset_of(value: str) -> str | None:
    """The "+03:00" part of an ISO string from ``normalize_iso``, if any."""
    return value[19:] if has_offset(value) else None


def parse_visible_date(text: str, reference: datetime | None = None) -> str | None:
    """The first date a reader would see in ``text``, as ISO-8601.

    Absolute dates in several languages and numeric day-first forms are read as
    written. Relative ones ("il y a 6 heures", "yesterday") need ``reference``, the
    moment the page was fetched; without it they are not guessed.
    """
    absolute = _absolute_date(text)
    if absolute is not None:
        return absolute
    if reference is None:
        return None
    try:
        return _relative_date(text, reference)
    except OverflowError:  # a reference near year 1 or 9999 has no "6 hours before"
        return None


def _absolute_date(text: str) -> str | None:
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            day = _to_date(match)
            if day is not None:
                return _with_clock(day, text[match.end() :])
    return None


def _to_date(match: re.Match[str]) -> date | None:
    month_text = match["month"]
    month = int(month_text) if month_text.isdigit() else _MONTHS.get(month_text.lower())
    if month is None:
        return None
    day_number, month_number = int(match["day"]), month
    if match.re is _NUMERIC_DMY and month_number > 12 >= day_number:
        # "08/19/2025" can only be month-first
        day_number, month_number = month_number, day_number
    year = int(match["year"])
    if year < MIN_YEAR:
        return None
    try:
        return date(year, month_number, day_number)
    except ValueError:
        return None


def _with_clock(day: date, following: str) -> str:
    clock = _CLOCK.match(following)
    if clock is None:
        return day.isoformat()
    hour, minute = int(clock["hour"]), int(clock["minute"])
    half = (clock["half"] or "").lower()
    if half == "p" and hour < 12:
        hour += 12
    elif half == "a" and hour == 12:
        hour = 0
    second = int(clock["second"] or 0)
    if hour > 23 or minute > 59 or second > 59:
        return day.isoformat()
    return _format(datetime(day.year, day.month, day.day, hour, minute, second))


def _relative_date(text: str, reference: datetime) -> str | None:
    match = next(filter(None, (pattern.search(text) for pattern in _RELATIVE)), None)
    if match:
        amount = int(match["amount"]) if match["amount"].isdigit() else 1
        step = next(step for pattern, step in _UNIT_STEPS if pattern.fullmatch(match["unit"]))
        moment = reference - amount * step
        # Minutes and hours pin a time; days and weeks only a date.
        return _format(moment) if step < timedelta(days=1) else moment.date().isoformat()
    if _YESTERDAY.search(text):
        return (reference - timedelta(days=1)).date().isoformat()
    if _TODAY.search(text):
        return reference.date().isoformat()
    return None
