"""One Zalo update through the core and back out: shared by polling and the webhook.

The core is synchronous and talks to the database, so it runs in a worker thread; the event
loop keeps polling, answering webhooks and sending meanwhile. No database transaction is open
while anything is sent: the core's session is closed before the first HTTP call.

The replies to one update go out as one turn of the token's account in this process
(`bot.delivery.account.TokenAccount.turn`), when the assembly has one: they share the token's
send window and the chat's pace with the delivery worker's broadcasts, first in line.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from contextlib import AbstractAsyncContextManager

from bot.app import App
from bot.delivery.account import CallGate, account_for
from bot.zalo.client import ZaloClient
from bot.zalo.incoming import CHANNEL, incoming_from_update
from bot.zalo.public_urls import public_url_hook
from bot.zalo.render import PhotoUrlFor
from bot.zalo.sender import OnBlocked, ZaloSender
from bot.zalo.updates import ZaloUpdate
from handlers.messages import OutFile, Reply, Response
from models import Database, utcnow
from services.identities import mark_blocked

log = logging.getLogger(__name__)


async def handle_update(app: App, sender: ZaloSender, update: ZaloUpdate) -> Response | None:
    """Answer one update; None when it was nothing to answer (a bot, an empty event)."""
    incoming = incoming_from_update(update)
    if incoming is None:
        log.debug("zalo %s ignored", update.event_name)
        return None
    response = await asyncio.to_thread(app.core.handle, incoming)
    replies = list(response.replies)
    if not replies and response.notice:
        # Zalo has no button toasts: the notice is said as a message.
        replies = [Reply(text=response.notice)]
    if not replies:
        return response
    async with reply_turn(app, incoming.chat_id) as gate:
        for reply in replies:
            result = await sender.send(incoming.chat_id, reply, gate=gate)
            if not result.ok:
                break
    return response


def reply_turn(app: App, chat_id: str) -> AbstractAsyncContextManager[CallGate | None]:
    """The replies to one update, as one turn of the token's account in this process: they
    wait for the chat's pace and take places in the token's window (no account: no waiting)."""
    token = app.settings.zalo_bot_token
    account = None if token is None else account_for(app.db, CHANNEL, token.get_secret_value())
    if account is None:
        return contextlib.nullcontext(None)
    return account.turn(chat_id)


def blocked_marker(db: Database) -> OnBlocked:
    """`on_blocked` for a sender: the member's Zalo identity stops receiving until they write."""

    def mark(chat_id: str) -> None:
        with db.session() as session:
            mark_blocked(session, CHANNEL, chat_id, now=utcnow())

    async def on_blocked(chat_id: str) -> None:
        try:
            await asyncio.to_thread(mark, chat_id)
        except Exception:
            log.exception("could not mark zalo chat %s as blocked", chat_id)

    return on_blocked


def build_sender(
    app: App, client: ZaloClient, *, photo_url_for: PhotoUrlFor | None = None
) -> ZaloSender:
    """The interactive sender (polling and webhook): generated charts and documents (minutes,
    the `/thongke` spreadsheet) are published under PUBLIC_BASE_URL as the delivery worker
    does, so a member gets a file the same way whichever path it takes, unless
    `photo_url_for` says otherwise."""
    hook = photo_url_for or public_url_hook(app.settings, app.db)
    return ZaloSender(client, photo_url_for=_or_none(hook), on_blocked=blocked_marker(app.db))


def _or_none(hook: PhotoUrlFor) -> PhotoUrlFor:
    """A reply to a member who is waiting is not retried later (unlike an outbox row): if the
    file cannot be published, they get the text and the note now rather than nothing."""

    async def url_for(file: OutFile) -> str | None:
        try:
            return await hook(file)
        except Exception:
            log.exception("zalo: %s not published, sent as a note", file.name)
            return None

    return url_for
