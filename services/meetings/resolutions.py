"""After the meeting: the resolution, its vote, the meeting's quality score, the tasks assigned.

Rules (docs/domain.md):
- A resolution passes with more than half of the official members convened voting for it.
  The denominator leaves out members on temporary transfer, exempt members who are absent,
  and suspended members. Probationary members do not vote (Điều lệ Đảng; Hướng dẫn
  42-HD/BTCTW), so a vote with more ballots than official members present is refused.
- Before a vote is entered, fewer than half of the official members convened recorded present
  is warned (`quorum`); the secretary may still go on.
- The meeting's quality is scored on a 100-point sheet (used by several provinces, unverified
  nationally, hence `QUALITY_CRITERIA` is data): time 5, attendance 5, preparation 10,
  conduct 40, principles 5, results of last month's resolution 30, closing 5. Bands: Tốt ≥ 90,
  Khá 70–89, Trung bình 50–69, Kém < 50. The attendance criterion has its own rule:
  ≥ 90 % present → 4; 75–89 % → 3; 65–74 % → 2; below 65 % or any absence without leave → 1.
- Tasks carry an owner and a deadline; the cell supervises them (Quy định 296-QĐ/TW).
- The adopted resolution is posted to members within 2 days (local practice, unverified).
  Only an adopted resolution is posted: one that failed the vote is revised and voted again.
- A resolution is never rewritten once voted on or posted: a change is a new version, the old
  one kept, and every vote is kept (`resolution_versions`, `resolution_votes`). A correction
  of wording keeps the adoption; a change of content must be voted on again, and reaches
  members only once adopted, announced with what changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
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
    ResolutionChange,
    ResolutionVersion,
    ResolutionVote,
    Task,
    TaskStatus,
    Unit,
)
from services import audit, outbox, texts
from services.auth import Actor, Permission, allows, authorize
from services.buttons import ButtonId
from services.errors import UserError
from services.meetings import texts as meeting_texts
from services.meetings.planning import (
    DEFAULT_RULES,
    CellMonthRules,
    ensure_roll,
    load_cell,
    managed_meeting,
    readable_meeting,
    require_active,
    viewed_meeting,
)
from services.offers import Todo
from services.textnorm import nfc
from services.vndate import format_vn_date, format_vn_datetime

# A task's "Hoàn thành" button (services.buttons), on its reminders and in /nhiemvu.
TASK_DONE = ButtonId("task_done")

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
    vote: ResolutionVote
    version: ResolutionVersion


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


@dataclass(frozen=True)
class Quorum:
    """Whether enough official members are recorded present for the vote to mean something.

    `present` and `convened` are the vote's own counts (`count_voters`: official members,
    without those on temporary transfer, suspended, or exempt and absent), so the warning and
    the vote's denominator never disagree. `needed` is half of `convened`, rounded up.
    """

    present: int
    convened: int
    needed: int
    met: bool


def quorum(voters: VoterCount) -> Quorum:
    """At least half of the official members convened must be present; fewer is warned.

    The secretary is warned before the vote is entered, not refused: the roll may simply be
    incomplete, and the cell decides (the vote itself keeps its own rule, `record_vote`).
    Integer arithmetic: 3 of 6 is exactly half and meets it, 3 of 7 does not.
    """
    present, convened = voters.eligible_present, voters.convened
    return Quorum(
        present=present,
        convened=convened,
        needed=(convened + 1) // 2,
        met=present * 2 >= convened,
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


# --- Versions and votes: the history and what it means ----------------------------------------


class ResolutionStage(StrEnum):
    """Where the current version stands; the secretary's menu says it in words."""

    EMPTY = "empty"  # a vote was recorded before the text: no content yet
    UNVOTED = "unvoted"
    FAILED = "failed"
    ADOPTED = "adopted"  # adopted, not yet sent to members
    PUBLISHED = "published"  # adopted and sent: members have this version


def has_content(version: ResolutionVersion | None) -> bool:
    return version is not None and bool(version.text or version.file_ref)


