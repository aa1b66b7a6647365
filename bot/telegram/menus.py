"""Menus that fit the member's role: the `/` command list and the reply-keyboard main menu.

Everyone gets the member's commands (default scope). A chat linked to a secretary or a committee
member gets its own list (BotCommandScopeChat), computed from the registry by section
(`Registry.menu`): the same commands `/help` offers by topic, so the two never disagree. Roles
change outside the chat (an admin's import), so a linked chat is looked up again after `ttl`
seconds; an unlinked chat on every update (it is about to link). What was last applied is
remembered per process: after a restart each chat's list is applied once more, which is
idempotent.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

from sqlmodel import select

from handlers.registry import Audience, Command, Registry
from models import Channel, ChatIdentity, Database, Member
from services import texts
from services.auth import Actor, load_actor

CommandList = tuple[tuple[str, str], ...]

CANCEL_ENTRY = ("huy", texts.CMD_CANCEL)  # handled by the core itself, not in the registry
MAIN_MENU: tuple[tuple[str, str], ...] = (
    (texts.TG_BUTTON_MENU, "/help"),
    (texts.TG_BUTTON_PROFILE, "/toi"),
    (texts.TG_BUTTON_CELL, "/chibo"),
)


def main_menu(registry: Registry) -> dict[str, str]:
    """Reply-keyboard label → the command it sends, for the commands that exist."""
    return {label: command for label, command in MAIN_MENU if registry.find(command[1:])}


def _listed(commands: list[Command]) -> CommandList:
    return (*((c.name, c.description) for c in commands if c.in_menu), CANCEL_ENTRY)


def member_commands(registry: Registry) -> CommandList:
    return _listed([c for c in registry.commands() if c.audience is Audience.MEMBER])


def commands_for(registry: Registry, actor: Actor) -> CommandList:
    """The actor's list, section by section: each command once, the ones /help offers."""
    return _listed([c for _section, commands in registry.menu(actor) for c in commands])


def actor_for_user(db: Database, user_id: str) -> Actor | None:
    """The member behind a Telegram account, read-only; None while it is not linked."""
    with db.session() as session:
        identity = session.exec(
            select(ChatIdentity)
            .where(ChatIdentity.channel == Channel.TELEGRAM)
            .where(ChatIdentity.external_id == user_id)
        ).first()
        if identity is None or identity.member_id is None:
            return None
        member = session.get(Member, identity.member_id)
        return load_actor(session, member) if member is not None else None


@dataclass
class _Seen:
    commands: CommandList | None
    checked_at: float
    keyboard: bool = False


@dataclass(frozen=True)
class MenuChange:
    """What to do for one chat after an update. Empty when nothing changed."""

    keyboard: Literal["show", "remove"] | None = None
    commands: CommandList | None = None
    reset_commands: bool = False


class MenuSync:
    """Per-chat memory of the applied menu. Used from the event loop only; lookups run in a
    worker thread and hand their result back to `observe`."""

    def __init__(
        self,
        registry: Registry,
        db: Database,
        *,
        ttl: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.registry = registry
        self.db = db
        self.ttl = ttl
        self.clock = clock
        self.default = member_commands(registry)
        self.buttons: Mapping[str, str] = main_menu(registry)
        self._seen: dict[str, _Seen] = {}

    def due(self, chat_id: str) -> bool:
        seen = self._seen.get(chat_id)
        return seen is None or seen.commands is None or self.clock() - seen.checked_at >= self.ttl

    def lookup(self, user_id: str) -> CommandList | None:
        """Blocking: call it in a worker thread."""
        actor = actor_for_user(self.db, user_id)
        return commands_for(self.registry, actor) if actor is not None else None

    def observe(
        self, chat_id: str, found: CommandList | None, *, want_keyboard: bool
    ) -> MenuChange:
        """Compare a fresh lookup with what this chat was last given."""
        before = self._seen.get(chat_id)
        linked_before = before is not None and before.commands is not None
        seen = _Seen(
            found, self.clock(), keyboard=linked_before and bool(before and before.keyboard)
        )
        self._seen[chat_id] = seen
        if found is None:
            if linked_before:
                return MenuChange(keyboard="remove", reset_commands=True)
            return MenuChange()
        commands: CommandList | None = None
        reset = False
        if before is None or before.commands != found:
            if found == self.default:
                reset = True
            else:
                commands = found
        keyboard: Literal["show"] | None = "show" if want_keyboard or not seen.keyboard else None
        return MenuChange(keyboard=keyboard, commands=commands, reset_commands=reset)

    def unchanged(self, chat_id: str, *, want_keyboard: bool) -> MenuChange:
        """No lookup this time: only the keyboard may need showing again."""
        seen = self._seen.get(chat_id)
        if seen is not None and seen.commands is not None and (want_keyboard or not seen.keyboard):
            return MenuChange(keyboard="show")
        return MenuChange()

    def keyboard_shown(self, chat_id: str) -> None:
        seen = self._seen.get(chat_id)
        if seen is not None:
            seen.keyboard = True
