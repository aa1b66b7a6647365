"""The core: an `Incoming` in, a `Response` out, through identity, roles, state and a handler.

Every update gets its own database session and transaction. A handler that fails leaves nothing
half-written (the transaction rolls back) and the user gets a short apology, never a trace.
The core is synchronous; async adapters call it in a worker thread so the event loop never
blocks on the database.

`handle_once` also records the update's key in `inbound_updates` (`services.inbound`) in that
same transaction, so a platform's repeat of an update is handled once across processes, with
one transaction and one thread hop per update instead of two (issue 16).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from handlers.context import TYPED_STEP, Answer, CoreConfig, Ctx
from handlers.messages import Incoming, Option, Reply, Response
from handlers.registry import Registry
from models import ConversationState, Database, utcnow
from services import inbound, questions, texts
from services.errors import Superseded, UserError
from services.identities import identify_in_chat
from services.questions import PROMPT
from services.textnorm import fold, fold_words

log = logging.getLogger(__name__)

_COMMAND = re.compile(r"^/([A-Za-z0-9_]{1,32})(?:@([A-Za-z0-9_]{3,64}))?(?:\s+(.*))?$", re.S)
CANCEL_COMMANDS = frozenset({"huy", "cancel"})
RESUME_COMMANDS = frozenset({"tieptuc", "resume"})
# Where a task set aside by opening the menu waits, in the state's data, until /tieptuc.
PAUSED = questions.PAUSED
MAX_TEXT = 8000  # above any channel's own limit (Telegram 4096): nothing typed is cut
MAX_QUOTED = 300  # words typed at a menu are quoted back up to this length


# The chat's state row, locked (built once: see `services.identities._actor_statement`).
_STATE = (
    select(ConversationState)
    .where(ConversationState.channel == sa.bindparam("channel"))
    .where(ConversationState.chat_id == sa.bindparam("chat_id"))
    .where(ConversationState.user_id == sa.bindparam("user_id"))
    .with_for_update()
)


class _Repeat(Exception):
    """The update's key was in `inbound_updates` already: roll back, answer nothing."""


def parse_command(text: str) -> tuple[str, str | None, str] | None:
    """`/cmd@bot args` → (cmd, bot, args); None when the text is not a command."""
    match = _COMMAND.match(text.strip())
    if not match:
        return None
    return match.group(1).lower(), match.group(2), (match.group(3) or "").strip()


