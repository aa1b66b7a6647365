"""`/danhgia_quanly`: the assessment for those who decide it (Quy định 366-QĐ/TW).

A secretary (or deputy) sees the cell's list for a period (each member's suggested score and
band), opens a member (the breakdown), adds or removes points with a reason, records the band
the cell decided (the vote where one was taken, a note when it differs from the suggestion),
downloads the list as a spreadsheet and submits it. A committee sees the distribution of bands
per cell of its subtree, approves a cell's submission (the period locks) or reopens it, with a
reason. Every step re-checks the actor over the cell (`reload`); the services check the rest.
"""

from __future__ import annotations

from handlers.assessment import PeriodFlow, assessment_rules, offered, today
from handlers.context import Answer, Ctx
from handlers.flowkit import as_id, attempt, managed_cells, page, page_key
from handlers.messages import OutFile
from handlers.registry import Audience, Command, Registry
from models import Member, Unit
from services import texts
from services.assessment import access, decisions, export, locking, views
from services.assessment import texts as assessment_texts
from services.assessment.decisions import CellAssessment, period_label
from services.assessment.rules import (
    BANDS,
    LOCKED,
    OPEN,
    SUBMITTED,
    Band,
    Period,
    period_from_key,
)
from services.auth import Permission

SEC = "sec"
COM = "com"


