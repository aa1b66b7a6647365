"""Studying a resolution (học tập nghị quyết): a committee assigns a resolution or document
to its subtree, to study by a date, with its key points and up to ten multiple-choice
self-check questions; each member reads it, answers in the chat once, and sees their result
with the right answers; the committee sees, per cell, who has studied it.

A question is typed as one message: the question, its options on lines "A. …" to "D. …",
and a line "Đáp án: B". Results are kept per member (`study_quiz_results`) for the
assessment.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from models import Member, StudyAssignment, StudyQuizResult, Unit
from services import audit, outbox, texts
from services.auth import Actor, Permission, allows, authorize
from services.errors import UserError
from services.org import subtree_units
from services.outbox import Reach
from services.study import access
from services.study import texts as study_texts
from services.study.rules import DEFAULT_STUDY_RULES, DOCUMENT, StudyRules
from services.study.topics import LINK, Reading, clean_title, parse_link, send_copy
from services.textnorm import fold, nfc

ASSIGNMENT_KIND = "study_assignment"  # outbox kinds
DOCUMENT_KIND = "study_document"
LETTERS = "ABCD"
_OPTION = re.compile(r"^\s*([A-Da-d])\s*[.):]\s*(.+)$")
_ANSWER = re.compile(r"^\s*dap an\s*[:=.-]?\s*([a-d])\s*\.?\s*$")


@dataclass(frozen=True)
class AssignmentDraft:
    title: str
    key_points: str
    due_on: date
    questions: tuple[dict[str, Any], ...]
    document: Reading | None = None


def parse_question(text: str, rules: StudyRules = DEFAULT_STUDY_RULES) -> dict[str, Any]:
    """One self-check question from its message: the question, 2 to 4 options "A." to "D."
    in order, and "Đáp án: X" naming one of them."""
    stem: list[str] = []
    options: list[str] = []
    answer: int | None = None
    for raw in nfc(text).splitlines():
        line = raw.strip()
        if not line:
            continue
        option = _OPTION.match(line)
        found = _ANSWER.match(fold(line))
        if found is not None:
            answer = LETTERS.index(found.group(1).upper())
        elif option is not None and (options or stem):
            if LETTERS.index(option.group(1).upper()) != len(options):
                raise UserError(study_texts.QUIZ_OPTIONS_ORDER)
            options.append(option.group(2).strip())
        elif options:
            raise UserError(study_texts.QUIZ_SHAPE)
        else:
            stem.append(line)
    question = " ".join(stem)
    if not question or len(options) < 2 or answer is None:
        raise UserError(study_texts.QUIZ_SHAPE)
    if len(question) > rules.quiz_question_max_chars:
        raise UserError(
            study_texts.TOO_LONG.format(length=len(question), limit=rules.quiz_question_max_chars)
        )
    if len(options) > rules.quiz_options_max:
        raise UserError(study_texts.QUIZ_SHAPE)
    for option_text in options:
        if len(option_text) > rules.quiz_option_max_chars:
            raise UserError(
                study_texts.TOO_LONG.format(
                    length=len(option_text), limit=rules.quiz_option_max_chars
                )
            )
    if answer >= len(options):
        raise UserError(study_texts.QUIZ_ANSWER_MISSING)
    return {"q": question, "options": options, "answer": answer}


def clean_key_points(text: str, rules: StudyRules = DEFAULT_STUDY_RULES) -> str:
    value = nfc(text)
    if len(value) < 3:
        raise UserError(study_texts.BODY_TOO_SHORT)
    if len(value) > rules.key_points_max_chars:
        raise UserError(
            study_texts.TOO_LONG.format(length=len(value), limit=rules.key_points_max_chars)
        )
    return value


def check_due(due_on: date, now: datetime, rules: StudyRules = DEFAULT_STUDY_RULES) -> date:
    if due_on < rules.local_day(now):
        raise UserError(study_texts.DUE_PAST)
    return due_on


def assign_targets(session: Session, actor: Actor) -> list[Unit]:
    """The units whose committee the actor sits on: where they may assign a resolution."""
    units = [session.get(Unit, u) for u in sorted(actor.committee_unit_ids)]
    return [u for u in units if u is not None]


@dataclass(frozen=True)
class Assigned:
    assignment: StudyAssignment
    reach: Reach


def create_assignment(
    session: Session,
    actor: Actor,
    unit_id: int,
    draft: AssignmentDraft,
    *,
    now: datetime,
    rules: StudyRules = DEFAULT_STUDY_RULES,
) -> Assigned:
    """Record the assignment and send it to the members of the unit's subtree. A committee
    only, over a unit of its subtree; every text and question checked before writing."""
    unit = access.load_unit(session, unit_id)
    authorize(actor, Permission.OVERSEE, unit)
    title = clean_title(draft.title, rules)
    key_points = clean_key_points(draft.key_points, rules)
    check_due(draft.due_on, now, rules)
    if not draft.questions:
        raise UserError(study_texts.QUIZ_NONE)
    if len(draft.questions) > rules.quiz_max_questions:
        raise UserError(study_texts.QUIZ_TOO_MANY.format(limit=rules.quiz_max_questions))
    questions = [_recheck(q, rules) for q in draft.questions]
    if draft.document is not None and draft.document.kind == LINK:
        parse_link(draft.document.ref, rules)
    assignment = StudyAssignment(
        unit_id=unit_id,
        title=title,
        key_points=key_points,
        document_ref=draft.document.ref if draft.document else None,
        document_kind=draft.document.kind if draft.document else None,
        document_name=draft.document.name[:200] if draft.document else None,
        due_on=draft.due_on,
        questions=questions,
        created_by_member_id=actor.member_id,
        created_at=now,
    )
    session.add(assignment)
    session.flush()
    assert assignment.id is not None and unit.id is not None
    cells = [u.id for u in subtree_units(session, [unit.id]) if u.id is not None]
    members = session.exec(select(Member.id).where(col(Member.cell_id).in_(cells)))
    text = study_texts.ASSIGNMENT_NEW.format(
        title=title, unit=unit.name, date=f"{draft.due_on:%d/%m/%Y}"
    )
    payload = (
        outbox.message(text, file_ref=assignment.document_ref, file_kind=assignment.document_kind)
        if assignment.document_ref and assignment.document_kind != LINK
        else outbox.message(text)
    )
    result = outbox.enqueue(
        session,
        kind=ASSIGNMENT_KIND,
        ref_id=assignment.id,
        member_ids=[m for m in members if m is not None and m != actor.member_id],
        payload=payload,
        dedupe_key=f"study_assignment:{assignment.id}",
        now=now,
    )
    audit.record(
        session,
        "study.assignment_created",
        "study_assignment",
        assignment.id,
        actor_member_id=actor.member_id,
        detail={"unit": unit_id, "questions": len(questions)},
        at=now,
    )
    return Assigned(assignment, result.reach)


def _recheck(question: dict[str, Any], rules: StudyRules) -> dict[str, Any]:
    """A question kept in the flow's state comes back through JSON: checked again."""
    options = [str(o) for o in question.get("options") or []]
    answer = question.get("answer")
    if not isinstance(answer, int) or not 2 <= len(options) <= rules.quiz_options_max:
        raise UserError(study_texts.QUIZ_SHAPE)
    lines = [str(question.get("q") or "")]
    lines += [f"{LETTERS[i]}. {o}" for i, o in enumerate(options)]
    lines.append(f"Đáp án: {LETTERS[answer] if 0 <= answer < len(LETTERS) else '?'}")
    return parse_question("\n".join(lines), rules)


