"""Glue for one update: Telegram → `Incoming` → core (in a worker thread) → Telegram.

The adapter decides nothing about the party's rules; it translates, keeps each chat's updates in
order, and makes sure every pressed button is answered. The core is synchronous and touches the
database, so it always runs through `asyncio.to_thread`: the event loop keeps serving other
chats while one waits on the database.

Telegram can deliver an update twice: a webhook post it thinks failed is retried, and updates a
polling process took but never confirmed come again after a restart. Every update the bot acts
on is recorded in `inbound_updates` (keyed by bot id and update id), in webhook and polling mode
alike, and only the first receiver (in any process) handles it. For a message or a button the
core records the key in the update's own transaction (`Core.handle_once`: one transaction and
one thread hop per update); the few updates that never reach the core (a membership change,
button data we could never have sent) ask `bot.inbound_ledger` on their own.

The replies to one update go out as one turn of the token's account in this process
(`bot.delivery.account.TokenAccount.turn`), when the assembly has one: they share the token's
send window and the chat's pace with the delivery worker's broadcasts, first in line.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from telegram import (
    CallbackQuery,
    Chat,
    ChatMember,
    ChatMemberUpdated,
    Message,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import Forbidden
from telegram.ext import Application, ContextTypes, TypeHandler

from bot.delivery.account import CallGate, TokenAccount, account_for
from bot.inbound_ledger import InboundLedger, ledger_key
from bot.telegram.incoming import (
    CHANNEL,
    BotIdentity,
    callback_incoming,
    message_incoming,
)
from bot.telegram.menus import CommandList, MenuChange, MenuSync
from bot.telegram.render import link_keyboard, reply_keyboard
from bot.telegram.sender import ReplyMarkup, SendResult, TelegramSender
from handlers.core import Core, parse_command
from handlers.messages import Incoming, Reply, Response
from models import Database, utcnow
from services import texts
from services.identities import mark_blocked

log = logging.getLogger(__name__)

ALLOWED_UPDATES = (Update.MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER)


@dataclass(frozen=True)
class Served:
    """The core's response, and the chat's command list when it was due for a look."""

    response: Response
    looked_up: bool = False
    commands: CommandList | None = None


class ChatLocks:
    """One lock per chat, dropped when unused: updates run concurrently across chats but in
    order within a chat, so two quick taps never overtake each other's replies."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    def __len__(self) -> int:
        return len(self._locks)


