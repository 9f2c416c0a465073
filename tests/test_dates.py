"""Machine dates normalised to ISO-8601; dates written for readers parsed, French first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cleaners.metadata.dates import (
    date_from_url,
    has_offset,
    labelled_dates,
    normalize_iso,
    offset_of,
    parse_visible_date,
)

PARIS_SUMMER = timezone(timedelta(hours=2))
FETCHED = datetime(2025, 6, 27, 14, 16, tzinfo=PARIS_SUMMER)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2025-08-19T10:46:00+03:00", "2025-08-19T10:46:00+03:00"),  # offset kept, not converted
        ("2025-08-19T07:46:00Z", "2025-08-19T07:46:00+00:00"),
        ("2025-08-19T07:46:00.123Z", "2025-08-19T07:46:00+00:00"),
        ("2025-08-19T10:46:00+0300", "2025-08-19T10:46:00+03:00"),
        ("2025-08-19T10:46:00+03", "2025-08-19T10:46:00+03:00"),
        ("2025-08-19T10:46", "2025-08-19T10:46:00"),  # no offset given, none invented
        ("2025-8-9 7:05", "2025-08-09T07:05:00"),
        ("  2025-08-19 ", "2025-08-19"),
        ("Tue, 19 Aug 2025 10:46:00 GMT", "2025-08-19T10:46:00+00:00"),
        ("Tue, 19 Aug 2025 10:46:00 +0300", "2025-08-19T10:46:00+03:00"),
    ],
)
def test_normalize_iso(raw: str, expected: str) -> None:
    assert normalize_iso(raw) == expected


@pytest.mark.parametrize("raw", ["", "   ", "hier", "2025-13-45", "2025-02-30", "0000", None])
def test_normalize_iso_rejects_non_dates(raw: str | None) -> None:
    assert normalize_iso(raw) is None


def test_offset_helpers() -> None:
    assert has_offset("2025-08-19T10:46:00+03:00")
    assert offset_of("2025-08-19T10:46:00-05:00") == "-05:00"
    assert not has_offset("2025-08-19T10:46:00")
    assert offset_of("2025-08-19") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("27 juin 2025 14:16", "2025-06-27T14:16:00"),
        ("Publié le 27 juin 2025 à 14h16", "2025-06-27T14:16:00"),
        ("Mis à jour le 12 décembre 2024 à 9 h 05", "2024-12-12T09:05:00"),
        ("1er juillet 2025", "2025-07-01"),
        ("19/08/2025", "2025-08-19"),  # day first
        ("19.08.2025 10:46", "2025-08-19T10:46:00"),
        ("08/19/2025", "2025-08-19"),  # can only be month first
        ("2025/08/19", "2025-08-19"),
        ("June 27, 2025 2:16 pm", "2025-06-27T14:16:00"),
        ("Friday, June 27th 2025", "2025-06-27"),
        ("21 abril, 2022", "2022-04-21"),
        ("21 de abril de 2022", "2022-04-21"),
        ("27. Juni 2025, 14.16 Uhr", "2025-06-27T14:16:00"),
        ("19 серпня 2025", "2025-08-19"),
        ("5 févr. 2025", "2025-02-05"),
    ],
)
def test_absolute_visible_dates(text: str, expected: str) -> None:
    assert parse_visible_date(text) == expected
    assert parse_visible_date(text, FETCHED) == expected  # the fetch time changes nothing


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("il y a 6 heures", "2025-06-27T08:16:00+02:00"),
        ("Il y a une heure", "2025-06-27T13:16:00+02:00"),
        ("il y a 20 min", "2025-06-27T13:56:00+02:00"),
        ("6 hours ago", "2025-06-27T08:16:00+02:00"),
        ("vor 2 Stunden", "2025-06-27T12:16:00+02:00"),
        ("hace 5 minutos", "2025-06-27T14:11:00+02:00"),
        ("il y a 3 jours", "2025-06-24"),  # days: only the date is known
        ("2 weeks ago", "2025-06-13"),
        ("hier à 10h", "2025-06-26"),
        ("Aujourd'hui", "2025-06-27"),
    ],
)
def test_relative_visible_dates_against_the_fetch_time(text: str, expected: str) -> None:
    assert parse_visible_date(text, FETCHED) == expected


def test_relative_dates_are_not_guessed_without_a_fetch_time() -> None:
    assert parse_visible_date("il y a 6 heures") is None
    assert parse_visible_date("hier") is None


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Partager",
        "31 février 2025",
        "le 45/13/2025",
        "12 commentaires 2025",
        "Il y a des heures difficiles",
    ],
)
def test_not_a_date(text: str) -> None:
    assert parse_visible_date(text, FETCHED) is None


def test_first_date_wins() -> None:
    text = "Publié le 27 juin 2025, mis à jour le 3 juillet 2025"
    assert parse_visible_date(text) == "2025-06-27"


def test_impossible_clock_keeps_the_date() -> None:
    assert parse_visible_date("27 juin 2025 99:99") == "2025-06-27"


@given(
    st.text(max_size=200),
    st.datetimes(timezones=st.sampled_from([None, UTC, timezone(timedelta(hours=14))])),
)
def test_never_raises_and_returns_iso(text: str, reference: datetime) -> None:
    for found in (parse_visible_date(text, reference), normalize_iso(text), date_from_url(text)):
        if found is not None:
            datetime.fromisoformat(found)


def test_absurd_relative_amounts_are_not_dates() -> None:
    assert parse_visible_date("il y a 99999999999 heures", FETCHED) is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://exemple.fr/2025/06/27/crue-loire/", "2025-06-27"),
        ("https://exemple.fr/2025/6/7/crue", "2025-06-07"),
        ("https://exemple.fr/actu/2025-06-27/crue", "2025-06-27"),
        ("https://exemple.fr/a/20250627-crue.html", "2025-06-27"),
        ("https://exemple.fr/2025/crue", None),
        ("https://exemple.fr/2025/13/45/crue", None),
        ("https://exemple.fr/photos/01/07/06/04/x.jpg", None),
        ("https://exemple.fr/article/12345678-crue", None),
        (None, None),
    ],
)
def test_date_from_url(url: str | None, expected: str | None) -> None:
    assert date_from_url(url) == expected


def test_reference_at_the_edge_of_time_gives_no_relative_date() -> None:
    assert parse_visible_date("il y a 6 heures", datetime(1, 1, 1, tzinfo=UTC)) is None
    assert parse_visible_date("hier", datetime(1, 1, 1)) is None


# --- labels, zones and ambiguity ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Publié le 3 juin 2025 à 14h16, mis à jour le 4 juin 2025 à 09h05",
            [("2025-06-03T14:16:00", "published"), ("2025-06-04T09:05:00", "modified")],
        ),
        (
            "August 16, 2019 - Updated July 9, 2025",
            [("2019-08-16", None), ("2025-07-09", "modified")],
        ),
        ("Aktualisiert am 27. Juni 2025", [("2025-06-27", "modified")]),
        ("Dernière mise à jour : 12 décembre 2025", [("2025-12-12", "modified")]),
        ("Опубліковано 19 серпня 2025", [("2025-08-19", "published")]),
        (
            "公開日：2026年12月1日　更新日：2026年12月3日",
            [("2026-12-01", "published"), ("2026-12-03", "modified")],
        ),
        (
            "입력 2026.12.01 09:00 수정 2026.12.03 18:40",
            [("2026-12-01T09:00:00", "published"), ("2026-12-03T18:40:00", "modified")],
        ),
        ("发布时间：2026-12-03 18:40", [("2026-12-03T18:40:00", "published")]),
        # the clock after "Updated" is the update's, not the date's
        ("Dec 3, 2026 Updated 6:12 PM", [("2026-12-03", None)]),
        ("Partager", []),
    ],
)
def test_labelled_dates(text: str, expected: list[tuple[str, str | None]]) -> None:
    assert labelled_dates(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("27 juin 2025 à 14h16 CEST", "2025-06-27T14:16:00+02:00"),
        ("June 27, 2025 2:16 pm EST", "2025-06-27T14:16:00-05:00"),
        ("27.06.2025 14:16 (UTC+2)", "2025-06-27T14:16:00+02:00"),
        ("June 27, 2025 2:16 PM GMT+05:30", "2025-06-27T14:16:00+05:30"),
        ("27 June 2025 14:16 IST", "2025-06-27T14:16:00"),  # ambiguous zone: none
        ("27 juin 2025 14:16 UTC+15", "2025-06-27T14:16:00"),  # no such offset
    ],
)
def test_a_zone_written_after_the_time_is_kept(text: str, expected: str) -> None:
    assert parse_visible_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026年12月3日 18時40分", "2026-12-03T18:40:00"),
        ("2026年12月3日 午後6時40分", "2026-12-03T18:40:00"),
        ("记者 王芳 2026年12月3日18时40分", "2026-12-03T18:40:00"),
        ("2026년 12월 3일 오후 6시 40분", "2026-12-03T18:40:00"),
        ("입력 2026.12.03. 오후 6:40", "2026-12-03T18:40:00"),
        ("2026년 12월 3일 오전 12:30", "2026-12-03T00:30:00"),
        ("2026年12月3日 午前9時05分", "2026-12-03T09:05:00"),
        ("12026年12月3日", None),  # not a year
    ],
)
def test_chinese_japanese_and_korean_dates(text: str, expected: str | None) -> None:
    assert parse_visible_date(text) == expected


def test_numeric_dates_both_ways() -> None:
    assert labelled_dates("03/09/2026") == [("2026-09-03", None)]  # day first by default
    assert labelled_dates("03/09/2026", month_first=True) == [("2026-03-09", None)]
    assert labelled_dates("19/08/2025", month_first=True) == [("2025-08-19", None)]


def test_written_dates_in_machine_fields() -> None:
    assert normalize_iso("Dec 03, 2025") == "2025-12-03"
    assert normalize_iso("03-09-2026") is None  # 3 September or 9 March: no evidence
    assert normalize_iso("03-19-2026") == "2026-03-19"
