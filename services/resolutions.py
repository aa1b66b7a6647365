"""After the meeting: the resolution, its vote, the meeting's quality score, the tasks assigned.

Rules (docs/domain.md):
- A resolution passes with more than half of the official members convened voting for it.
  The denominator leaves out members on temporary transfer, exempt members who are absent,
  and suspended members. Probationary members do not vote (Điều lệ Đảng; Hướng dẫn
  42-HD/BTCTW), so a vote with more ballots than official members present is refused.
- The meeting's quality is scored on a 100-point sheet (used by several provinces, unverified
  nationally, hence `QUALITY_CRITERIA` is data): time 5, attendance 5, preparation 10,
  conduct 40, principles 5, results of last month's resolution 30, closing 5. Bands: Tốt ≥ 90,
  Khá 70–89, Trung bình 50–69, Kém < 50. The attendance criterion has its own rule:
  ≥ 90 % present → 4; 75–89 % → 3; 65–74 % → 2; below 65 % or any absence without leave → 1.
- Tasks carry an owner and a deadline; the cell supervises them (Quy định 296-QĐ/TW).
- The adopted resolution is posted to members within 2 days (local practice, unverified).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from models import (
    Attendance,
    AttendanceStatus,
    DeliveryKind,
    FileKind,
    Meeting,
    Member,
    MemberStatus,
    QualityBand,
    Resolution,
    Task,
    TaskStatus,
    Unit,
)
from services import audit, outbox, texts
from services.auth import Actor, Permission, allows, authorize
from services.errors import UserError
from services.meetings import (
    DEFAULT_RULES,
    CellMonthRules,
    ensure_roll,
    load_cell,
    load_meeting,
    managed_meeting,
    require_active,
    viewed_meeting,
)
from services.textnorm import nfc
from services.vndate import format_vn_date, format_vn_datetime

# criterion → maximum points, in the order of the sheet.
QUALITY_CRITERIA: Mapping[str, int] = {
    "time": 5,
    "attendance": 5,
    "preparation": 10,
    "conduct": 40,
    "principles": 5,
    "results": 30,
    "closing": 5,
}
# (lowest total, band), best first.
QUALITY_BANDS: tuple[tuple[int, QualityBand], ...] = (
    (90, QualityBand.GOOD),
    (70, QualityBand.FAIR),
    (50, QualityBand.AVERAGE),
    (0, QualityBand.POOR),
)


@dataclass(frozen=True)
class VoterCount:
    """Who counts for a vote at this meeting.

    `convened`: official members convened (the denominator). `eligible_present`: official
    members present, i.e. the most ballots there can be. `probationary_present` is shown so the
    secretary sees why they are not counted.
    """

    convened: int
    eligible_present: int
    probationary_present: int

    @property
    def needed(self) -> int:
        """Votes for needed to pass: more than half of `convened`."""
        return self.convened // 2 + 1


@dataclass(frozen=True)
class VoteResult:
    resolution: Resolution
    passed: bool
    voters: VoterCount
    message: str


@dataclass(frozen=True)
class AttendanceTally:
    """Members expected at the meeting, those present, and whether anyone was absent unexcused."""

    expected: int
    present: int
    any_unexcused: bool


@dataclass(frozen=True)
class QualityScore:
    resolution: Resolution
    total: int
    band: QualityBand
    scores: dict[str, int]
    suggested_attendance: int
    message: str


# --- Pure rules -------------------------------------------------------------------------------


def quality_band(total: int) -> QualityBand:
    """Tốt ≥ 90, Khá 70–89, Trung bình 50–69, Kém < 50."""
    for lowest, band in QUALITY_BANDS:
        if total >= lowest:
            return band
    return QualityBand.POOR


def attendance_subscore(present: int, expected: int, any_unexcused: bool) -> int:
    """The attendance criterion: ≥ 90 % → 4; 75–89 % → 3; 65–74 % → 2; otherwise 1.

    Any absence without leave caps it at 1, whatever the percentage. Integer arithmetic, so
    9 of 10 is exactly 90 %.
    """
    if any_unexcused or expected <= 0:
        return 1
    if present * 100 >= 90 * expected:
        return 4
    if present * 100 >= 75 * expected:
        return 3
    if present * 100 >= 65 * expected:
        return 2
    return 1


def _is_exempt(row: Attendance) -> bool:
    return row.member_status == MemberStatus.EXEMPT or row.status == AttendanceStatus.EXEMPT


def count_voters(rows: list[Attendance]) -> VoterCount:
    """Apply the vote's denominator (docs/domain.md, "The resolution vote") to a roll.

    Counted: official members (status chính thức, or exempt members who came), unless on
    temporary transfer or suspended. Exempt members who did not come are left out. Probationary
    members are never counted.
    """
    convened = present = probationary = 0
    for row in rows:
        here = row.status == AttendanceStatus.PRESENT
        if row.member_status == MemberStatus.PROBATIONARY:
            probationary += here
            continue
        if row.vote_exclusion is not None:
            continue
        if _is_exempt(row) and not here:
            continue
        convened += 1
        present += here
    return VoterCount(
        convened=convened, eligible_present=present, probationary_present=probationary
    )


def tally_attendance(rows: list[Attendance]) -> AttendanceTally:
    """Members expected (all on the roll, probationary included, except exempt members who did
    not come and members on transfer or suspended) and how many of them were present."""
    expected = present = 0
    unexcused = False
    for row in rows:
        here = row.status == AttendanceStatus.PRESENT
        if row.vote_exclusion is not None or (_is_exempt(row) and not here):
            continue
        expected += 1
        present += here
        unexcused = unexcused or row.status == AttendanceStatus.ABSENT_WITHOUT_LEAVE
    return AttendanceTally(expected=expected, present=present, any_unexcused=unexcused)


# --- Resolution, vote, score ------------------------------------------------------------------


def _held_meeting(
    session: Session, actor: Actor, meeting_id: int, now: datetime
) -> tuple[Meeting, Resolution]:
    """A meeting the actor manages that has started, with its (possibly new) resolution row."""
    meeting, _cell = managed_meeting(session, actor, meeting_id, for_update=True)
    require_active(meeting)
    if now < meeting.starts_at:
        raise UserError(texts.RES_NOT_YET_HELD)
    resolution = session.exec(select(Resolution).where(Resolution.meeting_id == meeting_id)).first()
    if resolution is None:
        resolution = Resolution(
            meeting_id=meeting_id,
            created_by_member_id=actor.member_id,
            created_at=now,
            updated_at=now,
        )
    return meeting, resolution


def _roll(session: Session, meeting: Meeting) -> list[Attendance]:
    ensure_roll(session, meeting)
    return list(session.exec(select(Attendance).where(Attendance.meeting_id == meeting.id)))


def get_resolution(session: Session, actor: Actor, meeting_id: int) -> Resolution | None:
    """The meeting's resolution record, for its managers, committees above and its members."""
    meeting, _cell = _readable_meeting(session, actor, meeting_id)
    return session.exec(select(Resolution).where(Resolution.meeting_id == meeting.id)).first()


