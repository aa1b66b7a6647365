"""Zalo may hand the same update over twice (a consumed getUpdates result, a retried webhook).

`RecentIds` remembers the last message ids in memory, bounded, so a repeat is dropped. It is per
process: two web processes behind a load balancer do not share it, and a restart forgets it.
A database check (an incoming-message table with a unique message id) would close that gap; it
belongs with the delivery engine, which owns such tables.
"""

from __future__ import annotations

from collections import OrderedDict

DEFAULT_CAPACITY = 10_000


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