@dataclass(frozen=True)
class ResolutionRecord:
    """A resolution with its versions and votes, oldest first: what the rules read.

    The current version is the newest. A version's adoption is decided by its latest vote; a
    correction of wording with no vote of its own stands or falls with the version it
    corrects (`deciding_vote`). Members have the newest published version (`published`).
    """

    resolution: Resolution
    versions: tuple[ResolutionVersion, ...]
    votes: tuple[ResolutionVote, ...]

    @property
    def current(self) -> ResolutionVersion | None:
        return self.versions[-1] if self.versions else None

    @property
    def published(self) -> ResolutionVersion | None:
        """The version members have now: the newest one sent to them."""
        sent = [v for v in self.versions if v.published_at is not None]
        return sent[-1] if sent else None

    @property
    def first_published(self) -> ResolutionVersion | None:
        return next((v for v in self.versions if v.published_at is not None), None)

    def published_before(self, version: ResolutionVersion) -> ResolutionVersion | None:
        """The newest version sent to members before `version`: what an amendment replaces."""
        sent = [
            v for v in self.versions if v.published_at is not None and v.number < version.number
        ]
        return sent[-1] if sent else None

    def votes_on(self, version: ResolutionVersion) -> list[ResolutionVote]:
        return [v for v in self.votes if v.version_id == version.id]

    def deciding_vote(self, version: ResolutionVersion) -> ResolutionVote | None:
        """The vote that decides whether `version` stands adopted: its own latest vote, or
        for a correction of wording without one, that of the version it corrects."""
        by_number = {v.number: v for v in self.versions}
        at: ResolutionVersion | None = version
        while at is not None:
            own = self.votes_on(at)
            if own:
                return own[-1]
            if at.change != ResolutionChange.WORDING:
                return None
            at = by_number.get(at.number - 1)
        return None

    def adopted(self, version: ResolutionVersion) -> bool:
        vote = self.deciding_vote(version)
        return vote is not None and vote.passed

    def change_between(self, old: ResolutionVersion, new: ResolutionVersion) -> ResolutionChange:
        """How `new` differs from `old`: a change of content if any version between them
        changed the content, otherwise a correction of wording."""
        steps = [v.change for v in self.versions if old.number < v.number <= new.number]
        if ResolutionChange.CONTENT in steps:
            return ResolutionChange.CONTENT
        return ResolutionChange.WORDING

    @property
    def stage(self) -> ResolutionStage:
        current = self.current
        if current is None or not has_content(current):
            return ResolutionStage.EMPTY
        if current.published_at is not None:
            return ResolutionStage.PUBLISHED
        vote = self.deciding_vote(current)
        if vote is None:
            return ResolutionStage.UNVOTED
        return ResolutionStage.ADOPTED if vote.passed else ResolutionStage.FAILED

    @property
    def editable_in_place(self) -> bool:
        """A change rewrites the current version only while it is a draft nobody relied on:
        no content yet (a vote waiting for its text), or neither decided by a vote nor sent
        to members. Otherwise a change is a new version."""
        current = self.current
        if current is None or not has_content(current):
            return True
        return current.published_at is None and self.deciding_vote(current) is None


@dataclass(frozen=True)
class RevisionPlan:
    """What recording a new text would do, before it is written: the flow asks the kind of
    change only when `needs_kind` (the current version is adopted)."""

    number: int  # the version the text will be written to
    in_place: bool
    needs_kind: bool
    published: bool  # members have the current version
    summary: str  # what changes (`describe_content_change`); empty when there was nothing


@dataclass(frozen=True)
class Revision:
    resolution: Resolution
    version: ResolutionVersion
    new_version: bool  # False when a draft was rewritten in place
    record: ResolutionRecord


@dataclass(frozen=True)
class PublicationPlan:
    """The message a publication sends and to whom, checked but not yet enqueued."""

    record: ResolutionRecord
    version: ResolutionVersion
    previous: ResolutionVersion | None  # the version members have; set for an amendment
    change: ResolutionChange | None  # the amendment's kind, relative to `previous`
    notice: str
    member_ids: tuple[int, ...]
    already: bool  # this version was sent before: sending again adds nothing


@dataclass(frozen=True)
class Publication:
    """A publication done: `recipients` is every member it was meant for (the roll, less the
    sender); `enqueued` says who has a chat account to receive it."""

    resolution: Resolution
    version: ResolutionVersion
    recipients: int
    amendment: bool
    warnings: list[str]
    enqueued: outbox.EnqueueResult


