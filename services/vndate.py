"""Dates and times the way Vietnamese members type them.

Secretaries type a meeting time into a chat, on a phone, often without diacritics:
``19/12 14:00``, ``14h 19/12/2026``, ``14g30``, ``14:30 ngày 19/12``, ``thứ 6 tuần sau 8h``,
``sáng mai 8h``, ``chiều nay 2 giờ``, ``8 giờ kém 15 thứ hai``. This module turns such text
into an aware local datetime, or says precisely what was wrong so the chat can ask again.

Everything here is pure: the reference instant (`now_local`) comes from the caller, the time
zone is the one `now_local` carries, and nothing reads the clock or the database.

Conventions (documented because they are choices, not facts):
- The week starts on Monday ("thứ hai"); "thứ 2".."thứ 7" are Monday..Saturday, "chủ nhật" Sunday.
- A weekday alone means its next occurrence (today counts, unless the time has already passed);
  with "tuần này"/"tuần sau" it means that day of this or next week, even if already past.
- A date without a year is this year, unless it lies more than `YEARLESS_PAST_DAYS` in the past,
  then next year: "5/1" typed in December is next January, while "20/11" typed on 26/11 stays
  in the past so the meeting rules can refuse it instead of silently moving it a year ahead.
- Hours are taken literally (``2h`` is 02:00) unless a part of day says otherwise
  (``2h chiều`` is 14:00); the chat shows a preview before anything is saved.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from zoneinfo import ZoneInfo

from services import texts
from services.textnorm import strip_diacritics

# The party's day runs on Vietnam's clock unless TIMEZONE says otherwise (bot.settings).
DEFAULT_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

YEARLESS_PAST_DAYS = 90
WEEKDAY_NAMES = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")

# Words that carry no meaning for the date: "lúc", "vào", "ngày", "buổi", "họp", "bắt đầu".
_FILLERS = frozenset({"luc", "vao", "ngay", "buoi", "hom", "nhe", "hop", "bat", "dau", "a"})
_PUNCTUATION = frozenset(",.;:-–—()!?'\"“”")

_WEEK = re.compile(r"\btuan\s+(nay|sau|toi|ke\s+tiep|ke|truoc)\b")
_ISO = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_DMY = re.compile(r"\b(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2})\b")
_DM = re.compile(r"\b(\d{1,2})[/\-](\d{1,2})\b(?![/.\-]\d)")
_DATE_WORDS = re.compile(r"\b(\d{1,2})\s+thang\s+(\d{1,2})(?:\s*(?:,\s*)?nam\s+(\d{4}))?\b")
_RELATIVE = re.compile(r"\b(hom\s+nay|hom\s+qua|ngay\s+mai|ngay\s+kia|ngay\s+mot|nay|mai|mot)\b")
_WEEKDAY = re.compile(r"\b(?:thu\s*(2|3|4|5|6|7|hai|ba|tu|nam|sau|bay)|chu\s*nhat|cn|t([2-7]))\b")
_CLOCK = re.compile(r"(?<![\d/.\-:])(\d{1,2}):(\d{2})(?![\d/:])")
_HOUR = re.compile(
    r"(?<![\d/.\-:])(\d{1,2})\s*(?:h|g|gio)"
    r"(?:\s*(ruoi)\b|\s*kem\s*(\d{1,2})(?:\s*(?:p|phut))?\b"
    r"|\s*(\d{1,2})(?![\d/.\-:])(?:\s*(?:phut|ph|p|')(?![a-z]))?)?"
    r"(?![a-z\d])"
)
_PART = re.compile(r"\b(sang|trua|chieu|toi|dem)\b")
_DURATION = re.compile(
    r"^(?:(\d{1,2})\s*(?:tieng|gio|h|g)(?:\s*(ruoi)|\s*(\d{1,2})\s*(?:phut|ph|p)?)?"
    r"|(\d{1,3})\s*(?:phut|ph|p))$"
)

_WEEKDAY_WORDS = {"hai": 0, "ba": 1, "tu": 2, "nam": 3, "sau": 4, "bay": 5}
_WEEK_OFFSETS = {"nay": 0, "sau": 1, "toi": 1, "ke": 1, "ke tiep": 1, "truoc": -1}
_RELATIVE_DAYS = {"hom nay": 0, "nay": 0, "ngay mai": 1, "mai": 1, "ngay kia": 2, "ngay mot": 2}
_RELATIVE_DAYS["mot"] = 2
# "hôm qua" (yesterday) is understood so that the caller can say "already past" (or accept it
# for a record of something done) instead of "not understood".
_RELATIVE_DAYS["hom qua"] = -1


class VnDateError(StrEnum):
    """Why a text is not a usable date and time; each has a Vietnamese message in texts.py."""

    EMPTY = "empty"
    NO_DATE = "no_date"
    NO_TIME = "no_time"
    BAD_DATE = "bad_date"
    BAD_TIME = "bad_time"
    CONFLICT = "conflict"
    UNRECOGNISED = "unrecognised"


_MESSAGES = {
    VnDateError.EMPTY: texts.VNDATE_EMPTY,
    VnDateError.NO_DATE: texts.VNDATE_NO_DATE,
    VnDateError.NO_TIME: texts.VNDATE_NO_TIME,
    VnDateError.BAD_DATE: texts.VNDATE_BAD_DATE,
    VnDateError.BAD_TIME: texts.VNDATE_BAD_TIME,
    VnDateError.CONFLICT: texts.VNDATE_CONFLICT,
    VnDateError.UNRECOGNISED: texts.VNDATE_UNRECOGNISED,
}


@dataclass(frozen=True)
class VnDateResult:
    """The outcome of parsing: `value` (aware, local) and/or `day`, or an `error` with `detail`.

    `detail` quotes the part of the input at fault, in the user's own spelling, so the reply can
    point at it ("Chưa hiểu phần “hội trường”").
    """

    value: datetime | None = None
    day: date | None = None
    error: VnDateError | None = None
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def message(self) -> str:
        """The Vietnamese sentence explaining the error; empty when parsing succeeded."""
        if self.error is None:
            return ""
        return _MESSAGES[self.error].format(detail=self.detail)


class _Fail(Exception):
    def __init__(self, error: VnDateError, detail: str = "") -> None:
        super().__init__(error)
        self.error = error
        self.detail = detail


@dataclass
class _Scan:
    """What the text said, before it is resolved against today."""

    original: str
    work: str
    day: date | None = None
    day_text: str = ""
    weekday: int | None = None
    week_offset: int | None = None
    relative: int | None = None
    yearless: tuple[int, int] | None = None
    hour: int | None = None
    minute: int = 0
    part: str | None = None
    seen: dict[str, str] = field(default_factory=dict)

    def take(self, match: re.Match[str]) -> str:
        """Blank the match out of the working text; return the user's own spelling of it."""
        start, end = match.span()
        self.work = self.work[:start] + " " * (end - start) + self.work[end:]
        return self.original[start:end].strip()

    def once(self, slot: str, spelling: str) -> None:
        """Each slot (date, weekday, time…) may be given once; a second one is a conflict."""
        if slot in self.seen:
            raise _Fail(VnDateError.CONFLICT, f"{self.seen[slot]}, {spelling}")
        self.seen[slot] = spelling


