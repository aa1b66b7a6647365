"""Questions and answers in the chat: `/hoidap` (browse by topic, or ask in words and get the
best three answers with their sources; relay one's own question to the secretary),
`/hoidap_cuatoi` (my questions and their status), the secretary's "Trả lời" button (answer,
then publish the pair), and `/hoidap_duyet` (committees and admins approve entries).

The rules, refusals and queries are in `services/faq`; this module asks and shows. A pressed
"Trả lời" is untrusted: `relay.for_answer` checks the question's cell against the actor's.
"""

from __future__ import annotations

from handlers.context import Answer, Ctx, Flow
from handlers.flowkit import as_id, attempt, page, page_key
from handlers.registry import Action, Audience, Command, Registry, Topic
from services import texts
from services.errors import UserError
from services.faq import approval, relay
from services.faq import texts as faq_texts
from services.faq.catalog import Catalog, Entry, for_cell, unreviewed, words
from services.faq.rules import ANSWER, DEFAULT_FAQ_RULES
from services.textnorm import shorten_text
from services.vndate import format_vn_date

_LABEL_CHARS = 90
_BRIEF_QUESTION = 120  # characters of a runner-up's question in the answer's message
_BRIEF_ANSWER = 160  # and of its answer: the opening, read in full by its button
_BRIEF_SOURCE = 100
# The answer and its runners-up in one message: under Telegram's 4,096 with the question that
# follows, and about a phone screen when the answers are the curated ones (600 at most);
# beyond it (a long published answer) the runners-up are left to their buttons.
_MESSAGE_CHARS = 3500


def entry_text(entry: Entry) -> str:
    """An entry as a member reads it: question, answer, source, and the warning until
    approved."""
    text = faq_texts.ENTRY.format(question=entry.question, answer=entry.answer, source=entry.source)
    return text if entry.reviewed else f"{text}\n{faq_texts.UNREVIEWED}"


def brief_text(entry: Entry) -> str:
    """A runner-up in the answer's message: its question and the opening of its answer; its
    button shows it whole."""
    source = shorten_text(entry.source, _BRIEF_SOURCE)
    if not entry.reviewed:
        source += faq_texts.BRIEF_UNREVIEWED
    return faq_texts.BRIEF.format(
        question=shorten_text(entry.question, _BRIEF_QUESTION),
        answer=shorten_text(entry.answer, _BRIEF_ANSWER),
        source=source,
    )


def found_text(entries: list[Entry]) -> str:
    """The best answer in full, then the others in brief, then the question that follows:
    one message (the chat gets one message a second; five at once were refused), which the
    channel splits only when a long published answer makes it longer than it allows."""
    best, *others = entries
    parts = [faq_texts.FOUND, entry_text(best)]
    if others:
        briefs = [faq_texts.ALSO_FOUND, *(brief_text(e) for e in others)]
        if sum(len(p) + 2 for p in [*parts, *briefs]) <= _MESSAGE_CHARS:
            parts += briefs
    return "\n\n".join([*parts, faq_texts.AFTER_ANSWER])


def _catalog(ctx: Ctx) -> Catalog:
    return for_cell(ctx.session, ctx.me.cell_id)


def show_mine(ctx: Ctx, args: str = "") -> None:
    """`/hoidap_cuatoi`: the member's own questions, answered or waiting."""
    questions = relay.mine(ctx.session, ctx.me)
    if not questions:
        ctx.say(faq_texts.MINE_EMPTY)
        return
    lines = [faq_texts.MINE_HEAD]
    tz = ctx.config.tz
    for n, q in enumerate(questions, start=1):
        question = shorten_text(q.text, 200)
        if q.status == relay.ANSWERED and q.answered_at is not None:
            lines.append(
                faq_texts.MINE_ANSWERED.format(
                    n=n,
                    question=question,
                    date=format_vn_date(q.answered_at.astimezone(tz).date()),
                    answer=shorten_text(q.answer or "", 400),
                )
            )
        else:
            day = format_vn_date(q.asked_at.astimezone(tz).date())
            lines.append(faq_texts.MINE_OPEN.format(n=n, question=question, date=day))
    ctx.say("\n".join(lines))