@dataclass(frozen=True)
class PublishedResolution:
    """What a member reads in /nghiquyet: the version they have, the vote behind it, and
    when and how it was amended since it was first sent."""

    meeting: Meeting
    version: ResolutionVersion
    vote: ResolutionVote | None
    amended: ResolutionChange | None
    amended_at: datetime | None


def change_excerpt(old: str, new: str, *, context: int = 30, width: int = 240) -> tuple[str, str]:
    """The part of a text that changed, before and after, with a few words either side.

    What members are shown about an amendment: short enough to read on a phone, long enough to
    see what was changed. Cuts fall on spaces; "…" marks what is left out. Pure, so tested
    directly.
    """
    if old == new:
        return old[:width], new[:width]
    shorter = min(len(old), len(new))
    prefix = next((i for i in range(shorter) if old[i] != new[i]), shorter)
    limit = shorter - prefix
    suffix = 0
    while suffix < limit and old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1

    def window(text: str) -> str:
        start = max(prefix - context, 0)
        if start > 0:
            start = text.rfind(" ", 0, start) + 1
        end = len(text) - suffix + context
        if end < len(text):
            space = text.find(" ", end)
            end = len(text) if space < 0 else space
        else:
            end = len(text)
        piece = text[start:end].strip()
        if len(piece) > width:
            half = width // 2
            piece = f"{piece[:half].rstrip()} … {piece[-half:].lstrip()}"
        return ("…" if start > 0 else "") + piece + ("…" if end < len(text) else "")

    return window(old), window(new)


def describe_content_change(
    old_text: str | None, old_file: str | None, new_text: str | None, new_file: str | None
) -> str:
    """The change as members and the secretary are shown it: the text before and after
    ("Trước: … / Nay: …", only the changed part), and a line when the file was replaced."""
    lines: list[str] = []
    if (old_text or "") != (new_text or ""):
        before, after = change_excerpt(old_text or "", new_text or "")
        lines.append(
            meeting_texts.RES_DIFF.format(
                old=before or meeting_texts.RES_DIFF_NO_TEXT,
                new=after or meeting_texts.RES_DIFF_NO_TEXT,
            )
        )
    if (old_file or "") != (new_file or ""):
        lines.append(
            meeting_texts.RES_DIFF_FILE if new_file else meeting_texts.RES_DIFF_FILE_REMOVED
        )
    return "\n".join(lines)


def describe_change(old: ResolutionVersion, new: ResolutionVersion) -> str:
    return describe_content_change(old.text, old.file_ref, new.text, new.file_ref)


# --- Resolution, vote, score ------------------------------------------------------------------


def _held_meeting(
    session: Session, actor: Actor, meeting_id: int, now: datetime
) -> tuple[Meeting, Resolution]:
    """A meeting the actor manages that has started, with its (possibly new) resolution row.

    The meeting row is locked for the update, so two leaders recording at once take turns
    (version and vote numbers are also unique per resolution)."""
    meeting, _cell = managed_meeting(session, actor, meeting_id, for_update=True)
    require_active(meeting)
    if now < meeting.starts_at:
        raise UserError(meeting_texts.RES_NOT_YET_HELD)
    resolution = session.exec(select(Resolution).where(Resolution.meeting_id == meeting_id)).first()
    if resolution is None:
        resolution = Resolution(
            meeting_id=meeting_id,
            created_by_member_id=actor.member_id,
            created_at=now,
            updated_at=now,
        )
    return meeting, resolution


def _saved(session: Session, resolution: Resolution) -> int:
    """The resolution's id, inserting the row first if it is new."""
    if resolution.id is None:
        session.add(resolution)
        session.flush()
    assert resolution.id is not None
    return resolution.id


def _history(session: Session, resolution: Resolution) -> ResolutionRecord:
    if resolution.id is None:
        return ResolutionRecord(resolution, (), ())
    versions = session.exec(
        select(ResolutionVersion)
        .where(ResolutionVersion.resolution_id == resolution.id)
        .order_by(col(ResolutionVersion.number))
    ).all()
    votes = session.exec(
        select(ResolutionVote)
        .where(ResolutionVote.resolution_id == resolution.id)
        .order_by(col(ResolutionVote.number))
    ).all()
    return ResolutionRecord(resolution, tuple(versions), tuple(votes))


