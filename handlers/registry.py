"""Commands and flows, registered in one place so menus, help and dispatch agree."""

from __future__ import annotations

import ast
import difflib
import inspect
import re
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum

from handlers.context import Ctx, Flow
from services.auth import Actor, Permission, allows
from services.buttons import ButtonId
from services.textnorm import fold

# Spaces, punctuation and underscores vanish when a message is read as a command name.
_COMMAND_WORD = re.compile(r"[\W_]+")
MAX_WORD = 32


class Audience(StrEnum):
    """Which menu a command belongs to; also the permission it needs to be offered."""

    MEMBER = "member"
    SECRETARY = "secretary"
    COMMITTEE = "committee"
    ADMIN = "admin"
    LEADER = "leader"  # secretaries and committees alike: one command in both menus


AUDIENCE_PERMISSION = {
    Audience.MEMBER: Permission.MEMBER,
    Audience.SECRETARY: Permission.MANAGE_CELL,
    Audience.COMMITTEE: Permission.OVERSEE,
    Audience.ADMIN: Permission.ADMIN,
    Audience.LEADER: Permission.LEAD,
}

# The menu sections, in the order /help and the channels' command lists show them.
SECTIONS = (Audience.MEMBER, Audience.SECRETARY, Audience.COMMITTEE, Audience.ADMIN)

# An audience that spans several sections: its commands are listed once, in the first of these
# sections the actor belongs to (a secretary who also sits on a committee sees /chidao once).
AUDIENCE_SECTIONS: dict[Audience, tuple[Audience, ...]] = {
    Audience.LEADER: (Audience.SECRETARY, Audience.COMMITTEE),
}


class Topic(StrEnum):
    """A heading of the /help menu: its first screen lists topics, a topic lists its commands.

    The value travels in the topic's button (`services.menu.MENU`, `menu:<value>`) and sits in
    members' chats: keep it short and never rename one (an unknown value is a stale button).
    """

    MEETINGS = "sinhhoat"
    DIRECTIVES = "chidao"
    STUDY = "hoctap"
    FEES = "dangphi"
    LOOKUP = "tracuu"
    PERSONAL = "canhan"
    CELL = "quanly"  # the secretary's own tools
    COMMITTEE = "capuy"  # the committee's tools over the units below
    ADMIN = "quantri"


# A command that names no topic is filed under its menu section's: a member's under "Cá nhân",
# a secretary's under "Quản lý chi bộ", a committee's under "Cấp ủy cấp trên" (a LEADER command
# under the first of those the actor belongs to, as `Command.section` lists it).
SECTION_TOPICS = {
    Audience.MEMBER: Topic.PERSONAL,
    Audience.SECRETARY: Topic.CELL,
    Audience.COMMITTEE: Topic.COMMITTEE,
    Audience.ADMIN: Topic.ADMIN,
}

# The command that opens the menu: on the channels' command lists, never an option inside it.
MENU_COMMAND = "help"
# Options on one screen of the menu ("Quay lại" included): what a phone shows without scrolling,
# and what a member picking by number on Zalo can take in.
MAX_MENU_OPTIONS = 10


@dataclass(frozen=True)
class Command:
    """A slash command. `private` ones never answer in a group (they show personal data)."""

    name: str
    description: str
    audience: Audience
    run: Callable[[Ctx, str], None]
    aliases: tuple[str, ...] = ()
    private: bool = True
    in_menu: bool = True
    # Who else may run it, beyond its audience (the cell's fee collector, named by the
    # secretary, for `/dangphi_quanly`): asked only when the audience's permission is lacking.
    # The menu still lists the command by audience alone.
    also: Callable[[Ctx], bool] | None = None
    # The /help topic it is listed under; None: its menu section's (`SECTION_TOPICS`).
    topic: Topic | None = None
    # Also on the menu's first screen, before the topics: what members open most, in one tap.
    shortcut: bool = False

    @property
    def permission(self) -> Permission:
        return AUDIENCE_PERMISSION[self.audience]

    def permits(self, ctx: Ctx) -> bool:
        """Whether the actor may run it: the audience's permission, or `also`."""
        return allows(ctx.me, self.permission) or (self.also is not None and self.also(ctx))

    def section(self, actor: Actor) -> Audience | None:
        """The menu section this command is listed in for the actor; None if not offered."""
        for audience in AUDIENCE_SECTIONS.get(self.audience, (self.audience,)):
            if allows(actor, AUDIENCE_PERMISSION[audience]):
                return audience
        return None

    def topic_for(self, actor: Actor) -> Topic | None:
        """The /help topic this command is listed under for the actor; None if not offered."""
        section = self.section(actor)
        if section is None:
            return None
        return self.topic or SECTION_TOPICS[section]