class Core:
    """Channel-neutral dispatcher. One instance per process, shared by every adapter."""

    def __init__(
        self,
        db: Database,
        registry: Registry,
        *,
        config: CoreConfig | None = None,
        clock: Callable[[], datetime] = utcnow,
        onboarding: Callable[[Ctx, str], bool] | None = None,
    ) -> None:
        self.db = db
        self.registry = registry
        self.config = config or CoreConfig()
        self.clock = clock
        self.onboarding = onboarding

    def handle(self, incoming: Incoming) -> Response:
        """Never raises: a failure becomes the apology, logged with context (no secrets)."""
        response = self._run(incoming, None)
        assert response is not None  # only a keyed update can be a repeat
        return response

    def handle_once(self, incoming: Incoming, key: str) -> Response | None:
        """`handle`, for an update the platform may deliver more than once: None when the
        update keyed `key` was received before, here or in another process.

        The key goes into `inbound_updates` in the update's own transaction, at its end:
        exactly one transaction with the key commits, and any other (a repeat racing in
        another process) finds it there, rolls back and answers nothing. On PostgreSQL a
        repeat waits for the first at the account's row lock, so it finds the key committed;
        on SQLite writers are serialised. Inserted last, the key holds SQLite's write lock
        only for the commit, not for the handling. When the handling fails (rolled back),
        the key is recorded in a transaction of its own before the apology goes out, so a
        repeat is not handled as new; if the database cannot record it, the update is
        answered anyway (a rare double answer is the lesser harm).
        """
        if not key or len(key) > inbound.MAX_KEY:
            raise ValueError(f"an update key is 1-{inbound.MAX_KEY} characters")
        return self._run(incoming, key)

    def _run(self, incoming: Incoming, key: str | None) -> Response | None:
        for attempt in range(2):
            try:
                with self.db.session() as session:
                    return self._handle(session, incoming, key)
            except _Repeat:
                return None
            except Superseded as why:
                log.info("update superseded for %s: %s", _where(incoming), why)
                return None if key is not None else Response()
            except UserError as error:
                return self._failed(incoming, key, Response(replies=[Reply(text=error.message)]))
            except sa.exc.IntegrityError:
                # Two updates from one new user raced to create the same rows: run it again.
                if attempt == 0:
                    continue
                log.exception("integrity error twice for %s", _where(incoming))
            except Exception:
                log.exception("handler failed for %s", _where(incoming))
            break
        return self._failed(incoming, key, Response(replies=[Reply(text=texts.INTERNAL_ERROR)]))

    def _failed(self, incoming: Incoming, key: str | None, response: Response) -> Response | None:
        """A rolled-back update's answer, once its key (if any) is recorded on its own."""
        if key is None:
            return response
        try:
            with self.db.session() as session:
                fresh = inbound.first_time(session, incoming.channel, key, self.clock())
        except Exception:
            log.exception("update %s: seen-before check failed, answered anyway", key)
            return response
        return response if fresh else None

    # -- the pipeline --------------------------------------------------------------------------
    def _handle(self, session: Session, incoming: Incoming, key: str | None = None) -> Response:
        now = self.clock()
        _identity, actor, state = identify_in_chat(
            session,
            incoming.channel,
            incoming.user_id,
            incoming.chat_id,
            now=now,
            display_name=incoming.display_name,
            is_group=incoming.is_group,
        )
        if state is None:
            state = self._state(session, incoming)
        ctx = Ctx(
            session=session,
            incoming=incoming,
            now=now,
            config=self.config,
            state=state,
            find_flow=self.registry.get_flow,
        )
        ctx.actor = actor
        response = Response()

        text = (incoming.text or "").strip()[:MAX_TEXT]
        command = parse_command(text) if text else None

        if command and command[0] in CANCEL_COMMANDS:
            had_flow = state.flow is not None or PAUSED in (state.data or {})
            had_flow = questions.drop_tasks(state) or had_flow
            ctx.finish()
            ctx.say(texts.CANCELLED if had_flow else texts.NOTHING_TO_CANCEL)
        elif ctx.actor is None:
            self._unlinked(ctx, text, command)
        elif incoming.choice is not None:
            self._choice(ctx, incoming.choice, response)
        elif command is not None and command[0] in RESUME_COMMANDS:
            self._resume_paused(ctx)
        elif command is not None:
            self._command(ctx, command[0], command[2])
        elif incoming.is_group:
            pass  # In groups only commands are answered.
        elif state.flow and not self._expired(ctx) and not _wants_menu(ctx, text):
            self._flow_input(ctx, text, response)
        elif _wants_menu(ctx, text):
            self._command(ctx, "help", "")
        elif state.flow:
            ctx.finish()
            ctx.say(texts.SESSION_EXPIRED)
        elif state.options and (picked := _match_option(state.options, text)) is not None:
            response.chosen = picked[1]
            questions.answered(state)
            if not self._run_action(ctx, picked[0], response, label=picked[1]):
                self._command(ctx, picked[0].lstrip("/"), "")
        elif state.options and _looks_like_a_pick(text):
            ctx.say(_pick_a_number(texts.CHOOSE_OFFERED_NUMBER, len(state.options)))
        elif text and questions.has_task(state) and questions.take_task(state, ctx.now):
            # Words typed for the task a message interrupted: they answer its step.
            self._flow_input(ctx, text, response)
        elif _looks_like_a_pick(text) or fold_words(text) in ACK_WORDS:
            ctx.say(texts.NOTHING_TO_ANSWER)  # answered already, or never asked
        elif incoming.file is not None and not text:
            ctx.say(texts.TEXT_ONLY)
        elif text and (route := self.registry.find_text_route(text)) is not None:
            route.run(ctx, text)
        elif text and (word := self.registry.find_word(text)) is not None:
            self._command(ctx, word.name, "")
        else:
            ctx.say(texts.UNKNOWN_INPUT)

        if ctx.actor is not None and not incoming.is_group:
            self._offer_waiting(ctx)
        if session.is_modified(state):  # a read-only update writes nothing
            state.updated_at = now
        if key is not None and not self._first_time(session, incoming, key, now):
            raise _Repeat
        response.replies = ctx.replies
        return response

    def _first_time(self, session: Session, incoming: Incoming, key: str, now: datetime) -> bool:
        """The key into `inbound_updates`, last in the update's transaction. If that fails
        for a reason other than the database (which ends the transaction and so the update),
        the update is handled anyway, as `bot.inbound_ledger.InboundLedger` does."""
        try:
            return inbound.first_time(session, incoming.channel, key, now)
        except sa.exc.DBAPIError:
            raise
        except Exception:
            log.exception("update %s: seen-before check failed, handled anyway", key)
            return True

    def _state(self, session: Session, incoming: Incoming) -> ConversationState:
        """The user's state row, read after the account's row is locked (so two quick taps are
        served in turn), created on the first update in this chat."""
        params = {
            "channel": incoming.channel,
            "chat_id": incoming.chat_id,
            "user_id": incoming.user_id,
        }
        state = session.execute(_STATE, params).scalars().first()
        if state is None:
            state = ConversationState(
                channel=incoming.channel, chat_id=incoming.chat_id, user_id=incoming.user_id
            )
            session.add(state)
            session.flush()
        return state

    def _expired(self, ctx: Ctx) -> bool:
        expires = ctx.state.expires_at
        return expires is not None and expires <= ctx.now

    def _unlinked(self, ctx: Ctx, text: str, command: tuple[str, str | None, str] | None) -> None:
        if ctx.incoming.is_group:
            if command is not None:
                ctx.say(texts.PRIVATE_ONLY)  # never onboard, nor say who is linked, in a group
            return
        code = ""
        if command and command[0] == "start":
            code = command[2]
        elif not command:
            code = text
        if code and self.onboarding is not None and self.onboarding(ctx, code):
            return
        ctx.say(texts.NOT_LINKED)

    def _command(self, ctx: Ctx, name: str, args: str) -> None:
        command = self.registry.find(name)
        if command is None:
            nearest = self.registry.nearest(name, ctx.me) if ctx.actor else None
            if nearest is None:
                ctx.say(texts.UNKNOWN_COMMAND.format(command="/" + name))
            else:
                typed = "/" + name
                ctx.say(texts.UNKNOWN_COMMAND_NEAREST.format(command=typed, nearest=nearest.name))
            return
        if command.private and ctx.incoming.is_group:
            ctx.say(texts.PRIVATE_ONLY)
            return
        if not command.permits(ctx):
            ctx.require(command.permission)  # says why
        # Opening the menu sets an open task aside (/tieptuc takes it up again), and a
        # delivered question on offer waits to be offered again; any other command leaves
        # them: the user has moved on.
        paused = None
        if command.name == "help":
            # A task set aside by an earlier `menu` stays aside when the menu is opened again.
            kept = (ctx.state.data or {}).get(PAUSED)
            paused = self._pause(ctx) or (kept if isinstance(kept, dict) else None)
            questions.set_aside(ctx.state)
            ctx.keep_options = True
        else:
            questions.drop_tasks(ctx.state)
        ctx.finish()
        command.run(ctx, args)
        if ctx.state.options:  # the options just asked for keep their numbers (/lichhop)
            ctx.keep_options = True
        if paused is not None:
            ctx.state.data = {**ctx.state.data, PAUSED: paused}
            ctx.say(texts.MENU_TASK_KEPT)

    def _pause(self, ctx: Ctx) -> dict[str, object] | None:
        """The open flow as it stands (step, data, the question and its options), if any."""
        return questions.open_flow(ctx.state, ctx.now)

    def _resume_paused(self, ctx: Ctx) -> None:
        """/tieptuc: back to the question the menu (or a message) interrupted, asked again."""
        paused = (ctx.state.data or {}).get(PAUSED)
        if not isinstance(paused, dict) or self.registry.get_flow(paused.get("flow")) is None:
            if questions.take_task(ctx.state, ctx.now):
                self._ask_again(ctx, texts.RESUMED)
            else:
                ctx.say(texts.NOTHING_TO_RESUME)
            return
        if questions.flow_expired(paused, ctx.now):
            ctx.finish()
            ctx.say(texts.SESSION_EXPIRED)
            return
        questions.restore_flow(ctx.state, paused)
        self._ask_again(ctx, texts.RESUMED)

    def _ask_again(self, ctx: Ctx, fallback: str, lead: str | None = None) -> None:
        """The open task's question, as it was put, with its options."""
        state = ctx.state
        prompt = str(state.data.get(PROMPT) or fallback)
        options = [Option(f"{state.nonce}:{key}", label) for key, label in state.options]
        ctx.say(f"{lead}\n{prompt}" if lead else prompt, options)

    def _offer_waiting(self, ctx: Ctx) -> None:
        """On a channel answered by numbers, once nothing is open or on offer, what waits
        comes back: the earlier unanswered message, or the task a message interrupted."""
        state = ctx.state
        if not state.pending or not ctx.incoming.numbered:
            return
        if state.flow or ctx.keep_options or questions.SHOWN in (state.data or {}):
            return  # a task or a question is open, or the menu was asked for
        offered = questions.take_next(state, ctx.now)
        if offered is None:
            return
        if offered.task:
            if self.registry.get_flow(state.flow) is None:
                ctx.finish()
                return
            self._ask_again(ctx, texts.RESUMED, lead=texts.TASK_BACK)
            return
        options = [Option(key, label) for key, label in offered.options]
        ctx.say(texts.WAITING_QUESTION.format(text=offered.text), options)

    def _choice(self, ctx: Ctx, payload: str, response: Response) -> None:
        """A pressed button: a flow option now on offer, a menu command, or a stateless action
        (which re-checks everything itself). Anything else is stale or forged."""
        state = ctx.state
        offered = {key: label for key, label in (state.options or [])}
        if payload.startswith("/") and payload in offered and not state.flow:
            response.chosen = offered[payload]
            self._command(ctx, payload[1:], "")
            return
        if self._run_action(ctx, payload, response, label=offered.get(payload)):
            return
        nonce, _, key = payload.partition(":")
        if (
            not state.flow
            or state.nonce is None
            or nonce != state.nonce
            or key not in offered
            or self._expired(ctx)
        ):
            response.notice = texts.STALE_BUTTON
            return
        response.chosen = offered[key]
        self._resume(ctx, Answer(option=key))

    def _run_action(self, ctx: Ctx, payload: str, response: Response, label: str | None) -> bool:
        found = self.registry.find_action(payload)
        if found is None:
            return False
        action, args = found
        if ctx.incoming.is_group:
            ctx.say(texts.PRIVATE_ONLY)
            return True
        action.run(ctx, args)
        response.chosen = ctx.chosen or label
        return True

    def _flow_input(self, ctx: Ctx, text: str, response: Response) -> None:
        upload = ctx.incoming.file
        if upload is not None and ctx.state.data.get("_accepts_file"):
            # A photo with a caption is one answer: the file and its words together.
            self._resume(ctx, Answer(file=upload, text=text or None))
            return
        if upload is not None and not text:
            ctx.say(texts.TEXT_ONLY)
            return
        options = ctx.state.options or []
        if options:
            picked = _match_option(options, text)
            typed_step = ctx.state.data.get(TYPED_STEP)
            if picked is None and text and typed_step and not _looks_like_a_pick(text):
                ctx.state.step = str(typed_step)  # the words are the answer, as if "other…"
                self._resume(ctx, Answer(text=text))
                return
            if picked is None:
                self._not_an_option(ctx, text, len(options))
                return
            response.chosen = picked[1]
            self._resume(ctx, Answer(option=picked[0]))
            return
        if not text:
            ctx.say(texts.TEXT_EXPECTED)
            return
        self._resume(ctx, Answer(text=text))

    def _not_an_option(self, ctx: Ctx, text: str, count: int) -> None:
        """A number out of range gets the short re-prompt; words that fit no option are quoted
        back (so they are not lost) with the question and its options again."""
        choose = _pick_a_number(texts.CHOOSE_NUMBER, count)
        if not text or _looks_like_a_pick(text) or len(text) > MAX_QUOTED:
            ctx.say(choose)
            return
        ctx.say(texts.TYPED_NOT_AN_OPTION.format(typed=text, choose=choose))
        self._ask_again(ctx, texts.RESUMED)

    def _resume(self, ctx: Ctx, answer: Answer) -> None:
        flow = self.registry.get_flow(ctx.state.flow)
        if flow is None:
            ctx.finish()
            ctx.say(texts.SESSION_EXPIRED)
            return
        flow.resume(ctx, answer)


