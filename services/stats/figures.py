"""Committee statistics for a subtree: what the weekly report and `/thongke` show, and the
lighter count of `/donvi` (`units_overview`: members and linked members per cell).

For each cell below the committee's units: members, members with a linked chat account, members
seen in the last `window` (30 days), meetings held this (local) month and whether the regular
one has been held or is still to come, attendance at meetings held in the window, directives the
cell's members received in the window and how many copies were acknowledged, and how many
members the Article 8 absence rule flags (Điều lệ Đảng; the same rule as
`services.meetings.attendance`: unexcused absences in `absence_flag_months` distinct months of a
year).

Every figure is one GROUP BY over the subtree's cells (a subquery on `units.lineage`), never a
query per cell: the weekly run covers every committee at once, up to the province's thousands of
cells. `collect` gathers the per-cell rows once; `build_report` sums them for any set of units,
so the weekly job computes the whole tree once and slices it for each committee member.

The same rows, one per meeting and per (directive, cell) over the window and the trend's eight
7-day periods, give each cell's per-period attendance and acknowledgement (`CellStats.weeks`):
the trend is recomputed from the records, no snapshot is stored.

Flagged members are counted, never named: the names are private to the cell's leadership
(`services.meetings.attendance.absence_flags`); a committee learns where to look, not whom.
Which cells need attention, and why, is `services.stats.attention`; the chart is
`services.stats.charts`.

Rendering (chart PNG with matplotlib, XLSX with openpyxl) is CPU work; callers run it off the
event loop (the core already runs in a worker thread; the scheduler ticks in one).
"""

from __future__ import annotations

import io
import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlmodel import Session, col, select

from models import (
    Attendance,
    AttendanceStatus,
    ChatIdentity,
    Directive,
    DirectiveRecipient,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Member,
    MemberStatus,
    Unit,
    UnitKind,
)
from services import texts
from services.auth import Actor, Permission, authorize
from services.errors import Forbidden
from services.offers import (
    CELL_ATTENTION,
    CELL_FIGURES,
    CELL_FLAGS,
    CellFigure,
    CellFlags,
    Offers,
)
from services.org import CellCounts, cell_counts, is_cell, root_units, subtree_units
from services.stats import texts as stats_texts
from services.stats.attention import attention_lines, reasons
from services.textnorm import vi_number
from services.vndate import DEFAULT_TZ

log = logging.getLogger(__name__)
V = TypeVar("V")

# A feature's reasons a cell needs attention (`services.offers.CELL_ATTENTION`).
AttentionSource = Callable[[Session, Any, datetime, tzinfo], dict[int, str]]

_CELL_KINDS = (UnitKind.CELL.value, UnitKind.BASE_CELL.value)
_REGULAR_KINDS = (MeetingKind.REGULAR.value, MeetingKind.COMBINED.value)
# Characters that make a spreadsheet treat a text cell as a formula (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class StatsRules:
    """The zone and window the figures use, the thresholds that put a cell on the "Cần lưu ý"
    list (`services.stats.attention`), and what other features offer (members flagged at
    `CELL_FLAGS`, rates at `CELL_FIGURES`, reasons at `CELL_ATTENTION`): the statistics import
    none of them. A province adjusts the numbers here; none of them is national law."""

    tz: tzinfo = DEFAULT_TZ
    window: timedelta = timedelta(days=30)
    flags: tuple[CellFlags, ...] = ()
    figures: tuple[CellFigure, ...] = ()  # offered at CELL_FIGURES, shown after the own ones
    attention: tuple[AttentionSource, ...] = ()  # offered at CELL_ATTENTION
    # A cell without its regular meeting is late once this day of the month has passed
    # (Chỉ thị 50-CT/TW: every cell meets monthly; the day is local practice).
    cutoff_day: int = 20
    # Below these rates (over the window) a cell is listed; a figure with nothing to measure
    # never is. The attendance one follows the meeting score's band (75 % → 3 of 5 points).
    attendance_below: float = 0.75
    acknowledged_below: float = 0.5
    # An offered rate (dues collected, pledges) below this after the cut-off day lists the cell.
    figure_below: float = 0.5
    # The trend: this many 7-day periods ending at the report's moment.
    trend_weeks: int = 8

    @staticmethod
    def offered(offers: Offers, tz: tzinfo, window: timedelta = timedelta(days=30)) -> StatsRules:
        """The rules with what the features offer (flags, figures and reasons), as the app
        gathered it."""
        return StatsRules(
            tz=tz,
            window=window,
            flags=offers.of(CELL_FLAGS),
            figures=offers.of(CELL_FIGURES),
            attention=offers.of(CELL_ATTENTION),
        )

    @property
    def flag_months(self) -> int:
        """The threshold the report names: the first offered rule's (0 when none is)."""
        return self.flags[0].months if self.flags else 0


