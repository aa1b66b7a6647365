"""Supervision in the chat: `/baocao` (a task's owner reports progress: percent or "xong",
one line, an optional photo or file) and `/giamsat` (the secretary's task table with the
overdue filter and closing; a committee's ranking of its cells and any cell's table).

The rules, refusals and queries are in `services/supervision`; this module asks and shows.
Each step re-checks, in `reload`, that the actor still may act on what the flow holds.
"""

from __future__ import annotations

from handlers.context import Answer, Ctx, Flow
from handlers.flowkit import (
    as_id,
    attempt,
    file_kind,
    local_now,
    managed_cells,
    page,
    page_key,
)
from handlers.registry import Audience, Command, Registry, Topic
from services import texts
from services.auth import Permission, allows
from services.supervision import access, closing, programme, reports, table, views
from services.supervision import texts as sv_texts
from services.supervision.rules import DEFAULT_RULES, OUTCOME_LABELS, Outcome
from services.textnorm import fold_words, shorten_text
from services.vndate import format_vn_date

_LABEL_CHARS = 60


class ReportFlow(Flow):
    """`/baocao`: pick one's open task (straight to it when there is one), the progress,
    then one line with an optional photo or file."""

    name = "sv_report"

    def begin(self, ctx: Ctx, args: str) -> None:
        self._pick(ctx, 0)

    def _pick(self, ctx: Ctx, number: int) -> None:
        tasks = reports.my_open_tasks(ctx.session, ctx.me)
        if not tasks:
            ctx.finish()
            ctx.say(sv_texts.REPORT_NO_TASKS)
            return
        if len(tasks) == 1 and number == 0:
            assert tasks[0].id is not None
            self._ask_progress(ctx, tasks[0].id)
            return
        items = [
            (
                str(t.id),
                f"{shorten_text(t.title, _LABEL_CHARS)} ({format_vn_date(t.due_on)})",
            )
            for t in tasks
        ]
        ctx.ask(self.name, "pick", sv_texts.REPORT_PICK, page(items, number), data={})

    def reload(self, ctx: Ctx) -> bool:
        task_id = ctx.data.get("task")
        if not isinstance(task_id, int):
            return True
        task = attempt(ctx, lambda: reports.reportable_task(ctx.session, ctx.me, task_id))
        if task is None:
            ctx.finish()
            return False
        ctx.subject = task
        return True

    def step_pick(self, ctx: Ctx, answer: Answer) -> None:
        number = page_key(answer.option)
        if number is not None:
            self._pick(ctx, number)
            return
        task_id = as_id(answer.option)
        task = (
            attempt(ctx, lambda: reports.reportable_task(ctx.session, ctx.me, task_id))
            if task_id is not None
            else None
        )
        if task is None or task.id is None:
            if task_id is None:
                ctx.say(texts.STALE_BUTTON)
            ctx.finish()
            return
        self._ask_progress(ctx, task.id)

    def _ask_progress(self, ctx: Ctx, task_id: int) -> None:
        task = reports.reportable_task(ctx.session, ctx.me, task_id)
        text = sv_texts.REPORT_ASK_PROGRESS.format(
            title=task.title, due=format_vn_date(task.due_on)
        )
        ctx.ask(self.name, "progress", text, data={"task": task_id})

    def step_progress(self, ctx: Ctx, answer: Answer) -> None:
        parsed = attempt(ctx, lambda: reports.parse_progress(answer.text or ""))
        if parsed is None:
            assert ctx.subject is not None and ctx.subject.id is not None
            self._ask_progress(ctx, ctx.subject.id)
            return
        ctx.update_data(progress=answer.text or "")
        self._ask_note(ctx)

    def _ask_note(self, ctx: Ctx) -> None:
        ctx.ask(
            self.name,
            "note",
            sv_texts.REPORT_ASK_NOTE.format(limit=DEFAULT_RULES.note_limit),
            accepts_file=True,
        )

    def step_note(self, ctx: Ctx, answer: Answer) -> None:
        upload = answer.file
        kind = file_kind(upload) if upload is not None else None
        if upload is not None and (kind is None or not upload.file_id):
            ctx.say(sv_texts.REPORT_BAD_FILE)
            self._ask_note(ctx)
            return
        task = ctx.subject
        assert task is not None and task.id is not None
        report = attempt(
            ctx,
            lambda: reports.record_report(
                ctx.session,
                ctx.me,
                task.id,
                progress=str(ctx.data.get("progress") or ""),
                note=answer.text,
                now=ctx.now,
                file_ref=upload.file_id if upload is not None else None,
                file_kind=kind.value if kind is not None else None,
            ),
        )
        if report is None:
            self._ask_note(ctx)
            return
        ctx.finish()
        if report.done:
            ctx.say(sv_texts.REPORT_SAVED_DONE.format(title=task.title))
        else:
            ctx.say(
                sv_texts.REPORT_SAVED.format(
                    title=task.title, progress=reports.progress_label(report)
                )
            )


