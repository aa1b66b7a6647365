"""Has any process received this update before? The database's answer, for every channel.

Telegram retries a webhook delivery that was not answered in time and hands unconfirmed
updates to the next getUpdates after a restart; Zalo repeats consumed updates and retried
webhook posts. A repeat must not run a flow step twice, and several web processes (or one
after a restart) share no memory, so the answer lives in the database:
`services.inbound.first_time` inserts (channel, key) with INSERT … ON CONFLICT DO NOTHING and
only the caller whose row went in handles the update.

Here the insert runs in a worker thread (never on the event loop) and in its own short
transaction, before the core's, so a failed handling is not retried as new (Zalo, and the
Telegram updates that never reach the core). Telegram's messages and buttons have the core
record the key in the update's own transaction instead (`handlers.core.Core.handle_once`),
which keeps the same promises with one transaction and one thread hop. Keys only need to
outlive the platforms' repeats: they are purged after `services.inbound.KEEP`, a bounded batch
at most once per `PURGE_EVERY` per process, by whichever process happens to be receiving.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.housekeeping import NowAndThen
from models import Database, utcnow
from services import inbound

log = logging.getLogger(__name__)

PURGE_EVERY = timedelta(hours=1)


def ledger_key(*parts: object) -> str:
    """`parts` joined by "/", or their SHA-256 when that is too long for the column.

    Callers name what makes an update unique on their platform (Zalo: chat and message id;
    Telegram: bot id and update id), so one key never stands for two updates.
    """
    key = "/".join(str(part) for part in parts)
    if len(key) > inbound.MAX_KEY:
        key = "sha256:" + hashlib.sha256(key.encode()).hexdigest()
    return key


class InboundLedger:
    """The database check for one channel: should this process handle the update keyed so?"""

    def __init__(
        self,
        db: Database,
        channel: str,
        *,
        clock: Callable[[], datetime] = utcnow,
        purge_every: timedelta = PURGE_EVERY,
    ) -> None:
        self.db = db
        self.channel = channel
        self.clock = clock
        self._purge = NowAndThen(self._purge_old, purge_every, f"old {channel} update keys purge")

    async def first_time(self, key: str | None) -> bool:
        """True when this process should handle the update (one without a key always is).

        If the database cannot answer, the update is handled: a rare double answer is the
        lesser harm than a member's message silently ignored.
        """
        if not key:
            return True
        try:
            return await asyncio.to_thread(self._record, key)
        except Exception:
            log.exception(
                "%s update %s: seen-before check failed, handled anyway", self.channel, key
            )
            return True

    def _record(self, key: str) -> bool:
        now = self.clock()
        with self.db.session() as session:
            # Looked up on the module at each call, so a test can stand in for the database.
            fresh = inbound.first_time(session, self.channel, key, now)
        self._purge(now)
        return fresh

    def housekeeping(self) -> None:
        """The purge of old keys, when due, for a caller that records keys itself
        (`Core.handle_once`); blocking: call it from a worker thread. Never raises."""
        self._purge(self.clock())

    def _purge_old(self, now: datetime) -> None:
        with self.db.session() as session:
            inbound.purge_older_than(session, now - inbound.KEEP)
