"""`/hop_quanly`: running a meeting from one menu — who answered, more documents, the check-in
code, the roll call, closing the roll, moving or cancelling — with the private absence flags on
top.

Each entry comes back to the menu; every step loads the meeting through
services.meetings.managed_meeting, which re-checks that the actor runs its cell.
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
    flow_meeting,
    local_now,
    managed_cells,
    meeting_label,
    page,
    page_key,
    recent_meetings,
    rules,
    when,
)
from handlers.results import RESULTS
from models import Meeting, MemberStatus
from services import texts
from services.attendance import (
    RollLine,
    absence_flags,
    answers_overview,
    close_attendance,
    flag_text,
    open_checkin,
    roll_call,
    set_status,
    set_vote_exclusion,
)
from services.errors import Forbidden, UserError
from services.meetings import (
    Move,
    add_document,
    cancel_meeting,
    document_warnings,
    managed_meeting,
    move_meeting,
    plan_move,
)
from services.vndate import parse_vn_datetime_result

T = TypeVar("T")


def flags_text(ctx: Ctx) -> str | None:
    """The private absence notes (Điều lệ Đảng, Article 8) for the cells the actor runs."""
    notes = []
    for cell in managed_cells(ctx):
        assert cell.id is not None
        flags = absence_flags(ctx.session, ctx.me, cell.id, now=ctx.now, rules=rules(ctx))
        notes += [flag_text(flag, rules(ctx)) for flag in flags]
    return "\n".join(notes) if notes else None


def answers_text(ctx: Ctx, meeting: Meeting) -> str:
    """Who will come, who asked to be excused and why, who has not answered; documents."""
    assert meeting.id is not None
    overview = answers_overview(ctx.session, ctx.me, meeting.id)

    def names(lines: list[RollLine]) -> str:
        return ", ".join(x.name for x in lines) or texts.FLOW_NOBODY

    absent = "; ".join(
        texts.FLOW_MTG_ABSENT_LINE.format(name=x.name, reason=x.answer_reason or "")
        for x in overview.absent
    )
    lines = [
        texts.FLOW_MTG_ANSWERS.format(
            label=meeting_label(ctx, meeting),
            yes=len(overview.attending),
            yes_names=names(overview.attending),
            no=len(overview.absent),
            no_names=absent or texts.FLOW_NOBODY,
            none=len(overview.unanswered),
            none_names=names(overview.unanswered),
        )
    ]
    lines += document_warnings(ctx.session, meeting, now=ctx.now, rules=rules(ctx))
    return "\n".join(lines)


STATUS_OPTIONS = tuple(texts.ATT_STATUS_LABELS.items())


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
            ctx.say(texts.FLOW_MTG_NONE)
            return
        if len(meetings) == 1:
            self.menu(ctx, meetings[0])
            return
        options = [(f"g{m.id}", meeting_label(ctx, m)) for m in meetings]
        ctx.ask(self.name, "pick", texts.FLOW_MTG_CHOOSE, options, data={})

    def step_pick(self, ctx: Ctx, answer: Answer) -> None:
        meeting_id = as_id((answer.option or "")[1:])
        if meeting_id is None:
            ctx.finish()
            ctx.say(texts.STALE_BUTTON)
            return
        meeting, _cell = managed_meeting(ctx.session, ctx.me, meeting_id)
        self.menu(ctx, meeting)

    def menu(self, ctx: Ctx, meeting: Meeting) -> None:
        started = meeting.starts_at <= ctx.now
        options = [("answers", texts.FLOW_MTG_M_ANSWERS)]
        if not started:
            options.append(("doc", texts.FLOW_MTG_M_DOC))
        options += [("checkin", texts.FLOW_MTG_M_CHECKIN), ("roll", texts.FLOW_MTG_M_ROLL)]
        if started:
            options += [("close", texts.FLOW_MTG_M_CLOSE), ("results", texts.FLOW_MTG_M_RESULTS)]
        else:
            options.append(("move", texts.FLOW_MTG_M_MOVE))
            options.append(("cancel", texts.FLOW_MTG_M_CANCEL))
        options.append(("done", texts.FLOW_DONE))
        prompt = texts.FLOW_MTG_MENU.format(label=meeting_label(ctx, meeting))
        ctx.ask(self.name, "menu", prompt, options, data={"meeting": meeting.id})

    def step_menu(self, ctx: Ctx, answer: Answer) -> None:
        meeting = flow_meeting(ctx)
        meeting_id = meeting.id
        assert meeting_id is not None
        key = answer.option
        if key == "answers":
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
            self._close(ctx, meeting)
        elif key == "results":
            RESULTS.start(ctx, meeting_id)
            return
        elif key == "cancel":
            ctx.ask(self.name, "cancel_reason", texts.FLOW_MTG_ASK_CANCEL_REASON)
            return
        elif key == "move":
            self._ask_move_when(ctx, meeting)
            return
        else:
            ctx.finish()
            ctx.say(texts.FLOW_FINISHED)
            return
        self.menu(ctx, meeting)

    # documents
    def _ask_doc(self, ctx: Ctx) -> None:
        ctx.ask(
            self.name,
            "doc",
            texts.FLOW_MTG_ASK_ONE_DOC,
            [("back", texts.FLOW_BACK)],
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
        title = file_name(upload, texts.FLOW_DOC_DEFAULT_TITLE.format(n=1))
        _document, warnings = add_document(
            ctx.session,
            ctx.me,
            meeting.id,
            title=title,
            file_ref=upload.file_id,
            file_kind=kind,
            now=ctx.now,
            rules=rules(ctx),
        )
        ctx.say("\n".join([texts.FLOW_MTG_DOC_SENT.format(title=title), *warnings]))
        self.menu(ctx, meeting)

    # roll call
    def _ask_roll(self, ctx: Ctx, meeting: Meeting, number: int) -> None:
        assert meeting.id is not None
        lines = roll_call(ctx.session, ctx.me, meeting.id)
        items = []
        for line in lines:
            status = texts.ATT_STATUS_LABELS.get(line.status or "", texts.FLOW_NOT_YET)
            label = texts.FLOW_ROLL_LINE.format(name=line.name, status=status)
            if line.member_status != "chinh_thuc":
                member_status = texts.STATUS_LABELS.get(line.member_status, line.member_status)
                label += f" ({member_status})"
            if line.vote_exclusion:
                label += texts.FLOW_ROLL_EXCLUDED
            items.append((f"m{line.member_id}", label))
        options = [*page(items, number), ("back", texts.FLOW_BACK)]
        ctx.update_data(page=number)
        ctx.ask(self.name, "roll", texts.FLOW_MTG_ROLL, options)

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
        member_id = as_id(key[1:]) if key.startswith("m") else None
        if member_id is None:
            ctx.finish()
            ctx.say(texts.STALE_BUTTON)
            return
        line = _roll_line(ctx, meeting, member_id)
        if line is None:
            raise UserError(texts.ATT_NOT_ON_ROLL)
        ctx.update_data(member=member_id)
        options = [(key, label.capitalize()) for key, label in STATUS_OPTIONS]
        if line.member_status == MemberStatus.OFFICIAL:
            # Left out of the vote's denominator (temporary transfer, suspension: docs/domain.md).
            options += [
                (f"x:{key}", texts.FLOW_VOTE_EXCL_OPTION.format(label=label))
                for key, label in texts.VOTE_EXCL_LABELS.items()
                if key != line.vote_exclusion
            ]
            if line.vote_exclusion:
                options.append(("x:none", texts.FLOW_VOTE_EXCL_CLEAR))
        prompt = texts.FLOW_MTG_ASK_STATUS.format(name=line.name)
        ctx.ask(self.name, "status", prompt, [*options, ("back", texts.FLOW_BACK)])

    def step_status(self, ctx: Ctx, answer: Answer) -> None:
        meeting = flow_meeting(ctx)
        assert meeting.id is not None
        member_id = ctx.data.get("member")
        if (answer.option or "").startswith("x:") and isinstance(member_id, int):
            self._exclude(ctx, meeting.id, member_id, (answer.option or "")[2:])
        elif answer.option != "back" and isinstance(member_id, int):
            row = set_status(
                ctx.session,
                ctx.me,
                meeting.id,
                member_id,
                answer.option or "",
                now=ctx.now,
                rules=rules(ctx),
            )
            name = next(
                x.name
                for x in roll_call(ctx.session, ctx.me, meeting.id)
                if x.member_id == member_id
            )
            status = texts.ATT_STATUS_LABELS[row.status or ""]
            ctx.say(texts.FLOW_MTG_STATUS_SET.format(name=name, status=status))
        self._ask_roll(ctx, meeting, int(ctx.data.get("page") or 0))

    def _exclude(self, ctx: Ctx, meeting_id: int, member_id: int, key: str) -> None:
        if key != "none" and key not in texts.VOTE_EXCL_LABELS:
            raise UserError(texts.STALE_BUTTON)
        exclusion = None if key == "none" else key
        set_vote_exclusion(ctx.session, ctx.me, meeting_id, member_id, exclusion, now=ctx.now)
        name = next(
            x.name for x in roll_call(ctx.session, ctx.me, meeting_id) if x.member_id == member_id
        )
        if exclusion is None:
            ctx.say(texts.FLOW_VOTE_EXCL_CLEARED.format(name=name))
        else:
            label = texts.VOTE_EXCL_LABELS[exclusion]
            ctx.say(texts.FLOW_VOTE_EXCL_SET.format(name=name, label=label))

    def _close(self, ctx: Ctx, meeting: Meeting) -> None:
        meeting_id = meeting.id
        assert meeting_id is not None
        lines = attempt(
            ctx,
            lambda: close_attendance(
                ctx.session, ctx.me, meeting_id, now=ctx.now, rules=rules(ctx)
            ),
        )
        if lines is None:
            return
        counts = Counter(line.status for line in lines)
        ctx.say(
            texts.FLOW_MTG_CLOSED.format(
                present=counts["co_mat"],
                leave=counts["vang_co_phep"],
                unexcused=counts["vang_khong_phep"],
                exempt=counts["mien_sinh_hoat"],
            )
        )
        flags = flags_text(ctx)
        if flags:
            ctx.say(flags)

    # moving the meeting: a new time, a new place, a preview, then the cell is told
    def _ask_move_when(self, ctx: Ctx, meeting: Meeting) -> None:
        prompt = texts.FLOW_MTG_ASK_MOVE_WHEN.format(when=when(ctx, meeting.starts_at))
        options = [("new", texts.FLOW_MTG_NEW_WHEN), ("same", texts.FLOW_MTG_KEEP_WHEN)]
        ctx.ask(self.name, "move_when", prompt, options)

    def step_move_when(self, ctx: Ctx, answer: Answer) -> None:
        meeting = flow_meeting(ctx)
        if answer.option == "new":
            ctx.ask(self.name, "move_when_text", texts.FLOW_MTG_ASK_WHEN)
            return
        ctx.update_data(move_starts_at=None)
        self._ask_move_place(ctx, meeting)

    def step_move_when_text(self, ctx: Ctx, answer: Answer) -> None:
        meeting = flow_meeting(ctx)
        parsed = parse_vn_datetime_result(answer.text or "", local_now(ctx))
        if not parsed.ok or parsed.value is None:
            ctx.say(parsed.message)
            ctx.ask(self.name, "move_when_text", texts.FLOW_MTG_ASK_WHEN)
            return
        # The time's refusals (the past, too soon, the month taken) come now, not at the end.
        if self._plan_move(ctx, meeting, parsed.value, None) is None:
            ctx.ask(self.name, "move_when_text", texts.FLOW_MTG_ASK_WHEN)
            return
        ctx.update_data(move_starts_at=parsed.value.isoformat())
        self._ask_move_place(ctx, meeting)

    def _ask_move_place(self, ctx: Ctx, meeting: Meeting) -> None:
        prompt = texts.FLOW_MTG_ASK_MOVE_PLACE.format(place=meeting.place)
        options = [("same", texts.FLOW_MTG_KEEP_PLACE), ("new", texts.FLOW_MTG_PLACE_OTHER)]
        ctx.ask(self.name, "move_place", prompt, options)

    def step_move_place(self, ctx: Ctx, answer: Answer) -> None:
        meeting = flow_meeting(ctx)
        if answer.option == "new":
            ctx.ask(self.name, "move_place_text", texts.FLOW_MTG_ASK_PLACE)
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
        preview = texts.FLOW_MTG_MOVE_PREVIEW.format(
            when=when(ctx, move.starts_at), place=move.place
        )
        options = [("send", texts.FLOW_MTG_MOVE_SEND), ("back", texts.FLOW_BACK)]
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
        ctx.say(texts.FLOW_MTG_MOVED.format(label=meeting_label(ctx, moved)))

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
        meeting_id = meeting.id
        assert meeting_id is not None
        cancelled = attempt(
            ctx,
            lambda: cancel_meeting(
                ctx.session,
                ctx.me,
                meeting_id,
                reason=answer.text or "",
                now=ctx.now,
                rules=rules(ctx),
            ),
        )
        if cancelled is None:
            self.menu(ctx, meeting)
            return
        ctx.finish()
        ctx.say(texts.FLOW_MTG_CANCELLED.format(label=meeting_label(ctx, meeting)))


MANAGE = ManageFlow()
