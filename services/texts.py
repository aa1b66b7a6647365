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
MTG_NOT_A_CELL: Final = "Chỉ chi bộ mới tổ chức sinh hoạt chi bộ."
MTG_NOT_FOUND: Final = "Không tìm thấy buổi sinh hoạt này."
MTG_IS_CANCELLED: Final = "Buổi sinh hoạt này đã hủy."
MTG_IN_PAST: Final = "Thời gian {when} đã qua. Đồng chí chọn thời gian sắp tới."
MTG_END_BEFORE_START: Final = "Giờ kết thúc phải sau giờ bắt đầu."
MTG_TOO_SHORT: Final = "Buổi sinh hoạt {kind} phải kéo dài ít nhất {minimum} phút (Chỉ thị 50-CT/TW, Hướng dẫn 42-HD/BTCTW); thời gian đã chọn chỉ có {actual} phút."
MTG_SECOND_REGULAR: Final = "Chi bộ đã có buổi sinh hoạt thường kỳ tháng {month} (lúc {when}). Mỗi tháng chỉ một buổi thường kỳ; đồng chí có thể tạo buổi chuyên đề hoặc sửa buổi đã có."
MTG_NO_PLACE: Final = "Đồng chí cho biết địa điểm họp."
MTG_NO_TOPIC: Final = "Buổi sinh hoạt chuyên đề cần có tên chuyên đề."
MTG_AGENDA_EMPTY: Final = "Chương trình họp không được để trống."
MTG_TEXT_TOO_LONG: Final = "Nội dung quá dài ({length} ký tự); tối đa {maximum} ký tự."
MTG_ALREADY_HELD: Final = "Buổi sinh hoạt đã diễn ra, không sửa hoặc hủy được nữa."
MTG_DOC_NO_CONTENT: Final = "Đồng chí gửi tên tài liệu và tệp (hoặc đường dẫn) của tài liệu."
MTG_DOCS_MISSING: Final = "Lưu ý: chưa gửi tài liệu họp. Dự thảo nghị quyết, báo cáo cần gửi đảng viên trước ít nhất 1 ngày, tức trước {deadline}."
MTG_DOCS_LATE: Final = (
    "Lưu ý: tài liệu “{title}” gửi lúc {sent}, chưa đủ 1 ngày trước buổi họp (hạn {deadline})."
)
MTG_INVITE: Final = "📅 Thông báo sinh hoạt chi bộ {kind}\n{cell}{topic}\nThời gian: {when}\nĐịa điểm: {place}\nChương trình:\n{agenda}\n\nĐồng chí vui lòng cho biết sẽ dự hay xin vắng."
MTG_INVITE_TOPIC: Final = "\nChuyên đề: {topic}"
MTG_ANSWER_YES: Final = "Sẽ dự"
MTG_ANSWER_NO: Final = "Xin vắng"
MTG_DOCUMENT_NOTICE: Final = "📎 Tài liệu buổi sinh hoạt chi bộ {when}: {title}"
MTG_CANCEL_NOTICE: Final = "❌ Buổi sinh hoạt chi bộ lúc {when} đã hủy. Lý do: {reason}"
MTG_MOVED_NOTICE: Final = "🔁 Đổi lịch sinh hoạt chi bộ {kind}\n{cell}\nThời gian mới: {when}\n(trước đây: {old_when})\nĐịa điểm: {place}\n\nĐồng chí vui lòng cho biết lại sẽ dự hay xin vắng."
MTG_MOVE_NOTHING: Final = "Giờ và địa điểm vẫn như cũ, không có gì để đổi."
MTG_CANCEL_NO_REASON: Final = "Đồng chí cho biết lý do hủy buổi sinh hoạt."
MTG_AGENDA_OPENING: Final = "Khai mạc: nêu mục đích, giới thiệu đại biểu; cử thư ký; điểm danh (chính thức, dự bị, miễn sinh hoạt; có mặt, vắng có lý do, vắng không lý do); thu đảng phí; thông qua chương trình."
MTG_AGENDA_REPORT: Final = "Báo cáo của bí thư chi bộ."
MTG_AGENDA_REVIEW: Final = (
    "Kiểm điểm việc thực hiện nghị quyết tháng trước và nhiệm vụ của từng đảng viên."
)
MTG_AGENDA_CURRENT: Final = "Thông tin thời sự, văn bản cấp trên; chuyên đề học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh của tháng."
MTG_AGENDA_THEMATIC: Final = "Sinh hoạt chuyên đề: {topic}."
MTG_AGENDA_DISCUSSION: Final = "Thảo luận, phê bình và tự phê bình; biểu dương, nhắc nhở."
MTG_AGENDA_CLOSING: Final = "Bế mạc: tổng kết; phân công nhiệm vụ (người thực hiện, thời hạn); kết luận; biểu quyết nghị quyết; chấm điểm chất lượng buổi sinh hoạt; thông qua biên bản."

# Attendance and check-in.
ATT_STATUS_LABELS: Final = {
    "co_mat": "có mặt",
    "vang_co_phep": "vắng có phép",
    "vang_khong_phep": "vắng không phép",
    "mien_sinh_hoat": "miễn sinh hoạt",
}
ATT_ANSWER_LABELS: Final = {"se_du": "sẽ dự", "xin_vang": "xin vắng"}
ATT_NOT_IN_CELL: Final = "Đồng chí không thuộc chi bộ tổ chức buổi sinh hoạt này."
ATT_NOT_ON_ROLL: Final = "Đảng viên này không thuộc chi bộ tổ chức buổi sinh hoạt."
ATT_REASON_REQUIRED: Final = "Đồng chí vui lòng cho biết lý do xin vắng."
ATT_ANSWER_CLOSED: Final = (
    "Buổi sinh hoạt đã bắt đầu nên không đăng ký được nữa. Đồng chí liên hệ bí thư chi bộ."
)
ATT_ANSWERED_YES: Final = "Đã ghi nhận: đồng chí sẽ dự buổi sinh hoạt lúc {when}."
ATT_ANSWERED_NO: Final = (
    "Đã ghi nhận: đồng chí xin vắng buổi sinh hoạt lúc {when}. Lý do: {reason}."
)
ATT_CHECKIN_TOO_EARLY: Final = "Chưa đến giờ điểm danh. Có thể mở điểm danh từ {time}."
ATT_CHECKIN_TOO_LATE: Final = (
    "Buổi sinh hoạt đã kết thúc quá lâu để mở điểm danh. Đồng chí ghi trạng thái từng người."
)
ATT_CHECKIN_OPENED: Final = "Mã điểm danh: {code}\nĐọc mã này tại phòng họp. Đảng viên gửi mã cho bot để điểm danh. Mã hết hạn lúc {expires}."
ATT_CHECKIN_OK: Final = "Đã điểm danh: đồng chí có mặt tại buổi sinh hoạt lúc {when}."
ATT_CHECKIN_ALREADY: Final = "Đồng chí đã được ghi nhận có mặt."
ATT_CHECKIN_WRONG: Final = "Mã điểm danh không đúng. Đồng chí còn {left} lần thử."
ATT_CHECKIN_EXPIRED: Final = (
    "Mã điểm danh đã hết hạn. Đồng chí xin bí thư đọc mã mới (còn {left} lần thử)."
)
ATT_CHECKIN_LOCKED: Final = "Đồng chí đã nhập sai mã {limit} lần nên không tự điểm danh được buổi này nữa. Vui lòng báo bí thư chi bộ."
ATT_CHECKIN_NONE_OPEN: Final = "Hiện chi bộ không có buổi sinh hoạt nào đang mở điểm danh."
ATT_CLOSE_TOO_EARLY: Final = "Buổi sinh hoạt chưa bắt đầu nên chưa chốt điểm danh được."
ATT_BAD_STATUS: Final = "Trạng thái điểm danh không hợp lệ."
ATT_FLAG: Final = "🔒 Riêng bí thư chi bộ: đồng chí {name} đã vắng sinh hoạt không phép {months} tháng trong 12 tháng qua ({meetings}). Theo Điều lệ Đảng (Điều 8), bỏ sinh hoạt 3 tháng trong năm không có lý do chính đáng thì chi bộ xem xét xóa tên. Đề nghị gặp gỡ, nhắc nhở đồng chí."
ATT_FLAG_THRESHOLD: Final = "🔒 Riêng bí thư chi bộ: đồng chí {name} đã vắng sinh hoạt không phép {months} tháng trong 12 tháng qua ({meetings}), đến mức chi bộ phải xem xét xóa tên theo Điều lệ Đảng (Điều 8)."