DEFAULT_STATS_RULES = StatsRules()


@dataclass
class CellStats:
    """One cell's figures. Rates are left to the reader (`rate`) so sums stay exact."""

    cell_id: int
    name: str
    parent_path: str
    lineage: str
    members: int = 0
    linked: int = 0
    active: int = 0
    meetings_held: int = 0
    regular_held: bool = False
    regular_scheduled: bool = False
    expected: int = 0
    present: int = 0
    directives: int = 0
    copies: int = 0
    acknowledged: int = 0
    flagged: int = 0
    # The offered figures' (part, whole), in the order of `StatsRules.figures`.
    extra: list[tuple[int, int]] = field(default_factory=list)
    # Reasons other features give (`CELL_ATTENTION`), already in Vietnamese.
    notes: list[str] = field(default_factory=list)
    # Per 7-day period, newest first: (expected, present, copies, acknowledged).
    weeks: list[list[int]] = field(default_factory=list)


@dataclass(frozen=True)
class StatsData:
    """Per-cell figures for a part of the tree, and which directives reached which cell (a
    directive to a whole base organisation reaches many cells but counts once in a total)."""

    now: datetime
    cells: dict[int, CellStats]
    directives_by_cell: dict[int, frozenset[int]]
    # Unit id → the cells under it (from each cell's lineage), so slicing the tree for one
    # committee reads only its cells: the weekly run slices it for every committee.
    under: dict[int, list[CellStats]] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        for cell in self.cells.values():
            for part in cell.lineage.strip("/").split("/"):
                if part.isdigit():
                    self.under.setdefault(int(part), []).append(cell)


