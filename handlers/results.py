"""After the meeting: `/ketqua` records the resolution, the vote, the 100-point quality sheet
and the tasks, then sends the resolution to every member.

The menu marks what is already recorded and says where the resolution stands, so a secretary
can stop and come back later. The rules (who votes, what adds up, the criteria and their
maxima, deadlines, versions, what may be sent) live in services.meetings.resolutions; refusals are
shown and the same step asked again.

Two things are never done without a tap to confirm: sending the resolution (or an amendment)
to members, and recording a new vote over one already recorded (both kept). Before a vote's
numbers are asked, fewer than half of the official members convened recorded present is said
plainly (`services.meetings.resolutions.quorum`), and the secretary goes on or goes back. A change
to a
resolution already voted on asks which kind it is: a correction of wording, or a change of
content to be voted on again. The version number the secretary saw travels in the flow's data
(`version`), so a change made meanwhile by the other leader is refused, not overwritten.
"""

from __future__ import annotations

from datetime import datetime

from handlers.context import Answer, Ctx, Flow
from handlers.flowkit import as_id, attempt, file_kind, local_now, numbers, page, page_key, when
from handlers.meeting_kit import flow_meeting, meeting_label, recent_meetings, rules
from handlers.registry import Action, Audience, Command, Registry, Topic
from models import Meeting, Member, ResolutionChange
from services import outbox, texts
from services.meetings import texts as meeting_texts
from services.meetings.planning import managed_meeting, require_active
from services.meetings.resolutions import (
    QUALITY_CRITERIA,
    TASK_DONE,
    ResolutionRecord,
    ResolutionStage,
    Revision,
    assign_task,
    complete_task,
    has_content,
    meeting_task_count,
    plan_publication,
    plan_revision,
    publish_resolution,
    quorum,
    record_resolution,
    record_vote,
    resolution_record,
    score_meeting,
    suggest_attendance_score,
    voters_for,
)
from services.meetings.tasklines import assign_tasks, parse_task_lines
from services.org import cell_members
from services.vndate import format_vn_date, parse_vn_date_result

CRITERIA = tuple(QUALITY_CRITERIA.items())


def _mark(done: bool, label: str) -> str:
    return f"✓ {label}" if done else label


def _seen_version(ctx: Ctx) -> int | None:
    """The version number the secretary was shown (0: none yet); None if the flow's data
    predates it, which skips the check rather than refusing."""
    seen = ctx.data.get("version")
    return seen if isinstance(seen, int) else None


def _day(ctx: Ctx, moment: datetime | None) -> str:
    return format_vn_date(moment.astimezone(ctx.config.tz).date()) if moment else ""


def _status(ctx: Ctx, record: ResolutionRecord | None) -> str:
    """One line on where the resolution stands (and which version members have)."""
    current = record.current if record else None
    if record is None or current is None:
        return ""
    version = meeting_texts.FLOW_RES_STATUS_VERSION.format(number=current.number)
    version = version if current.number > 1 else ""
    stage = record.stage
    if stage is ResolutionStage.EMPTY:
        line = meeting_texts.FLOW_RES_STATUS_EMPTY
    elif stage is ResolutionStage.UNVOTED:
        line = meeting_texts.FLOW_RES_STATUS_UNVOTED.format(version=version)
    elif stage is ResolutionStage.FAILED:
        line = meeting_texts.FLOW_RES_STATUS_FAILED.format(version=version)
    elif stage is ResolutionStage.ADOPTED:
        line = meeting_texts.FLOW_RES_STATUS_ADOPTED.format(version=version)
    else:
        line = meeting_texts.FLOW_RES_STATUS_PUBLISHED.format(
            version=version, date=_day(ctx, current.published_at)
        )
    sent = record.published
    if sent is not None and sent.number != current.number:
        line += " " + meeting_texts.FLOW_RES_STATUS_MEMBERS_HAVE.format(
            number=sent.number, date=_day(ctx, sent.published_at)
        )
    return line


