"""Which cells need the committee's attention, and why, by name (issue 14).

The totals say how a subtree does; a committee acts on cells. A cell is listed with every reason
that applies, in this order:

- no regular meeting held this month once the month's cut-off day has passed (`cutoff_day`,
  default the 20th: every cell meets monthly, Chỉ thị 50-CT/TW; a meeting already scheduled
  is said, it may still be held);
- attendance over the window below `attendance_below`;
- directive acknowledgement over the window below `acknowledged_below`;
- members flagged by an offered rule (`CELL_FLAGS`: absences without leave, Article 8);
- an offered rate (`CELL_FIGURES`: dues collected, pledges) below `figure_below`, after the
  cut-off day only (early in the month every cell is still collecting);
- whatever other features say (`CELL_ATTENTION`: overdue tasks, say), in their words.

A rate with nothing to measure (no roll taken, no directive) never lists a cell. Pure functions
over the collected figures: no query, no clock but the report's own moment.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from services.stats import texts as stats_texts
from services.textnorm import shorten_text

if TYPE_CHECKING:
    from services.stats.figures import CellStats, StatsReport


def _below(part: int, whole: int, threshold: float) -> bool:
    return whole > 0 and part / whole < threshold


def _percent(part: int, whole: int) -> str:
    return f"{round(part / whole * 100)}%"


def reasons(cell: CellStats, report: StatsReport) -> list[str]:
    """Why `cell` needs attention at the report's moment (empty: it does not)."""
    rules = report.rules
    found: list[str] = []
    past_cutoff = report.local_now.day > rules.cutoff_day
    if past_cutoff and not cell.regular_held:
        found.append(
            stats_texts.ATTENTION_SCHEDULED
            if cell.regular_scheduled
            else stats_texts.ATTENTION_NOT_MET
        )
    if _below(cell.present, cell.expected, rules.attendance_below):
        found.append(
            stats_texts.ATTENTION_ATTENDANCE.format(rate=_percent(cell.present, cell.expected))
        )
    if _below(cell.acknowledged, cell.copies, rules.acknowledged_below):
        found.append(
            stats_texts.ATTENTION_ACKNOWLEDGED.format(rate=_percent(cell.acknowledged, cell.copies))
        )
    if cell.flagged:
        found.append(
            stats_texts.ATTENTION_FLAGGED.format(n=cell.flagged, months=report.flag_months)
        )
    if past_cutoff:
        for figure, (part, whole) in zip(report.figures, cell.extra, strict=False):
            if _below(part, whole, rules.figure_below):
                found.append(
                    stats_texts.ATTENTION_FIGURE.format(
                        label=figure.label, rate=_percent(part, whole)
                    )
                )
    found.extend(cell.notes)
    return found


def needing_attention(report: StatsReport) -> list[tuple[CellStats, list[str]]]:
    """The report's cells that need attention with their reasons: most reasons first, then by
    place in the tree, so the cut list keeps the cells with most to fix."""
    listed = [(cell, found) for cell in report.cells if (found := reasons(cell, report))]
    listed.sort(key=lambda pair: (-len(pair[1]), pair[0].parent_path, pair[0].name))
    return listed


def attention_lines(report: StatsReport, *, shown: int = 5) -> list[str]:
    """The "Cần lưu ý" part of the report: a heading, one short line per cell (at most
    `shown`), then "và N chi bộ khác"; nothing when no cell needs attention."""
    listed = needing_attention(report)
    if not listed:
        return [stats_texts.ATTENTION_NONE]
    lines = [stats_texts.ATTENTION_TITLE.format(n=len(listed))]
    lines += [
        stats_texts.ATTENTION_LINE.format(
            name=shorten_text(cell.name, 40), reasons=shorten_text("; ".join(found), 150)
        )
        for cell, found in listed[:shown]
    ]
    if len(listed) > shown:
        lines.append(stats_texts.ATTENTION_MORE.format(n=len(listed) - shown))
    return lines


def worst_first(report: StatsReport, cells: Sequence[CellStats]) -> list[CellStats]:
    """`cells` ordered for the comparison chart: most reasons first, then the lowest rate."""

    def key(cell: CellStats) -> tuple[int, float, str]:
        rates = [
            cell.present / cell.expected if cell.expected else 1.0,
            cell.acknowledged / cell.copies if cell.copies else 1.0,
        ]
        return (-len(reasons(cell, report)), min(rates), cell.name)

    return sorted(cells, key=key)
