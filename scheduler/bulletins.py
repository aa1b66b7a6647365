"""Polling the bulletins' RSS/Atom feeds.

`FeedPollJob` finds the feeds whose poll is due (`feeds.due_feeds`), fetches each one in
`prepare`, outside any transaction (a slow newspaper must not hold a row lock nor the
database), and records the outcome in `fire`: new entries become bulletins for the feed's unit
(listed, never pushed), a failure moves the next poll by a growing backoff. The key is per
feed and due moment, ``bulletin_feed:<id>:<due>``, so each poll happens once across
processes, and an error rolls back only that feed's poll, retried next tick.

It ticks with the "weekly" group (the slow work), so a feed that times out never delays a
meeting reminder; `BulletinRules.feeds_per_tick` bounds one tick's fetches.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlmodel import Session

from models import Database
from scheduler.claims import DueItem, Fired, Job
from scheduler.rules import SchedulerRules
from services.bulletins import feeds
from services.bulletins.fetch import Fetched, fetch
from services.bulletins.rules import DEFAULT_BULLETIN_RULES, BulletinRules

POLL_KIND = "bulletin_feed"


class FeedPollJob(Job):
    name = "bulletin_feeds"
    group = "weekly"

    def __init__(self, rules: BulletinRules = DEFAULT_BULLETIN_RULES) -> None:
        self.rules = rules

    def due(self, session: Session, now: datetime, rules: SchedulerRules) -> Iterable[DueItem]:
        for feed in feeds.due_feeds(session, now, self.rules):
            assert feed.id is not None
            yield DueItem(
                key=f"bulletin_feed:{feed.id}:{feed.next_poll_at.strftime('%Y%m%dT%H%M%S')}",
                kind=POLL_KIND,
                ref_id=feed.id,
                due_at=feed.next_poll_at,
                data={"url": feed.url},
            )

    def prepare(
        self,
        db: Database,
        items: Sequence[DueItem],
        now: datetime,
        rules: SchedulerRules,
        cache: dict[str, Any],
    ) -> dict[str, Any]:
        made: dict[str, Any] = {}
        for item in items:
            made[item.key] = feeds.poll_result(fetch(str(item.data.get("url", "")), self.rules))
        return made

    def fire(
        self,
        session: Session,
        item: DueItem,
        now: datetime,
        rules: SchedulerRules,
        prepared: Any,
    ) -> Fired:
        assert item.ref_id is not None
        parsed = (
            prepared if isinstance(prepared, feeds.Parsed) else feeds.poll_result(Fetched(None))
        )
        added = feeds.record_poll(session, item.ref_id, parsed, now=now, rules=self.rules)
        if not parsed.ok:
            return Fired.skipped(f"failed: {parsed.error}"[:200])
        return Fired.sent(0, note=f"{added} new")

    def release(self, prepared: Mapping[str, Any], fired: set[str]) -> None:
        return None


def jobs() -> list[Job]:
    """The feed poll, for the app's wiring list."""
    return [FeedPollJob()]