class FaqFlow(Flow):
    """`/hoidap [words]`: words are answered at once; otherwise topics, then a topic's
    questions (paged), then the answer. Words typed at any of its menus are a new question."""

    name = "faq"

    def begin(self, ctx: Ctx, args: str) -> None:
        if args.strip():
            self._search(ctx, args)
        else:
            self._topics(ctx)

    def _topics(self, ctx: Ctx) -> None:
        topics = _catalog(ctx).topics()
        options = [(f"t{i}", label) for i, label in enumerate(topics)]
        options += [("mine", faq_texts.BTN_MINE), ("ask", faq_texts.BTN_ASK)]
        ctx.ask(self.name, "topic", faq_texts.TOPICS, options, data={}, typed_step="typed")

    def step_topic(self, ctx: Ctx, answer: Answer) -> None:
        key = answer.option or ""
        if key == "mine":
            ctx.finish()
            show_mine(ctx)
        elif key == "ask":
            self._ask_question(ctx)
        elif key.startswith("t") and key[1:].isdigit():
            self._questions(ctx, int(key[1:]), 0)
        else:
            self._topics(ctx)

    def _questions(self, ctx: Ctx, topic_index: int, number: int) -> None:
        catalog = _catalog(ctx)
        topics = catalog.topics()
        if topic_index >= len(topics):
            self._topics(ctx)
            return
        topic = topics[topic_index]
        entries = catalog.in_topic(topic)
        items = [(f"e.{e.key}", shorten_text(e.question, _LABEL_CHARS)) for e in entries]
        options = [*page(items, number), ("topics", faq_texts.BTN_TOPICS)]
        ctx.update_data(topic=topic_index)
        ctx.ask(
            self.name,
            "question",
            faq_texts.TOPIC_QUESTIONS.format(topic=topic, count=len(entries)),
            options,
            typed_step="typed",
        )

    def step_question(self, ctx: Ctx, answer: Answer) -> None:
        key = answer.option or ""
        topic = ctx.data.get("topic")
        number = page_key(key)
        if number is not None and isinstance(topic, int):
            self._questions(ctx, topic, number)
            return
        if key.startswith("e."):
            self._entry(ctx, key[2:])
            return
        self._topics(ctx)

    def _entry(self, ctx: Ctx, key: str) -> None:
        """One entry, read whole, with the question that follows in the same message."""
        entry = _catalog(ctx).get(key)
        if entry is None:
            ctx.say(faq_texts.ENTRY_GONE)
            self._topics(ctx)
            return
        self._after(ctx, f"{entry_text(entry)}\n\n{faq_texts.AFTER_ANSWER}")

    def step_typed(self, ctx: Ctx, answer: Answer) -> None:
        self._search(ctx, answer.text or "")

    def _search(self, ctx: Ctx, text: str) -> None:
        if not words(text):
            ctx.say(faq_texts.TOO_SHORT_QUERY)
            self._topics(ctx)
            return
        matches = _catalog(ctx).best(text, DEFAULT_FAQ_RULES.results)
        if not matches:
            self._after(ctx, faq_texts.NOT_FOUND, query=text)
            return
        entries = [match.entry for match in matches]
        self._after(ctx, found_text(entries), more=entries[1:])

    def _after(
        self, ctx: Ctx, text: str, query: str | None = None, more: list[Entry] | None = None
    ) -> None:
        """The question after an answer; `more` are the runners-up, each a button that shows
        it whole."""
        options = [
            (f"e.{e.key}", faq_texts.BTN_READ.format(question=shorten_text(e.question, 60)))
            for e in more or []
        ]
        if query is not None:
            options.append(("send", faq_texts.BTN_SEND_THIS))
        options += [("ask", faq_texts.BTN_ASK), ("topics", faq_texts.BTN_TOPICS)]
        options.append(("done", faq_texts.BTN_DONE))
        limit = DEFAULT_FAQ_RULES.question_max_chars
        ctx.update_data(query=query[:limit] if query is not None else None)
        ctx.ask(self.name, "after", text, options, typed_step="typed")

    def step_after(self, ctx: Ctx, answer: Answer) -> None:
        key = answer.option or ""
        query = ctx.data.get("query")
        if key == "send" and isinstance(query, str):
            self._send(ctx, query)
        elif key.startswith("e."):
            self._entry(ctx, key[2:])
        elif key == "ask":
            self._ask_question(ctx)
        elif key == "topics":
            self._topics(ctx)
        else:
            ctx.finish()
            ctx.say(faq_texts.BYE)

    def _ask_question(self, ctx: Ctx) -> None:
        ctx.ask(self.name, "own", faq_texts.ASK_QUESTION)

    def step_own(self, ctx: Ctx, answer: Answer) -> None:
        self._send(ctx, answer.text or "")

    def _send(self, ctx: Ctx, text: str) -> None:
        try:
            asked = relay.ask(ctx.session, ctx.me, text, now=ctx.now)
        except UserError as refused:
            ctx.say(refused.message)
            if refused.message == faq_texts.NO_LEADER:
                ctx.finish()
            else:
                self._ask_question(ctx)  # too short or too long: write it again
            return
        ctx.finish()
        reach = asked.reach
        sent = reach.queued or reach.already
        ctx.say(faq_texts.QUESTION_SENT if sent else faq_texts.QUESTION_SENT_NOBODY)


