"""What members read and answer of the cell's meetings: the next meeting (`/lichhop`), its
documents again, the resolutions (`/nghiquyet`) and check-in (`/diemdanh`, or the code typed on
its own). Part of the meetings feature; the answers are the same stateless actions the
invitations carry (`mtg:…`), re-checked each time.
"""

from __future__ import annotations

from textwrap import shorten

from handlers.context import Answer, Ctx, Flow
from handlers.flowkit import as_id, when
from handlers.meeting_kit import rules
from handlers.registry import Action, Audience, Command, Registry, TextRoute, Topic
from models import (
    Attendance,
    AttendanceAnswer,
    AttendanceStatus,
    CheckinOutcome,
    Meeting,
)
from services import texts
from services.auth import Permission
from services.meetings.attendance import check_in, looks_like_checkin_code, my_attendance
from services.meetings.planning import (
    DOCUMENT_AGAIN,
    answer_options,
    load_cell,
    meeting_documents,
    meeting_when,
    send_document_again,
    upcoming_meetings,
)
from services.meetings.resolutions import published_resolutions
from services.textnorm import shorten_text
from services.vndate import format_vn_date


def next_meeting_view(ctx: Ctx, _args: str) -> None:
    """The next meeting: time, place, agenda, documents, and where the member stands.

    Before the meeting: their answer, with the buttons to give or change it. Once it has
    started (or once they are on the roll, e.g. checked in during the hour before) answers are
    closed and the roll decides, so the view says the meeting is in progress (or held) and
    shows the member's real status, with no answer buttons.
    """
    meetings = upcoming_meetings(ctx.session, ctx.me, now=ctx.now, limit=1)
    if not meetings:
        ctx.say(texts.MY_NO_MEETING)
        return
    meeting = meetings[0]
    assert meeting.id is not None
    cell = load_cell(ctx.session, meeting.cell_id)
    ctx.require(Permission.MEMBER, cell)
    lines = [
        texts.MY_MEETING.format(
            kind=texts.MTG_KIND_LABELS.get(meeting.kind, meeting.kind),
            cell=cell.name,
            topic=texts.MTG_INVITE_TOPIC.format(topic=meeting.topic) if meeting.topic else "",
            when=meeting_when(meeting, ctx.config.tz),
            place=meeting.place,
            agenda="\n".join(f"{i}. {item}" for i, item in enumerate(meeting.agenda, 1)),
        )
    ]
    started = meeting.starts_at <= ctx.now
    if started:
        held = meeting.ends_at <= ctx.now
        lines.insert(0, texts.MY_MEETING_HELD if held else texts.MY_MEETING_IN_PROGRESS)
    documents = meeting_documents(ctx.session, ctx.me, meeting.id)
    resend: list[tuple[str, str]] = []
    for document in documents:
        posted = when(ctx, document.posted_at)
        lines.append(texts.MY_MEETING_DOC.format(title=document.title, posted=posted))
        if document.file_ref:
            title = shorten(document.title, 40, placeholder="…")
            again = DOCUMENT_AGAIN(document.id or 0)
            resend.append((again, texts.MY_DOC_AGAIN.format(title=title)))
    row = my_attendance(ctx.session, ctx.me, meeting.id)
    if started or (row is not None and row.status is not None):
        lines.append(_roll_status_text(ctx, meeting, row))
        ctx.menu("\n".join(lines), resend)
        return
    answer = row.answer if row else None
    yes, no = answer_options(meeting.id)
    if answer == AttendanceAnswer.WILL_ATTEND:
        lines.append(texts.MY_ANSWERED_YES)
        options = [(no[0], texts.MY_CHANGE_TO.format(label=no[1]))]
    elif answer == AttendanceAnswer.ABSENT_REQUEST:
        lines.append(texts.MY_ANSWERED_NO.format(reason=row.answer_reason if row else ""))
        options = [(yes[0], texts.MY_CHANGE_TO.format(label=yes[1]))]
    else:
        lines.append(texts.MY_NOT_ANSWERED)
        options = [yes, no]
    ctx.menu("\n".join(lines), options + resend)


def _roll_status_text(ctx: Ctx, meeting: Meeting, row: Attendance | None) -> str:
    """The member's own line of the roll: checked in (and when), the status the secretary
    set, or, with no status yet, what to do (check in now) or what will happen (closing)."""
    status = row.status if row else None
    if status == AttendanceStatus.PRESENT and row is not None and row.checked_in_at:
        at = row.checked_in_at.astimezone(ctx.config.tz).strftime("%H:%M")
        return texts.MY_STATUS_CHECKED_IN.format(time=at)
    if status is not None and row is not None:
        label = texts.ATT_STATUS_LABELS.get(status, status)
        if row.status_reason:
            return texts.MY_STATUS_REASON.format(status=label, reason=row.status_reason)
        return texts.MY_STATUS.format(status=label)
    if row is not None and row.answer == AttendanceAnswer.ABSENT_REQUEST:
        return texts.MY_STATUS_NONE_LEAVE.format(reason=row.answer_reason or "")
    if meeting.ends_at <= ctx.now:
        return texts.MY_STATUS_NONE_HELD
    return texts.MY_STATUS_NONE_RUNNING