def _readable_meeting(session: Session, actor: Actor, meeting_id: int) -> tuple[Meeting, Unit]:
    """Members of the cell, its managers and committees above may read the outcome."""
    meeting = load_meeting(session, meeting_id)
    cell = load_cell(session, meeting.cell_id)
    if not allows(actor, Permission.MEMBER, cell):
        authorize(actor, Permission.MANAGE_CELL, cell)
    return meeting, cell


def record_resolution(
    session: Session,
    actor: Actor,
    meeting_id: int,
    *,
    text: str | None = None,
    file_ref: str | None = None,
    file_kind: FileKind | str | None = None,
    now: datetime,
    rules: CellMonthRules = DEFAULT_RULES,
) -> Resolution:
    """Record the resolution's text and/or file (after the meeting has started)."""
    meeting, resolution = _held_meeting(session, actor, meeting_id, now)
    clean_text = nfc(text or "")
    clean_ref = nfc(file_ref or "")[:500]
    if not clean_text and not clean_ref:
        raise UserError(texts.RES_NEED_CONTENT)
    if len(clean_text) > rules.max_text_chars:
        raise UserError(
            texts.MTG_TEXT_TOO_LONG.format(length=len(clean_text), maximum=rules.max_text_chars)
        )
    resolution.text = clean_text or None
    resolution.file_ref = clean_ref or None
    resolution.file_kind = (FileKind(file_kind) if file_kind else FileKind.DOCUMENT).value
    if not clean_ref:
        resolution.file_kind = None
    resolution.updated_at = now
    session.add(resolution)
    session.flush()
    audit.record(
        session,
        "resolution.recorded",
        "meeting",
        meeting.id,
        actor_member_id=actor.member_id,
        detail={"resolution_id": resolution.id, "has_file": bool(clean_ref)},
        at=now,
    )
    return resolution