@dataclass(frozen=True)
class StatsReport:
    """The figures for one committee member's scope: its units' names and their cells."""

    scope: tuple[str, ...]
    now: datetime
    tz: tzinfo
    window_days: int
    cells: tuple[CellStats, ...]
    directives: int
    flag_months: int
    figures: tuple[CellFigure, ...] = ()
    rules: StatsRules = DEFAULT_STATS_RULES
    totals: CellStats = field(init=False)

    def __post_init__(self) -> None:
        total = CellStats(cell_id=0, name="", parent_path="", lineage="")
        total.extra = [(0, 0)] * len(self.figures)
        for cell in self.cells:
            total.members += cell.members
            total.linked += cell.linked
            total.active += cell.active
            total.meetings_held += cell.meetings_held
            total.expected += cell.expected
            total.present += cell.present
            total.copies += cell.copies
            total.acknowledged += cell.acknowledged
            total.flagged += cell.flagged
            for i, (part, whole) in enumerate(cell.extra[: len(self.figures)]):
                total.extra[i] = (total.extra[i][0] + part, total.extra[i][1] + whole)
            for i, week in enumerate(cell.weeks):
                if i == len(total.weeks):
                    total.weeks.append([0, 0, 0, 0])
                for j, value in enumerate(week):
                    total.weeks[i][j] += value
        total.directives = self.directives
        object.__setattr__(self, "totals", total)

    @property
    def cells_met(self) -> int:
        return sum(1 for c in self.cells if c.regular_held)

    @property
    def not_met(self) -> list[CellStats]:
        """Cells without a regular meeting held this month, the ones with one to come last."""
        waiting = [c for c in self.cells if not c.regular_held]
        return sorted(waiting, key=lambda c: (c.regular_scheduled, c.parent_path, c.name))

    @property
    def local_now(self) -> datetime:
        return self.now.astimezone(self.tz)

    @property
    def week_label(self) -> str:
        """The period as dates, the seven days ending today ("01/12–07/12/2026" on Monday 7
        December, when the weekly report goes out): nobody counts ISO week numbers."""
        return period_label(self.local_now.date())

    @property
    def trend(self) -> list[TrendPoint]:
        """The main rates per 7-day period, oldest first (`StatsRules.trend_weeks` of them)."""
        points: list[TrendPoint] = []
        for index, (expected, present, copies, acked) in enumerate(self.totals.weeks):
            last_day = (self.local_now - timedelta(days=7 * index)).date()
            points.append(TrendPoint(last_day, rate(present, expected), rate(acked, copies)))
        return points[::-1]

    @property
    def month_label(self) -> str:
        return self.local_now.strftime("%m/%Y")

    def text(self, *, names_shown: int = 5, footer: str | None = None) -> str:
        """The short Vietnamese summary for a phone (also the photo's caption: < 1024 chars)."""
        t = self.totals
        not_met = self.not_met
        scheduled = sum(1 for c in not_met if c.regular_scheduled)
        lines = [
            stats_texts.STATS_TITLE.format(week=self.week_label, scope=_scope_label(self.scope)),
            stats_texts.STATS_MEMBERS.format(
                cells=len(self.cells),
                members=t.members,
                linked=t.linked,
                active=t.active,
                days=self.window_days,
            ),
            stats_texts.STATS_MEETINGS.format(
                month=self.month_label,
                held=t.meetings_held,
                not_met=len(not_met),
                cells=len(self.cells),
                scheduled=scheduled,
            ),
        ]
        lines += [
            stats_texts.STATS_ATTENDANCE.format(
                days=self.window_days,
                rate=percent(t.present, t.expected),
                present=t.present,
                expected=t.expected,
            ),
            stats_texts.STATS_DIRECTIVES.format(
                days=self.window_days,
                directives=t.directives,
                rate=percent(t.acknowledged, t.copies),
                acknowledged=t.acknowledged,
                copies=t.copies,
            ),
            stats_texts.STATS_FLAGGED.format(flagged=t.flagged, months=self.flag_months),
        ]
        for figure, (part, whole) in zip(self.figures, t.extra, strict=True):
            lines.append(
                stats_texts.STATS_FIGURE.format(
                    label=figure.label,
                    rate=percent(part, whole),
                    part=vi_number(part),
                    whole=vi_number(whole),
                    unit=f" {figure.unit}" if figure.unit else "",
                )
            )
        lines += attention_lines(self, shown=names_shown)
        if footer:
            lines.append(footer)
        return "\n".join(lines)


def period_label(last_day: date) -> str:
    """Seven days ending on `last_day` as "01/12–07/12/2026" (the year once when shared)."""
    first_day = last_day - timedelta(days=6)
    first = f"{first_day:%d/%m}" if first_day.year == last_day.year else f"{first_day:%d/%m/%Y}"
    return f"{first}–{last_day:%d/%m/%Y}"


@dataclass(frozen=True)
class TrendPoint:
    """One 7-day period of the trend: its last day and its rates (None: nothing to measure)."""

    last_day: date
    attendance: float | None
    acknowledged: float | None


def rate(part: int, whole: int) -> float | None:
    """part / whole, or None when there is nothing to measure (shown as "–", not 0 %)."""
    return part / whole if whole else None


def percent(part: int, whole: int) -> str:
    value = rate(part, whole)
    return "–" if value is None else f"{round(value * 100)}%"


def _scope_label(scope: Sequence[str], limit: int = 80) -> str:
    label = ", ".join(scope)
    return label if len(label) <= limit else label[: limit - 1] + "…"


# --- Collecting ---------------------------------------------------------------------------------