FAQ = FaqFlow()


class AnswerFlow(Flow):
    """The secretary's "Trả lời": the answer, typed; then publish the pair or not."""

    name = "faq_answer"

    def begin(self, ctx: Ctx, args: str) -> None:
        question_id = as_id(args)
        if question_id is None:
            ctx.say(texts.STALE_BUTTON)
            return
        # A refusal (not theirs, gone, answered already) propagates: nothing is written.
        question = relay.for_answer(ctx.session, ctx.me, question_id, tz=ctx.config.tz)
        name = relay.asker_name(ctx.session, question)
        ctx.ask(
            self.name,
            "reply",
            faq_texts.ASK_REPLY.format(name=name, question=question.text),
            data={"question": question_id},
        )

    def reload(self, ctx: Ctx) -> bool:
        question_id = ctx.data.get("question")
        if not isinstance(question_id, int):
            ctx.finish()
            ctx.say(texts.SESSION_EXPIRED)
            return False
        try:
            if ctx.state.step == "reply":
                ctx.subject = relay.for_answer(ctx.session, ctx.me, question_id, tz=ctx.config.tz)
            else:
                ctx.subject = relay.answered(ctx.session, ctx.me, question_id)
        except UserError as refused:  # answered by the other leader meanwhile, or gone
            ctx.finish()
            ctx.say(refused.message)
            return False
        return True

    def step_reply(self, ctx: Ctx, answer: Answer) -> None:
        question_id = ctx.data["question"]
        done = attempt(
            ctx,
            lambda: relay.answer(
                ctx.session, ctx.me, question_id, answer.text or "", now=ctx.now, tz=ctx.config.tz
            ),
        )
        if done is None:
            return  # the refusal was said; the step stays open for another answer
        ctx.say(faq_texts.REPLY_SENT.format(name=relay.asker_name(ctx.session, done)))
        units = relay.publish_targets(ctx.session, ctx.me, done)
        options = [
            (
                f"u{u.id}",
                faq_texts.BTN_PUBLISH_CELL
                if u.id == done.cell_id
                else faq_texts.BTN_PUBLISH_UNIT.format(unit=shorten_text(u.name, 60)),
            )
            for u in units
        ]
        if not options:
            ctx.finish()
            return
        options.append(("no", faq_texts.BTN_NO_PUBLISH))
        ctx.ask(self.name, "publish", faq_texts.ASK_PUBLISH, options)

    def step_publish(self, ctx: Ctx, answer: Answer) -> None:
        key = answer.option or ""
        unit_id = as_id(key[1:]) if key.startswith("u") else None
        if unit_id is None:
            ctx.finish()
            ctx.say(faq_texts.NOT_PUBLISHED)
            return
        question_id = ctx.data["question"]
        entry = attempt(
            ctx,
            lambda: relay.publish(
                ctx.session,
                ctx.me,
                question_id,
                unit_id,
                now=ctx.now,
                topic=faq_texts.PUBLISHED_TOPIC,
                tz=ctx.config.tz,
            ),
        )
        ctx.finish()
        if entry is not None:
            unit = next(
                (
                    u.name
                    for u in relay.publish_targets(ctx.session, ctx.me, ctx.subject)
                    if u.id == unit_id
                ),
                "",
            )
            ctx.say(faq_texts.PUBLISHED.format(unit=unit))