def voters_for(session: Session, actor: Actor, meeting_id: int) -> VoterCount:
    """The vote's denominator and the ballots possible, for the preview before recording."""
    meeting, _cell = viewed_meeting(session, actor, meeting_id)
    return count_voters(_roll(session, meeting))


def record_vote(
    session: Session,
    actor: Actor,
    meeting_id: int,
    *,
    votes_for: int,
    votes_against: int,
    votes_abstain: int = 0,
    total: int | None = None,
    now: datetime,
) -> VoteResult:
    """Record the vote on the resolution and decide whether it passed.

    Refused: negative counts; parts that do not add up to the stated `total`; more ballots
    than official members present (probationary members do not vote); no official member
    recorded present (take the roll first).
    """
    meeting, resolution = _held_meeting(session, actor, meeting_id, now)
    counts = (votes_for, votes_against, votes_abstain)
    if any(not isinstance(c, int) or isinstance(c, bool) or c < 0 for c in counts):
        raise UserError(texts.RES_VOTE_NEGATIVE)
    cast = sum(counts)
    if total is not None and total != cast:
        raise UserError(
            texts.RES_VOTE_MISMATCH.format(
                for_=votes_for,
                against=votes_against,
                abstain=votes_abstain,
                total=cast,
                stated=total,
            )
        )
    voters = count_voters(_roll(session, meeting))
    if voters.eligible_present == 0:
        raise UserError(texts.RES_VOTE_NO_VOTERS)
    if cast > voters.eligible_present:
        raise UserError(texts.RES_VOTE_EXCEEDS.format(total=cast, eligible=voters.eligible_present))
    passed = votes_for * 2 > voters.convened
    resolution.votes_for, resolution.votes_against, resolution.votes_abstain = counts
    resolution.convened = voters.convened
    resolution.eligible_present = voters.eligible_present
    resolution.passed = passed
    resolution.voted_at = now
    resolution.updated_at = now
    session.add(resolution)
    session.flush()
    audit.record(
        session,
        "resolution.vote_recorded",
        "meeting",
        meeting.id,
        actor_member_id=actor.member_id,
        detail={
            "for": votes_for,
            "against": votes_against,
            "abstain": votes_abstain,
            "convened": voters.convened,
            "eligible_present": voters.eligible_present,
            "passed": passed,
        },
        at=now,
    )
    outcome = texts.RES_PASSED if passed else texts.RES_NOT_PASSED.format(needed=voters.needed)
    message = texts.RES_VOTE_RESULT.format(
        for_=votes_for,
        against=votes_against,
        abstain=votes_abstain,
        convened=voters.convened,
        outcome=outcome,
    )
    return VoteResult(resolution=resolution, passed=passed, voters=voters, message=message)


def suggest_attendance_score(session: Session, actor: Actor, meeting_id: int) -> int:
    """The attendance criterion computed from the roll (see `attendance_subscore`)."""
    meeting, _cell = viewed_meeting(session, actor, meeting_id)
    tally = tally_attendance(_roll(session, meeting))
    return attendance_subscore(tally.present, tally.expected, tally.any_unexcused)