def _fold_chars(text: str) -> str:
    """Lower case without diacritics, one character per character, so spans map back."""
    out = []
    for ch in text:
        folded = strip_diacritics(ch).lower()
        out.append(folded if len(folded) == 1 else ch.lower())
    return "".join(out)


def _make_date(year: int, month: int, day: int, spelling: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise _Fail(VnDateError.BAD_DATE, spelling) from None


def _scan(text: str) -> _Scan:
    original = unicodedata.normalize("NFC", text or "").strip()
    if not original:
        raise _Fail(VnDateError.EMPTY)
    scan = _Scan(original=original, work=_fold_chars(original))

    for m in list(_WEEK.finditer(scan.work)):
        spelling = scan.take(m)
        scan.once("week", spelling)
        scan.week_offset = _WEEK_OFFSETS[re.sub(r"\s+", " ", m.group(1))]

    for m in list(_ISO.finditer(scan.work)):
        spelling = scan.take(m)
        scan.once("date", spelling)
        scan.day = _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)), spelling)
    for m in list(_DMY.finditer(scan.work)):
        spelling = scan.take(m)
        scan.once("date", spelling)
        year = int(m.group(4))
        year = year + 2000 if year < 100 else year
        scan.day = _make_date(year, int(m.group(3)), int(m.group(1)), spelling)
    for m in list(_DATE_WORDS.finditer(scan.work)):
        spelling = scan.take(m)
        scan.once("date", spelling)
        if m.group(3):
            scan.day = _make_date(int(m.group(3)), int(m.group(2)), int(m.group(1)), spelling)
        else:
            scan.yearless = (int(m.group(2)), int(m.group(1)))
    for m in list(_DM.finditer(scan.work)):
        spelling = scan.take(m)
        scan.once("date", spelling)
        scan.yearless = (int(m.group(2)), int(m.group(1)))
    if scan.yearless is not None:
        month, mday = scan.yearless
        # Validate against a leap year so that 29/02 is judged when the year is known.
        _make_date(2024, month, mday, scan.seen["date"])
        scan.day_text = scan.seen["date"]

    for m in list(_CLOCK.finditer(scan.work)):
        spelling = scan.take(m)
        scan.once("time", spelling)
        scan.hour, scan.minute = int(m.group(1)), int(m.group(2))
    for m in list(_HOUR.finditer(scan.work)):
        spelling = scan.take(m)
        scan.once("time", spelling)
        hour = int(m.group(1))
        minute = 0
        if m.group(2):
            minute = 30
        elif m.group(3):
            hour, minute = hour - 1, 60 - int(m.group(3))
            if not 0 < int(m.group(3)) < 60:
                raise _Fail(VnDateError.BAD_TIME, spelling)
        elif m.group(4):
            minute = int(m.group(4))
        scan.hour, scan.minute = hour, minute
    if scan.hour is not None and not (0 <= scan.hour <= 23 and 0 <= scan.minute <= 59):
        raise _Fail(VnDateError.BAD_TIME, scan.seen["time"])

    for m in list(_RELATIVE.finditer(scan.work)):
        if scan.original[m.start() : m.end()].lower().endswith("một"):
            continue  # "một" (one) folds like "mốt" (the day after tomorrow): not a day
        spelling = scan.take(m)
        scan.once("relative", spelling)
        scan.relative = _RELATIVE_DAYS[re.sub(r"\s+", " ", m.group(1))]
    for m in list(_WEEKDAY.finditer(scan.work)):
        spelling = scan.take(m)
        scan.once("weekday", spelling)
        if m.group(1):
            token = m.group(1)
            scan.weekday = int(token) - 2 if token.isdigit() else _WEEKDAY_WORDS[token]
        elif m.group(2):
            scan.weekday = int(m.group(2)) - 2
        else:
            scan.weekday = 6
    for m in list(_PART.finditer(scan.work)):
        spelling = scan.take(m)
        scan.once("part", spelling)
        scan.part = m.group(1)

    leftovers = _leftovers(scan)
    if leftovers:
        raise _Fail(VnDateError.UNRECOGNISED, leftovers)
    return scan


