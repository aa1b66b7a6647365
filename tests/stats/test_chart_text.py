"""The committee's chart: a valid PNG whatever the unit names, what it shows (the cells, or the
worst ones when too many; the trend), and unit names drawn as written.

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

from services.stats import charts
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


def _cell(index: int, name: str, *, present: int = 7, acknowledged: int = 2) -> CellStats:
    return CellStats(
        cell_id=index,
        name=name,
        parent_path="Đảng bộ $A$",
        lineage=f"/{index}/",
        members=10,
        linked=9,
        active=5,
        regular_held=index % 2 == 1,
        expected=8,
        present=present,
        copies=10,
        acknowledged=acknowledged,
        weeks=[[8, present, 10, acknowledged], [0, 0, 0, 0], [4, 4, 5, 5]],
    )


def _report(names: tuple[str, ...], scope: tuple[str, ...] | None = None) -> StatsReport:
    cells = tuple(_cell(index, name) for index, name in enumerate(names, start=1))
    return StatsReport(
        scope=scope or names,
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
    assert image.shape[:2] == (720, 640)


@pytest.mark.parametrize("name", NAMES)
def test_chart_renders_a_unit_name_with_dollars(name: str) -> None:
    _assert_png(charts.render_chart(_report((name,))))
    # The switch is scoped: matplotlib's defaults are back once the PNG is written.
    assert matplotlib.rcParams["text.parse_math"] is True


def test_chart_renders_several_names_with_dollars_and_no_cells() -> None:
    _assert_png(charts.render_chart(_report(tuple(NAMES))))
    _assert_png(charts.render_chart(_report((), scope=("Đảng bộ trống",))))


def test_chart_shows_the_names_as_written_and_no_text_as_math() -> None:
    """The data carry the names unchanged (Pillow draws them as written); whatever matplotlib
    itself draws (titles, ticks, legend) is literal too."""
    data = charts.chart_data(_report(tuple(NAMES[:4]), scope=("Chi bộ $x^2$",)))
    assert data.names == tuple(NAMES[:4])
    assert data.title == stats_texts.STATS_CHART_TITLE.format(
        week="26/02–04/03/2026", scope="Chi bộ $x^2$"
    )
    charts.render_data(data)
    figure = charts.chart_figure()
    drawn = [t for t in figure.findobj(Text) if t.get_text()]
    assert stats_texts.STATS_CHART_ATTENDANCE in [t.get_text() for t in drawn]
    assert [t.get_text() for t in drawn if t.get_parse_math() or t.get_usetex()] == []


def test_chart_compares_the_cells_and_keeps_the_worst_when_too_many() -> None:
    few = charts.chart_data(_report(("A", "B")))
    assert few.names == ("A", "B")
    assert few.attendance == (pytest.approx(87.5), pytest.approx(87.5))
    assert few.acknowledged == (20.0, 20.0)
    assert few.cells_title == stats_texts.STATS_CHART_CELLS.format(days=30)

    cells = [_cell(i, f"Chi bộ {i:02d}", present=8, acknowledged=9) for i in range(1, 15)]
    cells[4] = _cell(5, "Chi bộ yếu", present=2, acknowledged=1)  # 25 % and 10 %
    cells[9] = _cell(10, "Chi bộ ít xác nhận", present=8, acknowledged=0)
    report = StatsReport(
        scope=("X",),
        now=NOW,
        tz=TZ,
        window_days=30,
        cells=tuple(cells),
        directives=1,
        flag_months=2,
    )
    many = charts.chart_data(report)
    assert len(many.names) == charts.MAX_ROWS
    # Two reasons (low attendance, low acknowledgement) before one; then the lowest rate.
    assert many.names[0] == "Chi bộ yếu" and many.names[1] == "Chi bộ ít xác nhận"
    assert many.cells_title == stats_texts.STATS_CHART_CELLS_WORST.format(
        shown=charts.MAX_ROWS, cells=14, days=30
    )
    _assert_png(charts.render_data(many))


def test_chart_trend_is_the_periods_oldest_first_with_gaps() -> None:
    data = charts.chart_data(_report(("A", "B")))
    # Three periods ending 04/03 (local), 25/02 and 18/02: shown oldest first.
    assert data.trend_labels == ("18/02", "25/02", "04/03")
    assert data.trend_attendance == (100.0, None, pytest.approx(87.5))
    assert data.trend_acknowledged == (100.0, None, 20.0)


def test_equal_figures_make_equal_chart_data() -> None:
    """The weekly job draws once per distinct `ChartData`: equal reports share one drawing."""
    assert charts.chart_data(_report(("A",))) == charts.chart_data(_report(("A",)))
    assert len({charts.chart_data(_report(("A",))), charts.chart_data(_report(("B",)))}) == 2
