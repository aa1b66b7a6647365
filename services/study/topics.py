"""The month's study topic (chuyên đề học tập, Chỉ thị 05-CT/TW): posted by a committee to a
unit of its subtree or by a cell's leaders to their cell, one per unit and month (a second
post replaces the first), sent to the members it is for, and read in `/hoctap`.

A regular meeting's agenda names one topic (`agenda_topic`): the cell's own when the secretary
chose it for the agenda, otherwise the nearest committee's above the cell, otherwise the
cell's own. Members see every topic addressed to their cell and the units above it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, tzinfo

from sqlmodel import Session, col, select

from models import Member, StudyTopic, Unit
from services import audit, outbox, texts
from services.auth import Actor
from services.errors import UserError
from services.offers import SearchItem
from services.org import is_cell, subtree_units
from services.outbox import Reach
from services.study import access
from services.study import texts as study_texts
from services.study.rules import (
    DEFAULT_STUDY_RULES,
    READING,
    StudyRules,
    month_key,
    month_label,
    next_month_key,
)
from services.textnorm import nfc

TOPIC_KIND = "study_topic"  # outbox kinds
READING_KIND = "study_reading"
LINK = "link"  # study_topics.reading_kind for a link
_LINK = re.compile(r"^https?://\S+$", re.IGNORECASE)
_NUMBERING = re.compile(r"^\s*(?:\d{1,2}\s*[.):\-]|[-•*+])\s*")


@dataclass(frozen=True)
class Reading:
    """A topic's reading: a platform file (`kind` photo or document) or a link."""

    ref: str
    kind: str
    name: str


@dataclass(frozen=True)
class TopicDraft:
    title: str
    body: str
    questions: tuple[str, ...]
    reading: Reading | None = None


def clean_title(text: str, rules: StudyRules = DEFAULT_STUDY_RULES) -> str:
    value = " ".join(nfc(text).split())
    if len(value) < 3:
        raise UserError(study_texts.TITLE_TOO_SHORT)
    if len(value) > rules.title_max_chars:
        raise UserError(study_texts.TOO_LONG.format(length=len(value), limit=rules.title_max_chars))
    return value


def clean_body(text: str, rules: StudyRules = DEFAULT_STUDY_RULES) -> str:
    value = nfc(text)
    if len(value) < 3:
        raise UserError(study_texts.BODY_TOO_SHORT)
    if len(value) > rules.body_max_chars:
        raise UserError(study_texts.TOO_LONG.format(length=len(value), limit=rules.body_max_chars))
    return value


def parse_link(text: str, rules: StudyRules = DEFAULT_STUDY_RULES) -> Reading:
    """A link typed as the reading: http(s) only, one piece, not too long."""
    value = nfc(text)
    if not _LINK.match(value):
        raise UserError(study_texts.READING_NOT_LINK)
    if len(value) > rules.link_max_chars:
        raise UserError(study_texts.TOO_LONG.format(length=len(value), limit=rules.link_max_chars))
    return Reading(ref=value, kind=LINK, name=value)


def parse_questions(text: str, rules: StudyRules = DEFAULT_STUDY_RULES) -> tuple[str, ...]:
    """The discussion questions, one a line ("1." or "-" before each is dropped): 1 to
    `questions_max`, each at most `question_max_chars`."""
    lines = [_NUMBERING.sub("", line).strip() for line in nfc(text).splitlines()]
    questions = tuple(line for line in lines if line)
    if not questions:
        raise UserError(study_texts.QUESTIONS_NONE)
    if len(questions) > rules.questions_max:
        raise UserError(
            study_texts.QUESTIONS_TOO_MANY.format(count=len(questions), limit=rules.questions_max)
        )
    for n, question in enumerate(questions, start=1):
        if len(question) > rules.question_max_chars:
            raise UserError(
                study_texts.QUESTION_TOO_LONG.format(
                    n=n, length=len(question), limit=rules.question_max_chars
                )
            )
    return questions


def existing(session: Session, unit_id: int, month: str) -> StudyTopic | None:
    return session.exec(
        select(StudyTopic).where(StudyTopic.unit_id == unit_id).where(StudyTopic.month == month)
    ).first()


def allowed_months(now: datetime, rules: StudyRules = DEFAULT_STUDY_RULES) -> tuple[str, str]:
    """This month and the next: a topic is posted for the coming meeting."""
    day = rules.local_day(now)
    return month_key(day), next_month_key(day)


@dataclass(frozen=True)
class Posted:
    topic: StudyTopic
    replaced: bool
    reach: Reach