class ResultsFlow(Flow):
    """A menu of the four records plus publishing; each entry returns to it."""

    name = "meeting_results"

    def begin(self, ctx: Ctx, args: str) -> None:
        """`/ketqua`; with a meeting's id (handed over by `/hop_quanly`), that meeting."""
        meeting_id = as_id(args.strip()) if args.strip() else None
        if meeting_id is not None:
            self.start(ctx, meeting_id)
            return
        meetings = recent_meetings(ctx, held_only=True)
        if not meetings:
            ctx.finish()
            ctx.say(meeting_texts.FLOW_RES_NONE)
            return
        if len(meetings) == 1:
            self.start(ctx, meetings[0].id or 0)
            return
        options = [(f"g{m.id}", meeting_label(ctx, m)) for m in meetings]
        ctx.ask(self.name, "pick", meeting_texts.FLOW_RES_CHOOSE, options, data={})

    def step_pick(self, ctx: Ctx, answer: Answer) -> None:
        meeting_id = as_id((answer.option or "")[1:])
        if meeting_id is None:
            ctx.finish()
            ctx.say(texts.STALE_BUTTON)
            return
        self.start(ctx, meeting_id)

    def start(self, ctx: Ctx, meeting_id: int) -> None:
        meeting, _cell = managed_meeting(ctx.session, ctx.me, meeting_id)
        require_active(meeting)
        if meeting.starts_at > ctx.now:
            ctx.finish()
            ctx.say(meeting_texts.RES_NOT_YET_HELD)
            return
        self._menu(ctx, meeting)

    def _menu(self, ctx: Ctx, meeting: Meeting) -> None:
        assert meeting.id is not None
        record = resolution_record(ctx.session, ctx.me, meeting.id)
        task_count = meeting_task_count(ctx.session, ctx.me, meeting.id)
        res = record.resolution if record else None
        current = record.current if record else None
        voted = (
            record is not None and current is not None and record.deciding_vote(current) is not None
        )
        published = record is not None and record.stage is ResolutionStage.PUBLISHED
        # Members have an older version: what is sent now is an amendment.
        amending = record is not None and record.published is not None and not published
        publish = (
            meeting_texts.FLOW_RES_M_PUBLISH_AMEND if amending else meeting_texts.FLOW_RES_M_PUBLISH
        )
        options = [
            ("text", _mark(has_content(current), meeting_texts.FLOW_RES_M_TEXT)),
            ("vote", _mark(voted, meeting_texts.FLOW_RES_M_VOTE)),
            (
                "score",
                _mark(
                    res is not None and res.scored_at is not None, meeting_texts.FLOW_RES_M_SCORE
                ),
            ),
            ("task", meeting_texts.FLOW_RES_M_TASK.format(count=task_count)),
            ("publish", _mark(published, publish)),
            ("done", texts.FLOW_DONE),
        ]
        label = meeting_label(ctx, meeting)
        status = _status(ctx, record)
        prompt = (
            meeting_texts.FLOW_RES_MENU_STATUS.format(label=label, status=status)
            if status
            else meeting_texts.FLOW_RES_MENU.format(label=label)
        )
        # What usually comes next may be typed right at the menu: the text, the vote, the
        # scores, the tasks; a tap on an entry works as before.
        data: dict[str, object] = {"meeting": meeting.id}
        typed_step, hint = None, None
        if not has_content(current):
            typed_step, hint = "text", meeting_texts.FLOW_RES_NEXT_TEXT
            data.update(version=current.number if current else 0, editing=False)
        elif not voted:
            typed_step = "vote_typed"
            present = voters_for(ctx.session, ctx.me, meeting.id).eligible_present
            hint = meeting_texts.FLOW_RES_NEXT_VOTE.format(present=present)
        elif (
            record is not None
            and record.stage is not ResolutionStage.FAILED
            and (res is not None and res.scored_at is None)
        ):
            typed_step, hint = "score_typed", meeting_texts.FLOW_RES_NEXT_SCORE
        elif not task_count:
            typed_step, hint = "tasks_typed", meeting_texts.FLOW_RES_NEXT_TASKS
        if hint:
            prompt = f"{prompt}\n{hint}"
        ctx.ask(
            self.name,
            "menu",
            prompt,
            options,
            data=data,
            accepts_file=typed_step == "text",
            typed_step=typed_step,
        )

    def step_menu(self, ctx: Ctx, answer: Answer) -> None:
        if answer.file is not None:  # the resolution's file, sent where its text is offered
            self.step_text(ctx, answer)
            return
        meeting = flow_meeting(ctx)
        meeting_id = meeting.id
        assert meeting_id is not None
        key = answer.option
        if key == "text":
            self._ask_text(ctx, meeting_id)
        elif key == "vote":
            self._begin_vote(ctx, meeting, meeting_id)
        elif key == "score":
            ctx.update_data(scores={})
            self._ask_score(ctx, meeting_id, 0)
        elif key == "task":
            self._ask_owner(ctx, meeting, 0)
        elif key == "publish":
            self._confirm_publish(ctx, meeting)
        else:
            ctx.finish()
            ctx.say(meeting_texts.FLOW_FINISHED)

    # resolution text or file
    def _ask_text(self, ctx: Ctx, meeting_id: int) -> None:
        """Show the current text (to copy and correct), then ask for the new one."""
        record = resolution_record(ctx.session, ctx.me, meeting_id)
        current = record.current if record else None
        editing = current is not None and has_content(current)
        ctx.update_data(version=current.number if current else 0, editing=editing)
        if current is not None and editing:
            ctx.say(
                meeting_texts.FLOW_RES_CURRENT_TEXT.format(
                    number=current.number, text=current.text or texts.RES_PUBLISH_FILE_ONLY
                )
            )
        self._ask_text_again(ctx)

    def _ask_text_again(self, ctx: Ctx) -> None:
        prompt = (
            meeting_texts.FLOW_RES_ASK_TEXT_EDIT
            if ctx.data.get("editing")
            else meeting_texts.FLOW_RES_ASK_TEXT
        )
        ctx.ask(self.name, "text", prompt, accepts_file=True)

    def step_text(self, ctx: Ctx, answer: Answer) -> None:
        meeting = flow_meeting(ctx)
        meeting_id = meeting.id
        assert meeting_id is not None
        upload = answer.file or ctx.incoming.file
        kind = file_kind(upload) if upload is not None else None
        if upload is not None and (kind is None or not upload.file_id):
            ctx.say(texts.FLOW_FILE_KIND)
            self._ask_text_again(ctx)
            return
        draft = {
            "text": answer.text,
            "file_ref": upload.file_id if upload is not None else None,
            "file_kind": kind.value if kind is not None else None,
        }
        plan = attempt(
            ctx,
            lambda: plan_revision(
                ctx.session, ctx.me, meeting_id, **draft, now=ctx.now, rules=rules(ctx)
            ),
        )
        if plan is None:
            self._ask_text_again(ctx)
            return
        if plan.needs_kind:
            ctx.update_data(draft=draft)
            prompt = (
                meeting_texts.FLOW_RES_ASK_CHANGE_PUBLISHED
                if plan.published
                else meeting_texts.FLOW_RES_ASK_CHANGE
            )
            options = [
                ("wording", meeting_texts.FLOW_RES_CHANGE_WORDING),
                ("content", meeting_texts.FLOW_RES_CHANGE_CONTENT),
                ("back", meeting_texts.FLOW_BACK),
            ]
            ctx.ask(self.name, "change", prompt.format(summary=plan.summary), options)
            return
        saved = self._save_text(ctx, meeting_id, draft, None)
        if saved is None:
            self._ask_text_again(ctx)
            return
        self._after_save(ctx, meeting, saved)

    def step_change(self, ctx: Ctx, answer: Answer) -> None:
        """Correction of wording or change of content, for a resolution already adopted."""
        meeting = flow_meeting(ctx)
        meeting_id = meeting.id
        assert meeting_id is not None
        draft = ctx.data.get("draft")
        if answer.option not in ("wording", "content") or not isinstance(draft, dict):
            self._menu(ctx, meeting)
            return
        change = (
            ResolutionChange.WORDING if answer.option == "wording" else ResolutionChange.CONTENT
        )
        saved = self._save_text(ctx, meeting_id, draft, change)
        if saved is None:  # the refusal was said (e.g. the other leader changed it meanwhile)
            self._menu(ctx, meeting)
            return
        self._after_save(ctx, meeting, saved)

    def _save_text(
        self,
        ctx: Ctx,
        meeting_id: int,
        draft: dict[str, str | None],
        change: ResolutionChange | None,
    ) -> Revision | None:
        return attempt(
            ctx,
            lambda: record_resolution(
                ctx.session,
                ctx.me,
                meeting_id,
                text=draft.get("text"),
                file_ref=draft.get("file_ref"),
                file_kind=draft.get("file_kind"),
                change=change,
                expected_version=_seen_version(ctx),
                now=ctx.now,
                rules=rules(ctx),
            ),
        )

    def _after_save(self, ctx: Ctx, meeting: Meeting, saved: Revision) -> None:
        """Say what was recorded; a corrected wording of what members have is offered for
        sending at once (one tap), a changed content goes back to the menu for its vote."""
        version = saved.version
        if not saved.new_version or version.change == ResolutionChange.FIRST:
            ctx.say(meeting_texts.FLOW_RES_TEXT_SAVED)
            self._menu(ctx, meeting)
        elif version.change == ResolutionChange.WORDING:
            ctx.say(meeting_texts.FLOW_RES_SAVED_WORDING.format(number=version.number))
            if saved.record.published is not None:
                self._confirm_publish(ctx, meeting)
            else:
                self._menu(ctx, meeting)
        else:
            ctx.say(meeting_texts.FLOW_RES_SAVED_CONTENT.format(number=version.number))
            self._menu(ctx, meeting)

    # vote
    def _begin_vote(self, ctx: Ctx, meeting: Meeting, meeting_id: int) -> None:
        """Ask the three numbers; if this version already has a vote, first ask whether to
        record a new one (the old one stays in the history)."""
        record = resolution_record(ctx.session, ctx.me, meeting_id)
        current = record.current if record else None
        ctx.update_data(version=current.number if current else 0, again=False)
        vote = record.deciding_vote(current) if record and current else None
        if vote is None:
            self._check_quorum(ctx, meeting_id)
            return
        prompt = meeting_texts.FLOW_RES_CONFIRM_REVOTE.format(
            when=when(ctx, vote.recorded_at),
            for_=vote.votes_for,
            against=vote.votes_against,
            abstain=vote.votes_abstain,
            outcome=texts.RES_PASSED if vote.passed else texts.MY_NOT_PASSED,
        )
        options = [("again", meeting_texts.FLOW_RES_REVOTE), ("back", meeting_texts.FLOW_BACK)]
        ctx.ask(self.name, "revote", prompt, options)

    def step_revote(self, ctx: Ctx, answer: Answer) -> None:
        meeting = flow_meeting(ctx)
        assert meeting.id is not None
        if answer.option != "again":
            self._menu(ctx, meeting)
            return
        ctx.update_data(again=True)
        self._check_quorum(ctx, meeting.id)

    def _check_quorum(self, ctx: Ctx, meeting_id: int) -> None:
        """Before the numbers are asked: if fewer than half of the official members convened
        are recorded present, say so plainly (present, convened, needed) and let the secretary
        go on or go back. Warned, not refused: the roll may just be incomplete."""
        check = quorum(voters_for(ctx.session, ctx.me, meeting_id))
        if check.met:
            self._ask_vote(ctx, meeting_id)
            return
        prompt = meeting_texts.FLOW_RES_QUORUM_SHORT.format(
            present=check.present, convened=check.convened, needed=check.needed
        )
        options = [("go", meeting_texts.FLOW_RES_QUORUM_GO), ("back", meeting_texts.FLOW_BACK)]
        ctx.ask(self.name, "quorum", prompt, options)

    def step_quorum(self, ctx: Ctx, answer: Answer) -> None:
        meeting = flow_meeting(ctx)
        assert meeting.id is not None
        if answer.option != "go":
            self._menu(ctx, meeting)
            return
        typed = ctx.data.get("typed_vote")
        if isinstance(typed, str):  # the numbers typed at the menu, before the warning
            ctx.update_data(typed_vote=None)
            self.step_vote(ctx, Answer(text=typed))
            return
        self._ask_vote(ctx, meeting.id)

    def _not_typed_here(self, ctx: Ctx, meeting: Meeting, text: str) -> None:
        """Words typed at the menu that are not the step it suggests: quoted back, menu again."""
        choose = texts.CHOOSE_NUMBER.format(count=len(ctx.state.options or []))
        ctx.say(texts.TYPED_NOT_AN_OPTION.format(typed=text[:300], choose=choose))
        self._menu(ctx, meeting)

    def step_vote_typed(self, ctx: Ctx, answer: Answer) -> None:
        """The three numbers typed at the menu: the quorum is checked first, as for a tap."""
        meeting = flow_meeting(ctx)
        assert meeting.id is not None
        counts = numbers(answer.text or "")
        if counts is None or len(counts) != 3:
            self._not_typed_here(ctx, meeting, answer.text or "")
            return
        record = resolution_record(ctx.session, ctx.me, meeting.id)
        current = record.current if record else None
        ctx.update_data(version=current.number if current else 0, again=False)
        if not quorum(voters_for(ctx.session, ctx.me, meeting.id)).met:
            ctx.update_data(typed_vote=answer.text)
            self._check_quorum(ctx, meeting.id)
            return
        self.step_vote(ctx, answer)

    def step_score_typed(self, ctx: Ctx, answer: Answer) -> None:
        """All seven scores typed at the menu."""
        meeting = flow_meeting(ctx)
        typed = numbers(answer.text or "")
        if typed is None or len(typed) != len(CRITERIA):
            self._not_typed_here(ctx, meeting, answer.text or "")
            return
        ctx.update_data(scores={}, index=0)
        self.step_score(ctx, answer)

    def _ask_vote(self, ctx: Ctx, meeting_id: int) -> None:
        voters = voters_for(ctx.session, ctx.me, meeting_id)
        prompt = meeting_texts.FLOW_RES_ASK_VOTE.format(
            convened=voters.convened,
            present=voters.eligible_present,
            probationary=voters.probationary_present,
            needed=voters.needed,
        )
        ctx.ask(self.name, "vote", prompt)

    def step_vote(self, ctx: Ctx, answer: Answer) -> None:
        meeting = flow_meeting(ctx)
        meeting_id = meeting.id
        assert meeting_id is not None
        counts = numbers(answer.text or "")
        if counts is None or len(counts) != 3:
            ctx.say(meeting_texts.FLOW_RES_VOTE_FORMAT)
            self._ask_vote(ctx, meeting_id)
            return
        voters = voters_for(ctx.session, ctx.me, meeting_id)
        # Every official member present is in one of the three groups, so the parts must add
        # up to them; more ballots than that is refused by the service with its own reason
        # (probationary members do not vote), so the total is only stated when not exceeded.
        total = voters.eligible_present if sum(counts) <= voters.eligible_present else None
        result = attempt(
            ctx,
            lambda: record_vote(
                ctx.session,
                ctx.me,
                meeting_id,
                votes_for=counts[0],
                votes_against=counts[1],
                votes_abstain=counts[2],
                total=total,
                again=bool(ctx.data.get("again")),
                expected_version=_seen_version(ctx),
                now=ctx.now,
            ),
        )
        if result is None:
            # A count that was refused is asked again; a resolution changed meanwhile (or
            # voted on by the other leader) goes back to the menu to be looked at first.
            record = resolution_record(ctx.session, ctx.me, meeting_id)
            current = record.current if record else None
            seen = _seen_version(ctx)
            stale = seen is not None and seen != (current.number if current else 0)
            unasked = (
                record is not None
                and current is not None
                and record.deciding_vote(current) is not None
                and not ctx.data.get("again")
            )
            if stale or unasked:
                self._menu(ctx, meeting)
            else:
                self._ask_vote(ctx, meeting_id)
            return
        ctx.say(result.message)
        record = resolution_record(ctx.session, ctx.me, meeting_id)
        if (
            record is not None
            and record.stage is ResolutionStage.ADOPTED
            and record.published is not None
        ):
            # A changed content just adopted while members have an older version: what they
            # will receive is shown at once, to send with one tap.
            self._confirm_publish(ctx, meeting)
            return
        self._menu(ctx, meeting)

    # quality score, one criterion at a time (or all seven at once)
    def _ask_score(self, ctx: Ctx, meeting_id: int, index: int) -> None:
        name, maximum = CRITERIA[index]
        prompt = meeting_texts.FLOW_RES_ASK_SCORE.format(
            n=index + 1,
            total=len(CRITERIA),
            label=meeting_texts.RES_SCORE_LABELS[name],
            maximum=maximum,
        )
        if name == "attendance":
            suggested = suggest_attendance_score(ctx.session, ctx.me, meeting_id)
            prompt += "\n" + meeting_texts.FLOW_RES_SCORE_SUGGEST.format(value=suggested)
        if index == 0:
            prompt += "\n" + meeting_texts.FLOW_RES_SCORE_ALL_AT_ONCE
        ctx.update_data(index=index)
        ctx.ask(self.name, "score", prompt)

    def step_score(self, ctx: Ctx, answer: Answer) -> None:
        meeting = flow_meeting(ctx)
        meeting_id = meeting.id
        assert meeting_id is not None
        index = int(ctx.data.get("index") or 0)
        scores: dict[str, int] = dict(ctx.data.get("scores") or {})
        typed = numbers(answer.text or "")
        if typed is not None and index == 0 and len(typed) == len(CRITERIA):
            given = dict(zip((n for n, _m in CRITERIA), typed, strict=True))
        elif typed is not None and len(typed) == 1:
            given = {CRITERIA[index][0]: typed[0]}
        else:
            ctx.say(meeting_texts.FLOW_RES_SCORE_FORMAT)
            self._ask_score(ctx, meeting_id, index)
            return
        for name, value in given.items():
            maximum = QUALITY_CRITERIA[name]
            if value > maximum:
                label = meeting_texts.RES_SCORE_LABELS[name]
                ctx.say(meeting_texts.RES_SCORE_RANGE.format(label=label, maximum=maximum))
                self._ask_score(ctx, meeting_id, index)
                return
        scores.update(given)
        ctx.update_data(scores=scores)
        missing = [i for i, (name, _m) in enumerate(CRITERIA) if name not in scores]
        if missing:
            self._ask_score(ctx, meeting_id, missing[0])
            return
        result = attempt(
            ctx, lambda: score_meeting(ctx.session, ctx.me, meeting_id, scores, now=ctx.now)
        )
        if result is None:
            ctx.update_data(scores={})
            self._ask_score(ctx, meeting_id, 0)
            return
        ctx.say(result.message)
        self._menu(ctx, meeting)

    # tasks: owner → title → deadline
    def _ask_owner(self, ctx: Ctx, meeting: Meeting, number: int) -> None:
        members = cell_members(ctx.session, meeting.cell_id)
        items = [(f"m{m.id}", m.full_name) for m in members]
        options = [*page(items, number), ("back", meeting_texts.FLOW_BACK)]
        prompt = f"{meeting_texts.FLOW_RES_ASK_OWNER}\n{meeting_texts.FLOW_RES_TASK_LINES_HINT}"
        ctx.ask(self.name, "owner", prompt, options, typed_step="tasks_typed")

    def step_tasks_typed(self, ctx: Ctx, answer: Answer) -> None:
        """Tasks typed a line each (`services.meetings.tasklines`): all saved, or none and each
        wrong
        line said, then asked again."""
        meeting = flow_meeting(ctx)
        meeting_id = meeting.id
        assert meeting_id is not None
        members = cell_members(ctx.session, meeting.cell_id)
        parsed = parse_task_lines(answer.text or "", members, local_now(ctx))
        saved = None
        if not parsed.errors:
            saved = attempt(
                ctx,
                lambda: assign_tasks(
                    ctx.session, ctx.me, meeting_id, parsed.lines, now=ctx.now, rules=rules(ctx)
                ),
            )
        else:
            ctx.say("\n".join([*parsed.errors, meeting_texts.TASKLINE_NOTHING_SAVED]))
        if saved is None:
            ctx.ask(self.name, "tasks_typed", meeting_texts.FLOW_RES_ASK_TASK_LINES)
            return
        lines = [
            meeting_texts.FLOW_RES_TASKS_LINE.format(
                title=line.title, name=line.owner_name, due=format_vn_date(line.due_on)
            )
            for line in parsed.lines
        ]
        ctx.say(meeting_texts.FLOW_RES_TASKS_SAVED.format(count=len(saved), lines="\n".join(lines)))
        self._menu(ctx, meeting)

    def step_owner(self, ctx: Ctx, answer: Answer) -> None:
        meeting = flow_meeting(ctx)
        key = answer.option or ""
        number = page_key(key)
        if number is not None:
            self._ask_owner(ctx, meeting, number)
            return
        if key == "back":
            self._menu(ctx, meeting)
            return
        owner = ctx.session.get(Member, as_id(key[1:]) or 0) if key.startswith("m") else None
        if owner is None or owner.cell_id != meeting.cell_id:
            ctx.finish()
            ctx.say(texts.STALE_BUTTON)
            return
        ctx.update_data(owner=owner.id)
        ctx.ask(
            self.name, "task_title", meeting_texts.FLOW_RES_ASK_TASK.format(name=owner.full_name)
        )

    def step_task_title(self, ctx: Ctx, answer: Answer) -> None:
        flow_meeting(ctx)
        title = (answer.text or "").strip()
        if len(title) > 500:
            ctx.say(meeting_texts.MTG_TEXT_TOO_LONG.format(length=len(title), maximum=500))
            ctx.ask(self.name, "task_title", meeting_texts.FLOW_RES_ASK_TASK_AGAIN)
            return
        ctx.update_data(title=title)
        ctx.ask(self.name, "task_due", meeting_texts.FLOW_RES_ASK_DUE)

    def step_task_due(self, ctx: Ctx, answer: Answer) -> None:
        meeting = flow_meeting(ctx)
        meeting_id = meeting.id
        assert meeting_id is not None
        parsed = parse_vn_date_result(answer.text or "", local_now(ctx))
        if not parsed.ok or parsed.day is None:
            ctx.say(parsed.message)
            ctx.ask(self.name, "task_due", meeting_texts.FLOW_RES_ASK_DUE)
            return
        due = parsed.day
        owner_id = int(ctx.data.get("owner") or 0)
        title = str(ctx.data.get("title") or "")
        task = attempt(
            ctx,
            lambda: assign_task(
                ctx.session,
                ctx.me,
                meeting_id,
                owner_member_id=owner_id,
                title=title,
                due_on=due,
                now=ctx.now,
                rules=rules(ctx),
            ),
        )
        if task is None:
            ctx.ask(self.name, "task_due", meeting_texts.FLOW_RES_ASK_DUE)
            return
        owner = ctx.session.get(Member, owner_id)
        ctx.say(
            meeting_texts.FLOW_RES_TASK_SAVED.format(
                title=task.title,
                name=owner.full_name if owner else "",
                due=format_vn_date(task.due_on),
            )
        )
        options = [("more", meeting_texts.FLOW_RES_TASK_MORE), ("menu", texts.FLOW_DONE)]
        ctx.ask(self.name, "task_more", meeting_texts.FLOW_RES_TASK_NEXT, options)

    def step_task_more(self, ctx: Ctx, answer: Answer) -> None:
        meeting = flow_meeting(ctx)
        if answer.option == "more":
            self._ask_owner(ctx, meeting, 0)
        else:
            self._menu(ctx, meeting)

    # publishing, after one tap to confirm
    def _confirm_publish(self, ctx: Ctx, meeting: Meeting) -> None:
        """Show exactly what members will receive and ask to send; refusals (not adopted,
        not voted, nothing written) are said with what to do, and the menu comes back."""
        meeting_id = meeting.id
        assert meeting_id is not None
        plan = attempt(
            ctx,
            lambda: plan_publication(
                ctx.session, ctx.me, meeting_id, now=ctx.now, rules=rules(ctx)
            ),
        )
        if plan is None:
            self._menu(ctx, meeting)
            return
        if plan.already:
            ctx.say(
                meeting_texts.FLOW_RES_ALREADY_PUBLISHED.format(
                    when=when(ctx, plan.version.published_at or ctx.now)
                )
            )
            self._menu(ctx, meeting)
            return
        ctx.update_data(version=plan.version.number)
        prompt = meeting_texts.FLOW_RES_CONFIRM_PUBLISH.format(
            notice=plan.notice, count=len(plan.member_ids)
        )
        options = [("send", meeting_texts.FLOW_RES_SEND), ("later", meeting_texts.FLOW_RES_LATER)]
        ctx.ask(self.name, "publish", prompt, options)

    def step_publish(self, ctx: Ctx, answer: Answer) -> None:
        meeting = flow_meeting(ctx)
        meeting_id = meeting.id
        assert meeting_id is not None
        if answer.option != "send":
            self._menu(ctx, meeting)
            return
        published = attempt(
            ctx,
            lambda: publish_resolution(
                ctx.session,
                ctx.me,
                meeting_id,
                expected_version=_seen_version(ctx),
                now=ctx.now,
                rules=rules(ctx),
            ),
        )
        if published is not None:
            # Who was really sent it, not who was meant to be: members without a chat account
            # are named, with the way to reach them (/moi).
            what = (
                meeting_texts.REACH_WHAT_AMENDMENT
                if published.amendment
                else meeting_texts.REACH_WHAT_RESOLUTION
            )
            reach = outbox.describe_reach(
                ctx.session,
                published.enqueued.reach,
                what=what,
                where=meeting_texts.REACH_WHERE_CELL,
            )
            lines = [reach, *published.warnings]
            ctx.say("\n".join(lines))
        self._menu(ctx, meeting)


RESULTS = ResultsFlow()


def task_done_action(ctx: Ctx, args: list[str]) -> None:
    """`task_done:{id}` (on `/nhiemvu` and the deadline reminders); complete_task lets only
    the owner or the cell's leaders do it."""
    task_id = as_id(args[0]) if len(args) == 1 else None
    if task_id is None:
        ctx.say(texts.STALE_BUTTON)
        return
    task = complete_task(ctx.session, ctx.me, task_id, now=ctx.now)
    ctx.chosen = texts.MY_TASK_DONE_CHOSEN
    ctx.say(texts.MY_TASK_DONE.format(title=task.title))


def register(registry: Registry) -> None:
    registry.action(Action(TASK_DONE, task_done_action))
    flow = registry.flow(RESULTS)
    registry.command(
        Command(
            "ketqua",
            meeting_texts.CMD_RESULTS,
            Audience.SECRETARY,
            flow.begin,
            topic=Topic.MEETINGS,
        )
    )