# Resolutions, votes, quality score, tasks.
RES_NOT_YET_HELD: Final = (
    "Buổi sinh hoạt chưa diễn ra; chỉ ghi nghị quyết, biểu quyết, chấm điểm sau khi họp."
)
RES_NEED_CONTENT: Final = "Đồng chí gửi nội dung nghị quyết hoặc tệp nghị quyết."
RES_VOTE_NEGATIVE: Final = "Số phiếu không được âm."
RES_VOTE_MISMATCH: Final = "Số phiếu không khớp: {for_} tán thành + {against} không tán thành + {abstain} không biểu quyết = {total}, khác tổng số {stated} người biểu quyết."
RES_VOTE_EXCEEDS: Final = "Tổng số phiếu ({total}) vượt số đảng viên chính thức có mặt được biểu quyết ({eligible}). Đảng viên dự bị không biểu quyết."
RES_VOTE_NO_VOTERS: Final = "Chưa có đảng viên chính thức nào được ghi nhận có mặt. Đồng chí điểm danh trước khi ghi kết quả biểu quyết."
RES_VOTE_RESULT: Final = "Biểu quyết: {for_} tán thành, {against} không tán thành, {abstain} không biểu quyết; {convened} đảng viên chính thức được triệu tập. Nghị quyết {outcome}."
RES_PASSED: Final = "được thông qua"
RES_NOT_PASSED: Final = (
    "chưa được thông qua (cần ít nhất {needed} phiếu tán thành, tức hơn một nửa)"
)
RES_SCORE_LABELS: Final = {
    "time": "Thời gian",
    "attendance": "Tham dự",
    "preparation": "Chuẩn bị",
    "conduct": "Tổ chức, điều hành",
    "principles": "Nguyên tắc sinh hoạt",
    "results": "Kết quả thực hiện nghị quyết tháng trước",
    "closing": "Kết thúc",
}
RES_SCORE_UNKNOWN: Final = "Phiếu chấm điểm không có tiêu chí “{name}”."
RES_SCORE_MISSING: Final = "Còn thiếu điểm các tiêu chí: {names}."
RES_SCORE_RANGE: Final = "Điểm “{label}” phải là số nguyên từ 0 đến {maximum}."
RES_BAND_LABELS: Final = {"tot": "Tốt", "kha": "Khá", "trung_binh": "Trung bình", "kem": "Kém"}
RES_SCORE_RESULT: Final = "Chất lượng buổi sinh hoạt: {total}/100 điểm, xếp loại {band}."
RES_PUBLISH_NOTICE: Final = "📜 Nghị quyết của {cell}, buổi sinh hoạt {when}:\n{text}"
RES_PUBLISH_FILE_ONLY: Final = "(xem tệp đính kèm)"
RES_PUBLISH_LATE: Final = (
    "Lưu ý: nghị quyết nên gửi đảng viên trong vòng 2 ngày sau buổi họp (hạn {deadline})."
)
RES_NOTHING_TO_PUBLISH: Final = "Chưa có nội dung nghị quyết để gửi."
RES_TASK_NO_TITLE: Final = "Đồng chí nhập nội dung nhiệm vụ."
RES_TASK_DUE_PAST: Final = "Thời hạn {due} đã qua. Đồng chí chọn ngày từ hôm nay trở đi."
RES_TASK_OWNER_OUTSIDE: Final = "Người thực hiện phải là đảng viên của chi bộ."
RES_TASK_NOT_FOUND: Final = "Không tìm thấy nhiệm vụ này."
RES_TASK_NOT_OWNER: Final = (
    "Chỉ người được giao hoặc bí thư, phó bí thư chi bộ mới cập nhật được nhiệm vụ này."
)
RES_TASK_ALREADY_DONE: Final = "Nhiệm vụ này đã được ghi nhận hoàn thành."
RES_TASK_NOTICE: Final = "📌 Chi bộ giao nhiệm vụ cho đồng chí: {title}\nThời hạn: {due}."
RES_TASK_STATUS_LABELS: Final = {
    "dang_lam": "đang thực hiện",
    "hoan_thanh": "hoàn thành",
    "huy": "đã hủy",
}

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
DIR_ACK_LABEL: Final = "Đã nhận"
DIR_ACKED: Final = "Đã ghi nhận: đồng chí đã nhận chỉ đạo."
DIR_REMINDER: Final = "🔔 Nhắc: đồng chí chưa xác nhận đã nhận chỉ đạo của đồng chí {sender} ({unit}) ngày {date}:\n{text}"
DIR_REMIND_TOO_SOON: Final = "Đã nhắc lúc {last}. Đồng chí có thể nhắc lại từ {next}."
DIR_ALL_ACKED: Final = "Tất cả đảng viên đã xác nhận đã nhận chỉ đạo."
DIR_STATS: Final = "Chỉ đạo ngày {date} của đồng chí {sender} ({unit}): {recipients} người nhận.\n• Đã gửi tới: {delivered}\n• Không gửi được: {failed}\n• Đang gửi: {pending}\n• Đã xác nhận “Đã nhận”: {acknowledged}"
DIR_NOT_ACKED: Final = "Chưa xác nhận: {names}"

# --- Zalo ----------------------------------------------------------------------------------
ZALO_FILE_LINK: Final = "📎 Tệp “{name}”: {url}"
ZALO_FILE_UNAVAILABLE: Final = "📎 Tệp “{name}” chưa gửi được qua Zalo, đồng chí vui lòng nhận tệp trên Telegram hoặc xin bí thư chi bộ gửi giúp."

