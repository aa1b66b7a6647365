"""The committee's chart (issue 14), drawn fast enough for every committee each week (issue 16).

One PNG, phone-sized (640 × 720): on top, one pair of horizontal bars per cell (attendance and
directive acknowledgement over the window), the committee's cells when they fit, otherwise the
`MAX_ROWS` that most need attention; below, the same two rates over the last eight 7-day periods
of the whole subtree. The totals are in the text beside it.

Why it is drawn this way: the weekly run draws one chart per committee (about 700 at ten times
the pilot), and matplotlib spends most of a chart laying out and rasterising text. So each
process keeps one figure (`_Painter`): its fixed parts (axes, grid, ticks, legend, the periods'
dates) are drawn once and kept as a bitmap, and each chart only restores that bitmap and draws
what changes (bars, lines) with `draw_artist` (blitting), Pillow writing the titles and the
cells' names; the bitmap is reduced to 64 colours and encoded by Pillow at a low compression
level. What a chart shows is `ChartData`, plain values, so two committees with the same figures
share one drawing (`scheduler.weekly`).

Unit names are typed by people: Pillow draws them as written (it has no math syntax), matplotlib
draws none of them, and its own texts are literal too (`parse_math=False`, and the drawing runs
inside `literal_text()`), so `Chi bộ $x^2$` stays as typed and `$x_$` cannot make it raise.
"""

from __future__ import annotations

import io
import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from services.stats import texts as stats_texts
from services.stats.attention import worst_first
from services.textnorm import shorten_text

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from services.stats.figures import StatsReport

MAX_ROWS = 10  # cells on the comparison chart; more and the worst ones are shown
WIDTH, HEIGHT, DPI = 6.4, 7.2, 100
_ATTENDANCE_COLOUR = "#1565c0"
_ACK_COLOUR = "#ef6c00"
# matplotlib's font caches and the shared figure are not thread-safe: one chart at a time per
# process (the core renders in worker threads, the scheduler in its own).
_RENDER_LOCK = threading.Lock()


@dataclass(frozen=True)
class ChartData:
    """Everything one chart shows, as plain values (picklable, hashable: equal data, one
    drawing). Rates are percentages, None when there is nothing to measure."""

    title: str
    cells_title: str
    names: tuple[str, ...]
    attendance: tuple[float | None, ...]
    acknowledged: tuple[float | None, ...]
    trend_title: str
    trend_labels: tuple[str, ...]
    trend_attendance: tuple[float | None, ...]
    trend_acknowledged: tuple[float | None, ...]


def _pct(part: int, whole: int) -> float | None:
    return part / whole * 100 if whole else None


def chart_data(report: StatsReport) -> ChartData:
    """What the report's chart shows: its cells (or the worst `MAX_ROWS`) and its trend."""
    days = report.window_days
    cells = list(report.cells)
    if len(cells) > MAX_ROWS:
        shown = worst_first(report, cells)[:MAX_ROWS]
        cells_title = stats_texts.STATS_CHART_CELLS_WORST.format(
            shown=MAX_ROWS, cells=len(cells), days=days
        )
    else:
        shown = cells
        cells_title = stats_texts.STATS_CHART_CELLS.format(days=days)
    trend = report.trend
    return ChartData(
        title=shorten_text(
            stats_texts.STATS_CHART_TITLE.format(
                week=report.week_label, scope=", ".join(report.scope)
            ),
            70,
        ),
        cells_title=cells_title,
        names=tuple(shorten_text(c.name, 34) for c in shown),
        attendance=tuple(_pct(c.present, c.expected) for c in shown),
        acknowledged=tuple(_pct(c.acknowledged, c.copies) for c in shown),
        trend_title=stats_texts.STATS_CHART_TREND.format(weeks=len(trend)),
        trend_labels=tuple(f"{p.last_day:%d/%m}" for p in trend),
        trend_attendance=tuple(None if p.attendance is None else p.attendance * 100 for p in trend),
        trend_acknowledged=tuple(
            None if p.acknowledged is None else p.acknowledged * 100 for p in trend
        ),
    )


