"""The one way anything leaves for Telegram, with retries that match Telegram's faults.

Every reply goes through `TelegramSender.send(chat_id, reply)`, so the later delivery engine can
take sending over without touching the adapter. Faults are sorted once, here:

* network errors, timeouts and 5xx: retried with exponential backoff and jitter. A timed-out
  send may already have been delivered; for an interactive reply a duplicate is the lesser harm.
* 429: wait exactly `retry_after` (Telegram's number, int or timedelta depending on PTB's
  settings) and retry; a wait longer than the policy allows is given up, not slept through.
* 403 (blocked, deactivated, kicked): never retried; `on_blocked` marks the identity inactive.
* 400: a bug on our side, never retried; logged and reported in the result.

The delivery engine (`bot.delivery`) sends with `RetryPolicy(attempts=1)` and owns retries
itself: `SendResult` says which of these faults ended the send, so it can pause the whole
token on a 429, back off on a 5xx, and never repeat a part the platform already accepted.

A send may carry a `gate` (`bot.delivery.account.CallGate`): asked before every API call that
sends a message, retries included, and told how it ended. Through it the outbox and the
replies to members share the token's limits (a place in the send window, the chat's pace) and
the outbox keeps a row's lease longer than the call; its `deadline` bounds the call.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import warnings
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, TypeVar

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    InlineKeyboardMarkup,
    InputFile,
    MaybeInaccessibleMessage,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    ReplyParameters,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.warnings import PTBDeprecationWarning

from bot.delivery.files import RemoteFile
from bot.retry import RetryPolicy
from bot.telegram.render import FilePart, TextPart, chosen_text, escape, render_reply
from handlers.messages import Reply

if TYPE_CHECKING:
    from bot.delivery.account import CallGate

log = logging.getLogger(__name__)
UPLOADS_KEPT = 256  # file ids remembered per sender, most recent first

T = TypeVar("T")
ReplyMarkup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


def retry_after_seconds(error: RetryAfter) -> float:
    """PTB 22 gives an int (deprecated) or a timedelta (PTB_TIMEDELTA=1); accept both."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value: int | float | timedelta = error.retry_after
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(value)


@dataclass
class SendResult:
    """What happened to one reply: the ids of the messages that went out, or why not.

    `message_ids` are the parts sent by this call (after any skipped ones); `parts` is how many
    messages the whole reply is. The flags sort a failure for whoever retries: `retry_after`
    (429, Telegram's wait), `transient` (5xx or network: worth another try later), `timed_out`
    (no answer: the message may have arrived), `token_rejected` (401/404: nothing will work).
    A failure with none of them set is a 400: our mistake, not worth repeating.
    """

    message_ids: list[int] = field(default_factory=list)
    error: str | None = None
    blocked: bool = False
    retry_after: float | None = None
    transient: bool = False
    timed_out: bool = False
    token_rejected: bool = False
    parts: int = 0

    @property
    def ok(self) -> bool:
        return self.error is None