class ManageFlow(PeriodFlow):
    """Period → cell (or the committee's units) → list → member → adjust / decide."""

    name = "assessment_manage"

    # -- what the flow works on, re-authorised before every step --------------------------------

    def reload(self, ctx: Ctx) -> bool:
        period = period_from_key(ctx.data.get("period"), today(ctx))
        cell_id = ctx.data.get("cell")
        unit_id = ctx.data.get("unit")
        if ctx.data.get("period") is not None and period is None:
            ctx.finish()
            ctx.say(texts.SESSION_EXPIRED)
            return False
        if isinstance(cell_id, int):
            cell = ctx.session.get(Unit, cell_id)
            if cell is None:
                ctx.finish()
                ctx.say(texts.SESSION_EXPIRED)
                return False
            mode = ctx.data.get("mode")
            ctx.require(Permission.OVERSEE if mode == COM else Permission.MANAGE_CELL, cell)
        if isinstance(unit_id, int):
            unit = ctx.session.get(Unit, unit_id)
            if unit is None:
                ctx.finish()
                ctx.say(texts.SESSION_EXPIRED)
                return False
            ctx.require(Permission.OVERSEE, unit)
        ctx.subject = period
        return True

    def _period(self, ctx: Ctx) -> Period:
        assert isinstance(ctx.subject, Period)
        return ctx.subject

    # -- the period and the scope ---------------------------------------------------------------

    def chosen(self, ctx: Ctx, period: Period) -> None:
        ctx.subject = period
        self._scope(ctx, period)

    def _scopes(self, ctx: Ctx) -> list[tuple[str, str]]:
        scopes = [(f"c{c.id}", c.name) for c in managed_cells(ctx) if c.id is not None]
        units = sorted(ctx.me.committee_unit_ids)
        for unit_id in units:
            unit = ctx.session.get(Unit, unit_id)
            if unit is not None:
                scopes.append((f"u{unit_id}", f"{assessment_texts.SCOPE_COMMITTEE}: {unit.name}"))
        return scopes

    def _scope(self, ctx: Ctx, period: Period) -> None:
        scopes = self._scopes(ctx)
        if len(scopes) == 1:
            self._pick_scope(ctx, period, scopes[0][0])
            return
        ctx.ask(
            self.name,
            "scope",
            assessment_texts.ASK_CELL,
            scopes,
            data={"period": period.key},
        )

    def step_scope(self, ctx: Ctx, answer: Answer) -> None:
        self._pick_scope(ctx, self._period(ctx), answer.option or "")

    def _pick_scope(self, ctx: Ctx, period: Period, key: str) -> None:
        target = as_id(key[1:])
        if target is None:
            ctx.finish()
            ctx.say(texts.STALE_BUTTON)
            return
        if key.startswith("c"):
            cell = ctx.session.get(Unit, target)
            ctx.require(Permission.MANAGE_CELL, cell)
            ctx.state.data = {"period": period.key, "mode": SEC, "cell": target}
            self._cell(ctx)
        else:
            unit = ctx.session.get(Unit, target)
            ctx.require(Permission.OVERSEE, unit)
            ctx.state.data = {"period": period.key, "mode": COM, "unit": target}
            self._units(ctx)

    # -- the secretary's list -------------------------------------------------------------------

    def _view(self, ctx: Ctx) -> CellAssessment:
        return decisions.cell_view(
            ctx.session,
            ctx.me,
            int(ctx.data["cell"]),
            self._period(ctx),
            offered(ctx),
            today(ctx),
            assessment_rules(ctx),
        )

    def _cell(self, ctx: Ctx, number: int = 0) -> None:
        view = self._view(ctx)
        options: list[tuple[str, str]] = []
        if ctx.data.get("mode") == SEC:
            members = [(f"m{m.id}", m.full_name) for m in view.members if m.id is not None]
            options = page(members, number)
            options.append(("export", assessment_texts.BTN_EXPORT))
            if view.status == OPEN:
                options.append(("submit", assessment_texts.BTN_SUBMIT))
        else:
            options.append(("export", assessment_texts.BTN_EXPORT))
            if view.status == SUBMITTED:
                options.append(("approve", assessment_texts.BTN_APPROVE))
            if view.status in (SUBMITTED, LOCKED):
                options.append(("unlock", assessment_texts.BTN_UNLOCK))
            options.append(("units", assessment_texts.BTN_DISTRIBUTION))
        options.append(("done", assessment_texts.BTN_DONE))
        text = views.cell_text(view)
        if ctx.data.get("mode") == SEC:
            text = f"{text}\n{assessment_texts.CELL_PICK}"
        ctx.update_data(member=None)
        ctx.ask(self.name, "cell", text, options)

    def step_cell(self, ctx: Ctx, answer: Answer) -> None:
        key = answer.option or ""
        number = page_key(key)
        if number is not None:
            self._cell(ctx, number)
        elif key.startswith("m") and ctx.data.get("mode") == SEC:
            member_id = as_id(key[1:])
            if member_id is None:
                self._cell(ctx)
                return
            ctx.update_data(member=member_id)
            self._member(ctx)
        elif key == "export":
            self._export(ctx)
            self._cell(ctx)
        elif key == "submit":
            rules = assessment_rules(ctx)
            done = attempt(
                ctx,
                lambda: decisions.submit(
                    ctx.session,
                    ctx.me,
                    int(ctx.data["cell"]),
                    self._period(ctx),
                    now=ctx.now,
                    rules=rules,
                ),
            )
            if done is not None:
                cell = ctx.session.get(Unit, int(ctx.data["cell"]))
                ctx.say(
                    assessment_texts.SUBMITTED.format(
                        period=period_label(self._period(ctx)), cell=cell.name if cell else ""
                    )
                )
            self._cell(ctx)
        elif key == "approve":
            self._approve(ctx)
        elif key == "unlock":
            ctx.ask(self.name, "unlock_reason", assessment_texts.ASK_UNLOCK_REASON)
        elif key == "units":
            ctx.update_data(cell=None)
            self._units(ctx)
        else:
            ctx.finish()
            ctx.say(assessment_texts.BYE)

    def _export(self, ctx: Ctx) -> None:
        view = self._view(ctx)
        data = export.render_xlsx(view, ctx.now, ctx.config.tz)
        caption = assessment_texts.EXPORT_CAPTION.format(
            period=period_label(view.period), cell=view.cell.name
        )
        ctx.say(caption, file=OutFile(export.file_name(view), data, "document"))

    # -- one member -----------------------------------------------------------------------------

    def _member_row(self, ctx: Ctx) -> Member | None:
        member_id = ctx.data.get("member")
        member = ctx.session.get(Member, member_id) if isinstance(member_id, int) else None
        if member is None or member.cell_id != ctx.data.get("cell"):
            ctx.say(assessment_texts.NOT_IN_CELL)
            self._cell(ctx)
            return None
        return member

    def _member(self, ctx: Ctx) -> None:
        member = self._member_row(ctx)
        if member is None:
            return
        view = decisions.build_view(
            ctx.session,
            access.managed_cell(ctx.session, ctx.me, int(ctx.data["cell"])),
            self._period(ctx),
            offered(ctx),
            today(ctx),
            assessment_rules(ctx),
            member_ids=[member.id] if member.id is not None else [],
        )
        if member.id not in view.suggestions:
            ctx.say(assessment_texts.NOT_IN_CELL)
            self._cell(ctx)
            return
        options = [("back", assessment_texts.BTN_BACK)]
        if view.status == OPEN:
            options = [
                ("adjust", assessment_texts.BTN_ADJUST),
                ("decide", assessment_texts.BTN_DECIDE),
                *options,
            ]
        ctx.ask(self.name, "member", views.member_text(view, member), options)

    def step_member(self, ctx: Ctx, answer: Answer) -> None:
        if answer.option == "adjust":
            limit = assessment_rules(ctx).formula.adjustment_limit
            ctx.ask(self.name, "points", assessment_texts.ASK_POINTS.format(limit=limit))
        elif answer.option == "decide":
            self._ask_band(ctx)
        else:
            self._cell(ctx)

    def step_points(self, ctx: Ctx, answer: Answer) -> None:
        rules = assessment_rules(ctx)
        member_id = ctx.data.get("member")
        if not isinstance(member_id, int):
            self._cell(ctx)
            return

        def check() -> int:
            points = decisions.check_points(answer.text or "")
            decisions.check_adjustment(
                ctx.session,
                ctx.me,
                int(ctx.data["cell"]),
                self._period(ctx),
                member_id,
                points,
                rules,
            )
            return points

        points = attempt(ctx, check)
        if points is None:
            ctx.ask(
                self.name,
                "points",
                assessment_texts.ASK_POINTS.format(limit=rules.formula.adjustment_limit),
            )
            return
        ctx.update_data(points=points)
        ctx.ask(self.name, "reason", assessment_texts.ASK_REASON)

    def step_reason(self, ctx: Ctx, answer: Answer) -> None:
        points, member_id = ctx.data.get("points"), ctx.data.get("member")
        if not isinstance(points, int) or not isinstance(member_id, int):
            self._cell(ctx)
            return
        row = attempt(
            ctx,
            lambda: decisions.adjust(
                ctx.session,
                ctx.me,
                int(ctx.data["cell"]),
                self._period(ctx),
                member_id,
                points,
                answer.text or "",
                now=ctx.now,
                rules=assessment_rules(ctx),
            ),
        )
        if row is None:
            ctx.ask(self.name, "reason", assessment_texts.ASK_REASON)
            return
        member = ctx.session.get(Member, member_id)
        ctx.say(
            assessment_texts.ADJUSTED.format(
                sign="+" if points > 0 else "−",
                points=abs(points),
                name=member.full_name if member else "",
            )
        )
        self._member(ctx)

    def _ask_band(self, ctx: Ctx) -> None:
        member = self._member_row(ctx)
        if member is None or member.id is None:
            return
        view = decisions.build_view(
            ctx.session,
            access.managed_cell(ctx.session, ctx.me, int(ctx.data["cell"])),
            self._period(ctx),
            offered(ctx),
            today(ctx),
            assessment_rules(ctx),
            member_ids=[member.id],
        )
        suggested = view.suggestions[member.id].band
        options = [(b.value, assessment_texts.BAND_NAMES[b.value]) for b in BANDS]
        text = assessment_texts.ASK_BAND.format(
            name=member.full_name, band=views.band_name(suggested)
        )
        ctx.ask(self.name, "band", text, options)

    def step_band(self, ctx: Ctx, answer: Answer) -> None:
        if answer.option not in {b.value for b in BANDS}:
            self._ask_band(ctx)
            return
        ctx.update_data(band=answer.option)
        self._ask_vote(ctx)

    def _ask_vote(self, ctx: Ctx) -> None:
        ctx.ask(
            self.name,
            "vote",
            assessment_texts.ASK_VOTE,
            [("novote", assessment_texts.BTN_NO_VOTE)],
            typed_step="vote_typed",
        )

    def step_vote(self, ctx: Ctx, answer: Answer) -> None:
        ctx.update_data(votes=None)
        self._ask_note(ctx)

    def step_vote_typed(self, ctx: Ctx, answer: Answer) -> None:
        votes = attempt(ctx, lambda: decisions.check_vote(answer.text or ""))
        if votes is None:
            self._ask_vote(ctx)
            return
        ctx.update_data(votes=list(votes))
        self._ask_note(ctx)

    def _ask_note(self, ctx: Ctx) -> None:
        ctx.ask(
            self.name,
            "note",
            assessment_texts.ASK_NOTE,
            [("nonote", assessment_texts.BTN_NO_NOTE)],
            typed_step="note_typed",
        )

    def step_note(self, ctx: Ctx, answer: Answer) -> None:
        self._decide(ctx, None)

    def step_note_typed(self, ctx: Ctx, answer: Answer) -> None:
        self._decide(ctx, answer.text or "")

    def _decide(self, ctx: Ctx, note: str | None) -> None:
        member_id, band = ctx.data.get("member"), ctx.data.get("band")
        raw_votes = ctx.data.get("votes")
        if not isinstance(member_id, int) or band not in {b.value for b in BANDS}:
            self._cell(ctx)
            return
        votes = (
            (int(raw_votes[0]), int(raw_votes[1]))
            if isinstance(raw_votes, list) and len(raw_votes) == 2
            else None
        )
        row = attempt(
            ctx,
            lambda: decisions.decide(
                ctx.session,
                ctx.me,
                int(ctx.data["cell"]),
                self._period(ctx),
                member_id,
                Band(str(band)),
                votes=votes,
                note=note,
                offered=offered(ctx),
                today=today(ctx),
                now=ctx.now,
                rules=assessment_rules(ctx),
            ),
        )
        if row is None:
            self._ask_note(ctx)
            return
        member = ctx.session.get(Member, member_id)
        ctx.say(
            assessment_texts.DECIDED.format(
                band=views.band_name(row.band), name=member.full_name if member else ""
            )
        )
        self._cell(ctx)

    # -- the committee --------------------------------------------------------------------------

    def _units(self, ctx: Ctx) -> None:
        unit_id = int(ctx.data["unit"])
        period = self._period(ctx)
        unit, rows = locking.distribution(
            ctx.session, ctx.me, unit_id, period, assessment_rules(ctx)
        )
        text = views.distribution_text(unit.name, period, rows)
        open_rows = [r for r in rows if r.status in (SUBMITTED, LOCKED)]
        options = [
            (
                f"c{r.cell_id}",
                f"{r.name} ({assessment_texts.STATUS_NAMES.get(r.status or '', '')})",
            )
            for r in open_rows
        ]
        text += "\n" + (
            assessment_texts.DIST_PICK if open_rows else assessment_texts.DIST_NOTHING_WAITING
        )
        ctx.update_data(cell=None)
        ctx.ask(self.name, "units", text, [*page(options, 0), ("done", assessment_texts.BTN_DONE)])

    def step_units(self, ctx: Ctx, answer: Answer) -> None:
        key = answer.option or ""
        cell_id = as_id(key[1:]) if key.startswith("c") else None
        if cell_id is None:
            ctx.finish()
            ctx.say(assessment_texts.BYE)
            return
        cell = ctx.session.get(Unit, cell_id)
        ctx.require(Permission.OVERSEE, cell)
        ctx.update_data(cell=cell_id)
        self._cell(ctx)

    def _approve(self, ctx: Ctx) -> None:
        period = self._period(ctx)
        done = attempt(
            ctx,
            lambda: locking.approve(
                ctx.session, ctx.me, int(ctx.data["cell"]), period, now=ctx.now
            ),
        )
        if done is not None:
            cell = ctx.session.get(Unit, int(ctx.data["cell"]))
            ctx.say(
                assessment_texts.APPROVED.format(
                    period=period_label(period), cell=cell.name if cell else ""
                )
            )
        self._cell(ctx)

    def step_unlock_reason(self, ctx: Ctx, answer: Answer) -> None:
        period = self._period(ctx)
        done = attempt(
            ctx,
            lambda: locking.unlock(
                ctx.session, ctx.me, int(ctx.data["cell"]), period, answer.text or "", now=ctx.now
            ),
        )
        if done is None:
            ctx.ask(self.name, "unlock_reason", assessment_texts.ASK_UNLOCK_REASON)
            return
        cell = ctx.session.get(Unit, int(ctx.data["cell"]))
        ctx.say(
            assessment_texts.UNLOCKED.format(
                period=period_label(period), cell=cell.name if cell else ""
            )
        )
        self._cell(ctx)


MANAGE = ManageFlow()


def register(registry: Registry) -> None:
    registry.flow(MANAGE)
    registry.command(
        Command("danhgia_quanly", assessment_texts.CMD_MANAGE, Audience.LEADER, MANAGE.begin)
    )