class TelegramAdapter:
    """Registered on a PTB `Application` as a single handler for every update kind we ask for."""

    def __init__(
        self,
        core: Core,
        db: Database,
        sender: TelegramSender,
        menus: MenuSync,
        *,
        clock: Callable[[], datetime] = utcnow,
        ledger: InboundLedger | None = None,
    ) -> None:
        self.core = core
        self.db = db
        self.sender = sender
        self.menus = menus
        self.clock = clock
        self.ledger = ledger or InboundLedger(db, CHANNEL, clock=clock)
        self.locks = ChatLocks()
        self.me: BotIdentity | None = None
        sender.on_blocked = self.mark_blocked
        # The token's account shared with this process's delivery worker (None: replies go
        # as they come, outside any account, as in tests that build the adapter alone).
        self.account: TokenAccount | None = account_for(db, CHANNEL, sender.bot.token)

    def install(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        application.add_handler(TypeHandler(Update, self.on_update))
        application.add_error_handler(self.on_error)

    async def startup(self, me: BotIdentity) -> None:
        """After getMe: remember who we are and publish the member's command list."""
        self.me = me
        try:
            await self.sender.set_commands(self.menus.default)
        except Exception:
            log.exception("telegram setMyCommands (default scope) failed; continuing")

    # -- dispatch -------------------------------------------------------------------------------
    async def on_update(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """One update, in its chat's turn (so a chat's updates keep their order, and the
        seen-before check of one cannot overtake another's handling)."""
        async with self._chat_turn(update):
            if update.callback_query is not None:
                await self._on_callback(update, update.callback_query)
            elif update.message is not None:
                await self._on_message(update, update.message)
            elif update.my_chat_member is not None:
                await self._on_membership(update, update.my_chat_member)

    def _chat_turn(self, update: Update) -> AbstractAsyncContextManager[None]:
        chat = update.effective_chat
        return self.locks.hold(str(chat.id)) if chat is not None else nullcontext()

    async def _first_time(self, update: Update) -> bool:
        """False for an update this bot received before (here or in another process)."""
        key = update_key(self._me(), update)
        if await self.ledger.first_time(key):
            return True
        log.info("telegram update %s received before, dropped", key)
        return False

    async def _on_message(self, update: Update, message: Message) -> None:
        incoming = message_incoming(message, self._me(), self.menus.buttons)
        # Recorded only for a message the bot acts on: group chatter costs no write.
        if incoming is None:
            return
        served = await self._serve(incoming, update)
        if served is None:
            return
        reply_to = message.message_id if incoming.is_group else None
        await self._deliver(incoming, served, reply_to=reply_to)

    async def _on_callback(self, update: Update, query: CallbackQuery) -> None:
        # A repeat is dropped unanswered: the first delivery answered the query already.
        incoming = callback_incoming(query)
        if incoming is None:
            # Data we could never have sent: answer, change nothing, do not bother the core.
            if await self._first_time(update):
                await self.sender.answer(query.id, texts.STALE_BUTTON)
            return
        answered = False
        try:
            served = await self._serve(incoming, update)
            if served is None:
                answered = True  # a repeat: the first delivery answered the query
                return
            response = served.response
            await self.sender.answer(query.id, response.notice)
            answered = True
            if response.chosen is not None and query.message is not None:
                await self.sender.show_choice(query.message, response.chosen)
            await self._deliver(incoming, served)
        finally:
            if not answered:
                await self.sender.answer(query.id, None)

    async def _on_membership(self, update: Update, change: ChatMemberUpdated) -> None:
        """A private chat's user blocked the bot: Telegram says so before any send fails."""
        blocked = change.chat.type == Chat.PRIVATE and change.new_chat_member.status in (
            ChatMember.BANNED,
            ChatMember.LEFT,
        )
        # Marking twice is harmless, but an old "blocked" replayed after the member wrote
        # again would mark a reachable member inactive.
        if blocked and await self._first_time(update):
            await self.mark_blocked(str(change.chat.id))

    # -- the core, off the loop ---------------------------------------------------------------
    async def _serve(self, incoming: Incoming, update: Update) -> Served | None:
        """The core's answer, or None for an update received before (dropped)."""
        key = update_key(self._me(), update)
        look = not incoming.is_group and self.menus.due(incoming.chat_id)
        served = await asyncio.to_thread(self._serve_blocking, incoming, key, look)
        if served is None:
            log.info("telegram update %s received before, dropped", key)
        return served

    def _serve_blocking(self, incoming: Incoming, key: str, look: bool) -> Served | None:
        """The core (which records the update's key in its transaction), then, in the same
        thread hop, the chat's current command list when due and the ledger's purge when
        due."""
        response = self.core.handle_once(incoming, key)
        self.ledger.housekeeping()
        if response is None:
            return None
        if not look:
            return Served(response)
        try:
            return Served(response, True, self.menus.lookup(incoming.user_id))
        except Exception:
            log.exception("telegram menu lookup failed for chat %s", incoming.chat_id)
            return Served(response)

    # -- replies ------------------------------------------------------------------------------
    async def _deliver(
        self, incoming: Incoming, served: Served, *, reply_to: int | None = None
    ) -> None:
        chat_id = incoming.chat_id
        response = served.response
        change = self._menu_change(incoming, served)
        extra: ReplyMarkup | None = None
        if incoming.is_group:
            extra = link_keyboard(texts.TG_OPEN_PRIVATE, f"https://t.me/{self._me().username}")
        elif change.keyboard == "show":
            extra = reply_keyboard(list(self.menus.buttons))
        elif change.keyboard == "remove":
            extra = ReplyKeyboardRemove()
        # The extra markup rides on the last reply that has no buttons of its own.
        carrier = max((i for i, r in enumerate(response.replies) if not r.options), default=-1)
        if response.replies:
            async with self.reply_turn(chat_id) as gate:
                for index, reply in enumerate(response.replies):
                    result = await self.send(
                        chat_id,
                        reply,
                        reply_to=reply_to if index == 0 else None,
                        extra_markup=extra if index == carrier else None,
                        gate=gate,
                    )
                    if result.blocked:
                        return
                    if index == carrier and result.ok and change.keyboard == "show":
                        self.menus.keyboard_shown(chat_id)
        await self._apply_commands(chat_id, change)

    def reply_turn(self, chat_id: str) -> AbstractAsyncContextManager[CallGate | None]:
        """The replies to one update, as one turn of the token's account: they wait for the
        chat's pace and take places in the token's window (None: no account, no waiting)."""
        if self.account is None:
            return nullcontext(None)
        return self.account.turn(chat_id)

    async def send(
        self,
        chat_id: str,
        reply: Reply,
        *,
        reply_to: int | None = None,
        extra_markup: ReplyMarkup | None = None,
        gate: CallGate | None = None,
    ) -> SendResult:
        """Every reply leaves through here and `TelegramSender.send`, inside a `reply_turn`."""
        return await self.sender.send(
            chat_id, reply, reply_to=reply_to, extra_markup=extra_markup, gate=gate
        )

    def _menu_change(self, incoming: Incoming, served: Served) -> MenuChange:
        if incoming.is_group:
            return MenuChange()
        command = parse_command(incoming.text) if incoming.text else None
        want = command is not None and command[0] == "start"  # /start shows the keyboard again
        if not served.looked_up:
            return self.menus.unchanged(incoming.chat_id, want_keyboard=want)
        return self.menus.observe(incoming.chat_id, served.commands, want_keyboard=want)

    async def _apply_commands(self, chat_id: str, change: MenuChange) -> None:
        try:
            if change.commands is not None:
                await self.sender.set_commands(change.commands, chat_id=chat_id)
            elif change.reset_commands:
                await self.sender.delete_commands(chat_id)
        except Exception:
            log.exception("telegram command menu for chat %s not updated", chat_id)

    # -- faults -------------------------------------------------------------------------------
    async def mark_blocked(self, chat_id: str) -> None:
        """Telegram refused a private chat: stop counting the member as reachable."""
        try:
            count = await asyncio.to_thread(self._mark_blocked_blocking, chat_id)
        except Exception:
            log.exception("telegram could not record chat %s as blocked", chat_id)
            return
        log.info("telegram chat %s blocked the bot (%d identities inactive)", chat_id, count)

    def _mark_blocked_blocking(self, chat_id: str) -> int:
        with self.db.session() as session:
            return mark_blocked(session, CHANNEL, chat_id, now=self.clock())

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Whatever escaped a handler: log with context (no text, no token), apologise once."""
        error = context.error
        log.error(
            "telegram update failed (%s): %s",
            describe(update),
            type(error).__name__,
            exc_info=error,
        )
        if not isinstance(update, Update) or isinstance(error, Forbidden):
            return
        chat = update.effective_chat
        if chat is None or chat.type != Chat.PRIVATE:
            return
        try:
            async with self.reply_turn(str(chat.id)) as gate:
                await self.sender.send(chat.id, Reply(text=texts.INTERNAL_ERROR), gate=gate)
        except Exception:
            log.exception("telegram apology to chat %s failed", chat.id)

    def _me(self) -> BotIdentity:
        if self.me is None:
            raise RuntimeError("TelegramAdapter.startup() was not called")
        return self.me


def update_key(me: BotIdentity, update: Update) -> str:
    """The update's key in `inbound_updates`: the bot's id and the update id.

    Update ids are only unique per bot, and several bots (one per unit) may share a database.
    """
    return ledger_key(me.id, update.update_id)


def describe(update: object) -> str:
    """Enough to find an update in Telegram's terms; never its text."""
    if not isinstance(update, Update):
        return type(update).__name__
    kind = next(
        (name for name in ALLOWED_UPDATES if getattr(update, name, None) is not None), "other"
    )
    chat = update.effective_chat.id if update.effective_chat else None
    user = update.effective_user.id if update.effective_user else None
    return f"update_id={update.update_id} kind={kind} chat={chat} user={user}"
