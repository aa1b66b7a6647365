"""A meeting's minutes (biên bản) and attendance sheet, as a Word file the secretary prints.

Why a file: the cell keeps a signed paper record of each meeting (Hướng dẫn 42-HD/BTCTW: the
minute-taker is appointed at the opening, the minutes are read and approved at the close). The
bot already holds most of it, so the secretary gets it filled in from the records instead of
copying them by hand: cell, kind, date, start–end, place, chair, agenda, the roll (present,
absent with leave, absent without leave, exempt; names and counts), the resolution with its
vote, the tasks given out, and blank lines for what only the room knows (the note-taker, the
discussion, the signatures).

What is printed is what is recorded, never more: a member without a status is listed as not yet
marked (not as absent), a resolution not voted on says so. Only the cell's secretary or deputy
(or an admin) gets it, and only once the meeting has started.

`minutes_record` gathers the facts (tested directly); `render_minutes` lays them out with
python-docx; `meeting_minutes` does both, with the checks.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from sqlmodel import Session, col, select

from models import (
    AttendanceStatus,
    MeetingKind,
    MemberStatus,
    ResolutionVersion,
    ResolutionVote,
    Role,
    RoleAssignment,
    StatusSource,
    Task,
    TaskStatus,
    Unit,
)
from services import audit, texts
from services.auth import Actor
from services.errors import UserError
from services.meetings import texts as meeting_texts
from services.meetings.attendance import RollLine, roll_call
from services.meetings.planning import (
    DEFAULT_RULES,
    CellMonthRules,
    managed_meeting,
    meeting_when,
    require_active,
)
from services.meetings.resolutions import VoterCount, has_content, resolution_record, voters_for
from services.org import member_names
from services.vndate import format_vn_date

# The roll's groups in the order the minutes read them; "" is a member not yet marked.
GROUPS: tuple[str, ...] = (
    AttendanceStatus.PRESENT.value,
    AttendanceStatus.ABSENT_WITH_LEAVE.value,
    AttendanceStatus.ABSENT_WITHOUT_LEAVE.value,
    AttendanceStatus.EXEMPT.value,
)
UNMARKED = ""
FONT = "Times New Roman"  # the usual face of party documents
DISCUSSION_LINES = 6


@dataclass(frozen=True)
class MinutesTask:
    title: str
    owner: str
    due_on: date


@dataclass(frozen=True)
class MinutesRecord:
    """Everything the minutes say, read from the records at one moment."""

    cell_name: str
    parent_name: str | None
    kind: str  # MeetingKind value
    topic: str | None
    starts_at: datetime  # local
    when: str  # "Thứ Bảy, 19/12/2026, 14:00–16:00"
    place: str
    chair_name: str | None
    chair_role: str | None  # Role value of the chair in this cell, if any
    agenda: tuple[str, ...]
    roll: tuple[RollLine, ...]
    voters: VoterCount
    version: ResolutionVersion | None
    vote: ResolutionVote | None
    tasks: tuple[MinutesTask, ...]

    def group(self, status: str) -> list[RollLine]:
        """The roll lines with `status` (`UNMARKED` for those without one), sorted by name."""
        return [x for x in self.roll if (x.status or UNMARKED) == status]

    @property
    def counts(self) -> dict[str, int]:
        """How many in each group, the unmarked included (0 when none)."""
        return {status: len(self.group(status)) for status in (*GROUPS, UNMARKED)}


@dataclass(frozen=True)
class MinutesFile:
    name: str
    data: bytes
    record: MinutesRecord


# --- The facts --------------------------------------------------------------------------------


def _chair(session: Session, member_id: int | None, cell_id: int) -> tuple[str | None, str | None]:
    """The convener chairs (the one who called the meeting and runs it in the bot), with their
    role in the cell today: a name the minutes can print under "Chủ trì"."""
    if member_id is None:
        return None, None
    member = member_names(session, [member_id]).get(member_id)
    if member is None:
        return None, None
    roles = session.exec(
        select(RoleAssignment.role)
        .where(RoleAssignment.member_id == member_id)
        .where(RoleAssignment.unit_id == cell_id)
        .where(col(RoleAssignment.role).in_([Role.SECRETARY, Role.DEPUTY]))
    ).all()
    role = Role.SECRETARY.value if Role.SECRETARY in roles else (roles[0] if roles else None)
    return member.full_name, role


def _tasks(session: Session, meeting_id: int) -> tuple[MinutesTask, ...]:
    rows = session.exec(
        select(Task)
        .where(Task.meeting_id == meeting_id)
        .where(Task.status != TaskStatus.CANCELLED)
        .order_by(col(Task.id))
    ).all()
    names = member_names(session, [t.owner_member_id for t in rows])
    return tuple(
        MinutesTask(
            title=t.title,
            owner=names[t.owner_member_id].full_name if t.owner_member_id in names else "",
            due_on=t.due_on,
        )
        for t in rows
    )


def minutes_record(
    session: Session,
    actor: Actor,
    meeting_id: int,
    *,
    now: datetime,
    rules: CellMonthRules = DEFAULT_RULES,
) -> MinutesRecord:
    """The minutes' facts, for the cell's secretary or deputy (Forbidden otherwise), once the
    meeting has started (before, there is nothing to record yet) and unless it was cancelled."""
    meeting, cell = managed_meeting(session, actor, meeting_id)
    require_active(meeting)
    if now < meeting.starts_at:
        raise UserError(meeting_texts.MIN_NOT_STARTED)
    assert meeting.id is not None and cell.id is not None
    parent = session.get(Unit, cell.parent_id) if cell.parent_id is not None else None
    chair_name, chair_role = _chair(session, meeting.created_by_member_id, cell.id)
    record = resolution_record(session, actor, meeting.id)
    version = record.current if record is not None else None
    vote = record.deciding_vote(version) if record is not None and version is not None else None
    return MinutesRecord(
        cell_name=cell.name,
        parent_name=parent.name if parent is not None else None,
        kind=meeting.kind,
        topic=meeting.topic,
        starts_at=meeting.starts_at.astimezone(rules.tz),
        when=meeting_when(meeting, rules.tz),
        place=meeting.place,
        chair_name=chair_name,
        chair_role=chair_role,
        agenda=tuple(meeting.agenda or ()),
        roll=tuple(roll_call(session, actor, meeting.id)),
        voters=voters_for(session, actor, meeting.id),
        version=version if has_content(version) else None,
        vote=vote,
        tasks=_tasks(session, meeting.id),
    )


def meeting_minutes(
    session: Session,
    actor: Actor,
    meeting_id: int,
    *,
    now: datetime,
    rules: CellMonthRules = DEFAULT_RULES,
) -> MinutesFile:
    """The minutes and attendance sheet as a .docx, named by the meeting's local start (so two
    meetings of one day do not overwrite each other in the terminal's folder). The export is
    audited: the file carries members' names and absences out of the bot."""
    record = minutes_record(session, actor, meeting_id, now=now, rules=rules)
    audit.record(
        session,
        "meeting.minutes_exported",
        "meeting",
        meeting_id,
        actor_member_id=actor.member_id,
        detail={"counts": {k or "unmarked": n for k, n in record.counts.items()}},
        at=now,
    )
    name = f"bien-ban-sinh-hoat-{record.starts_at:%Y-%m-%d-%H%M}.docx"
    return MinutesFile(name=name, data=render_minutes(record), record=record)


