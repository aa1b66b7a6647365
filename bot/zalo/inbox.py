"""The Zalo webhook's inbox in one process: record before the 200, handle once, pick up.

`services.inbox` holds the rules (the table, the claims, the mark in the core's transaction);
this is the process's side of them: its name as a claimant, its clock, the worker threads the
database calls run in, and the hourly purge riding on the minute's pick-up.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from bot.housekeeping import NowAndThen
from bot.inbound_ledger import ledger_key
from bot.zalo.dedupe import update_key
from bot.zalo.incoming import CHANNEL
from bot.zalo.updates import ZaloUpdate
from handlers.messages import Incoming, Response
from models import Database, utcnow
from scheduler.claims import worker_name
from services import inbox

log = logging.getLogger(__name__)

PURGE_EVERY = timedelta(hours=1)


def inbox_key(update: ZaloUpdate) -> str:
    """The update's key: chat and message id, as the inbound ledger keys it (`update_key`).

    An update without a message id cannot be recognised when repeated; it still gets a row of
    its own (a random key), so it is not lost either."""
    key = update_key(update)
    if key:
        return key
    chat = update.message.chat_id if update.message else "-"
    return ledger_key(chat, f"anon-{uuid.uuid4().hex}")


class ZaloInbox:
    """`services.inbox` for Zalo, from this process: every call is a short transaction, made
    in the calling thread (the webhook calls them through `asyncio.to_thread`)."""

    def __init__(
        self,
        db: Database,
        *,
        clock: Callable[[], datetime] = utcnow,
        owner: str | None = None,
        grace: timedelta = inbox.GRACE,
        lease: timedelta = inbox.LEASE,
        purge_every: timedelta = PURGE_EVERY,
    ) -> None:
        self.db = db
        self.clock = clock
        self.owner = owner or worker_name()
        self.grace = grace
        self.lease = lease
        self._purge = NowAndThen(self._purge_old, purge_every, "handled zalo inbox purge")

    def record(self, updates: Sequence[inbox.Received]) -> set[str]:
        """The keys recorded now (the others were recorded before: repeats). Raises if the
        database cannot record them: the caller must not answer 200 then."""
        with self.db.session() as session:
            return inbox.record(
                session, CHANNEL, updates, self.clock(), owner=self.owner, grace=self.grace
            )

    def handle(
        self, core_handle: Callable[[Incoming], Response], incoming: Incoming, key: str
    ) -> Response | None:
        """Run the core on `incoming` with its row marked handled in the core's transaction
        (or right after, when the core wrote nothing); None when another handling of the row
        committed first, so this one's response must not be sent."""
        now = self.clock()
        with inbox.marking(self.db.engine, CHANNEL, key, now) as mark:
            response = core_handle(incoming)
        if mark.marked:
            return response
        if mark.taken:
            return None
        with self.db.session() as session:
            marked = inbox.mark_handled(session, CHANNEL, key, now)
        return response if marked else None

    def mark(self, key: str, note: str) -> bool:
        """Mark a row handled without running the core (nothing in it to answer)."""
        with self.db.session() as session:
            return inbox.mark_handled(session, CHANNEL, key, self.clock(), note=note)

    def claim_stale(self, limit: int = inbox.CLAIM_BATCH) -> inbox.Claims:
        """Rows nobody handled in time, now this process's for its lease; purges, hourly."""
        now = self.clock()
        with self.db.session() as session:
            claims = inbox.claim_stale(
                session, CHANNEL, now, owner=self.owner, lease=self.lease, limit=limit
            )
        self._purge(now)
        return claims

    def _purge_old(self, now: datetime) -> None:
        with self.db.session() as session:
            gone = inbox.purge_handled(session, now - inbox.KEEP)
        if gone:
            log.info("purged %d handled zalo inbox rows", gone)