# --- Import (admin-facing; row messages get the "Dòng n:" prefix) -----------------------
# Row messages carry no "Dòng n:" prefix: RowError.__str__ adds it (IMPORT_ROW_PREFIX).
IMPORT_ROW_PREFIX: Final = "Dòng {row}: {message}"
IMPORT_SUMMARY: Final = "Không nhập được tệp {name}: {count} lỗi, chưa ghi gì vào dữ liệu."
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

# --- Cell month flows ------------------------------------------------------------------------
# Commands (handlers/directives.py, meetings.py, results.py, member.py).
CMD_DIRECTIVE: Final = "Gửi chỉ đạo, thông báo cho chi bộ"
CMD_DIRECTIVE_STATUS: Final = "Tình hình nhận chỉ đạo"
CMD_MEETING_NEW: Final = "Lên lịch sinh hoạt chi bộ"
CMD_MEETING_MANAGE: Final = "Quản lý buổi sinh hoạt (trả lời, điểm danh)"
CMD_RESULTS: Final = "Ghi kết quả họp (nghị quyết, biểu quyết, chấm điểm, nhiệm vụ)"
CMD_MY_DIRECTIVES: Final = "Chỉ đạo, thông báo đã nhận"
CMD_NEXT_MEETING: Final = "Lịch sinh hoạt chi bộ sắp tới"
CMD_CHECKIN: Final = "Điểm danh bằng mã tại buổi họp"
CMD_RESOLUTIONS: Final = "Nghị quyết của chi bộ"
CMD_MY_TASKS: Final = "Nhiệm vụ của tôi"

# Shared by the flows.
FLOW_DONE: Final = "Xong"
FLOW_BACK: Final = "◂ Quay lại"
FLOW_CANCEL: Final = "Hủy"
FLOW_SEND: Final = "Gửi"
FLOW_EDIT_TEXT: Final = "Sửa nội dung"
FLOW_LATER: Final = "Chưa có, gửi sau"
FLOW_FINISHED: Final = "Đã xong. Gõ /help để xem menu."
FLOW_FIRST_PAGE: Final = "◂ Về đầu danh sách"
FLOW_PICKED: Final = "☑ {name}"
FLOW_UNPICKED: Final = "☐ {name}"
FLOW_NOBODY: Final = "không có"
FLOW_NOT_YET: Final = "chưa điểm danh"
FLOW_CHOOSE_CELL: Final = "Chọn chi bộ:"
FLOW_FILE_KIND: Final = "Chỉ nhận tệp tài liệu hoặc ảnh."
FLOW_FILE_DEFAULT_NAME: Final = "tệp đính kèm"
FLOW_DOC_DEFAULT_TITLE: Final = "Tài liệu {n}"
FLOW_MEETING_LABEL: Final = "{when} ({kind})"
FLOW_HOURS: Final = "{hours} tiếng"
FLOW_HOURS_MINUTES: Final = "{hours} tiếng {minutes} phút"
FLOW_MINUTES: Final = "{minutes} phút"

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

# /hop: scheduling a meeting.
FLOW_MTG_KIND_REGULAR: Final = "Thường kỳ"
FLOW_MTG_KIND_THEMATIC: Final = "Chuyên đề"
FLOW_MTG_KIND_COMBINED: Final = "Thường kỳ kết hợp chuyên đề"
FLOW_MTG_ASK_KIND: Final = "Lên lịch sinh hoạt {cell}.\nBuổi sinh hoạt loại nào?"
FLOW_MTG_ASK_TOPIC: Final = "Tên chuyên đề là gì?"
FLOW_MTG_ASK_WHEN: Final = (
    "Họp vào ngày giờ nào?\nVí dụ: 19/12 14:00, 14h 19/12/2026 hoặc thứ 6 tuần sau 8h."
)
FLOW_MTG_ASK_LENGTH: Final = "Họp đến mấy giờ? (ít nhất {minimum} phút, nhiều nhất {maximum})"
FLOW_MTG_LENGTH_OPTION: Final = "Đến {end} ({length})"
FLOW_MTG_LENGTH_OTHER: Final = "Giờ khác…"
FLOW_MTG_ASK_END: Final = "Gõ giờ kết thúc (ví dụ 16h30) hoặc thời lượng (ví dụ 2 tiếng)."
FLOW_MTG_END_UNCLEAR: Final = "Chưa hiểu giờ kết thúc. Ví dụ: 16h30, 16:30, 2 tiếng, 150 phút."
FLOW_MTG_ASK_PLACE: Final = "Họp ở đâu?"
FLOW_MTG_PLACE_OTHER: Final = "Địa điểm khác…"
FLOW_MTG_AGENDA: Final = "Chương trình họp (theo Hướng dẫn 42-HD/BTCTW):\n{agenda}"
FLOW_MTG_AGENDA_KEEP: Final = "Giữ chương trình này"
FLOW_MTG_AGENDA_NEW: Final = "Gửi chương trình khác"
FLOW_MTG_ASK_AGENDA: Final = "Gõ chương trình mới, mỗi mục một dòng."
FLOW_MTG_ASK_DOCS: Final = "Gửi tài liệu họp (dự thảo nghị quyết, báo cáo) vào đây, mỗi lần một tệp; chú thích gõ kèm tệp (nếu có) là tên tài liệu. Tài liệu cần đến đảng viên trước buổi họp ít nhất 1 ngày."
FLOW_MTG_DOCS_DONE: Final = "Xong ({count} tài liệu)"
FLOW_MTG_DOC_TAKEN: Final = "Đã nhận tài liệu “{title}”."
FLOW_MTG_PREVIEW_HEAD: Final = "Xem trước – đảng viên sẽ nhận thông báo như sau:"
FLOW_MTG_PREVIEW_DOC: Final = "📎 Kèm tài liệu: {title}"
FLOW_MTG_PREVIEW_ASK: Final = "Gửi thông báo cho chi bộ?"
FLOW_MTG_SEND: Final = "Gửi thông báo"
FLOW_MTG_FIX_WHEN: Final = "Sửa ngày giờ"
# Asked when "Sửa ngày giờ" is chosen at the preview: only the time changes (handlers/meetings.py).
FLOW_MTG_ASK_NEW_WHEN: Final = (
    "Đang định họp: {when}.\nĐồng chí gõ ngày giờ bắt đầu mới; độ dài buổi họp, địa điểm, "
    "chương trình và tài liệu giữ nguyên.\nVí dụ: 19/12 14:00 hoặc thứ 6 tuần sau 8h."
)
FLOW_MTG_SCHEDULED: Final = "Đã lên lịch buổi sinh hoạt {when}."
FLOW_MTG_MANAGE_BUTTON: Final = "Quản lý buổi họp"