def _cells_query(root_ids: Sequence[int] | None) -> Any:
    """The ids of the cells under the given units (all cells when None), as a subquery."""
    query = select(Unit.id).where(col(Unit.kind).in_(_CELL_KINDS))
    if root_ids is not None:
        clauses = [col(Unit.lineage).contains(f"/{uid}/") for uid in root_ids]
        query = query.where(sa.or_(*clauses) if clauses else sa.false())
    return query


def _month_bounds(now: datetime, tz: tzinfo) -> tuple[datetime, datetime]:
    """The local calendar month containing `now`, as UTC instants [start, end).

    ZoneInfo works out the offset of each wall-clock moment, so this holds across offset changes.
    """
    start = now.astimezone(tz).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = (start + timedelta(days=32)).replace(day=1)
    return start.astimezone(UTC), end.astimezone(UTC)


def collect(
    session: Session,
    root_ids: Sequence[int] | None,
    *,
    now: datetime,
    rules: StatsRules = DEFAULT_STATS_RULES,
) -> StatsData:
    """Every cell's figures under `root_ids` (the whole tree when None): six queries of its
    own, whatever the number of cells, and one per offered rule."""
    cells_q = _cells_query(root_ids)
    since = now - rules.window
    cells: dict[int, CellStats] = {}
    for cell_id, name, path, lineage in session.exec(
        select(Unit.id, Unit.name, Unit.path, Unit.lineage).where(col(Unit.id).in_(cells_q))
    ):
        parent = path.rsplit("/", 1)[0].strip() if "/" in path else ""
        assert cell_id is not None  # a primary key read back
        cells[cell_id] = CellStats(cell_id, name, parent, lineage)
        cells[cell_id].extra = [(0, 0)] * len(rules.figures)

    for cell_id, count in session.exec(
        select(Member.cell_id, sa.func.count())
        .where(col(Member.cell_id).in_(cells_q))
        .group_by(col(Member.cell_id))
    ):
        cells[cell_id].members = count

    seen_recently = sa.case((col(ChatIdentity.last_seen_at) >= since, col(Member.id)))
    for cell_id, linked, active in session.exec(
        select(
            Member.cell_id,
            sa.func.count(sa.distinct(col(Member.id))),
            sa.func.count(sa.distinct(seen_recently)),
        )
        .join(ChatIdentity, col(ChatIdentity.member_id) == col(Member.id))
        .where(col(Member.cell_id).in_(cells_q))
        .group_by(col(Member.cell_id))
    ):
        cells[cell_id].linked = linked
        cells[cell_id].active = active

    month_start, month_end = _month_bounds(now, rules.tz)
    for cell_id, kind, starts_at in session.exec(
        select(Meeting.cell_id, Meeting.kind, Meeting.starts_at)
        .where(Meeting.status == MeetingStatus.SCHEDULED)
        .where(col(Meeting.starts_at) >= month_start)
        .where(col(Meeting.starts_at) < month_end)
        .where(col(Meeting.cell_id).in_(cells_q))
    ):
        cell = cells[cell_id]
        regular = kind in _REGULAR_KINDS
        if starts_at <= now:
            cell.meetings_held += 1
            cell.regular_held = cell.regular_held or regular
        elif regular:
            cell.regular_scheduled = True

    # Attendance as `services.meetings.resolutions.tally_attendance` counts it, over rolls already
    # taken:
    # exempt members who did not come and members on transfer or suspended are not expected.
    present = col(Attendance.status) == AttendanceStatus.PRESENT.value
    expected = sa.and_(
        col(Attendance.status) != AttendanceStatus.EXEMPT.value,
        sa.or_(col(Attendance.member_status) != MemberStatus.EXEMPT.value, present),
    )
    # One row per meeting (per directive and cell below) over the window and the trend's
    # periods together, so the trend costs no query of its own: each row counts in the window
    # if recent enough and in the 7-day period it falls in.
    weeks = max(rules.trend_weeks, 0)
    earliest = min(since, now - timedelta(days=7 * weeks))
    for cell in cells.values():
        cell.weeks = [[0, 0, 0, 0] for _ in range(weeks)]
    for cell_id, starts_at, n_expected, n_present in session.exec(
        select(
            Meeting.cell_id,
            Meeting.starts_at,
            sa.func.sum(sa.case((expected, 1), else_=0)),
            sa.func.sum(sa.case((present, 1), else_=0)),
        )
        .join(Meeting, col(Meeting.id) == col(Attendance.meeting_id))
        .where(Meeting.status == MeetingStatus.SCHEDULED)
        .where(col(Meeting.starts_at) > earliest)
        .where(col(Meeting.starts_at) <= now)
        .where(col(Attendance.status).is_not(None))
        .where(col(Attendance.vote_exclusion).is_(None))
        .where(col(Meeting.cell_id).in_(cells_q))
        .group_by(col(Meeting.id), col(Meeting.cell_id), col(Meeting.starts_at))
    ):
        cell = cells[cell_id]
        n_expected, n_present = int(n_expected or 0), int(n_present or 0)
        if starts_at > since:
            cell.expected += n_expected
            cell.present += n_present
        week = _week_index(now, starts_at, weeks)
        if week is not None:
            cell.weeks[week][0] += n_expected
            cell.weeks[week][1] += n_present

    by_cell: dict[int, set[int]] = defaultdict(set)
    for cell_id, directive_id, created_at, copies, acked in session.execute(
        sa.select(
            col(DirectiveRecipient.cell_id),
            col(DirectiveRecipient.directive_id),
            sa.func.min(col(Directive.created_at)),
            sa.func.count(),
            sa.func.count(col(DirectiveRecipient.acknowledged_at)),
        )
        .join(Directive, col(Directive.id) == col(DirectiveRecipient.directive_id))
        .where(col(Directive.created_at) > earliest)
        .where(col(Directive.created_at) <= now)
        .where(col(DirectiveRecipient.cell_id).in_(cells_q))
        .group_by(col(DirectiveRecipient.cell_id), col(DirectiveRecipient.directive_id))
    ):
        cell = cells[cell_id]
        # min() loses the column's type on SQLite: read back as text, naive UTC.
        created = _as_utc(created_at)
        if created > since:
            cell.directives += 1
            cell.copies += copies
            cell.acknowledged += acked
            by_cell[cell_id].add(directive_id)
        week = _week_index(now, created, weeks)
        if week is not None:
            cell.weeks[week][2] += copies
            cell.weeks[week][3] += acked

    for source in rules.attention:
        for cell_id, note in _offered(session, source, source, cells_q, now, rules.tz).items():
            if cell_id in cells and note:
                cells[cell_id].notes.append(note)

    for cell_id, count in _flagged(session, cells_q, now=now, rules=rules).items():
        if cell_id in cells:
            cells[cell_id].flagged = count

    for i, figure in enumerate(rules.figures):
        pairs = _offered(session, figure.label, figure.collect, cells_q, now, rules.tz)
        for cell_id, pair in pairs.items():
            if cell_id in cells:
                cells[cell_id].extra[i] = pair

    return StatsData(
        now=now,
        cells=cells,
        directives_by_cell={k: frozenset(v) for k, v in by_cell.items()},
    )