class TelegramSender:
    """Bot API calls with one retry policy. Holds no database: blocking is reported upward."""

    def __init__(
        self,
        bot: Bot,
        *,
        policy: RetryPolicy | None = None,
        on_blocked: Callable[[str], Awaitable[None]] | None = None,
        paid_broadcast: bool = False,
    ) -> None:
        self.bot = bot
        self.policy = policy or RetryPolicy()
        self.on_blocked = on_blocked
        # allow_paid_broadcast on every message: Telegram then allows up to 1000 messages/s
        # and charges Stars for those above the free 30/s. Only the delivery engine sets it.
        self.paid_broadcast = paid_broadcast
        self._uploads: OrderedDict[str, str] = OrderedDict()  # kind:sha256 → Telegram file_id
        self._uploading: dict[str, asyncio.Future[str | None]] = {}  # uploads under way

    async def call(
        self, what: str, action: Callable[[], Awaitable[T]], *, gate: CallGate | None = None
    ) -> T:
        """Run one API call, retrying what Telegram says is worth retrying. With a `gate`,
        every attempt waits for it first and reports to it after (a 429 with its wait)."""
        attempt = 0
        while True:
            if gate is not None:
                await gate.before_call()
            limited: float | None = None
            try:
                return await _bounded(action, None if gate is None else gate.deadline)
            except RetryAfter as error:
                wait = limited = retry_after_seconds(error)
                if attempt + 1 >= self.policy.attempts or wait > self.policy.max_retry_after:
                    raise
                log.warning("telegram %s: flood control, waiting %.1f s", what, wait)
            except BadRequest:  # a subclass of NetworkError, but our mistake: never retried
                raise
            except NetworkError as error:  # also TimedOut and 5xx
                if attempt + 1 >= self.policy.attempts:
                    raise
                wait = self.policy.backoff(attempt)
                log.warning("telegram %s: %s, retry in %.2f s", what, error, wait)
            finally:
                if gate is not None:
                    gate.after_call(rate_limited=limited is not None, retry_after=limited)
            attempt += 1
            await self.policy.sleep(wait)

    async def send(
        self,
        chat_id: str | int,
        reply: Reply,
        *,
        reply_to: int | None = None,
        extra_markup: ReplyMarkup | None = None,
        skip_parts: int = 0,
        gate: CallGate | None = None,
    ) -> SendResult:
        """Send one reply as one or more messages; never raises for Telegram's answers.

        `extra_markup` (the main-menu keyboard, a link button) goes on the last message when the
        reply has no options of its own; a message carries only one markup. `skip_parts` leaves
        out the first parts, which an earlier attempt already delivered. `gate` is asked before
        each call (see the module's doc); whatever it raises ends the send.
        """
        rendered = render_reply(reply)
        result = SendResult(parts=len(rendered.parts))
        target: str | int = chat_id
        for index, part in enumerate(rendered.parts):
            if index < skip_parts:
                continue
            last = index == len(rendered.parts) - 1
            markup: ReplyMarkup | None = None
            if last:
                markup = rendered.keyboard or extra_markup
            replying = reply_to if index == 0 else None
            try:
                try:
                    message = await self._send_part(target, part, markup, replying, gate)
                except ChatMigrated as moved:
                    # A group became a supergroup: Telegram names the new id once.
                    target = moved.new_chat_id
                    message = await self._send_part(target, part, markup, replying, gate)
            except Forbidden as error:
                result.error, result.blocked = str(error), True
                log.info("telegram chat %s cannot be reached: %s", chat_id, error)
                if self.on_blocked is not None:
                    await self.on_blocked(str(chat_id))
                return result
            except TelegramError as error:
                result.error = f"{type(error).__name__}: {error}"
                _classify(result, error)
                log.error("telegram send to chat %s failed: %s", chat_id, result.error)
                return result
            result.message_ids.append(message.message_id)
        return result

    async def _send_part(
        self,
        chat_id: str | int,
        part: TextPart | FilePart,
        markup: ReplyMarkup | None,
        reply_to: int | None,
        gate: CallGate | None = None,
    ) -> Message:
        replying = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None
        paid = True if self.paid_broadcast else None
        if isinstance(part, TextPart):
            return await self.call(
                "sendMessage",
                lambda: self.bot.send_message(
                    chat_id,
                    part.html,
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup,
                    reply_parameters=replying,
                    allow_paid_broadcast=paid,
                ),
                gate=gate,
            )
        file = part.file
        if isinstance(file, RemoteFile):
            # A file Telegram already holds (a file_id) or can fetch (a URL) travels as a string.
            return await self._send_file(chat_id, part, file.ref, markup, replying, paid, gate)
        key = f"{file.kind}:{hashlib.sha256(file.data).hexdigest()}"
        for _ in range(2):  # the remembered id; if refused, the one a new upload gives
            known = self._uploads.get(key)
            if known is None and key in self._uploading:  # the same bytes are on their way
                known = await asyncio.shield(self._uploading[key])
            if known is None:
                break
            try:
                return await self._send_file(chat_id, part, known, markup, replying, paid, gate)
            except BadRequest:  # the id is no longer good for this bot: upload again
                if self._uploads.get(key) == known:
                    del self._uploads[key]
        # No await from here until the upload is registered: a send whose id was refused at
        # the same moment finds it and waits for it instead of uploading too.
        done: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()
        self._uploading.setdefault(key, done)
        try:
            upload = InputFile(file.data, filename=file.name)
            message = await self._send_file(chat_id, part, upload, markup, replying, paid, gate)
            self._remember(key, message)
        finally:
            if self._uploading.get(key) is done:
                del self._uploading[key]
            if not done.done():
                done.set_result(self._uploads.get(key))
        return message

    def _remember(self, key: str, message: Message) -> str | None:
        """Keep the file id Telegram gave an upload, so the same bytes (a committee's weekly
        chart, a document sent to a whole cell) go to the next chat by reference."""
        held = message.photo[-1] if message.photo else message.document
        if held is None:
            return None
        self._uploads[key] = held.file_id
        self._uploads.move_to_end(key)
        while len(self._uploads) > UPLOADS_KEPT:
            self._uploads.popitem(last=False)
        return held.file_id

    async def _send_file(
        self,
        chat_id: str | int,
        part: FilePart,
        source: InputFile | str,
        markup: ReplyMarkup | None,
        replying: ReplyParameters | None,
        paid: bool | None,
        gate: CallGate | None = None,
    ) -> Message:
        file = part.file
        if file.kind == "photo":
            return await self.call(
                "sendPhoto",
                lambda: self.bot.send_photo(
                    chat_id,
                    source,
                    caption=part.caption_html,
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup,
                    reply_parameters=replying,
                    allow_paid_broadcast=paid,
                ),
                gate=gate,
            )
        return await self.call(
            "sendDocument",
            lambda: self.bot.send_document(
                chat_id,
                source,
                caption=part.caption_html,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
                reply_parameters=replying,
                allow_paid_broadcast=paid,
            ),
            gate=gate,
        )

    async def answer(self, query_id: str, notice: str | None) -> bool:
        """Stop the button's spinner; `notice` shows as a short toast. Failure is only logged."""
        try:
            await self.call(
                "answerCallbackQuery",
                lambda: self.bot.answer_callback_query(query_id, text=notice),
            )
        except TelegramError as error:
            log.warning("telegram answerCallbackQuery failed: %s", error)
            return False
        return True

    async def show_choice(self, message: MaybeInaccessibleMessage, label: str) -> None:
        """Replace the keyboard with the choice, so the same prompt cannot be answered twice."""
        chat_id, message_id = message.chat.id, message.message_id
        original = message.text if isinstance(message, Message) else None
        try:
            if original is not None:
                await self.call(
                    "editMessageText",
                    lambda: self.bot.edit_message_text(
                        escape(chosen_text(original, label)),
                        chat_id=chat_id,
                        message_id=message_id,
                        parse_mode=ParseMode.HTML,
                    ),
                )
            else:
                await self.call(
                    "editMessageReplyMarkup",
                    lambda: self.bot.edit_message_reply_markup(
                        chat_id=chat_id, message_id=message_id, reply_markup=None
                    ),
                )
        except TelegramError as error:
            # Too old to edit, or edited already by a quicker tap: the core has decided anyway.
            log.info("telegram could not mark the choice in chat %s: %s", chat_id, error)

    async def set_commands(
        self, commands: Sequence[tuple[str, str]], chat_id: int | str | None = None
    ) -> None:
        """The `/` menu: everyone's (default scope) or one chat's."""
        scope = BotCommandScopeChat(chat_id) if chat_id is not None else BotCommandScopeDefault()
        listed = [BotCommand(name, description) for name, description in commands]
        await self.call("setMyCommands", lambda: self.bot.set_my_commands(listed, scope=scope))

    async def delete_commands(self, chat_id: int | str) -> None:
        """Back to the default list for this chat."""
        scope = BotCommandScopeChat(chat_id)
        await self.call("deleteMyCommands", lambda: self.bot.delete_my_commands(scope=scope))


async def _bounded(action: Callable[[], Awaitable[T]], deadline: float | None) -> T:
    """`action()`, given up after `deadline` seconds (None: the HTTP client's timeouts alone)
    as a timeout: the message may still arrive, exactly as when the client gives up."""
    if deadline is None:
        return await action()
    try:
        async with asyncio.timeout(deadline):
            return await action()
    except TimeoutError:
        raise TimedOut(f"no answer within {deadline:g} s") from None


def _classify(result: SendResult, error: TelegramError) -> None:
    """Mark what kind of failure ended the send (see `SendResult`)."""
    if isinstance(error, RetryAfter):
        result.retry_after = retry_after_seconds(error)
    elif isinstance(error, InvalidToken):
        result.token_rejected = True
    elif isinstance(error, NetworkError) and not isinstance(error, BadRequest):
        result.transient = True
        result.timed_out = isinstance(error, TimedOut)
    elif type(error) is TelegramError:  # an answer that was not the API's JSON (a proxy page)
        result.transient = True
