"""Every user-facing sentence, in Vietnamese, in one place.

Short lines for a phone screen; polite and plain ("đồng chí"), since many members are elderly.
Placeholders use str.format names.
"""

from __future__ import annotations

from typing import Final

# --- General -------------------------------------------------------------------------------
UNKNOWN_INPUT: Final = "Xin lỗi, tôi chưa hiểu ý đồng chí. Gõ /help để xem các việc có thể làm."
INTERNAL_ERROR: Final = "Xin lỗi, hệ thống đang gặp trục trặc nên chưa xử lý được. Đồng chí vui lòng thử lại sau ít phút."
CANCELLED: Final = "Đã hủy thao tác. Gõ /help để xem các việc có thể làm."
NOTHING_TO_CANCEL: Final = "Hiện không có thao tác nào đang làm dở. Gõ /help để xem menu."
UNKNOWN_COMMAND: Final = "Không có lệnh {command}. Gõ /help để xem các lệnh có thể dùng."
STALE_BUTTON: Final = "Nút này đã cũ hoặc không còn hiệu lực."
SESSION_EXPIRED: Final = "Thao tác trước đã hết hạn. Đồng chí vui lòng bắt đầu lại."
CHOOSE_NUMBER: Final = "Đồng chí vui lòng chọn một số từ 1 đến {count}, hoặc gõ /huy để thoát."
TEXT_EXPECTED: Final = "Đồng chí vui lòng gõ câu trả lời bằng chữ, hoặc gõ /huy để thoát."
PRIVATE_ONLY: Final = "Thông tin này là riêng tư. Đồng chí vui lòng nhắn riêng cho bot."
CHOSEN: Final = "Đã chọn: {label}"
OPTION_HINT: Final = "(Trả lời bằng số thứ tự)"

# --- Authorization -------------------------------------------------------------------------
FORBIDDEN_SECRETARY: Final = "Chức năng này dành cho bí thư, phó bí thư chi bộ."
FORBIDDEN_OTHER_CELL: Final = "Đồng chí chỉ thao tác được trên chi bộ của mình."
FORBIDDEN_COMMITTEE: Final = "Chức năng này dành cho cấp ủy cấp trên."
FORBIDDEN_OUTSIDE_SCOPE: Final = "Đơn vị này không thuộc phạm vi đồng chí phụ trách."
FORBIDDEN_ADMIN: Final = "Chức năng này dành cho quản trị viên."

# --- Onboarding ----------------------------------------------------------------------------
NOT_LINKED: Final = (
    "Chào đồng chí! Tài khoản này chưa được liên kết với sổ tay đảng viên.\n"
    "Đồng chí vui lòng xin mã mời từ bí thư chi bộ, rồi gửi mã đó vào đây."
)
WELCOME_LINKED: Final = "Chào đồng chí {name}!\nTài khoản đã được liên kết với {cell}.\nGõ /help để xem các việc có thể làm."
WELCOME_BACK: Final = "Chào đồng chí {name} ({cell})."
INVITE_WRONG: Final = "Mã mời không đúng. Đồng chí vui lòng kiểm tra lại hoặc hỏi bí thư chi bộ."
INVITE_EXPIRED: Final = "Mã mời đã hết hạn. Đồng chí vui lòng xin bí thư chi bộ mã mới."
INVITE_USED: Final = "Mã mời này đã được dùng. Đồng chí vui lòng xin bí thư chi bộ mã mới."
INVITE_TOO_MANY: Final = (
    "Đồng chí đã nhập sai mã quá nhiều lần. Vui lòng thử lại sau một giờ hoặc hỏi bí thư chi bộ."
)

# --- Menus ---------------------------------------------------------------------------------
HELP_HEADER: Final = "Đồng chí {name} – {cell}.\nCác việc có thể làm:"
HELP_SECTION_MEMBER: Final = "Đảng viên"
HELP_SECTION_SECRETARY: Final = "Bí thư chi bộ"
HELP_SECTION_COMMITTEE: Final = "Cấp ủy"
HELP_SECTION_ADMIN: Final = "Quản trị"
HELP_FOOTER: Final = "Gõ /huy bất cứ lúc nào để thoát thao tác đang làm."

CMD_HELP: Final = "Xem menu và hướng dẫn"
CMD_START: Final = "Bắt đầu"
CMD_CANCEL: Final = "Hủy thao tác đang làm"
CMD_PROFILE: Final = "Thông tin của tôi"
CMD_CELL: Final = "Danh sách chi bộ"
CMD_INVITE: Final = "Cấp mã mời cho đảng viên"
CMD_UNITS: Final = "Tình hình các đơn vị"

