"""What the platform may have counted in its last second, from one worker's own sends.

A platform counts a message when it handles the request: at some instant between our call and
its answer. A send that started at S and was answered at R was therefore counted at some A in
[S, R]. `SendWindow` lets a send start at time S only while fewer than `limit` earlier sends
are unanswered or were answered after S - 1 s. Then no one-second window [t, t + 1) at the
platform can hold `limit` + 1 of them: if it did, take the last of them to start, at S. The
other `limit` were counted at or after t, so each was answered at or after t > S - 1 s, or
not yet, and the window would have held that send back.

Unlike a fixed spacing with a margin under the rate, this holds whatever the jitter of the
network or of our own event loop, so a worker alone on a token may make up a stall instead of
losing the time. What it costs is the answer's latency: a message stays in the count for its
second plus the round trip, so against a distant server the window, not the schedule, sets the
pace. It knows only the sends of its process (the outbox worker and the interactive replies
share one window through `account.TokenAccount`); processes sharing a token keep to the shared
schedule's slots and margin (`claims.Pace`).

A reply of several messages (a long text split in parts, a text and a file) is counted as the
calls it may make (`weights.calls_for`) while in flight, and as the calls it made once
answered.
"""

from __future__ import annotations

import bisect
from collections import deque
from datetime import datetime, timedelta


class SendWindow:
    """Sends that may still be in the platform's count of the last `length`."""

    def __init__(self, limit: int, length: timedelta = timedelta(seconds=1)) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        self.length = length
        self._open = 0
        self._answered: deque[datetime] = deque()  # answer instants, oldest first

    @property
    def in_flight(self) -> int:
        return self._open

    def counted(self, now: datetime) -> int:
        """Sends that may be in the count of a second that includes `now`."""
        while self._answered and self._answered[0] <= now - self.length:
            self._answered.popleft()
        return self._open + len(self._answered)

    def wait(self, now: datetime, calls: int = 1, *, limit: int | None = None) -> timedelta | None:
        """Zero when a send of `calls` calls may start now; otherwise how long until enough
        answers leave the window, or None when only answers still awaited can make room.
        A send of more calls than the limit waits for an empty window, then goes.

        `limit` (at most the window's own) lets a sender keep below the full count: the
        outbox leaves a few places to interactive replies (`account.TokenAccount`)."""
        top = self.limit if limit is None else max(1, min(limit, self.limit))
        counted = self.counted(now)
        room = top - min(calls, top)
        if counted <= room:
            return timedelta(0)
        excess = counted - room  # answers that must leave the window first
        if len(self._answered) >= excess:
            return self._answered[excess - 1] + self.length - now
        return None

    def opened(self, calls: int = 1) -> None:
        """A send of (at most) `calls` calls starts now (call it just before the request)."""
        self._open += calls

    def closed(self, at: datetime, calls: int = 1, *, opened: int = 1) -> None:
        """The send that `opened` that many was answered (or failed) at `at`, after `calls`
        API calls."""
        self._open = max(0, self._open - opened)
        for _ in range(max(1, calls)):
            if not self._answered or self._answered[-1] <= at:
                self._answered.append(at)
            else:  # answers can come back out of order
                self._answered.insert(bisect.bisect_right(self._answered, at), at)
