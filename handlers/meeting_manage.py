"""`/hop_quanly`: running a meeting from one menu — who answered, more documents, the check-in
code, the roll call, closing the roll, moving or cancelling, and (once it has started) the
minutes and attendance sheet as a Word file to print — with the private absence flags on top.

Each entry comes back to the menu; every step loads the meeting through
services.meetings.planning.managed_meeting, which re-checks that the actor runs its cell.

The menu keeps the same entries at the same numbers before and after the meeting starts (a
secretary on Zalo learns "4" for the roll once): what only makes sense on one side of the start
is marked so and, if chosen, says why. The roll call works by exception ("present" for everyone
who checked in, or who said they would come, shown and then confirmed; the few who differ are
set one by one), and closing the roll lists every blank and what it becomes before it is done.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from handlers.context import Answer, Ctx, Flow
from handlers.flowkit import (
    as_id,
    attempt,
    file_kind,
    file_name,
    local_now,
    managed_cells,
    page,
    page_key,
    when,
)
from handlers.meeting_kit import flow_meeting, meeting_label, recent_meetings, rules
from handlers.messages import OutFile
from models import AttendanceStatus, Meeting, MemberStatus, StatusSource
from services import outbox, texts
from services.errors import Forbidden, UserError
from services.meetings import texts as meeting_texts
from services.meetings.attendance import (
    PresentBasis,
    RollLine,
    absence_flags,
    answers_overview,
    close_attendance,
    closing_preview,
    confirm_present,
    flag_text,
    open_checkin,
    present_proposal,
    proposed_present,
    roll_call,
    set_status,
    set_vote_exclusion,
)
from services.meetings.minutes import UNMARKED, meeting_minutes
from services.meetings.planning import (
    Move,
    cancel_meeting,
    clean_cancel_reason,
    document_warnings,
    managed_meeting,
    meeting_when,
    move_meeting,
    plan_move,
    post_document,
)
from services.offers import LEADER_NOTES
from services.vndate import format_vn_span, parse_vn_datetime_result

T = TypeVar("T")
# The results flow, handed the meeting by name (`Ctx.hand_off`), not imported.
RESULTS_FLOW = "meeting_results"


def flags_text(ctx: Ctx) -> str | None:
    """The private notes for the cells the actor runs: absences (Điều lệ Đảng, Article 8) and
    what other features offer at `LEADER_NOTES`."""
    notes = []
    for cell in managed_cells(ctx):
        assert cell.id is not None
        flags = absence_flags(ctx.session, ctx.me, cell.id, now=ctx.now, rules=rules(ctx))
        notes += [flag_text(flag, rules(ctx)) for flag in flags]
        for offered in ctx.config.offers.of(LEADER_NOTES):  # other features' (fees unpaid)
            notes += offered(ctx.session, ctx.me, cell.id, ctx.now)
    return "\n".join(notes) if notes else None


def span_label(ctx: Ctx, meeting: Meeting) -> str:
    """A meeting named with its start and end and its kind, for the answers the secretary
    reads (a button keeps the shorter `meeting_label`)."""
    kind = texts.MTG_KIND_LABELS.get(meeting.kind, meeting.kind)
    return texts.FLOW_MEETING_LABEL.format(when=meeting_when(meeting, ctx.config.tz), kind=kind)


def answers_text(ctx: Ctx, meeting: Meeting) -> str:
    """Who will come, who asked to be excused and why, who has not answered; documents."""
    assert meeting.id is not None
    overview = answers_overview(ctx.session, ctx.me, meeting.id)

    def names(lines: list[RollLine]) -> str:
        return ", ".join(x.name for x in lines) or meeting_texts.FLOW_NOBODY

    absent = "; ".join(
        meeting_texts.FLOW_MTG_ABSENT_LINE.format(name=x.name, reason=x.answer_reason or "")
        for x in overview.absent
    )
    lines = [
        meeting_texts.FLOW_MTG_ANSWERS.format(
            label=span_label(ctx, meeting),
            yes=len(overview.attending),
            yes_names=names(overview.attending),
            no=len(overview.absent),
            no_names=absent or meeting_texts.FLOW_NOBODY,
            none=len(overview.unanswered),
            none_names=names(overview.unanswered),
        )
    ]
    lines += document_warnings(ctx.session, meeting, now=ctx.now, rules=rules(ctx))
    return "\n".join(lines)


STATUS_OPTIONS = tuple(texts.ATT_STATUS_LABELS.items())
PROPOSALS = {
    PresentBasis.CHECKED_IN: (
        meeting_texts.FLOW_ROLL_Q_CHECKIN,
        meeting_texts.FLOW_ROLL_PROPOSE_CHECKIN,
    ),
    PresentBasis.ANSWERED: (
        meeting_texts.FLOW_ROLL_Q_ANSWERED,
        meeting_texts.FLOW_ROLL_PROPOSE_ANSWERED,
    ),
}


def status_label(line: RollLine) -> str:
    """A roll line's status as the secretary reads it; a check-in not yet confirmed says so."""
    if line.status == AttendanceStatus.PRESENT and line.status_source == StatusSource.CHECKIN:
        return meeting_texts.FLOW_ROLL_SELF_CHECKED
    return texts.ATT_STATUS_LABELS.get(line.status or "", meeting_texts.FLOW_NOT_YET)