# /hop_quanly: running a meeting.
FLOW_MTG_NONE: Final = "Chưa có buổi sinh hoạt nào sắp tới hoặc vừa họp. Gõ /hop để lên lịch."
FLOW_MTG_CHOOSE: Final = "Chọn buổi sinh hoạt:"
FLOW_MTG_MENU: Final = "Buổi sinh hoạt {label}.\nĐồng chí muốn làm gì?"
FLOW_MTG_M_ANSWERS: Final = "Ai sẽ dự, ai xin vắng"
FLOW_MTG_M_DOC: Final = "Gửi thêm tài liệu"
FLOW_MTG_M_CHECKIN: Final = "Mở điểm danh (lấy mã)"
FLOW_MTG_M_ROLL: Final = "Điểm danh từng người"
FLOW_MTG_M_CLOSE: Final = "Chốt điểm danh"
FLOW_MTG_M_RESULTS: Final = "Ghi kết quả họp"
FLOW_MTG_M_CANCEL: Final = "Hủy buổi họp"
FLOW_MTG_M_MOVE: Final = "Đổi giờ hoặc địa điểm"
FLOW_MTG_ASK_MOVE_WHEN: Final = "Buổi họp đang hẹn lúc {when}. Đổi giờ không?"
FLOW_MTG_NEW_WHEN: Final = "Đổi sang giờ khác…"
FLOW_MTG_KEEP_WHEN: Final = "Giữ giờ cũ"
FLOW_MTG_ASK_MOVE_PLACE: Final = "Địa điểm hiện tại: {place}. Đổi địa điểm không?"
FLOW_MTG_KEEP_PLACE: Final = "Giữ địa điểm cũ"
FLOW_MTG_MOVE_PREVIEW: Final = "Đổi lịch họp thành:\nThời gian: {when}\nĐịa điểm: {place}\n\nCác đồng chí trong chi bộ sẽ được báo và trả lời lại sẽ dự hay xin vắng."
FLOW_MTG_MOVE_SEND: Final = "Đổi lịch và báo chi bộ"
FLOW_MTG_MOVED: Final = "Đã đổi lịch {label}."
FLOW_MTG_ANSWERS: Final = "Buổi sinh hoạt {label}:\n• Sẽ dự ({yes}): {yes_names}\n• Xin vắng ({no}): {no_names}\n• Chưa trả lời ({none}): {none_names}"
FLOW_MTG_ABSENT_LINE: Final = "{name} ({reason})"
FLOW_MTG_ASK_ONE_DOC: Final = "Gửi tệp tài liệu vào đây (tài liệu hoặc ảnh)."
FLOW_MTG_DOC_SENT: Final = "{what} “{title}”"  # names the document in describe_reach
FLOW_MTG_ROLL: Final = "Chọn đảng viên để ghi trạng thái:"
FLOW_ROLL_LINE: Final = "{name} – {status}"
FLOW_ROLL_EXCLUDED: Final = " · không tính biểu quyết"
VOTE_EXCL_LABELS: Final = {"tam_chuyen": "Tạm chuyển sinh hoạt", "dinh_chi": "Đình chỉ sinh hoạt"}
FLOW_VOTE_EXCL_OPTION: Final = "{label} (không tính biểu quyết)"
FLOW_VOTE_EXCL_CLEAR: Final = "Tính lại khi biểu quyết"
FLOW_VOTE_EXCL_SET: Final = "Đồng chí {name}: {label}, không tính khi biểu quyết."
FLOW_VOTE_EXCL_CLEARED: Final = "Đồng chí {name} được tính lại khi biểu quyết."
VOTE_EXCL_OFFICIAL_ONLY: Final = (
    "Chỉ đảng viên chính thức mới thuộc diện không tính khi biểu quyết."
)
FLOW_MTG_ASK_STATUS: Final = "Đồng chí {name}:"
FLOW_MTG_STATUS_SET: Final = "Đã ghi: {name} – {status}."
FLOW_MTG_CLOSED: Final = "Đã chốt điểm danh: có mặt {present}, vắng có phép {leave}, vắng không phép {unexcused}, miễn sinh hoạt {exempt}."
FLOW_MTG_ASK_CANCEL_REASON: Final = "Lý do hủy buổi họp? (sẽ gửi cho đảng viên)"
FLOW_MTG_CANCELLED: Final = "Đã hủy buổi sinh hoạt {label}."

# Members answering the invitation.
FLOW_MTG_YES_CHOSEN: Final = "✓ Sẽ dự"
FLOW_MTG_ASK_REASON: Final = "Đồng chí xin vắng buổi sinh hoạt {when}. Lý do?"
FLOW_MTG_ASK_REASON_TEXT: Final = "Đồng chí gõ lý do xin vắng."
FLOW_REASON_WORK: Final = "Đi công tác"
FLOW_REASON_ILL: Final = "Ốm, đang điều trị"
FLOW_REASON_FAMILY: Final = "Việc gia đình"
FLOW_REASON_OTHER: Final = "Lý do khác…"