REPORT = ReportFlow()

_OVERDUE_WORDS = frozenset({"quahan", "qua han"})


class SuperviseFlow(Flow):
    """`/giamsat [quahan]`: a committee starts from the ranking of its cells (its own cells as
    secretary are listed too); a secretary from their cell's table. From a table: the overdue
    filter, closing a task (the cell's leaders only), back to the ranking."""

    name = "sv_table"

    def begin(self, ctx: Ctx, args: str) -> None:
        overdue = fold_words(args) in _OVERDUE_WORDS
        own = managed_cells(ctx)
        if not ctx.me.is_committee and len(own) == 1:
            assert own[0].id is not None
            self._table(ctx, own[0].id, overdue)
            return
        self._cells(ctx, 0)

    def _cells(self, ctx: Ctx, number: int) -> None:
        ranks = table.ranking(ctx.session, ctx.me, ctx.now) if ctx.me.is_committee else []
        ranked = {r.cell.id for r in ranks}
        items = [(str(r.cell.id), r.cell.name) for r in ranks]
        items += [(str(c.id), c.name) for c in managed_cells(ctx) if c.id not in ranked]
        text = views.ranking_text(ranks) if ranks else sv_texts.TABLE_PICK_CELL
        if not items:
            ctx.finish()
            ctx.say(sv_texts.RANKING_EMPTY)
            return
        ctx.ask(self.name, "cell", text, page(items, number), data={})

    def reload(self, ctx: Ctx) -> bool:
        cell_id = ctx.data.get("cell")
        if not isinstance(cell_id, int):
            return True
        cell = attempt(ctx, lambda: access.viewable_cell(ctx.session, ctx.me, cell_id))
        if cell is None:
            ctx.finish()
            return False
        ctx.subject = cell
        task_id = ctx.data.get("task")
        if isinstance(task_id, int):
            access.managed_cell(ctx.session, ctx.me, cell_id)
            task = attempt(ctx, lambda: access.load_task(ctx.session, task_id))
            if task is None or task.cell_id != cell_id:
                if task is not None:
                    ctx.say(texts.STALE_BUTTON)
                ctx.finish()
                return False
        return True

    def step_cell(self, ctx: Ctx, answer: Answer) -> None:
        number = page_key(answer.option)
        if number is not None:
            self._cells(ctx, number)
            return
        cell_id = as_id(answer.option)
        if cell_id is None:
            ctx.finish()
            ctx.say(texts.STALE_BUTTON)
            return
        self._table(ctx, cell_id, False)

    def _table(self, ctx: Ctx, cell_id: int, overdue: bool) -> None:
        shown = table.cell_table(ctx.session, ctx.me, cell_id, ctx.now, overdue_only=overdue)
        options = [
            ("all", sv_texts.TABLE_SHOW_ALL)
            if overdue
            else ("overdue", sv_texts.TABLE_SHOW_OVERDUE)
        ]
        if allows(ctx.me, Permission.MANAGE_CELL, shown.cell):
            options.append(("close", sv_texts.TABLE_CLOSE))
        options.append(("programme", sv_texts.TABLE_PROGRAMME))
        if ctx.me.is_committee or len(ctx.me.managed_cell_ids) > 1:
            options.append(("back", sv_texts.TABLE_BACK))
        options.append(("done", sv_texts.TABLE_DONE))
        ctx.ask(
            self.name,
            "view",
            views.table_text(shown, overdue_only=overdue),
            options,
            data={"cell": cell_id, "overdue": overdue},
        )

    def _cell_id(self, ctx: Ctx) -> int:
        assert ctx.subject is not None and ctx.subject.id is not None
        return int(ctx.subject.id)

    def step_view(self, ctx: Ctx, answer: Answer) -> None:
        key = answer.option or ""
        if key in ("all", "overdue"):
            self._table(ctx, self._cell_id(ctx), key == "overdue")
        elif key == "close":
            self._close_pick(ctx, 0)
        elif key == "back":
            self._cells(ctx, 0)
        elif key == "programme":
            self._programme(ctx)
        else:
            ctx.finish()
            ctx.say(sv_texts.TABLE_FINISHED)

    def _programme(self, ctx: Ctx) -> None:
        """The cell's programme for this year, read only (the secretary keeps it in /kiemtra)."""
        cell_id = self._cell_id(ctx)
        today = local_now(ctx).date()
        found = programme.items(ctx.session, ctx.me, cell_id, today.year)
        ctx.say(views.programme_text(ctx.subject.name, today.year, found, today))
        self._table(ctx, cell_id, bool(ctx.data.get("overdue")))

    def _close_pick(self, ctx: Ctx, number: int) -> None:
        cell_id = self._cell_id(ctx)
        rows = table.open_for_closing(ctx.session, ctx.me, cell_id, ctx.now, DEFAULT_RULES)
        if not rows:
            ctx.say(sv_texts.CLOSE_NOTHING)
            self._table(ctx, cell_id, bool(ctx.data.get("overdue")))
            return
        items = [
            (f"t{r.task.id}", f"{shorten_text(r.task.title, _LABEL_CHARS)} — {r.owner}")
            for r in rows
        ]
        options = [*page(items, number), ("table", sv_texts.BACK)]
        ctx.ask(
            self.name,
            "close_pick",
            sv_texts.CLOSE_PICK,
            options,
            data={"cell": cell_id, "overdue": bool(ctx.data.get("overdue"))},
        )

    def step_close_pick(self, ctx: Ctx, answer: Answer) -> None:
        key = answer.option or ""
        number = page_key(key)
        if number is not None:
            self._close_pick(ctx, number)
            return
        if key == "table":
            self._table(ctx, self._cell_id(ctx), bool(ctx.data.get("overdue")))
            return
        task_id = as_id(key[1:]) if key.startswith("t") else None
        if task_id is None:
            ctx.finish()
            ctx.say(texts.STALE_BUTTON)
            return
        ctx.update_data(task=task_id)
        if not self.reload(ctx):
            return
        task = access.load_task(ctx.session, task_id)
        today = local_now(ctx).date()
        rows = table.rows_for(ctx.session, [task], today, DEFAULT_RULES)
        owner = rows[0].owner if rows else ""
        options = [(o.value, OUTCOME_LABELS[o]) for o in Outcome]
        text = sv_texts.CLOSE_OUTCOME.format(
            title=task.title, owner=owner, due=format_vn_date(task.due_on)
        )
        ctx.ask(self.name, "close_outcome", text, options)

    def step_close_outcome(self, ctx: Ctx, answer: Answer) -> None:
        ctx.update_data(outcome=answer.option or "")
        self._ask_close_note(ctx)

    def _ask_close_note(self, ctx: Ctx) -> None:
        ctx.ask(
            self.name,
            "close_note",
            sv_texts.CLOSE_ASK_NOTE,
            [("skip", sv_texts.CLOSE_NO_NOTE)],
            typed_step="close_note",
        )

    def step_close_note(self, ctx: Ctx, answer: Answer) -> None:
        typed = answer.text if answer.option is None else None
        if attempt(ctx, lambda: closing.clean_note(typed) or "") is None:
            self._ask_close_note(ctx)
            return
        cell_id = self._cell_id(ctx)
        task_id = int(ctx.data["task"])
        closure = attempt(
            ctx,
            lambda: closing.close_task(
                ctx.session,
                ctx.me,
                task_id,
                str(ctx.data.get("outcome") or ""),
                note=typed,
                now=ctx.now,
            ),
        )
        if closure is not None:
            task = access.load_task(ctx.session, task_id)
            ctx.say(
                sv_texts.CLOSE_SAVED.format(
                    title=task.title, outcome=OUTCOME_LABELS[Outcome(closure.outcome)]
                )
            )
        self._table(ctx, cell_id, bool(ctx.data.get("overdue")))


SUPERVISE = SuperviseFlow()


def register(registry: Registry) -> None:
    report = registry.flow(REPORT)
    registry.command(
        Command(
            "baocao", sv_texts.CMD_REPORT, Audience.MEMBER, report.begin, topic=Topic.DIRECTIVES
        )
    )
    supervise = registry.flow(SUPERVISE)
    registry.command(
        Command(
            "giamsat",
            sv_texts.CMD_SUPERVISE,
            Audience.LEADER,
            supervise.begin,
            topic=Topic.DIRECTIVES,
        )
    )
