"""Channel-neutral conversation flows; `build_core` wires them into one `Core`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from handlers import committee, common, directives, meetings, member, results, secretary
from handlers import stats as stats_commands
from handlers.context import CoreConfig
from handlers.core import Core
from handlers.onboarding import try_invite
from handlers.registry import Registry
from models import Database, utcnow


def build_registry() -> Registry:
    """All commands, in menu order. The one place where handlers are wired."""
    registry = Registry()
    common.register(registry)
    member.register(registry)
    secretary.register(registry)
    directives.register(registry)
    meetings.register(registry)
    results.register(registry)
    committee.register(registry)
    stats_commands.register(registry)
    return registry


def build_core(
    db: Database, config: CoreConfig | None = None, clock: Callable[[], datetime] = utcnow
) -> Core:
    return Core(db, build_registry(), config=config, clock=clock, onboarding=try_invite)
