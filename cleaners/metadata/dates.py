"""Dates as pages write them, turned into ISO-8601 strings.

Three kinds of input: machine dates from JSON-LD, meta tags and ``time[datetime]``
(ISO-8601 or RFC 2822); dates written for readers ("27 juin 2025 14:16",
"19/08/2025", "il y a 6 heures"); dates in URL paths ("/2025/06/27/…"). The output
keeps what the source knows and no more: a UTC offset only when one was given, a
bare date when no time was given.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

from cleaners.metadata.datewords import (
    MODIFIED_LABEL,
    MONTHS,
    ONE,
    PUBLISHED_LABEL,
    TODAY,
    UNIT_STEPS,
    YESTERDAY,
    ZONE_OFFSETS,
)

# Earlier "dates" are CMS placeholders such as 0001-01-01, not publication dates.
MIN_YEAR = 1990
# Longer machine values are not a date written out ("Dec 03, 2025") but prose.
_MAX_WRITTEN_MACHINE_DATE = 40
_MAX_OFFSET = timedelta(hours=14)
# Between a label and its date: "on", "le", "am", "at", punctuation.
_LABEL_FILLER = " :–—-,.·|"
_MAX_AFTER_LABEL = 3


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
# "2026年12月3日" (Chinese, Japanese), "2026년 12월 3일" (Korean): no word boundary
# between the digits and the characters around them.
_CJK_YMD = re.compile(
    r"(?<!\d)(?P<year>\d{4})\s*[年년]\s*(?P<month>\d{1,2})\s*[月월]\s*(?P<day>\d{1,2})\s*[日일]"
)
# A clock time right after the date: "14:16", "14h16", "à 14 h 16", "14.16 Uhr", "2:16 pm",
# "18時40分", "오후 6:40" (the morning or afternoon written before the time, in Chinese, Japanese,
# Korean).
_CLOCK = re.compile(
    r"^\D{0,12}?(?:(?:(?P<afternoon>午後|下午|오후)|(?P<morning>午前|上午|오전))\s*)?"
    r"(?<!\d)(?P<hour>\d{1,2})\s*"
    r"(?::|\.|h|H|時|时|시)\s*(?P<minute>\d{2})"
    r"(?::(?P<second>\d{2}))?(?:\s*(?P<half>[aApP])\.?\s?[mM]\.?)?"
)
_DATE_PATTERNS = (_DAY_MONTH_YEAR, _MONTH_DAY_YEAR, _CJK_YMD, _NUMERIC_YMD, _NUMERIC_DMY)
# A zone right after the clock: "14:16 CEST", "2:16 pm EST", "14h16 (UTC+2)", "GMT+05:30"
_ZONE = re.compile(
    r"^\s*\(?(?:(?P<name>[A-Z]{3,4})\b(?![+-])|(?:UTC|GMT)\s*(?P<sign>[+-])(?P<hours>\d{1,2})"
    r"(?::?(?P<minutes>\d{2}))?)"
)

_UNIT = "|".join(pattern.pattern for pattern, _ in UNIT_STEPS)
# three digits at most: "il y a 10¹² heures" is not a date and would overflow
_AMOUNT = rf"(?P<amount>\d{{1,3}}|{ONE})\s+(?P<unit>{_UNIT})"
_RELATIVE = (
    # "il y a 6 heures", "vor 6 Stunden", "hace 6 horas", "há 6 horas"
    re.compile(rf"\b(?:il\s+y\s+a|vor|hace|há)\s+{_AMOUNT}\b", re.IGNORECASE),
    # "6 hours ago", "6 ore fa"
    re.compile(rf"\b{_AMOUNT}\s+(?:ago|fa)\b", re.IGNORECASE),
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
    if iso is None and value and len(value) <= _MAX_WRITTEN_MACHINE_DATE:
        # some CMSs fill machine fields with the date as shown: "Dec 03, 2025"; an
        # ambiguous "03-09-2026" there says nothing
        iso = _absolute_date(value, month_first=None)
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


def _absolute_date(text: str, month_first: bool | None = False) -> str | None:
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            day = _to_date(match, month_first)
            if day is not None:
                return _with_clock(day, text[match.end() :])
    return None


def labelled_dates(text: str, month_first: bool = False) -> list[tuple[str, str | None]]:
    """Every absolute date in ``text`` in reading order, each with the label before it.

    The label is "modified" after "Updated", "Mis à jour"…, "published" after
    "Published", "Publié le"…, else None: "Publié le 3 juin 2025, mis à jour le 5 juin"
    gives both dates, each with its own role. ``month_first`` reads "03/09/2026" as
    9 March (US English) rather than 3 September.
    """
    found = _date_spans(text, month_first)
    dated: list[tuple[str, str | None]] = []
    previous_end = 0
    for start in sorted(found):
        end, iso = found[start]
        dated.append((iso, date_label(text[previous_end:start])))
        previous_end = end
    return dated


def first_date_start(text: str) -> int | None:
    """Where the first date written in ``text`` starts, if it holds one."""
    return min(_date_spans(text, month_first=False), default=None)


def _date_spans(text: str, month_first: bool | None) -> dict[int, tuple[int, str]]:
    """{start: (end, ISO date)} of the dates in ``text``, none overlapping another."""
    found: dict[int, tuple[int, str]] = {}
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            day = _to_date(match, month_first)
            overlaps = any(
                start <= match.start() < end or match.start() <= start < match.end()
                for start, (end, _) in found.items()
            )
            if day is not None and not overlaps:
                found[match.start()] = (match.end(), _with_clock(day, text[match.end() :]))
    return found


def date_label(before: str) -> str | None:
    """ "modified" or "published" when ``before`` ends with such a label, else None.

    The label must be the last thing before the date ("Updated ", "mis à jour le "):
    in "Updated June 4 · 30 mars" the label belongs to "June 4", not to "30 mars".
    """
    labels = [*MODIFIED_LABEL.finditer(before), *PUBLISHED_LABEL.finditer(before)]
    if not labels:
        return None
    last = max(labels, key=lambda match: match.start())
    if len(before[last.end() :].strip(_LABEL_FILLER)) > _MAX_AFTER_LABEL:
        return None
    return "modified" if last.re is MODIFIED_LABEL else "published"


def _to_date(match: re.Match[str], month_first: bool | None = False) -> date | None:
    """The date ``match`` spells; ``month_first`` None refuses "03/09/2026", which may be
    either 3 September or 9 March."""
    month_text = match["month"]
    month = int(month_text) if month_text.isdigit() else MONTHS.get(month_text.lower())
    if month is None:
        return None
    day_number, month_number = int(match["day"]), month
    if match.re is _NUMERIC_DMY and day_number <= 12:
        if month_number <= 12 and day_number != month_number and month_first is None:
            return None
        # "08/19/2025" can only be month-first; "03/09/2026" is too where the page says so
        if month_number > 12 or month_first:
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
    # "Dec 3, 2026 Updated 6:12 PM": that clock is the update's, not this date's.
    if clock is None or MODIFIED_LABEL.search(following, 0, clock.start("hour")):
        return day.isoformat()
    hour, minute = int(clock["hour"]), int(clock["minute"])
    half = "p" if clock["afternoon"] else "a" if clock["morning"] else (clock["half"] or "").lower()
    if half == "p" and hour < 12:
        hour += 12
    elif half == "a" and hour == 12:
        hour = 0
    second = int(clock["second"] or 0)
    if hour > 23 or minute > 59 or second > 59:
        return day.isoformat()
    moment = datetime(day.year, day.month, day.day, hour, minute, second)
    zone = _zone(following[clock.end() :])
    return _format(moment.replace(tzinfo=zone) if zone else moment)


def _zone(following: str) -> timezone | None:
    """The time zone a page writes after a clock time, when it is unambiguous."""
    match = _ZONE.match(following)
    if match is None:
        return None
    if match["name"]:
        hours = ZONE_OFFSETS.get(match["name"])
        return None if hours is None else timezone(timedelta(hours=hours))
    offset = timedelta(hours=int(match["hours"]), minutes=int(match["minutes"] or 0))
    if offset > _MAX_OFFSET:
        return None
    return timezone(-offset if match["sign"] == "-" else offset)


def _relative_date(text: str, reference: datetime) -> str | None:
    match = next(filter(None, (pattern.search(text) for pattern in _RELATIVE)), None)
    if match:
        amount = int(match["amount"]) if match["amount"].isdigit() else 1
        step = next(step for pattern, step in UNIT_STEPS if pattern.fullmatch(match["unit"]))
        moment = reference - amount * step
        # Minutes and hours pin a time; days and weeks only a date.
        return _format(moment) if step < timedelta(days=1) else moment.date().isoformat()
    if YESTERDAY.search(text):
        return (reference - timedelta(days=1)).date().isoformat()
    if TODAY.search(text):
        return reference.date().isoformat()
    return None
