"""Channel transports: one send attempt through the channel's own sender, sorted into a verdict.

The senders (`bot.telegram.sender`, `bot.zalo.sender`) already render replies and know their
platform's faults; here they run with their own retries off (one attempt), because the engine
owns retries: a 429 must pause every worker of the token, not just sleep in one coroutine, and
a 5xx must wait in the database, where a restart finds it.

Each send takes the row's `gate` (`account.CallGate`): the sender asks it before every API call
(the row's lease, the window) and bounds each call by its `deadline`. `call_timeout` is the
HTTP timeout the transport was built with; the engine derives that deadline from it.
"""

from __future__ import annotations

from types import TracebackType
from typing import Protocol, Self

from telegram import Bot
from telegram.error import InvalidToken

from bot.delivery.account import CallGate, rate_key
from bot.delivery.claims import Outcome, Verdict
from bot.delivery.files import RemoteFile
from bot.retry import RetryPolicy
from bot.telegram.aiohttp_request import AiohttpRequest
from bot.telegram.sender import SendResult as TelegramResult
from bot.telegram.sender import TelegramSender
from bot.zalo.client import ZaloClient
from bot.zalo.errors import ZaloUnauthorized
from bot.zalo.http import AiohttpPoster
from bot.zalo.render import PhotoUrlFor
from bot.zalo.sender import SendResult as ZaloResult
from bot.zalo.sender import ZaloSender
from handlers.messages import OutFile, Reply
from models import Channel


class TokenRejected(Exception):
    """The platform refused the bot token: no message can go out until the operator fixes it."""

    def __init__(self, channel: str, setting: str) -> None:
        super().__init__(f"{channel} rejected the bot token; check {setting}")
        self.channel = channel
        self.setting = setting


class Transport(Protocol):
    """What the engine needs from a channel."""

    channel: str
    rate_key: str
    call_timeout: float

    async def start(self) -> None: ...

    async def send(
        self, chat_id: str, reply: Reply, *, skip_parts: int = 0, gate: CallGate | None = None
    ) -> Outcome: ...

    async def close(self) -> None: ...


def outcome_of(result: TelegramResult | ZaloResult) -> Outcome:
    """A sender's result as the outbox sees it."""
    ids = tuple(str(i) for i in result.message_ids)
    common = {"message_ids": ids, "parts": result.parts, "error": result.error}
    if result.ok:
        return Outcome(Verdict.SENT, **common)  # type: ignore[arg-type]
    if result.blocked:
        return Outcome(Verdict.BLOCKED, **common)  # type: ignore[arg-type]
    if result.token_rejected:
        return Outcome(Verdict.TOKEN_REJECTED, **common)  # type: ignore[arg-type]
    if result.retry_after is not None or getattr(result, "rate_limited", False):
        return Outcome(Verdict.RATE_LIMITED, retry_after=result.retry_after, **common)  # type: ignore[arg-type]
    if result.transient:
        return Outcome(Verdict.TRANSIENT, timed_out=result.timed_out, **common)  # type: ignore[arg-type]
    return Outcome(Verdict.REJECTED, **common)  # type: ignore[arg-type]


class _Lifecycle:
    async def start(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    async def close(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()


class TelegramTransport(_Lifecycle):
    """Sends through `TelegramSender` with one attempt per call, optionally as paid broadcast."""

    channel = Channel.TELEGRAM.value

    def __init__(self, bot: Bot, *, paid_broadcast: bool = False, timeout: float = 10.0) -> None:
        self.bot = bot
        self.rate_key = rate_key(self.channel, bot.token)
        self.call_timeout = timeout
        self.sender = TelegramSender(
            bot, policy=RetryPolicy(attempts=1), paid_broadcast=paid_broadcast
        )

    async def start(self) -> None:
        """getMe: proves the token before the first claim, so a bad token claims nothing."""
        try:
            await self.bot.initialize()
        except BaseException as error:
            # A start that failed is never closed by the worker: close the HTTP session here
            # (PTB skips a bot's shutdown when its initialize did not finish).
            await self.bot.request.shutdown()
            if isinstance(error, InvalidToken):
                raise TokenRejected("Telegram", "TELEGRAM_BOT_TOKEN") from None
            raise

    async def send(
        self, chat_id: str, reply: Reply, *, skip_parts: int = 0, gate: CallGate | None = None
    ) -> Outcome:
        result = await self.sender.send(chat_id, reply, skip_parts=skip_parts, gate=gate)
        return outcome_of(result)

    async def close(self) -> None:
        await self.bot.shutdown()


def telegram_transport(
    token: str,
    api_base: str,
    *,
    paid_broadcast: bool = False,
    connections: int = 100,
    timeout: float = 10.0,
) -> TelegramTransport:
    """A Bot of its own (not the polling application's), with a pool for concurrent sends,
    on aiohttp (`bot.telegram.aiohttp_request`: a fraction of httpx's CPU per message)."""
    request = AiohttpRequest(
        connections=connections,
        connect_timeout=timeout,
        read_timeout=timeout,
        write_timeout=timeout,
        pool_timeout=timeout,
    )
    bot = Bot(
        token,
        base_url=f"{api_base}/bot",
        base_file_url=f"{api_base}/file/bot",
        request=request,
    )
    return TelegramTransport(bot, paid_broadcast=paid_broadcast, timeout=timeout)


async def remote_url_only(file: OutFile) -> str | None:
    """Zalo sends photos by URL only: without a hook that publishes generated files
    (`bot.zalo.public_urls`), only a file the payload named by URL can go as a photo."""
    return file.ref if isinstance(file, RemoteFile) and file.is_url else None


class ZaloTransport(_Lifecycle):
    """Sends through `ZaloSender`; its client makes one attempt per call.

    `photo_url_for` gives a file its public URL (`bot.zalo.public_urls.public_url_hook` when
    built from the settings, which publishes generated charts under PUBLIC_BASE_URL).
    """

    channel = Channel.ZALO.value

    def __init__(
        self, client: ZaloClient, token: str, *, photo_url_for: PhotoUrlFor = remote_url_only
    ) -> None:
        self.client = client
        self.rate_key = rate_key(self.channel, token)
        self.call_timeout = client.request_timeout
        self.sender = ZaloSender(client, photo_url_for=photo_url_for)

    async def start(self) -> None:
        try:
            await self.client.get_me()
        except BaseException as error:
            await self.client.aclose()  # a start that failed is never closed by the worker
            if isinstance(error, ZaloUnauthorized):
                raise TokenRejected("Zalo", "ZALO_BOT_TOKEN") from None
            raise

    async def send(
        self, chat_id: str, reply: Reply, *, skip_parts: int = 0, gate: CallGate | None = None
    ) -> Outcome:
        result = await self.sender.send(chat_id, reply, skip_parts=skip_parts, gate=gate)
        return outcome_of(result)

    async def close(self) -> None:
        await self.client.aclose()


def zalo_transport(
    token: str,
    api_base: str,
    *,
    timeout: float = 10.0,
    photo_url_for: PhotoUrlFor = remote_url_only,
) -> ZaloTransport:
    client = ZaloClient(
        token,
        api_base,
        policy=RetryPolicy(attempts=1),
        request_timeout=timeout,
        poster=AiohttpPoster(),  # a fraction of httpx's CPU per message (bot/zalo/http.py)
    )
    return ZaloTransport(client, token, photo_url_for=photo_url_for)
