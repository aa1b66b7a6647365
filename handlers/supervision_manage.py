"""The cell's yearly supervision programme in the chat (`/kiemtra [năm]`): the items with
their state, adding one (who or what, content, month), recording a conclusion. For the cell's
secretary or deputy; the rules are in `services/supervision/programme.py`."""

from __future__ import annotations

from handlers.context import Answer, Ctx, Flow
from handlers.flowkit import as_id, attempt, local_now, managed_cells, page, page_key
from handlers.registry import Audience, Command, Registry
from services import texts
from services.supervision import access, programme, views
from services.supervision import texts as sv_texts
from services.textnorm import shorten_text

_LABEL_CHARS = 60


class ProgrammeFlow(Flow):
    name = "sv_programme"

    def begin(self, ctx: Ctx, args: str) -> None:
        year = local_now(ctx).year
        typed = args.strip()
        if typed.isdigit() and len(typed) == 4 and 2000 <= int(typed) <= 2100:
            year = int(typed)
        cells = managed_cells(ctx)
        if len(cells) == 1 and cells[0].id is not None:
            self._menu(ctx, cells[0].id, year)
            return
        items = [(str(c.id), c.name) for c in cells]
        ctx.ask(self.name, "cell", sv_texts.PROG_PICK_CELL, page(items, 0), data={"year": year})

    def step_cell(self, ctx: Ctx, answer: Answer) -> None:
        cell_id = as_id(answer.option)
        if cell_id is None:
            ctx.finish()
            ctx.say(texts.STALE_BUTTON)
            return
        self._menu(ctx, cell_id, int(ctx.data.get("year") or local_now(ctx).year))

    def reload(self, ctx: Ctx) -> bool:
        cell_id = ctx.data.get("cell")
        if isinstance(cell_id, int):
            ctx.subject = access.managed_cell(ctx.session, ctx.me, cell_id)
        return True

    def _menu(self, ctx: Ctx, cell_id: int, year: int) -> None:
        cell = access.managed_cell(ctx.session, ctx.me, cell_id)
        items = programme.items(ctx.session, ctx.me, cell_id, year)
        text = views.programme_text(cell.name, year, items, local_now(ctx).date())
        options = [("add", sv_texts.PROG_ADD)]
        if any(i.conclusion is None for i in items):
            options.append(("conclude", sv_texts.PROG_CONCLUDE))
        options.append(("done", sv_texts.PROG_DONE))
        ctx.ask(self.name, "menu", text, options, data={"cell": cell_id, "year": year})

    def _back(self, ctx: Ctx) -> None:
        self._menu(ctx, int(ctx.data["cell"]), int(ctx.data["year"]))

    def step_menu(self, ctx: Ctx, answer: Answer) -> None:
        if answer.option == "add":
            ctx.ask(self.name, "subject", sv_texts.PROG_ASK_SUBJECT)
        elif answer.option == "conclude":
            self._pick(ctx, 0)
        else:
            ctx.finish()
            ctx.say(sv_texts.PROG_FINISHED)

    def step_subject(self, ctx: Ctx, answer: Answer) -> None:
        subject = attempt(ctx, lambda: programme.check_text(answer.text or ""))
        if subject is None:
            ctx.ask(self.name, "subject", sv_texts.PROG_ASK_SUBJECT)
            return
        ctx.update_data(subject=subject)
        ctx.ask(self.name, "content", sv_texts.PROG_ASK_CONTENT)

    def step_content(self, ctx: Ctx, answer: Answer) -> None:
        content = attempt(ctx, lambda: programme.check_text(answer.text or ""))
        if content is None:
            ctx.ask(self.name, "content", sv_texts.PROG_ASK_CONTENT)
            return
        ctx.update_data(content=content)
        self._ask_month(ctx)

    def _ask_month(self, ctx: Ctx) -> None:
        ctx.ask(self.name, "month", sv_texts.PROG_ASK_MONTH.format(year=ctx.data["year"]))

    def step_month(self, ctx: Ctx, answer: Answer) -> None:
        month = attempt(ctx, lambda: programme.parse_month(answer.text or ""))
        if month is None:
            self._ask_month(ctx)
            return
        item = attempt(
            ctx,
            lambda: programme.add_item(
                ctx.session,
                ctx.me,
                int(ctx.data["cell"]),
                year=int(ctx.data["year"]),
                month=month,
                subject=str(ctx.data.get("subject") or ""),
                content=str(ctx.data.get("content") or ""),
                now=ctx.now,
            ),
        )
        if item is not None:
            ctx.say(sv_texts.PROG_SAVED.format(month=item.month, subject=item.subject))
        self._back(ctx)

    def _pick(self, ctx: Ctx, number: int) -> None:
        found = programme.items(ctx.session, ctx.me, int(ctx.data["cell"]), int(ctx.data["year"]))
        open_items = [i for i in found if i.conclusion is None]
        if not open_items:
            ctx.say(sv_texts.PROG_NOTHING_OPEN)
            self._back(ctx)
            return
        items = [
            (str(i.id), f"Th.{i.month}: {shorten_text(i.subject, _LABEL_CHARS)}")
            for i in open_items
        ]
        options = [*page(items, number), ("menu", sv_texts.BACK)]
        ctx.ask(self.name, "pick", sv_texts.PROG_PICK, options)

    def step_pick(self, ctx: Ctx, answer: Answer) -> None:
        number = page_key(answer.option)
        if number is not None:
            self._pick(ctx, number)
            return
        item_id = as_id(answer.option)
        if item_id is None:
            self._back(ctx)
            return
        item = attempt(ctx, lambda: programme.open_item(ctx.session, ctx.me, item_id))
        if item is None:
            self._back(ctx)
            return
        ctx.update_data(item=item_id)
        ctx.ask(
            self.name,
            "conclusion",
            sv_texts.PROG_ASK_CONCLUSION.format(subject=item.subject, month=item.month),
        )

    def step_conclusion(self, ctx: Ctx, answer: Answer) -> None:
        item_id = int(ctx.data["item"])
        item = attempt(
            ctx,
            lambda: programme.conclude(
                ctx.session, ctx.me, item_id, answer.text or "", now=ctx.now
            ),
        )
        if item is None:
            self._back(ctx)
            return
        ctx.say(sv_texts.PROG_CONCLUDED.format(subject=item.subject))
        self._back(ctx)


PROGRAMME = ProgrammeFlow()


def register(registry: Registry) -> None:
    flow = registry.flow(PROGRAMME)
    registry.command(Command("kiemtra", sv_texts.CMD_PROGRAMME, Audience.SECRETARY, flow.begin))
