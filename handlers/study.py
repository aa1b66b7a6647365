"""The members' side of study (Chỉ thị 05-CT/TW): `/hoctap` (this month's topics from the
cell and the units above it, the readings sent again, past topics) and `/lamtheo` (the yearly
pledge, written one commitment at a time and editable until the secretary approves it; the
mid-year and year-end self-review).

The rules and refusals are in `services/study`; this module asks and shows. The reading's
"send again" button is untrusted: `topics.send_reading_again` checks the topic is the
member's to read.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from handlers.context import Answer, Ctx, Flow
from handlers.flowkit import as_id, attempt, page, page_key
from handlers.registry import Action, Audience, Command, Registry, Topic
from services import texts
from services.study import pledges, quizzes, role_models, topics
from services.study import texts as study_texts
from services.study.rules import (
    APPROVED,
    DEFAULT_STUDY_RULES,
    DOCUMENT,
    DONE,
    NOT_DONE,
    PARTLY,
    READING,
    RETURNED,
    StudyRules,
    month_label,
)


def study_rules(ctx: Ctx) -> StudyRules:
    """The study's rules in the configured zone."""
    if DEFAULT_STUDY_RULES.tz == ctx.config.tz:
        return DEFAULT_STUDY_RULES
    return dataclasses.replace(DEFAULT_STUDY_RULES, tz=ctx.config.tz)


RATING_LABELS = {
    DONE: study_texts.RATING_DONE,
    PARTLY: study_texts.RATING_PARTLY,
    NOT_DONE: study_texts.RATING_NOT_DONE,
}


def _pledge_line(ctx: Ctx) -> str:
    rules = study_rules(ctx)
    year = rules.year(ctx.now)
    pledge = pledges.my_pledge(ctx.session, ctx.me, year)
    if pledge is None:
        deadline = rules.deadline(year)
        if rules.local_day(ctx.now) > deadline:
            return study_texts.PLEDGE_LINE_LATE.format(year=year)
        return study_texts.PLEDGE_LINE_NONE.format(year=year, date=f"{deadline:%d/%m/%Y}")
    label = study_texts.PLEDGE_STATUS.get(pledge.status, pledge.status)
    return study_texts.PLEDGE_LINE.format(year=year, status=label)


def study_view(ctx: Ctx, args: str = "") -> None:
    """`/hoctap`: this month's topics, the member's pledge in one line, and where to go."""
    month = study_rules(ctx).month(ctx.now)
    found = topics.month_topics(ctx.session, ctx.me, month)
    names = topics.unit_names(ctx.session, found)
    blocks = [study_texts.HEAD.format(month=month_label(month))]
    if not found:
        blocks.append(study_texts.NO_TOPIC)
    blocks += [topics.topic_text(t, names.get(t.unit_id, "")) for t in found]
    blocks.append(_pledge_line(ctx))
    options: list[tuple[str, str]] = []
    for topic in found:
        button = topics.reading_button(topic)
        if button is not None:
            options.append(button)
    waiting = [
        a
        for a in quizzes.for_member(ctx.session, ctx.me, ctx.now, study_rules(ctx))
        if a.id is not None and quizzes.result_of(ctx.session, ctx.me, a.id) is None
    ]
    if waiting:
        blocks.append(study_texts.ASSIGNMENTS_WAITING.format(count=len(waiting)))
    options += [
        ("/hoctap_truoc", study_texts.BTN_PAST),
        ("/lamtheo", study_texts.BTN_PLEDGE),
        ("/hoctap_nghiquyet", study_texts.BTN_ASSIGNMENTS),
        ("/guongdienhinh", study_texts.BTN_ROLE_MODELS),
    ]
    ctx.menu("\n\n".join(blocks), options)


def reading_action(ctx: Ctx, args: list[str]) -> None:
    """`st_read:{topic}`: the reading comes again through the outbox, to this member."""
    topic_id = as_id(args[0]) if len(args) == 1 else None
    if topic_id is None:
        ctx.say(texts.STALE_BUTTON)
        return
    topic = topics.send_reading_again(
        ctx.session, ctx.me, topic_id, now=ctx.now, rules=study_rules(ctx)
    )
    ctx.say(study_texts.READING_ON_ITS_WAY.format(title=topic.title))


