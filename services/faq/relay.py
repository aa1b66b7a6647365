"""A member's own question, relayed to their cell's secretary and answered back.

The question is a row (`faq_questions`) and a message to the cell's leaders through the
outbox, with a "Trả lời" button (`rules.ANSWER`); the answer is written on the row and sent
to the member the same way, so both exist exactly when the row changes. Only a leader
(secretary or deputy) of the cell the member was in when asking may answer: the button is
untrusted input and is checked again here. An answered pair may be published to the cell's
FAQ, or by a committee member to a unit above the cell, where `catalog.for_cell` finds it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from sqlmodel import Session, col, select

from models import FaqEntry, FaqQuestion, Member, Role, RoleAssignment, Unit
from services import audit, outbox
from services.auth import Actor
from services.errors import Forbidden, UserError
from services.faq import texts as faq_texts
from services.faq.catalog import PUBLISHED, unit_chain
from services.faq.rules import ANSWER, DEFAULT_FAQ_RULES, FaqRules
from services.outbox import Reach
from services.textnorm import nfc
from services.vndate import DEFAULT_TZ, format_vn_date

OPEN = "open"
ANSWERED = "answered"
QUESTION_KIND = "faq_question"  # outbox kinds
ANSWER_KIND = "faq_answer"
REMINDER_KIND = "faq_reminder"


def cell_leaders(session: Session, cell_id: int) -> list[int]:
    """Who answers a cell's questions: its secretaries, or its deputies when it has none
    (the scheduler's rule for a cell's chores, `scheduler.common.cell_leaders`)."""
    roles = session.exec(
        select(RoleAssignment)
        .where(RoleAssignment.unit_id == cell_id)
        .where(col(RoleAssignment.role).in_([Role.SECRETARY.value, Role.DEPUTY.value]))
    ).all()
    secretaries = sorted({r.member_id for r in roles if r.role == Role.SECRETARY})
    return secretaries or sorted({r.member_id for r in roles})


def _name(session: Session, member_id: int | None) -> str:
    member = session.get(Member, member_id) if member_id is not None else None
    return member.full_name if member is not None else ""


def leader_notice(session: Session, question: FaqQuestion, text: str) -> outbox.Notice:
    """The leader's message about a question, with its "Trả lời" button."""
    assert question.id is not None
    return outbox.message(text, options=[(ANSWER(question.id), faq_texts.BTN_ANSWER)])


@dataclass(frozen=True)
class Asked:
    question: FaqQuestion
    reach: Reach


def ask(
    session: Session,
    actor: Actor,
    text: str,
    *,
    now: datetime,
    rules: FaqRules = DEFAULT_FAQ_RULES,
) -> Asked:
    """Record the member's question and send it to the cell's leaders (the member excluded:
    a secretary's own question goes to the deputies). Refused before anything is written
    when the text is too short or long, or the cell has nobody to answer."""
    body = nfc(text)
    if len(body) < rules.question_min_chars:
        raise UserError(faq_texts.QUESTION_TOO_SHORT)
    if len(body) > rules.question_max_chars:
        raise UserError(
            faq_texts.QUESTION_TOO_LONG.format(length=len(body), limit=rules.question_max_chars)
        )
    leaders = [m for m in cell_leaders(session, actor.cell_id) if m != actor.member_id]
    if not leaders:
        deputies = session.exec(
            select(RoleAssignment.member_id)
            .where(RoleAssignment.unit_id == actor.cell_id)
            .where(RoleAssignment.role == Role.DEPUTY)
        ).all()
        leaders = [m for m in deputies if m != actor.member_id]
    if not leaders:
        raise UserError(faq_texts.NO_LEADER)
    question = FaqQuestion(
        member_id=actor.member_id, cell_id=actor.cell_id, text=body, asked_at=now
    )
    session.add(question)
    session.flush()
    assert question.id is not None
    result = outbox.enqueue(
        session,
        kind=QUESTION_KIND,
        ref_id=question.id,
        member_ids=leaders,
        payload=leader_notice(
            session, question, faq_texts.TO_LEADER.format(name=actor.full_name, question=body)
        ),
        dedupe_key=f"faq_question:{question.id}",
        now=now,
    )
    audit.record(
        session, "faq.asked", "faq_question", question.id, actor_member_id=actor.member_id, at=now
    )
    return Asked(question, result.reach)


def _load(session: Session, question_id: int, *, lock: bool = False) -> FaqQuestion:
    query = select(FaqQuestion).where(FaqQuestion.id == question_id)
    question = session.exec(query.with_for_update() if lock else query).first()
    if question is None:
        raise UserError(faq_texts.QUESTION_GONE)
    return question


def _answered_already(session: Session, question: FaqQuestion, tz: tzinfo) -> UserError:
    assert question.answered_at is not None
    day = format_vn_date(question.answered_at.astimezone(tz).date())
    name = _name(session, question.answered_by_member_id)
    return UserError(faq_texts.ALREADY_ANSWERED.format(date=day, name=name))


def may_answer(actor: Actor, question: FaqQuestion) -> bool:
    """A leader (secretary or deputy) of the cell the member asked from."""
    return question.cell_id in actor.managed_cell_ids


