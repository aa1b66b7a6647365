"""Every sentence of the document library (/tailieu, /tailieu_quanly), in Vietnamese, short
enough for a phone and plain for elderly members."""

from __future__ import annotations

CMD_LIBRARY = "Tủ sách: văn bản của Đảng, Nhà nước"
CMD_MANAGE = "Đăng, quản lý văn bản trong tủ sách"

# Browsing.
MENU = (
    "📚 Tủ sách văn bản. Chọn mục, hoặc gõ vài từ để tìm theo tên, số hiệu "
    "(không dấu cũng được, ví dụ: quy dinh danh gia):"
)
BTN_NEWEST = "🆕 Mới nhất"
BTN_BY_KIND = "🗂 Theo loại"
BTN_SAVED = "⭐ Đã lưu"
BTN_DONE = "✅ Xong"
BTN_BACK = "◂ Quay lại"
KINDS_ASK = "🗂 Chọn loại văn bản:"
LIST_NEWEST = "🆕 Văn bản mới nhất ({count}):"
LIST_KIND = "🗂 {kind} ({count}):"
LIST_SAVED = "⭐ Văn bản đồng chí đã lưu ({count}):"
LIST_FOUND = "🔎 Tìm “{query}”: {count} văn bản."
EMPTY = "Chưa có văn bản nào ở mục này."
EMPTY_SAVED = "Đồng chí chưa lưu văn bản nào. Mở một văn bản rồi chọn “Lưu” để đọc sau."
NOT_FOUND = "Không tìm thấy văn bản nào với “{query}”. Xin thử từ khác, hoặc xem theo loại."
QUERY_TOO_SHORT = "Xin gõ ít nhất một từ có chữ hoặc số để tìm."
ITEM = "{number} – {title}"
BYE = "Đã đóng tủ sách. Gõ /tailieu để mở lại."

# One document.
DOCUMENT = (
    "📄 {kind} số {number}\n"
    "Ngày ban hành: {date}\n"
    "Cơ quan ban hành: {issuer}\n"
    "Trích yếu: {title}\n\n"
    "{summary}"
)
SUPERSEDED_BY = "⚠️ Đã được thay thế bởi {number}."
SUPERSEDED_BY_GONE = "⚠️ Đã được thay thế bởi văn bản khác."
REPLACES = "ℹ️ Thay thế {number}."
NO_FILE = "(Văn bản này chưa có tệp đính kèm.)"
BTN_FILE = "📎 Nhận tệp"
BTN_SAVE = "⭐ Lưu"
BTN_UNSAVE = "✖️ Bỏ lưu"
BTN_NEWER = "➡️ Xem văn bản thay thế"
BTN_OLDER = "⬅️ Xem văn bản bị thay thế"
BTN_LIST = "◂ Về danh sách"
SAVED = "⭐ Đã lưu. Xem lại ở mục “Đã lưu” của /tailieu."
UNSAVED = "Đã bỏ lưu văn bản này."
GONE = "Văn bản này không có hoặc không còn trong tủ sách."
FILE_LINK = "📎 Tệp “{name}”: {url}"
FILE_ON_ITS_WAY = "📎 Đang gửi tệp “{name}” tới đồng chí, xin chờ giây lát."
FILE_OTHER_CHANNEL = (
    "📎 Tệp “{name}” được đăng trên {channel} nên chỉ nhận được ở đó. "
    "Đồng chí mở {channel}, hoặc xin bí thư chi bộ gửi giúp."
)
FILE_NOTICE = "📎 {kind} số {number}: {title}"
BTN_OPEN = "📄 Xem thông tin văn bản"
CHANNEL_LABELS = {"telegram": "Telegram", "zalo": "Zalo", "terminal": "máy tính"}

