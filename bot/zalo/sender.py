"""The one way anything leaves for Zalo: `ZaloSender.send(chat_id, reply)`.

Every reply goes through here so that the delivery engine (a later issue) can route sending
through the outbox, with Zalo's own rate limit, without touching the adapter. Retries live in
the client; here a reply stops at its first failed message, so the member never gets the end
of a menu without its beginning. A 403 means the member blocked the bot: `on_blocked` marks
the identity inactive, and nothing else is tried.

The delivery engine (`bot.delivery`) gives its client `RetryPolicy(attempts=1)` and retries
itself, using the failure's kind recorded in `SendResult`.

A reply's file is given its public URL before anything is rendered (`photo_url_for`, async:
publishing a generated chart is a database write, done in a thread). If that fails, nothing
is sent and the result is transient: the text alone with a "file unavailable" note would count
as delivered and the file would be lost for good.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.zalo.client import ZaloClient
from bot.zalo.errors import (
    ZaloError,
    ZaloForbidden,
    ZaloNetworkError,
    ZaloRetryAfter,
    ZaloServerError,
    ZaloUnauthorized,
)
from bot.zalo.render import PhotoMessage, PhotoUrlFor, no_public_url, render_reply
from handlers.messages import Reply

log = logging.getLogger(__name__)

OnBlocked = Callable[[str], Awaitable[None]]


@dataclass
class SendResult:
    """The ids of the messages that went out, or why the rest did not.

    `message_ids` are the parts sent by this call (after any skipped ones); `parts` is how many
    messages the reply is. On failure: `rate_limited` (429; `retry_after` when Zalo named a
    wait), `transient` (5xx or no answer), `timed_out` (no answer: it may have arrived),
    `token_rejected` (401). None of them: a 4xx, our mistake, not worth repeating.
    """

    message_ids: list[str] = field(default_factory=list)
    error: str | None = None
    blocked: bool = False
    rate_limited: bool = False
    retry_after: float | None = None
    transient: bool = False
    timed_out: bool = False
    token_rejected: bool = False
    parts: int = 0

    @property
    def ok(self) -> bool:
        return self.error is None


class ZaloSender:
    """Renders and sends replies. Holds no database: blocking is reported to `on_blocked`."""

    def __init__(
        self,
        client: ZaloClient,
        *,
        photo_url_for: PhotoUrlFor = no_public_url,
        on_blocked: OnBlocked | None = None,
    ) -> None:
        self.client = client
        self.photo_url_for = photo_url_for
        self.on_blocked = on_blocked

    async def send(self, chat_id: str, reply: Reply, *, skip_parts: int = 0) -> SendResult:
        """Send one reply as one or more messages; never raises for Zalo's answers.

        `skip_parts` leaves out the first parts, which an earlier attempt already delivered.
        """
        try:
            url = None if reply.file is None else await self.photo_url_for(reply.file)
        except Exception as error:
            log.exception("zalo: no public URL for the file to chat %s", chat_id)
            return SendResult(error=f"public URL: {type(error).__name__}", transient=True)
        parts = render_reply(reply, url)
        result = SendResult(parts=len(parts))
        for index, part in enumerate(parts):
            if index < skip_parts:
                continue
            try:
                if isinstance(part, PhotoMessage):
                    result.message_ids.append(await self.client.send_photo(chat_id, part.url))
                else:
                    result.message_ids.extend(await self.client.send_message(chat_id, part.text))
            except ZaloForbidden as error:
                result.error, result.blocked = str(error), True
                log.info("zalo chat %s cannot be reached: %s", chat_id, error)
                if self.on_blocked is not None:
                    await self.on_blocked(chat_id)
                return result
            except ZaloError as error:
                result.error = f"{type(error).__name__}: {error}"
                _classify(result, error)
                log.error("zalo send to chat %s failed: %s", chat_id, result.error)
                return result
        return result


def _classify(result: SendResult, error: ZaloError) -> None:
    """Mark what kind of failure ended the send (see `SendResult`)."""
    if isinstance(error, ZaloRetryAfter):
        result.rate_limited, result.retry_after = True, error.retry_after
    elif isinstance(error, ZaloUnauthorized):
        result.token_rejected = True
    elif isinstance(error, ZaloServerError | ZaloNetworkError):
        result.transient = True
        result.timed_out = isinstance(error, ZaloNetworkError)