def score_meeting(
    session: Session,
    actor: Actor,
    meeting_id: int,
    scores: Mapping[str, int],
    *,
    now: datetime,
) -> QualityScore:
    """Record the 100-point sheet. Every criterion is needed; "attendance" may be left out and
    is then computed from the roll (the cell may still override it: the cell decides)."""
    meeting, resolution = _held_meeting(session, actor, meeting_id, now)
    unknown = [name for name in scores if name not in QUALITY_CRITERIA]
    if unknown:
        raise UserError(texts.RES_SCORE_UNKNOWN.format(name=unknown[0]))
    tally = tally_attendance(_roll(session, meeting))
    suggested = attendance_subscore(tally.present, tally.expected, tally.any_unexcused)
    values = dict(scores)
    values.setdefault("attendance", suggested)
    missing = [texts.RES_SCORE_LABELS[name] for name in QUALITY_CRITERIA if name not in values]
    if missing:
        raise UserError(texts.RES_SCORE_MISSING.format(names=", ".join(missing)))
    clean: dict[str, int] = {}
    for name, maximum in QUALITY_CRITERIA.items():
        value = values[name]
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= maximum:
            raise UserError(
                texts.RES_SCORE_RANGE.format(label=texts.RES_SCORE_LABELS[name], maximum=maximum)
            )
        clean[name] = value
    total = sum(clean.values())
    band = quality_band(total)
    resolution.quality_scores = clean
    resolution.quality_total = total
    resolution.quality_band = band
    resolution.scored_at = now
    resolution.updated_at = now
    session.add(resolution)
    session.flush()
    audit.record(
        session,
        "resolution.scored",
        "meeting",
        meeting.id,
        actor_member_id=actor.member_id,
        detail={"scores": clean, "total": total, "band": band.value},
        at=now,
    )
    message = texts.RES_SCORE_RESULT.format(total=total, band=texts.RES_BAND_LABELS[band])
    return QualityScore(
        resolution=resolution,
        total=total,
        band=band,
        scores=clean,
        suggested_attendance=suggested,
        message=message,
    )


def publish_resolution(
    session: Session,
    actor: Actor,
    meeting_id: int,
    *,
    now: datetime,
    rules: CellMonthRules = DEFAULT_RULES,
) -> tuple[Resolution, list[str]]:
    """Send the recorded resolution to every member on the roll; warn when past 2 days.

    Publishing twice sends nothing new (the outbox deduplicates per resolution).
    """
    meeting, resolution = _held_meeting(session, actor, meeting_id, now)
    if resolution.id is None or not (resolution.text or resolution.file_ref):
        raise UserError(texts.RES_NOTHING_TO_PUBLISH)
    cell = load_cell(session, meeting.cell_id)
    when = format_vn_datetime(meeting.starts_at, rules.tz)
    notice = texts.RES_PUBLISH_NOTICE.format(
        cell=cell.name, when=when, text=resolution.text or texts.RES_PUBLISH_FILE_ONLY
    )
    roll = _roll(session, meeting)
    outbox.enqueue(
        session,
        kind=DeliveryKind.RESOLUTION,
        ref_id=resolution.id,
        member_ids=[r.member_id for r in roll if r.member_id != actor.member_id],
        payload=outbox.message(
            notice, file_ref=resolution.file_ref, file_kind=resolution.file_kind
        ),
        dedupe_key=f"resolution:{resolution.id}",
        now=now,
    )
    warnings: list[str] = []
    deadline = meeting.ends_at + rules.resolution_within
    if resolution.published_at is None:
        resolution.published_at = now
        session.add(resolution)
    if resolution.published_at > deadline:
        warnings.append(
            texts.RES_PUBLISH_LATE.format(deadline=format_vn_datetime(deadline, rules.tz))
        )
    audit.record(
        session,
        "resolution.published",
        "meeting",
        meeting.id,
        actor_member_id=actor.member_id,
        detail={"resolution_id": resolution.id},
        at=now,
    )
    return resolution, warnings


# --- Tasks ------------------------------------------------------------------------------------


