"""The statistics feature's sentences, in Vietnamese: short for a phone screen,
polite and plain ("đồng chí"). Placeholders use str.format names."""

from __future__ import annotations

from typing import Final

# Committee statistics (services/stats/figures.py): weekly message, /thongke, chart, spreadsheet.
CMD_STATS: Final = "Thống kê các chi bộ (biểu đồ, bảng Excel)"
STATS_TITLE: Final = "📊 Thống kê tuần {week} – {scope}"
STATS_MEMBERS: Final = "• {cells} chi bộ, {members} đảng viên; {linked} đã kết nối, {active} hoạt động trong {days} ngày qua"
STATS_MEETINGS: Final = "• Tháng {month}: {held} buổi sinh hoạt; {not_met}/{cells} chi bộ chưa họp thường kỳ ({scheduled} đã có lịch)"
STATS_ATTENDANCE: Final = "• Dự họp ({days} ngày qua): {rate} ({present}/{expected} lượt)"
STATS_DIRECTIVES: Final = (
    "• Chỉ đạo ({days} ngày qua): {directives}; đã xác nhận {rate} ({acknowledged}/{copies} lượt)"
)
STATS_FLAGGED: Final = "• Đảng viên vắng sinh hoạt không phép từ {months} tháng trở lên: {flagged}"
STATS_FIGURE: Final = "• {label}: {rate} ({part}/{whole}{unit})"
STATS_WEEKLY_FOOTER: Final = "Gõ /thongke để nhận bảng Excel từng chi bộ."
STATS_XLSX_CAPTION: Final = "📎 Bảng thống kê từng chi bộ ({cells} chi bộ)."
STATS_CHART_TITLE: Final = "Tuần {week} – {scope}"
STATS_CHART_CELLS: Final = "Từng chi bộ ({days} ngày qua)"
STATS_CHART_CELLS_WORST: Final = "{shown}/{cells} chi bộ cần lưu ý nhất ({days} ngày qua)"
STATS_CHART_TREND: Final = "Xu hướng {weeks} tuần (mỗi điểm: 7 ngày)"
STATS_CHART_NO_CELLS: Final = "Chưa có chi bộ"
STATS_CHART_LINKED: Final = "Đã kết nối"
STATS_CHART_ACTIVE: Final = "Hoạt động {days} ngày"
STATS_CHART_MET: Final = "Chi bộ đã họp tháng này"
STATS_CHART_ATTENDANCE: Final = "Dự họp"
STATS_CHART_ACKNOWLEDGED: Final = "Xác nhận chỉ đạo"
STATS_XLSX_SHEET_CELLS: Final = "Chi bộ"
STATS_XLSX_SHEET_SUMMARY: Final = "Tổng hợp"
STATS_XLSX_HEADERS: Final = (
    "Đơn vị cấp trên",
    "Chi bộ",
    "Đảng viên",
    "Đã kết nối",
    "Hoạt động {days} ngày",
    "Buổi họp tháng này",
    "Họp thường kỳ",
    "Tỷ lệ dự họp",
    "Chỉ đạo nhận",
    "Lượt nhận",
    "Tỷ lệ xác nhận",
    "Vắng không phép nhiều",
    "Cần lưu ý",
)
STATS_XLSX_MET: Final = {"held": "Đã họp", "scheduled": "Đã có lịch", "none": "Chưa họp"}
STATS_XLSX_SCOPE: Final = "Phạm vi"
STATS_XLSX_AT: Final = "Thời điểm"
STATS_XLSX_CELLS: Final = "Số chi bộ"
STATS_XLSX_MEMBERS: Final = "Đảng viên"
STATS_XLSX_LINKED: Final = "Đã kết nối"
STATS_XLSX_ACTIVE: Final = "Hoạt động {days} ngày qua"
STATS_XLSX_HELD: Final = "Buổi sinh hoạt tháng {month}"
STATS_XLSX_NOT_MET: Final = "Chi bộ chưa họp thường kỳ"
STATS_XLSX_ATTENDANCE: Final = "Tỷ lệ dự họp"
STATS_XLSX_DIRECTIVES: Final = "Chỉ đạo"
STATS_XLSX_ACKNOWLEDGED: Final = "Tỷ lệ xác nhận chỉ đạo"
STATS_XLSX_FLAGGED: Final = "Đảng viên vắng không phép từ {months} tháng"
# Three columns per figure other features offer: what was reached, the target, the rate.
STATS_XLSX_FIGURE_HEADERS: Final = (
    "{label} – đạt{unit}",
    "{label} – chỉ tiêu{unit}",
    "{label} – tỷ lệ",
)

# Cells needing attention (services/stats/attention.py): one short line per cell.
ATTENTION_TITLE: Final = "⚠️ Cần lưu ý: {n} chi bộ"
ATTENTION_LINE: Final = "  – {name}: {reasons}"
ATTENTION_MORE: Final = "  và {n} chi bộ khác (xem bảng Excel)"
ATTENTION_NONE: Final = "✅ Chưa có chi bộ nào cần lưu ý."
ATTENTION_NOT_MET: Final = "chưa họp thường kỳ"
ATTENTION_SCHEDULED: Final = "chưa họp thường kỳ (đã có lịch)"
ATTENTION_ATTENDANCE: Final = "dự họp {rate}"
ATTENTION_ACKNOWLEDGED: Final = "xác nhận chỉ đạo {rate}"
ATTENTION_FLAGGED: Final = "{n} đảng viên vắng không phép từ {months} tháng"
ATTENTION_FIGURE: Final = "{label} {rate}"