def status_counts(counts: dict[str, int]) -> dict[str, int]:
    """The four statuses' counts, as the closing texts name them."""
    return {
        "present": counts.get(AttendanceStatus.PRESENT, 0),
        "leave": counts.get(AttendanceStatus.ABSENT_WITH_LEAVE, 0),
        "unexcused": counts.get(AttendanceStatus.ABSENT_WITHOUT_LEAVE, 0),
        "exempt": counts.get(AttendanceStatus.EXEMPT, 0),
    }


def _roll_line(ctx: Ctx, meeting: Meeting, member_id: int) -> RollLine | None:
    """The member's line if they are on this meeting's roll (a button may name anyone)."""
    assert meeting.id is not None
    lines = roll_call(ctx.session, ctx.me, meeting.id)
    return next((x for x in lines if x.member_id == member_id), None)


class ManageFlow(Flow):
    """`/hop_quanly`: one menu per meeting; every entry comes back to it."""

    name = "meeting_manage"

    def begin(self, ctx: Ctx, args: str) -> None:
        if not managed_cells(ctx):
            raise Forbidden(texts.FORBIDDEN_SECRETARY)
        flags = flags_text(ctx)
        if flags:
            ctx.say(flags)
        meetings = recent_meetings(ctx)
        if not meetings:
            ctx.finish()
            ctx.say(meeting_texts.FLOW_MTG_NONE)
            return
        if len(meetings) == 1:
            self.menu(ctx, meetings[0])
            return
        options = [(f"g{m.id}", meeting_label(ctx, m)) for m in meetings]
        ctx.ask(self.name, "pick", meeting_texts.FLOW_MTG_CHOOSE, options, data={})

    def step_pick(self, ctx: Ctx, answer: Answer) -> None:
        meeting_id = as_id((answer.option or "")[1:])
        if meeting_id is None:
            ctx.finish()
            ctx.say(texts.STALE_BUTTON)
            return
        meeting, _cell = managed_meeting(ctx.session, ctx.me, meeting_id)
        self.menu(ctx, meeting)

    def menu(self, ctx: Ctx, meeting: Meeting) -> None:
        """Always the same ten entries in the same order; those that do not apply on this
        side of the start are marked (and explain themselves when chosen)."""
        started = meeting.starts_at <= ctx.now

        def after_start(label: str) -> str:
            return label if started else meeting_texts.FLOW_MTG_M_AFTER_START.format(label=label)

        def before_start(label: str) -> str:
            return meeting_texts.FLOW_MTG_M_BEFORE_START.format(label=label) if started else label

        options = [
            ("answers", meeting_texts.FLOW_MTG_M_ANSWERS),
            ("doc", meeting_texts.FLOW_MTG_M_DOC),
            ("checkin", meeting_texts.FLOW_MTG_M_CHECKIN),
            ("roll", meeting_texts.FLOW_MTG_M_ROLL),
            ("close", after_start(meeting_texts.FLOW_MTG_M_CLOSE)),
            ("results", after_start(meeting_texts.FLOW_MTG_M_RESULTS)),
            ("move", before_start(meeting_texts.FLOW_MTG_M_MOVE)),
            ("cancel", before_start(meeting_texts.FLOW_MTG_M_CANCEL)),
            ("done", texts.FLOW_DONE),
            # Added last, so the nine numbers secretaries learnt on Zalo stay where they were.
            ("minutes", after_start(meeting_texts.FLOW_MTG_M_MINUTES)),
        ]
        prompt = meeting_texts.FLOW_MTG_MENU.format(label=meeting_label(ctx, meeting))
        ctx.ask(self.name, "menu", prompt, options, data={"meeting": meeting.id})

    def step_menu(self, ctx: Ctx, answer: Answer) -> None:
        meeting = flow_meeting(ctx)
        meeting_id = meeting.id
        assert meeting_id is not None
        key = answer.option
        started = meeting.starts_at <= ctx.now
        if key == "minutes" and not started:
            ctx.say(meeting_texts.MIN_NOT_STARTED)
        elif key == "minutes":
            self._send_minutes(ctx, meeting)
        elif key in ("close", "results") and not started:
            ctx.say(
                meeting_texts.ATT_CLOSE_TOO_EARLY
                if key == "close"
                else meeting_texts.RES_NOT_YET_HELD
            )
        elif key in ("move", "cancel") and started:
            ctx.say(meeting_texts.MTG_ALREADY_HELD)
        elif key == "answers":
            ctx.say(answers_text(ctx, meeting))
        elif key == "doc":
            self._ask_doc(ctx)
            return
        elif key == "checkin":
            opened = attempt(
                ctx,
                lambda: open_checkin(
                    ctx.session, ctx.me, meeting_id, now=ctx.now, rules=rules(ctx)
                ),
            )
            if opened is not None:
                ctx.say(opened[1])
        elif key == "roll":
            self._ask_roll(ctx, meeting, 0)
            return
        elif key == "close":
            if self._ask_close(ctx, meeting):
                return
        elif key == "results":
            ctx.hand_off(RESULTS_FLOW, str(meeting_id))
            return
        elif key == "cancel":
            ctx.ask(self.name, "cancel_reason", meeting_texts.FLOW_MTG_ASK_CANCEL_REASON)
            return
        elif key == "move":
            self._ask_move_when(ctx, meeting)
            return
        else:
            ctx.finish()
            ctx.say(meeting_texts.FLOW_FINISHED)
            return
        self.menu(ctx, meeting)

    # the minutes and attendance sheet, to print
    def _send_minutes(self, ctx: Ctx, meeting: Meeting) -> None:
        """Send the .docx as a document reply, with the roll's counts in its caption (and a
        note if some members are still unmarked: the file says so too, but the secretary
        should know before printing). Refusals are said; the menu comes back either way."""
        meeting_id = meeting.id
        assert meeting_id is not None
        made = attempt(
            ctx,
            lambda: meeting_minutes(ctx.session, ctx.me, meeting_id, now=ctx.now, rules=rules(ctx)),
        )
        if made is None:
            return
        counts = made.record.counts
        lines = [
            meeting_texts.MIN_SENT.format(
                label=meeting_label(ctx, meeting),
                present=counts[AttendanceStatus.PRESENT],
                leave=counts[AttendanceStatus.ABSENT_WITH_LEAVE],
                unexcused=counts[AttendanceStatus.ABSENT_WITHOUT_LEAVE],
                exempt=counts[AttendanceStatus.EXEMPT],
            )
        ]
        if counts[UNMARKED]:
            lines.append(meeting_texts.MIN_SENT_UNMARKED.format(count=counts[UNMARKED]))
        ctx.say("\n".join(lines), file=OutFile(made.name, made.data, "document"))

    # documents
    def _ask_doc(self, ctx: Ctx) -> None:
        ctx.ask(
            self.name,
            "doc",
            meeting_texts.FLOW_MTG_ASK_ONE_DOC,
            [("back", meeting_texts.FLOW_BACK)],
            accepts_file=True,
        )

    def step_doc(self, ctx: Ctx, answer: Answer) -> None:
        meeting = flow_meeting(ctx)
        assert meeting.id is not None
        upload = answer.file
        if upload is None:
            self.menu(ctx, meeting)
            return
        kind = file_kind(upload)
        if kind is None or not upload.file_id:
            ctx.say(texts.FLOW_FILE_KIND)
            self._ask_doc(ctx)
            return
        title = file_name(upload, meeting_texts.FLOW_DOC_DEFAULT_TITLE.format(n=1))
        posted = post_document(
            ctx.session,
            ctx.me,
            meeting.id,
            title=title,
            file_ref=upload.file_id,
            file_kind=kind,
            now=ctx.now,
            rules=rules(ctx),
        )
        what = meeting_texts.FLOW_MTG_DOC_SENT.format(
            what=meeting_texts.REACH_WHAT_DOCUMENT, title=title
        )
        sent = outbox.describe_reach(ctx.session, posted.reach, what=what)
        ctx.say("\n".join([sent, *posted.warnings]))
        self.menu(ctx, meeting)

    # roll call
    def _ask_roll(self, ctx: Ctx, meeting: Meeting, number: int) -> None:
        """The members, a page at a time, then (once the meeting has started) the two
        proposals of the roll call by exception and the secretary's own "present"."""
        assert meeting.id is not None
        lines = roll_call(ctx.session, ctx.me, meeting.id)
        items = []
        for line in lines:
            shown = status_label(line)
            label = meeting_texts.FLOW_ROLL_LINE.format(name=line.name, status=shown)
            member_status = texts.STATUS_LABELS.get(line.member_status, line.member_status)
            # "dự bị" or "miễn sinh hoạt" told once: not "miễn sinh hoạt (miễn sinh hoạt)".
            if line.member_status != "chinh_thuc" and member_status != shown:
                label += f" ({member_status})"
            if line.vote_exclusion:
                label += meeting_texts.FLOW_ROLL_EXCLUDED
            items.append((f"m{line.member_id}", label))
        options = page(items, number)
        if meeting.starts_at <= ctx.now:
            for basis, (button, _prompt) in PROPOSALS.items():
                count = len(proposed_present(lines, basis))
                options.append((f"q:{basis.value}", button.format(count=count)))
            if self._unmarked_self(ctx, lines):
                options.append(("me", meeting_texts.FLOW_ME_PRESENT))
        options.append(("back", meeting_texts.FLOW_BACK))
        ctx.update_data(page=number)
        ctx.ask(self.name, "roll", meeting_texts.FLOW_MTG_ROLL, options)

    @staticmethod
    def _unmarked_self(ctx: Ctx, lines: list[RollLine]) -> bool:
        return any(x.member_id == ctx.me.member_id and x.status is None for x in lines)

    def step_roll(self, ctx: Ctx, answer: Answer) -> None:
        meeting = flow_meeting(ctx)
        key = answer.option or ""
        number = page_key(key)
        if number is not None:
            self._ask_roll(ctx, meeting, number)
            return
        if key == "back":
            self.menu(ctx, meeting)
            return
        if key == "me":
            self._mark_self(ctx, meeting)
            self._ask_roll(ctx, meeting, int(ctx.data.get("page") or 0))
            return
        if key.startswith("q:"):
            self._propose(ctx, meeting, key[2:])
            return
        member_id = as_id(key[1:]) if key.startswith("m") else None
        if member_id is None:
            ctx.finish()
            ctx.say(texts.STALE_BUTTON)
            return
        line = _roll_line(ctx, meeting, member_id)
        if line is None:
            raise UserError(meeting_texts.ATT_NOT_ON_ROLL)
        ctx.update_data(member=member_id)
        options = [(key, label.capitalize()) for key, label in STATUS_OPTIONS]
        if line.member_status == MemberStatus.OFFICIAL:
            # Left out of the vote's denominator (temporary transfer, suspension: docs/domain.md).
            options += [
                (f"x:{key}", meeting_texts.FLOW_VOTE_EXCL_OPTION.format(label=label))
                for key, label in meeting_texts.VOTE_EXCL_LABELS.items()
                if key != line.vote_exclusion
            ]
            if line.vote_exclusion:
                options.append(("x:none", meeting_texts.FLOW_VOTE_EXCL_CLEAR))
        prompt = meeting_texts.FLOW_MTG_ASK_STATUS.format(name=line.name)
        ctx.ask(self.name, "status", prompt, [*options, ("back", meeting_texts.FLOW_BACK)])

    def step_status(self, ctx: Ctx, answer: Answer) -> None:
        meeting = flow_meeting(ctx)
        assert meeting.id is not None
        member_id = ctx.data.get("member")
        if (answer.option or "").startswith("x:") and isinstance(member_id, int):
            self._exclude(ctx, meeting.id, member_id, (answer.option or "")[2:])
        elif answer.option != "back" and isinstance(member_id, int):
            self._set(ctx, meeting.id, member_id, answer.option or "")
        self._ask_roll(ctx, meeting, int(ctx.data.get("page") or 0))

    def _set(self, ctx: Ctx, meeting_id: int, member_id: int, status: str) -> None:
        row = set_status(
            ctx.session, ctx.me, meeting_id, member_id, status, now=ctx.now, rules=rules(ctx)
        )
        name = next(
            x.name for x in roll_call(ctx.session, ctx.me, meeting_id) if x.member_id == member_id
        )
        label = texts.ATT_STATUS_LABELS[row.status or ""]
        ctx.say(meeting_texts.FLOW_MTG_STATUS_SET.format(name=name, status=label))

    def _mark_self(self, ctx: Ctx, meeting: Meeting) -> None:
        """ "✋ Tôi có mặt": the secretary who runs the meeting is present at it, in one tap
        (set_status re-checks that they run the cell and are on its roll)."""
        assert meeting.id is not None
        if ctx.me.member_id is None:
            raise UserError(meeting_texts.ATT_NOT_ON_ROLL)
        self._set(ctx, meeting.id, ctx.me.member_id, AttendanceStatus.PRESENT)

    def _propose(self, ctx: Ctx, meeting: Meeting, value: str) -> None:
        """Show who a proposal would mark present; nothing is recorded before "Ghi"."""
        meeting_id = meeting.id
        assert meeting_id is not None
        number = int(ctx.data.get("page") or 0)
        basis = next((b for b in PROPOSALS if b.value == value), None)
        if basis is None:
            ctx.say(texts.STALE_BUTTON)
            self._ask_roll(ctx, meeting, number)
            return
        lines = attempt(
            ctx, lambda: present_proposal(ctx.session, ctx.me, meeting_id, basis, now=ctx.now)
        )
        if not lines:
            if lines is not None:
                ctx.say(meeting_texts.FLOW_ROLL_PROPOSE_NONE)
            self._ask_roll(ctx, meeting, number)
            return
        names = "\n".join(f"• {x.name}" for x in lines)
        prompt = PROPOSALS[basis][1].format(count=len(lines), names=names)
        ctx.update_data(basis=basis.value, proposed=[x.member_id for x in lines])
        options = [
            ("yes", meeting_texts.FLOW_ROLL_PROPOSE_OK.format(count=len(lines))),
            ("back", meeting_texts.FLOW_BACK),
        ]
        ctx.ask(self.name, "propose", prompt, options)

    def step_propose(self, ctx: Ctx, answer: Answer) -> None:
        meeting = flow_meeting(ctx)
        meeting_id = meeting.id
        assert meeting_id is not None
        proposed = ctx.data.get("proposed")
        basis = ctx.data.get("basis")
        if answer.option == "yes" and isinstance(proposed, list) and isinstance(basis, str):
            shown = [m for m in proposed if isinstance(m, int)]
            recorded = attempt(
                ctx,
                lambda: confirm_present(ctx.session, ctx.me, meeting_id, basis, shown, now=ctx.now),
            )
            if recorded is not None:
                lines = [meeting_texts.FLOW_ROLL_RECORDED.format(count=len(recorded))]
                if len(recorded) < len(shown):
                    lines.append(
                        meeting_texts.FLOW_ROLL_SKIPPED.format(count=len(shown) - len(recorded))
                    )
                ctx.say("\n".join(lines))
        self._ask_roll(ctx, meeting, int(ctx.data.get("page") or 0))

    def _exclude(self, ctx: Ctx, meeting_id: int, member_id: int, key: str) -> None:
        if key != "none" and key not in meeting_texts.VOTE_EXCL_LABELS:
            raise UserError(texts.STALE_BUTTON)
        exclusion = None if key == "none" else key
        set_vote_exclusion(ctx.session, ctx.me, meeting_id, member_id, exclusion, now=ctx.now)
        name = next(
            x.name for x in roll_call(ctx.session, ctx.me, meeting_id) if x.member_id == member_id
        )
        if exclusion is None:
            ctx.say(meeting_texts.FLOW_VOTE_EXCL_CLEARED.format(name=name))
        else:
            label = meeting_texts.VOTE_EXCL_LABELS[exclusion]
            ctx.say(meeting_texts.FLOW_VOTE_EXCL_SET.format(name=name, label=label))

    # closing the roll: every blank shown with what it becomes, then one tap to confirm
    def _ask_close(self, ctx: Ctx, meeting: Meeting) -> bool:
        """Ask "Chốt điểm danh?" with the blanks listed; False if refused (said already)."""
        meeting_id = meeting.id
        assert meeting_id is not None
        preview = attempt(
            ctx, lambda: closing_preview(ctx.session, ctx.me, meeting_id, now=ctx.now)
        )
        if preview is None:
            return False
        lines = [
            meeting_texts.FLOW_CLOSE_ASK.format(label=meeting_label(ctx, meeting)),
            meeting_texts.FLOW_CLOSE_MARKED.format(**status_counts(preview.marked)),
        ]
        if preview.unmarked:
            lines.append(meeting_texts.FLOW_CLOSE_UNMARKED_HEAD.format(count=len(preview.unmarked)))
            for x in preview.unmarked:
                tags = [meeting_texts.FLOW_CLOSE_YOU] if x.member_id == ctx.me.member_id else []
                tags += [meeting_texts.FLOW_CLOSE_CONVENER] if x.is_convener else []
                who = meeting_texts.FLOW_CLOSE_WHO.format(tags=", ".join(tags)) if tags else ""
                status = texts.ATT_STATUS_LABELS[x.becomes]
                template = (
                    meeting_texts.FLOW_CLOSE_LINE_REASON
                    if x.reason
                    else meeting_texts.FLOW_CLOSE_LINE
                )
                lines.append(template.format(name=x.name, who=who, status=status, reason=x.reason))
            if preview.actor_unmarked:
                lines.append(meeting_texts.FLOW_CLOSE_ME_HINT)
            lines.append(meeting_texts.FLOW_CLOSE_FIX_HINT)
        else:
            lines.append(meeting_texts.FLOW_CLOSE_ALL_MARKED)
        options = [("yes", meeting_texts.FLOW_CLOSE_CONFIRM)]
        if preview.actor_unmarked:
            options.append(("me", meeting_texts.FLOW_ME_PRESENT))
        options += [("roll", meeting_texts.FLOW_MTG_M_ROLL), ("back", meeting_texts.FLOW_BACK)]
        ctx.update_data(closing=[x.member_id for x in preview.unmarked], page=0)
        ctx.ask(self.name, "close", "\n".join(lines), options)
        return True

    def step_close(self, ctx: Ctx, answer: Answer) -> None:
        meeting = flow_meeting(ctx)
        key = answer.option
        if key == "me":
            self._mark_self(ctx, meeting)
        elif key == "roll":
            self._ask_roll(ctx, meeting, 0)
            return
        elif key == "yes":
            shown = ctx.data.get("closing")
            if self._close(ctx, meeting, shown if isinstance(shown, list) else []):
                self.menu(ctx, meeting)
                return
        else:
            self.menu(ctx, meeting)
            return
        if not self._ask_close(ctx, meeting):
            self.menu(ctx, meeting)

    def _close(self, ctx: Ctx, meeting: Meeting, shown: list[object]) -> bool:
        """Close the roll as shown; False (the refusal said) if the blanks changed since."""
        meeting_id = meeting.id
        assert meeting_id is not None
        ids = [m for m in shown if isinstance(m, int)]
        lines = attempt(
            ctx,
            lambda: close_attendance(
                ctx.session, ctx.me, meeting_id, now=ctx.now, shown=ids, rules=rules(ctx)
            ),
        )
        if lines is None:
            return False
        counts = Counter(line.status for line in lines if line.status is not None)
        ctx.say(meeting_texts.FLOW_MTG_CLOSED.format(**status_counts(dict(counts))))
        flags = flags_text(ctx)
        if flags:
            ctx.say(flags)
        return True

    # moving the meeting: a new time, a new place, a preview, then the cell is told
    def _ask_move_when(self, ctx: Ctx, meeting: Meeting) -> None:
        prompt = meeting_texts.FLOW_MTG_ASK_MOVE_WHEN.format(when=when(ctx, meeting.starts_at))
        options = [
            ("new", meeting_texts.FLOW_MTG_NEW_WHEN),
            ("same", meeting_texts.FLOW_MTG_KEEP_WHEN),
        ]
        ctx.ask(self.name, "move_when", prompt, options)

    def step_move_when(self, ctx: Ctx, answer: Answer) -> None:
        meeting = flow_meeting(ctx)
        if answer.option == "new":
            ctx.ask(self.name, "move_when_text", meeting_texts.FLOW_MTG_ASK_WHEN)
            return
        ctx.update_data(move_starts_at=None)
        self._ask_move_place(ctx, meeting)

    def step_move_when_text(self, ctx: Ctx, answer: Answer) -> None:
        meeting = flow_meeting(ctx)
        parsed = parse_vn_datetime_result(answer.text or "", local_now(ctx))
        if not parsed.ok or parsed.value is None:
            ctx.say(parsed.message)
            ctx.ask(self.name, "move_when_text", meeting_texts.FLOW_MTG_ASK_WHEN)
            return
        # The time's refusals (the past, too soon, the month taken) come now, not at the end.
        if self._plan_move(ctx, meeting, parsed.value, None) is None:
            ctx.ask(self.name, "move_when_text", meeting_texts.FLOW_MTG_ASK_WHEN)
            return
        ctx.update_data(move_starts_at=parsed.value.isoformat())
        self._ask_move_place(ctx, meeting)

    def _ask_move_place(self, ctx: Ctx, meeting: Meeting) -> None:
        prompt = meeting_texts.FLOW_MTG_ASK_MOVE_PLACE.format(place=meeting.place)
        options = [
            ("same", meeting_texts.FLOW_MTG_KEEP_PLACE),
            ("new", meeting_texts.FLOW_MTG_PLACE_OTHER),
        ]
        ctx.ask(self.name, "move_place", prompt, options)

    def step_move_place(self, ctx: Ctx, answer: Answer) -> None:
        meeting = flow_meeting(ctx)
        if answer.option == "new":
            ctx.ask(self.name, "move_place_text", meeting_texts.FLOW_MTG_ASK_PLACE)
            return
        self._preview_move(ctx, meeting, None)

    def step_move_place_text(self, ctx: Ctx, answer: Answer) -> None:
        self._preview_move(ctx, flow_meeting(ctx), answer.text or "")

    def _preview_move(self, ctx: Ctx, meeting: Meeting, place: str | None) -> None:
        move = self._plan_move(ctx, meeting, self._move_start(ctx), place)
        if move is None:
            self._ask_move_place(ctx, meeting)
            return
        ctx.update_data(move_place=place)
        preview = meeting_texts.FLOW_MTG_MOVE_PREVIEW.format(
            when=format_vn_span(move.starts_at, move.ends_at, ctx.config.tz), place=move.place
        )
        assert meeting.id is not None
        marked = [x for x in roll_call(ctx.session, ctx.me, meeting.id) if x.status is not None]
        if marked:  # the move clears them (services.meetings.planning.move_meeting): say so first
            preview += "\n" + meeting_texts.FLOW_MTG_MOVE_CLEARS_ROLL.format(count=len(marked))
        options = [("send", meeting_texts.FLOW_MTG_MOVE_SEND), ("back", meeting_texts.FLOW_BACK)]
        ctx.ask(self.name, "move_confirm", preview, options)

    def step_move_confirm(self, ctx: Ctx, answer: Answer) -> None:
        meeting = flow_meeting(ctx)
        meeting_id = meeting.id
        assert meeting_id is not None
        if answer.option != "send":
            self.menu(ctx, meeting)
            return
        place = ctx.data.get("move_place")
        moved = self._moving(
            ctx,
            move_meeting,
            meeting,
            self._move_start(ctx),
            place if isinstance(place, str) else None,
        )
        if moved is None:
            self.menu(ctx, meeting)
            return
        ctx.finish()
        lines = [
            meeting_texts.FLOW_MTG_MOVED.format(label=span_label(ctx, moved.meeting)),
            outbox.describe_reach(ctx.session, moved.reach, what=meeting_texts.REACH_WHAT_MOVE),
        ]
        ctx.say("\n".join(lines))

    def _move_start(self, ctx: Ctx) -> datetime | None:
        value = ctx.data.get("move_starts_at")
        return datetime.fromisoformat(value) if isinstance(value, str) else None

    def _plan_move(
        self, ctx: Ctx, meeting: Meeting, starts: datetime | None, place: str | None
    ) -> Move | None:
        return self._moving(ctx, plan_move, meeting, starts, place)

    def _moving(
        self,
        ctx: Ctx,
        call: Callable[..., T],
        meeting: Meeting,
        starts: datetime | None,
        place: str | None,
    ) -> T | None:
        """`plan_move` (a check) or `move_meeting` (the move); a refusal is said, None."""
        meeting_id = meeting.id
        assert meeting_id is not None
        return attempt(
            ctx,
            lambda: call(
                ctx.session,
                ctx.me,
                meeting_id,
                starts_at=starts,
                place=place,
                now=ctx.now,
                rules=rules(ctx),
            ),
        )

    def step_cancel_reason(self, ctx: Ctx, answer: Answer) -> None:
        meeting = flow_meeting(ctx)
        reason = attempt(ctx, lambda: clean_cancel_reason(answer.text))
        if reason is None:  # said why; the same question again, nothing lost but the excess
            ctx.ask(self.name, "cancel_reason", meeting_texts.FLOW_MTG_ASK_CANCEL_REASON)
            return
        ctx.update_data(cancel_reason=reason)
        ctx.ask(
            self.name,
            "cancel_confirm",
            meeting_texts.FLOW_MTG_CONFIRM_CANCEL.format(
                label=span_label(ctx, meeting), reason=reason
            ),
            [("yes", meeting_texts.FLOW_MTG_CANCEL_YES), ("no", meeting_texts.FLOW_MTG_CANCEL_NO)],
        )

    def step_cancel_confirm(self, ctx: Ctx, answer: Answer) -> None:
        """One tap before a meeting is called off for the whole cell."""
        meeting = flow_meeting(ctx)
        meeting_id = meeting.id
        assert meeting_id is not None
        if answer.option != "yes":
            self.menu(ctx, meeting)
            return
        reason = str(ctx.data.get("cancel_reason") or "")
        cancelled = attempt(
            ctx,
            lambda: cancel_meeting(
                ctx.session,
                ctx.me,
                meeting_id,
                reason=reason,
                now=ctx.now,
                rules=rules(ctx),
            ),
        )
        if cancelled is None:
            self.menu(ctx, meeting)
            return
        ctx.finish()
        lines = [
            meeting_texts.FLOW_MTG_CANCELLED.format(label=span_label(ctx, meeting)),
            outbox.describe_reach(ctx.session, cancelled, what=meeting_texts.REACH_WHAT_CANCEL),
        ]
        ctx.say("\n".join(lines))


MANAGE = ManageFlow()
