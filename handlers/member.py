"""What every member has to do, from every feature (`/nhiemvu`): the list collects what the
features offer at `services.offers.MEMBER_TODOS` and imports none of them. The members' sides
of directives (`/thongbao`) and meetings (`/lichhop`, `/diemdanh`, `/nghiquyet`) live with
their features (`handlers/directives.py`, `handlers/meeting_member.py`).
"""

from __future__ import annotations

from datetime import date

from handlers.context import Ctx
from handlers.flowkit import local_now
from handlers.registry import Audience, Command, Registry, Topic
from services import texts
from services.offers import MEMBER_TODOS, TODO_OPTIONS
from services.vndate import format_vn_date


def tasks_view(ctx: Ctx, _args: str) -> None:
    """The member's list: what every feature has for them to do (`services.offers.MEMBER_TODOS`,
    collected, not imported), soonest deadline first, each with its "Hoàn thành" option."""
    sources = ctx.config.offers.of(MEMBER_TODOS)
    items = [todo for source in sources for todo in source(ctx.session, ctx.me, ctx.now)]
    if not items:
        ctx.say(texts.MY_NO_TASKS)
        return
    items.sort(key=lambda t: (t.due_on is None, t.due_on or date.max))
    today = local_now(ctx).date()
    lines = [texts.MY_TASKS_HEAD]
    options: list[tuple[str, str]] = []
    for index, todo in enumerate(items, 1):
        late = texts.MY_TASK_LATE if todo.due_on is not None and todo.due_on < today else ""
        due = format_vn_date(todo.due_on) if todo.due_on is not None else texts.MY_TASK_NO_DUE
        lines.append(texts.MY_TASK_LINE.format(n=index, title=todo.title, due=due, late=late))
        if todo.done is not None:
            label = todo.label or texts.MY_TASK_DONE_BUTTON
            options.append((todo.done, label.format(n=index)))
    for extra in ctx.config.offers.of(TODO_OPTIONS):
        options += extra(ctx.session, ctx.me, ctx.now)
    ctx.menu("\n".join(lines), options)


def register(registry: Registry) -> None:
    registry.command(
        Command(
            "nhiemvu",
            texts.CMD_MY_TASKS,
            Audience.MEMBER,
            tasks_view,
            topic=Topic.DIRECTIVES,
            shortcut=True,
        )
    )