def picked_id(ctx: Ctx, answer: Answer, prefix: str, relist: Callable[[int], None]) -> int | None:
    """The id picked from a paged list of `<prefix><id>` keys. A page key shows that page and
    a key that is not one of ours ends the flow as a stale button: both return None."""
    key = answer.option or ""
    number = page_key(key)
    if number is not None:
        relist(number)
        return None
    item_id = as_id(key[len(prefix) :]) if key.startswith(prefix) else None
    if item_id is None:
        ctx.finish()
        ctx.say(texts.STALE_BUTTON)
    return item_id


class PastFlow(Flow):
    """`/hoctap_truoc`: the topics of earlier months, newest first, paged; one opens."""

    name = "study_past"

    def begin(self, ctx: Ctx, args: str) -> None:
        self._list(ctx, 0)

    def _list(self, ctx: Ctx, number: int) -> None:
        month = study_rules(ctx).month(ctx.now)
        found = topics.past_topics(ctx.session, ctx.me, month, study_rules(ctx))
        if not found:
            ctx.finish()
            ctx.say(study_texts.NO_PAST)
            return
        items = [
            (f"t{t.id}", study_texts.PAST_ITEM.format(month=month_label(t.month), title=t.title))
            for t in found
        ]
        ctx.ask(self.name, "pick", study_texts.PAST_HEAD, page(items, number), data={})

    def step_pick(self, ctx: Ctx, answer: Answer) -> None:
        topic_id = picked_id(ctx, answer, "t", lambda n: self._list(ctx, n))
        if topic_id is None:
            return
        topic = topics.readable_topic(ctx.session, ctx.me, topic_id)
        names = topics.unit_names(ctx.session, [topic])
        button = topics.reading_button(topic)
        ctx.menu(topics.topic_text(topic, names.get(topic.unit_id, "")), [button] if button else [])


PAST = PastFlow()


