"""`/danhgia`: a member's own assessment for a period (Quy định 366-QĐ/TW): the suggested
score with its breakdown, where the cell's decision stands, and the band once the committee
has approved it. The rules and queries live in `services/assessment`; this module asks and
shows. Anyone linked reads only their own result (the cell's list only where announced).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from handlers.context import Answer, Ctx, Flow
from handlers.flowkit import local_now
from handlers.registry import Audience, Command, Registry, Topic
from services.assessment import texts as assessment_texts
from services.assessment import views
from services.assessment.decisions import period_label
from services.assessment.rules import (
    AssessmentRules,
    Period,
    parse_period,
    period_from_key,
    recent_periods,
)
from services.offers import ASSESSMENT_FACTS, AssessmentCriterion


def assessment_rules(ctx: Ctx) -> AssessmentRules:
    return AssessmentRules(tz=ctx.config.tz)


def offered(ctx: Ctx) -> Sequence[AssessmentCriterion]:
    """The criteria the wired features offer (`services.offers.ASSESSMENT_FACTS`)."""
    return ctx.config.offers.of(ASSESSMENT_FACTS)


def today(ctx: Ctx) -> date:
    return local_now(ctx).date()


def period_options(ctx: Ctx) -> list[tuple[str, str]]:
    return [(p.key, period_label(p).capitalize()) for p in recent_periods(today(ctx))]


class PeriodFlow(Flow):
    """A flow that starts with a period: typed after the command, typed at the question, or
    picked from the recent ones; `chosen` goes on with it."""

    def begin(self, ctx: Ctx, args: str) -> None:
        if not args.strip():
            self._ask_period(ctx)
            return
        period = parse_period(args, today(ctx))
        if period is None:
            ctx.say(assessment_texts.BAD_PERIOD)
            self._ask_period(ctx)
            return
        self.chosen(ctx, period)

    def _ask_period(self, ctx: Ctx) -> None:
        ctx.ask(
            self.name,
            "period",
            assessment_texts.ASK_PERIOD,
            period_options(ctx),
            data={},
            typed_step="period_typed",
        )

    def step_period(self, ctx: Ctx, answer: Answer) -> None:
        period = period_from_key(answer.option, today(ctx))
        if period is None:
            self._ask_period(ctx)
            return
        self.chosen(ctx, period)

    def step_period_typed(self, ctx: Ctx, answer: Answer) -> None:
        self.begin(ctx, answer.text or " ")

    def chosen(self, ctx: Ctx, period: Period) -> None:
        raise NotImplementedError


class MineFlow(PeriodFlow):
    """`/danhgia [kỳ]`: the period (asked when not typed), then the member's own page."""

    name = "assessment_mine"

    def chosen(self, ctx: Ctx, period: Period) -> None:
        self._show(ctx, period)

    def _show(self, ctx: Ctx, period: Period) -> None:
        text, announced = views.my_result(
            ctx.session, ctx.me, period, offered(ctx), today(ctx), assessment_rules(ctx)
        )
        if not announced:
            ctx.finish()
            ctx.say(text)
            return
        options = [("cell", assessment_texts.MINE_CELL_BUTTON), ("done", assessment_texts.BTN_DONE)]
        ctx.ask(self.name, "after", text, options, data={"period": period.key})

    def step_after(self, ctx: Ctx, answer: Answer) -> None:
        period = period_from_key(ctx.data.get("period"), today(ctx))
        ctx.finish()
        if answer.option == "cell" and period is not None:
            ctx.say(
                views.announced_list(ctx.session, ctx.me, period, today(ctx), assessment_rules(ctx))
            )


MINE = MineFlow()


def register(registry: Registry) -> None:
    registry.flow(MINE)
    registry.command(
        Command(
            "danhgia",
            assessment_texts.CMD_MINE,
            Audience.MEMBER,
            MINE.begin,
            topic=Topic.PERSONAL,
        )
    )