def _week_index(now: datetime, at: datetime, weeks: int) -> int | None:
    """Which 7-day period ending at `now` holds `at` (0: the latest), None if none does."""
    index = int((now - at) // timedelta(days=7))
    return index if 0 <= index < weeks else None


def _as_utc(value: datetime | str) -> datetime:
    """An aggregate's datetime as aware UTC (SQLite returns text, PostgreSQL a naive value)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _flagged(session: Session, cells_q: Any, *, now: datetime, rules: StatsRules) -> dict[int, int]:
    """Members flagged per cell, by every rule offered at `CELL_FLAGS` (summed)."""
    total: dict[int, int] = defaultdict(int)
    for source in rules.flags:
        counts = _offered(session, source, source.count, cells_q, now, rules.tz)
        for cell_id, count in counts.items():
            total[cell_id] += count
    return dict(total)


def _offered(
    session: Session,
    what: object,
    collect: Callable[[Session, Any, datetime, tzinfo], dict[int, V]],
    cells_q: Any,
    now: datetime,
    tz: tzinfo,
) -> dict[int, V]:
    """What another feature offers, or nothing if it fails: its figure is left out of this
    report (and logged), the committee still gets the rest. Inside a savepoint, so a failed
    statement does not abort the report's transaction on PostgreSQL."""
    try:
        with session.begin_nested():
            return collect(session, cells_q, now, tz)
    except Exception:
        log.exception("statistics: an offered figure failed (%r); left out of this report", what)
        return {}


def build_report(
    data: StatsData, units: Sequence[Unit], *, rules: StatsRules = DEFAULT_STATS_RULES
) -> StatsReport:
    """The report for the subtrees of `units`, sliced from `data` (which must cover them)."""
    found = {c.cell_id: c for u in units if u.id is not None for c in data.under.get(u.id, ())}
    chosen = list(found.values())
    chosen.sort(key=lambda c: (c.parent_path, c.name, c.cell_id))
    directive_ids: set[int] = set()
    for cell in chosen:
        directive_ids |= data.directives_by_cell.get(cell.cell_id, frozenset())
    return StatsReport(
        scope=tuple(u.name for u in units),
        now=data.now,
        tz=rules.tz,
        window_days=rules.window.days,
        cells=tuple(chosen),
        directives=len(directive_ids),
        flag_months=rules.flag_months,
        figures=rules.figures,
        rules=rules,
    )


def scope_units(session: Session, actor: Actor) -> list[Unit]:
    """The units whose subtrees the actor oversees: for an admin the roots of the tree
    (everything), for a committee member their committee units. Anyone else is refused."""
    if actor.is_admin:
        units = root_units(session)
    elif actor.committee_unit_ids:
        units = list(
            session.exec(
                select(Unit)
                .where(col(Unit.id).in_(sorted(actor.committee_unit_ids)))
                .order_by(col(Unit.path))
            )
        )
    else:
        raise Forbidden(texts.FORBIDDEN_COMMITTEE)
    for unit in units:
        authorize(actor, Permission.OVERSEE, unit)
    return units


def report_for_actor(
    session: Session,
    actor: Actor,
    *,
    now: datetime,
    rules: StatsRules = DEFAULT_STATS_RULES,
) -> StatsReport:
    """The committee member's report for their subtree (an admin: the whole tree)."""
    units = scope_units(session, actor)
    data = collect(session, [u.id for u in units if u.id is not None], now=now, rules=rules)
    return build_report(data, units, rules=rules)


# --- `/donvi`: the subtree at a glance -----------------------------------------------------------


@dataclass(frozen=True)
class UnitOverview:
    """One unit as `/donvi` shows it: its cells by path, each with its members and linked
    members (`services.org.cell_counts`)."""

    unit: Unit
    cells: tuple[tuple[Unit, CellCounts], ...]

    @property
    def members(self) -> int:
        return sum(counts.members for _cell, counts in self.cells)

    @property
    def linked(self) -> int:
        return sum(counts.linked for _cell, counts in self.cells)


def units_overview(session: Session, actor: Actor) -> list[UnitOverview]:
    """The cells under each unit whose committee the actor sits on (by unit id), with their
    members and linked members; an admin on no committee gets the roots of the tree. Each unit
    is checked (Permission.OVERSEE); anyone else is refused (Forbidden)."""
    if actor.committee_unit_ids:
        found = (session.get(Unit, uid) for uid in sorted(actor.committee_unit_ids))
        units = [u for u in found if u is not None]
    elif actor.is_admin:
        units = root_units(session)
    else:
        raise Forbidden(texts.FORBIDDEN_COMMITTEE)
    for unit in units:
        authorize(actor, Permission.OVERSEE, unit)
    overviews: list[UnitOverview] = []
    for unit in units:
        assert unit.id is not None
        cells = [u for u in subtree_units(session, [unit.id]) if is_cell(u)]
        counts = cell_counts(session, [c.id for c in cells if c.id is not None])
        rows = tuple((c, counts.get(c.id or 0, CellCounts())) for c in cells)
        overviews.append(UnitOverview(unit, rows))
    return overviews


# --- Rendering ----------------------------------------------------------------------------------


def escape_cell(value: Any) -> Any:
    """Text a spreadsheet would run as a formula gets a leading apostrophe (DESIGN.md)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def render_xlsx(report: StatsReport) -> bytes:
    """One row per cell, then a summary sheet. Rates are numbers formatted as percentages, so
    the committee can sort and filter; names are escaped against formula injection."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = stats_texts.STATS_XLSX_SHEET_CELLS
    headers = [h.format(days=report.window_days) for h in stats_texts.STATS_XLSX_HEADERS]
    own = len(headers)
    for figure in report.figures:
        headers += [
            h.format(label=figure.label, unit=f" ({figure.unit})" if figure.unit else "")
            for h in stats_texts.STATS_XLSX_FIGURE_HEADERS
        ]
    sheet.append(headers)
    # The rates are numbers shown as percentages; each offered figure's rate is its third column.
    percent_columns = (8, 11, *(own + 3 * i + 3 for i in range(len(report.figures))))
    for cell in report.cells:
        sheet.append(
            [
                escape_cell(cell.parent_path),
                escape_cell(cell.name),
                cell.members,
                cell.linked,
                cell.active,
                cell.meetings_held,
                stats_texts.STATS_XLSX_MET[_met_state(cell)],
                rate(cell.present, cell.expected),
                cell.directives,
                cell.copies,
                rate(cell.acknowledged, cell.copies),
                cell.flagged,
                escape_cell("; ".join(reasons(cell, report))),
                *(x for part, whole in cell.extra for x in (part, whole, rate(part, whole))),
            ]
        )
    for column in percent_columns:
        for (item,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            item.number_format = "0%"
    widths = (
        40,
        36,
        10,
        10,
        12,
        10,
        16,
        12,
        10,
        10,
        12,
        12,
        48,
        *(14,) * (3 * len(report.figures)),
    )
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions

    summary = workbook.create_sheet(stats_texts.STATS_XLSX_SHEET_SUMMARY)
    t = report.totals
    for label, value in (
        (stats_texts.STATS_XLSX_SCOPE, escape_cell(", ".join(report.scope))),
        (stats_texts.STATS_XLSX_AT, report.local_now.strftime("%d/%m/%Y %H:%M")),
        (stats_texts.STATS_XLSX_CELLS, len(report.cells)),
        (stats_texts.STATS_XLSX_MEMBERS, t.members),
        (stats_texts.STATS_XLSX_LINKED, t.linked),
        (stats_texts.STATS_XLSX_ACTIVE.format(days=report.window_days), t.active),
        (stats_texts.STATS_XLSX_HELD.format(month=report.month_label), t.meetings_held),
        (stats_texts.STATS_XLSX_NOT_MET, len(report.not_met)),
        (stats_texts.STATS_XLSX_ATTENDANCE, rate(t.present, t.expected)),
        (stats_texts.STATS_XLSX_DIRECTIVES, t.directives),
        (stats_texts.STATS_XLSX_ACKNOWLEDGED, rate(t.acknowledged, t.copies)),
        (stats_texts.STATS_XLSX_FLAGGED.format(months=report.flag_months), t.flagged),
        *((f.label, rate(*pair)) for f, pair in zip(report.figures, t.extra, strict=True)),
    ):
        summary.append([label, value])
        if isinstance(value, float):
            summary.cell(row=summary.max_row, column=2).number_format = "0%"
    summary.column_dimensions["A"].width = 44
    summary.column_dimensions["B"].width = 40
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _met_state(cell: CellStats) -> str:
    if cell.regular_held:
        return "held"
    return "scheduled" if cell.regular_scheduled else "none"
