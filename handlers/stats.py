"""`/thongke`: the committee's statistics on request, with the chart and the per-cell table.

The same figures as the Monday report (`services.stats.figures`), for the member's committee
subtree (an admin: the whole tree): the totals, the cells needing attention by name, the chart
(the cells compared and the 8-period trend, `services.stats.charts`) and an XLSX with one row
per cell. Members and secretaries are refused by the command's audience (Permission.OVERSEE)
before this runs; `scope_units` checks each unit again. The core runs in a worker thread, so the
rendering does not block any event loop.
"""

from __future__ import annotations

from handlers.context import Ctx
from handlers.messages import OutFile
from handlers.registry import Audience, Command, Registry
from services.stats import charts as stats_charts
from services.stats import figures as stats
from services.stats import texts as stats_texts


def stats_command(ctx: Ctx, _args: str) -> None:
    rules = stats.StatsRules.offered(ctx.config.offers, ctx.config.tz)
    report = stats.report_for_actor(ctx.session, ctx.me, now=ctx.now, rules=rules)
    day = report.local_now.strftime("%Y-%m-%d")
    ctx.say(
        report.text(),
        file=OutFile(f"thongke_{day}.png", stats_charts.render_chart(report), "photo"),
    )
    ctx.say(
        stats_texts.STATS_XLSX_CAPTION.format(cells=len(report.cells)),
        file=OutFile(f"thongke_{day}.xlsx", stats.render_xlsx(report), "document"),
    )


def register(registry: Registry) -> None:
    registry.command(Command("thongke", stats_texts.CMD_STATS, Audience.COMMITTEE, stats_command))