# --- The document -----------------------------------------------------------------------------


def _line_name(line: RollLine) -> str:
    """A name as the attendance paragraph lists it; an excused absence with its reason."""
    reason = _reason(line)
    if line.status == AttendanceStatus.ABSENT_WITH_LEAVE and reason:
        return f"{line.name} ({reason})"
    return line.name


def _reason(line: RollLine) -> str | None:
    if line.status_reason:
        return line.status_reason
    if line.status == AttendanceStatus.ABSENT_WITH_LEAVE:
        return line.answer_reason
    return None


def _note(line: RollLine) -> str:
    """The sheet's "Ghi chú": a reason, a check-in the secretary has not vouched for, or why the
    member is left out of the vote."""
    notes = []
    reason = _reason(line)
    if reason:
        notes.append(reason)
    if line.status == AttendanceStatus.PRESENT and line.status_source == StatusSource.CHECKIN:
        notes.append(meeting_texts.MIN_SELF_CHECKIN)
    if line.vote_exclusion:
        notes.append(meeting_texts.VOTE_EXCL_LABELS.get(line.vote_exclusion, line.vote_exclusion))
    return "; ".join(notes)


def _setup(doc: DocxDocument) -> None:
    """A4, the usual margins, Times New Roman 13 for every script (Vietnamese included)."""
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin, section.right_margin = Cm(3), Cm(2)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(13)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), FONT)
    style.paragraph_format.space_after = Pt(3)


def _para(
    doc: DocxDocument,
    text: str = "",
    *,
    bold: bool = False,
    italic: bool = False,
    center: bool = False,
    size: int | None = None,
) -> Paragraph:
    paragraph = doc.add_paragraph()
    run = paragraph.add_run(text)
    run.bold, run.italic = bold, italic
    if size is not None:
        run.font.size = Pt(size)
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return paragraph


