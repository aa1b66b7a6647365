"""The per-update context a handler works with, and the base of multi-step flows."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from handlers.messages import Incoming, IncomingFile, Option, OutFile, Reply
from models import ConversationState, Unit
from services import texts
from services.auth import Actor, Permission, authorize
from services.buttons import ButtonPayload
from services.offers import Offers
from services.questions import PROMPT

# Where the step's typed answer goes when options are on offer (see `Ctx.ask`).
TYPED_STEP = "_typed_step"

# A core built without settings (tests, benchmarks) hashes invite codes with a key made for
# this process: never stored nor known, so such codes die with the process, never guessable.
_PROCESS_INVITE_SECRET = secrets.token_urlsafe(32)


@dataclass(frozen=True)
class CoreConfig:
    """What the core needs from settings, without depending on the settings module."""

    invite_ttl: timedelta = timedelta(days=14)
    conversation_ttl: timedelta = timedelta(hours=1)
    telegram_bot_username: str | None = None
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Ho_Chi_Minh"))
    # What features offer one another, from the wiring list (`services.offers`).
    offers: Offers = field(default_factory=Offers)
    # The HMAC key of invite codes (INVITE_SECRET; `bot.settings.invite_secret`).
    invite_secret: str = field(default=_PROCESS_INVITE_SECRET, repr=False)


@dataclass(frozen=True)
class Answer:
    """The user's answer to a step: the chosen option's key, free text, or a file."""

    text: str | None = None
    option: str | None = None
    file: IncomingFile | None = None


@dataclass
class Ctx:
    """Session, actor, state and the replies being built for one update."""

    session: Session
    incoming: Incoming
    now: datetime
    config: CoreConfig
    state: ConversationState
    actor: Actor | None = None
    replies: list[Reply] = field(default_factory=list)
    chosen: str | None = None  # label of the accepted choice, for channels that edit messages
    # The options just offered must stay the ones numbers answer (the menu the user asked for):
    # nothing waiting is offered after them in this update (`services.questions`).
    keep_options: bool = False
    # The registered flows by name, for `hand_off` (set by the core).
    find_flow: Callable[[str], Flow | None] = field(default=lambda _name: None, repr=False)
    # What the open flow works on, reloaded and re-authorised before each step (`Flow.reload`).
    subject: Any = None

    @property
    def me(self) -> Actor:
        """The linked member; handlers behind the registry always have one."""
        assert self.actor is not None
        return self.actor

    @property
    def data(self) -> dict[str, Any]:
        return self.state.data

    def require(self, permission: Permission, unit: Unit | None = None) -> None:
        authorize(self.me, permission, unit)

    def say(self, text: str, options: Sequence[Option] = (), file: OutFile | None = None) -> None:
        self.replies.append(Reply(text=text, options=tuple(options), file=file))

    def menu(self, text: str, commands: Sequence[tuple[str, str]]) -> None:
        """Offer commands (payload `/name`) or declared buttons (`services.buttons`) as
        options, outside any flow: those are all a pick outside a flow can run."""
        for cmd, _label in commands:
            if not (cmd.startswith("/") or isinstance(cmd, ButtonPayload)):
                raise ValueError(f"menu option {cmd!r} is neither a command nor a button")
        self._clear_flow()
        self.state.options = [[cmd, label] for cmd, label in commands]
        self.state.nonce = None
        self.say(text, [Option(cmd, label) for cmd, label in commands])

    def ask(
        self,
        flow: str,
        step: str,
        text: str,
        options: Sequence[tuple[str, str]] = (),
        *,
        data: dict[str, Any] | None = None,
        accepts_file: bool = False,
        typed_step: str | None = None,
    ) -> None:
        """Put the user at `step` of `flow`. With options, one of them is accepted, or, with
        `typed_step`, words typed instead, which that step takes as its free answer (a reason
        typed at the reason menu); without options, free text is (and a file, with
        `accepts_file`). Each prompt gets a new nonce so older buttons turn stale."""
        nonce = secrets.token_hex(3)
        self.state.flow = flow
        self.state.step = step
        if data is not None:
            self.state.data = dict(data)
        else:
            self.state.data = dict(self.state.data)
        self.state.options = [[key, label] for key, label in options]
        self.state.nonce = nonce
        # The question is kept with the step, so that a task set aside (the menu opened in the
        # middle of it) can be asked again as it was.
        self.state.data = {
            **self.state.data,
            "_accepts_file": accepts_file,
            PROMPT: text,
            TYPED_STEP: typed_step if options else None,
        }
        self.state.expires_at = self.now + self.config.conversation_ttl
        self.say(text, [Option(f"{nonce}:{key}", label) for key, label in options])

    def hand_off(self, flow: str, args: str = "") -> None:
        """Start the flow registered as `flow` (its `begin`), by name: one flow passes the user
        to another without importing it, and a missing name fails the app's start-up check
        (`Registry.check`), not a user's update."""
        target = self.find_flow(flow)
        if target is None:
            raise LookupError(f"no flow named {flow!r} is registered")
        target.begin(self, args)

    def update_data(self, **values: Any) -> None:
        self.state.data = {**self.state.data, **values}

    def finish(self) -> None:
        self._clear_flow()
        self._set(options=[], nonce=None)

    def _clear_flow(self) -> None:
        self._set(flow=None, step=None, data={}, expires_at=None)

    def _set(self, **values: Any) -> None:
        """Assign only what differs: an assignment marks the row dirty even when the value is
        the same, and a dirty row costs a flush on every update (most updates end a flow that
        was never open)."""
        for name, value in values.items():
            if getattr(self.state, name) != value:
                setattr(self.state, name, value)


class Flow:
    """A multi-step conversation. Subclasses implement `begin` and one `step_<name>` per step.

    A flow must re-check authorization on every step: a pressed button is untrusted input.
    """

    name: str = ""

    def begin(self, ctx: Ctx, args: str) -> None:
        raise NotImplementedError

    def reload(self, ctx: Ctx) -> bool:
        """Before every step: reload what the flow works on from `ctx.data` and re-authorise
        the actor over it (the state may be old, a role lost, the record gone), keeping it in
        `ctx.subject`. False when it is gone: the flow has been ended and the user told why.
        One place, instead of the same check at the top of each step; nothing by default."""
        return True

    def resume(self, ctx: Ctx, answer: Answer) -> None:
        handler = getattr(self, f"step_{ctx.state.step}", None)
        if handler is None:
            ctx.finish()
            ctx.say(texts.SESSION_EXPIRED)
            return
        if not self.reload(ctx):
            return
        handler(ctx, answer)
