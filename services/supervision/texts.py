"""Every sentence of the supervision feature, in Vietnamese: short, polite, plain."""

from __future__ import annotations

# Commands
CMD_REPORT = "Báo cáo tiến độ nhiệm vụ của mình"
CMD_SUPERVISE = "Giám sát thực hiện nghị quyết"
CMD_PROGRAMME = "Chương trình kiểm tra, giám sát năm"

# Task statuses, as shown in the table
STATUS_ON_TIME = "trong hạn"
STATUS_DUE_SOON = "sắp đến hạn"
STATUS_OVERDUE = "quá hạn"
STATUS_DONE = "hoàn thành"
STATUS_DONE_LATE = "hoàn thành chậm"
STATUS_NOT_DONE = "không hoàn thành"
STATUS_EXCEEDED = "vượt tiến độ/chỉ tiêu"

# Closing outcomes, as offered to the secretary
OUTCOME_DONE = "✅ Hoàn thành"
OUTCOME_DONE_LATE = "🕒 Hoàn thành chậm"
OUTCOME_NOT_DONE = "❌ Không hoàn thành"
OUTCOME_EXCEEDED = "🌟 Vượt tiến độ/chỉ tiêu"

# Progress reports (/baocao)
REPORT_NO_TASKS = "Đồng chí không có nhiệm vụ nào đang làm để báo cáo."
REPORT_PICK = "Đồng chí báo cáo tiến độ nhiệm vụ nào?"
REPORT_ASK_PROGRESS = (
    "Nhiệm vụ: {title} (hạn {due}).\n"
    'Đồng chí đã làm được bao nhiêu phần trăm? Gõ một số từ 0 đến 100, hoặc gõ "xong".'
)
REPORT_BAD_PROGRESS = 'Xin gõ một số từ 0 đến 100 (ví dụ 50), hoặc gõ "xong".'
REPORT_ASK_NOTE = (
    "Xin gõ một dòng ngắn về kết quả (tối đa {limit} ký tự). "
    "Có thể gửi kèm một ảnh hoặc tệp, dòng chữ ghi ở phần chú thích."
)
REPORT_NOTE_EMPTY = "Xin gõ một dòng ngắn về kết quả."
REPORT_NOTE_TOO_LONG = "Dòng báo cáo dài quá ({length} ký tự). Xin viết gọn trong {limit} ký tự."
REPORT_BAD_FILE = "Chỉ nhận ảnh hoặc tệp tài liệu. Xin gửi lại, hoặc chỉ gõ chữ."
REPORT_SAVED = "Đã ghi báo cáo: {title}: {progress}. Cảm ơn đồng chí."
REPORT_SAVED_DONE = "Đã ghi: {title}: đã xong. Bí thư chi bộ sẽ xem và đánh giá."
REPORT_NOT_OWNER = "Nhiệm vụ này không phải của đồng chí, nên không báo cáo được."
REPORT_TASK_CLOSED = "Nhiệm vụ này đã kết thúc, không cần báo cáo thêm."
TASK_NOT_FOUND = "Không tìm thấy nhiệm vụ này. Có thể nó đã bị xóa."
PROGRESS_DONE = "đã xong"
PROGRESS_PERCENT = "{percent}%"
TODO_REPORT_BUTTON = "📝 Báo cáo tiến độ"

# The table (/giamsat)
TABLE_HEAD = "📋 Thực hiện nghị quyết: {cell}"
TABLE_HEAD_OVERDUE = "📋 Nhiệm vụ quá hạn: {cell}"
TABLE_SUMMARY = "Tổng {total} nhiệm vụ: {done} hoàn thành, {overdue} quá hạn, {open} đang làm."
TABLE_SCORE = 'Gợi ý điểm "kết quả thực hiện nghị quyết": {points}/{max}.'
TABLE_GROUP = "— Nghị quyết buổi sinh hoạt {date}:"
TABLE_GROUP_OTHER = "— Nhiệm vụ khác:"
TABLE_ROW = "{n}. {title} — {owner}, hạn {due}: {status}"
TABLE_LAST_REPORT = "   Báo cáo {date}: {progress}{note}"
TABLE_NO_REPORT = "   Chưa có báo cáo."
TABLE_EMPTY = "Chi bộ chưa có nhiệm vụ nào trong thời gian này."
TABLE_EMPTY_OVERDUE = "Không có nhiệm vụ nào quá hạn. 👍"
TABLE_SHOW_OVERDUE = "⏰ Chỉ xem quá hạn"
TABLE_SHOW_ALL = "📋 Xem tất cả"
TABLE_CLOSE = "✔️ Đóng một nhiệm vụ"
TABLE_BACK = "↩️ Danh sách chi bộ"
TABLE_PROGRAMME = "🗂 Chương trình kiểm tra, giám sát"
TABLE_DONE = "Xong"
TABLE_PICK_CELL = "Đồng chí xem chi bộ nào?"
RANKING_HEAD = "📊 Chi bộ xếp theo số nhiệm vụ quá hạn:"
RANKING_ROW = "{n}. {cell}: {overdue} quá hạn / {open} đang làm"
RANKING_EMPTY = "Không có chi bộ nào trong phạm vi đồng chí phụ trách."
NOT_A_CELL = "Đơn vị này không phải chi bộ."
OTHER_CELL = "Đồng chí không phụ trách chi bộ này."