def _heading(doc: DocxDocument, text: str) -> None:
    """A part's heading (I.–V.): bold, with a little room above, after a table too."""
    _para(doc, text, bold=True).paragraph_format.space_before = Pt(8)


def _cell_lines(
    cell: _Cell, lines: Sequence[tuple[str, bool, bool]], *, size: int | None = None
) -> None:
    """Fill a table cell with centred lines of (text, bold, italic)."""
    first = True
    for text, bold, italic in lines:
        paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
        first = False
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(text)
        run.bold, run.italic = bold, italic
        if size is not None:
            run.font.size = Pt(size)


def _header(doc: DocxDocument, record: MinutesRecord) -> None:
    """The usual two-column heading: the party organisation on the left, the Party's name and
    the date on the right."""
    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    left = [(record.parent_name.upper(), False, False)] if record.parent_name else []
    left += [(record.cell_name.upper(), True, False), ("*", False, False)]
    day = record.starts_at
    right = [
        (meeting_texts.MIN_PARTY, True, False),
        (
            meeting_texts.MIN_DATE_LINE.format(day=day.day, month=day.month, year=day.year),
            False,
            True,
        ),
    ]
    _cell_lines(table.cell(0, 0), left, size=12)
    _cell_lines(table.cell(0, 1), right, size=12)


def _title(doc: DocxDocument, record: MinutesRecord) -> None:
    kind = texts.MTG_KIND_LABELS.get(record.kind, record.kind)
    if record.kind == MeetingKind.THEMATIC:
        subtitle = meeting_texts.MIN_SUBTITLE.format(kind=kind)
    else:
        subtitle = meeting_texts.MIN_SUBTITLE_MONTH.format(
            kind=kind, month=f"{record.starts_at:%m/%Y}"
        )
    doc.add_paragraph()
    _para(doc, meeting_texts.MIN_TITLE, bold=True, center=True, size=15)
    _para(doc, subtitle, bold=True, center=True)
    if record.topic:
        _para(doc, meeting_texts.MIN_TOPIC.format(topic=record.topic), italic=True, center=True)


def _attendance(doc: DocxDocument, record: MinutesRecord) -> None:
    statuses = [x.member_status for x in record.roll]
    _para(
        doc,
        meeting_texts.MIN_TOTAL.format(
            total=len(record.roll),
            official=statuses.count(MemberStatus.OFFICIAL),
            probationary=statuses.count(MemberStatus.PROBATIONARY),
            exempt=statuses.count(MemberStatus.EXEMPT),
        ),
    )
    counts = record.counts
    for status in (*GROUPS, UNMARKED):
        lines = record.group(status)
        if status == UNMARKED and not lines:
            continue
        label = meeting_texts.MIN_GROUP_LABELS[status]
        if lines:
            names = ", ".join(_line_name(x) for x in lines)
            text = meeting_texts.MIN_GROUP_NAMES.format(
                label=label, count=counts[status], names=names
            )
        else:
            text = meeting_texts.MIN_GROUP.format(label=label, count=0)
        _para(doc, f"- {text}")
    _para(
        doc,
        meeting_texts.MIN_VOTERS.format(
            convened=record.voters.convened, present=record.voters.eligible_present
        ),
    )


def _resolution(doc: DocxDocument, record: MinutesRecord) -> None:
    version, vote = record.version, record.vote
    if version is None:
        _para(doc, meeting_texts.MIN_NO_RESOLUTION)
    else:
        if version.number > 1:
            _para(doc, meeting_texts.MIN_VERSION.format(number=version.number), italic=True)
        for line in (version.text or meeting_texts.MIN_RESOLUTION_FILE).splitlines():
            _para(doc, line)
    if vote is None:
        _para(doc, meeting_texts.MIN_NO_VOTE)
        return
    _para(
        doc,
        meeting_texts.MIN_VOTE.format(
            for_=vote.votes_for,
            against=vote.votes_against,
            abstain=vote.votes_abstain,
            convened=vote.convened,
            present=vote.eligible_present,
        ),
    )
    outcome = texts.RES_PASSED if vote.passed else meeting_texts.MIN_NOT_PASSED
    _para(doc, meeting_texts.MIN_VOTE_OUTCOME.format(outcome=outcome), bold=True)


