"""Zalo may hand the same update over twice (a consumed getUpdates result, a retried webhook).

Two filters, cheapest first, both keyed by `update_key` (the chat and the message id, since
Zalo's message ids may only be unique within a chat: two members' messages that share an id
are two updates):

* `RecentIds` remembers the last keys in memory, bounded: most repeats come back to the same
  process within seconds and are dropped without a query. It is per process, though: two web
  processes behind a load balancer do not share it, and a restart forgets it.
* `UpdateLedger` asks the database (`bot.inbound_ledger.InboundLedger`, shared with Telegram):
  whichever process inserts the key first handles the update, in any process, before or after
  a restart.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.inbound_ledger import PURGE_EVERY, InboundLedger, ledger_key
from bot.zalo.incoming import CHANNEL
from bot.zalo.updates import ZaloUpdate
from models import Database, utcnow

DEFAULT_CAPACITY = 10_000


def update_key(update: ZaloUpdate) -> str | None:
    """The update's key, in memory and in `inbound_updates`: chat and message id (None
    without an id). A key too long for the column is replaced by its hash."""
    message = update.message
    if message is None or not message.message_id:
        return None
    return ledger_key(message.chat_id, message.message_id)


class RecentIds:
    """A bounded, insertion-ordered set of update keys: the oldest is forgotten first."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        if capacity < 1:
            raise ValueError("capacity must be positive")
        self.capacity = capacity
        self._ids: OrderedDict[str, None] = OrderedDict()

    def __contains__(self, key: object) -> bool:
        if isinstance(key, ZaloUpdate):
            key = update_key(key)
        return key in self._ids

    def __len__(self) -> int:
        return len(self._ids)

    def first_time(self, update: ZaloUpdate) -> bool:
        """True (and remember it) when the update is new; one without an id always passes.

        Keyed by `update_key` (chat and message), as the database ledger keys it: message ids
        may be unique only within a chat, and two members must never lose each other's messages.
        """
        key = update_key(update)
        if not key:
            return True
        if key in self._ids:
            self._ids.move_to_end(key)
            return False
        self._ids[key] = None
        if len(self._ids) > self.capacity:
            self._ids.popitem(last=False)
        return True


class UpdateLedger:
    """The database check for Zalo updates: has any process received this one before?"""

    def __init__(
        self,
        db: Database,
        *,
        channel: str = CHANNEL,
        clock: Callable[[], datetime] = utcnow,
        purge_every: timedelta = PURGE_EVERY,
    ) -> None:
        self.ledger = InboundLedger(db, channel, clock=clock, purge_every=purge_every)

    async def first_time(self, update: ZaloUpdate) -> bool:
        """True when this process should handle `update` (an update without an id always is;
        so is every update when the database cannot answer)."""
        return await self.ledger.first_time(update_key(update))