def for_member(
    session: Session, actor: Actor, now: datetime, rules: StudyRules = DEFAULT_STUDY_RULES
) -> list[StudyAssignment]:
    """Assignments addressed to the actor's cell or the units above it, still open or due in
    the last `assignments_shown_after_due_days`, the soonest due first."""
    ids = access.chain(session, actor.cell_id)
    if not ids:
        return []
    since = rules.local_day(now) - timedelta(days=rules.assignments_shown_after_due_days)
    return list(
        session.exec(
            select(StudyAssignment)
            .where(col(StudyAssignment.unit_id).in_(ids))
            .where(col(StudyAssignment.due_on) >= since)
            .order_by(col(StudyAssignment.due_on), col(StudyAssignment.id))
        )
    )


def readable_assignment(session: Session, actor: Actor, assignment_id: int) -> StudyAssignment:
    assignment = session.get(StudyAssignment, assignment_id)
    if assignment is None:
        raise UserError(texts.STALE_BUTTON)
    if not access.may_read_unit(session, actor, access.load_unit(session, assignment.unit_id)):
        raise UserError(study_texts.NOT_FOR_YOU)
    return assignment


def result_of(session: Session, actor: Actor, assignment_id: int) -> StudyQuizResult | None:
    return session.exec(
        select(StudyQuizResult)
        .where(StudyQuizResult.assignment_id == assignment_id)
        .where(StudyQuizResult.member_id == actor.member_id)
    ).first()


def submit_quiz(
    session: Session, actor: Actor, assignment_id: int, answers: Sequence[int], *, now: datetime
) -> StudyQuizResult:
    """Record the member's answers once and score them. Refused (nothing written): not for
    them, taken already, or answers that do not fit the questions (a forged state)."""
    assignment = readable_assignment(session, actor, assignment_id)
    if result_of(session, actor, assignment_id) is not None:
        raise UserError(study_texts.QUIZ_DONE_ALREADY)
    questions = assignment.questions
    if len(answers) != len(questions):
        raise UserError(texts.STALE_BUTTON)
    for answer, question in zip(answers, questions, strict=True):
        if not isinstance(answer, int) or not 0 <= answer < len(question["options"]):
            raise UserError(texts.STALE_BUTTON)
    score = sum(
        1
        for answer, question in zip(answers, questions, strict=True)
        if answer == question["answer"]
    )
    result = StudyQuizResult(
        assignment_id=assignment_id,
        member_id=actor.member_id,
        cell_id=actor.cell_id,
        answers=list(answers),
        score=score,
        total=len(questions),
        completed_at=now,
    )
    session.add(result)
    session.flush()
    return result