class PledgeFlow(Flow):
    """`/lamtheo`: the pledge of this year. Written one commitment at a time (words typed at
    the "more?" menu are the next commitment), sent for approval; rewritten while waiting or
    returned; once approved, final, and reviewed at mid-year and year-end, one commitment at
    a time (a rating, then a line of evidence)."""

    name = "study_pledge"

    def begin(self, ctx: Ctx, args: str) -> None:
        rules = study_rules(ctx)
        year = rules.year(ctx.now)
        pledge = pledges.my_pledge(ctx.session, ctx.me, year)
        if pledge is None:
            ctx.say(study_texts.PLEDGE_INTRO.format(year=year, limit=rules.commitments_max))
            self._ask_item(ctx, [])
            return
        listing = self._listing(pledge.commitments)
        status = study_texts.PLEDGE_STATUS.get(pledge.status, pledge.status)
        head = study_texts.PLEDGE_MINE.format(year=year, status=status, items=listing)
        if pledge.status == RETURNED and pledge.return_note:
            head += "\n" + study_texts.PLEDGE_NOTE.format(note=pledge.return_note)
        if pledge.status != APPROVED:
            options = [("edit", study_texts.BTN_REWRITE), ("keep", study_texts.BTN_KEEP)]
            ctx.ask(self.name, "existing", head, options, data={})
            return
        period = rules.review_period(ctx.now)
        review = pledges.review_of(ctx.session, pledge, period) if period else None
        if period is None or (review is not None and review.confirmed_at is not None):
            ctx.finish()
            ctx.say(head)
            return
        label = pledges.PERIOD_LABELS[period]
        if review is not None:
            head += "\n" + study_texts.REVIEW_SENT_WAITING.format(period=label)
        options = [
            ("review", study_texts.BTN_REVIEW.format(period=label)),
            ("keep", study_texts.BTN_CLOSE),
        ]
        ctx.ask(self.name, "approved", head, options, data={})

    @staticmethod
    def _listing(items: list[str]) -> str:
        return "\n".join(f"{n}. {item}" for n, item in enumerate(items, start=1))

    def step_existing(self, ctx: Ctx, answer: Answer) -> None:
        if answer.option == "edit":
            ctx.say(study_texts.PLEDGE_REWRITE.format(limit=study_rules(ctx).commitments_max))
            self._ask_item(ctx, [])
        else:
            ctx.finish()
            ctx.say(study_texts.PLEDGE_KEPT)

    def _ask_item(self, ctx: Ctx, items: list[str]) -> None:
        question = study_texts.ASK_COMMITMENT.format(
            n=len(items) + 1, limit=study_rules(ctx).commitment_max_chars
        )
        ctx.ask(self.name, "item", question, data={"items": items})

    def _items(self, ctx: Ctx) -> list[str]:
        return [str(i) for i in ctx.data.get("items") or []]

    def step_item(self, ctx: Ctx, answer: Answer) -> None:
        rules = study_rules(ctx)
        items = self._items(ctx)
        if len(items) >= rules.commitments_max:
            self.step_extra(ctx, answer)
            return
        value = attempt(ctx, lambda: pledges.clean_commitment(answer.text or "", rules))
        if value is None:
            self._ask_item(ctx, items) if not items else self._ask_more(ctx, items)
            return
        self._ask_more(ctx, [*items, value])

    def _ask_more(self, ctx: Ctx, items: list[str]) -> None:
        rules = study_rules(ctx)
        text = study_texts.PLEDGE_SO_FAR.format(items=self._listing(items))
        if len(items) >= rules.commitments_max:
            options = [("send", study_texts.BTN_SEND), ("restart", study_texts.BTN_RESTART)]
            text += "\n" + study_texts.PLEDGE_FULL.format(limit=rules.commitments_max)
            ctx.ask(self.name, "more", text, options, data={"items": items}, typed_step="extra")
            return
        options = [
            ("add", study_texts.BTN_ADD),
            ("send", study_texts.BTN_SEND),
            ("restart", study_texts.BTN_RESTART),
        ]
        text += "\n" + study_texts.PLEDGE_MORE
        ctx.ask(self.name, "more", text, options, data={"items": items}, typed_step="item")

    def step_extra(self, ctx: Ctx, answer: Answer) -> None:
        """A sixth commitment typed: refused, nothing kept of it."""
        ctx.say(study_texts.COMMITMENTS_TOO_MANY.format(limit=study_rules(ctx).commitments_max))
        self._ask_more(ctx, self._items(ctx))

    def step_more(self, ctx: Ctx, answer: Answer) -> None:
        items = self._items(ctx)
        if answer.option == "add":
            self._ask_item(ctx, items)
        elif answer.option == "restart":
            self._ask_item(ctx, [])
        else:
            rules = study_rules(ctx)
            done = attempt(
                ctx,
                lambda: pledges.submit_pledge(ctx.session, ctx.me, items, now=ctx.now, rules=rules),
            )
            if done is None:
                self._ask_more(ctx, items)
                return
            ctx.finish()
            ctx.say(study_texts.PLEDGE_SENT.format(year=done.year))

    # -- the self-review ---------------------------------------------------------------------

    def step_approved(self, ctx: Ctx, answer: Answer) -> None:
        if answer.option != "review":
            ctx.finish()
            ctx.say(study_texts.PLEDGE_KEPT)
            return
        found = attempt(
            ctx,
            lambda: pledges.reviewable_pledge(
                ctx.session, ctx.me, now=ctx.now, rules=study_rules(ctx)
            ),
        )
        if found is None:
            ctx.finish()
            return
        self._ask_rating(ctx, [str(c) for c in found[0].commitments], [])

    def _ask_rating(self, ctx: Ctx, items: list[str], ratings: list[list[str]]) -> None:
        n = len(ratings)
        options = [(key, label) for key, label in RATING_LABELS.items()]
        text = study_texts.ASK_RATING.format(n=n + 1, total=len(items), item=items[n])
        ctx.ask(self.name, "rate", text, options, data={"items": items, "ratings": ratings})

    def _review_data(self, ctx: Ctx) -> tuple[list[str], list[list[str]]]:
        items = [str(i) for i in ctx.data.get("items") or []]
        ratings = [[str(x) for x in r] for r in ctx.data.get("ratings") or []]
        return items, ratings

    def step_rate(self, ctx: Ctx, answer: Answer) -> None:
        ctx.update_data(rating=answer.option)
        ctx.ask(
            self.name,
            "evidence",
            study_texts.ASK_EVIDENCE.format(limit=study_rules(ctx).evidence_max_chars),
        )

    def step_evidence(self, ctx: Ctx, answer: Answer) -> None:
        items, ratings = self._review_data(ctx)
        rating = str(ctx.data.get("rating") or "")
        evidence = attempt(ctx, lambda: pledges.clean_evidence(answer.text or "", study_rules(ctx)))
        if evidence is None:
            return  # the step stays open for another line
        ratings = [*ratings, [rating, evidence]]
        if len(ratings) < len(items):
            self._ask_rating(ctx, items, ratings)
            return
        lines = [
            study_texts.REVIEW_ITEM.format(
                n=n, item=item, rating=RATING_LABELS.get(r[0], r[0]), evidence=r[1]
            )
            for n, (item, r) in enumerate(zip(items, ratings, strict=True), start=1)
        ]
        text = study_texts.REVIEW_PREVIEW.format(items="\n".join(lines))
        options = [("send", study_texts.BTN_SEND), ("restart", study_texts.BTN_RESTART)]
        ctx.ask(
            self.name, "review_confirm", text, options, data={"items": items, "ratings": ratings}
        )

    def step_review_confirm(self, ctx: Ctx, answer: Answer) -> None:
        items, ratings = self._review_data(ctx)
        if answer.option == "restart":
            self._ask_rating(ctx, items, [])
            return
        pairs = [(r[0], r[1]) for r in ratings]
        done = attempt(
            ctx,
            lambda: pledges.submit_review(
                ctx.session, ctx.me, pairs, now=ctx.now, rules=study_rules(ctx)
            ),
        )
        ctx.finish()
        if done is not None:
            ctx.say(study_texts.REVIEW_SENT.format(period=pledges.PERIOD_LABELS[done.period]))