def _mirror(session: Session, record: ResolutionRecord, now: datetime) -> ResolutionRecord:
    """Copy the current version and its deciding vote onto the resolution row (see
    `models.Resolution`), from a freshly read history; returns that history."""
    record = _history(session, record.resolution)
    resolution, current = record.resolution, record.current
    vote = record.deciding_vote(current) if current is not None else None
    resolution.text = current.text if current else None
    resolution.file_ref = current.file_ref if current else None
    resolution.file_kind = current.file_kind if current else None
    resolution.votes_for = vote.votes_for if vote else None
    resolution.votes_against = vote.votes_against if vote else None
    resolution.votes_abstain = vote.votes_abstain if vote else None
    resolution.convened = vote.convened if vote else None
    resolution.eligible_present = vote.eligible_present if vote else None
    resolution.passed = vote.passed if vote else None
    resolution.voted_at = vote.recorded_at if vote else None
    resolution.updated_at = now
    session.add(resolution)
    session.flush()
    return record


def _check_expected(record: ResolutionRecord, expected_version: int | None) -> None:
    """Refuse when the resolution changed since the secretary looked at it (`expected_version`
    is the version number they saw, 0 for none; None skips the check)."""
    current = record.current.number if record.current else 0
    if expected_version is not None and expected_version != current:
        raise UserError(meeting_texts.RES_VERSION_CHANGED.format(number=current))


def _roll(session: Session, meeting: Meeting) -> list[Attendance]:
    ensure_roll(session, meeting)
    return list(session.exec(select(Attendance).where(Attendance.meeting_id == meeting.id)))


def get_resolution(session: Session, actor: Actor, meeting_id: int) -> Resolution | None:
    """The meeting's resolution record, for its managers, committees above and its members."""
    meeting, _cell = readable_meeting(session, actor, meeting_id)
    return session.exec(select(Resolution).where(Resolution.meeting_id == meeting.id)).first()


def resolution_record(session: Session, actor: Actor, meeting_id: int) -> ResolutionRecord | None:
    """The meeting's resolution with its versions and votes (same readers as `get_resolution`)."""
    resolution = get_resolution(session, actor, meeting_id)
    return None if resolution is None else _history(session, resolution)


def _clean_content(
    text: str | None,
    file_ref: str | None,
    file_kind: FileKind | str | None,
    rules: CellMonthRules,
) -> tuple[str | None, str | None, str | None]:
    clean_text = nfc(text or "")
    clean_ref = nfc(file_ref or "")[:500]
    if not clean_text and not clean_ref:
        raise UserError(meeting_texts.RES_NEED_CONTENT)
    if len(clean_text) > rules.max_text_chars:
        raise UserError(
            meeting_texts.MTG_TEXT_TOO_LONG.format(
                length=len(clean_text), maximum=rules.max_text_chars
            )
        )
    kind = (FileKind(file_kind) if file_kind else FileKind.DOCUMENT).value if clean_ref else None
    return clean_text or None, clean_ref or None, kind


def _plan_revision(
    record: ResolutionRecord, text: str | None, file_ref: str | None
) -> RevisionPlan:
    current = record.current
    summary = ""
    if current is not None and has_content(current):
        if (current.text, current.file_ref) == (text, file_ref):
            raise UserError(meeting_texts.RES_UNCHANGED)
        summary = describe_content_change(current.text, current.file_ref, text, file_ref)
    in_place = record.editable_in_place
    number = (current.number if current else 0) + (0 if in_place and current else 1)
    return RevisionPlan(
        number=number,
        in_place=in_place,
        needs_kind=not in_place and current is not None and record.adopted(current),
        published=current is not None and current.published_at is not None,
        summary=summary,
    )


