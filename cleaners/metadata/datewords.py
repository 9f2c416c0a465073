"""The words dates are written with, in the nine languages the cleaner reads.

English, French, German, Spanish, Italian, Portuguese, Polish, Ukrainian and Russian:
month names, the words of relative dates ("il y a 6 heures"), and the labels that say
whether a date shown on a page is the publication or the last update.
"""

from __future__ import annotations

import re
from datetime import timedelta

# Month names in the languages the cleaner targets: full forms, the genitive forms
# Slavic languages use in dates, and the abbreviations newsrooms print.
MONTH_NAMES: dict[int, tuple[str, ...]] = {
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
MONTHS: dict[str, int] = {name: number for number, names in MONTH_NAMES.items() for name in names}

ONE = r"un|une|a|an|one|ein|eine|einer|einem|uno|una|um|uma"
# Each unit of a relative date, in the languages above, and the time it stands for.
UNIT_STEPS = tuple(
    (re.compile(pattern, re.IGNORECASE), step)
    for pattern, step in (
        (r"min(?:ute|uto|ut)?s?|minuten", timedelta(minutes=1)),
        (r"h|hrs?|hours?|heures?|stunden?|horas?|or[ae]", timedelta(hours=1)),
        (r"days?|jours?|tage?n?|días?|dias?|giorn[oi]", timedelta(days=1)),
        (r"weeks?|semaines?|wochen?|semanas?|settiman[ae]", timedelta(weeks=1)),
    )
)
YESTERDAY = re.compile(
    r"\b(?:yesterday|hier|gestern|ayer|ieri|ontem|wczoraj|вчора|вчера)\b", re.IGNORECASE
)
TODAY = re.compile(
    r"\b(?:today|aujourd'hui|aujourd’hui|heute|hoy|oggi|hoje|dzisiaj|"
    r"сьогодні|сегодня)\b",
    re.IGNORECASE,
)

WEEKDAYS = frozenset(
    {
        "monday",
        "mon",
        "tuesday",
        "tue",
        "tues",
        "wednesday",
        "wed",
        "thursday",
        "thu",
        "thurs",
        "friday",
        "fri",
        "saturday",
        "sat",
        "sunday",
        "sun",
        "lundi",
        "mardi",
        "mercredi",
        "jeudi",
        "vendredi",
        "samedi",
        "dimanche",
        "montag",
        "dienstag",
        "mittwoch",
        "donnerstag",
        "freitag",
        "samstag",
        "sonntag",
        "lunes",
        "martes",
        "miércoles",
        "jueves",
        "viernes",
        "sábado",
        "domingo",
        "lunedì",
        "martedì",
        "mercoledì",
        "giovedì",
        "venerdì",
        "sabato",
        "domenica",
    }
)


def is_date_word(text: str) -> bool:
    """Whether ``text`` is only a weekday or a month name ("Sat", "juin")."""
    word = text.strip(" .,").casefold()
    return word in WEEKDAYS or word in MONTHS


# Time-zone abbreviations pages print after a time, and their UTC offsets in hours.
# Ambiguous ones (IST, AST, CST in China) are left out: a wrong zone is worse than none.
ZONE_OFFSETS: dict[str, float] = {
    "UTC": 0,
    "GMT": 0,
    "WET": 0,
    "WEST": 1,
    "BST": 1,
    "CET": 1,
    "CEST": 2,
    "MEZ": 1,
    "MESZ": 2,
    "EET": 2,
    "EEST": 3,
    "MSK": 3,
    "EST": -5,
    "EDT": -4,
    "CDT": -5,
    "MST": -7,
    "MDT": -6,
    "PST": -8,
    "PDT": -7,
}


# A date shown after one of these is the last update, not the publication.
MODIFIED_LABEL = re.compile(
    r"\b(?:updated|last\s+updated|modified|edited|revised|mise?\s+à\s+jour|modifié|actualisé|"
    r"aktualisiert|geändert|actualizado|actualización|modificado|aggiornat[oa]|aggiornamento|"
    r"modificato|atualizado|atualização|zaktualizowan[oy]|aktualizacja|оновлено|обновлено)\b"
    # Chinese, Japanese and Korean words run into their neighbours: no word boundaries.
    r"|更新|修正|수정|업데이트",
    re.IGNORECASE,
)
# A date shown after one of these is the publication ("Publié le 27 juin 2025").
PUBLISHED_LABEL = re.compile(
    r"\b(?:published|posted|publié|publiée|veröffentlicht|publicado|publicada|pubblicato|"
    r"pubblicata|opublikowano|publikacja|опубліковано|опубликовано)\b"
    r"|公開|配信|掲載|投稿|发布|發布|发表|發表|입력|등록",
    re.IGNORECASE,
)