def document_again_action(ctx: Ctx, args: list[str]) -> None:
    """`mtg_doc:{id}` on /lichhop: the document comes again, through the outbox, to this
    member; `send_document_again` re-checks that they belong to the meeting's cell."""
    document_id = as_id(args[0]) if len(args) == 1 else None
    if document_id is None:
        ctx.say(texts.STALE_BUTTON)
        return
    document = send_document_again(ctx.session, ctx.me, document_id, now=ctx.now, rules=rules(ctx))
    ctx.say(texts.MY_DOC_ON_ITS_WAY.format(title=document.title))


def resolutions_view(ctx: Ctx, _args: str) -> None:
    """The cell's resolutions as members have them, newest meeting first: the version last
    sent (never a draft or a change awaiting its vote), when and how it was amended, and the
    vote it stands on (`published_resolutions`)."""
    items = published_resolutions(ctx.session, ctx.me, limit=3)
    if not items:
        ctx.say(texts.MY_NO_RESOLUTIONS)
        return
    blocks = []
    for item in items:
        block = texts.MY_RESOLUTION.format(
            when=when(ctx, item.meeting.starts_at),
            text=shorten_text(item.version.text or texts.RES_PUBLISH_FILE_ONLY, 1500),
        )
        if item.amended is not None and item.amended_at is not None:
            block += "\n" + texts.MY_RESOLUTION_AMENDED.format(
                date=format_vn_date(item.amended_at.astimezone(ctx.config.tz).date()),
                change=texts.RES_CHANGE_LABELS[item.amended],
            )
        if item.vote is not None:
            outcome = texts.RES_PASSED if item.vote.passed else texts.MY_NOT_PASSED
            block += "\n" + texts.MY_RESOLUTION_VOTE.format(
                for_=item.vote.votes_for,
                against=item.vote.votes_against,
                abstain=item.vote.votes_abstain,
                outcome=outcome,
            )
        blocks.append(block)
    ctx.say("\n\n".join(blocks))


class CheckinFlow(Flow):
    """`/diemdanh 1234`, or `/diemdanh` and then the code. Wrong and stale codes are recorded
    by the service (they count towards the lock), so it returns an outcome, never raises."""

    name = "checkin"

    def begin(self, ctx: Ctx, args: str) -> None:
        if args:
            self._check(ctx, args)
            return
        ctx.ask(self.name, "code", texts.MY_ASK_CODE, data={})

    def step_code(self, ctx: Ctx, answer: Answer) -> None:
        self._check(ctx, answer.text or "")

    def _check(self, ctx: Ctx, code: str) -> None:
        if not looks_like_checkin_code(code):
            ctx.say(texts.MY_CODE_SHAPE)
            ctx.ask(self.name, "code", texts.MY_ASK_CODE, data={})
            return
        result = check_in(ctx.session, ctx.me, code, now=ctx.now, rules=rules(ctx))
        retry = result.outcome in (CheckinOutcome.WRONG, CheckinOutcome.EXPIRED)
        if retry and result.attempts_left > 0:
            ctx.ask(self.name, "code", result.message, data={})
            return
        ctx.finish()
        ctx.say(result.message)


def register(registry: Registry) -> None:
    """The members' side of meetings (listed early in the wiring list: the member's menu)."""
    checkin = registry.flow(CheckinFlow())
    registry.command(
        Command(
            "lichhop",
            texts.CMD_NEXT_MEETING,
            Audience.MEMBER,
            next_meeting_view,
            topic=Topic.MEETINGS,
            shortcut=True,
        )
    )
    registry.command(
        Command("diemdanh", texts.CMD_CHECKIN, Audience.MEMBER, checkin.begin, topic=Topic.MEETINGS)
    )
    registry.command(
        Command(
            "nghiquyet",
            texts.CMD_RESOLUTIONS,
            Audience.MEMBER,
            resolutions_view,
            topic=Topic.MEETINGS,
        )
    )
    registry.action(Action(DOCUMENT_AGAIN, document_again_action))
    # The code read out in the room, typed on its own, is a check-in: no command to remember.
    registry.text_route(TextRoute("checkin", looks_like_checkin_code, checkin.begin))