def assign_task(
    session: Session,
    actor: Actor,
    meeting_id: int,
    *,
    owner_member_id: int,
    title: str,
    due_on: date,
    now: datetime,
    rules: CellMonthRules = DEFAULT_RULES,
) -> Task:
    """Assign a task at (or after) a meeting to a member of the cell, with a deadline.

    The deadline is a local calendar day and may not be in the past. The owner is told.
    """
    meeting, cell = managed_meeting(session, actor, meeting_id)
    require_active(meeting)
    clean_title = nfc(title or "")
    if not clean_title:
        raise UserError(texts.RES_TASK_NO_TITLE)
    if len(clean_title) > 500:
        raise UserError(texts.MTG_TEXT_TOO_LONG.format(length=len(clean_title), maximum=500))
    if due_on < now.astimezone(rules.tz).date():
        raise UserError(texts.RES_TASK_DUE_PAST.format(due=format_vn_date(due_on)))
    owner = session.get(Member, owner_member_id)
    if owner is None or owner.cell_id != cell.id:
        raise UserError(texts.RES_TASK_OWNER_OUTSIDE)
    assert cell.id is not None
    task = Task(
        cell_id=cell.id,
        meeting_id=meeting.id,
        title=clean_title,
        owner_member_id=owner_member_id,
        due_on=due_on,
        status=TaskStatus.OPEN,
        created_by_member_id=actor.member_id,
        created_at=now,
        updated_at=now,
    )
    session.add(task)
    session.flush()
    outbox.enqueue(
        session,
        kind=DeliveryKind.TASK,
        ref_id=task.id,
        member_ids=[owner_member_id],
        payload=outbox.message(
            texts.RES_TASK_NOTICE.format(title=clean_title, due=format_vn_date(due_on))
        ),
        dedupe_key=f"task:{task.id}",
        now=now,
    )
    audit.record(
        session,
        "task.assigned",
        "task",
        task.id,
        actor_member_id=actor.member_id,
        detail={"meeting_id": meeting.id, "owner": owner_member_id, "due_on": due_on.isoformat()},
        at=now,
    )
    return task


def complete_task(
    session: Session,
    actor: Actor,
    task_id: int,
    *,
    result: str | None = None,
    now: datetime,
) -> Task:
    """Mark a task done: by its owner, or by the cell's secretary or deputy."""
    task = session.exec(select(Task).where(Task.id == task_id).with_for_update()).first()
    if task is None:
        raise UserError(texts.RES_TASK_NOT_FOUND)
    cell = load_cell(session, task.cell_id)
    if task.owner_member_id != actor.member_id and not allows(actor, Permission.MANAGE_CELL, cell):
        raise UserError(texts.RES_TASK_NOT_OWNER)
    if task.status == TaskStatus.DONE:
        raise UserError(texts.RES_TASK_ALREADY_DONE)
    task.status = TaskStatus.DONE
    task.result = nfc(result or "") or None
    task.done_at = now
    task.updated_at = now
    session.add(task)
    audit.record(
        session,
        "task.completed",
        "task",
        task.id,
        actor_member_id=actor.member_id,
        detail={"result": task.result},
        at=now,
    )
    return task


def cell_tasks(
    session: Session, actor: Actor, cell_id: int, *, open_only: bool = True
) -> list[Task]:
    """The cell's tasks by deadline (secretary, deputy, committee above)."""
    cell = load_cell(session, cell_id)
    if not allows(actor, Permission.OVERSEE, cell):
        authorize(actor, Permission.MANAGE_CELL, cell)
    query = select(Task).where(Task.cell_id == cell_id)
    if open_only:
        query = query.where(Task.status == TaskStatus.OPEN)
    return list(session.exec(query.order_by(col(Task.due_on), col(Task.id))))


def overdue_tasks(
    session: Session,
    actor: Actor,
    cell_id: int,
    *,
    now: datetime,
    rules: CellMonthRules = DEFAULT_RULES,
) -> list[Task]:
    """Open tasks whose deadline (a local day) has passed."""
    today = now.astimezone(rules.tz).date()
    return [t for t in cell_tasks(session, actor, cell_id) if t.due_on < today]


def my_tasks(session: Session, actor: Actor, *, open_only: bool = True) -> list[Task]:
    """The actor's own tasks, soonest deadline first."""
    query = select(Task).where(Task.owner_member_id == actor.member_id)
    if open_only:
        query = query.where(Task.status == TaskStatus.OPEN)
    return list(session.exec(query.order_by(col(Task.due_on), col(Task.id))))
