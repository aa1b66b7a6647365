"""The directives feature's sentences, in Vietnamese: short for a phone screen,
polite and plain ("đồng chí"). Placeholders use str.format names."""

from __future__ import annotations

from typing import Final

# Directives.
DIR_AUDIENCE_LABELS: Final = {
    "all": "Toàn thể đảng viên",
    "official": "Đảng viên chính thức",
    "chosen": "Đảng viên được chọn",
}
DIR_TEXT_EMPTY: Final = "Nội dung chỉ đạo không được để trống."
DIR_TEXT_TOO_LONG: Final = "Nội dung quá dài ({length} ký tự); tối đa {maximum} ký tự."
DIR_CHOSEN_EMPTY: Final = "Đồng chí chưa chọn đảng viên nào."
DIR_CHOSEN_OUTSIDE: Final = "Danh sách chọn có đảng viên ngoài phạm vi đồng chí phụ trách."
DIR_NO_RECIPIENTS: Final = "Không có đảng viên nào nhận trong phạm vi đã chọn."
DIR_NOT_FOUND: Final = "Không tìm thấy chỉ đạo này."
DIR_UNIT_NOT_FOUND: Final = "Không tìm thấy đơn vị nhận chỉ đạo."
DIR_NOT_RECIPIENT: Final = "Chỉ đạo này không gửi đến đồng chí."
DIR_MESSAGE: Final = "📢 Chỉ đạo của đồng chí {sender} ({unit}), {date}:\n{text}"
DIR_ACKED: Final = "Đã ghi nhận: đồng chí đã nhận chỉ đạo."
DIR_REMINDER: Final = "🔔 Nhắc: đồng chí chưa xác nhận đã nhận chỉ đạo của đồng chí {sender} ({unit}) ngày {date}:\n{text}"
DIR_REMIND_TOO_SOON: Final = "Đã nhắc lúc {last}. Đồng chí có thể nhắc lại từ {next}."
DIR_ALL_ACKED: Final = "Tất cả đảng viên đã xác nhận đã nhận chỉ đạo."
DIR_STATS: Final = "Chỉ đạo ngày {date} của đồng chí {sender} ({unit}): {recipients} người nhận.\n• Đã gửi tới: {delivered}\n• Không gửi được: {failed}\n• Đang gửi: {pending}\n• Đã xác nhận “Đã nhận”: {acknowledged}"
DIR_NOT_ACKED: Final = "Chưa xác nhận: {names}"
# --- Cell month flows ------------------------------------------------------------------------
# Commands (handlers/directives.py, meetings.py, results.py, member.py).
CMD_DIRECTIVE: Final = "Gửi chỉ đạo, thông báo cho chi bộ"
CMD_DIRECTIVE_STATUS: Final = "Tình hình nhận chỉ đạo"
FLOW_SEND: Final = "Gửi"
FLOW_EDIT_TEXT: Final = "Sửa nội dung"
FLOW_PICKED: Final = "☑ {name}"
FLOW_UNPICKED: Final = "☐ {name}"
FLOW_FILE_DEFAULT_NAME: Final = "tệp đính kèm"
# /chidao and following a directive up.
FLOW_DIR_CHOOSE_UNIT: Final = "Gửi chỉ đạo đến đơn vị nào?"
FLOW_DIR_UNIT_ALL_CELLS: Final = "{unit} (tất cả chi bộ)"
FLOW_DIR_STATUS_ENTRY: Final = "📊 Tình hình chỉ đạo đã gửi"
FLOW_DIR_ASK_TEXT: Final = "Gửi đến: {unit}.\nĐồng chí gõ nội dung chỉ đạo, thông báo.\n(Có thể gửi kèm một tệp tài liệu hoặc ảnh.)"
FLOW_DIR_FILE_TAKEN: Final = "Đã nhận tệp “{name}”. Bây giờ đồng chí gõ nội dung chỉ đạo."
FLOW_DIR_FILE_ATTACHED: Final = "Đã đính kèm tệp “{name}”."
FLOW_DIR_ASK_AUDIENCE: Final = "Gửi cho ai?"
FLOW_DIR_PICK: Final = "Bấm tên để chọn hoặc bỏ chọn, xong bấm “Xong”. Đã chọn: {count} người."
# A name in the picker when it lists members of several cells.
FLOW_DIR_PICK_NAME_CELL: Final = "{name} – {cell}"
# "Sửa nội dung" at the preview: the current text was just sent as its own message.
FLOW_DIR_ASK_EDIT: Final = "Nội dung hiện tại ở tin trên. Đồng chí sao chép, sửa rồi gửi lại nội dung mới; người nhận giữ nguyên."
FLOW_DIR_PREVIEW_HEAD: Final = "Xem trước – đảng viên sẽ nhận đúng như sau:"
FLOW_DIR_PREVIEW_FILE: Final = "📎 Kèm tệp: {name}"
FLOW_DIR_PREVIEW_SUMMARY: Final = "Gửi đến {recipients} đảng viên ({cells} chi bộ)."
FLOW_DIR_STATS_BUTTON: Final = "📊 Xem tình hình"
FLOW_DIR_REMIND_BUTTON: Final = "🔔 Nhắc {count} người chưa nhận"
FLOW_DIR_NONE_SENT: Final = "Chưa có chỉ đạo nào để theo dõi."
FLOW_DIR_CHOOSE_SENT: Final = "Chọn chỉ đạo để xem tình hình:"
FLOW_DIR_ITEM: Final = "{date}: {snippet}"
FLOW_DIR_FROM_ABOVE: Final = "{date} (cấp trên – {unit}): {snippet}"
FLOW_DIR_CELL_SCOPE: Final = "Riêng {cell}:"
FLOW_DIR_ACKED_CHOSEN: Final = "✓ Đã nhận"
FLOW_DIR_ITEM_UNIT: Final = "{date} · {unit}: {snippet}"
REACH_WHAT_DIRECTIVE: Final = "chỉ đạo"
REACH_WHAT_REMINDER: Final = "lời nhắc"
DIR_RECEIPT_WHERE: Final = " ({cells} chi bộ)"
DIR_RECEIPT_LATER: Final = (
    "Khi đã kết nối, các đồng chí ấy xem được chỉ đạo này bằng lệnh /thongbao."
)
DIR_REMIND_WHERE: Final = " chưa xác nhận"
DIR_STATS_NOT_CONNECTED: Final = (
    "• Chưa kết nối bot nên không nhận được tin nhắn: {count} (gõ /moi để cấp mã mời)"
)
FLOW_DIR_PREVIEW_UNREACHABLE: Final = (
    "{count} người chưa kết nối bot nên sẽ không nhận được tin nhắn (gõ /moi để cấp mã mời)."
)
FLOW_DIR_PREVIEW_ASK: Final = "Đồng chí gửi chứ?"
FLOW_DIR_ITEM_UNIT_FROM: Final = "{date} · {unit} (từ {sender_unit}): {snippet}"