PLEDGE = PledgeFlow()


def document_action(ctx: Ctx, args: list[str]) -> None:
    """`st_doc:{assignment}`: the resolution's document again, to this member."""
    assignment_id = as_id(args[0]) if len(args) == 1 else None
    if assignment_id is None:
        ctx.say(texts.STALE_BUTTON)
        return
    found = quizzes.send_document_again(
        ctx.session, ctx.me, assignment_id, now=ctx.now, rules=study_rules(ctx)
    )
    ctx.say(study_texts.READING_ON_ITS_WAY.format(title=found.title))


class QuizFlow(Flow):
    """`/hoctap_nghiquyet`: the resolutions to study; one opens with its key points; the
    self-check, one question at a time; the result with the right answers (once)."""

    name = "study_quiz"

    def begin(self, ctx: Ctx, args: str) -> None:
        self._list(ctx, 0)

    def _list(self, ctx: Ctx, number: int) -> None:
        found = quizzes.for_member(ctx.session, ctx.me, ctx.now, study_rules(ctx))
        if not found:
            ctx.finish()
            ctx.say(study_texts.ASSIGNMENTS_NONE)
            return
        items = []
        for a in found:
            done = a.id is not None and quizzes.result_of(ctx.session, ctx.me, a.id) is not None
            label = study_texts.ASSIGNMENT_ITEM.format(
                mark="✅" if done else "📘", title=a.title, date=f"{a.due_on:%d/%m}"
            )
            items.append((f"a{a.id}", label))
        ctx.ask(self.name, "pick", study_texts.ASSIGNMENTS_HEAD, page(items, number), data={})

    def step_pick(self, ctx: Ctx, answer: Answer) -> None:
        assignment_id = picked_id(ctx, answer, "a", lambda n: self._list(ctx, n))
        if assignment_id is None:
            return
        assignment = quizzes.readable_assignment(ctx.session, ctx.me, assignment_id)
        unit_name = topics.unit_names_of(ctx.session, [assignment.unit_id]).get(
            assignment.unit_id, ""
        )
        text = quizzes.assignment_text(assignment, unit_name)
        result = quizzes.result_of(ctx.session, ctx.me, assignment_id)
        if result is not None:
            button = quizzes.document_button(assignment)
            ctx.menu(
                text + "\n\n" + quizzes.result_text(assignment, result), [button] if button else []
            )
            return
        options = [("start", study_texts.BTN_QUIZ_START)]
        if assignment.document_ref:
            options.append(("doc", study_texts.BTN_DOCUMENT))
        options.append(("later", study_texts.BTN_LATER))
        ctx.ask(self.name, "open", text, options, data={"assignment": assignment_id})

    def _assignment_id(self, ctx: Ctx) -> int | None:
        value = ctx.data.get("assignment")
        return value if isinstance(value, int) else None

    def step_open(self, ctx: Ctx, answer: Answer) -> None:
        assignment_id = self._assignment_id(ctx)
        if assignment_id is None or answer.option == "later":
            ctx.finish()
            ctx.say(study_texts.QUIZ_LATER)
            return
        if answer.option == "doc":
            quizzes.send_document_again(
                ctx.session, ctx.me, assignment_id, now=ctx.now, rules=study_rules(ctx)
            )
            ctx.finish()
            ctx.say(study_texts.DOCUMENT_ON_ITS_WAY)
            return
        self._ask(ctx, assignment_id, [])

    def _ask(self, ctx: Ctx, assignment_id: int, answers: list[int]) -> None:
        assignment = quizzes.readable_assignment(ctx.session, ctx.me, assignment_id)
        question = assignment.questions[len(answers)]
        options = [
            (f"o{i}", f"{quizzes.LETTERS[i]}. {text}") for i, text in enumerate(question["options"])
        ]
        text = study_texts.QUIZ_QUESTION.format(
            n=len(answers) + 1, total=len(assignment.questions), q=question["q"]
        )
        data = {"assignment": assignment_id, "answers": answers}
        ctx.ask(self.name, "answer", text, options, data=data)

    def step_answer(self, ctx: Ctx, answer: Answer) -> None:
        assignment_id = self._assignment_id(ctx)
        key = answer.option or ""
        if assignment_id is None or not (key.startswith("o") and key[1:].isdigit()):
            ctx.finish()
            ctx.say(texts.STALE_BUTTON)
            return
        answers = [int(a) for a in ctx.data.get("answers") or []] + [int(key[1:])]
        assignment = quizzes.readable_assignment(ctx.session, ctx.me, assignment_id)
        if len(answers) < len(assignment.questions):
            self._ask(ctx, assignment_id, answers)
            return
        result = attempt(
            ctx,
            lambda: quizzes.submit_quiz(ctx.session, ctx.me, assignment_id, answers, now=ctx.now),
        )
        ctx.finish()
        if result is not None:
            ctx.say(quizzes.result_text(assignment, result))


