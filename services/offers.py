"""What one feature offers another, declared by the offering feature and collected by the
consumer, so that neither imports the other by name.

A `Point` is a named place where a consumer collects offers; it lives here, in shared code, with
the shape of what it collects, so the feature that offers and the feature that consumes both
import only this module. A feature lists its offers in the wiring list (`bot.features`), the app
gathers them into one `Offers`, and the consumer reads `offers.of(POINT)`. Adding a feature that
offers something is one line in the wiring list; the consumer does not change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any, Generic, TypeVar

from sqlmodel import Session

from services.auth import Actor
from services.buttons import ButtonPayload

T = TypeVar("T")


@dataclass(frozen=True)
class Point(Generic[T]):
    """A place where offers of one shape are collected (its name is for messages and tests)."""

    name: str


@dataclass(frozen=True)
class Offer(Generic[T]):
    """One offer: at `point`, this `value`."""

    point: Point[T]
    value: T


class Offers:
    """Every offer of the features in the wiring list, by point, in the list's order."""

    def __init__(self, offers: Iterable[Offer[Any]] = ()) -> None:
        self._by_point: dict[str, list[Any]] = {}
        for offer in offers:
            self._by_point.setdefault(offer.point.name, []).append(offer.value)

    def of(self, point: Point[T]) -> tuple[T, ...]:
        return tuple(self._by_point.get(point.name, ()))


NO_OFFERS = Offers()


# -- the points ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CellFlags:
    """Members a rule flags, counted per cell, for the committees' statistics: a count only,
    never who (the names stay with the cell's leadership). `months` is the rule's threshold,
    named in the report ("vắng không phép ≥ 2 tháng"); `count(session, cell_ids, now, tz)`
    returns cell id → members flagged, for the cells of `cell_ids` (a query or a list)."""

    months: int
    count: Callable[[Session, Any, datetime, tzinfo], dict[int, int]]


# Offered by the meetings feature (the absence rule of Điều lệ Đảng, Article 8); read by the
# statistics. Later features (fees overdue, say) may offer flags of their own.
CELL_FLAGS: Point[CellFlags] = Point("cell_flags")


@dataclass(frozen=True)
class CellFigure:
    """A figure a feature adds to the committees' statistics (weekly report, `/thongke`, its
    chart and spreadsheet): per cell, `part` of `whole` (dues collected of dues expected, say).
    `collect(session, cell_ids, now, tz)` returns cell id → (part, whole) for the cells of
    `cell_ids` (a query or a list); cells it leaves out count as nothing to measure. `label` is
    short Vietnamese ("Đảng phí tháng"), `unit` follows the amounts ("đ"; "" for a count)."""

    label: str
    collect: Callable[[Session, Any, datetime, tzinfo], dict[int, tuple[int, int]]]
    unit: str = ""


# Offered by features with a rate to watch per cell; read by the statistics, after their own.
CELL_FIGURES: Point[CellFigure] = Point("cell_figures")


# Why a cell needs the committee's attention, in a feature's own words: `(session, cell_ids,
# now, tz) -> {cell id: "3 nhiệm vụ quá hạn"}` (short Vietnamese, no cell name), for the cells
# of `cell_ids` (a query or a list); cells it leaves out are fine. Offered by features with a
# rule the committee watches (overdue tasks, unpaid fees, missing pledges); read by the
# statistics' "Cần lưu ý" list (`/thongke`, the weekly report), after their own reasons.
CELL_ATTENTION: Point[Callable[[Session, Any, datetime, tzinfo], dict[int, str]]] = Point(
    "cell_attention"
)


# Items a feature adds to a regular (or combined) meeting's suggested agenda, after "Thông tin
# thời sự … chuyên đề học tập": `(session, cell_id, starts_at) -> lines` for that cell's meeting
# starting then (the month's study topic, say). The secretary sees them in the preview and may
# replace the agenda. Read by the meetings feature (`CellMonthRules.agenda_items`).
AGENDA_ITEMS: Point[Callable[[Session, int, datetime], list[str]]] = Point("agenda_items")


# Private notes for a cell's leadership, shown with the meetings' absence flags (Điều lệ Đảng,
# Article 8) in the secretary's meeting menu: `(session, actor, cell_id, now) -> lines`, each
# naming a member and the evidence (unpaid fee months, say). Only for those who may see them:
# the offering feature checks the actor and returns [] otherwise.
LEADER_NOTES: Point[Callable[[Session, Actor, int, datetime], list[str]]] = Point("leader_notes")


@dataclass(frozen=True)
class Todo:
    """One thing a member has to do, for their list (`/nhiemvu`): what, by when (None: no
    deadline), and the button that marks it done (None: it is done elsewhere)."""

    title: str
    due_on: date | None
    done: ButtonPayload | None = None
    # The button's label, `{n}` the item's number (default `texts.MY_TASK_DONE_BUTTON`).
    label: str | None = None


# What each feature has for a member to do: `(session, actor, now) -> list[Todo]` (`now`: the
# update's clock, so dues "this month" follow the same clock as everything else). Offered by
# the meetings feature (tasks assigned at meetings) and the fees (dues to pay); read by the
# member's list, `/nhiemvu`.
MEMBER_TODOS: Point[Callable[[Session, Actor, datetime], list[Todo]]] = Point("member_todos")

