"""Zalo may hand the same update over twice (a consumed getUpdates result, a retried webhook).

Two filters, cheapest first:

* `RecentIds` remembers the last message ids in memory, bounded: most repeats come back to the
  same process within seconds and are dropped without a query. It is per process, though: two
  web processes behind a load balancer do not share it, and a restart forgets it.
* `UpdateLedger` asks the database (`services.inbound.first_time`, one INSERT … ON CONFLICT DO
  NOTHING in a worker thread, never on the event loop): whichever process inserts the key first
  handles the update, in any process, before or after a restart. Keys are purged after
  `services.inbound.KEEP`, a bounded batch at most once per `PURGE_EVERY` per process.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.housekeeping import NowAndThen
from bot.zalo.incoming import CHANNEL
from bot.zalo.updates import ZaloUpdate
from models import Database, utcnow
from services import inbound

log = logging.getLogger(__name__)

DEFAULT_CAPACITY = 10_000
PURGE_EVERY = timedelta(hours=1)


class RecentIds:
    """A bounded, insertion-ordered set: the oldest id is forgotten first."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        if capacity < 1:
            raise ValueError("capacity must be positive")
        self.capacity = capacity
        self._ids: OrderedDict[str, None] = OrderedDict()

    def __contains__(self, key: object) -> bool:
        return key in self._ids

    def __len__(self) -> int:
        return len(self._ids)

    def first_time(self, key: str | None) -> bool:
        """True (and remember it) when `key` is new; an update without an id always passes."""
        if not key:
            return True
        if key in self._ids:
            self._ids.move_to_end(key)
            return False
        self._ids[key] = None
        if len(self._ids) > self.capacity:
            self._ids.popitem(last=False)
        return True


def update_key(update: ZaloUpdate) -> str | None:
    """The update's key in `inbound_updates`: chat and message id (None without an id).

    The chat is part of it in case Zalo's message ids are only unique within a chat; a key
    too long for the column is replaced by its hash.
    """
    message = update.message
    if message is None or not message.message_id:
        return None
    key = f"{message.chat_id}/{message.message_id}"
    if len(key) > inbound.MAX_KEY:
        key = "sha256:" + hashlib.sha256(key.encode()).hexdigest()
    return key


class UpdateLedger:
    """The database check: has any process received this update before?"""

    def __init__(
        self,
        db: Database,
        *,
        channel: str = CHANNEL,
        clock: Callable[[], datetime] = utcnow,
        purge_every: timedelta = PURGE_EVERY,
    ) -> None:
        self.db = db
        self.channel = channel
        self.clock = clock
        self._purge = NowAndThen(self._purge_old, purge_every, "old zalo update keys purge")

    async def first_time(self, update: ZaloUpdate) -> bool:
        """True when this process should handle `update` (an update without an id always is).

        If the database cannot answer, the update is handled: a rare double answer is the
        lesser harm than a member's message silently ignored.
        """
        key = update_key(update)
        if key is None:
            return True
        try:
            return await asyncio.to_thread(self._record, key)
        except Exception:
            log.exception("zalo update %s: seen-before check failed, handled anyway", key)
            return True

    def _record(self, key: str) -> bool:
        now = self.clock()
        with self.db.session() as session:
            fresh = inbound.first_time(session, self.channel, key, now)
        self._purge(now)
        return fresh

    def _purge_old(self, now: datetime) -> None:
        with self.db.session() as session:
            inbound.purge_older_than(session, now - inbound.KEEP)