def plan_revision(
    session: Session,
    actor: Actor,
    meeting_id: int,
    *,
    text: str | None = None,
    file_ref: str | None = None,
    file_kind: FileKind | str | None = None,
    now: datetime,
    rules: CellMonthRules = DEFAULT_RULES,
) -> RevisionPlan:
    """What `record_resolution` would do with this text, refusing what it would refuse; so the
    flow asks "correction of wording or change of content?" only when it matters."""
    _meeting, resolution = _held_meeting(session, actor, meeting_id, now)
    clean_text, clean_ref, _kind = _clean_content(text, file_ref, file_kind, rules)
    return _plan_revision(_history(session, resolution), clean_text, clean_ref)


def record_resolution(
    session: Session,
    actor: Actor,
    meeting_id: int,
    *,
    text: str | None = None,
    file_ref: str | None = None,
    file_kind: FileKind | str | None = None,
    change: ResolutionChange | str | None = None,
    expected_version: int | None = None,
    now: datetime,
    rules: CellMonthRules = DEFAULT_RULES,
) -> Revision:
    """Record the resolution's text and/or file (after the meeting has started).

    A draft (nothing voted or sent yet) is rewritten in place. Once the current version was
    voted on or sent to members, the text becomes a new version and the old one is kept:
    - if the current version is adopted, `change` says which kind: a correction of wording
      keeps the adoption, a change of content must be voted on again (refused without it);
    - otherwise (not adopted) it is a change of content, to be voted on.
    Nothing is sent here: a new version reaches members through `publish_resolution`, and
    only once adopted. `expected_version` guards against a change made meanwhile.
    """
    meeting, resolution = _held_meeting(session, actor, meeting_id, now)
    clean_text, clean_ref, clean_kind = _clean_content(text, file_ref, file_kind, rules)
    record = _history(session, resolution)
    _check_expected(record, expected_version)
    plan = _plan_revision(record, clean_text, clean_ref)
    current = record.current
    kind = ResolutionChange.FIRST if current is None else ResolutionChange.CONTENT
    if plan.needs_kind:
        try:
            kind = ResolutionChange(change or "")
        except ValueError:
            raise UserError(meeting_texts.RES_CHANGE_KIND_NEEDED) from None
        if kind is ResolutionChange.FIRST:
            raise UserError(meeting_texts.RES_CHANGE_KIND_NEEDED)
    # Every refusal is above: nothing is written before them (`attempt` rolls nothing back).
    resolution_id = _saved(session, resolution)
    if plan.in_place and current is not None:
        version = current
    else:
        version = ResolutionVersion(
            resolution_id=resolution_id,
            number=plan.number,
            change=kind.value,
            created_by_member_id=actor.member_id,
            created_at=now,
        )
    version.text, version.file_ref, version.file_kind = clean_text, clean_ref, clean_kind
    session.add(version)
    session.flush()
    record = _mirror(session, record, now)
    audit.record(
        session,
        "resolution.recorded",
        "meeting",
        meeting.id,
        actor_member_id=actor.member_id,
        detail={
            "resolution_id": resolution_id,
            "version": version.number,
            "change": version.change,
            "in_place": plan.in_place and current is not None,
            "has_file": bool(clean_ref),
        },
        at=now,
    )
    return Revision(
        resolution=resolution,
        version=version,
        new_version=not (plan.in_place and current is not None),
        record=record,
    )


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
    again: bool = False,
    expected_version: int | None = None,
    now: datetime,
) -> VoteResult:
    """Record a vote on the current version and decide whether it passed.

    Every vote is kept: a new one is added to the history, never written over an older one.
    Refused: negative counts; parts that do not add up to the stated `total`; more ballots
    than official members present (probationary members do not vote); no official member
    recorded present (take the roll first); a second vote on a version without `again` (the
    secretary confirmed); a failing vote on a version already sent to members as adopted (a
    different content is a new version, voted on its own).
    """
    meeting, resolution = _held_meeting(session, actor, meeting_id, now)
    counts = (votes_for, votes_against, votes_abstain)
    if any(not isinstance(c, int) or isinstance(c, bool) or c < 0 for c in counts):
        raise UserError(meeting_texts.RES_VOTE_NEGATIVE)
    cast = sum(counts)
    if total is not None and total != cast:
        raise UserError(
            meeting_texts.RES_VOTE_MISMATCH.format(
                for_=votes_for,
                against=votes_against,
                abstain=votes_abstain,
                total=cast,
                stated=total,
            )
        )
    voters = count_voters(_roll(session, meeting))
    if voters.eligible_present == 0:
        raise UserError(meeting_texts.RES_VOTE_NO_VOTERS)
    if cast > voters.eligible_present:
        raise UserError(
            meeting_texts.RES_VOTE_EXCEEDS.format(total=cast, eligible=voters.eligible_present)
        )
    passed = votes_for * 2 > voters.convened
    record = _history(session, resolution)
    _check_expected(record, expected_version)
    version = record.current
    if version is not None:
        if record.deciding_vote(version) is not None and not again:
            raise UserError(meeting_texts.RES_VOTE_ALREADY)
        if version.published_at is not None and not passed:
            raise UserError(
                meeting_texts.RES_REVOTE_PUBLISHED_FAILS.format(
                    for_=votes_for, needed=voters.needed
                )
            )
    resolution_id = _saved(session, resolution)
    if version is None:
        # The vote came before the text: it waits in an empty first version, which the text
        # then fills (`editable_in_place`).
        version = ResolutionVersion(
            resolution_id=resolution_id,
            number=1,
            change=ResolutionChange.FIRST.value,
            created_by_member_id=actor.member_id,
            created_at=now,
        )
        session.add(version)
        session.flush()
    assert version.id is not None
    vote = ResolutionVote(
        resolution_id=resolution_id,
        version_id=version.id,
        number=len(record.votes) + 1,
        votes_for=votes_for,
        votes_against=votes_against,
        votes_abstain=votes_abstain,
        convened=voters.convened,
        eligible_present=voters.eligible_present,
        passed=passed,
        recorded_by_member_id=actor.member_id,
        recorded_at=now,
    )
    session.add(vote)
    session.flush()
    _mirror(session, record, now)
    audit.record(
        session,
        "resolution.vote_recorded",
        "meeting",
        meeting.id,
        actor_member_id=actor.member_id,
        detail={
            "vote": vote.number,
            "version": version.number,
            "for": votes_for,
            "against": votes_against,
            "abstain": votes_abstain,
            "convened": voters.convened,
            "eligible_present": voters.eligible_present,
            "passed": passed,
        },
        at=now,
    )
    outcome = (
        texts.RES_PASSED if passed else meeting_texts.RES_NOT_PASSED.format(needed=voters.needed)
    )
    message = meeting_texts.RES_VOTE_RESULT.format(
        for_=votes_for,
        against=votes_against,
        abstain=votes_abstain,
        convened=voters.convened,
        outcome=outcome,
    )
    return VoteResult(
        resolution=resolution,
        passed=passed,
        voters=voters,
        message=message,
        vote=vote,
        version=version,
    )


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
        raise UserError(meeting_texts.RES_SCORE_UNKNOWN.format(name=unknown[0]))
    tally = tally_attendance(_roll(session, meeting))
    suggested = attendance_subscore(tally.present, tally.expected, tally.any_unexcused)
    values = dict(scores)
    values.setdefault("attendance", suggested)
    missing = [
        meeting_texts.RES_SCORE_LABELS[name] for name in QUALITY_CRITERIA if name not in values
    ]
    if missing:
        raise UserError(meeting_texts.RES_SCORE_MISSING.format(names=", ".join(missing)))
    clean: dict[str, int] = {}
    for name, maximum in QUALITY_CRITERIA.items():
        value = values[name]
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= maximum:
            raise UserError(
                meeting_texts.RES_SCORE_RANGE.format(
                    label=meeting_texts.RES_SCORE_LABELS[name], maximum=maximum
                )
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
    message = meeting_texts.RES_SCORE_RESULT.format(
        total=total, band=meeting_texts.RES_BAND_LABELS[band]
    )
    return QualityScore(
        resolution=resolution,
        total=total,
        band=band,
        scores=clean,
        suggested_attendance=suggested,
        message=message,
    )


def _plan_publication(
    session: Session,
    actor: Actor,
    meeting: Meeting,
    resolution: Resolution,
    *,
    expected_version: int | None,
    now: datetime,
    rules: CellMonthRules,
) -> PublicationPlan:
    record = _history(session, resolution)
    _check_expected(record, expected_version)
    version = record.current
    if version is None or not has_content(version):
        raise UserError(meeting_texts.RES_NOTHING_TO_PUBLISH)
    already = version.published_at is not None
    if not already:
        vote = record.deciding_vote(version)
        if vote is None:
            raise UserError(meeting_texts.RES_PUBLISH_NOT_VOTED)
        if not vote.passed:
            raise UserError(
                meeting_texts.RES_PUBLISH_NOT_ADOPTED.format(
                    for_=vote.votes_for, convened=vote.convened, needed=vote.convened // 2 + 1
                )
            )
    cell = load_cell(session, meeting.cell_id)
    when = format_vn_datetime(meeting.starts_at, rules.tz)
    body = version.text or texts.RES_PUBLISH_FILE_ONLY
    previous = record.published_before(version)
    change = record.change_between(previous, version) if previous is not None else None
    if previous is None or change is None:
        notice = meeting_texts.RES_PUBLISH_NOTICE.format(cell=cell.name, when=when, text=body)
    else:
        sent_at = version.published_at or now
        notice = meeting_texts.RES_AMEND_NOTICE.format(
            cell=cell.name,
            when=when,
            date=format_vn_date(sent_at.astimezone(rules.tz).date()),
            change=meeting_texts.RES_AMEND_CHANGE_LABELS[change],
            diff=describe_change(previous, version),
            text=body,
        )
    roll = _roll(session, meeting)
    return PublicationPlan(
        record=record,
        version=version,
        previous=previous,
        change=change,
        notice=notice,
        member_ids=tuple(r.member_id for r in roll if r.member_id != actor.member_id),
        already=already,
    )


def plan_publication(
    session: Session,
    actor: Actor,
    meeting_id: int,
    *,
    expected_version: int | None = None,
    now: datetime,
    rules: CellMonthRules = DEFAULT_RULES,
) -> PublicationPlan:
    """What publishing would send, and to whom, refusing what `publish_resolution` refuses:
    the preview the secretary confirms with one tap."""
    meeting, resolution = _held_meeting(session, actor, meeting_id, now)
    return _plan_publication(
        session,
        actor,
        meeting,
        resolution,
        expected_version=expected_version,
        now=now,
        rules=rules,
    )


def publish_resolution(
    session: Session,
    actor: Actor,
    meeting_id: int,
    *,
    expected_version: int | None = None,
    now: datetime,
    rules: CellMonthRules = DEFAULT_RULES,
) -> Publication:
    """Send the current version to every member on the roll, through the outbox.

    Only an adopted version is sent (its deciding vote passed): an unvoted or failed one is
    refused with the reason and what to do. The first version sent is the resolution; a later
    one is an amendment, announced with what changed since the version members have (kind,
    date, the changed words before and after) and its full text. Warns when the first
    publication is past the 2-day rule. Publishing a version again sends nothing new (the
    outbox deduplicates per version) but reaches members who linked an account since.
    """
    meeting, resolution = _held_meeting(session, actor, meeting_id, now)
    plan = _plan_publication(
        session,
        actor,
        meeting,
        resolution,
        expected_version=expected_version,
        now=now,
        rules=rules,
    )
    version = plan.version
    assert resolution.id is not None
    key = f"resolution:{resolution.id}"
    if plan.previous is not None:
        key += f":v{version.number}"
    enqueued = outbox.enqueue(
        session,
        kind=DeliveryKind.RESOLUTION,
        ref_id=resolution.id,
        member_ids=plan.member_ids,
        payload=outbox.message(plan.notice, file_ref=version.file_ref, file_kind=version.file_kind),
        dedupe_key=key,
        now=now,
    )
    if version.published_at is None:
        version.published_at = now
        session.add(version)
    if resolution.published_at is None:
        resolution.published_at = now
        session.add(resolution)
    warnings: list[str] = []
    deadline = meeting.ends_at + rules.resolution_within
    if plan.previous is None and resolution.published_at > deadline:
        warnings.append(
            meeting_texts.RES_PUBLISH_LATE.format(deadline=format_vn_datetime(deadline, rules.tz))
        )
    audit.record(
        session,
        "resolution.published",
        "meeting",
        meeting.id,
        actor_member_id=actor.member_id,
        detail={
            "resolution_id": resolution.id,
            "version": version.number,
            "amendment": plan.previous is not None,
            "again": plan.already,
        },
        at=now,
    )
    return Publication(
        resolution=resolution,
        version=version,
        recipients=len(plan.member_ids),
        amendment=plan.previous is not None,
        warnings=warnings,
        enqueued=enqueued,
    )


def published_resolutions(
    session: Session, actor: Actor, *, limit: int = 3
) -> list[PublishedResolution]:
    """The actor's cell's resolutions as members have them, newest meeting first: the newest
    version sent, the vote it stands on, and whether (how, when) it was amended since first
    sent. Versions not sent (drafts, changes awaiting a vote) are never shown."""
    cell = session.get(Unit, actor.cell_id)
    authorize(actor, Permission.MEMBER, cell)
    rows = session.exec(
        select(Meeting, Resolution)
        .join(Resolution, col(Resolution.meeting_id) == col(Meeting.id))
        .where(Meeting.cell_id == actor.cell_id)
        .where(col(Resolution.published_at).is_not(None))
        .order_by(col(Meeting.starts_at).desc())
        .limit(limit)
    ).all()
    found: list[PublishedResolution] = []
    for meeting, resolution in rows:
        record = _history(session, resolution)
        version, first = record.published, record.first_published
        if version is None or first is None:
            continue
        amended = version.number != first.number
        found.append(
            PublishedResolution(
                meeting=meeting,
                version=version,
                vote=record.deciding_vote(version),
                amended=record.change_between(first, version) if amended else None,
                amended_at=version.published_at if amended else None,
            )
        )
    return found


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
        raise UserError(meeting_texts.RES_TASK_NO_TITLE)
    if len(clean_title) > 500:
        raise UserError(
            meeting_texts.MTG_TEXT_TOO_LONG.format(length=len(clean_title), maximum=500)
        )
    if due_on < now.astimezone(rules.tz).date():
        raise UserError(meeting_texts.RES_TASK_DUE_PAST.format(due=format_vn_date(due_on)))
    owner = session.get(Member, owner_member_id)
    if owner is None or owner.cell_id != cell.id:
        raise UserError(meeting_texts.RES_TASK_OWNER_OUTSIDE)
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
            meeting_texts.RES_TASK_NOTICE.format(title=clean_title, due=format_vn_date(due_on))
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
        raise UserError(meeting_texts.RES_TASK_NOT_FOUND)
    cell = load_cell(session, task.cell_id)
    if task.owner_member_id != actor.member_id and not allows(actor, Permission.MANAGE_CELL, cell):
        raise UserError(meeting_texts.RES_TASK_NOT_OWNER)
    if task.status == TaskStatus.DONE:
        raise UserError(meeting_texts.RES_TASK_ALREADY_DONE)
    if task.status != TaskStatus.OPEN:  # cancelled, or closed as not accomplished
        raise UserError(meeting_texts.RES_TASK_CLOSED)
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


def meeting_task_count(session: Session, actor: Actor, meeting_id: int) -> int:
    """How many tasks the meeting has assigned, whatever their status (its cell's secretary or
    deputy, a committee above; Forbidden otherwise)."""
    meeting, _cell = viewed_meeting(session, actor, meeting_id)
    count = session.exec(
        select(sa.func.count()).select_from(Task).where(Task.meeting_id == meeting.id)
    ).one()
    return int(count)


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


def task_todos(session: Session, actor: Actor, _now: datetime) -> list[Todo]:
    """The actor's open tasks as items of their list (`/nhiemvu`), each with its button."""
    return [Todo(t.title, t.due_on, TASK_DONE(t.id or 0)) for t in my_tasks(session, actor)]


def my_tasks(session: Session, actor: Actor, *, open_only: bool = True) -> list[Task]:
    """The actor's own tasks, soonest deadline first."""
    query = select(Task).where(Task.owner_member_id == actor.member_id)
    if open_only:
        query = query.where(Task.status == TaskStatus.OPEN)
    return list(session.exec(query.order_by(col(Task.due_on), col(Task.id))))
