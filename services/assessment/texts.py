"""Every sentence of the assessment (Quy định 366-QĐ/TW), in Vietnamese: short, polite, plain."""

from __future__ import annotations

CMD_MINE = "Kết quả đánh giá, xếp loại của tôi"
CMD_MANAGE = "Đánh giá, xếp loại đảng viên của chi bộ"

BAND_NAMES = {
    "xuat_sac": "Hoàn thành xuất sắc nhiệm vụ",
    "tot": "Hoàn thành tốt nhiệm vụ",
    "hoan_thanh": "Hoàn thành nhiệm vụ",
    "khong_hoan_thanh": "Không hoàn thành nhiệm vụ",
}
BAND_SHORT = {
    "xuat_sac": "Xuất sắc",
    "tot": "Tốt",
    "hoan_thanh": "Hoàn thành",
    "khong_hoan_thanh": "Không HT",
}

PERIOD_YEAR = "năm {year}"
PERIOD_QUARTER = "quý {roman}/{year}"
STATUS_NAMES = {
    "open": "chi bộ đang đánh giá",
    "submitted": "đã gửi cấp trên, chờ duyệt",
    "locked": "cấp trên đã duyệt (đã khóa)",
}

ASK_PERIOD = "Đồng chí xem kỳ nào? Chọn dưới đây, hoặc gõ: 2026, quý 3 2026."
BAD_PERIOD = "Tôi chưa hiểu kỳ này. Đồng chí gõ năm (2026) hoặc quý (quý 3 2026), kỳ đã bắt đầu."

# -- the breakdown ------------------------------------------------------------------------------
CRITERION_LABELS = {
    "attendance": "Dự sinh hoạt chi bộ",
    "tasks": "Thực hiện nhiệm vụ được giao",
    "fees": "Đóng đảng phí",
    "pledge": "Đăng ký và kiểm điểm làm theo",
}
LINE = "• {label}: {detail} → {points}/{weight} điểm"
LINE_NOT_MEASURED = "• {label}: {detail} (không tính)"
LINE_NOT_OFFERED = "• {label}: phần mềm chưa có dữ liệu này, bỏ qua (không tính)"
DETAIL_ATTENDANCE = (
    "có mặt {attended}/{convened} buổi, vắng có phép {excused}, vắng không phép {unexcused}"
)
DETAIL_ATTENDANCE_NONE = "chưa có buổi sinh hoạt nào được điểm danh"
DETAIL_TASKS = (
    "{total} nhiệm vụ: đúng hạn {on_time}, trễ hạn {late}, chưa xong {not_done}{exceeded}"
)
DETAIL_TASKS_EXCEEDED = ", vượt mức {exceeded}"
DETAIL_TASKS_NONE = "không có nhiệm vụ đến hạn trong kỳ"
DETAIL_FEES = "{months} tháng phải đóng: đúng hạn {on_time}, đóng muộn {late}, chưa đóng {unpaid}"
DETAIL_FEES_NONE = "chưa có mức đảng phí trong kỳ"
DETAIL_PLEDGE = "bản đăng ký {approved}{review}"
DETAIL_PLEDGE_APPROVED = "đã được duyệt"
DETAIL_PLEDGE_MISSING = "chưa được duyệt"
DETAIL_PLEDGE_REVIEWED = ", kiểm điểm cuối kỳ đã xác nhận"
DETAIL_PLEDGE_NOT_REVIEWED = ", kiểm điểm cuối kỳ chưa xác nhận"
DETAIL_UNKNOWN = "có dữ liệu nhưng công thức chưa tính"

NOTE_SCALED = "Chỉ tính {measured} điểm có dữ liệu, quy ra thang 100."
NOTE_IN_PROGRESS = "Kỳ chưa kết thúc: số liệu tính đến {date}."
NOTE_CAP_NOT_ON_TIME = "Chưa xếp Xuất sắc: còn nhiệm vụ trễ hạn hoặc chưa xong (366-QĐ/TW)."
NOTE_CAP_EXCEEDED = "Chưa xếp Xuất sắc: nhiệm vụ vượt mức dưới {share}% (366-QĐ/TW)."
NOTE_EXCEEDED_UNKNOWN = (
    "Phần mềm chưa ghi nhận nhiệm vụ vượt mức: chi bộ tự xem xét điều kiện Xuất sắc."
)
NOTE_CAP_LATE = "Nhiệm vụ trễ hạn, chưa xong quá {share}%: gợi ý Không hoàn thành (366-QĐ/TW)."
NOTE_NO_DATA = "Chưa đủ dữ liệu để gợi ý điểm."