def _leftovers(scan: _Scan) -> str:
    """The user's words that no pattern consumed and that are not harmless fillers."""
    unknown: list[str] = []
    for m in re.finditer(r"\S+", scan.work):
        word = m.group(0).strip("".join(_PUNCTUATION))
        if not word or word in _FILLERS:
            continue
        unknown.append(scan.original[m.start() : m.end()])
    return " ".join(unknown)


def _apply_part(hour: int, part: str | None, spelling: str) -> int:
    """`2h chiều` is 14:00; `sáng 14h` contradicts itself and is refused."""
    if part is None:
        return hour
    if part == "sang":
        if hour <= 11:
            return hour
    elif part == "trua":
        if hour in (11, 12, 13, 14):
            return hour
        if hour in (1, 2):
            return hour + 12
    elif part in ("chieu", "toi"):
        if 1 <= hour <= 11:
            return hour + 12
        if 12 <= hour <= 23:
            return hour
    elif part == "dem":
        if hour >= 21 or hour <= 4:
            return hour
        if 9 <= hour <= 11:
            return hour + 12
    raise _Fail(VnDateError.BAD_TIME, spelling)


def _resolve_day(scan: _Scan, now_local: datetime, clock: time | None) -> date:
    today = now_local.date()
    candidates: list[tuple[str, date]] = []
    if scan.day is not None:
        candidates.append((scan.seen["date"], scan.day))
    elif scan.yearless is not None:
        month, mday = scan.yearless
        try:
            guess = date(today.year, month, mday)
        except ValueError:  # 29/02 in a common year: the next leap year is too far to guess
            raise _Fail(VnDateError.BAD_DATE, scan.day_text) from None
        if guess < today - timedelta(days=YEARLESS_PAST_DAYS):
            guess = _make_date(today.year + 1, month, mday, scan.day_text)
        candidates.append((scan.day_text, guess))
    if scan.relative is not None:
        candidates.append((scan.seen["relative"], today + timedelta(days=scan.relative)))
    if scan.weekday is not None:
        if scan.week_offset is not None:
            monday = today - timedelta(days=today.weekday()) + timedelta(weeks=scan.week_offset)
            day = monday + timedelta(days=scan.weekday)
        elif candidates:
            # "thứ 6, 19/12": the weekday only double-checks the explicit date.
            day = candidates[0][1]
            if day.weekday() != scan.weekday:
                raise _Fail(
                    VnDateError.CONFLICT,
                    f"{candidates[0][0]} là {WEEKDAY_NAMES[day.weekday()]}, "
                    f"không phải {scan.seen['weekday']}",
                )
        else:
            day = today + timedelta(days=(scan.weekday - today.weekday()) % 7)
            if clock is not None and day == today and clock < now_local.time().replace(tzinfo=None):
                day += timedelta(weeks=1)
        candidates.append((scan.seen["weekday"], day))
    elif scan.week_offset is not None:
        if not candidates:
            raise _Fail(VnDateError.NO_DATE, scan.seen["week"])
        monday = today - timedelta(days=today.weekday()) + timedelta(weeks=scan.week_offset)
        if not monday <= candidates[0][1] <= monday + timedelta(days=6):
            raise _Fail(VnDateError.CONFLICT, f"{candidates[0][0]}, {scan.seen['week']}")
    if not candidates:
        raise _Fail(VnDateError.NO_DATE)
    first = candidates[0]
    for spelling, other in candidates[1:]:
        if other != first[1]:
            raise _Fail(VnDateError.CONFLICT, f"{first[0]}, {spelling}")
    return first[1]