def for_answer(
    session: Session, actor: Actor, question_id: int, *, tz: tzinfo = DEFAULT_TZ
) -> FaqQuestion:
    """The question the actor is about to answer: refused when it is gone, not theirs to
    answer (`Forbidden`: a forged or forwarded button), or answered already."""
    question = _load(session, question_id)
    if not may_answer(actor, question):
        raise Forbidden(faq_texts.NOT_YOUR_CELL)
    if question.status != OPEN:
        raise _answered_already(session, question, tz)
    return question


def answer(
    session: Session,
    actor: Actor,
    question_id: int,
    text: str,
    *,
    now: datetime,
    rules: FaqRules = DEFAULT_FAQ_RULES,
    tz: tzinfo = DEFAULT_TZ,
) -> FaqQuestion:
    """Write the answer and send it to the member. The row is locked, so two leaders
    answering at once give one answer and one "answered already"."""
    body = nfc(text)
    if len(body) < 2:
        raise UserError(faq_texts.REPLY_TOO_SHORT)
    if len(body) > rules.reply_max_chars:
        raise UserError(
            faq_texts.REPLY_TOO_LONG.format(length=len(body), limit=rules.reply_max_chars)
        )
    question = _load(session, question_id, lock=True)
    if not may_answer(actor, question):
        raise Forbidden(faq_texts.NOT_YOUR_CELL)
    if question.status != OPEN:
        raise _answered_already(session, question, tz)
    question.status = ANSWERED
    question.answer = body
    question.answered_at = now
    question.answered_by_member_id = actor.member_id
    session.add(question)
    assert question.id is not None
    outbox.enqueue(
        session,
        kind=ANSWER_KIND,
        ref_id=question.id,
        member_ids=[question.member_id],
        payload=outbox.message(
            faq_texts.TO_MEMBER.format(question=question.text, answer=body, name=actor.full_name)
        ),
        dedupe_key=f"faq_answer:{question.id}",
        now=now,
    )
    audit.record(
        session,
        "faq.answered",
        "faq_question",
        question.id,
        actor_member_id=actor.member_id,
        at=now,
    )
    return question


def publish_targets(session: Session, actor: Actor, question: FaqQuestion) -> list[Unit]:
    """Where the actor may publish an answered question: its cell (a leader of it), and the
    units above it whose committee the actor sits on (the nearest first); an admin anywhere
    on the way up."""
    chain = unit_chain(session, question.cell_id)  # root … cell
    allowed: list[int] = []
    if may_answer(actor, question) or actor.is_admin:
        allowed.append(question.cell_id)
    for unit_id in reversed(chain[:-1]):
        if actor.is_admin or unit_id in actor.committee_unit_ids:
            allowed.append(unit_id)
    units = [session.get(Unit, u) for u in allowed]
    return [u for u in units if u is not None]


def publish(
    session: Session,
    actor: Actor,
    question_id: int,
    unit_id: int,
    *,
    now: datetime,
    topic: str,
    tz: tzinfo = DEFAULT_TZ,
) -> FaqEntry:
    """Publish the answered pair for the members of `unit_id`'s subtree; once per question."""
    question = _load(session, question_id, lock=True)
    if question.status != ANSWERED or question.answer is None:
        raise UserError(faq_texts.NOT_ANSWERED_YET)
    unit = next((u for u in publish_targets(session, actor, question) if u.id == unit_id), None)
    if unit is None:
        raise Forbidden(faq_texts.NOT_YOUR_UNIT)
    key = f"hd-{question.id}"
    if session.exec(select(FaqEntry).where(FaqEntry.key == key)).first() is not None:
        raise UserError(faq_texts.ALREADY_PUBLISHED)
    assert question.answered_at is not None
    source = faq_texts.PUBLISHED_SOURCE.format(
        name=_name(session, question.answered_by_member_id),
        unit=unit.name,
        date=format_vn_date(question.answered_at.astimezone(tz).date()),
    )
    entry = FaqEntry(
        key=key,
        origin=PUBLISHED,
        unit_id=unit.id,
        topic=topic,
        question=question.text,
        answer=question.answer,
        source=source[:300],
        question_id=question.id,
        created_at=now,
        created_by_member_id=actor.member_id,
        updated_at=now,
    )
    session.add(entry)
    session.flush()
    audit.record(
        session,
        "faq.published",
        "faq_entry",
        entry.id,
        actor_member_id=actor.member_id,
        detail={"question": question.id, "unit": unit.id},
        at=now,
    )
    return entry


def answered(session: Session, actor: Actor, question_id: int) -> FaqQuestion:
    """An answered question the actor may publish (the publish step's reload)."""
    question = _load(session, question_id)
    if not publish_targets(session, actor, question):
        raise Forbidden(faq_texts.NOT_YOUR_CELL)
    if question.status != ANSWERED:
        raise UserError(faq_texts.NOT_ANSWERED_YET)
    return question


def mine(session: Session, actor: Actor, rules: FaqRules = DEFAULT_FAQ_RULES) -> list[FaqQuestion]:
    """The member's own questions, newest first."""
    return list(
        session.exec(
            select(FaqQuestion)
            .where(FaqQuestion.member_id == actor.member_id)
            .order_by(col(FaqQuestion.asked_at).desc(), col(FaqQuestion.id).desc())
            .limit(rules.mine_shown)
        )
    )


def asker_name(session: Session, question: FaqQuestion) -> str:
    return _name(session, question.member_id)