MENU_WORDS = frozenset({"menu", "0"})
# Plain words meaning "received", for the option labelled "Đã nhận".
ACK_WORDS = frozenset({"ok", "oke", "okay", "ok da nhan", "nhan", "da nhan", "da xem"})
ACK_LABEL = fold_words(texts.DIR_ACK_LABEL)


def _pick_a_number(template: str, count: int) -> str:
    """ "from 1 to {count}", except with one option, where "from 1 to 1" reads oddly."""
    return template.format(count=count) if count > 1 else texts.CHOOSE_ONE


def _wants_menu(ctx: Ctx, text: str) -> bool:
    """`menu` or `0` opens the main menu (for channels without buttons); where the current
    step takes free text, "0" may well be the answer, so only the word counts there."""
    word = fold(text)
    if word not in MENU_WORDS:
        return False
    return word == "menu" or not (ctx.state.flow and not ctx.state.options)


def _match_option(options: list[list[str]], text: str) -> tuple[str, str] | None:
    """A digit picks by position; otherwise the label, ignoring case and diacritics."""
    text = text.strip().rstrip(".")
    if text.isdigit():
        index = int(text) - 1
        if 0 <= index < len(options):
            key, label = options[index]
            return key, label
        return None
    wanted = fold_words(text)
    if not wanted:
        return None
    for key, label in options:
        if fold_words(label) == wanted:
            return key, label
    if wanted in ACK_WORDS:  # "ok" for "Đã nhận", where that is on offer
        for key, label in options:
            if fold_words(label) == ACK_LABEL:
                return key, label
    return None


def _looks_like_a_pick(text: str) -> bool:
    """One or two digits: meant as a number from the list (a check-in code has four)."""
    text = text.strip().rstrip(".")
    return text.isdigit() and len(text) <= 2


def _where(incoming: Incoming) -> str:
    """Context for a log line: enough to find the update, nothing personal or secret."""
    kind = "choice" if incoming.choice else "text"
    return f"{incoming.channel} chat={incoming.chat_id} user={incoming.user_id} kind={kind}"