@contextmanager
def literal_text() -> Iterator[None]:
    """Inside this block matplotlib draws every string as written: no mathtext, no LaTeX.

    A per-artist `parse_math=False` (set on every text here) would miss a tick label that
    matplotlib creates lazily while drawing, so the rcParams default, which every `Text` reads
    when it is created, is switched too, until the PNG is written. rcParams are process-wide:
    use this only under `_RENDER_LOCK`, like every chart here.
    """
    import matplotlib

    with matplotlib.rc_context({"text.parse_math": False, "text.usetex": False}):
        yield


class _Painter:
    """One figure, its fixed parts drawn once, redrawn in part for each chart (blitting)."""

    def __init__(self) -> None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        self.figure = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI)
        self.canvas = FigureCanvasAgg(self.figure)
        self.cells = self.figure.add_axes((0.36, 0.42, 0.6, 0.47))
        self.trend = self.figure.add_axes((0.09, 0.07, 0.87, 0.25))
        literal: dict[str, Any] = {"parse_math": False, "usetex": False}
        cells, trend = self.cells, self.trend
        cells.set_xlim(0, 100)
        cells.set_ylim(MAX_ROWS - 0.5, -0.5)
        cells.set_yticks([])
        cells.set_xticks([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"], fontsize=8)
        cells.grid(axis="x", color="#e0e0e0", linewidth=0.8)
        cells.set_axisbelow(True)
        cells.spines[["top", "right"]].set_visible(False)
        self.attendance = cells.barh(
            range(MAX_ROWS), [0] * MAX_ROWS, color=_ATTENDANCE_COLOUR, animated=True
        )
        self.acknowledged = cells.barh(
            range(MAX_ROWS), [0] * MAX_ROWS, color=_ACK_COLOUR, animated=True
        )
        self.empty = cells.text(
            50, 4.5, stats_texts.STATS_CHART_NO_CELLS, ha="center", animated=True, **literal
        )
        trend.set_ylim(0, 105)
        trend.set_yticks([0, 50, 100], ["0%", "50%", "100%"], fontsize=8)
        trend.grid(axis="y", color="#e0e0e0", linewidth=0.8)
        trend.spines[["top", "right"]].set_visible(False)
        (self.trend_attendance,) = trend.plot(
            [], [], marker="o", color=_ATTENDANCE_COLOUR, animated=True
        )
        (self.trend_acknowledged,) = trend.plot(
            [], [], marker="s", color=_ACK_COLOUR, animated=True
        )
        # Fixed for a run: part of the bitmap.
        self.trend_title = self.figure.text(
            0.5, 0.355, "", ha="center", va="top", fontsize=9, **literal
        )
        # Drawn by Pillow on the bitmap (`draw`): the titles that change with the committee
        # (its name; how many of its cells are shown) and the cells' names.
        self.fonts = _Fonts()
        from matplotlib.patches import Patch

        self.figure.legend(
            handles=[
                Patch(color=_ATTENDANCE_COLOUR, label=stats_texts.STATS_CHART_ATTENDANCE),
                Patch(color=_ACK_COLOUR, label=stats_texts.STATS_CHART_ACKNOWLEDGED),
            ],
            loc="upper center",
            bbox_to_anchor=(0.5, 0.395),
            ncols=2,
            fontsize=8,
            frameon=False,
        )
        # The fixed parts' bitmaps, by what varies among them (the periods' dates and their
        # title): one a run; a long-lived process keeps the latest few.
        self._backgrounds: dict[tuple[Any, ...], Any] = {}

    def _restore_background(self, data: ChartData) -> None:
        """The fixed parts, drawn once per variant and restored for every chart."""
        key = (data.trend_labels, data.trend_title)
        background = self._backgrounds.get(key)
        if background is None:
            labels = data.trend_labels
            self.trend.set_xlim(-0.4, max(len(labels), 1) - 0.6)
            self.trend.set_xticks(range(len(labels)), labels, fontsize=8)
            self.trend_title.set_text(data.trend_title)
            self.canvas.draw()  # type: ignore[no-untyped-call]  # matplotlib, untyped
            bbox = self.figure.bbox
            background = self.canvas.copy_from_bbox(bbox)  # type: ignore[no-untyped-call]
            if len(self._backgrounds) >= 4:
                self._backgrounds.clear()
            self._backgrounds[key] = background
        self.canvas.restore_region(background)  # type: ignore[no-untyped-call]

    def _place_cells(self, data: ChartData) -> list[tuple[str, float]]:
        """Bars in place for the chart's cells; returns each name with its row's centre."""
        rows = len(data.names)
        names: list[tuple[str, float]] = []
        slot = MAX_ROWS / max(rows, 4)  # few cells get wider rows, not one thin bar on top
        bar = min(0.38 * slot, 0.8)
        for index in range(MAX_ROWS):
            visible = index < rows
            centre = (index + 0.5) * slot - 0.5
            for bars, values, offset in (
                (self.attendance, data.attendance, -bar / 2),
                (self.acknowledged, data.acknowledged, bar / 2),
            ):
                rectangle = bars[index]
                rectangle.set_visible(visible)
                if visible:
                    value = values[index]
                    rectangle.set_width(0.0 if value is None else max(value, 0.6))
                    rectangle.set_y(centre + offset - bar / 2)
                    rectangle.set_height(bar)
            if visible:
                names.append((data.names[index], centre))
        self.empty.set_visible(rows == 0)
        return names

    def draw(self, data: ChartData) -> bytes:
        from PIL import Image, ImageDraw

        self._restore_background(data)
        names = self._place_cells(data)
        steps = range(len(data.trend_labels))
        self.trend_attendance.set_data(steps, [_nan(v) for v in data.trend_attendance])
        self.trend_acknowledged.set_data(steps, [_nan(v) for v in data.trend_acknowledged])
        for artist in (
            *self.attendance,
            *self.acknowledged,
            self.empty,
            self.trend_attendance,
            self.trend_acknowledged,
        ):
            if artist.get_visible():
                self.figure.draw_artist(artist)
        width, height = self.canvas.get_width_height()
        pixels = self.canvas.buffer_rgba()  # type: ignore[no-untyped-call]  # matplotlib
        image = Image.frombuffer("RGBA", (width, height), pixels, "raw")
        image = image.convert("RGB")
        pen, fonts = ImageDraw.Draw(image), self.fonts
        centre = width / 2
        pen.text((centre, 0.025 * height), data.title, font=fonts.title, fill="black", anchor="ma")
        subtitle = data.cells_title
        pen.text((centre, 0.075 * height), subtitle, font=fonts.subtitle, fill="black", anchor="ma")
        to_pixels = self.cells.transData
        x = to_pixels.transform((0, 0))[0] - 6
        for name, centre in names:
            y = height - to_pixels.transform((0, centre))[1]  # Pillow counts from the top
            pen.text((x, y), name, font=fonts.name, fill="black", anchor="rm")
        # 64 colours are plenty for two bar colours and grey text, and a palette image encodes
        # in half the time of the RGB one (which was half a chart's time) at a third of its size.
        palette = image.quantize(colors=64, method=Image.Quantize.FASTOCTREE)
        buffer = io.BytesIO()
        palette.save(buffer, format="PNG", compress_level=1)
        return buffer.getvalue()


class _Fonts:
    """The fonts of the texts that change with every chart, which Pillow draws in matplotlib's
    own font (DejaVu Sans, which has every Vietnamese letter): an order of magnitude faster
    than a matplotlib `Text`, whose layout and rasterising were most of a chart's time. Pillow
    draws a string as written: there is no math syntax to escape."""

    def __init__(self) -> None:
        from pathlib import Path

        import matplotlib
        from PIL import ImageFont

        font = str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf")
        pixels = DPI / 72  # matplotlib's sizes are points
        self.title = ImageFont.truetype(font, round(10 * pixels))
        self.subtitle = ImageFont.truetype(font, round(9 * pixels))
        self.name = ImageFont.truetype(font, round(8 * pixels))


def _nan(value: float | None) -> float:
    return math.nan if value is None else value


_painter: _Painter | None = None


def render_data(data: ChartData) -> bytes:
    """The PNG of `data`, drawn on this process's figure."""
    global _painter
    with _RENDER_LOCK, literal_text():
        if _painter is None:
            _painter = _Painter()
        return _painter.draw(data)


def render_chart(report: StatsReport) -> bytes:
    """The report's chart as a PNG: the cells compared, and the trend."""
    return render_data(chart_data(report))


def chart_figure() -> Figure:
    """This process's figure as last drawn (for tests that look at its texts)."""
    with _RENDER_LOCK:
        assert _painter is not None, "render a chart first"
        return _painter.figure