# Options a feature adds under the member's list (`/nhiemvu`), as (command or declared button,
# label): `(session, actor, now) -> options`, [] when it has nothing for this member. Offered
# by the supervision (report progress on one's tasks, `/baocao`).
TODO_OPTIONS: Point[Callable[[Session, Actor, datetime], list[tuple[str, str]]]] = Point(
    "todo_options"
)


# Demo data a feature adds to the demo organisation (`sotay demo`, `sotay run` with no token):
# `(session, now) -> None`, run once, right after the organisation is created.
DEMO_DATA: Point[Callable[[Session, datetime], None]] = Point("demo_data")


# -- import columns ---------------------------------------------------------------------------

# A spreadsheet value as the importer reads it: trimmed NFC text, a date (xlsx date cells), or
# None when empty.
SheetValue = str | date | None


@dataclass(frozen=True)
class ImportColumns:
    """Optional columns a feature adds to `sotay import` (the fees' `dien_dang_phi`, say).

    The importer recognises `columns` (canonical names; `aliases` maps other headers seen in
    real files to them) and, for every row of a file that has at least one of them:

    - `check(values, today)` gets that row's values of the columns present in the file and
      returns `(parsed, problems)`: what to write, and Vietnamese sentences for what is wrong
      (the importer prefixes each with "Dòng n:"). Any problem in any row and nothing is written.
    - `apply(session, rows, present, now)` runs after the members are written, in the same
      transaction, with `(member_id, parsed)` for each row and the columns present in the
      file (so a column absent from the file leaves what the database holds); it returns how
      many members it changed, for the report.
    """

    label: str  # what the import's report calls the changes ("Đảng phí")
    columns: tuple[str, ...]
    check: Callable[[dict[str, SheetValue], date], tuple[Any, list[str]]]
    apply: Callable[[Session, list[tuple[int, Any]], frozenset[str], datetime], int]
    aliases: tuple[tuple[str, str], ...] = ()


# Offered by features that keep something per member the province already has in its lists;
# read by the importer (`services.importer.import_file(columns=...)`).
IMPORT_COLUMNS: Point[ImportColumns] = Point("import_columns")


# -- search -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchItem:
    """One thing a member may find with `/timkiem`, as the offering feature describes it.

    Who may read it is said by the feature, which knows its audience: members of `cell_ids`,
    members of any cell under `unit_ids`, and `member_ids` themselves (the recipients of a
    directive who have since moved cell). Committees (OVERSEE over a unit) read everything
    addressed at, under or above their units; admins everything. `at` (aware UTC) orders
    equally relevant items and is the date shown; `opens` is a command ("/nghiquyet") or a
    declared `ButtonPayload` that opens the item, offered beside the hit.
    """

    kind: str
    ref_id: int
    title: str
    body: str
    at: datetime
    cell_ids: tuple[int, ...] = ()
    unit_ids: tuple[int, ...] = ()
    member_ids: tuple[int, ...] = ()
    opens: str | None = None


@dataclass(frozen=True)
class Searchable:
    """A kind of item a feature offers the search: `kind` is its key in the index ("directive"),
    `label` the Vietnamese name shown with a hit ("Chỉ đạo"), and `items(session, since)` the
    items created or changed after `since` (None: all of them). Returning an item twice is
    harmless (the index replaces it), so a feature without an exact "changed" column may
    return everything recent; it must never miss a change after `since`."""

    kind: str
    label: str
    items: Callable[[Session, datetime | None], Iterable[SearchItem]]


# Offered by every feature with something to look up (directives, resolutions, meeting agendas,
# tasks; later the library, bulletins and the FAQ); read by the search (`/timkiem`), which keeps
# its own index from them.
SEARCHABLE: Point[Searchable] = Point("searchable")


# -- assessment -------------------------------------------------------------------------------

# What one criterion counts for one member over a period: named whole numbers (the keys are
# the criterion's, listed in docs/assessment.md: attended/convened/excused, on_time/late/...).
AssessmentFact = dict[str, int]


@dataclass(frozen=True)
class AssessmentCriterion:
    """Recorded facts a feature offers the yearly or quarterly quality assessment (Quy định
    366-QĐ/TW): `key` names the criterion in the assessment's formula ("attendance", "tasks",
    "fees", "pledge"), `label` is short Vietnamese ("Dự sinh hoạt chi bộ"), and
    `collect(session, member_ids, first_day, last_day, tz)` returns member id → counts for the
    local days first_day..last_day (inclusive); a member left out has nothing to measure."""

    key: str
    label: str
    collect: Callable[[Session, list[int], date, date, tzinfo], dict[int, AssessmentFact]]


# Offered by meetings (attendance, tasks), fees (months paid on time) and study (the pledge
# and its review); read by the assessment (`services/assessment`), which skips, and says so,
# a criterion of its formula that no feature offers.
ASSESSMENT_FACTS: Point[AssessmentCriterion] = Point("assessment_facts")
