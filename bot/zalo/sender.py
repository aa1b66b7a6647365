"""The one way anything leaves for Zalo: `ZaloSender.send(chat_id, reply)`.

Every reply goes through here so that the delivery engine (a later issue) can route sending
through the outbox, with Zalo's own rate limit, without touching the adapter. Retries live in
the client; here a reply stops at its first failed message, so the member never gets the end
of a menu without its beginning. A 403 means the member blocked the bot: `on_blocked` marks
the identity inactive, and nothing else is tried.

The delivery engine (`bot.delivery`) gives its client `RetryPolicy(attempts=1)` and retries
itself, using the failure's kind recorded in `SendResult`.

A send may carry a `gate` (`bot.delivery.account.CallGate`), asked before every API call that
sends a message and told how it ended, so that the outbox and the replies to members share the
token's limits. With a gate the calls are made here one attempt at a time, retried with the
client's own policy: a retry then waits for the gate too, as a first attempt does.

A reply's file is given its public URL before anything is rendered (`photo_url_for`, async:
publishing a generated chart or document is a database write, done in a thread). A photo then
goes by sendPhoto and a document as a link in the text; without a URL the text carries one
sentence saying where to get the file (`bot.zalo.render`). If the hook fails, nothing is sent
and the result is transient: the text alone with that note would count as delivered and the
file would be lost for good.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.zalo.client import ZaloClient
from bot.zalo.errors import (
    ZaloError,
    ZaloForbidden,
    ZaloNetworkError,
    ZaloRetryAfter,
    ZaloServerError,
    ZaloUnauthorized,
)
from bot.zalo.render import PhotoMessage, PhotoUrlFor, TextMessage, no_public_url, render_reply
from bot.zalo.split import MAX_MESSAGE, split_text
from handlers.messages import Reply

if TYPE_CHECKING:
    from bot.delivery.account import CallGate

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

    async def send(
        self,
        chat_id: str,
        reply: Reply,
        *,
        skip_parts: int = 0,
        gate: CallGate | None = None,
    ) -> SendResult:
        """Send one reply as one or more messages; never raises for Zalo's answers.

        `skip_parts` leaves out the first parts, which an earlier attempt already delivered.
        `gate` is asked before each call (see the module's doc); what it raises ends the send.
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
                if gate is not None:
                    result.message_ids.extend(await self._gated(chat_id, part, gate))
                elif isinstance(part, PhotoMessage):
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

    async def _gated(
        self, chat_id: str, part: PhotoMessage | TextMessage, gate: CallGate
    ) -> list[str]:
        """One rendered part through the gate: its calls (a text over 2,000 characters would
        be several), each attempt asked for and reported."""
        if isinstance(part, PhotoMessage):
            calls = [("sendPhoto", {"chat_id": chat_id, "photo": part.url})]
        else:
            calls = [
                ("sendMessage", {"chat_id": chat_id, "text": piece})
                for piece in split_text(part.text, MAX_MESSAGE)
            ]
        return [_message_id(await self._call(method, body, gate)) for method, body in calls]

    async def _call(self, method: str, payload: Mapping[str, Any], gate: CallGate) -> Any:
        """`ZaloClient.call` one attempt at a time, retried as the client's policy says."""
        policy = self.client.policy
        attempt = 0
        while True:
            await gate.before_call()
            limited = False
            named: float | None = None
            try:
                call = self.client.call(method, payload, retry=False)
                if gate.deadline is None:
                    return await call
                try:
                    async with asyncio.timeout(gate.deadline):
                        return await call
                except TimeoutError:
                    raise ZaloNetworkError(method, "timed out") from None
            except ZaloRetryAfter as error:
                limited, named = True, error.retry_after
                wait = named if named is not None else policy.backoff(attempt)
                if attempt + 1 >= policy.attempts or wait > policy.max_retry_after:
                    raise
                log.warning("zalo %s: too many requests, waiting %.2f s", method, wait)
            except (ZaloServerError, ZaloNetworkError) as error:
                if attempt + 1 >= policy.attempts:
                    raise
                wait = policy.backoff(attempt)
                log.warning("zalo %s, retry in %.2f s", error, wait)
            finally:
                gate.after_call(rate_limited=limited, retry_after=named)
            attempt += 1
            await policy.sleep(wait)


def _message_id(result: object) -> str:
    value = result.get("message_id") if isinstance(result, Mapping) else None
    return str(value) if value is not None else ""


def _classify(result: SendResult, error: ZaloError) -> None:
    """Mark what kind of failure ended the send (see `SendResult`)."""
    if isinstance(error, ZaloRetryAfter):
        result.rate_limited, result.retry_after = True, error.retry_after
    elif isinstance(error, ZaloUnauthorized):
        result.token_rejected = True
    elif isinstance(error, ZaloServerError | ZaloNetworkError):
        result.transient = True
        result.timed_out = isinstance(error, ZaloNetworkError)
