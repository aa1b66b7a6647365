"""Channel-neutral conversation flows, one module per feature, each with a `register(registry)`.

Which features exist, and in which order their commands appear in the menus, is decided by the
app's wiring list (`bot.features`), not here: `build_registry` takes the registrations it is
given, and importing a handler module registers nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from handlers.context import CoreConfig
from handlers.core import Core
from handlers.onboarding import try_invite
from handlers.registry import Registry
from models import Database, utcnow

Registration = Callable[[Registry], None]


def build_registry(registrations: Iterable[Registration]) -> Registry:
    """One registry from the features' `register` functions, in menu order; every flow's
    steps are checked as it is registered, so a misspelt step fails here, at start-up."""
    registry = Registry()
    for register in registrations:
        register(registry)
    registry.check()
    return registry


def build_core(
    db: Database,
    registry: Registry,
    config: CoreConfig | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> Core:
    return Core(db, registry, config=config, clock=clock, onboarding=try_invite)
