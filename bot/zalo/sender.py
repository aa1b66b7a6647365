"""The one way anything leaves for Zalo: `ZaloSender.send(chat_id, reply)`.

Every reply goes through here so that the delivery engine (a later issue) can route sending
through the outbox, with Zalo's own rate limit, without touching the adapter. Retries live in
the client; here a reply stops at its first failed message, so the member never gets the end
of a menu without its beginning. A 403 means the member blocked the bot: `on_blocked` marks
the identity inactive, and nothing else is tried.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.zalo.client import ZaloClient
from bot.zalo.errors import ZaloError, ZaloForbidden
from bot.zalo.render import PhotoMessage, PhotoUrlFor, no_public_url, render_reply
from handlers.messages import Reply

log = logging.getLogger(__name__)

OnBlocked = Callable[[str], Awaitable[None]]


@dataclass
class SendResult:
    """The ids of the messages that went out, or why the rest did not."""

    message_ids: list[str] = field(default_factory=list)
    error: str | None = None
    blocked: bool = False

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

    async def send(self, chat_id: str, reply: Reply) -> SendResult:
        """Send one reply as one or more messages; never raises for Zalo's answers."""
        result = SendResult()
        for part in render_reply(reply, self.photo_url_for):
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
                log.error("zalo send to chat %s failed: %s", chat_id, result.error)
                return result
        return result