SCORE_LINE = "Điểm gợi ý: {base}{adjust} = {score}/100 → {band}"
SCORE_ADJUST = " {sign}{points} (bí thư điều chỉnh)"
SCORE_NONE = "Điểm gợi ý: chưa có"
ADJUST_ITEM = "  {sign}{points}: {reason}"

MINE_HEAD = "📋 Đánh giá, xếp loại {period} của đồng chí {name}"
MINE_STATUS = "Tình trạng: {status}."
MINE_SUGGESTION_ONLY = (
    "Đây là điểm gợi ý từ số liệu, chưa phải kết quả: chi bộ xem xét và quyết định."
)
MINE_DECIDED = "Chi bộ xếp loại: {band}{vote}."
MINE_FINAL = "✅ Kết quả: {band}{vote}."
MINE_VOTE = " (biểu quyết {votes_for}/{votes_cast} tán thành)"
MINE_NOTE = "Ghi chú của chi bộ: {note}"
MINE_EXEMPT = "Đồng chí đang được miễn sinh hoạt: không đánh giá, xếp loại trong kỳ này."
MINE_CELL_BUTTON = "📋 Kết quả cả chi bộ"
CELL_RESULTS_HEAD = "Kết quả xếp loại {period} của {cell}:"
CELL_RESULTS_LINE = "{n}. {name}: {band}"
CELL_RESULTS_NOT_LOCKED = "Kết quả của chi bộ chưa được cấp trên duyệt."

# -- the secretary ------------------------------------------------------------------------------
ASK_CELL = "Đồng chí làm việc với chi bộ nào?"
SCOPE_COMMITTEE = "🏛 Các chi bộ cấp dưới"
CELL_HEAD = "📋 {cell}, {period} ({status}). {decided}/{total} đồng chí đã xếp loại."
CELL_MEMBER = "{n}. {name}: {score} điểm → {band}{decided}"
CELL_MEMBER_NO_SCORE = "{n}. {name}: chưa có điểm{decided}"
CELL_DECIDED_MARK = " | chi bộ: {band}"
CELL_EXEMPT = "Miễn sinh hoạt, không xếp loại: {names}."
CELL_PICK = "Chọn một đồng chí để xem chi tiết, điều chỉnh điểm hoặc ghi xếp loại."
BTN_EXPORT = "📥 Tải danh sách (Excel)"
BTN_SUBMIT = "📤 Gửi cấp trên duyệt"
BTN_DONE = "Xong"
BTN_BACK = "↩ Danh sách"
BTN_ADJUST = "± Cộng/trừ điểm"
BTN_DECIDE = "✍ Ghi xếp loại"
BTN_FOLLOW = "Theo gợi ý"
BTN_NO_VOTE = "Không biểu quyết"
BTN_NO_NOTE = "Không ghi chú"
MEMBER_HEAD = "👤 {name} ({period})"
ASK_POINTS = "Cộng hoặc trừ bao nhiêu điểm? Gõ ví dụ +5 hoặc -3 (tổng không quá ±{limit})."
BAD_POINTS = "Số điểm chưa đúng. Đồng chí gõ ví dụ +5 hoặc -3, khác 0."
ASK_REASON = "Lý do cộng/trừ điểm (bắt buộc, ghi ngắn gọn)?"
BAD_REASON = "Lý do cần từ {min} đến {max} ký tự."
ADJUST_LIMIT = "Tổng điểm cộng/trừ của một đồng chí không quá ±{limit}. Hiện đang là {current}."
ADJUSTED = "Đã ghi {sign}{points} điểm cho đồng chí {name}."
ASK_BAND = "Chi bộ xếp loại đồng chí {name} thế nào? (Gợi ý: {band})"
ASK_VOTE = "Kết quả biểu quyết: gõ số tán thành và số đảng viên biểu quyết, ví dụ 9 10."
BAD_VOTE = "Chưa đúng. Gõ hai số: tán thành và tổng số biểu quyết (ví dụ 9 10), số đầu không lớn hơn số sau."
ASK_NOTE = "Ghi chú của chi bộ (bắt buộc khi khác gợi ý: nêu lý do)?"
NOTE_REQUIRED = "Xếp loại khác gợi ý ({band}) nên cần ghi lý do."
BAD_NOTE = "Ghi chú tối đa {max} ký tự."
DECIDED = "Đã ghi xếp loại {band} cho đồng chí {name}."
NOT_ALL_DECIDED = "Còn {count} đồng chí chưa được xếp loại: {names}."
QUOTA_EXCEEDED = (
    "Số Xuất sắc ({excellent}) vượt {share}% số Tốt ({good}): tối đa {allowed}. Đồng chí xem lại."
)
SUBMITTED = "Đã gửi kết quả {period} của {cell} lên cấp trên duyệt."
EXPORT_CAPTION = "Danh sách đánh giá, xếp loại {period} của {cell}."