QUIZ = QuizFlow()


class RoleModelsFlow(Flow):
    """`/guongdienhinh`: the local role models addressed to the member's cell and the units
    above it, newest first; one opens (its photo comes through the outbox)."""

    name = "study_role_models"

    def begin(self, ctx: Ctx, args: str) -> None:
        self._list(ctx, 0)

    def _list(self, ctx: Ctx, number: int) -> None:
        found = role_models.for_member(ctx.session, ctx.me, study_rules(ctx))
        if not found:
            ctx.finish()
            ctx.say(study_texts.ROLE_MODELS_NONE)
            return
        items = [(f"g{m.id}", m.title[:60]) for m in found]
        ctx.ask(self.name, "pick", study_texts.ROLE_MODELS_HEAD, page(items, number), data={})

    def step_pick(self, ctx: Ctx, answer: Answer) -> None:
        model_id = picked_id(ctx, answer, "g", lambda n: self._list(ctx, n))
        if model_id is None:
            return
        model = role_models.readable_role_model(ctx.session, ctx.me, model_id)
        unit_name = topics.unit_names_of(ctx.session, [model.unit_id]).get(model.unit_id, "")
        ctx.finish()
        text = role_models.role_model_text(model, unit_name)
        if model.photo_ref:
            role_models.send_photo(ctx.session, ctx.me, model, now=ctx.now, rules=study_rules(ctx))
            text += "\n" + study_texts.ROLE_MODEL_PHOTO_SENT
        ctx.say(text)


ROLE_MODELS = RoleModelsFlow()


def register(registry: Registry) -> None:
    registry.command(
        Command("hoctap", study_texts.CMD_STUDY, Audience.MEMBER, study_view, topic=Topic.STUDY)
    )
    registry.command(
        Command("hoctap_truoc", study_texts.CMD_PAST, Audience.MEMBER, PAST.begin, in_menu=False)
    )
    registry.command(
        Command("lamtheo", study_texts.CMD_PLEDGE, Audience.MEMBER, PLEDGE.begin, topic=Topic.STUDY)
    )
    registry.command(
        Command(
            "hoctap_nghiquyet",
            study_texts.CMD_ASSIGNMENTS,
            Audience.MEMBER,
            QUIZ.begin,
            in_menu=False,
        )
    )
    registry.command(
        Command(
            "guongdienhinh",
            study_texts.CMD_ROLE_MODELS,
            Audience.MEMBER,
            ROLE_MODELS.begin,
            in_menu=False,
        )
    )
    registry.flow(PAST)
    registry.flow(PLEDGE)
    registry.flow(QUIZ)
    registry.flow(ROLE_MODELS)
    registry.action(Action(READING, reading_action))
    registry.action(Action(DOCUMENT, document_action))