# Publishing.
MANAGE_MENU = "🗄 Quản lý tủ sách. Đồng chí muốn làm gì?"
BTN_PUBLISH = "➕ Đăng văn bản mới"
BTN_SUPERSEDE = "🔁 Đánh dấu văn bản bị thay thế"
BTN_WITHDRAW = "🗑 Thu hồi văn bản"
NO_PUBLISH_UNIT = "Đồng chí chưa phụ trách đơn vị nào để đăng văn bản."
ASK_UNIT = (
    "Văn bản gửi cho đơn vị nào (đảng viên trong đơn vị và các chi bộ trực thuộc đều đọc được)?"
)
ASK_KIND = "Loại văn bản?"
ASK_KIND_CELL = "Chi bộ chỉ đăng được văn bản nội bộ. Văn bản của cấp trên do cấp ủy đăng."
ASK_NUMBER = "Số hiệu văn bản (ví dụ: 366-QĐ/TW):"
ASK_DATE = "Ngày ban hành (ngày/tháng/năm, ví dụ 15/03/2025):"
ASK_ISSUER = "Cơ quan ban hành (ví dụ: Ban Chấp hành Trung ương):"
ASK_TITLE = "Trích yếu (tên văn bản, một dòng):"
ASK_SUMMARY = "Tóm tắt ngắn nội dung chính (tối đa {limit} ký tự):"
ASK_FILE = (
    "Gửi tệp văn bản (PDF, Word, Excel, ảnh JPG/PNG; tối đa {mb} MB), "
    "hoặc dán đường dẫn https://…, hoặc chọn “Không có tệp”."
)
BTN_NO_FILE = "Không có tệp"
PREVIEW = "Xem lại trước khi đăng cho {unit}:\n\n{document}\n\nTệp: {file}"
PREVIEW_NO_FILE = "không có"
BTN_CONFIRM = "✅ Đăng"
BTN_CANCEL = "✖️ Hủy"
PUBLISHED = "✅ Đã đăng {kind} số {number} cho {unit}."
CANCELLED = "Đã hủy, không thay đổi gì."
DUPLICATE = (
    "{unit} đã có văn bản số {number} của {issuer}. Nếu đây là văn bản mới thay thế, "
    "xin đăng với số hiệu của nó rồi dùng “Đánh dấu văn bản bị thay thế”."
)
NUMBER_BAD = "Số hiệu cần có ít nhất một chữ số (ví dụ: 366-QĐ/TW), tối đa {limit} ký tự."
DATE_BAD = "Chưa hiểu ngày này. Xin gõ ngày/tháng/năm, ví dụ 15/03/2025."
DATE_FUTURE = "Ngày ban hành không thể sau hôm nay. Xin gõ lại."
TEXT_EMPTY = "Xin gõ nội dung, không để trống."
TEXT_TOO_LONG = "Dài quá ({length} ký tự); xin viết gọn dưới {limit} ký tự."
SUMMARY_TOO_SHORT = "Tóm tắt ngắn quá; xin viết ít nhất một câu."
FILE_BAD_TYPE = (
    "Tệp “{name}” không nhận được: chỉ nhận PDF, Word (doc, docx), Excel (xls, xlsx), "
    "ảnh JPG hoặc PNG."
)
FILE_TOO_BIG = "Tệp lớn quá ({mb} MB); tối đa {limit} MB. Xin gửi bản nhỏ hơn hoặc đường dẫn."
LINK_BAD = "Đường dẫn phải bắt đầu bằng https:// và không có dấu cách (tối đa {limit} ký tự)."
KIND_FORBIDDEN = "Chi bộ chỉ đăng được văn bản nội bộ."
NOT_YOURS = "Đồng chí chỉ sửa được văn bản của đơn vị mình phụ trách."

# Superseding and withdrawing.
PICK_OLD = "Văn bản nào đã bị thay thế?"
PICK_NEW = "Văn bản nào thay thế “{number}”?"
NOTHING_TO_MANAGE = "Đồng chí chưa đăng văn bản nào để quản lý."
NO_NEWER = "Chưa có văn bản nào khác cùng đơn vị để làm văn bản thay thế."
SUPERSEDED = "✅ Đã ghi: {old} được thay thế bởi {new}."
SUPERSEDE_SELF = "Một văn bản không thể tự thay thế chính nó."
SUPERSEDE_LOOP = "Không ghi được: {new} lại đang được thay thế bởi {old}."
SUPERSEDE_UNIT = "Văn bản thay thế phải được đăng cho cùng đơn vị hoặc đơn vị cấp trên."
PICK_WITHDRAW = "Thu hồi văn bản nào? Văn bản thu hồi sẽ không còn hiện với ai."
CONFIRM_WITHDRAW = "Thu hồi {number} – {title}?"
BTN_YES_WITHDRAW = "🗑 Thu hồi"
WITHDRAWN = "✅ Đã thu hồi {number}."
DATE_UNKNOWN = "chưa rõ"
WITHDRAWN_MARK = "(đã thu hồi)"
AFTER_ACTION = "Đồng chí chọn tiếp:"