# /ketqua: after the meeting.
FLOW_RES_NONE: Final = "Chưa có buổi sinh hoạt nào đã họp để ghi kết quả."
FLOW_RES_CHOOSE: Final = "Ghi kết quả buổi sinh hoạt nào?"
FLOW_RES_MENU: Final = "Kết quả buổi sinh hoạt {label}.\nViệc đã ghi có dấu ✓. Chọn việc cần ghi:"
FLOW_RES_M_TEXT: Final = "Nghị quyết"
FLOW_RES_M_VOTE: Final = "Biểu quyết"
FLOW_RES_M_SCORE: Final = "Chấm điểm chất lượng"
FLOW_RES_M_TASK: Final = "Giao nhiệm vụ (đã giao {count})"
FLOW_RES_M_PUBLISH: Final = "Gửi nghị quyết cho đảng viên"
FLOW_RES_ASK_TEXT: Final = "Gõ nội dung nghị quyết, hoặc gửi tệp nghị quyết."
FLOW_RES_TEXT_SAVED: Final = "Đã ghi nghị quyết."
FLOW_RES_ASK_VOTE: Final = "Đảng viên chính thức được triệu tập: {convened}; có mặt được biểu quyết: {present} (dự bị có mặt: {probationary}, không biểu quyết). Cần ít nhất {needed} phiếu tán thành.\nGõ 3 số: tán thành, không tán thành, không biểu quyết. Ví dụ: 9 0 1"
FLOW_RES_VOTE_FORMAT: Final = "Cần đúng 3 số, cách nhau bằng dấu cách. Ví dụ: 9 0 1"
FLOW_RES_ASK_SCORE: Final = "Chấm điểm {n}/{total} – {label}: tối đa {maximum} điểm. Gõ số điểm."
FLOW_RES_SCORE_SUGGEST: Final = "Gợi ý theo điểm danh: {value} điểm."
FLOW_RES_SCORE_ALL_AT_ONCE: Final = "(Có thể gõ cả 7 điểm một lần, ví dụ: 5 4 9 38 5 27 5)"
FLOW_RES_SCORE_FORMAT: Final = "Đồng chí gõ một số điểm (hoặc cả 7 điểm ở tiêu chí đầu tiên)."
FLOW_RES_ASK_OWNER: Final = "Giao nhiệm vụ cho ai?"
FLOW_RES_ASK_TASK: Final = "Nhiệm vụ giao cho đồng chí {name} là gì?"
FLOW_RES_ASK_TASK_AGAIN: Final = "Đồng chí gõ lại nội dung nhiệm vụ, ngắn gọn hơn."
FLOW_RES_ASK_DUE: Final = "Thời hạn hoàn thành? Ví dụ: 31/12, 15/1/2027 hoặc thứ 6 tuần sau."
FLOW_RES_TASK_SAVED: Final = "Đã giao: {title} – đồng chí {name}, hạn {due}."
# Several tasks typed at once, a line each (services/tasklines.py).
FLOW_RES_TASK_LINES_HINT: Final = "Hoặc gõ mỗi nhiệm vụ một dòng: người thực hiện – việc – thời hạn. Ví dụ:\nLê Văn Cường – Báo cáo tổng kết năm – 31/12"
FLOW_RES_ASK_TASK_LINES: Final = (
    "Đồng chí gõ lại, mỗi nhiệm vụ một dòng: người thực hiện – việc – thời hạn. Gõ /huy nếu thôi."
)
FLOW_RES_TASKS_SAVED: Final = "Đã giao {count} nhiệm vụ:\n{lines}"
FLOW_RES_TASKS_LINE: Final = "• {title} – đồng chí {name}, hạn {due}"
TASKLINE_ERROR: Final = "Dòng {n}: {why}"
TASKLINE_FORMAT: Final = (
    "cần đủ 3 phần, cách nhau bằng dấu gạch: người thực hiện – việc – thời hạn."
)
TASKLINE_NO_NAME: Final = "chưa có tên người thực hiện."
TASKLINE_NO_MEMBER: Final = "không có đồng chí “{name}” trong chi bộ."
TASKLINE_AMBIGUOUS: Final = "“{name}” có thể là: {names}. Xin gõ đủ họ tên."
TASKLINE_EMPTY: Final = "Chưa có nhiệm vụ nào."
TASKLINE_TOO_MANY: Final = "Mỗi lần gõ tối đa {maximum} nhiệm vụ."
TASKLINE_NOTHING_SAVED: Final = "Chưa giao nhiệm vụ nào; đồng chí sửa các dòng trên rồi gửi lại."
# The results menu says what usually comes next, to be typed right there.
FLOW_RES_NEXT_TEXT: Final = "Bước tiếp: gõ nội dung nghị quyết (hoặc gửi tệp) ngay tại đây."
FLOW_RES_NEXT_VOTE: Final = "Bước tiếp: gõ kết quả biểu quyết (tán thành, không tán thành, không biểu quyết); có mặt được biểu quyết: {present}, ví dụ: {present} 0 0."
FLOW_RES_NEXT_SCORE: Final = "Bước tiếp: gõ 7 điểm chấm chất lượng, ví dụ: 5 4 9 38 5 27 5."
FLOW_RES_NEXT_TASKS: Final = (
    "Bước tiếp: giao nhiệm vụ, mỗi nhiệm vụ một dòng: người thực hiện – việc – thời hạn."
)
FLOW_RES_TASK_NEXT: Final = "Giao thêm nhiệm vụ?"
FLOW_RES_TASK_MORE: Final = "Giao thêm"

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

# --- Scheduler and statistics -------------------------------------------------------------
# Reminders and prompts (scheduler/): absolute times, so a reminder sent late is still true.
SCHED_MTG_REMINDER: Final = (
    "🔔 Nhắc lịch sinh hoạt chi bộ {kind}: {when}\n{cell}\nĐịa điểm: {place}"
)
SCHED_MTG_REMINDER_ASK: Final = "\nĐồng chí chưa cho biết sẽ dự hay xin vắng."
SCHED_MTG_UNANSWERED: Final = "🔔 Đồng chí chưa trả lời thông báo sinh hoạt chi bộ {kind} lúc {when} ({place}). Đồng chí vui lòng cho biết sẽ dự hay xin vắng."
SCHED_CHECKIN_PROMPT: Final = "🕑 Buổi sinh hoạt chi bộ lúc {when} ({place}) sắp bắt đầu. Khi đảng viên đã đến, đồng chí mở điểm danh (/hop_quanly → Mở điểm danh) và đọc mã cho cả phòng."
SCHED_CLOSE_PROMPT: Final = "📋 Buổi sinh hoạt chi bộ lúc {when} đã kết thúc: {present}/{roll} đồng chí có mặt, {blank} đồng chí chưa có trạng thái. Đồng chí ghi trạng thái cho người không tự điểm danh được, rồi chốt điểm danh (/hop_quanly)."
SCHED_RESOLUTION_PROMPT: Final = "📜 Nghị quyết buổi sinh hoạt chi bộ lúc {when} chưa gửi đảng viên (hạn {deadline}). Đồng chí ghi và gửi nghị quyết bằng lệnh /ketqua."
SCHED_TASK_TOMORROW: Final = "📌 Nhắc: ngày mai ({due}) là hạn nhiệm vụ của đồng chí: {title}"
SCHED_TASK_TODAY: Final = "📌 Nhắc: hôm nay ({due}) là hạn nhiệm vụ của đồng chí: {title}"
SCHED_TASK_OVERDUE: Final = (
    "⏰ Nhiệm vụ quá hạn ({due}) chưa hoàn thành: {title}\nNgười thực hiện: đồng chí {owner}."
)
SCHED_TASK_DONE_BUTTON: Final = "Đã hoàn thành"

# Committee statistics (services/stats.py): weekly message, /thongke, chart, spreadsheet.
CMD_STATS: Final = "Thống kê các chi bộ (biểu đồ, bảng Excel)"
STATS_TITLE: Final = "📊 Thống kê tuần {week} – {scope}"
STATS_MEMBERS: Final = "• {cells} chi bộ, {members} đảng viên; {linked} đã kết nối, {active} hoạt động trong {days} ngày qua"
STATS_MEETINGS: Final = "• Tháng {month}: {held} buổi sinh hoạt; {not_met}/{cells} chi bộ chưa họp thường kỳ ({scheduled} đã có lịch)"
STATS_NOT_MET_NAMES: Final = "  Chưa họp: {names}{more}"
STATS_MORE: Final = " và {n} chi bộ khác"
STATS_ATTENDANCE: Final = "• Dự họp ({days} ngày qua): {rate} ({present}/{expected} lượt)"
STATS_DIRECTIVES: Final = (
    "• Chỉ đạo ({days} ngày qua): {directives}; đã xác nhận {rate} ({acknowledged}/{copies} lượt)"
)
STATS_FLAGGED: Final = "• Đảng viên vắng sinh hoạt không phép từ {months} tháng trở lên: {flagged}"
STATS_WEEKLY_FOOTER: Final = "Gõ /thongke để nhận bảng Excel từng chi bộ."
STATS_XLSX_CAPTION: Final = "📎 Bảng thống kê từng chi bộ ({cells} chi bộ)."
STATS_CHART_TITLE: Final = "Tuần {week} – {scope}"
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
FLOW_DIR_ITEM_UNIT: Final = "{date} · {unit}: {snippet}"

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