@dataclass(frozen=True)
class Action:
    """A button that lives outside any conversation: it travels on a broadcast message (an
    invitation's "Sẽ dự", a directive's "Đã nhận") as `prefix:arg:arg`.

    It is stateless, so `run` must re-check everything: that the record exists, that the actor
    may act on it, and that the action is still open. A forged payload must change nothing.
    """

    button: ButtonId
    run: Callable[[Ctx, list[str]], None]

    @property
    def prefix(self) -> str:
        return self.button.prefix


@dataclass(frozen=True)
class TextRoute:
    """Plain text that means something outside any flow, e.g. a check-in code read out in the
    meeting room. Tried, in registration order, only for a linked member in a private chat when
    no flow is waiting and no offered option matched; the first route that `matches` runs."""

    name: str
    matches: Callable[[str], bool]
    run: Callable[[Ctx, str], None]


# A class's source does not change while the process runs: parse it once, however many
# registries are built (every test builds one).
_PARSED: dict[str, ast.Module] = {}


def _parsed(klass: type) -> ast.Module:
    key = f"{klass.__module__}.{klass.__qualname__}"
    if key not in _PARSED:
        _PARSED[key] = ast.parse(textwrap.dedent(inspect.getsource(klass)))
    return _PARSED[key]


def _calls(flow_class: type[Flow], method: str) -> Iterator[ast.Call]:
    """Every `<x>.method(…)` call in the source of a flow class and its bases in this package."""
    for klass in flow_class.__mro__:
        if klass is Flow or not issubclass(klass, Flow):
            continue
        for node in ast.walk(_parsed(klass)):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == method
            ):
                yield node


