"""Meetings in the chat: `/hop` to schedule one, the members' "Sẽ dự" / "Xin vắng" buttons,
and the registration of `/hop_quanly` (handlers/meeting_manage.py).

The rules (minimum and maximum length, one regular meeting a month, documents a day before,
the length of what is typed, who may answer, who may set a status) live in
services.meetings.planning
and services.meetings.attendance. Each is checked at the step where its text is typed; a refusal is
shown and the same step is asked again, so a slip never costs the secretary what was already
typed, nor sends them back to an earlier step. The date typed is read back in words at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from handlers.context import Answer, Ctx, Flow
from handlers.flowkit import (
    as_id,
    attempt,
    file_kind,
    file_name,
    local_now,
    managed_cells,
    session_cell,
)
from handlers.meeting_kit import rules
from handlers.meeting_manage import MANAGE
from handlers.registry import Action, Audience, Command, Registry, Topic
from models import Meeting, MeetingKind, Unit
from services import outbox, texts
from services.auth import Permission
from services.errors import Forbidden
from services.meetings import texts as meeting_texts
from services.meetings.attendance import answer_invitation, answerable
from services.meetings.planning import (
    ANSWER,
    MeetingPlan,
    add_document,
    clean_absence_reason,
    clean_agenda,
    clean_document,
    clean_place,
    clean_topic,
    last_place,
    meeting_when,
    plan_meeting,
    schedule_meeting,
    suggested_agenda,
)
from services.vndate import (
    format_vn_duration,
    format_vn_span,
    format_vn_when,
    parse_vn_datetime_result,
    parse_vn_duration,
    parse_vn_time,
)

KIND_OPTIONS = (
    (MeetingKind.REGULAR, meeting_texts.FLOW_MTG_KIND_REGULAR),
    (MeetingKind.THEMATIC, meeting_texts.FLOW_MTG_KIND_THEMATIC),
    (MeetingKind.COMBINED, meeting_texts.FLOW_MTG_KIND_COMBINED),
)
PLACEHOLDER_PLACE = "-"  # only to validate the time before the place is known


def duration_words(minutes: int) -> str:
    """`90` → "1 tiếng 30 phút": how people say a meeting's length."""
    return format_vn_duration(minutes)


def numbered(items: list[str]) -> str:
    return "\n".join(f"{i}. {item}" for i, item in enumerate(items, 1))


def parse_agenda(text: str) -> list[str]:
    """One item per line; numbering or bullets the secretary typed are dropped."""
    items = []
    for line in text.splitlines():
        item = line.strip().lstrip("-•*+").strip()
        head, dot, rest = item.partition(".")
        if dot and head.strip().isdigit():
            item = rest.strip()
        if item:
            items.append(item)
    return items


# --- /hop: scheduling -------------------------------------------------------------------------