# --- Meetings: start and end shown, length bounded, limits checked where typed (issue 11) ---
# The time of a meeting in words, read back at the step where it is typed (handlers/meetings.py).
FLOW_MTG_STARTS: Final = "Bắt đầu: {when}."
FLOW_MTG_TIME_SET: Final = "Thời gian họp: {when}."
# An agenda the secretary typed is not the guidance's (FLOW_MTG_AGENDA heads the standard one).
FLOW_MTG_AGENDA_CUSTOM: Final = "Chương trình họp:\n{agenda}"
MTG_TOO_LONG: Final = "Buổi sinh hoạt kéo dài nhiều nhất {maximum}; thời gian đã chọn ({when}) dài {actual}. Đồng chí kiểm tra lại giờ kết thúc."
MTG_TOPIC_TOO_LONG: Final = (
    "Tên chuyên đề dài {length} ký tự; tối đa {maximum} ký tự. Đồng chí gõ ngắn gọn hơn."
)
MTG_PLACE_TOO_LONG: Final = (
    "Địa điểm dài {length} ký tự; tối đa {maximum} ký tự. Đồng chí gõ ngắn gọn hơn."
)
MTG_AGENDA_ITEM_TOO_LONG: Final = "Mục {number} của chương trình dài {length} ký tự; mỗi mục tối đa {maximum} ký tự. Đồng chí gõ lại chương trình, mục dài thì tách thành nhiều dòng."
MTG_AGENDA_TOO_LONG: Final = "Chương trình dài {length} ký tự; cả chương trình tối đa {maximum} ký tự. Đồng chí gõ lại cho gọn hơn."
MTG_DOC_TITLE_TOO_LONG: Final = "Tên tài liệu dài {length} ký tự; tối đa {maximum} ký tự. Đồng chí gửi lại tệp, kèm một chú thích ngắn làm tên tài liệu."
MTG_REASON_TOO_LONG: Final = (
    "Lý do dài {length} ký tự; tối đa {maximum} ký tự. Đồng chí gõ ngắn gọn hơn."
)

# --- Honest counts: what a message to members really came to (services.outbox.describe_reach) ---
REACH_ALL: Final = "Đã gửi {what} đến {count} đảng viên{where}."
REACH_SOME: Final = "Đã gửi {what} đến {count} trong số {total} đảng viên{where}."
REACH_NONE: Final = "Chưa gửi được {what} đến ai trong {total} đảng viên{where}."
REACH_NOBODY: Final = "Không có đảng viên nào để gửi {what}."
REACH_ALREADY: Final = "{count} đảng viên đã được gửi {what} từ trước nên không gửi lại."
REACH_NOT_CONNECTED: Final = "{count} đảng viên chưa kết nối bot nên không nhận được tin nhắn: {names}. Đồng chí gõ /moi để cấp mã mời cho các đồng chí này."
REACH_NAMES_MORE: Final = "{names} và {more} đồng chí khác"
REACH_WHAT_DIRECTIVE: Final = "chỉ đạo"
REACH_WHAT_REMINDER: Final = "lời nhắc"
REACH_WHAT_INVITATION: Final = "thông báo họp"
REACH_WHAT_MOVE: Final = "thông báo đổi lịch họp"
REACH_WHAT_CANCEL: Final = "thông báo hủy họp"
REACH_WHAT_DOCUMENT: Final = "tài liệu"
REACH_WHAT_RESOLUTION: Final = "nghị quyết"
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

# --- Attendance and the roll: check-in wins, roll call by exception, closing shown first ------
ATT_LEAVE_AFTER_CHECKIN: Final = "Đồng chí đã được ghi nhận có mặt tại buổi sinh hoạt này nên không xin vắng được nữa. Nếu có thay đổi, đồng chí báo bí thư chi bộ."
ATT_CLOSE_LIST_CHANGED: Final = (
    "Danh sách người chưa có trạng thái vừa thay đổi. Đồng chí xem lại rồi chốt."
)
FLOW_MTG_M_AFTER_START: Final = "{label} (khi đã bắt đầu họp)"
FLOW_MTG_M_BEFORE_START: Final = "{label} (chỉ trước giờ họp)"