def _literal(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def asked_steps(flow_class: type[Flow]) -> frozenset[str]:
    """The steps a flow's code puts users at: the literal step of every `ctx.ask(self.name,
    "step", …)` and every `typed_step="…"`, read from its source (and its bases' in this
    package), so a misspelt step is found when the flow is registered, at start-up."""
    steps: set[str] = set()
    for call in _calls(flow_class, "ask"):
        owner = call.args[0] if call.args else None
        if not (isinstance(owner, ast.Attribute) and owner.attr == "name"):
            continue
        if not (isinstance(owner.value, ast.Name) and owner.value.id == "self"):
            continue
        if len(call.args) > 1 and (step := _literal(call.args[1])) is not None:
            steps.add(step)
        for keyword in call.keywords:
            if keyword.arg == "typed_step" and (typed := _literal(keyword.value)) is not None:
                steps.add(typed)
    return frozenset(steps)


def handed_to(flow_class: type[Flow]) -> frozenset[str]:
    """The flows a flow's code hands the user to (`ctx.hand_off(NAME, …)`), by literal name or a
    module-level constant, so `Registry.check` can find a missing one at start-up."""
    names: set[str] = set()
    module = inspect.getmodule(flow_class)
    for call in _calls(flow_class, "hand_off"):
        if not call.args:
            continue
        target = call.args[0]
        name = _literal(target)
        if name is None and isinstance(target, ast.Name) and module is not None:
            value = getattr(module, target.id, None)
            name = value if isinstance(value, str) else None
        if name is not None:
            names.add(name)
    return frozenset(names)


class Registry:
    def __init__(self) -> None:
        self._commands: dict[str, Command] = {}
        self._ordered: list[Command] = []
        self._flows: dict[str, Flow] = {}
        self._actions: dict[str, Action] = {}
        self._text_routes: list[TextRoute] = []

    def command(self, command: Command) -> None:
        for name in (command.name, *command.aliases):
            if name in self._commands:
                raise ValueError(f"command /{name} registered twice")
            self._commands[name] = command
        self._ordered.append(command)

    def flow(self, flow: Flow) -> Flow:
        if not flow.name or flow.name in self._flows:
            raise ValueError(f"flow {flow.name!r} has no name or is registered twice")
        missing = sorted(s for s in asked_steps(type(flow)) if not hasattr(flow, f"step_{s}"))
        if missing:  # would end as "session expired" in front of a user: fail at start-up
            raise ValueError(f"flow {flow.name!r} asks steps it has no step_ for: {missing}")
        self._flows[flow.name] = flow
        return flow

    def action(self, action: Action) -> None:
        """Answer a declared button (its prefix is checked where it is declared)."""
        if action.prefix in self._actions:
            raise ValueError(f"button {action.prefix!r} answered twice")
        self._actions[action.prefix] = action

    def actions(self) -> list[Action]:
        return list(self._actions.values())

    def find_action(self, payload: str) -> tuple[Action, list[str]] | None:
        prefix, _, rest = payload.partition(":")
        action = self._actions.get(prefix)
        if action is None:
            return None
        return action, rest.split(":") if rest else []

    def text_route(self, route: TextRoute) -> None:
        self._text_routes.append(route)

    def find_text_route(self, text: str) -> TextRoute | None:
        return next((r for r in self._text_routes if r.matches(text)), None)

    def find(self, name: str) -> Command | None:
        return self._commands.get(name.lower())

    def find_word(self, text: str) -> Command | None:
        """The command a plain-words message names: `lich hop`, `Lịch họp`, `chi dao` or
        `CHIDAO` for /lichhop and /chidao, so members need neither the slash nor diacritics."""
        word = _COMMAND_WORD.sub("", fold(text))
        return self._commands.get(word) if 0 < len(word) <= MAX_WORD else None

    def nearest(self, name: str, actor: Actor) -> Command | None:
        """The command this actor may use that a mistyped name (`/hopp`) most likely meant."""
        usable = {n: c for c in self.available_to(actor) for n in (c.name, *c.aliases)}
        close = difflib.get_close_matches(name.lower(), list(usable), n=1, cutoff=0.75)
        return usable[close[0]] if close else None

    def check(self) -> None:
        """Once every feature has registered: each hand-off names a registered flow."""
        for flow in self._flows.values():
            missing = sorted(n for n in handed_to(type(flow)) if n not in self._flows)
            if missing:
                raise ValueError(f"flow {flow.name!r} hands off to unregistered {missing}")

    def get_flow(self, name: str | None) -> Flow | None:
        return self._flows.get(name) if name else None

    def commands(self) -> list[Command]:
        return list(self._ordered)

    def available_to(self, actor: Actor) -> list[Command]:
        """Commands this actor may use, in registration order (the menu order)."""
        return [c for c in self._ordered if allows(actor, c.permission)]

    def menu_order(self, actor: Actor) -> list[Command]:
        """The listed commands in the order of `menu`: by section, then registration."""
        return [c for _section, commands in self.menu(actor) for c in commands]

    def menu(self, actor: Actor) -> list[tuple[Audience, list[Command]]]:
        """The listed commands (not hidden ones or aliases) by section, as the channels'
        command menus list them (Telegram's `/` list): each command once, empty sections left
        out. /help groups the same commands by topic (`topics`)."""
        listed = [(c.section(actor), c) for c in self.available_to(actor) if c.in_menu]
        menu = [(s, [c for section, c in listed if section is s]) for s in SECTIONS]
        return [(s, commands) for s, commands in menu if commands]

    def topics(self, actor: Actor) -> list[tuple[Topic, list[Command]]]:
        """The listed commands by /help topic, in `Topic` order and, inside one, by section
        (a member's own before a secretary's, before a committee's), then in registration
        order: each command once, topics with nothing for the actor left out, and the menu's
        own command not inside it."""
        listed = [(c.topic_for(actor), c) for c in self.menu_order(actor) if c.name != MENU_COMMAND]
        topics = [(t, [c for topic, c in listed if topic is t]) for t in Topic]
        return [(t, commands) for t, commands in topics if commands]

    def topic(self, actor: Actor, value: str) -> tuple[Topic, list[Command]] | None:
        """One topic's commands for the actor, from the value a button carried; None when it
        names no topic or none of its commands is the actor's (any more)."""
        return next(((t, c) for t, c in self.topics(actor) if t.value == value), None)

    def front(self, actor: Actor) -> tuple[list[Command], list[tuple[Topic, list[Command]]]]:
        """The menu's first screen: the shortcuts (registration order) and the topics.

        Every topic the actor has is there; the shortcuts take the room the topics leave on
        one screen (`MAX_MENU_OPTIONS`), so a member sees the three they open most and a
        secretary who sits on a committee, with more topics, fewer of them. A shortcut that
        is already a topic's only command (offered as that command) is not listed twice.
        """
        topics = self.topics(actor)
        alone = {commands[0].name for _t, commands in topics if len(commands) == 1}
        room = max(MAX_MENU_OPTIONS - len(topics), 0)
        shortcuts = [
            c for _t, commands in topics for c in commands if c.shortcut and c.name not in alone
        ]
        shortcuts = sorted(shortcuts, key=self._ordered.index)[:room]  # registration order
        return shortcuts, topics
