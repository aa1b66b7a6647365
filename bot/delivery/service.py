"""Workers from the settings: `sotay run` starts one per configured channel, `sotay worker` more.

Each worker owns its transport (its own HTTP connection pool and, for Telegram, its own `Bot`),
so it works the same inside the bot process and in a process of its own. A worker built in an
assembly that has accounts of its tokens (`rate_accounts`, made by `bot.app.build_app`) sends
through the same account as the adapters' replies of that process.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from bot.delivery.account import (
    RateAccounts,
    TokenAccount,
    account_for,
    default_scope_id,
    rate_key,
    share_accounts,
)
from bot.delivery.chats import ChatStore
from bot.delivery.claims import Pace
from bot.delivery.engine import DeliveryWorker
from bot.delivery.heartbeat import DEFAULT_HEARTBEAT
from bot.delivery.transports import (
    Transport,
    remote_url_only,
    telegram_transport,
    zalo_transport,
)
from bot.settings import Settings
from bot.zalo.public_urls import public_url_hook
from models import Channel, Database, utcnow

log = logging.getLogger(__name__)

TELEGRAM_GROUP_PREFIX = "-"  # Telegram group and channel chat ids are negative


@dataclass(frozen=True)
class WorkerOptions:
    """Knobs beyond the settings, for the CLI, tests and the benchmark."""

    concurrency: int = 100
    poll_interval: float = 0.25
    request_timeout: float = 10.0


def configured_channels(settings: Settings) -> list[str]:
    """Channels with a token, in a fixed order."""
    channels = []
    if settings.telegram_bot_token is not None:
        channels.append(Channel.TELEGRAM.value)
    if settings.zalo_bot_token is not None:
        channels.append(Channel.ZALO.value)
    return channels


def pace_for(settings: Settings, channel: str) -> Pace:
    """Telegram: the token's rate (1000/s with paid broadcast), 1/s per private chat, 20/min
    per group. Zalo publishes no numbers: its configured rate and 1/s per chat."""
    if channel == Channel.TELEGRAM:
        return Pace(
            settings.telegram_send_rate,
            private_interval=1.0,
            group_interval=3.0,
            group_prefix=TELEGRAM_GROUP_PREFIX,
        )
    return Pace(settings.zalo_rate_per_second, private_interval=1.0)


def token_of(settings: Settings, channel: str) -> str:
    secret = settings.telegram_bot_token if channel == Channel.TELEGRAM else settings.zalo_bot_token
    assert secret is not None, f"{channel} has no token"
    return secret.get_secret_value()


def rate_accounts(
    settings: Settings,
    db: Database,
    *,
    clock: Callable[[], datetime] = utcnow,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> RateAccounts:
    """One account per configured token for this process, shared from now on by everything
    built on `db`: the adapters' replies and the delivery workers (`account.share_accounts`).
    Each also tells other processes, through the database, what they must know of its
    replies (`chats.ChatStore`)."""
    accounts = RateAccounts()
    scope = default_scope_id()
    for channel in configured_channels(settings):
        pace = pace_for(settings, channel)
        key = rate_key(channel, token_of(settings, channel))
        store = ChatStore(db, channel=channel, rate_key=key, pace=pace, scope_id=scope)
        accounts.add(
            TokenAccount(
                pace,
                channel=channel,
                rate_key=key,
                clock=clock,
                sleep=sleep,
                store=store,
                scope_id=scope,
            )
        )
    return share_accounts(db, accounts)


def build_transport(
    settings: Settings, channel: str, options: WorkerOptions, db: Database | None = None
) -> Transport:
    """The channel's transport. With `db`, Zalo publishes generated images under
    PUBLIC_BASE_URL (`bot.zalo.public_urls`); without it only URL files go as photos."""
    if channel == Channel.TELEGRAM:
        assert settings.telegram_bot_token is not None
        return telegram_transport(
            settings.telegram_bot_token.get_secret_value(),
            settings.telegram_api_base,
            paid_broadcast=settings.telegram_paid_broadcast,
            connections=options.concurrency,
            timeout=options.request_timeout,
        )
    assert settings.zalo_bot_token is not None
    photo_url_for = remote_url_only if db is None else public_url_hook(settings, db)
    return zalo_transport(
        settings.zalo_bot_token.get_secret_value(),
        settings.zalo_api_base,
        timeout=options.request_timeout,
        photo_url_for=photo_url_for,
    )


def build_worker(
    settings: Settings, db: Database, channel: str, options: WorkerOptions | None = None
) -> DeliveryWorker:
    options = options or WorkerOptions()
    return DeliveryWorker(
        db,
        build_transport(settings, channel, options, db),
        pace=pace_for(settings, channel),
        lease=timedelta(seconds=settings.delivery_lease_seconds),
        max_attempts=settings.delivery_max_attempts,
        exports_dir=Path(settings.exports_dir),
        concurrency=options.concurrency,
        poll_interval=options.poll_interval,
        account=account_for(db, channel, token_of(settings, channel)),
        heartbeat=DEFAULT_HEARTBEAT,
    )


async def serve_worker(worker: DeliveryWorker, stop: asyncio.Event) -> None:
    """Check the token, send until `stop`, close the connections. Raises `TokenRejected`."""
    transport = worker.transport
    await transport.start()
    try:
        await worker.run(stop)
    finally:
        await transport.close()


async def serve_workers(
    settings: Settings,
    db: Database,
    stop: asyncio.Event,
    channels: Sequence[str],
    options: WorkerOptions | None = None,
) -> None:
    """One worker per channel until `stop`; if one fails for good the others stop too."""
    workers = [build_worker(settings, db, channel, options) for channel in channels]
    tasks = [asyncio.create_task(serve_worker(w, stop)) for w in workers]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
    finally:
        stop.set()
        await asyncio.wait(tasks)
    for task in tasks:
        error = task.exception()
        if error is not None:
            raise error