def post_topic(
    session: Session,
    actor: Actor,
    unit_id: int,
    month: str,
    draft: TopicDraft,
    *,
    for_agenda: bool = False,
    now: datetime,
    rules: StudyRules = DEFAULT_STUDY_RULES,
) -> Posted:
    """Write the unit's topic for `month` (replacing the one posted before) and send it to
    the members of the unit's subtree. Everything is checked before anything is written:
    the actor's right over the unit, the month (this one or the next), the texts."""
    unit = access.load_unit(session, unit_id)
    access.require_post(actor, unit)
    if month not in allowed_months(now, rules):
        raise UserError(study_texts.MONTH_NOT_ALLOWED)
    title = clean_title(draft.title, rules)
    body = clean_body(draft.body, rules)
    questions = parse_questions("\n".join(draft.questions), rules)
    if draft.reading is not None and draft.reading.kind == LINK:
        parse_link(draft.reading.ref, rules)
    topic = session.exec(
        select(StudyTopic)
        .where(StudyTopic.unit_id == unit_id)
        .where(StudyTopic.month == month)
        .with_for_update()
    ).first()
    replaced = topic is not None
    if topic is None:
        topic = StudyTopic(unit_id=unit_id, month=month, title=title, body=body, created_at=now)
    topic.title = title
    topic.body = body
    topic.questions = list(questions)
    topic.reading_ref = draft.reading.ref if draft.reading else None
    topic.reading_kind = draft.reading.kind if draft.reading else None
    topic.reading_name = draft.reading.name[:200] if draft.reading else None
    topic.for_agenda = bool(for_agenda) and is_cell(unit)
    topic.posted_by_member_id = actor.member_id
    topic.updated_at = now
    session.add(topic)
    session.flush()
    assert topic.id is not None
    members = _audience(session, unit)
    result = outbox.enqueue(
        session,
        kind=TOPIC_KIND,
        ref_id=topic.id,
        member_ids=[m for m in members if m != actor.member_id],
        payload=topic_notice(topic, unit.name),
        dedupe_key=f"study_topic:{topic.id}:{now:%Y%m%d%H%M%S}",
        now=now,
    )
    audit.record(
        session,
        "study.topic_posted",
        "study_topic",
        topic.id,
        actor_member_id=actor.member_id,
        detail={"unit": unit_id, "month": month, "replaced": replaced},
        at=now,
    )
    return Posted(topic, replaced, result.reach)


def _audience(session: Session, unit: Unit) -> list[int]:
    assert unit.id is not None
    cells = [u.id for u in subtree_units(session, [unit.id]) if u.id is not None]
    rows = session.exec(select(Member.id).where(col(Member.cell_id).in_(cells)))
    return [m for m in rows if m is not None]


def topic_text(topic: StudyTopic, unit_name: str) -> str:
    """A topic as members read it: title, who posted it for which month, text, questions."""
    questions = "\n".join(f"{n}. {q}" for n, q in enumerate(topic.questions, start=1))
    text = study_texts.TOPIC.format(
        month=month_label(topic.month),
        unit=unit_name,
        title=topic.title,
        body=topic.body,
        questions=questions,
    )
    if topic.reading_kind == LINK and topic.reading_ref:
        text += "\n" + study_texts.TOPIC_LINK.format(link=topic.reading_ref)
    elif topic.reading_ref:
        text += "\n" + study_texts.TOPIC_FILE.format(name=topic.reading_name or "")
    return text


def topic_notice(topic: StudyTopic, unit_name: str) -> outbox.Notice:
    """The message members receive: the topic, its file if any, and "send again" later."""
    text = study_texts.TOPIC_NEW + "\n" + topic_text(topic, unit_name)
    if topic.reading_ref and topic.reading_kind != LINK:
        return outbox.message(text, file_ref=topic.reading_ref, file_kind=topic.reading_kind)
    return outbox.message(text)


def unit_names(session: Session, topics: list[StudyTopic]) -> dict[int, str]:
    return unit_names_of(session, [t.unit_id for t in topics])


def unit_names_of(session: Session, unit_ids: list[int]) -> dict[int, str]:
    """id → name of the units, in one query."""
    if not unit_ids:
        return {}
    units = session.exec(select(Unit).where(col(Unit.id).in_(sorted(set(unit_ids)))))
    return {u.id: u.name for u in units if u.id is not None}


def month_topics(session: Session, actor: Actor, month: str) -> list[StudyTopic]:
    """The topics of `month` for the actor's cell: the highest unit's first, the cell's last."""
    ids = access.chain(session, actor.cell_id)
    if not ids:
        return []
    found = session.exec(
        select(StudyTopic).where(col(StudyTopic.unit_id).in_(ids)).where(StudyTopic.month == month)
    ).all()
    return sorted(found, key=lambda t: ids.index(t.unit_id))


def past_topics(
    session: Session, actor: Actor, month: str, rules: StudyRules = DEFAULT_STUDY_RULES
) -> list[StudyTopic]:
    """Topics of the months before `month` for the actor's cell, newest first."""
    ids = access.chain(session, actor.cell_id)
    if not ids:
        return []
    return list(
        session.exec(
            select(StudyTopic)
            .where(col(StudyTopic.unit_id).in_(ids))
            .where(col(StudyTopic.month) < month)
            .order_by(col(StudyTopic.month).desc(), col(StudyTopic.id).desc())
            .limit(rules.past_topics_shown)
        )
    )