def _resolve_clock(scan: _Scan) -> time | None:
    if scan.hour is None:
        if scan.part is not None:
            raise _Fail(VnDateError.NO_TIME, scan.seen["part"])
        return None
    spelling = scan.seen["time"]
    if scan.part is not None:
        spelling = f"{spelling} {scan.seen['part']}"
    return time(_apply_part(scan.hour, scan.part, spelling), scan.minute)


def _check_now(now_local: datetime) -> tzinfo:
    if now_local.tzinfo is None:
        raise ValueError("now_local must be timezone-aware")
    return now_local.tzinfo


def parse_vn_datetime_result(text: str, now_local: datetime) -> VnDateResult:
    """Parse a date *and* time; both are required (a meeting needs both).

    `now_local` is the current instant in the configured zone; the result carries that zone.
    """
    tz = _check_now(now_local)
    try:
        scan = _scan(text)
        clock = _resolve_clock(scan)
        if clock is None:
            # With neither a day nor a time, ask for the day first: the time usually follows it.
            named_day = (scan.day, scan.yearless, scan.relative, scan.weekday)
            if all(part is None for part in named_day):
                raise _Fail(VnDateError.NO_DATE)
            raise _Fail(VnDateError.NO_TIME)
        day = _resolve_day(scan, now_local, clock)
    except _Fail as fail:
        return VnDateResult(error=fail.error, detail=fail.detail)
    value = datetime.combine(day, clock, tzinfo=tz)
    return VnDateResult(value=value, day=day)