ANSWER_FLOW = AnswerFlow()


def answer_button(ctx: Ctx, args: list[str]) -> None:
    ANSWER_FLOW.begin(ctx, args[0] if args else "")


class ReviewFlow(Flow):
    """`/hoidap_duyet`: the entries waiting for approval, one by one: Duyệt / Bỏ qua / Dừng."""

    name = "faq_review"

    def begin(self, ctx: Ctx, args: str) -> None:
        if not approval.may_review(ctx.me):
            ctx.say(faq_texts.REVIEW_FORBIDDEN)
            return
        ctx.state.data = {}
        if not unreviewed(ctx.session):
            ctx.say(faq_texts.REVIEW_EMPTY)
            return
        self._next(ctx, skipped=[])

    def _next(self, ctx: Ctx, skipped: list[str]) -> None:
        waiting = unreviewed(ctx.session)
        pending = [e for e in waiting if e.key not in skipped]
        if not pending:
            ctx.finish()
            ctx.say(faq_texts.REVIEW_DONE)
            return
        entry = pending[0]
        index = len(waiting) - len(pending) + 1
        text = faq_texts.REVIEW_ENTRY.format(
            index=index,
            total=len(waiting),
            topic=entry.topic,
            key=entry.key,
            entry=entry_text(entry),
        )
        options = [
            ("ok", faq_texts.BTN_APPROVE),
            ("skip", faq_texts.BTN_SKIP),
            ("stop", faq_texts.BTN_STOP),
        ]
        data = {"skipped": skipped, "key": entry.key, "digest": entry.digest}
        ctx.ask(self.name, "decide", text, options, data=data)

    def step_decide(self, ctx: Ctx, answer: Answer) -> None:
        skipped = [str(k) for k in ctx.data.get("skipped") or []]
        key = str(ctx.data.get("key") or "")
        seen = str(ctx.data.get("digest") or "")
        if answer.option == "stop":
            ctx.finish()
            ctx.say(faq_texts.REVIEW_STOPPED)
            return
        if answer.option == "ok":
            done = attempt(
                ctx, lambda: approval.approve(ctx.session, ctx.me, key, seen, now=ctx.now)
            )
            if done is not None:
                ctx.say(faq_texts.APPROVED.format(key=key))
        else:
            skipped.append(key)
        self._next(ctx, skipped)


REVIEW = ReviewFlow()


def register(registry: Registry) -> None:
    registry.command(
        Command("hoidap", faq_texts.CMD_FAQ, Audience.MEMBER, FAQ.begin, topic=Topic.LOOKUP)
    )
    registry.command(
        Command("hoidap_cuatoi", faq_texts.CMD_MINE, Audience.MEMBER, show_mine, in_menu=False)
    )
    registry.command(
        Command("hoidap_duyet", faq_texts.CMD_REVIEW, Audience.COMMITTEE, REVIEW.begin)
    )
    registry.flow(FAQ)
    registry.flow(ANSWER_FLOW)
    registry.flow(REVIEW)
    registry.action(Action(ANSWER, answer_button))