def result_text(assignment: StudyAssignment, result: StudyQuizResult) -> str:
    """The member's score and, for each question, their answer and the right one."""
    lines = [study_texts.QUIZ_RESULT.format(score=result.score, total=result.total)]
    for n, (question, answer) in enumerate(
        zip(assignment.questions, result.answers, strict=False), start=1
    ):
        right = int(question["answer"])
        options = question["options"]
        mark = "✅" if answer == right else "❌"
        line = study_texts.QUIZ_RESULT_LINE.format(
            mark=mark, n=n, q=question["q"], right=f"{LETTERS[right]}. {options[right]}"
        )
        if answer != right and isinstance(answer, int) and 0 <= answer < len(options):
            line += "\n" + study_texts.QUIZ_YOUR_ANSWER.format(
                answer=f"{LETTERS[answer]}. {options[answer]}"
            )
        lines.append(line)
    return "\n".join(lines)


def assignment_text(assignment: StudyAssignment, unit_name: str) -> str:
    text = study_texts.ASSIGNMENT.format(
        title=assignment.title,
        unit=unit_name,
        date=f"{assignment.due_on:%d/%m/%Y}",
        points=assignment.key_points,
        count=len(assignment.questions),
    )
    if assignment.document_kind == LINK and assignment.document_ref:
        text += "\n" + study_texts.TOPIC_LINK.format(link=assignment.document_ref)
    elif assignment.document_ref:
        text += "\n" + study_texts.TOPIC_FILE.format(name=assignment.document_name or "")
    return text


def document_button(assignment: StudyAssignment) -> tuple[str, str] | None:
    if not assignment.document_ref or assignment.id is None:
        return None
    return DOCUMENT(assignment.id), study_texts.BTN_READING.format(title=assignment.title[:40])


def send_document_again(
    session: Session,
    actor: Actor,
    assignment_id: int,
    *,
    now: datetime,
    rules: StudyRules = DEFAULT_STUDY_RULES,
) -> StudyAssignment:
    """The resolution's document again, to this member alone, one copy a minute at most."""
    assignment = readable_assignment(session, actor, assignment_id)
    if not assignment.document_ref or assignment.id is None:
        raise UserError(study_texts.NO_READING)
    send_copy(
        session,
        actor,
        kind=DOCUMENT_KIND,
        ref_id=assignment.id,
        text=study_texts.READING_AGAIN.format(title=assignment.title),
        file=(assignment.document_ref, assignment.document_kind or "document"),
        now=now,
        rules=rules,
    )
    return assignment


@dataclass(frozen=True)
class Completion:
    """One assignment's completion in the cells the actor sees: cell id → (studied, members)."""

    assignment: StudyAssignment
    cells: dict[int, tuple[int, int]]


def completion(
    session: Session,
    actor: Actor,
    cells: Sequence[Unit],
    now: datetime,
    rules: StudyRules = DEFAULT_STUDY_RULES,
) -> list[Completion]:
    """For each recent assignment addressed to (or above) any of `cells`, the cells it
    reaches among them with the members who took the self-check of those asked to."""
    cell_ids = [c.id for c in cells if c.id is not None]
    if not cell_ids:
        return []
    chains = {c: access.chain(session, c) for c in cell_ids}
    units = sorted({u for chain in chains.values() for u in chain})
    since = rules.local_day(now) - timedelta(days=rules.assignments_shown_after_due_days)
    assignments = session.exec(
        select(StudyAssignment)
        .where(col(StudyAssignment.unit_id).in_(units))
        .where(col(StudyAssignment.due_on) >= since)
        .order_by(col(StudyAssignment.due_on), col(StudyAssignment.id))
    ).all()
    members = access.counted_members(session, cell_ids)
    asked: dict[int, int] = {}
    for member in members:
        asked[member.cell_id] = asked.get(member.cell_id, 0) + 1
    found: list[Completion] = []
    for assignment in assignments:
        reached = [c for c in cell_ids if assignment.unit_id in chains[c]]
        done: dict[int, int] = {}
        for cell_id in session.exec(
            select(StudyQuizResult.cell_id)
            .join(Member, col(Member.id) == col(StudyQuizResult.member_id))
            .where(StudyQuizResult.assignment_id == assignment.id)
            .where(col(StudyQuizResult.cell_id).in_(reached))
            .where(Member.status != "mien")
        ):
            done[cell_id] = done.get(cell_id, 0) + 1
        found.append(
            Completion(assignment, {c: (done.get(c, 0), asked.get(c, 0)) for c in reached})
        )
    return found


def may_assign(actor: Actor, unit: Unit) -> bool:
    return allows(actor, Permission.OVERSEE, unit)