def parse_vn_datetime(text: str, now_local: datetime) -> datetime | None:
    """The aware local datetime the text names, or None; see `parse_vn_datetime_result` for why."""
    return parse_vn_datetime_result(text, now_local).value


def parse_vn_date_result(text: str, now_local: datetime) -> VnDateResult:
    """Parse a day (a task's deadline: "31/12", "thứ 6 tuần sau"); a time is allowed, not needed."""
    tz = _check_now(now_local)
    try:
        scan = _scan(text)
        clock = _resolve_clock(scan)
        day = _resolve_day(scan, now_local, clock)
    except _Fail as fail:
        return VnDateResult(error=fail.error, detail=fail.detail)
    value = datetime.combine(day, clock, tzinfo=tz) if clock is not None else None
    return VnDateResult(value=value, day=day)


def parse_vn_time(text: str) -> time | None:
    """A time of day alone ("16h", "16:30", "4 giờ chiều"), e.g. when a meeting ends."""
    try:
        scan = _scan(text)
        if scan.seen.keys() - {"time", "part"}:
            return None
        return _resolve_clock(scan)
    except _Fail:
        return None


def parse_vn_duration(text: str) -> timedelta | None:
    """A length of time: "90 phút", "2 tiếng", "1 tiếng rưỡi", "1h30", "120p"."""
    folded = re.sub(r"\s+", " ", _fold_chars(unicodedata.normalize("NFC", text or "")).strip())
    m = _DURATION.match(folded)
    if not m:
        return None
    if m.group(4):
        minutes = int(m.group(4))
    else:
        extra = 30 if m.group(2) else int(m.group(3) or 0)
        if extra > 59:
            return None
        minutes = int(m.group(1)) * 60 + extra
    return timedelta(minutes=minutes) if minutes > 0 else None


def format_vn_date(day: date) -> str:
    """`04/12/2026`, the way dates are written on Vietnamese documents."""
    return day.strftime("%d/%m/%Y")


def format_vn_month(month: date) -> str:
    """`12/2026`: a month as fee books and reports write it."""
    return f"{month.month:02d}/{month.year}"


def format_vn_datetime(value: datetime, tz: tzinfo) -> str:
    """`14:00 Thứ Sáu, 04/12/2026` in the given zone; for previews and notices."""
    local = value.astimezone(tz)
    return f"{local:%H:%M} {WEEKDAY_NAMES[local.weekday()]}, {format_vn_date(local.date())}"


def format_vn_when(value: datetime, tz: tzinfo) -> str:
    """`Thứ Sáu, 11/12/2026, 14:00`: a moment in words, the day first, as it is read back to
    the secretary who just typed "14h t6 tuần sau" (so a wrong guess is seen at once)."""
    local = value.astimezone(tz)
    return f"{WEEKDAY_NAMES[local.weekday()]}, {format_vn_date(local.date())}, {local:%H:%M}"


def format_vn_span(starts_at: datetime, ends_at: datetime, tz: tzinfo) -> str:
    """`Thứ Sáu, 11/12/2026, 14:00–16:00`: when a meeting starts *and* ends, so a member knows
    how long to set aside. An end on another day (an evening meeting past midnight) names
    that day too: `Thứ Sáu, 11/12/2026, 20:00 – Thứ Bảy, 12/12/2026, 01:00`."""
    start, end = starts_at.astimezone(tz), ends_at.astimezone(tz)
    if end.date() == start.date():
        return f"{format_vn_when(start, tz)}–{end:%H:%M}"
    return f"{format_vn_when(start, tz)} – {format_vn_when(end, tz)}"


def format_vn_duration(minutes: int) -> str:
    """`90` → "1 tiếng 30 phút": how people say a length of time."""
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return texts.FLOW_HOURS_MINUTES.format(hours=hours, minutes=rest)
    if hours:
        return texts.FLOW_HOURS.format(hours=hours)
    return texts.FLOW_MINUTES.format(minutes=rest)
