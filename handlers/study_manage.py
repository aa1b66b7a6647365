"""The leaders' side of study: `/hoctap_quanly` opens `/hoctap_dang` (a committee posts the
month's topic to a unit of its subtree, a cell's leaders to their cell: title, text, a reading
file or link, 1–5 discussion questions, preview, confirm), `/hoctap_duyet` (the secretary
approves or returns the cell's pledges), `/hoctap_xacnhan` (confirms the self-reviews) and
`/hoctap_tinhhinh` (per cell: pledged, approved, reviewed).

Every step reloads what it works on and re-checks the actor's right over it (`reload`); the
services check again before they write, so a forged or old button changes nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from handlers.context import Answer, Ctx, Flow
from handlers.flowkit import as_id, attempt, file_kind, file_name, managed_cells, page, page_key
from handlers.registry import Audience, Command, Registry, Topic
from handlers.study import RATING_LABELS, study_rules
from models import StudyPledge, Unit
from services import outbox, texts
from services.auth import Permission
from services.errors import Forbidden
from services.org import is_cell
from services.study import access, pledges, quizzes, role_models, topics
from services.study import texts as study_texts
from services.study.rules import month_label
from services.study.topics import LINK, Reading, TopicDraft
from services.textnorm import fold_words
from services.vndate import parse_vn_date_result


def manage_menu(ctx: Ctx, args: str = "") -> None:
    """`/hoctap_quanly`: what this leader may do, as one menu."""
    options = [("/hoctap_dang", study_texts.BTN_POST)]
    if ctx.me.managed_cell_ids:
        options += [
            ("/hoctap_duyet", study_texts.BTN_APPROVE_LIST),
            ("/hoctap_xacnhan", study_texts.BTN_CONFIRM_LIST),
        ]
    if ctx.me.committee_unit_ids:
        options += [
            ("/hoctap_giao", study_texts.BTN_ASSIGN),
            ("/guongdienhinh_dang", study_texts.BTN_ROLE_MODEL_POST),
        ]
    options.append(("/hoctap_tinhhinh", study_texts.BTN_PROGRESS))
    ctx.menu(study_texts.MANAGE_HEAD, options)


def progress_view(ctx: Ctx, args: str = "") -> None:
    """`/hoctap_tinhhinh`: per cell the actor sees, the share of members who pledged, were
    approved and reviewed (the open period's review)."""
    cells = access.visible_cells(ctx.session, ctx.me)
    if not cells:
        ctx.say(study_texts.PROGRESS_NONE)
        return
    rules = study_rules(ctx)
    year = rules.year(ctx.now)
    period = rules.review_period(ctx.now)
    counts = pledges.progress(ctx.session, [c.id for c in cells if c.id is not None], year, period)
    lines = [study_texts.PROGRESS_HEAD.format(year=year)]
    total = [0, 0, 0, 0]
    for cell in cells:
        assert cell.id is not None
        p = counts[cell.id]
        line = study_texts.PROGRESS_CELL.format(
            cell=cell.name, pledged=p.pledged, approved=p.approved, members=p.members
        )
        if period is not None:
            line += study_texts.PROGRESS_REVIEW.format(
                period=pledges.PERIOD_LABELS[period], reviewed=p.reviewed, confirmed=p.confirmed
            )
        lines.append(line)
        for i, value in enumerate((p.members, p.pledged, p.approved, p.reviewed)):
            total[i] += value
    if len(cells) > 1:
        lines.append(
            study_texts.PROGRESS_TOTAL.format(
                members=total[0], pledged=total[1], approved=total[2], reviewed=total[3]
            )
        )
    names = {c.id: c.name for c in cells}
    for found in quizzes.completion(ctx.session, ctx.me, cells, ctx.now, rules):
        lines.append(
            study_texts.PROGRESS_ASSIGNMENT.format(
                title=found.assignment.title, date=f"{found.assignment.due_on:%d/%m/%Y}"
            )
        )
        for cell_id, (done, asked) in found.cells.items():
            lines.append(
                study_texts.PROGRESS_STUDIED.format(cell=names[cell_id], done=done, members=asked)
            )
    ctx.say("\n".join(lines))


# --- posting a topic ---------------------------------------------------------------------


class PostFlow(Flow):
    """`/hoctap_dang`: unit (when several), month, title, text, reading, questions, preview."""

    name = "study_post"

    def begin(self, ctx: Ctx, args: str) -> None:
        targets = access.post_targets(ctx.session, ctx.me)
        if not targets:
            raise Forbidden(study_texts.FORBIDDEN_POST)
        if len(targets) == 1:
            assert targets[0].id is not None
            ctx.state.data = {}
            self._ask_month(ctx, targets[0].id)
            return
        options = [(f"u{u.id}", u.name[:60]) for u in targets]
        ctx.ask(self.name, "unit", study_texts.ASK_UNIT, options, data={})

    def reload(self, ctx: Ctx) -> bool:
        unit_id = ctx.data.get("unit")
        if ctx.state.step == "unit":
            return True
        unit = ctx.session.get(Unit, unit_id) if isinstance(unit_id, int) else None
        if unit is None:
            ctx.finish()
            ctx.say(texts.SESSION_EXPIRED)
            return False
        access.require_post(ctx.me, unit)  # Forbidden propagates: the role was lost
        ctx.subject = unit
        return True

    def step_unit(self, ctx: Ctx, answer: Answer) -> None:
        key = answer.option or ""
        unit_id = as_id(key[1:]) if key.startswith("u") else None
        unit = ctx.session.get(Unit, unit_id) if unit_id is not None else None
        if unit is None or unit_id is None:
            ctx.finish()
            ctx.say(texts.STALE_BUTTON)
            return
        access.require_post(ctx.me, unit)
        self._ask_month(ctx, unit_id)

    def _ask_month(self, ctx: Ctx, unit_id: int) -> None:
        this, following = topics.allowed_months(ctx.now, study_rules(ctx))
        options = [
            ("m0", study_texts.BTN_THIS_MONTH.format(month=month_label(this))),
            ("m1", study_texts.BTN_NEXT_MONTH.format(month=month_label(following))),
        ]
        data = {"unit": unit_id, "months": [this, following]}
        ctx.ask(self.name, "month", study_texts.ASK_MONTH, options, data=data)

    def step_month(self, ctx: Ctx, answer: Answer) -> None:
        months = [str(m) for m in ctx.data.get("months") or []]
        index = 1 if answer.option == "m1" else 0
        ctx.update_data(month=months[index] if len(months) > index else None)
        self._ask_title(ctx)

    def _ask_title(self, ctx: Ctx) -> None:
        limit = study_rules(ctx).title_max_chars
        ctx.ask(self.name, "title", study_texts.ASK_TITLE.format(limit=limit))

    def step_title(self, ctx: Ctx, answer: Answer) -> None:
        title = attempt(ctx, lambda: topics.clean_title(answer.text or "", study_rules(ctx)))
        if title is None:
            return
        ctx.update_data(title=title)
        limit = study_rules(ctx).body_max_chars
        ctx.ask(self.name, "body", study_texts.ASK_BODY.format(limit=limit))

    def step_body(self, ctx: Ctx, answer: Answer) -> None:
        body = attempt(ctx, lambda: topics.clean_body(answer.text or "", study_rules(ctx)))
        if body is None:
            return
        ctx.update_data(body=body)
        self._ask_reading(ctx)

    def _ask_reading(self, ctx: Ctx) -> None:
        ctx.ask(self.name, "reading", study_texts.ASK_READING, accepts_file=True)

    def step_reading(self, ctx: Ctx, answer: Answer) -> None:
        reading = _reading(ctx, answer)
        if reading is False:
            self._ask_reading(ctx)
            return
        ctx.update_data(
            reading=[reading.ref, reading.kind, reading.name] if reading is not None else None
        )
        limit = study_rules(ctx).questions_max
        ctx.ask(self.name, "questions", study_texts.ASK_QUESTIONS.format(limit=limit))

    def step_questions(self, ctx: Ctx, answer: Answer) -> None:
        questions = attempt(
            ctx, lambda: topics.parse_questions(answer.text or "", study_rules(ctx))
        )
        if questions is None:
            return
        ctx.update_data(questions=list(questions))
        self._preview(ctx)

    def _draft(self, ctx: Ctx) -> TopicDraft:
        spec = ctx.data.get("reading")
        reading = (
            Reading(str(spec[0]), str(spec[1]), str(spec[2])) if isinstance(spec, list) else None
        )
        return TopicDraft(
            title=str(ctx.data.get("title") or ""),
            body=str(ctx.data.get("body") or ""),
            questions=tuple(str(q) for q in ctx.data.get("questions") or []),
            reading=reading,
        )

    def _preview(self, ctx: Ctx) -> None:
        unit: Unit = ctx.subject
        month = str(ctx.data.get("month") or "")
        draft = self._draft(ctx)
        lines = [study_texts.PREVIEW_HEAD.format(unit=unit.name, month=month_label(month))]
        lines.append(study_texts.PREVIEW_TITLE.format(title=draft.title))
        lines.append(draft.body)
        lines += [f"{n}. {q}" for n, q in enumerate(draft.questions, start=1)]
        if draft.reading is None:
            lines.append(study_texts.PREVIEW_NO_READING)
        elif draft.reading.kind == LINK:
            lines.append(study_texts.TOPIC_LINK.format(link=draft.reading.ref))
        else:
            lines.append(study_texts.TOPIC_FILE.format(name=draft.reading.name))
        assert unit.id is not None
        if topics.existing(ctx.session, unit.id, month) is not None:
            lines.append(study_texts.PREVIEW_REPLACES)
        options = [("post", study_texts.BTN_POST_NOW)]
        if is_cell(unit):
            options.append(("agenda", study_texts.BTN_POST_AGENDA))
        options.append(("cancel", study_texts.BTN_CANCEL))
        ctx.ask(self.name, "confirm", "\n".join(lines), options)

    def step_confirm(self, ctx: Ctx, answer: Answer) -> None:
        if answer.option == "cancel":
            ctx.finish()
            ctx.say(study_texts.POST_CANCELLED)
            return
        unit: Unit = ctx.subject
        assert unit.id is not None
        unit_id = unit.id
        month = str(ctx.data.get("month") or "")
        draft = self._draft(ctx)
        posted = attempt(
            ctx,
            lambda: topics.post_topic(
                ctx.session,
                ctx.me,
                unit_id,
                month,
                draft,
                for_agenda=answer.option == "agenda",
                now=ctx.now,
                rules=study_rules(ctx),
            ),
        )
        ctx.finish()
        if posted is None:
            return
        said = study_texts.POSTED_REPLACED if posted.replaced else study_texts.POSTED
        reach = outbox.describe_reach(
            ctx.session, posted.reach, what=study_texts.REACH_WHAT, where=""
        )
        ctx.say("\n".join(x for x in (said.format(unit=unit.name), reach) if x))


POST = PostFlow()


# --- the secretary's decisions -----------------------------------------------------------


def _cell(ctx: Ctx) -> Unit:
    """The cell the secretary works on: the first they lead, by name (refused otherwise)."""
    cells = managed_cells(ctx)
    if not cells:
        ctx.require(Permission.MANAGE_CELL)
        raise Forbidden(texts.FORBIDDEN_SECRETARY)
    return cells[0]


class ApproveFlow(Flow):
    """`/hoctap_duyet`: the cell's pledges waiting, paged; one opens: approve or return with a
    note; then the list again."""

    name = "study_approve"

    def begin(self, ctx: Ctx, args: str) -> None:
        cell = _cell(ctx)
        assert cell.id is not None
        ctx.state.data = {"cell": cell.id}
        self._list(ctx, 0)

    def reload(self, ctx: Ctx) -> bool:
        cell_id = ctx.data.get("cell")
        if not isinstance(cell_id, int):
            ctx.finish()
            ctx.say(texts.SESSION_EXPIRED)
            return False
        ctx.subject = access.require_manage_cell(ctx.session, ctx.me, cell_id)
        return True

    def _list(self, ctx: Ctx, number: int) -> None:
        cell_id = int(ctx.data["cell"])
        year = study_rules(ctx).year(ctx.now)
        waiting = pledges.waiting_pledges(ctx.session, ctx.me, cell_id, year)
        if not waiting:
            ctx.finish()
            ctx.say(study_texts.APPROVE_EMPTY.format(year=year))
            return
        items = [(f"x{p.id}", pledges.member_name(ctx.session, p.member_id)) for p in waiting]
        text = study_texts.APPROVE_HEAD.format(count=len(waiting), year=year)
        ctx.ask(self.name, "pick", text, page(items, number), data={"cell": cell_id})

    def step_pick(self, ctx: Ctx, answer: Answer) -> None:
        key = answer.option or ""
        number = page_key(key)
        if number is not None:
            self._list(ctx, number)
            return
        pledge_id = as_id(key[1:]) if key.startswith("x") else None
        if pledge_id is None:
            self._list(ctx, 0)
            return
        pledge = attempt(ctx, lambda: pledges.pledge_to_decide(ctx.session, ctx.me, pledge_id))
        if pledge is None:
            self._list(ctx, 0)
            return
        self._show(ctx, pledge)

    def _show(self, ctx: Ctx, pledge: StudyPledge) -> None:
        items = "\n".join(f"{n}. {c}" for n, c in enumerate(pledge.commitments, start=1))
        text = study_texts.APPROVE_ONE.format(
            name=pledges.member_name(ctx.session, pledge.member_id), items=items
        )
        options = [
            ("ok", study_texts.BTN_APPROVE),
            ("return", study_texts.BTN_RETURN),
            ("back", study_texts.BTN_BACK),
        ]
        ctx.ask(
            self.name, "decide", text, options, data={"cell": ctx.data["cell"], "pledge": pledge.id}
        )

    def step_decide(self, ctx: Ctx, answer: Answer) -> None:
        pledge_id = ctx.data.get("pledge")
        if answer.option == "back" or not isinstance(pledge_id, int):
            self._list(ctx, 0)
            return
        if answer.option == "return":
            limit = study_rules(ctx).note_max_chars
            ctx.ask(self.name, "note", study_texts.ASK_RETURN_NOTE.format(limit=limit))
            return
        done = attempt(
            ctx, lambda: pledges.approve_pledge(ctx.session, ctx.me, pledge_id, now=ctx.now)
        )
        if done is not None:
            ctx.say(
                study_texts.APPROVED.format(name=pledges.member_name(ctx.session, done.member_id))
            )
        self._list(ctx, 0)

    def step_note(self, ctx: Ctx, answer: Answer) -> None:
        pledge_id = ctx.data.get("pledge")
        if not isinstance(pledge_id, int):
            self._list(ctx, 0)
            return
        done = attempt(
            ctx,
            lambda: pledges.return_pledge(
                ctx.session,
                ctx.me,
                pledge_id,
                answer.text or "",
                now=ctx.now,
                rules=study_rules(ctx),
            ),
        )
        if done is None:
            return  # too short or long: the step stays open
        ctx.say(study_texts.RETURNED.format(name=pledges.member_name(ctx.session, done.member_id)))
        self._list(ctx, 0)


APPROVE = ApproveFlow()


class ConfirmFlow(Flow):
    """`/hoctap_xacnhan`: the cell's self-reviews waiting, paged; one opens; confirm."""

    name = "study_confirm"

    def begin(self, ctx: Ctx, args: str) -> None:
        cell = _cell(ctx)
        assert cell.id is not None
        ctx.state.data = {"cell": cell.id}
        self._list(ctx, 0)

    def reload(self, ctx: Ctx) -> bool:
        return APPROVE.reload(ctx)

    def _list(self, ctx: Ctx, number: int) -> None:
        cell_id = int(ctx.data["cell"])
        year = study_rules(ctx).year(ctx.now)
        waiting = pledges.waiting_reviews(ctx.session, ctx.me, cell_id, year)
        if not waiting:
            ctx.finish()
            ctx.say(study_texts.CONFIRM_EMPTY)
            return
        items = [
            (
                f"r{review.id}",
                study_texts.CONFIRM_ITEM.format(
                    name=pledges.member_name(ctx.session, pledge.member_id),
                    period=pledges.PERIOD_LABELS.get(review.period, review.period),
                ),
            )
            for review, pledge in waiting
        ]
        text = study_texts.CONFIRM_HEAD.format(count=len(waiting))
        ctx.ask(self.name, "pick", text, page(items, number), data={"cell": cell_id})

    def step_pick(self, ctx: Ctx, answer: Answer) -> None:
        key = answer.option or ""
        number = page_key(key)
        if number is not None:
            self._list(ctx, number)
            return
        review_id = as_id(key[1:]) if key.startswith("r") else None
        found = (
            attempt(ctx, lambda: pledges.review_to_confirm(ctx.session, ctx.me, review_id))
            if review_id is not None
            else None
        )
        if found is None:
            self._list(ctx, 0)
            return
        review, pledge = found
        lines = [
            study_texts.REVIEW_ITEM.format(
                n=n,
                item=item,
                rating=RATING_LABELS.get(str(r.get("rating")), str(r.get("rating"))),
                evidence=str(r.get("evidence") or ""),
            )
            for n, (item, r) in enumerate(zip(pledge.commitments, review.ratings, strict=False), 1)
        ]
        text = study_texts.CONFIRM_ONE.format(
            name=pledges.member_name(ctx.session, pledge.member_id),
            period=pledges.PERIOD_LABELS.get(review.period, review.period),
            items="\n".join(lines),
        )
        options = [("ok", study_texts.BTN_CONFIRM), ("back", study_texts.BTN_BACK)]
        ctx.ask(
            self.name, "decide", text, options, data={"cell": ctx.data["cell"], "review": review.id}
        )

    def step_decide(self, ctx: Ctx, answer: Answer) -> None:
        review_id = ctx.data.get("review")
        if answer.option == "ok" and isinstance(review_id, int):
            done = attempt(
                ctx, lambda: pledges.confirm_review(ctx.session, ctx.me, review_id, now=ctx.now)
            )
            if done is not None:
                ctx.say(study_texts.CONFIRMED)
        self._list(ctx, 0)


CONFIRM = ConfirmFlow()


# --- a committee's resolution study and role models --------------------------------------------


class CommitteeUnitFlow(Flow):
    """A committee's post to the members of a unit's subtree: the unit is asked when the
    actor sits on several committees, reloaded and re-authorised (OVERSEE) before every
    step; then `title_prompt`."""

    title_prompt = ""

    def begin(self, ctx: Ctx, args: str) -> None:
        targets = quizzes.assign_targets(ctx.session, ctx.me)
        if not targets:
            ctx.require(Permission.OVERSEE)
            raise Forbidden(texts.FORBIDDEN_COMMITTEE)
        if len(targets) == 1:
            assert targets[0].id is not None
            self._ask_title(ctx, {"unit": targets[0].id})
            return
        options = [(f"u{u.id}", u.name[:60]) for u in targets]
        ctx.ask(self.name, "unit", study_texts.ASK_UNIT, options, data={})

    def reload(self, ctx: Ctx) -> bool:
        if ctx.state.step == "unit":
            return True
        unit_id = ctx.data.get("unit")
        unit = ctx.session.get(Unit, unit_id) if isinstance(unit_id, int) else None
        if unit is None:
            ctx.finish()
            ctx.say(texts.SESSION_EXPIRED)
            return False
        ctx.require(Permission.OVERSEE, unit)
        ctx.subject = unit
        return True

    def step_unit(self, ctx: Ctx, answer: Answer) -> None:
        key = answer.option or ""
        unit_id = as_id(key[1:]) if key.startswith("u") else None
        unit = ctx.session.get(Unit, unit_id) if unit_id is not None else None
        if unit is None or unit_id is None:
            ctx.finish()
            ctx.say(texts.STALE_BUTTON)
            return
        ctx.require(Permission.OVERSEE, unit)
        self._ask_title(ctx, {"unit": unit_id})

    def _ask_title(self, ctx: Ctx, data: dict[str, object]) -> None:
        limit = study_rules(ctx).title_max_chars
        ctx.ask(self.name, "title", self.title_prompt.format(limit=limit), data=data)


class AssignFlow(CommitteeUnitFlow):
    """`/hoctap_giao`: unit (when several), title, key points, document, due date, then the
    self-check questions one message each (at most ten), preview, confirm."""

    name = "study_assign"
    title_prompt = study_texts.ASK_ASSIGN_TITLE

    def step_title(self, ctx: Ctx, answer: Answer) -> None:
        title = attempt(ctx, lambda: topics.clean_title(answer.text or "", study_rules(ctx)))
        if title is None:
            return
        ctx.update_data(title=title)
        limit = study_rules(ctx).key_points_max_chars
        ctx.ask(self.name, "points", study_texts.ASK_KEY_POINTS.format(limit=limit))

    def step_points(self, ctx: Ctx, answer: Answer) -> None:
        points = attempt(ctx, lambda: quizzes.clean_key_points(answer.text or "", study_rules(ctx)))
        if points is None:
            return
        ctx.update_data(points=points)
        ctx.ask(self.name, "document", study_texts.ASK_DOCUMENT, accepts_file=True)

    def step_document(self, ctx: Ctx, answer: Answer) -> None:
        reading = _reading(ctx, answer)
        if reading is False:
            ctx.ask(self.name, "document", study_texts.ASK_DOCUMENT, accepts_file=True)
            return
        ctx.update_data(
            document=[reading.ref, reading.kind, reading.name] if reading is not None else None
        )
        ctx.ask(self.name, "due", study_texts.ASK_DUE)

    def step_due(self, ctx: Ctx, answer: Answer) -> None:
        parsed = parse_vn_date_result(answer.text or "", ctx.now.astimezone(ctx.config.tz))
        if not parsed.ok or parsed.day is None:
            ctx.say(parsed.message or study_texts.DUE_UNREADABLE)
            return
        day = parsed.day
        if attempt(ctx, lambda: quizzes.check_due(day, ctx.now, study_rules(ctx))) is None:
            return
        ctx.update_data(due=day.isoformat(), questions=[])
        self._ask_question(ctx)

    def _questions(self, ctx: Ctx) -> list[dict[str, object]]:
        return [dict(q) for q in ctx.data.get("questions") or [] if isinstance(q, dict)]

    def _ask_question(self, ctx: Ctx) -> None:
        n = len(self._questions(ctx)) + 1
        ctx.ask(self.name, "question", study_texts.ASK_QUIZ_QUESTION.format(n=n))

    def step_question(self, ctx: Ctx, answer: Answer) -> None:
        rules = study_rules(ctx)
        questions = self._questions(ctx)
        if len(questions) >= rules.quiz_max_questions:
            ctx.say(study_texts.QUIZ_TOO_MANY.format(limit=rules.quiz_max_questions))
            self._ask_more(ctx)
            return
        parsed = attempt(ctx, lambda: quizzes.parse_question(answer.text or "", rules))
        if parsed is None:
            if questions:
                self._ask_more(ctx)
            return
        ctx.update_data(questions=[*questions, parsed])
        self._ask_more(ctx)

    def _ask_more(self, ctx: Ctx) -> None:
        rules = study_rules(ctx)
        count = len(self._questions(ctx))
        options = [("preview", study_texts.BTN_QUIZ_PREVIEW)]
        if count < rules.quiz_max_questions:
            options.insert(0, ("add", study_texts.BTN_QUIZ_ADD))
        text = study_texts.QUIZ_SO_FAR.format(count=count, limit=rules.quiz_max_questions)
        ctx.ask(self.name, "more", text, options, typed_step="question")

    def step_more(self, ctx: Ctx, answer: Answer) -> None:
        if answer.option == "add":
            self._ask_question(ctx)
            return
        lines = [
            study_texts.ASSIGN_PREVIEW.format(
                unit=ctx.subject.name,
                title=ctx.data.get("title"),
                date=_due(ctx).strftime("%d/%m/%Y"),
                points=ctx.data.get("points"),
            )
        ]
        for n, q in enumerate(self._questions(ctx), start=1):
            options = q.get("options")
            right = q.get("answer")
            assert isinstance(options, list) and isinstance(right, int)
            lines.append(f"{n}. {q.get('q')}")
            lines += [f"   {quizzes.LETTERS[i]}. {o}" for i, o in enumerate(options)]
            lines.append(study_texts.QUIZ_RIGHT.format(letter=quizzes.LETTERS[right]))
        options_out = [("send", study_texts.BTN_ASSIGN_SEND), ("cancel", study_texts.BTN_CANCEL)]
        ctx.ask(self.name, "confirm", "\n".join(lines), options_out)

    def step_confirm(self, ctx: Ctx, answer: Answer) -> None:
        if answer.option != "send":
            ctx.finish()
            ctx.say(study_texts.POST_CANCELLED)
            return
        unit: Unit = ctx.subject
        assert unit.id is not None
        unit_id = unit.id
        spec = ctx.data.get("document")
        document = (
            Reading(str(spec[0]), str(spec[1]), str(spec[2])) if isinstance(spec, list) else None
        )
        draft = quizzes.AssignmentDraft(
            title=str(ctx.data.get("title") or ""),
            key_points=str(ctx.data.get("points") or ""),
            due_on=_due(ctx),
            questions=tuple(self._questions(ctx)),
            document=document,
        )
        done = attempt(
            ctx,
            lambda: quizzes.create_assignment(
                ctx.session, ctx.me, unit_id, draft, now=ctx.now, rules=study_rules(ctx)
            ),
        )
        ctx.finish()
        if done is None:
            return
        reach = outbox.describe_reach(ctx.session, done.reach, what=study_texts.REACH_WHAT_RES)
        ctx.say("\n".join(x for x in (study_texts.ASSIGNED.format(unit=unit.name), reach) if x))


def _due(ctx: Ctx) -> date:
    return date.fromisoformat(str(ctx.data.get("due")))


def _reading(ctx: Ctx, answer: Answer) -> Reading | Literal[False] | None:
    """A file, a link or "không" typed as a document; False (said why) when none of them."""
    upload = answer.file
    if upload is not None:
        kind = file_kind(upload)
        if kind is None or not upload.file_id:
            ctx.say(study_texts.READING_BAD_FILE)
            return False
        return Reading(upload.file_id, kind.value, file_name(upload, study_texts.READING_FILE))
    if fold_words(answer.text or "") in study_texts.NO_READING_WORDS:
        return None
    found = attempt(ctx, lambda: topics.parse_link(answer.text or "", study_rules(ctx)))
    return False if found is None else found


ASSIGN = AssignFlow()


class RoleModelPostFlow(CommitteeUnitFlow):
    """`/guongdienhinh_dang`: unit (when several), title, story, photo or "không", preview."""

    name = "study_role_model_post"
    title_prompt = study_texts.ASK_MODEL_TITLE

    def step_title(self, ctx: Ctx, answer: Answer) -> None:
        title = attempt(ctx, lambda: topics.clean_title(answer.text or "", study_rules(ctx)))
        if title is None:
            return
        ctx.update_data(title=title)
        limit = study_rules(ctx).story_max_chars
        ctx.ask(self.name, "story", study_texts.ASK_STORY.format(limit=limit))

    def step_story(self, ctx: Ctx, answer: Answer) -> None:
        story = attempt(ctx, lambda: role_models.clean_story(answer.text or "", study_rules(ctx)))
        if story is None:
            return
        ctx.update_data(story=story)
        ctx.ask(self.name, "photo", study_texts.ASK_PHOTO, accepts_file=True)

    def step_photo(self, ctx: Ctx, answer: Answer) -> None:
        upload = answer.file
        if upload is not None:
            if upload.kind != "photo" or not upload.file_id:
                ctx.say(study_texts.PHOTO_ONLY)
                return
            ctx.update_data(photo=upload.file_id)
        elif fold_words(answer.text or "") in study_texts.NO_READING_WORDS:
            ctx.update_data(photo=None)
        else:
            ctx.say(study_texts.PHOTO_ONLY)
            return
        text = study_texts.MODEL_PREVIEW.format(
            unit=ctx.subject.name,
            title=ctx.data.get("title"),
            story=ctx.data.get("story"),
            photo=study_texts.WITH_PHOTO if ctx.data.get("photo") else study_texts.NO_PHOTO,
        )
        options = [("send", study_texts.BTN_POST_NOW), ("cancel", study_texts.BTN_CANCEL)]
        ctx.ask(self.name, "confirm", text, options)

    def step_confirm(self, ctx: Ctx, answer: Answer) -> None:
        if answer.option != "send":
            ctx.finish()
            ctx.say(study_texts.POST_CANCELLED)
            return
        unit: Unit = ctx.subject
        assert unit.id is not None
        unit_id = unit.id
        photo = ctx.data.get("photo")
        done = attempt(
            ctx,
            lambda: role_models.post_role_model(
                ctx.session,
                ctx.me,
                unit_id,
                str(ctx.data.get("title") or ""),
                str(ctx.data.get("story") or ""),
                photo if isinstance(photo, str) else None,
                now=ctx.now,
                rules=study_rules(ctx),
            ),
        )
        ctx.finish()
        if done is None:
            return
        reach = outbox.describe_reach(ctx.session, done[1], what=study_texts.REACH_WHAT_MODEL)
        ctx.say("\n".join(x for x in (study_texts.POSTED.format(unit=unit.name), reach) if x))


ROLE_MODEL_POST = RoleModelPostFlow()


def register(registry: Registry) -> None:
    registry.command(
        Command(
            "hoctap_quanly",
            study_texts.CMD_MANAGE,
            Audience.LEADER,
            manage_menu,
            topic=Topic.STUDY,
        )
    )
    registry.command(
        Command("hoctap_dang", study_texts.CMD_POST, Audience.LEADER, POST.begin, in_menu=False)
    )
    registry.command(
        Command(
            "hoctap_duyet",
            study_texts.CMD_APPROVE,
            Audience.SECRETARY,
            APPROVE.begin,
            in_menu=False,
        )
    )
    registry.command(
        Command(
            "hoctap_xacnhan",
            study_texts.CMD_CONFIRM,
            Audience.SECRETARY,
            CONFIRM.begin,
            in_menu=False,
        )
    )
    registry.command(
        Command(
            "hoctap_tinhhinh",
            study_texts.CMD_PROGRESS,
            Audience.LEADER,
            progress_view,
            in_menu=False,
        )
    )
    registry.command(
        Command(
            "hoctap_giao", study_texts.CMD_ASSIGN, Audience.COMMITTEE, ASSIGN.begin, in_menu=False
        )
    )
    registry.command(
        Command(
            "guongdienhinh_dang",
            study_texts.CMD_ROLE_MODEL_POST,
            Audience.COMMITTEE,
            ROLE_MODEL_POST.begin,
            in_menu=False,
        )
    )
    registry.flow(POST)
    registry.flow(APPROVE)
    registry.flow(CONFIRM)
    registry.flow(ASSIGN)
    registry.flow(ROLE_MODEL_POST)
