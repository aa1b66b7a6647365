"""Unit names reach the weekly chart as written: matplotlib must not read them as math.

A name with `$…$` used to be set as a formula (`Chi bộ $x^2$` became "Chi bộ x²") or, when the
"formula" did not parse (`$x_$`, `$$`), made matplotlib raise and broke `/thongke` and the
committee's weekly report. Rendering needs no database: the report is built by hand.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import matplotlib
import pytest
from matplotlib.image import imread
from matplotlib.text import Text

from services.stats import figures as stats
from services.stats import texts as stats_texts
from services.stats.figures import CellStats, StatsReport

PNG = b"\x89PNG\r\n\x1a\n"
NOW = datetime(2026, 3, 4, 2, 0, tzinfo=UTC)
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NAMES = [
    "$",
    "Chi bộ $x^2$",
    "a$b$c\\$",
    "_^{}",
    "$x_$",  # not a valid formula: matplotlib raised ValueError
    "$$",  # an empty formula: matplotlib raised ValueError
    "Chi bộ $\\frac{1}$",  # \frac without its second argument: ValueError
    "\\textbf{x} $\\alpha$ %",
]


def _report(scope: tuple[str, ...]) -> StatsReport:
    cells = tuple(
        CellStats(
            cell_id=index,
            name=name,
            parent_path="Đảng bộ $A$",
            lineage=f"/{index}/",
            members=10,
            linked=9,
            active=5,
            regular_held=index % 2 == 1,
            expected=8,
            present=7,
            copies=10,
            acknowledged=2,
        )
        for index, name in enumerate(scope, start=1)
    )
    return StatsReport(
        scope=scope,
        now=NOW,
        tz=TZ,
        window_days=30,
        cells=cells,
        directives=1,
        flag_months=2,
    )


def _assert_png(png: bytes) -> None:
    assert png.startswith(PNG)
    image = imread(io.BytesIO(png), format="png")
    assert image.shape[:2] == (360, 640)


@pytest.mark.parametrize("name", NAMES)
def test_chart_renders_a_unit_name_with_dollars(name: str) -> None:
    _assert_png(stats.render_chart(_report((name,))))
    # The switch is scoped: matplotlib's defaults are back once the PNG is written.
    assert matplotlib.rcParams["text.parse_math"] is True


def test_chart_renders_several_names_with_dollars() -> None:
    _assert_png(stats.render_chart(_report(tuple(NAMES[:4]))))


@pytest.mark.parametrize("name", NAMES)
def test_chart_text_is_the_name_as_written(name: str) -> None:
    """Drawn as `render_chart` draws it, every text in the figure is literal (no mathtext, no
    LaTeX), the title carries the name unchanged and the bar labels are the fixed ones."""
    report = _report((name,))
    with stats.literal_text():
        figure = stats.chart_figure(report)
        figure.canvas.draw()  # creates the tick labels, as saving does
        (axes,) = figure.axes
        assert axes.get_title() == stats_texts.STATS_CHART_TITLE.format(
            week=report.week_label, scope=name
        )
        assert [label.get_text() for label in axes.get_yticklabels()] == [
            label for label, _ in reversed(stats.indicators(report))
        ]
        drawn = [t for t in figure.findobj(Text) if t.get_text()]
    assert any(name in t.get_text() for t in drawn)
    as_math = [t.get_text() for t in drawn if t.get_parse_math() or t.get_usetex()]
    assert as_math == []


def test_title_is_literal_even_outside_the_block() -> None:
    """The one user-provided text is literal by itself, not only through the rcParams."""
    figure = stats.chart_figure(_report(("Chi bộ $x^2$",)))
    assert figure.axes[0].title.get_parse_math() is False
