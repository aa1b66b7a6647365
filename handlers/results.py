"""After the meeting: `/ketqua` records the resolution, the vote, the 100-point quality sheet
and the tasks, then sends the resolution to every member.

The menu marks what is already recorded, so a secretary can stop and come back later. The
rules (who votes, what adds up, the criteria and their maxima, deadlines) live in
services.resolutions; refusals are shown and the same step asked again.
"""

from __future__ import annotations

from sqlmodel import select

from handlers.context import Answer, Ctx, Flow
from handlers.flowkit import (
    as_id,
    attempt,
    file_kind,
    flow_meeting,
    local_now,
    meeting_label,
    numbers,
    page,
    page_key,
    recent_meetings,
    rules,
)
from handlers.registry import Audience, Command, Registry
from models import Meeting, Member, Task
from services import texts
from services.meetings import managed_meeting, require_active
from services.org import cell_members
from services.resolutions import (
    QUALITY_CRITERIA,
    assign_task,
    get_resolution,
    publish_resolution,
    record_resolution,
    record_vote,
    score_meeting,
    suggest_attendance_score,
    voters_for,
)
from services.vndate import format_vn_date, parse_vn_date_result

CRITERIA = tuple(QUALITY_CRITERIA.items())


def _mark(done: bool, label: str) -> str:
    return f"✓ {label}" if done else label


