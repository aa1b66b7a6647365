"""The supervision texts built from records: the task table, the ranking, the programme.
Plain text, short lines for a phone; the channels split long messages."""

from __future__ import annotations

from datetime import date, tzinfo

from models import SupervisionItem
from services.supervision import texts as sv_texts
from services.supervision.programme import is_overdue
from services.supervision.reports import progress_label
from services.supervision.rules import (
    DEFAULT_RULES,
    STATUS_LABELS,
    SupervisionRules,
    suggest_results_points,
)
from services.supervision.table import CellRank, Row, Table
from services.textnorm import shorten_text
from services.vndate import format_vn_date


def row_lines(n: int, row: Row, tz: tzinfo) -> list[str]:
    lines = [
        sv_texts.TABLE_ROW.format(
            n=n,
            title=shorten_text(row.task.title, 120),
            owner=row.owner,
            due=format_vn_date(row.task.due_on),
            status=STATUS_LABELS[row.status],
        )
    ]
    report = row.last_report
    if report is None:
        lines.append(sv_texts.TABLE_NO_REPORT)
    else:
        note = f" — {shorten_text(report.note, 120)}" if report.note else ""
        lines.append(
            sv_texts.TABLE_LAST_REPORT.format(
                date=format_vn_date(report.reported_at.astimezone(tz).date()),
                progress=progress_label(report),
                note=note,
            )
        )
    return lines


def table_text(table: Table, *, overdue_only: bool, rules: SupervisionRules = DEFAULT_RULES) -> str:
    head = sv_texts.TABLE_HEAD_OVERDUE if overdue_only else sv_texts.TABLE_HEAD
    lines = [head.format(cell=table.cell.name)]
    c = table.counts
    lines.append(
        sv_texts.TABLE_SUMMARY.format(total=c.total, done=c.done, overdue=c.failing, open=c.open)
    )
    if c.total:
        points = suggest_results_points(c.on_time, c.late, c.total, rules)
        lines.append(sv_texts.TABLE_SCORE.format(points=points, max=rules.results_points))
    if not table.groups:
        lines.append(sv_texts.TABLE_EMPTY_OVERDUE if overdue_only else sv_texts.TABLE_EMPTY)
        return "\n".join(lines)
    n = 0
    for group in table.groups:
        if group.meeting is None:
            lines.append(sv_texts.TABLE_GROUP_OTHER)
        else:
            day = group.meeting.starts_at.astimezone(rules.tz).date()
            lines.append(sv_texts.TABLE_GROUP.format(date=format_vn_date(day)))
        for row in group.rows:
            n += 1
            lines += row_lines(n, row, rules.tz)
    return "\n".join(lines)


def ranking_text(ranks: list[CellRank]) -> str:
    if not ranks:
        return sv_texts.RANKING_EMPTY
    lines = [sv_texts.RANKING_HEAD]
    for n, rank in enumerate(ranks, 1):
        lines.append(
            sv_texts.RANKING_ROW.format(
                n=n, cell=rank.cell.name, overdue=rank.overdue, open=rank.open
            )
        )
    return "\n".join(lines)


def programme_text(cell_name: str, year: int, items: list[SupervisionItem], today: date) -> str:
    lines = [sv_texts.PROG_HEAD.format(year=year, cell=cell_name)]
    if not items:
        lines.append(sv_texts.PROG_EMPTY.format(year=year))
        return "\n".join(lines)
    for n, item in enumerate(items, 1):
        if item.conclusion is not None:
            state = sv_texts.PROG_STATE_DONE
        elif is_overdue(item, today):
            state = sv_texts.PROG_STATE_LATE
        else:
            state = sv_texts.PROG_STATE_OPEN
        lines.append(
            sv_texts.PROG_ROW.format(
                n=n,
                month=item.month,
                subject=shorten_text(item.subject, 100),
                content=shorten_text(item.content, 150),
                state=state,
            )
        )
        if item.conclusion:
            lines.append(sv_texts.PROG_CONCLUSION.format(text=shorten_text(item.conclusion, 200)))
    return "\n".join(lines)