def readable_topic(session: Session, actor: Actor, topic_id: int) -> StudyTopic:
    """A topic the actor may read; a forged or old id is refused as a stale button."""
    topic = session.get(StudyTopic, topic_id)
    if topic is None:
        raise UserError(texts.STALE_BUTTON)
    if not access.may_read_unit(session, actor, access.load_unit(session, topic.unit_id)):
        raise UserError(study_texts.NOT_FOR_YOU)
    return topic


def send_copy(
    session: Session,
    actor: Actor,
    *,
    kind: str,
    ref_id: int,
    text: str,
    file: tuple[str, str],
    now: datetime,
    rules: StudyRules = DEFAULT_STUDY_RULES,
) -> None:
    """A file (or a link, kind `LINK`) again through the outbox, to this member alone, so
    each channel sends it its own way; one copy per `reading_again_every` however often the
    button is pressed (the dedupe key carries the window)."""
    ref, file_kind = file
    if file_kind == LINK:
        payload = outbox.message(f"{text}\n{ref}")
    else:
        payload = outbox.message(text, file_ref=ref, file_kind=file_kind)
    stamp = int(now.timestamp() // max(rules.reading_again_every.total_seconds(), 1))
    outbox.enqueue(
        session,
        kind=kind,
        ref_id=ref_id,
        member_ids=[actor.member_id],
        payload=payload,
        dedupe_key=f"{kind}:{ref_id}:{stamp}",
        now=now,
    )


def send_reading_again(
    session: Session,
    actor: Actor,
    topic_id: int,
    *,
    now: datetime,
    rules: StudyRules = DEFAULT_STUDY_RULES,
) -> StudyTopic:
    """The reading comes again through the outbox, to this member alone (so each channel
    sends the file its own way); at most one copy a minute however often it is pressed."""
    topic = readable_topic(session, actor, topic_id)
    if not topic.reading_ref or topic.id is None:
        raise UserError(study_texts.NO_READING)
    notice = study_texts.READING_AGAIN.format(title=topic.title)
    send_copy(
        session,
        actor,
        kind=READING_KIND,
        ref_id=topic.id,
        text=notice,
        file=(topic.reading_ref, topic.reading_kind or "document"),
        now=now,
        rules=rules,
    )
    return topic


def reading_button(topic: StudyTopic) -> tuple[str, str] | None:
    if not topic.reading_ref or topic.id is None:
        return None
    return READING(topic.id), study_texts.BTN_READING.format(title=topic.title[:40])


def agenda_topic(session: Session, cell_id: int, month: str) -> StudyTopic | None:
    """The topic a cell's regular meeting of `month` studies: the cell's own if the secretary
    chose it for the agenda, else the nearest committee's above, else the cell's own."""
    ids = access.chain(session, cell_id)
    if not ids:
        return None
    found = {
        t.unit_id: t
        for t in session.exec(
            select(StudyTopic)
            .where(col(StudyTopic.unit_id).in_(ids))
            .where(StudyTopic.month == month)
        )
    }
    own = found.get(cell_id)
    if own is not None and own.for_agenda:
        return own
    for unit_id in reversed(ids[:-1]):
        if unit_id in found:
            return found[unit_id]
    return own


def agenda_lines(
    session: Session, cell_id: int, starts_at: datetime, tz: tzinfo = DEFAULT_STUDY_RULES.tz
) -> list[str]:
    """The line a regular meeting's agenda gets (`services.offers.AGENDA_ITEMS`)."""
    topic = agenda_topic(session, cell_id, month_key(starts_at.astimezone(tz).date()))
    return [study_texts.AGENDA_LINE.format(title=topic.title)] if topic is not None else []


def search_items(session: Session, since: datetime | None) -> Iterator[SearchItem]:
    """Topics posted or replaced after `since`, readable by their unit's subtree."""
    query = select(StudyTopic, Unit).join(Unit, col(Unit.id) == col(StudyTopic.unit_id))
    if since is not None:
        query = query.where(col(StudyTopic.updated_at) > since)
    for topic, unit in session.exec(query.order_by(col(StudyTopic.id))):
        assert topic.id is not None and unit.id is not None
        cell = is_cell(unit)
        yield SearchItem(
            kind=TOPIC_KIND,
            ref_id=topic.id,
            title=f"{topic.title} ({month_label(topic.month)})",
            body="\n".join([topic.body, *topic.questions]),
            at=topic.updated_at,
            cell_ids=(unit.id,) if cell else (),
            unit_ids=() if cell else (unit.id,),
            opens="/hoctap",
        )