class ResultsFlow(Flow):
    """A menu of the four records plus publishing; each entry returns to it."""

    name = "meeting_results"

    def begin(self, ctx: Ctx, args: str) -> None:
        meetings = recent_meetings(ctx, held_only=True)
        if not meetings:
            ctx.finish()
            ctx.say(texts.FLOW_RES_NONE)
            return
        if len(meetings) == 1:
            self.start(ctx, meetings[0].id or 0)
            return
        options = [(f"g{m.id}", meeting_label(ctx, m)) for m in meetings]
        ctx.ask(self.name, "pick", texts.FLOW_RES_CHOOSE, options, data={})

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
            ctx.say(texts.RES_NOT_YET_HELD)
            return
        self._menu(ctx, meeting)

    def _menu(self, ctx: Ctx, meeting: Meeting) -> None:
        assert meeting.id is not None
        res = get_resolution(ctx.session, ctx.me, meeting.id)
        tasks = ctx.session.exec(select(Task.id).where(Task.meeting_id == meeting.id)).all()
        has_text = res is not None and bool(res.text or res.file_ref)
        published = res is not None and res.published_at is not None
        options = [
            ("text", _mark(has_text, texts.FLOW_RES_M_TEXT)),
            ("vote", _mark(res is not None and res.voted_at is not None, texts.FLOW_RES_M_VOTE)),
            ("score", _mark(res is not None and res.scored_at is not None, texts.FLOW_RES_M_SCORE)),
            ("task", texts.FLOW_RES_M_TASK.format(count=len(tasks))),
            ("publish", _mark(published, texts.FLOW_RES_M_PUBLISH)),
            ("done", texts.FLOW_DONE),
        ]
        prompt = texts.FLOW_RES_MENU.format(label=meeting_label(ctx, meeting))
        ctx.ask(self.name, "menu", prompt, options, data={"meeting": meeting.id})

    def step_menu(self, ctx: Ctx, answer: Answer) -> None:
        meeting = flow_meeting(ctx)
        meeting_id = meeting.id
        assert meeting_id is not None
        key = answer.option
        if key == "text":
            ctx.ask(self.name, "text", texts.FLOW_RES_ASK_TEXT, accepts_file=True)
        elif key == "vote":
            self._ask_vote(ctx, meeting_id)
        elif key == "score":
            ctx.update_data(scores={})
            self._ask_score(ctx, meeting_id, 0)
        elif key == "task":
            self._ask_owner(ctx, meeting, 0)
        elif key == "publish":
            self._publish(ctx, meeting)
        else:
            ctx.finish()
            ctx.say(texts.FLOW_FINISHED)

    # resolution text or file
    def step_text(self, ctx: Ctx, answer: Answer) -> None:
        meeting = flow_meeting(ctx)
        meeting_id = meeting.id
        assert meeting_id is not None
        upload = answer.file or ctx.incoming.file
        kind = file_kind(upload) if upload is not None else None
        if upload is not None and (kind is None or not upload.file_id):
            ctx.say(texts.FLOW_FILE_KIND)
            ctx.ask(self.name, "text", texts.FLOW_RES_ASK_TEXT, accepts_file=True)
            return
        saved = attempt(
            ctx,
            lambda: record_resolution(
                ctx.session,
                ctx.me,
                meeting_id,
                text=answer.text,
                file_ref=upload.file_id if upload is not None else None,
                file_kind=kind,
                now=ctx.now,
                rules=rules(ctx),
            ),
        )
        if saved is None:
            ctx.ask(self.name, "text", texts.FLOW_RES_ASK_TEXT, accepts_file=True)
            return
        ctx.say(texts.FLOW_RES_TEXT_SAVED)
        self._menu(ctx, meeting)

    # vote
    def _ask_vote(self, ctx: Ctx, meeting_id: int) -> None:
        voters = voters_for(ctx.session, ctx.me, meeting_id)
        prompt = texts.FLOW_RES_ASK_VOTE.format(
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
            ctx.say(texts.FLOW_RES_VOTE_FORMAT)
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
                now=ctx.now,
            ),
        )
        if result is None:
            self._ask_vote(ctx, meeting_id)
            return
        ctx.say(result.message)
        self._menu(ctx, meeting)

    # quality score, one criterion at a time (or all seven at once)
    def _ask_score(self, ctx: Ctx, meeting_id: int, index: int) -> None:
        name, maximum = CRITERIA[index]
        prompt = texts.FLOW_RES_ASK_SCORE.format(
            n=index + 1, total=len(CRITERIA), label=texts.RES_SCORE_LABELS[name], maximum=maximum
        )
        if name == "attendance":
            suggested = suggest_attendance_score(ctx.session, ctx.me, meeting_id)
            prompt += "\n" + texts.FLOW_RES_SCORE_SUGGEST.format(value=suggested)
        if index == 0:
            prompt += "\n" + texts.FLOW_RES_SCORE_ALL_AT_ONCE
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
            ctx.say(texts.FLOW_RES_SCORE_FORMAT)
            self._ask_score(ctx, meeting_id, index)
            return
        for name, value in given.items():
            maximum = QUALITY_CRITERIA[name]
            if value > maximum:
                label = texts.RES_SCORE_LABELS[name]
                ctx.say(texts.RES_SCORE_RANGE.format(label=label, maximum=maximum))
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
        options = [*page(items, number), ("back", texts.FLOW_BACK)]
        ctx.ask(self.name, "owner", texts.FLOW_RES_ASK_OWNER, options)

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
        ctx.ask(self.name, "task_title", texts.FLOW_RES_ASK_TASK.format(name=owner.full_name))

    def step_task_title(self, ctx: Ctx, answer: Answer) -> None:
        flow_meeting(ctx)
        title = (answer.text or "").strip()
        if len(title) > 500:
            ctx.say(texts.MTG_TEXT_TOO_LONG.format(length=len(title), maximum=500))
            ctx.ask(self.name, "task_title", texts.FLOW_RES_ASK_TASK_AGAIN)
            return
        ctx.update_data(title=title)
        ctx.ask(self.name, "task_due", texts.FLOW_RES_ASK_DUE)

    def step_task_due(self, ctx: Ctx, answer: Answer) -> None:
        meeting = flow_meeting(ctx)
        meeting_id = meeting.id
        assert meeting_id is not None
        parsed = parse_vn_date_result(answer.text or "", local_now(ctx))
        if not parsed.ok or parsed.day is None:
            ctx.say(parsed.message)
            ctx.ask(self.name, "task_due", texts.FLOW_RES_ASK_DUE)
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
            ctx.ask(self.name, "task_due", texts.FLOW_RES_ASK_DUE)
            return
        owner = ctx.session.get(Member, owner_id)
        ctx.say(
            texts.FLOW_RES_TASK_SAVED.format(
                title=task.title,
                name=owner.full_name if owner else "",
                due=format_vn_date(task.due_on),
            )
        )
        options = [("more", texts.FLOW_RES_TASK_MORE), ("menu", texts.FLOW_DONE)]
        ctx.ask(self.name, "task_more", texts.FLOW_RES_TASK_NEXT, options)

    def step_task_more(self, ctx: Ctx, answer: Answer) -> None:
        meeting = flow_meeting(ctx)
        if answer.option == "more":
            self._ask_owner(ctx, meeting, 0)
        else:
            self._menu(ctx, meeting)

    # publishing
    def _publish(self, ctx: Ctx, meeting: Meeting) -> None:
        meeting_id = meeting.id
        assert meeting_id is not None
        published = attempt(
            ctx,
            lambda: publish_resolution(
                ctx.session, ctx.me, meeting_id, now=ctx.now, rules=rules(ctx)
            ),
        )
        if published is not None:
            _resolution, warnings = published
            count = len(cell_members(ctx.session, meeting.cell_id)) - 1
            ctx.say("\n".join([texts.FLOW_RES_PUBLISHED.format(count=count), *warnings]))
        self._menu(ctx, meeting)


RESULTS = ResultsFlow()


def register(registry: Registry) -> None:
    flow = registry.flow(RESULTS)
    registry.command(Command("ketqua", texts.CMD_RESULTS, Audience.SECRETARY, flow.begin))
