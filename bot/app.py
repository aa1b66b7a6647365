"""Assembly: settings → database (migrated) → core. Every entry point builds through here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import migrations
from bot import features
from bot.features import build_core
from bot.settings import Settings, invite_secret
from handlers.context import CoreConfig
from handlers.core import Core
from models import Database
from scheduler.claims import Job
from services.offers import Offers


@dataclass
class App:
    """What a process serves: its settings, database, the core of every feature's
    conversations and every feature's scheduled work (both from the wiring list)."""

    settings: Settings
    db: Database
    core: Core
    jobs: tuple[Job, ...] = field(default_factory=features.jobs)
    offers: Offers = field(default_factory=features.offers)


def core_config(settings: Settings) -> CoreConfig:
    return CoreConfig(
        invite_ttl=timedelta(days=settings.invite_ttl_days),
        conversation_ttl=timedelta(minutes=settings.conversation_ttl_minutes),
        telegram_bot_username=settings.telegram_bot_username,
        tz=settings.tz,
        invite_secret=invite_secret(settings),
    )


def open_database(settings: Settings, *, migrate: bool = True) -> Database:
    """The database, brought to the current schema first (idempotent, cheap when up to date)."""
    if migrate:
        migrations.upgrade(settings.database_url)
    return Database(settings.database_url)


def build_app(settings: Settings, *, migrate: bool = True) -> App:
    db = open_database(settings, migrate=migrate)
    if settings.telegram_bot_token is not None or settings.zalo_bot_token is not None:
        # One account of each token for the process: the adapters' replies and the delivery
        # workers built on this database send through it (docs/delivery.md).
        from bot.delivery.service import rate_accounts

        rate_accounts(settings, db)
    return App(settings=settings, db=db, core=build_core(db, core_config(settings)))
