"""The user-facing sentences every feature shares, in Vietnamese: the core, onboarding,
menus, member pages, delivery. A feature's own sentences live with it
(`services/<feature>/texts.py`), written the same way.

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
CHOOSE_OFFERED_NUMBER: Final = "Đồng chí vui lòng chọn một số từ 1 đến {count}."
CHOOSE_ONE: Final = "Đồng chí vui lòng gõ 1 để chọn, hoặc gõ /huy để thoát."
TEXT_EXPECTED: Final = "Đồng chí vui lòng gõ câu trả lời bằng chữ, hoặc gõ /huy để thoát."
PRIVATE_ONLY: Final = "Thông tin này là riêng tư. Đồng chí vui lòng nhắn riêng cho bot."
CHOSEN: Final = "Đã chọn: {label}"
OPTION_HINT: Final = "(Trả lời bằng số thứ tự)"
TEXT_ONLY: Final = "Tôi chỉ đọc được tin nhắn chữ. Đồng chí vui lòng gõ câu trả lời, hoặc gõ /help."

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
HELP_HEADER: Final = "Đồng chí {name} – {cell}."
HELP_FOOTER: Final = "Gõ /huy bất cứ lúc nào để thoát thao tác đang làm."
HELP_LIST: Final = "Các việc có thể làm:"
# The /help menu's topics (handlers/registry.py `Topic`), then a topic's own screen.
TOPIC_MEETINGS: Final = "Sinh hoạt chi bộ"
TOPIC_DIRECTIVES: Final = "Chỉ đạo, nhiệm vụ"
TOPIC_STUDY: Final = "Học tập và làm theo Bác"
TOPIC_FEES: Final = "Đảng phí"
TOPIC_LOOKUP: Final = "Tra cứu"
TOPIC_PERSONAL: Final = "Cá nhân"
TOPIC_CELL: Final = "Quản lý chi bộ"
TOPIC_COMMITTEE: Final = "Cấp ủy cấp trên"
TOPIC_ADMIN: Final = "Quản trị"
MENU_TOPIC_OPTION: Final = "{title} ▸"
MENU_TOPIC_HEADER: Final = "{title} – chọn việc cần làm:"
MENU_BACK: Final = "◂ Quay lại"

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
CELL_LINE: Final = "{index}. {name} – {status}{role}"
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
INVITE_CHOOSE_MEMBER: Final = "Chọn đảng viên cần cấp mã mời (người chưa kết nối ở đầu danh sách):"
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
CLI_IMPORT_EXTRA: Final = "{label}: {count} đảng viên được cập nhật."
CLI_SEARCH_REINDEXED: Final = "Đã lập chỉ mục tìm kiếm: {count} mục."
CLI_FILE_NOT_FOUND: Final = "Không tìm thấy tệp {path}."
CLI_CHAT_INTRO: Final = (
    "Trò chuyện thử với tư cách {name} ({code}). Gõ /help hoặc menu để xem các chức năng; "
    "trả lời bằng chữ hoặc số thứ tự; gõ /thoat hoặc Ctrl-D để thoát."
)
CLI_CHAT_BYE: Final = "Tạm biệt!"
CLI_CHAT_INCOMING: Final = "📩 Tin mới:"
CLI_CHAT_FILE: Final = "[Tệp đính kèm đã lưu: {path}]"
CLI_TOKEN_REJECTED: Final = "Kênh {channel}: token bị từ chối, hãy kiểm tra {setting}."
CLI_CHANNEL_FAILED: Final = "Kênh {channel} dừng vì lỗi {error}; xem nhật ký để biết chi tiết."
CLI_ADMIN_GRANTED: Final = "Đã cấp quyền quản trị cho {name} ({code})."
CLI_ADMIN_ALREADY: Final = "{name} ({code}) đã có quyền quản trị."
CLI_NO_CHANNEL: Final = "Chưa cấu hình kênh nào (TELEGRAM_BOT_TOKEN, ZALO_BOT_TOKEN)."

# --- Telegram ------------------------------------------------------------------------------
TG_BUTTON_MENU: Final = "📋 Menu"
TG_BUTTON_PROFILE: Final = "👤 Thông tin của tôi"
TG_BUTTON_CELL: Final = "👥 Chi bộ của tôi"
TG_MENU_PLACEHOLDER: Final = "Chọn một việc hoặc gõ lệnh"
TG_OPEN_PRIVATE: Final = "💬 Nhắn riêng cho bot"
TG_CHOOSE_BELOW: Final = "Đồng chí vui lòng chọn một mục bên dưới."

# --- Cell month ----------------------------------------------------------------------------
# Dates typed by secretaries (services/vndate.py). {detail} quotes the user's own words.
VNDATE_EMPTY: Final = (
    "Đồng chí chưa nhập ngày giờ. Ví dụ: 19/12 14:00, 14h 19/12/2026 hoặc thứ 6 tuần sau 8h."
)
VNDATE_NO_DATE: Final = (
    "Thiếu ngày họp. Đồng chí ghi thêm ngày, ví dụ: 14h 19/12, 8h thứ 6 tuần sau hoặc sáng mai 8h."
)
VNDATE_NO_TIME: Final = (
    "Thiếu giờ. Đồng chí ghi thêm giờ, ví dụ: 19/12 14:00 hoặc 14h30 ngày 19/12."
)
VNDATE_BAD_DATE: Final = "Ngày “{detail}” không có trên lịch. Đồng chí kiểm tra lại ngày và tháng."
VNDATE_BAD_TIME: Final = (
    "Giờ “{detail}” không hợp lệ. Giờ từ 0 đến 23, phút từ 0 đến 59 (ví dụ 14h30 hoặc 2h chiều)."
)
VNDATE_CONFLICT: Final = (
    "Thông tin ngày giờ mâu thuẫn hoặc bị lặp ({detail}). Đồng chí chỉ ghi một ngày và một giờ."
)
VNDATE_UNRECOGNISED: Final = (
    "Chưa hiểu phần “{detail}”. Ví dụ cách ghi: 19/12 14:00, 14h 19/12/2026, thứ 6 tuần sau 8h."
)

# Meetings (Chỉ thị 50-CT/TW, Hướng dẫn 42-HD/BTCTW).
MTG_KIND_LABELS: Final = {
    "thuong_ky": "thường kỳ",
    "chuyen_de": "chuyên đề",
    "thuong_ky_chuyen_de": "thường kỳ kết hợp chuyên đề",
}
MTG_INVITE_TOPIC: Final = "\nChuyên đề: {topic}"

# Attendance and check-in.
ATT_STATUS_LABELS: Final = {
    "co_mat": "có mặt",
    "vang_co_phep": "vắng có phép",
    "vang_khong_phep": "vắng không phép",
    "mien_sinh_hoat": "miễn sinh hoạt",
}

RES_PASSED: Final = "được thông qua"
RES_PUBLISH_FILE_ONLY: Final = "(xem tệp đính kèm)"

DIR_ACK_LABEL: Final = "Đã nhận"

# --- Zalo ----------------------------------------------------------------------------------
ZALO_FILE_LINK: Final = "📎 Tệp “{name}”: {url}"
ZALO_FILE_UNAVAILABLE: Final = "📎 Tệp “{name}” chưa gửi được qua Zalo, đồng chí vui lòng nhận tệp trên Telegram hoặc xin bí thư chi bộ gửi giúp."

# --- Import (admin-facing; row messages get the "Dòng n:" prefix) -----------------------
# Row messages carry no "Dòng n:" prefix: RowError.__str__ adds it (IMPORT_ROW_PREFIX).
IMPORT_ROW_PREFIX: Final = "Dòng {row}: {message}"
IMPORT_FILE_NOT_FOUND: Final = "Không tìm thấy tệp '{name}'."
IMPORT_FILE_UNREADABLE: Final = "Không đọc được tệp '{name}' ({reason})."
IMPORT_UNSUPPORTED: Final = (
    "Tệp '{name}' không đúng loại: chỉ nhận .xlsx hoặc .csv "
    "(tệp .xls cũ: mở bằng Excel rồi lưu lại thành .xlsx)."
)
IMPORT_EMPTY_FILE: Final = "Tệp '{name}' trống: không có dòng tiêu đề cột."
IMPORT_NO_ROWS: Final = "Tệp '{name}' không có dòng đảng viên nào (chỉ có dòng tiêu đề)."
IMPORT_TOO_MANY_ROWS: Final = "Tệp có hơn {limit} dòng; hãy chia thành nhiều tệp nhỏ hơn."
IMPORT_BINARY: Final = (
    "Tệp '{name}' không phải tệp CSV dạng văn bản (có ký tự nhị phân). "
    "Hãy dùng tệp .xlsx, hoặc trong Excel chọn Lưu thành → 'CSV UTF-8 (Comma delimited)'."
)
IMPORT_NOT_UTF8: Final = (
    "Tệp '{name}' không dùng bảng mã UTF-8 (lỗi ở dòng {line}). "
    "Trong Excel chọn Lưu thành → 'CSV UTF-8 (Comma delimited)', hoặc dùng tệp .xlsx."
)
IMPORT_BAD_XLSX: Final = "Tệp '{name}' không mở được như tệp Excel .xlsx (tệp hỏng hoặc sai loại)."
IMPORT_BAD_CSV: Final = "Tệp CSV sai cấu trúc ({reason})."
IMPORT_MISSING_COLUMNS: Final = (
    "Thiếu cột bắt buộc: {columns}. Dòng 1 phải là tiêu đề cột (các cột đọc được: {found})."
)
IMPORT_NONE: Final = "không có"
IMPORT_HEADER_NOT_FIRST: Final = (
    "Tiêu đề cột nằm ở dòng {row}: hãy xóa các dòng phía trên để tiêu đề ở dòng 1."
)
IMPORT_DUPLICATE_COLUMN: Final = "Cột '{column}' xuất hiện hai lần (cột {first} và cột {second})."
IMPORT_EMPTY_CODE: Final = "thiếu mã đảng viên"
IMPORT_EMPTY_NAME: Final = "thiếu họ tên"
IMPORT_EMPTY_UNIT: Final = "thiếu đơn vị"
IMPORT_EMPTY_STATUS: Final = "thiếu trạng thái (chinh_thuc, du_bi, mien)"
IMPORT_TOO_LONG: Final = "{field} dài quá {limit} ký tự"
IMPORT_UNIT_TOO_SHORT: Final = (
    "đơn vị '{unit}' phải ghi đủ đường dẫn từ đảng ủy cấp trên tới chi bộ, cách nhau bởi ' / '"
)
IMPORT_BAD_STATUS: Final = "trạng thái '{value}' không hợp lệ (chinh_thuc, du_bi, mien)"
IMPORT_BAD_ROLE: Final = "vai trò '{value}' không hợp lệ (dang_vien, bi_thu, pho_bi_thu)"
IMPORT_BAD_DATE: Final = "ngày vào Đảng '{value}' không hợp lệ (dd/mm/yyyy)"
IMPORT_DATE_RANGE: Final = "ngày vào Đảng {value} không hợp lý (từ 03/02/1930 đến hôm nay)"
IMPORT_BAD_PHONE: Final = "số điện thoại '{value}' không hợp lệ"
IMPORT_DUPLICATE_CODE: Final = "mã đảng viên '{code}' trùng với dòng {others}"
IMPORT_UNKNOWN_COMMITTEE_UNIT: Final = (
    "đơn vị cấp ủy '{unit}' không có trong tệp và trong dữ liệu đã có"
)
IMPORT_TWO_SECRETARIES: Final = "chi bộ '{cell}' có nhiều bí thư (dòng {rows})"
IMPORT_SECRETARY_IN_DB: Final = (
    "chi bộ '{cell}' đã có bí thư {name} ({code}) không có trong tệp; "
    "hãy ghi đồng chí đó vào tệp với vai trò mới"
)
IMPORT_UNIT_SPELLING_DB: Final = (
    "đơn vị '{unit}' viết khác đơn vị đã có '{other}' (chỉ khác chữ hoa, chữ thường); "
    "hãy viết đúng như đơn vị đã có"
)
IMPORT_CELL_AND_PARENT: Final = (
    "đơn vị '{unit}' vừa là chi bộ của đảng viên (dòng {cell_row}) "
    "vừa chứa đơn vị khác (dòng {parent_row})"
)
IMPORT_CELL_HAS_CHILDREN: Final = (
    "đơn vị '{unit}' đang chứa đơn vị khác nên không thể là chi bộ của đảng viên"
)
IMPORT_PARENT_IS_CELL: Final = "đơn vị '{unit}' đang là chi bộ nên không thể chứa đơn vị '{child}'"
IMPORT_UNIT_SPELLING: Final = (
    "đơn vị '{unit}' viết khác '{other}' ở dòng {other_row} (chỉ khác chữ hoa, chữ thường); "
    "hãy thống nhất một cách viết"
)
FIELD_LABELS: Final = {
    "ma_dang_vien": "Mã đảng viên",
    "ho_ten": "Họ tên",
    "don_vi": "Đơn vị",
    "trang_thai": "Trạng thái",
    "vai_tro": "Vai trò",
    "cap_uy": "Cấp ủy",
    "dien_thoai": "Điện thoại",
    "ngay_vao_dang": "Ngày vào Đảng",
    "ten_don_vi": "tên đơn vị",
}

CMD_MY_DIRECTIVES: Final = "Chỉ đạo, thông báo đã nhận"
CMD_NEXT_MEETING: Final = "Lịch sinh hoạt chi bộ sắp tới"
CMD_CHECKIN: Final = "Điểm danh bằng mã tại buổi họp"
CMD_RESOLUTIONS: Final = "Nghị quyết của chi bộ"
CMD_MY_TASKS: Final = "Nhiệm vụ của tôi"

# Shared by the flows.
FLOW_DONE: Final = "Xong"
FLOW_CANCEL: Final = "Hủy"
FLOW_FIRST_PAGE: Final = "◂ Về đầu danh sách"
FLOW_FILE_KIND: Final = "Chỉ nhận tệp tài liệu hoặc ảnh."
FLOW_MEETING_LABEL: Final = "{when} ({kind})"
FLOW_HOURS: Final = "{hours} tiếng"
FLOW_HOURS_MINUTES: Final = "{hours} tiếng {minutes} phút"
FLOW_MINUTES: Final = "{minutes} phút"

# Member views (/thongbao, /lichhop, /nghiquyet, /nhiemvu, /diemdanh).
MY_NO_DIRECTIVES: Final = "Đồng chí chưa nhận chỉ đạo, thông báo nào."
MY_DIRECTIVES_HEAD: Final = "Chỉ đạo, thông báo gần đây (mới nhất trước):"
MY_DIRECTIVE_LINE: Final = "{n}. {date} – đồng chí {sender} ({unit}) – {state}\n{text}"
MY_ACKED: Final = "✓ đã nhận"
MY_NOT_ACKED: Final = "chưa xác nhận"
MY_ACK_BUTTON: Final = "Đã nhận số {n}"
MY_NO_MEETING: Final = "Chưa có lịch sinh hoạt chi bộ sắp tới."
MY_MEETING: Final = "📅 Sinh hoạt chi bộ {kind}\n{cell}{topic}\nThời gian: {when}\nĐịa điểm: {place}\nChương trình:\n{agenda}"
MY_MEETING_DOC: Final = "📎 Tài liệu: {title} (gửi lúc {posted})"
MY_DOC_AGAIN: Final = "📎 Gửi lại: {title}"
MY_DOC_ON_ITS_WAY: Final = "Tài liệu “{title}” sẽ được gửi lại cho đồng chí ngay."
MY_ANSWERED_YES: Final = "Đồng chí đã báo: sẽ dự."
MY_ANSWERED_NO: Final = "Đồng chí đã báo: xin vắng ({reason})."
MY_NOT_ANSWERED: Final = "Đồng chí chưa báo sẽ dự hay xin vắng."
MY_CHANGE_TO: Final = "Đổi thành: {label}"
MY_NO_RESOLUTIONS: Final = "Chi bộ chưa gửi nghị quyết nào."
MY_RESOLUTION: Final = "📜 Nghị quyết buổi sinh hoạt {when}:\n{text}"
MY_RESOLUTION_VOTE: Final = "Biểu quyết: {for_} tán thành, {against} không tán thành, {abstain} không biểu quyết – {outcome}."
MY_NOT_PASSED: Final = "chưa được thông qua"
MY_NO_TASKS: Final = "Đồng chí không có nhiệm vụ nào đang thực hiện."
MY_TASKS_HEAD: Final = "Nhiệm vụ của đồng chí:"
MY_TASK_LINE: Final = "{n}. {title} – hạn {due}{late}"
MY_TASK_LATE: Final = " (quá hạn)"
MY_TASK_NO_DUE: Final = "không có hạn"
MY_TASK_DONE_BUTTON: Final = "Hoàn thành số {n}"
MY_TASK_DONE: Final = "Đã ghi nhận hoàn thành: {title}."
MY_TASK_DONE_CHOSEN: Final = "✓ Hoàn thành"
MY_ASK_CODE: Final = "Gõ mã điểm danh 4 số bí thư đọc tại buổi họp."
MY_CODE_SHAPE: Final = "Mã điểm danh gồm 4 chữ số, ví dụ 4821."

# --- Delivery ---------------------------------------------------------------------------------
DELIVERY_FILE_DEFAULT_NAME: Final = "tệp đính kèm"
DELIVERY_FILE_MISSING: Final = "📎 Tệp “{name}” không còn trên máy chủ nên chưa gửi kèm được. Đồng chí vui lòng hỏi bí thư chi bộ."
CLI_WORKER_NOT_CONFIGURED: Final = "Kênh {channel} chưa được cấu hình: hãy đặt {setting}."
MY_DIRECTIVE_FILE: Final = "\n📎 Có tệp đính kèm (xem trong tin nhắn chỉ đạo đã nhận)."

# --- Import: file size limits (checked before the file is parsed; file-level, no row) -------
IMPORT_FILE_TOO_LARGE: Final = (
    "Tệp '{name}' nặng {size} MB, vượt giới hạn {limit} MB. "
    "Hãy xóa các cột không cần hoặc chia danh sách thành nhiều tệp nhỏ hơn."
)
IMPORT_XLSX_UNPACKED_TOO_LARGE: Final = (
    "Tệp '{name}' khi giải nén lớn hơn {limit} MB, quá lớn đối với một danh sách đảng viên "
    "(tệp có thể bị hỏng hoặc chứa ảnh, dữ liệu khác). Hãy chép riêng danh sách sang một tệp "
    ".xlsx mới hoặc chia thành nhiều tệp nhỏ hơn."
)
IMPORT_XLSX_TOO_MANY_PARTS: Final = (
    "Tệp '{name}' chứa quá nhiều thành phần ({count}, tối đa {limit}) nên có thể bị hỏng. "
    "Hãy mở bằng Excel rồi lưu lại thành tệp .xlsx mới."
)

# --- Directives: one /chidao for secretaries and committees; follow-up by current authority ---
FORBIDDEN_LEADER: Final = "Chức năng này dành cho bí thư, phó bí thư chi bộ và cấp ủy."

# --- Invites: who may invite whom, a member's new account, committees' /moi -----------------
INVITE_LINKED_LABEL: Final = "{name} (đã kết nối)"
INVITE_SEARCH_OPTION: Final = "🔎 Đảng viên khác (gõ mã hoặc tên)"
INVITE_ASK_MEMBER: Final = (
    "Đồng chí gõ mã đảng viên hoặc một phần họ tên của đảng viên cần cấp mã mời (gõ /huy để thoát):"
)
INVITE_SEARCH_CHOOSE: Final = "Chọn đảng viên cần cấp mã mời:"
INVITE_SEARCH_LABEL: Final = "{name} – {code}"
INVITE_SEARCH_NONE: Final = "Không tìm thấy đảng viên nào khớp “{text}” mà đồng chí có thể cấp mã mời. Đồng chí gõ lại, hoặc gõ /huy để thoát."
INVITE_SEARCH_TOO_MANY: Final = (
    "Có {count} đảng viên khớp “{text}”. Đồng chí gõ cụ thể hơn (họ tên đầy đủ hoặc mã đảng viên)."
)
INVITE_NOBODY: Final = "Trong chi bộ không có đảng viên nào mà đồng chí có thể cấp mã mời."
INVITE_RELINK_NOTE: Final = "Đồng chí {name} đang kết nối bằng tài khoản khác. Khi mã này được dùng, tài khoản cũ cùng loại (Telegram hoặc Zalo) sẽ bị ngắt kết nối và nhận được thông báo."
INVITE_REFUSED_SELF: Final = "Đồng chí không tự cấp mã mời cho mình được. Khi đổi điện thoại, đồng chí nhờ cấp ủy cấp trên hoặc quản trị viên cấp mã mới."
INVITE_REFUSED_ADMIN: Final = "Đồng chí {name} là quản trị viên: mã mời cho quản trị viên chỉ được cấp bằng lệnh sotay invite trên máy chủ."
INVITE_REFUSED_RANK: Final = "Đồng chí {name} giữ vai trò ngang hoặc cao hơn đồng chí (bí thư, cấp ủy). Mã mời cho đồng chí {name} do cấp ủy cấp trên hoặc quản trị viên cấp."
INVITE_REVOKED: Final = "Mã mời này không còn hiệu lực vì vai trò của người cấp mã hoặc của đồng chí đã thay đổi. Đồng chí vui lòng xin mã mới."
ACCOUNT_UNLINKED_NOTICE: Final = "Tài khoản này đã được ngắt kết nối khỏi Sổ tay đảng viên vì đồng chí đã kết nối bằng một tài khoản mới. Nếu không phải đồng chí làm việc này, đồng chí hãy báo ngay cho bí thư chi bộ."

# --- Honest counts: what a message to members really came to (services.outbox.describe_reach) ---
REACH_ALL: Final = "Đã gửi {what} đến {count} đảng viên{where}."
REACH_SOME: Final = "Đã gửi {what} đến {count} trong số {total} đảng viên{where}."
REACH_NONE: Final = "Chưa gửi được {what} đến ai trong {total} đảng viên{where}."
REACH_NOBODY: Final = "Không có đảng viên nào để gửi {what}."
REACH_ALREADY: Final = "{count} đảng viên đã được gửi {what} từ trước nên không gửi lại."
REACH_NOT_CONNECTED: Final = "{count} đảng viên chưa kết nối bot nên không nhận được tin nhắn: {names}. Đồng chí gõ /moi để cấp mã mời cho các đồng chí này."
REACH_NAMES_MORE: Final = "{names} và {more} đồng chí khác"

MY_MEETING_IN_PROGRESS: Final = "🟢 Buổi sinh hoạt đang diễn ra."
MY_MEETING_HELD: Final = "✔ Buổi sinh hoạt đã họp xong."
MY_STATUS_CHECKED_IN: Final = "✅ Đồng chí đã điểm danh lúc {time}: có mặt."
MY_STATUS: Final = "Điểm danh: đồng chí {status}."
MY_STATUS_REASON: Final = "Điểm danh: đồng chí {status} ({reason})."
MY_STATUS_NONE_RUNNING: Final = (
    "Đồng chí chưa điểm danh. Có mặt tại phòng họp thì gửi mã 4 số bí thư đọc (hoặc gõ /diemdanh)."
)
MY_STATUS_NONE_LEAVE: Final = (
    "Đồng chí đã xin vắng ({reason}); bí thư chi bộ sẽ ghi khi chốt điểm danh."
)
MY_STATUS_NONE_HELD: Final = (
    "Đồng chí chưa có trạng thái điểm danh; bí thư chi bộ sẽ ghi khi chốt điểm danh."
)

# --- Command line: invite validity and choosing the local chat's member ----------------------
CLI_INVITE_DAYS: Final = "Số ngày hiệu lực của mã mời phải từ {low} đến {high} (--days)."
CLI_CHOOSE_MEMBER: Final = (
    "Cơ sở dữ liệu không có đảng viên mẫu DV001. Hãy chọn người để trò chuyện thử: "
    "sotay run --as MÃ hoặc sotay chat --as MÃ (ví dụ: --as {example})."
)

# --- Commands typed as plain words, and the nearest command to a mistyped one -----------------
UNKNOWN_COMMAND_NEAREST: Final = "Không có lệnh {command}. Có phải đồng chí muốn gõ /{nearest}?"

RES_CHANGE_LABELS: Final = {
    "ban_dau": "bản đầu",
    "sua_cau_chu": "sửa câu chữ",
    "sua_noi_dung": "sửa nội dung, đã biểu quyết lại",
}
MY_RESOLUTION_AMENDED: Final = "✏️ Đã sửa đổi ngày {date} ({change})."

# --- The menu in the middle of a task keeps it ------------------------------------------------
MENU_TASK_KEPT: Final = "Việc đang làm dở vẫn được giữ: gõ /tieptuc để làm tiếp, hoặc /huy để bỏ."
NOTHING_TO_RESUME: Final = "Không có việc nào đang làm dở để tiếp tục. Gõ /help để xem menu."
RESUMED: Final = "Mời đồng chí làm tiếp."
# A chat answered by typed numbers (Zalo, terminal): what a newer message set aside comes back.
WAITING_QUESTION: Final = "Tin trước đang chờ đồng chí trả lời:\n{text}"
TASK_BACK: Final = "Mời đồng chí làm tiếp việc đang làm dở:"
TYPED_NOT_AN_OPTION: Final = "Đồng chí đã gõ: “{typed}”. Câu này không khớp lựa chọn nào. {choose}"
NOTHING_TO_ANSWER: Final = "Hiện không có câu hỏi nào chờ đồng chí trả lời. Gõ /help để xem menu."