# -- refusals ----------------------------------------------------------------------------------
NOT_IN_CELL = "Đồng chí này không thuộc chi bộ hoặc không được xếp loại trong kỳ."
PERIOD_LOCKED = "Kỳ {period} đã được cấp trên duyệt và khóa: không sửa được. Cần cấp trên mở khóa."
PERIOD_SUBMITTED = "Kỳ {period} đã gửi cấp trên, đang chờ duyệt: không sửa được lúc này."
NOT_SUBMITTED = "Chi bộ chưa gửi kết quả kỳ {period} lên: chưa có gì để duyệt."
NOT_LOCKED = "Kỳ {period} của chi bộ đang mở: không cần mở khóa."
COMMITTEE_ONLY = "Việc này do cấp ủy cấp trên làm."

# -- the committee -----------------------------------------------------------------------------
DIST_HEAD = "📊 Xếp loại {period}, các chi bộ thuộc {unit}:"
DIST_LINE = "• {cell}: {counts} ({status})"
DIST_COUNTS = "XS {xuat_sac}, Tốt {tot}, HT {hoan_thanh}, Không HT {khong_hoan_thanh} / {members}"
DIST_NONE = "• {cell}: chưa xếp loại"
DIST_TOTAL = "Cộng: {counts}"
DIST_PICK = "Chọn chi bộ đang chờ duyệt để xem và duyệt:"
DIST_NOTHING_WAITING = "Không có chi bộ nào chờ duyệt."
ASK_UNIT = "Đồng chí xem đơn vị nào?"
BTN_APPROVE = "✅ Duyệt và khóa"
BTN_UNLOCK = "🔓 Mở lại (trả chi bộ)"
BTN_DISTRIBUTION = "📊 Tổng hợp"
APPROVED = "Đã duyệt và khóa kết quả {period} của {cell}."
ASK_UNLOCK_REASON = "Lý do mở lại kết quả của chi bộ (bắt buộc, sẽ được ghi lại)?"
UNLOCKED = "Đã mở lại kỳ {period} của {cell}. Chi bộ có thể sửa và gửi lại."
NOTIFY_SUBMITTED = "📤 {cell} đã gửi kết quả đánh giá, xếp loại {period}. Đồng chí duyệt bằng lệnh /danhgia_quanly."
NOTIFY_APPROVED = "✅ Cấp trên đã duyệt kết quả đánh giá, xếp loại {period} của {cell}."
NOTIFY_UNLOCKED = "🔓 Cấp trên mở lại kết quả {period} của {cell}. Lý do: {reason}"
BYE = "Xong. Gõ /danhgia_quanly khi cần làm tiếp."

# -- export ------------------------------------------------------------------------------------
SHEET_TITLE = "Xếp loại {period}"
SHEET_HEADING = "DANH SÁCH ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG ĐẢNG VIÊN {period}"
SHEET_COLUMNS = (
    "STT",
    "Họ và tên",
    "Mã đảng viên",
    "Chính thức/Dự bị",
    "Điểm gợi ý",
    "Cộng/trừ",
    "Tổng điểm",
    "Gợi ý xếp loại",
    "Chi bộ xếp loại",
    "Biểu quyết (tán thành/tổng)",
    "Ghi chú",
)
SHEET_STATUS = {"chinh_thuc": "Chính thức", "du_bi": "Dự bị", "mien": "Miễn sinh hoạt"}
SHEET_SUMMARY = "Tổng hợp: {counts}"