# --- The meeting's minutes and attendance sheet, a .docx to print (services/minutes.py) ---
FLOW_MTG_M_MINUTES: Final = "📄 Biên bản, danh sách điểm danh (tệp Word)"
MIN_NOT_STARTED: Final = "Buổi sinh hoạt chưa bắt đầu nên chưa lập biên bản được."
MIN_SENT: Final = "📄 Biên bản buổi sinh hoạt {label}: có mặt {present}, vắng có phép {leave}, vắng không phép {unexcused}, miễn sinh hoạt {exempt}. Đồng chí in ra, ghi ý kiến thảo luận và ký."
MIN_SENT_UNMARKED: Final = (
    "Lưu ý: {count} đồng chí chưa được điểm danh; nên chốt điểm danh rồi lấy lại biên bản."
)
MIN_DOC_TITLE: Final = "Biên bản sinh hoạt chi bộ"
MIN_PARTY: Final = "ĐẢNG CỘNG SẢN VIỆT NAM"
MIN_DATE_LINE: Final = "ngày {day} tháng {month} năm {year}"
MIN_TITLE: Final = "BIÊN BẢN"
MIN_SUBTITLE: Final = "Sinh hoạt chi bộ {kind}"
MIN_SUBTITLE_MONTH: Final = "Sinh hoạt chi bộ {kind} tháng {month}"
MIN_TOPIC: Final = "Chuyên đề: {topic}"
MIN_H_TIME: Final = "I. Thời gian, địa điểm, thành phần"
MIN_TIME: Final = "Thời gian: {when}."
MIN_PLACE: Final = "Địa điểm: {place}."
MIN_CHAIR: Final = "Chủ trì: đồng chí {name}{role}."
MIN_CHAIR_BLANK: Final = "Chủ trì: ................................................"
MIN_CHAIR_ROLES: Final = {"bi_thu": " – Bí thư chi bộ", "pho_bi_thu": " – Phó Bí thư chi bộ"}
MIN_NOTE_TAKER: Final = "Thư ký: ................................................"
MIN_TOTAL: Final = "Tổng số đảng viên của chi bộ: {total} (chính thức {official}, dự bị {probationary}, miễn sinh hoạt {exempt})."
MIN_VOTERS: Final = "Đảng viên chính thức được triệu tập: {convened}; có mặt: {present}."
MIN_GROUP: Final = "{label}: {count} đồng chí"
MIN_GROUP_NAMES: Final = "{label}: {count} đồng chí – {names}."
MIN_GROUP_LABELS: Final = {
    "co_mat": "Có mặt",
    "vang_co_phep": "Vắng có phép",
    "vang_khong_phep": "Vắng không phép",
    "mien_sinh_hoat": "Miễn sinh hoạt",
    "": "Chưa điểm danh",
}
MIN_H_AGENDA: Final = "II. Chương trình"
MIN_H_RESOLUTION: Final = "III. Nghị quyết và biểu quyết"
MIN_NO_RESOLUTION: Final = "Chưa ghi nghị quyết."
MIN_RESOLUTION_FILE: Final = "(Nội dung nghị quyết ở tệp đính kèm.)"
MIN_VERSION: Final = "(Bản số {number}.)"
MIN_VOTE: Final = "Biểu quyết: {for_} tán thành, {against} không tán thành, {abstain} không biểu quyết; {convened} đảng viên chính thức được triệu tập, {present} có mặt được biểu quyết."
MIN_VOTE_OUTCOME: Final = "Kết quả: nghị quyết {outcome}."
MIN_NOT_PASSED: Final = "chưa được thông qua"
MIN_NO_VOTE: Final = "Chưa ghi kết quả biểu quyết."
MIN_H_TASKS: Final = "IV. Phân công nhiệm vụ"
MIN_NO_TASKS: Final = "Không có."
MIN_TASK_HEAD: Final = ("STT", "Nhiệm vụ", "Người thực hiện", "Thời hạn")
MIN_H_DISCUSSION: Final = "V. Ý kiến thảo luận"
MIN_END: Final = "Buổi sinh hoạt kết thúc lúc ........ giờ ........ cùng ngày."
MIN_SIGN_NOTE_TAKER: Final = "THƯ KÝ"
MIN_SIGN_CHAIR: Final = "CHỦ TRÌ"
MIN_SIGN_HINT: Final = "(Ký, ghi rõ họ tên)"
MIN_SHEET_TITLE: Final = "DANH SÁCH ĐẢNG VIÊN DỰ SINH HOẠT"
MIN_SHEET_HEAD: Final = ("STT", "Họ và tên", "Đảng viên", "Điểm danh", "Ghi chú", "Ký tên")
MIN_SELF_CHECKIN: Final = "tự điểm danh"
FLOW_CLOSE_ASK: Final = "Chốt điểm danh buổi sinh hoạt {label}?"
FLOW_CLOSE_MARKED: Final = "Đã ghi: có mặt {present}, vắng có phép {leave}, vắng không phép {unexcused}, miễn sinh hoạt {exempt}."
FLOW_CLOSE_UNMARKED_HEAD: Final = "{count} đồng chí chưa có trạng thái, khi chốt sẽ ghi:"
FLOW_CLOSE_LINE: Final = "• {name}{who} – {status}"
FLOW_CLOSE_LINE_REASON: Final = "• {name}{who} – {status} ({reason})"
FLOW_CLOSE_WHO: Final = " ({tags})"
FLOW_CLOSE_YOU: Final = "đồng chí"
FLOW_CLOSE_CONVENER: Final = "người triệu tập"
FLOW_CLOSE_ALL_MARKED: Final = "Mọi đồng chí đều đã có trạng thái."
FLOW_CLOSE_ME_HINT: Final = "Đồng chí chưa có trạng thái. Nếu đồng chí dự họp, bấm “✋ Tôi có mặt”."
FLOW_CLOSE_FIX_HINT: Final = (
    "Ai có mặt mà chưa điểm danh, đồng chí ghi ở “Điểm danh từng người” trước khi chốt."
)
FLOW_CLOSE_CONFIRM: Final = "✅ Chốt điểm danh"
FLOW_ME_PRESENT: Final = "✋ Tôi có mặt"
FLOW_ROLL_SELF_CHECKED: Final = "có mặt (tự điểm danh)"
FLOW_ROLL_Q_CHECKIN: Final = "✅ Xác nhận có mặt: người tự điểm danh ({count})"
FLOW_ROLL_Q_ANSWERED: Final = "✅ Ghi có mặt: người đã báo sẽ dự ({count})"
FLOW_ROLL_PROPOSE_CHECKIN: Final = "Xác nhận có mặt cho {count} đồng chí đã tự điểm danh bằng mã:\n{names}\nAi không thực sự có mặt, đồng chí sửa từng người sau."
FLOW_ROLL_PROPOSE_ANSWERED: Final = "Ghi có mặt cho {count} đồng chí đã báo sẽ dự và chưa điểm danh:\n{names}\nAi không đến, đồng chí sửa từng người sau."
FLOW_ROLL_PROPOSE_OK: Final = "✅ Ghi có mặt {count} đồng chí"
FLOW_ROLL_PROPOSE_NONE: Final = "Không có đồng chí nào trong diện này."
FLOW_ROLL_RECORDED: Final = "Đã ghi có mặt: {count} đồng chí."
FLOW_ROLL_SKIPPED: Final = "{count} đồng chí vừa được ghi trạng thái khác nên giữ nguyên."
FLOW_MTG_MOVE_CLEARS_ROLL: Final = "Lưu ý: điểm danh đã ghi cho giờ cũ ({count} đồng chí) sẽ được xóa; mọi người điểm danh lại ở buổi họp mới."
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

