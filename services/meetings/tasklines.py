"""Several tasks typed at once, one per line: "Lê Văn Cường – Báo cáo tổng kết năm – 31/12".

Why: choosing the owner from a paged list, then typing the title, then the deadline, took a
secretary four or five messages a task. A line per task is one message for all of them, and
the names are the ones said in the meeting. A line names its owner by full name or by the end
of it ("Cường", "Văn Cường") as long as only one member of the cell fits; every line is checked
before anything is saved, and the tasks are saved all together or not at all.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from models import Member, Task
from services.auth import Actor
from services.errors import UserError
from services.meetings import texts as meeting_texts
from services.meetings.planning import DEFAULT_RULES, CellMonthRules
from services.meetings.resolutions import assign_task
from services.org import vn_name_key
from services.textnorm import fold_words
from services.vndate import parse_vn_date_result

MAX_LINES = 20
MAX_TITLE = 500
# "A – B – C", "A - B - C", "A; B; C" or "A | B | C": a dash needs spaces around it, so a
# hyphenated word or a date like 31-12 stays whole.
_SPLIT = re.compile(r"\s+[-–—]\s+|\s*[;|]\s*")


@dataclass(frozen=True)
class TaskLine:
    """One line read: who, what, by when."""

    owner_id: int
    owner_name: str
    title: str
    due_on: date


@dataclass(frozen=True)
class Parsed:
    """Every line read, or what is wrong with each line that could not be."""

    lines: list[TaskLine]
    errors: list[str]


def _owner(name: str, members: Sequence[Member]) -> tuple[Member | None, str | None]:
    """The one member `name` means, or why none could be chosen."""
    wanted = fold_words(name)
    if not wanted:
        return None, meeting_texts.TASKLINE_NO_NAME
    exact = [m for m in members if fold_words(m.full_name) == wanted]
    fits = exact or [m for m in members if fold_words(m.full_name).endswith(" " + wanted)]
    if len(fits) == 1:
        return fits[0], None
    if not fits:
        return None, meeting_texts.TASKLINE_NO_MEMBER.format(name=name)
    names = ", ".join(sorted((m.full_name for m in fits), key=vn_name_key))
    return None, meeting_texts.TASKLINE_AMBIGUOUS.format(name=name, names=names)


def parse_task_lines(text: str, members: Sequence[Member], now_local: datetime) -> Parsed:
    """Read `text` line by line against the cell's `members`; blank lines are skipped."""
    rows = [line.strip() for line in text.splitlines() if line.strip()]
    if not rows:
        return Parsed([], [meeting_texts.TASKLINE_EMPTY])
    if len(rows) > MAX_LINES:
        return Parsed([], [meeting_texts.TASKLINE_TOO_MANY.format(maximum=MAX_LINES)])
    lines: list[TaskLine] = []
    errors: list[str] = []
    for number, row in enumerate(rows, start=1):
        parts = [p.strip() for p in _SPLIT.split(row)]
        if len(parts) != 3 or not all(parts):
            errors.append(
                meeting_texts.TASKLINE_ERROR.format(n=number, why=meeting_texts.TASKLINE_FORMAT)
            )
            continue
        name, title, due_text = parts
        owner, why = _owner(name, members)
        if owner is None or owner.id is None:
            errors.append(meeting_texts.TASKLINE_ERROR.format(n=number, why=why))
            continue
        if len(title) > MAX_TITLE:
            why = meeting_texts.MTG_TEXT_TOO_LONG.format(length=len(title), maximum=MAX_TITLE)
            errors.append(meeting_texts.TASKLINE_ERROR.format(n=number, why=why))
            continue
        due = parse_vn_date_result(due_text, now_local)
        if not due.ok or due.day is None:
            errors.append(meeting_texts.TASKLINE_ERROR.format(n=number, why=due.message))
            continue
        lines.append(TaskLine(owner.id, owner.full_name, title, due.day))
    return Parsed(lines if not errors else [], errors)


def assign_tasks(
    session: Session,
    actor: Actor,
    meeting_id: int,
    lines: Sequence[TaskLine],
    *,
    now: datetime,
    rules: CellMonthRules = DEFAULT_RULES,
) -> list[Task]:
    """Assign every line's task, or none: a refusal of one line (a deadline in the past)
    undoes the others, with the line's number in the message."""
    tasks: list[Task] = []
    with session.begin_nested():
        for number, line in enumerate(lines, start=1):
            try:
                tasks.append(
                    assign_task(
                        session,
                        actor,
                        meeting_id,
                        owner_member_id=line.owner_id,
                        title=line.title,
                        due_on=line.due_on,
                        now=now,
                        rules=rules,
                    )
                )
            except UserError as error:
                raise UserError(
                    meeting_texts.TASKLINE_ERROR.format(n=number, why=error.message)
                ) from error
    return tasks