# --- Profile and cell ----------------------------------------------------------------------
PROFILE: Final = (
    "Họ tên: {name}\nMã đảng viên: {code}\nChi bộ: {cell}\nTình trạng: {status}\n"
    "Ngày vào Đảng: {joined}\nChức vụ: {roles}"
)
NOT_RECORDED: Final = "chưa ghi nhận"
NO_ROLE: Final = "đảng viên"
CELL_HEADER: Final = "{cell}: {count} đảng viên"
CELL_LINE: Final = "{index}. {name} – {status}"
CELL_LINE_SECRETARY: Final = "{index}. {name} – {status}{role}{linked}"
LINKED_MARK: Final = " ✓"
NOT_LINKED_MARK: Final = " (chưa kết nối)"

STATUS_LABELS: Final = {"chinh_thuc": "chính thức", "du_bi": "dự bị", "mien": "miễn sinh hoạt"}
ROLE_LABELS: Final = {
    "bi_thu": "Bí thư",
    "pho_bi_thu": "Phó bí thư",
    "cap_uy": "Cấp ủy viên",
    "quan_tri": "Quản trị viên",
}

# --- Invites from the chat -----------------------------------------------------------------
INVITE_CHOOSE_MEMBER: Final = "Chọn đảng viên cần cấp mã mời (chưa kết nối):"
INVITE_ALL_LINKED: Final = "Tất cả đảng viên trong chi bộ đã kết nối. Không cần cấp mã mới."
INVITE_ISSUED: Final = (
    "Mã mời cho đồng chí {name}: {code}\nHạn dùng: {expires}.\n"
    "Đảng viên mở đường dẫn sau, hoặc gửi mã này cho bot:\n{link}"
)
INVITE_ISSUED_NO_LINK: Final = "Mã mời cho đồng chí {name}: {code}\nHạn dùng: {expires}.\nĐảng viên gửi mã này cho bot để kết nối."
MORE: Final = "Xem thêm ▸"

# --- Committee -----------------------------------------------------------------------------
UNITS_HEADER: Final = "{unit}: {cells} chi bộ, {members} đảng viên, {linked} đã kết nối."
UNITS_LINE: Final = "• {cell}: {members} đảng viên, {linked} đã kết nối"

# --- Command line (for the admin who deploys) ----------------------------------------------
CLI_DEMO_CREATED: Final = "Đã tạo tổ chức mẫu: {members} đảng viên, 2 chi bộ."
CLI_DEMO_EXISTS: Final = "Cơ sở dữ liệu đã có {members} đảng viên; không tạo dữ liệu mẫu."
CLI_MEMBER_NOT_FOUND: Final = "Không tìm thấy đảng viên có mã {code}."
CLI_UNIT_NOT_FOUND: Final = "Không tìm thấy đơn vị {path}."
CLI_INVITE_CHOOSE: Final = "Hãy dùng đúng một trong hai: --member MÃ hoặc --unit ĐƯỜNG_DẪN."
CLI_INVITE_NO_USERNAME: Final = (
    "Chưa biết tên bot Telegram: đặt TELEGRAM_BOT_USERNAME để có đường dẫn đúng."
)
CLI_IMPORT_FAILED: Final = "Tệp có {count} lỗi; chưa ghi gì vào cơ sở dữ liệu:"
CLI_IMPORT_DONE: Final = (
    "Đã nhập xong: {units} đơn vị mới, {created} đảng viên mới, {updated} cập nhật, "
    "{unchanged} không đổi, {roles} thay đổi chức vụ."
)
CLI_FILE_NOT_FOUND: Final = "Không tìm thấy tệp {path}."
CLI_CHAT_INTRO: Final = (
    "Trò chuyện thử với tư cách {name} ({code}). Trả lời bằng chữ hoặc số thứ tự; "
    "gõ /thoat hoặc Ctrl-D để thoát."
)
CLI_CHAT_BYE: Final = "Tạm biệt!"
CLI_CHAT_FILE: Final = "[Tệp đính kèm đã lưu: {path}]"
CLI_ADMIN_GRANTED: Final = "Đã cấp quyền quản trị cho {name} ({code})."
CLI_ADMIN_ALREADY: Final = "{name} ({code}) đã có quyền quản trị."
CLI_NO_CHANNEL: Final = "Chưa cấu hình kênh nào (TELEGRAM_BOT_TOKEN, ZALO_BOT_TOKEN)."
CLI_CHANNEL_NOT_READY: Final = "Kênh {channel} chưa có trong phiên bản này."