class ScheduleFlow(Flow):
    """kind → (topic) → date and time → length → place → agenda → documents → preview → send.

    "Sửa ngày giờ" at the preview changes the time only: the flow's data gets `fixing`, the new
    date is asked (with the time now planned), the length is kept if it still fits the rules
    (otherwise asked), and the preview comes back with place, agenda, topic and documents as
    they were. A secretary who only moved the day should not type the rest again.
    """

    name = "meeting_new"

    def reload(self, ctx: Ctx) -> bool:
        """The cell being planned, re-authorised before every step (not yet chosen at "cell")."""
        if ctx.state.step == "cell":
            return True
        ctx.subject = session_cell(ctx)
        return ctx.subject is not None

    def _cell(self, ctx: Ctx) -> Unit:
        assert isinstance(ctx.subject, Unit), "reload sets the cell before every step"
        return ctx.subject

    def begin(self, ctx: Ctx, args: str) -> None:
        cells = managed_cells(ctx)
        if not cells:
            raise Forbidden(texts.FORBIDDEN_SECRETARY)
        if len(cells) == 1:
            self._start(ctx, cells[0])
            return
        options = [(f"c{c.id}", c.name) for c in cells]
        ctx.ask(self.name, "cell", meeting_texts.FLOW_CHOOSE_CELL, options, data={})

    def step_cell(self, ctx: Ctx, answer: Answer) -> None:
        cell_id = as_id((answer.option or "")[1:])
        cell = ctx.session.get(Unit, cell_id) if cell_id else None
        if cell is None:
            ctx.finish()
            ctx.say(texts.STALE_BUTTON)
            return
        ctx.require(Permission.MANAGE_CELL, cell)
        self._start(ctx, cell)

    def _start(self, ctx: Ctx, cell: Unit) -> None:
        ctx.require(Permission.MANAGE_CELL, cell)
        options = [(kind.value, label) for kind, label in KIND_OPTIONS]
        prompt = meeting_texts.FLOW_MTG_ASK_KIND.format(cell=cell.name)
        ctx.ask(self.name, "kind", prompt, options, data={"cell": cell.id, "docs": []})

    def step_kind(self, ctx: Ctx, answer: Answer) -> None:
        try:
            kind = MeetingKind(answer.option or "")
        except ValueError:
            ctx.finish()
            ctx.say(texts.STALE_BUTTON)
            return
        ctx.update_data(kind=kind.value)
        if kind is MeetingKind.REGULAR:
            self._ask_when(ctx)
        else:
            ctx.ask(self.name, "topic", meeting_texts.FLOW_MTG_ASK_TOPIC)

    def step_topic(self, ctx: Ctx, answer: Answer) -> None:
        topic = attempt(ctx, lambda: clean_topic(answer.text, required=True))
        if topic is None:
            ctx.ask(self.name, "topic", meeting_texts.FLOW_MTG_ASK_TOPIC)
            return
        ctx.update_data(topic=topic)
        self._ask_when(ctx)

    def _ask_when(self, ctx: Ctx) -> None:
        """The date question; while fixing the date it names the time now planned and says
        what is kept, so the secretary knows only the time is asked again."""
        if not ctx.data.get("fixing"):
            ctx.ask(self.name, "when", meeting_texts.FLOW_MTG_ASK_WHEN)
            return
        tz = ctx.config.tz
        starts = datetime.fromisoformat(ctx.data["starts_at"])
        minutes = ctx.data.get("minutes")
        planned = (
            format_vn_span(starts, starts + timedelta(minutes=int(minutes)), tz)
            if minutes
            else format_vn_when(starts, tz)
        )
        ctx.ask(self.name, "when", meeting_texts.FLOW_MTG_ASK_NEW_WHEN.format(when=planned))

    def _fix_when(self, ctx: Ctx) -> None:
        """Back to the date from the preview (or from a refusal there): everything else is
        kept, and once the time is set again the preview is shown, not the later steps."""
        ctx.update_data(fixing=True)
        self._ask_when(ctx)

    def _length_fits(self, ctx: Ctx) -> bool:
        """Whether the length already chosen may be kept for a new date (the rules on length
        do not depend on the day, but the rules may have changed since it was chosen)."""
        minutes = ctx.data.get("minutes")
        if not isinstance(minutes, int):
            return False
        limits = rules(ctx)
        return limits.min_duration(MeetingKind(ctx.data["kind"])) <= minutes <= limits.max_minutes

    def _plan(
        self, ctx: Ctx, cell: Unit, starts_at: str | None = None, minutes: int | None = None
    ) -> MeetingPlan | None:
        """plan_meeting with what the flow has so far (writes nothing); None if refused.
        Without `minutes` the stored length is used (the minimum when none is stored yet)."""
        data = ctx.data
        starts = datetime.fromisoformat(starts_at or data["starts_at"])
        length = minutes if minutes is not None else data.get("minutes")
        ends = starts + timedelta(minutes=int(length)) if length else None
        cell_id = cell.id
        assert cell_id is not None
        return attempt(
            ctx,
            lambda: plan_meeting(
                ctx.session,
                ctx.me,
                cell_id,
                kind=str(data["kind"]),
                starts_at=starts,
                ends_at=ends,
                place=str(data.get("place") or PLACEHOLDER_PLACE),
                topic=data.get("topic"),
                agenda=data.get("agenda"),
                now=ctx.now,
                rules=rules(ctx),
            ),
        )

    def step_when(self, ctx: Ctx, answer: Answer) -> None:
        cell = self._cell(ctx)
        parsed = parse_vn_datetime_result(answer.text or "", local_now(ctx))
        if not parsed.ok or parsed.value is None:
            ctx.say(parsed.message)
            self._ask_when(ctx)
            return
        # Refusals that depend on the date alone (past, second regular meeting) come now,
        # checked with the shortest length; the length kept while fixing is left as it is.
        starts_at = parsed.value.isoformat()
        shortest = rules(ctx).min_duration(MeetingKind(ctx.data["kind"]))
        if self._plan(ctx, cell, starts_at=starts_at, minutes=shortest) is None:
            self._ask_when(ctx)
            return
        ctx.update_data(starts_at=starts_at)
        if ctx.data.get("fixing") and self._length_fits(ctx):
            self._preview(ctx, cell, note=self._time_set(ctx))
            return
        self._ask_length(ctx)

    def _time_set(self, ctx: Ctx) -> str:
        """ "Thời gian họp: Thứ Bảy, 19/12/2026, 14:00–16:00.": start and end, read back."""
        starts = datetime.fromisoformat(ctx.data["starts_at"])
        ends = starts + timedelta(minutes=int(ctx.data["minutes"]))
        return meeting_texts.FLOW_MTG_TIME_SET.format(
            when=format_vn_span(starts, ends, ctx.config.tz)
        )

    def _ask_length(self, ctx: Ctx) -> None:
        """The start read back in words ("Bắt đầu: Thứ Bảy, 19/12/2026, 14:00."), so a wrong
        guess at "t6 tuần sau" is seen now, with a way back to the date."""
        kind = MeetingKind(ctx.data["kind"])
        starts = datetime.fromisoformat(ctx.data["starts_at"]).astimezone(ctx.config.tz)
        minimum = rules(ctx).min_duration(kind)
        options = []
        for minutes in (minimum, minimum + 30, minimum + 60):
            end = starts + timedelta(minutes=minutes)
            label = meeting_texts.FLOW_MTG_LENGTH_OPTION.format(
                end=end.strftime("%H:%M"), length=duration_words(minutes)
            )
            options.append((f"m{minutes}", label))
        options.append(("other", meeting_texts.FLOW_MTG_LENGTH_OTHER))
        options.append(("when", meeting_texts.FLOW_MTG_FIX_WHEN))
        ask = meeting_texts.FLOW_MTG_ASK_LENGTH.format(
            minimum=minimum, maximum=duration_words(rules(ctx).max_minutes)
        )
        started = meeting_texts.FLOW_MTG_STARTS.format(when=format_vn_when(starts, ctx.config.tz))
        ctx.ask(self.name, "length", f"{started}\n{ask}", options, typed_step="length_text")

    def step_length(self, ctx: Ctx, answer: Answer) -> None:
        cell = self._cell(ctx)
        key = answer.option or ""
        if key == "other":
            ctx.ask(self.name, "length_text", meeting_texts.FLOW_MTG_ASK_END)
            return
        if key == "when":
            self._ask_when(ctx)
            return
        minutes = as_id(key[1:]) if key.startswith("m") else None
        if minutes is None:
            ctx.finish()
            ctx.say(texts.STALE_BUTTON)
            return
        self._length_chosen(ctx, cell, minutes)

    def step_length_text(self, ctx: Ctx, answer: Answer) -> None:
        cell = self._cell(ctx)
        text = answer.text or ""
        starts = datetime.fromisoformat(ctx.data["starts_at"]).astimezone(ctx.config.tz)
        # "15h" is read as the end time when that falls after the start, "2h" (02:00 would be
        # before it) as a length; "2 tiếng" and "90 phút" are lengths only.
        length = None
        if (end := parse_vn_time(text)) is not None:
            candidate = datetime.combine(starts.date(), end, tzinfo=starts.tzinfo) - starts
            length = candidate if candidate > timedelta(0) else None
        length = length or parse_vn_duration(text)
        if length is None:
            ctx.say(meeting_texts.FLOW_MTG_END_UNCLEAR)
            ctx.ask(self.name, "length_text", meeting_texts.FLOW_MTG_ASK_END)
            return
        minutes = int(length.total_seconds() // 60)
        if minutes <= 0:
            ctx.say(meeting_texts.MTG_END_BEFORE_START)
            ctx.ask(self.name, "length_text", meeting_texts.FLOW_MTG_ASK_END)
            return
        self._length_chosen(ctx, cell, minutes, retry_step="length_text")

    def _length_chosen(
        self, ctx: Ctx, cell: Unit, minutes: int, retry_step: str = "length"
    ) -> None:
        if self._plan(ctx, cell, minutes=minutes) is None:
            if retry_step == "length":
                self._ask_length(ctx)
            else:
                ctx.ask(self.name, "length_text", meeting_texts.FLOW_MTG_ASK_END)
            return
        ctx.update_data(minutes=minutes)
        if ctx.data.get("fixing"):  # the rest was chosen before: straight back to the preview
            self._preview(ctx, cell, note=self._time_set(ctx))
            return
        self._ask_place(ctx, cell, note=self._time_set(ctx))

    def _last_place(self, ctx: Ctx, cell: Unit) -> str | None:
        assert cell.id is not None
        return last_place(ctx.session, ctx.me, cell.id)

    def _ask_place(self, ctx: Ctx, cell: Unit, note: str | None = None) -> None:
        prompt = (
            meeting_texts.FLOW_MTG_ASK_PLACE
            if note is None
            else f"{note}\n{meeting_texts.FLOW_MTG_ASK_PLACE}"
        )
        last = self._last_place(ctx, cell)
        if last:
            options = [("last", last), ("other", meeting_texts.FLOW_MTG_PLACE_OTHER)]
            ctx.ask(self.name, "place_choice", prompt, options, typed_step="place")
        else:
            ctx.ask(self.name, "place", prompt)

    def step_place_choice(self, ctx: Ctx, answer: Answer) -> None:
        cell = self._cell(ctx)
        last = self._last_place(ctx, cell)
        if answer.option == "last" and last:
            self._place_chosen(ctx, last)
        else:
            ctx.ask(self.name, "place", meeting_texts.FLOW_MTG_ASK_PLACE)

    def step_place(self, ctx: Ctx, answer: Answer) -> None:
        place = attempt(ctx, lambda: clean_place(answer.text))
        if place is None:
            ctx.ask(self.name, "place", meeting_texts.FLOW_MTG_ASK_PLACE)
            return
        self._place_chosen(ctx, place)

    def _suggested(self, ctx: Ctx) -> list[str]:
        """The standard order of business with what other features add for this meeting."""
        starts = datetime.fromisoformat(ctx.data["starts_at"])
        kind = MeetingKind(ctx.data["kind"])
        cell_id = int(ctx.data["cell"])
        return suggested_agenda(
            ctx.session, cell_id, kind, ctx.data.get("topic"), starts, rules(ctx)
        )

    def _place_chosen(self, ctx: Ctx, place: str) -> None:
        agenda = ctx.data.get("agenda") or self._suggested(ctx)
        ctx.update_data(place=place, agenda=agenda)
        self._ask_agenda(ctx)

    def _ask_agenda(self, ctx: Ctx) -> None:
        """Only the suggested order of business is headed "theo Hướng dẫn 42-HD/BTCTW"; an
        agenda the secretary typed is theirs, not the guidance's."""
        agenda = list(ctx.data["agenda"])
        standard = agenda == self._suggested(ctx)
        heading = (
            meeting_texts.FLOW_MTG_AGENDA if standard else meeting_texts.FLOW_MTG_AGENDA_CUSTOM
        )
        prompt = heading.format(agenda=numbered(agenda))
        options = [
            ("keep", meeting_texts.FLOW_MTG_AGENDA_KEEP),
            ("replace", meeting_texts.FLOW_MTG_AGENDA_NEW),
        ]
        ctx.ask(self.name, "agenda", prompt, options)

    def step_agenda(self, ctx: Ctx, answer: Answer) -> None:
        if answer.option == "replace":
            ctx.ask(self.name, "agenda_text", meeting_texts.FLOW_MTG_ASK_AGENDA)
            return
        self._ask_docs(ctx)

    def step_agenda_text(self, ctx: Ctx, answer: Answer) -> None:
        # Every limit of the agenda is checked here, not at the preview.
        items = attempt(ctx, lambda: clean_agenda(parse_agenda(answer.text or ""), rules(ctx)))
        if items is None:
            ctx.ask(self.name, "agenda_text", meeting_texts.FLOW_MTG_ASK_AGENDA)
            return
        ctx.update_data(agenda=list(items))
        self._ask_agenda(ctx)

    def _ask_docs(self, ctx: Ctx, note: str | None = None) -> None:
        docs = ctx.data.get("docs") or []
        label = (
            meeting_texts.FLOW_MTG_DOCS_DONE.format(count=len(docs))
            if docs
            else meeting_texts.FLOW_LATER
        )
        prompt = (
            meeting_texts.FLOW_MTG_ASK_DOCS
            if note is None
            else f"{note}\n{meeting_texts.FLOW_MTG_ASK_DOCS}"
        )
        ctx.ask(self.name, "docs", prompt, [("done", label)], accepts_file=True)

    def step_docs(self, ctx: Ctx, answer: Answer) -> None:
        cell = self._cell(ctx)
        upload = answer.file
        if upload is not None:
            kind = file_kind(upload)
            if kind is None or not upload.file_id:
                self._ask_docs(ctx, texts.FLOW_FILE_KIND)
                return
            docs = list(ctx.data.get("docs") or [])
            # A caption typed with the file names it; otherwise the file's own name.
            caption = (answer.text or "").strip()
            default = file_name(
                upload, meeting_texts.FLOW_DOC_DEFAULT_TITLE.format(n=len(docs) + 1)
            )
            cleaned = attempt(ctx, lambda: clean_document(caption or default, upload.file_id))
            if cleaned is None:
                self._ask_docs(ctx)
                return
            title, ref = cleaned
            docs.append({"ref": ref, "kind": kind.value, "title": title})
            ctx.update_data(docs=docs)
            self._ask_docs(ctx, meeting_texts.FLOW_MTG_DOC_TAKEN.format(title=title))
            return
        self._preview(ctx, cell)

    def _preview(self, ctx: Ctx, cell: Unit, note: str | None = None) -> None:
        """The invitation as members will get it; `note` (the new time, after fixing it) is
        said first. A refusal now is about the time: it is asked again, the rest kept."""
        plan = self._plan(ctx, cell)
        if plan is None:
            self._fix_when(ctx)
            return
        ctx.update_data(fixing=False)
        docs = ctx.data.get("docs") or []
        if note:
            ctx.say(note)
        ctx.say(meeting_texts.FLOW_MTG_PREVIEW_HEAD)
        ctx.say(plan.invitation)
        lines = [meeting_texts.FLOW_MTG_PREVIEW_DOC.format(title=d["title"]) for d in docs]
        if not docs:
            lines += list(plan.warnings)
        lines.append(meeting_texts.FLOW_MTG_PREVIEW_ASK)
        options = [
            ("send", meeting_texts.FLOW_MTG_SEND),
            ("when", meeting_texts.FLOW_MTG_FIX_WHEN),
            ("cancel", texts.FLOW_CANCEL),
        ]
        ctx.ask(self.name, "confirm", "\n".join(lines), options)

    def step_confirm(self, ctx: Ctx, answer: Answer) -> None:
        cell = self._cell(ctx)
        if answer.option == "cancel":
            ctx.finish()
            ctx.say(texts.CANCELLED)
            return
        if answer.option == "when":
            self._fix_when(ctx)
            return
        data = ctx.data
        starts = datetime.fromisoformat(data["starts_at"])
        cell_id = cell.id
        assert cell_id is not None
        scheduled = attempt(
            ctx,
            lambda: schedule_meeting(
                ctx.session,
                ctx.me,
                cell_id,
                kind=data["kind"],
                starts_at=starts,
                ends_at=starts + timedelta(minutes=int(data["minutes"])),
                place=data["place"],
                topic=data.get("topic"),
                agenda=data["agenda"],
                now=ctx.now,
                rules=rules(ctx),
            ),
        )
        if scheduled is None:
            # Someone else took the month, or time passed: fix the date, keep the rest.
            self._fix_when(ctx)
            return
        meeting, plan = scheduled
        assert meeting.id is not None
        warnings = list(plan.warnings)
        for doc in data.get("docs") or []:
            _document, warnings = add_document(
                ctx.session,
                ctx.me,
                meeting.id,
                title=doc["title"],
                file_ref=doc["ref"],
                file_kind=doc["kind"],
                now=ctx.now,
                rules=rules(ctx),
            )
        ctx.finish()
        span = meeting_when(meeting, ctx.config.tz)
        lines = [meeting_texts.FLOW_MTG_SCHEDULED.format(when=span)]
        if plan.reach is not None:  # who was really invited, and who has no chat account
            lines.append(
                outbox.describe_reach(
                    ctx.session, plan.reach, what=meeting_texts.REACH_WHAT_INVITATION
                )
            )
        lines += warnings
        ctx.menu("\n".join(lines), [("/hop_quanly", meeting_texts.FLOW_MTG_MANAGE_BUTTON)])


# --- Members answer the invitation -------------------------------------------------------------


def _answerable(ctx: Ctx, meeting_id: int) -> Meeting:
    """The checks answer_invitation makes, done before asking a reason nobody could record
    (a member already checked in cannot ask leave)."""
    meeting, _row = answerable(ctx.session, ctx.me, meeting_id, attend=False, now=ctx.now)
    return meeting


REASONS = (
    ("work", meeting_texts.FLOW_REASON_WORK),
    ("ill", meeting_texts.FLOW_REASON_ILL),
    ("family", meeting_texts.FLOW_REASON_FAMILY),
)


class AbsenceFlow(Flow):
    """ "Xin vắng": a reason is required, so one tap for the usual ones, or type it."""

    name = "meeting_absence"

    def begin(self, ctx: Ctx, args: str) -> None:
        meeting_id = as_id(args)
        if meeting_id is None:
            ctx.say(texts.STALE_BUTTON)
            return
        meeting = _answerable(ctx, meeting_id)
        options = [*REASONS, ("other", meeting_texts.FLOW_REASON_OTHER)]
        prompt = meeting_texts.FLOW_MTG_ASK_REASON.format(when=meeting_when(meeting, ctx.config.tz))
        data = {"meeting": meeting_id}
        ctx.ask(self.name, "reason", prompt, options, data=data, typed_step="reason_text")

    def step_reason(self, ctx: Ctx, answer: Answer) -> None:
        reason = dict(REASONS).get(answer.option or "")
        if reason is None:
            ctx.ask(self.name, "reason_text", meeting_texts.FLOW_MTG_ASK_REASON_TEXT)
            return
        self._answer(ctx, reason)

    def step_reason_text(self, ctx: Ctx, answer: Answer) -> None:
        # Too long a reason is refused here, with the limit, and asked again: never cut.
        reason = attempt(ctx, lambda: clean_absence_reason(answer.text))
        if reason is None:
            ctx.ask(self.name, "reason_text", meeting_texts.FLOW_MTG_ASK_REASON_TEXT)
            return
        self._answer(ctx, reason)

    def _answer(self, ctx: Ctx, reason: str) -> None:
        meeting_id = ctx.data.get("meeting")
        ctx.finish()
        if not isinstance(meeting_id, int):
            ctx.say(texts.SESSION_EXPIRED)
            return
        _row, message = answer_invitation(
            ctx.session,
            ctx.me,
            meeting_id,
            attend=False,
            reason=reason,
            now=ctx.now,
            rules=rules(ctx),
        )
        ctx.say(message)


ABSENCE = AbsenceFlow()


def invitation_action(ctx: Ctx, args: list[str]) -> None:
    """`mtg:{id}:yes|no` on the invitation (and on /lichhop). "yes" is recorded at once; "no"
    asks the reason. answer_invitation re-checks the member, the cell and the time."""
    meeting_id = as_id(args[0]) if len(args) == 2 else None
    if meeting_id is None or args[1] not in ("yes", "no"):
        ctx.say(texts.STALE_BUTTON)
        return
    if args[1] == "no":
        ABSENCE.begin(ctx, str(meeting_id))
        return
    _row, message = answer_invitation(
        ctx.session, ctx.me, meeting_id, attend=True, now=ctx.now, rules=rules(ctx)
    )
    ctx.chosen = meeting_texts.FLOW_MTG_YES_CHOSEN
    ctx.say(message)


def register(registry: Registry) -> None:
    schedule = registry.flow(ScheduleFlow())
    registry.flow(ABSENCE)
    manage = registry.flow(MANAGE)
    registry.command(
        Command(
            "hop",
            meeting_texts.CMD_MEETING_NEW,
            Audience.SECRETARY,
            schedule.begin,
            topic=Topic.MEETINGS,
        )
    )
    registry.command(
        Command(
            "hop_quanly",
            meeting_texts.CMD_MEETING_MANAGE,
            Audience.SECRETARY,
            manage.begin,
            topic=Topic.MEETINGS,
        )
    )
    registry.action(Action(ANSWER, invitation_action))
