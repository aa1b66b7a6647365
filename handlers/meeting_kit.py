"""Helpers for the meeting feature's flows (scheduling, running a meeting, its results): the
cell-month rules in the configured zone, a meeting as a button label, the meetings a secretary
still works on, and the meeting a flow is about, re-authorised on every step. Generic widgets
stay in `handlers.flowkit`."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from handlers.context import Ctx
from handlers.flowkit import managed_cells, when
from models import Meeting, MeetingStatus
from services import texts
from services.errors import UserError
from services.meetings.planning import (
    DEFAULT_RULES,
    CellMonthRules,
    cell_meetings,
    managed_meeting,
    require_active,
)
from services.offers import AGENDA_ITEMS


def rules(ctx: Ctx) -> CellMonthRules:
    """The cell-month rules in the configured time zone (services default to Hà Nội time),
    with what other features offer to the meeting's agenda."""
    agenda_items = ctx.config.offers.of(AGENDA_ITEMS)
    if DEFAULT_RULES.tz == ctx.config.tz and not agenda_items:
        return DEFAULT_RULES
    return dataclasses.replace(DEFAULT_RULES, tz=ctx.config.tz, agenda_items=agenda_items)


def meeting_label(ctx: Ctx, meeting: Meeting) -> str:
    """A meeting as a button: its time and kind, which is how secretaries tell them apart."""
    kind = texts.MTG_KIND_LABELS.get(meeting.kind, meeting.kind)
    return texts.FLOW_MEETING_LABEL.format(when=when(ctx, meeting.starts_at), kind=kind)


def recent_meetings(ctx: Ctx, *, held_only: bool = False) -> list[Meeting]:
    """Scheduled meetings of the actor's cells, coming or ended in the last 45 days, newest
    first: what a secretary still works on (answers, roll call, results)."""
    since = ctx.now - timedelta(days=45)
    found: list[Meeting] = []
    for cell in managed_cells(ctx):
        assert cell.id is not None
        for meeting in cell_meetings(ctx.session, ctx.me, cell.id, limit=8):
            if meeting.status != MeetingStatus.SCHEDULED or meeting.ends_at < since:
                continue
            if held_only and meeting.starts_at > ctx.now:
                continue
            found.append(meeting)
    return sorted(found, key=lambda m: m.starts_at, reverse=True)[:6]


def flow_meeting(ctx: Ctx) -> Meeting:
    """The meeting a flow is about (`data["meeting"]`), re-authorized on every step: the
    actor's role may have changed, or the meeting been cancelled, since the flow began."""
    meeting_id = ctx.data.get("meeting")
    if not isinstance(meeting_id, int):
        raise UserError(texts.SESSION_EXPIRED)
    meeting, _cell = managed_meeting(ctx.session, ctx.me, meeting_id)
    require_active(meeting)
    return meeting