def _grid(
    doc: DocxDocument,
    head: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths_cm: Sequence[float],
    *,
    row_cm: float | None = None,
) -> Table:
    """A bordered table with a bold header and fixed column widths (Word and LibreOffice both
    keep them only when every cell carries its width and autofit is off). The first column,
    the number, is centred; `row_cm` gives the rows room (to sign in)."""
    table: Table = doc.add_table(rows=1, cols=len(head))
    table.style = "Table Grid"
    table.autofit = False
    for cell, text in zip(table.rows[0].cells, head, strict=True):
        cell.paragraphs[0].add_run(text).bold = True
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    for row in rows:
        added = table.add_row()  # type: ignore[no-untyped-call]  # python-docx, untyped
        if row_cm is not None:
            added.height, added.height_rule = Cm(row_cm), WD_ROW_HEIGHT_RULE.AT_LEAST
        cells = added.cells
        for cell, text in zip(cells, row, strict=True):
            cell.paragraphs[0].add_run(text)
        cells[0].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    for column, width in zip(table.columns, widths_cm, strict=True):
        column.width = Cm(width)
        for cell in column.cells:
            cell.width = Cm(width)
    return table


def _signatures(doc: DocxDocument, record: MinutesRecord) -> None:
    """Note-taker on the left, chair on the right, room to sign; the chair's name printed if
    known, the note-taker's left to write (appointed in the room, not in the bot)."""
    doc.add_paragraph()
    table = doc.add_table(rows=1, cols=2)
    blank = [("", False, False)] * 3
    _cell_lines(
        table.cell(0, 0),
        [
            (meeting_texts.MIN_SIGN_NOTE_TAKER, True, False),
            (meeting_texts.MIN_SIGN_HINT, False, True),
            *blank,
        ],
    )
    _cell_lines(
        table.cell(0, 1),
        [
            (meeting_texts.MIN_SIGN_CHAIR, True, False),
            (meeting_texts.MIN_SIGN_HINT, False, True),
            *blank,
            (record.chair_name or "", True, False),
        ],
    )


def _sheet(doc: DocxDocument, record: MinutesRecord) -> None:
    """The attendance sheet, on its own page: every member on the roll with a column to sign."""
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    _para(doc, meeting_texts.MIN_SHEET_TITLE, bold=True, center=True)
    _para(doc, record.cell_name, center=True)
    _para(doc, record.when, italic=True, center=True)
    rows = [
        (
            str(number),
            line.name,
            texts.STATUS_LABELS.get(line.member_status, line.member_status),
            texts.ATT_STATUS_LABELS.get(line.status or "", meeting_texts.FLOW_NOT_YET),
            _note(line),
            "",
        )
        for number, line in enumerate(record.roll, start=1)
    ]
    _grid(doc, meeting_texts.MIN_SHEET_HEAD, rows, (1.4, 4.6, 2.6, 3.4, 2.2, 1.8), row_cm=0.9)


def render_minutes(record: MinutesRecord) -> bytes:
    """The .docx bytes: heading, title, the five parts, signatures, then the attendance sheet."""
    doc = Document()
    _setup(doc)
    doc.core_properties.title = meeting_texts.MIN_DOC_TITLE
    doc.core_properties.author = record.cell_name
    _header(doc, record)
    _title(doc, record)

    _heading(doc, meeting_texts.MIN_H_TIME)
    _para(doc, meeting_texts.MIN_TIME.format(when=record.when))
    _para(doc, meeting_texts.MIN_PLACE.format(place=record.place))
    if record.chair_name:
        role = meeting_texts.MIN_CHAIR_ROLES.get(record.chair_role or "", "")
        _para(doc, meeting_texts.MIN_CHAIR.format(name=record.chair_name, role=role))
    else:
        _para(doc, meeting_texts.MIN_CHAIR_BLANK)
    _para(doc, meeting_texts.MIN_NOTE_TAKER)
    _attendance(doc, record)

    _heading(doc, meeting_texts.MIN_H_AGENDA)
    for number, item in enumerate(record.agenda, start=1):
        _para(doc, f"{number}. {item}")

    _heading(doc, meeting_texts.MIN_H_RESOLUTION)
    _resolution(doc, record)

    _heading(doc, meeting_texts.MIN_H_TASKS)
    if record.tasks:
        _grid(
            doc,
            meeting_texts.MIN_TASK_HEAD,
            [
                (str(number), task.title, task.owner, format_vn_date(task.due_on))
                for number, task in enumerate(record.tasks, start=1)
            ],
            (1.4, 7.8, 4.3, 2.5),
        )
    else:
        _para(doc, meeting_texts.MIN_NO_TASKS)

    _heading(doc, meeting_texts.MIN_H_DISCUSSION)
    for _ in range(DISCUSSION_LINES):
        _para(doc, "." * 115)
    _para(doc, meeting_texts.MIN_END)
    _signatures(doc, record)
    _sheet(doc, record)

    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
