"""Reading bulletins: `/bantin` (the newest addressed to the member's cell or any unit above
it, page by page; open one: title, date, source, text, its link, its photo or file) and the
"Đọc bản tin" button on a pushed notice.

The queries and the checks are in `services/bulletins`; a bulletin id from a button or a flow
key is untrusted, so every open goes through `reading.readable`, which refuses a bulletin the
member may not read, or one withdrawn, as simply gone.
"""

from __future__ import annotations

from handlers.context import Answer, Ctx, Flow
from handlers.flowkit import as_id, page, page_key
from handlers.registry import Action, Audience, Command, Registry, Topic
from models import Bulletin
from services import texts
from services.bulletins import reading
from services.bulletins import texts as bulletin_texts
from services.bulletins.rules import DEFAULT_BULLETIN_RULES, OPEN
from services.errors import UserError
from services.textnorm import shorten_text
from services.vndate import format_vn_date


def day_of(ctx: Ctx, bulletin: Bulletin) -> str:
    return format_vn_date(bulletin.posted_at.astimezone(ctx.config.tz).date())


def bulletin_text(ctx: Ctx, bulletin: Bulletin, *, status: bool = False) -> str:
    """A bulletin as a member reads it; with `status`, whether it was pushed (managers)."""
    lines = [
        bulletin_texts.BULLETIN.format(
            title=bulletin.title,
            date=day_of(ctx, bulletin),
            source=reading.source_of(ctx.session, bulletin),
            text=bulletin.text or bulletin_texts.NO_TEXT,
        )
    ]
    if bulletin.link:
        lines.append(bulletin_texts.BULLETIN_LINK.format(link=bulletin.link))
    if status:
        if bulletin.pushed_at is not None:
            pushed = format_vn_date(bulletin.pushed_at.astimezone(ctx.config.tz).date())
            lines.append(bulletin_texts.BULLETIN_PUSHED.format(date=pushed))
        else:
            lines.append(bulletin_texts.BULLETIN_NOT_PUSHED)
    return "\n".join(lines)


def item_label(ctx: Ctx, bulletin: Bulletin, suffix: str = "") -> str:
    title = shorten_text(bulletin.title, DEFAULT_BULLETIN_RULES.label_chars)
    return bulletin_texts.ITEM_LABEL.format(date=day_of(ctx, bulletin), title=title) + suffix


def show(ctx: Ctx, bulletin: Bulletin) -> None:
    """Say the bulletin; its photo or file follows through the outbox."""
    text = bulletin_text(ctx, bulletin)
    if reading.send_file(ctx.session, ctx.me, bulletin, now=ctx.now):
        name = bulletin.file_name or bulletin.file_kind or ""
        text += "\n" + bulletin_texts.BULLETIN_FILE.format(name=name)
    ctx.say(text)


class ReadFlow(Flow):
    """`/bantin`: a page of the newest bulletins; pick one to read it, then another."""

    name = "bulletins"

    def begin(self, ctx: Ctx, args: str) -> None:
        self._list(ctx, 0)

    def _list(self, ctx: Ctx, number: int) -> None:
        bulletins = reading.latest(ctx.session, ctx.me)
        if not bulletins:
            ctx.finish()
            ctx.say(bulletin_texts.LIST_EMPTY)
            return
        items = [(f"b{b.id}", item_label(ctx, b)) for b in bulletins]
        options = [*page(items, number), ("done", bulletin_texts.BTN_CLOSE)]
        ctx.ask(
            self.name,
            "pick",
            bulletin_texts.LIST_HEAD.format(count=len(bulletins)),
            options,
            data={"page": number},
        )

    def step_pick(self, ctx: Ctx, answer: Answer) -> None:
        key = answer.option or ""
        number = page_key(key)
        if number is not None:
            self._list(ctx, number)
            return
        bulletin_id = as_id(key[1:]) if key.startswith("b") else None
        if bulletin_id is None:
            ctx.finish()
            ctx.say(bulletin_texts.BYE)
            return
        try:
            bulletin = reading.readable(ctx.session, ctx.me, bulletin_id)
        except UserError as gone:  # withdrawn since the list was shown
            ctx.say(gone.message)
        else:
            show(ctx, bulletin)
        current = ctx.data.get("page")
        self._list(ctx, current if isinstance(current, int) else 0)


READ = ReadFlow()


def open_action(ctx: Ctx, args: list[str]) -> None:
    """`bt_open:{id}` on a pushed notice: read it, if this member may (checked again)."""
    bulletin_id = as_id(args[0]) if len(args) == 1 else None
    if bulletin_id is None:
        ctx.say(texts.STALE_BUTTON)
        return
    show(ctx, reading.readable(ctx.session, ctx.me, bulletin_id))


def register(registry: Registry) -> None:
    registry.command(
        Command("bantin", bulletin_texts.CMD_READ, Audience.MEMBER, READ.begin, topic=Topic.LOOKUP)
    )
    registry.flow(READ)
    registry.action(Action(OPEN, open_action))
