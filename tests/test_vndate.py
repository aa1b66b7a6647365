"""The Vietnamese date/time parser: the ways secretaries type a meeting time, and the failures.

Reference instant: Thursday 26/11/2026 10:00 in Asia/Ho_Chi_Minh (the FakeClock's default).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.vndate import (
    VnDateError,
    format_vn_datetime,
    format_vn_duration,
    format_vn_span,
    format_vn_when,
    parse_vn_date_result,
    parse_vn_datetime,
    parse_vn_datetime_result,
    parse_vn_duration,
    parse_vn_time,
)

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=TZ)  # a Thursday


def at(day: int, month: int, hour: int, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The three required forms.
        ("19/12 14:00", at(19, 12, 14)),
        ("14h 19/12/2026", at(19, 12, 14)),
        ("thứ 6 tuần sau 8h", at(4, 12, 8)),
        # Hours written with h / g / giờ, minutes, "rưỡi", "kém".
        ("14g30 19/12", at(19, 12, 14, 30)),
        ("14h30 19/12", at(19, 12, 14, 30)),
        ("14h30' 19/12", at(19, 12, 14, 30)),
        ("14h00 19/12", at(19, 12, 14)),
        ("14:30 ngày 19/12", at(19, 12, 14, 30)),
        ("lúc 14 giờ ngày 19/12", at(19, 12, 14)),
        ("ngày 19 tháng 12 năm 2026 lúc 14 giờ 30", at(19, 12, 14, 30)),
        ("19 tháng 12, 8h", at(19, 12, 8)),
        ("8 giờ kém 15 thứ hai", at(30, 11, 7, 45)),
        ("2 giờ rưỡi chiều mai", at(27, 11, 14, 30)),
        # Other date spellings.
        ("2026-12-19 14:00", at(19, 12, 14)),
        ("19.12.2026 14h", at(19, 12, 14)),
        ("19-12-26 8h", at(19, 12, 8)),
        ("14h, 19/12", at(19, 12, 14)),
        ("14h 19/12/2026.", at(19, 12, 14)),
        # Relative days and parts of the day.
        ("sáng mai 8h", at(27, 11, 8)),
        ("chiều nay 14h", at(26, 11, 14)),
        ("chiều nay 2h", at(26, 11, 14)),
        ("7h tối thứ 3", at(1, 12, 19)),
        ("12h trưa mai", at(27, 11, 12)),
        ("1h trưa mai", at(27, 11, 13)),
        ("mốt 8h", at(28, 11, 8)),
        ("ngày kia 8h", at(28, 11, 8)),
        ("hôm nay 15h", at(26, 11, 15)),
        # Weekdays: digits, words, Sunday, abbreviations; this week and next.
        ("thứ hai 8h", at(30, 11, 8)),
        ("thứ 2 14h", at(30, 11, 14)),
        ("chủ nhật 8h", at(29, 11, 8)),
        ("cn tuần sau 7h30", at(6, 12, 7, 30)),
        ("T6 tuần này 8h", at(27, 11, 8)),
        ("thứ sáu tuần sau 8h", at(4, 12, 8)),
        ("thứ 6 tuần tới 8h", at(4, 12, 8)),
        ("thứ 7, 19/12 14h", at(19, 12, 14)),
        # Without diacritics, in capitals.
        ("thu 6 tuan sau 8h", at(4, 12, 8)),
        ("SANG MAI 8H", at(27, 11, 8)),
        ("chieu thu nam 3h", at(26, 11, 15)),
    ],
)
def test_parses_common_forms(text: str, expected: datetime) -> None:
    result = parse_vn_datetime_result(text, NOW)
    assert result.ok, result.message
    assert result.value == expected
    assert result.value.tzinfo is TZ
    assert parse_vn_datetime(text, NOW) == expected


def test_today_weekday_rolls_to_next_week_once_the_hour_has_passed() -> None:
    # It is Thursday 10:00: "thứ năm 14h" is this afternoon, "thứ năm 8h" next Thursday.
    assert parse_vn_datetime("thứ năm 14h", NOW) == at(26, 11, 14)
    assert parse_vn_datetime("thứ năm 8h", NOW) == at(3, 12, 8)
    # With "tuần này" the day is taken literally even if past: the meeting rules refuse it.
    assert parse_vn_datetime("thứ hai tuần này 8h", NOW) == at(23, 11, 8)


def test_yearless_date_goes_to_next_year_only_when_well_in_the_past() -> None:
    assert parse_vn_datetime("5/1 8h", NOW) == at(5, 1, 8, year=2027)
    # Six days ago stays in 2026, so the caller can say "đã qua" instead of moving a year.
    assert parse_vn_datetime("20/11 8h", NOW) == at(20, 11, 8)


@pytest.mark.parametrize(
    ("text", "error", "detail"),
    [
        ("", VnDateError.EMPTY, ""),
        ("   ", VnDateError.EMPTY, ""),
        ("19/12", VnDateError.NO_TIME, ""),
        ("thứ 6 tuần sau", VnDateError.NO_TIME, ""),
        ("sáng mai", VnDateError.NO_TIME, "sáng"),
        ("14h", VnDateError.NO_DATE, ""),
        ("tuần sau 8h", VnDateError.NO_DATE, "tuần sau"),
        ("ngày", VnDateError.NO_DATE, ""),
        ("19/12 25h", VnDateError.BAD_TIME, "25h"),
        ("19/12 14:75", VnDateError.BAD_TIME, "14:75"),
        ("sáng 14h 19/12", VnDateError.BAD_TIME, "14h sáng"),
        ("31/2 14h", VnDateError.BAD_DATE, "31/2"),
        ("32/12/2026 8h", VnDateError.BAD_DATE, "32/12/2026"),
        ("19/13 8h", VnDateError.BAD_DATE, "19/13"),
        ("29/2 8h", VnDateError.BAD_DATE, "29/2"),
        ("19/12 20/12 14h", VnDateError.CONFLICT, "19/12, 20/12"),
        ("19/12 14h 15h", VnDateError.CONFLICT, "14h, 15h"),
        ("thứ 6 19/12 14h", VnDateError.CONFLICT, "19/12 là Thứ Bảy, không phải thứ 6"),
        ("mai 19/12 14h", VnDateError.CONFLICT, "19/12, mai"),
        ("19/12 14:00 tuần sau", VnDateError.CONFLICT, "19/12, tuần sau"),
        ("19/12 14h hội trường", VnDateError.UNRECOGNISED, "hội trường"),
        ("một giờ chiều mai", VnDateError.UNRECOGNISED, "một giờ"),
        ("asap", VnDateError.UNRECOGNISED, "asap"),
        ("14.30 19/12", VnDateError.UNRECOGNISED, "14.30"),
    ],
)
def test_failures_say_why(text: str, error: VnDateError, detail: str) -> None:
    result = parse_vn_datetime_result(text, NOW)
    assert result.value is None
    assert result.error is error
    assert result.detail == detail
    assert parse_vn_datetime(text, NOW) is None


def test_error_messages_are_vietnamese_and_quote_the_input() -> None:
    assert "Thiếu giờ" in parse_vn_datetime_result("19/12", NOW).message
    assert "Thiếu ngày" in parse_vn_datetime_result("14h", NOW).message
    assert "“hội trường”" in parse_vn_datetime_result("19/12 14h hội trường", NOW).message
    assert "“31/2”" in parse_vn_datetime_result("31/2 14h", NOW).message
    assert "Thứ Bảy" in parse_vn_datetime_result("thứ 6 19/12 14h", NOW).message
    assert parse_vn_datetime_result("19/12 14h", NOW).message == ""


def test_naive_reference_is_refused() -> None:
    with pytest.raises(ValueError):
        parse_vn_datetime("19/12 14h", datetime(2026, 11, 26, 10, 0))


def test_result_keeps_the_reference_zone_and_converts_to_utc() -> None:
    value = parse_vn_datetime("19/12 14:00", NOW)
    assert value is not None
    assert value.astimezone(ZoneInfo("UTC")).hour == 7  # UTC+7, no daylight saving


def test_date_only_parser_for_deadlines() -> None:
    result = parse_vn_date_result("31/12", NOW)
    assert result.ok and result.day == date(2026, 12, 31) and result.value is None
    assert parse_vn_date_result("thứ 6 tuần sau", NOW).day == date(2026, 12, 4)
    assert parse_vn_date_result("mai", NOW).day == date(2026, 11, 27)
    with_time = parse_vn_date_result("31/12 17h", NOW)
    assert with_time.value == at(31, 12, 17)
    assert parse_vn_date_result("17h", NOW).error is VnDateError.NO_DATE
    assert parse_vn_date_result("31/2", NOW).error is VnDateError.BAD_DATE


def test_time_only_and_durations() -> None:
    assert parse_vn_time("16h30") == time(16, 30)
    assert parse_vn_time("4 giờ chiều") == time(16, 0)
    assert parse_vn_time("16:00") == time(16, 0)
    assert parse_vn_time("19/12") is None
    assert parse_vn_time("19/12 16h") is None
    assert parse_vn_time("26h") is None
    assert parse_vn_duration("90 phút") == timedelta(minutes=90)
    assert parse_vn_duration("2 tiếng") == timedelta(hours=2)
    assert parse_vn_duration("1 tiếng rưỡi") == timedelta(minutes=90)
    assert parse_vn_duration("1h30") == timedelta(minutes=90)
    assert parse_vn_duration("120p") == timedelta(minutes=120)
    assert parse_vn_duration("2 giờ 15") == timedelta(minutes=135)
    assert parse_vn_duration("0 phút") is None
    assert parse_vn_duration("1h75") is None
    assert parse_vn_duration("một lúc") is None


def test_format_for_previews() -> None:
    assert format_vn_datetime(at(4, 12, 8), TZ) == "08:00 Thứ Sáu, 04/12/2026"
    utc = datetime(2026, 12, 19, 7, 0, tzinfo=ZoneInfo("UTC"))
    assert format_vn_datetime(utc, TZ) == "14:00 Thứ Bảy, 19/12/2026"


def test_yesterday_is_understood_so_the_caller_can_say_it_is_past() -> None:
    # "hôm qua" was "Chưa hiểu phần “qua”": the secretary was told the words were wrong,
    # not that the day had passed.
    assert parse_vn_datetime("hôm qua 8h", NOW) == at(25, 11, 8)
    assert parse_vn_datetime("8h sáng hôm qua", NOW) == at(25, 11, 8)
    assert parse_vn_datetime("HOM QUA 14:00", NOW) == at(25, 11, 14)
    assert parse_vn_date_result("hôm qua", NOW).day == date(2026, 11, 25)
    assert parse_vn_datetime_result("hôm qua", NOW).error is VnDateError.NO_TIME
    conflict = parse_vn_datetime_result("hôm qua 26/11 8h", NOW)
    assert conflict.error is VnDateError.CONFLICT and conflict.detail == "26/11, hôm qua"
    assert parse_vn_datetime_result("qua 8h", NOW).error is VnDateError.UNRECOGNISED


def test_a_moment_and_a_span_in_words() -> None:
    assert format_vn_when(at(11, 12, 14), TZ) == "Thứ Sáu, 11/12/2026, 14:00"
    assert format_vn_span(at(11, 12, 14), at(11, 12, 16), TZ) == "Thứ Sáu, 11/12/2026, 14:00–16:00"
    utc = ZoneInfo("UTC")
    start, end = at(11, 12, 14).astimezone(utc), at(11, 12, 15, 30).astimezone(utc)
    assert format_vn_span(start, end, TZ) == "Thứ Sáu, 11/12/2026, 14:00–15:30"
    # Past midnight, the end names its own day.
    assert format_vn_span(at(11, 12, 20), at(12, 12, 1), TZ) == (
        "Thứ Sáu, 11/12/2026, 20:00 – Thứ Bảy, 12/12/2026, 01:00"
    )
    assert format_vn_duration(90) == "1 tiếng 30 phút"
    assert format_vn_duration(480) == "8 tiếng"
    assert format_vn_duration(45) == "45 phút"
