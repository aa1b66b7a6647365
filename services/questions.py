"""Which question a typed number answers, on channels without buttons (Zalo, the terminal).

On Telegram every button carries its own payload, so two messages with options never compete.
On Zalo and in the terminal a member answers "1", and that digit can only mean the question
shown last. So a delivered message with options becomes the chat's question (`show_delivered`),
and what it displaced waits in `ConversationState.pending`, oldest first: the earlier message
still unanswered, or the task the member was in the middle of. Once the member is free again
(no task open, nothing on offer) the next waiting item is offered again (`take_next`), so
nothing typed is ever applied to a question the member cannot see, and nothing is forgotten.

Everything here only changes the state row handed in; callers hold its lock.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from models import ConversationState

# In the state's data: the delivered question now on offer (its options are `state.options`).
SHOWN = "_shown"
# In the state's data: a task set aside by opening the menu, until /tieptuc.
PAUSED = "_paused"
# In the state's data: the question a task's step was put with (see `handlers.context.Ctx.ask`).
PROMPT = "_prompt"
# Oldest waiting items are dropped beyond this: a member away for weeks needs no backlog.
MAX_PENDING = 8
# A waiting question is offered again by its first lines, not the whole directive.
SUMMARY_CHARS = 280


@dataclass(frozen=True)
class Offered:
    """A waiting item handed back to be shown: a delivered question, or a task resumed."""

    text: str
    options: list[list[str]]
    task: bool = False


def open_flow(state: ConversationState, now: datetime) -> dict[str, Any] | None:
    """The open task as it stands (flow, step, data, the question and its options), if any."""
    if state.flow is None or (state.expires_at is not None and state.expires_at <= now):
        return None
    return {
        "flow": state.flow,
        "step": state.step,
        "data": dict(state.data or {}),
        "options": list(state.options or []),
        "nonce": state.nonce,
        "expires_at": state.expires_at.isoformat() if state.expires_at else None,
    }


def restore_flow(state: ConversationState, saved: Mapping[str, Any]) -> None:
    """Put a task saved by `open_flow` back, as it was."""
    expires = saved.get("expires_at")
    state.flow, state.step = saved["flow"], saved.get("step")
    state.data = dict(saved.get("data") or {})
    state.options = list(saved.get("options") or [])
    state.nonce = saved.get("nonce")
    state.expires_at = datetime.fromisoformat(expires) if isinstance(expires, str) else None


def flow_expired(saved: Mapping[str, Any], now: datetime) -> bool:
    expires = saved.get("expires_at")
    return isinstance(expires, str) and datetime.fromisoformat(expires) <= now


def summary(text: str) -> str:
    """The first lines of a message, short enough to be shown again on a phone."""
    text = text.strip()
    if len(text) <= SUMMARY_CHARS:
        return text
    return text[: SUMMARY_CHARS - 1].rstrip() + "…"


def _ids(options: Sequence[Sequence[str]]) -> list[str]:
    return [str(option[0]) for option in options]


def _expired(item: Mapping[str, Any], now: datetime) -> bool:
    if "flow" in item:
        return flow_expired(item["flow"], now)
    until = item.get("until")
    return isinstance(until, str) and datetime.fromisoformat(until) <= now


def show_delivered(
    state: ConversationState,
    *,
    text: str,
    options: Sequence[Sequence[str]],
    until: str | None,
    now: datetime,
) -> None:
    """A message with options was just shown: numbers now answer it.

    What it displaces waits: an open task (its step is asked again later), or the earlier
    delivered question still unanswered. The same question arriving again (a reminder for the
    same meeting) replaces its older copy rather than queueing twice.
    """
    new = [[str(key), str(label)] for key, label in options]
    waiting = [dict(item) for item in (state.pending or [])]
    data = dict(state.data or {})
    task = open_flow(state, now)
    if task is not None:
        waiting.append({"flow": task})
        data = {}
    elif state.flow is not None:  # an expired task would swallow the answer: close it
        data = {}
    elif data.get(SHOWN) and state.options and _ids(state.options) != _ids(new):
        shown = data[SHOWN]
        waiting.append({"text": shown.get("text", ""), "options": state.options, **_until(shown)})
    waiting = [i for i in waiting if "flow" in i or _ids(i.get("options", [])) != _ids(new)]
    state.pending = waiting[-MAX_PENDING:]
    state.flow, state.step, state.expires_at, state.nonce = None, None, None, None
    data.pop(SHOWN, None)
    state.data = {**data, SHOWN: {"text": summary(text), **({"until": until} if until else {})}}
    state.options = new


def _until(shown: Mapping[str, Any]) -> dict[str, Any]:
    return {"until": shown["until"]} if shown.get("until") else {}


def answered(state: ConversationState) -> None:
    """The question on offer was answered (or passed over): nothing is on offer any more."""
    if state.data and SHOWN in state.data:
        state.data = {k: v for k, v in state.data.items() if k != SHOWN}
    state.options = []


def set_aside(state: ConversationState) -> None:
    """The menu opened over a delivered question: it waits first in line, to come back after."""
    shown = (state.data or {}).get(SHOWN)
    if shown and state.options:
        item = {"text": shown.get("text", ""), "options": list(state.options), **_until(shown)}
        state.pending = [item, *(state.pending or [])][:MAX_PENDING]
    answered(state)


def drop_tasks(state: ConversationState) -> bool:
    """The member moved on (another command, /huy): tasks waiting behind a message are given
    up, as an open one would be. True when there was one."""
    waiting = list(state.pending or [])
    kept = [item for item in waiting if "flow" not in item]
    if len(kept) != len(waiting):
        state.pending = kept
        return True
    return False


def has_task(state: ConversationState) -> bool:
    return any("flow" in item for item in (state.pending or []))


def take_task(state: ConversationState, now: datetime) -> bool:
    """Back to the task waiting behind a message (the member typed an answer for it): the
    question on offer goes back in line first. False when no task waits (or it expired)."""
    waiting = list(state.pending or [])
    for index, item in enumerate(waiting):
        if "flow" not in item:
            continue
        del waiting[index]
        if flow_expired(item["flow"], now):
            state.pending = waiting
            return False
        shown = (state.data or {}).get(SHOWN)
        if shown and state.options:
            displaced = {"text": shown.get("text", ""), "options": list(state.options)}
            waiting.insert(0, {**displaced, **_until(shown)})
        state.pending = waiting[:MAX_PENDING]
        restore_flow(state, item["flow"])
        return True
    return False


def take_next(state: ConversationState, now: datetime) -> Offered | None:
    """The oldest waiting item still current, made the one on offer; None when none waits.

    Call only when the member is free (no task open, nothing on offer). A task is put back
    open at its step; a question becomes the chat's question again.
    """
    waiting = [dict(item) for item in (state.pending or [])]
    while waiting:
        item = waiting.pop(0)
        if _expired(item, now):
            continue
        state.pending = waiting
        if "flow" in item:
            restore_flow(state, item["flow"])
            prompt = str(state.data.get(PROMPT) or "")
            return Offered(prompt, list(state.options or []), task=True)
        options = [[str(k), str(v)] for k, v in item.get("options", [])]
        state.data = {**(state.data or {}), SHOWN: {"text": item.get("text", ""), **_until(item)}}
        state.options = options
        state.nonce = None
        return Offered(str(item.get("text", "")), options)
    if state.pending:
        state.pending = []
    return None