# --- Resolutions: versions, vote history, only adopted ones published (issue 11) ------------
RES_VERSION_CHANGED: Final = (
    "Nghị quyết vừa được sửa (nay là bản {number}). Đồng chí xem lại rồi làm lại thao tác này."
)
RES_UNCHANGED: Final = "Nội dung này giống hệt bản nghị quyết hiện tại, không có gì để sửa."
RES_CHANGE_KIND_NEEDED: Final = "Nghị quyết đã được thông qua: đồng chí cho biết đây là sửa câu chữ (giữ kết quả biểu quyết) hay sửa nội dung (phải biểu quyết lại)."
RES_VOTE_ALREADY: Final = "Bản nghị quyết này đã có kết quả biểu quyết. Muốn ghi kết quả mới, đồng chí chọn “Biểu quyết” rồi xác nhận; kết quả cũ vẫn được lưu."
RES_REVOTE_PUBLISHED_FAILS: Final = "Bản nghị quyết này đã gửi cho đảng viên là được thông qua, nên không ghi kết quả không thông qua cho bản này được ({for_} tán thành, cần ít nhất {needed}). Nếu chi bộ biểu quyết một nội dung khác, đồng chí sửa nghị quyết (chọn “Sửa nội dung”) rồi ghi biểu quyết cho bản mới."
RES_PUBLISH_NOT_VOTED: Final = "Nghị quyết chưa được biểu quyết nên chưa gửi cho đảng viên được: chỉ nghị quyết được thông qua mới gửi đi. Đồng chí ghi kết quả biểu quyết (mục “Biểu quyết”) trước."
RES_PUBLISH_NOT_ADOPTED: Final = "Nghị quyết chưa được thông qua ({for_} tán thành trên {convened} đảng viên chính thức được triệu tập, cần ít nhất {needed}) nên không gửi cho đảng viên. Đồng chí sửa nghị quyết (mục “Nghị quyết”) rồi cho chi bộ biểu quyết lại."
RES_AMEND_NOTICE: Final = "📜 Nghị quyết của {cell}, buổi sinh hoạt {when}, đã được sửa đổi ngày {date} ({change}).\n{diff}\n\nNội dung sau khi sửa:\n{text}"
RES_AMEND_CHANGE_LABELS: Final = {
    "sua_cau_chu": "sửa câu chữ, kết quả biểu quyết giữ nguyên",
    "sua_noi_dung": "sửa nội dung, chi bộ đã biểu quyết thông qua lại",
}
RES_CHANGE_LABELS: Final = {
    "ban_dau": "bản đầu",
    "sua_cau_chu": "sửa câu chữ",
    "sua_noi_dung": "sửa nội dung, đã biểu quyết lại",
}
RES_DIFF: Final = "Trước: {old}\nNay: {new}"
RES_DIFF_NO_TEXT: Final = "(không có nội dung chữ)"
RES_DIFF_FILE: Final = "Tệp nghị quyết đã được thay bằng tệp mới."
RES_DIFF_FILE_REMOVED: Final = "Tệp nghị quyết cũ không còn dùng."
FLOW_RES_MENU_STATUS: Final = (
    "Kết quả buổi sinh hoạt {label}.\n{status}\nViệc đã ghi có dấu ✓. Chọn việc cần ghi:"
)
FLOW_RES_STATUS_VERSION: Final = " (bản sửa đổi {number})"
FLOW_RES_STATUS_EMPTY: Final = "Nghị quyết: đã ghi biểu quyết, chưa có nội dung."
FLOW_RES_STATUS_UNVOTED: Final = "Nghị quyết{version}: chưa biểu quyết."
FLOW_RES_STATUS_FAILED: Final = "Nghị quyết{version}: chưa được thông qua. Đồng chí sửa nghị quyết rồi cho chi bộ biểu quyết lại."
FLOW_RES_STATUS_ADOPTED: Final = "Nghị quyết{version}: được thông qua, chưa gửi cho đảng viên."
FLOW_RES_STATUS_PUBLISHED: Final = (
    "Nghị quyết{version}: được thông qua, đã gửi cho đảng viên ngày {date}."
)
FLOW_RES_STATUS_MEMBERS_HAVE: Final = "Đảng viên đang có bản {number}, gửi ngày {date}."
FLOW_RES_CURRENT_TEXT: Final = "Nghị quyết hiện tại (bản {number}):\n{text}"
FLOW_RES_ASK_TEXT_EDIT: Final = "Muốn sửa, đồng chí gõ lại toàn bộ nội dung đã sửa (có thể chép bản trên rồi sửa), hoặc gửi tệp mới. Gõ /huy nếu không sửa."
FLOW_RES_ASK_CHANGE: Final = "Nghị quyết đã được chi bộ biểu quyết thông qua. Thay đổi:\n{summary}\n\nĐây là loại sửa nào?\n• Sửa câu chữ: giữ nguyên kết quả biểu quyết.\n• Sửa nội dung: chi bộ phải biểu quyết lại; bản mới chỉ gửi cho đảng viên khi được thông qua."
FLOW_RES_ASK_CHANGE_PUBLISHED: Final = "Nghị quyết đã được thông qua và đã gửi cho đảng viên. Thay đổi:\n{summary}\n\nĐây là loại sửa nào?\n• Sửa câu chữ: giữ nguyên kết quả biểu quyết; bản sửa được gửi cho đảng viên kèm phần thay đổi.\n• Sửa nội dung: chi bộ phải biểu quyết lại; bản mới chỉ gửi cho đảng viên khi được thông qua.\nBản cũ vẫn được lưu."
FLOW_RES_CHANGE_WORDING: Final = "Sửa câu chữ"
FLOW_RES_CHANGE_CONTENT: Final = "Sửa nội dung"
FLOW_RES_SAVED_WORDING: Final = (
    "Đã ghi bản sửa đổi số {number} (sửa câu chữ); kết quả biểu quyết giữ nguyên."
)
FLOW_RES_SAVED_CONTENT: Final = "Đã ghi bản sửa đổi số {number}. Bản này cần chi bộ biểu quyết lại (mục “Biểu quyết”); khi được thông qua mới gửi được cho đảng viên."
FLOW_RES_CONFIRM_REVOTE: Final = "Bản nghị quyết này đã có kết quả biểu quyết (ghi lúc {when}): {for_} tán thành, {against} không tán thành, {abstain} không biểu quyết – {outcome}.\nĐồng chí muốn ghi kết quả biểu quyết mới? Kết quả cũ vẫn được lưu."
FLOW_RES_REVOTE: Final = "Ghi kết quả mới"
# Quorum before the vote (services.resolutions.quorum): fewer than half present is warned.
FLOW_RES_QUORUM_SHORT: Final = "⚠️ Chưa đủ một nửa số đảng viên chính thức có mặt: mới ghi nhận {present}/{convened} đồng chí, cần ít nhất {needed}.\nNếu điểm danh còn thiếu, đồng chí ghi lại ở /hop_quanly. Đồng chí vẫn ghi kết quả biểu quyết chứ?"
FLOW_RES_QUORUM_GO: Final = "Vẫn ghi biểu quyết"
FLOW_RES_CONFIRM_PUBLISH: Final = (
    "Đảng viên sẽ nhận tin sau:\n\n{notice}\n\nGửi đến {count} đảng viên của chi bộ chứ?"
)
FLOW_RES_SEND: Final = "Gửi"
FLOW_RES_LATER: Final = "Để sau"
FLOW_RES_ALREADY_PUBLISHED: Final = "Bản nghị quyết này đã được gửi cho đảng viên lúc {when}."
FLOW_RES_M_PUBLISH_AMEND: Final = "Gửi bản sửa đổi cho đảng viên"
REACH_WHAT_AMENDMENT: Final = "bản sửa đổi nghị quyết"
MY_RESOLUTION_AMENDED: Final = "✏️ Đã sửa đổi ngày {date} ({change})."

# --- Honest counts at the meeting and resolution call sites (handlers/meetings, results) ---
REACH_WHERE_CELL: Final = " của chi bộ"

# --- The menu in the middle of a task keeps it ------------------------------------------------
MENU_TASK_KEPT: Final = "Việc đang làm dở vẫn được giữ: gõ /tieptuc để làm tiếp, hoặc /huy để bỏ."
NOTHING_TO_RESUME: Final = "Không có việc nào đang làm dở để tiếp tục. Gõ /help để xem menu."
RESUMED: Final = "Mời đồng chí làm tiếp."
# A chat answered by typed numbers (Zalo, terminal): what a newer message set aside comes back.
WAITING_QUESTION: Final = "Tin trước đang chờ đồng chí trả lời:\n{text}"
TASK_BACK: Final = "Mời đồng chí làm tiếp việc đang làm dở:"
TYPED_NOT_AN_OPTION: Final = "Đồng chí đã gõ: “{typed}”. Câu này không khớp lựa chọn nào. {choose}"
NOTHING_TO_ANSWER: Final = "Hiện không có câu hỏi nào chờ đồng chí trả lời. Gõ /help để xem menu."

# --- Cancelling a meeting asks first --------------------------------------------------------
FLOW_MTG_CONFIRM_CANCEL: Final = "Hủy buổi sinh hoạt {label}? Đảng viên sẽ nhận lý do: “{reason}”."
FLOW_MTG_CANCEL_YES: Final = "✅ Hủy buổi họp"
FLOW_MTG_CANCEL_NO: Final = "◂ Không hủy"