# Closing
CLOSE_PICK = "Đóng nhiệm vụ nào?"
CLOSE_NOTHING = "Không còn nhiệm vụ nào chờ đóng."
CLOSE_OUTCOME = "Nhiệm vụ: {title} ({owner}, hạn {due}).\nKết quả thế nào?"
CLOSE_ASK_NOTE = "Ghi chú ngắn về kết quả (không bắt buộc):"
CLOSE_NO_NOTE = "Không có ghi chú"
CLOSE_NOTE_TOO_LONG = "Ghi chú dài quá. Xin viết gọn trong {limit} ký tự."
CLOSE_SAVED = 'Đã đóng nhiệm vụ "{title}": {outcome}.'
CLOSE_ALREADY = "Nhiệm vụ này đã được đóng rồi ({outcome})."
CLOSE_NOT_SECRETARY = "Chỉ bí thư hoặc phó bí thư của chi bộ mới đóng được nhiệm vụ này."
CLOSE_BAD_OUTCOME = "Kết quả không hợp lệ. Xin chọn lại."
CLOSE_CANCELLED_TASK = "Nhiệm vụ này đã bị hủy."

# Escalation (through the outbox)
ESCALATE_SECRETARY = (
    "⏰ Nhiệm vụ quá hạn {days} ngày chưa xong:\n{title}\n"
    "Người thực hiện: {owner}, hạn {due}. {last}\nĐồng chí xem ở /giamsat."
)
ESCALATE_COMMITTEE = (
    "⏰ {cell}: nhiệm vụ quá hạn {days} ngày chưa xong:\n{title}\n"
    "Người thực hiện: {owner}, hạn {due}. {last}\nĐồng chí xem ở /giamsat."
)
ESCALATE_LAST = "Báo cáo gần nhất: {progress} ({date})."
ESCALATE_NO_REPORT = "Chưa có báo cáo tiến độ."

# Meetings and statistics (offers)
AGENDA_RESULTS = (
    "Kết quả thực hiện nghị quyết tháng trước: {done}/{total} nhiệm vụ hoàn thành, "
    "{overdue} quá hạn (gợi ý {points}/{max} điểm)"
)
FIGURE_ON_TIME = "Nhiệm vụ đúng hạn"

# The yearly programme (/kiemtra)
PROG_HEAD = "🗂 Chương trình kiểm tra, giám sát năm {year}: {cell}"
PROG_ROW = "{n}. Tháng {month}: {subject} — {content} ({state})"
PROG_STATE_DONE = "đã kết luận"
PROG_STATE_OPEN = "chưa làm"
PROG_STATE_LATE = "quá hạn"
PROG_CONCLUSION = "   Kết luận: {text}"
PROG_EMPTY = "Chưa có mục nào trong chương trình năm {year}."
PROG_ADD = "➕ Thêm mục"
PROG_CONCLUDE = "📝 Ghi kết luận"
PROG_DONE = "Xong"
PROG_ASK_SUBJECT = "Kiểm tra, giám sát ai hoặc việc gì? (ví dụ: Đồng chí A; Việc thu đảng phí)"
PROG_ASK_CONTENT = "Nội dung kiểm tra, giám sát là gì?"
PROG_ASK_MONTH = "Làm vào tháng mấy năm {year}? Gõ số tháng từ 1 đến 12."
PROG_BAD_MONTH = "Xin gõ số tháng từ 1 đến 12."
PROG_TEXT_EMPTY = "Xin gõ nội dung."
PROG_TEXT_TOO_LONG = "Nội dung dài quá. Xin viết gọn trong {limit} ký tự."
PROG_SAVED = "Đã thêm vào chương trình: tháng {month}: {subject}."
PROG_PICK = "Ghi kết luận cho mục nào?"
PROG_NOTHING_OPEN = "Không có mục nào chờ kết luận."
PROG_ASK_CONCLUSION = "Mục: {subject} (tháng {month}).\nXin gõ kết luận kiểm tra, giám sát:"
PROG_CONCLUDED = "Đã ghi kết luận cho mục: {subject}."
PROG_ALREADY = "Mục này đã có kết luận rồi."
PROG_NOT_FOUND = "Không tìm thấy mục này trong chương trình."
PROG_REMIND = (
    "🗂 Chương trình kiểm tra, giám sát: mục tháng {month}/{year} chưa có kết luận:\n"
    "{subject} — {content}\nĐồng chí ghi kết luận ở /kiemtra."
)
ATTENTION_OVERDUE = "{n} nhiệm vụ quá hạn"
TABLE_FINISHED = "Đã xong. Khi cần, đồng chí gõ /giamsat để xem lại."
PROG_FINISHED = "Đã xong. Khi cần, đồng chí gõ /kiemtra để xem lại."
PROG_PICK_CELL = "Đồng chí xem chương trình của chi bộ nào?"
BACK = "↩️ Quay lại"
