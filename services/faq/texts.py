"""Every sentence of questions and answers (/hoidap), in Vietnamese, short enough for a phone
and plain for elderly members."""

from __future__ import annotations

CMD_FAQ = "Hỏi đáp về công tác đảng"
CMD_MINE = "Câu hỏi tôi đã gửi bí thư"
CMD_REVIEW = "Duyệt câu hỏi đáp (thẩm định)"

# Browsing and answers.
TOPICS = "📚 Hỏi đáp về công tác đảng. Chọn một chủ đề, hoặc gõ câu hỏi của đồng chí (không dấu cũng được):"
TOPIC_QUESTIONS = "📚 {topic}: chọn câu hỏi ({count} câu)."
BTN_MINE = "📋 Câu hỏi tôi đã gửi"
BTN_ASK = "✉️ Gửi câu hỏi cho bí thư"
BTN_SEND_THIS = "✉️ Gửi câu hỏi này cho bí thư"
BTN_TOPICS = "📚 Xem theo chủ đề"
BTN_DONE = "✅ Xong"
ENTRY = "❓ {question}\n\n{answer}\n\nNguồn: {source}"
UNREVIEWED = "⚠️ Chưa thẩm định: xin đối chiếu với văn bản gốc hoặc hỏi cấp ủy."
FOUND = "🔎 Câu trả lời gần nhất với câu hỏi của đồng chí:"
ALSO_FOUND = "Các câu gần giống (bấm chọn bên dưới để đọc đủ):"
BRIEF = "• {question}\n{answer}\nNguồn: {source}"
BRIEF_UNREVIEWED = " (⚠️ chưa thẩm định)"
BTN_READ = "📖 {question}"
NOT_FOUND = (
    "Chưa tìm thấy câu trả lời phù hợp. Đồng chí có thể gửi câu hỏi này cho bí thư chi bộ, "
    "hoặc xem theo chủ đề."
)
TOO_SHORT_QUERY = "Xin đồng chí gõ thêm vài từ về điều muốn hỏi (ví dụ: chuyển sinh hoạt đảng)."
AFTER_ANSWER = "Đồng chí cần hỏi thêm? Gõ câu hỏi khác, hoặc chọn:"
ENTRY_GONE = "Câu hỏi này không còn trong mục hỏi đáp. Xin chọn lại."

# Relaying a question.
ASK_QUESTION = (
    "✍️ Xin đồng chí gõ câu hỏi gửi bí thư chi bộ (một tin nhắn). Gõ /huy nếu không gửi nữa."
)
QUESTION_TOO_SHORT = "Câu hỏi ngắn quá, xin đồng chí viết rõ hơn."
QUESTION_TOO_LONG = "Câu hỏi dài quá ({length} ký tự); xin viết gọn dưới {limit} ký tự."
NO_LEADER = (
    "Chi bộ của đồng chí chưa có bí thư hoặc phó bí thư trong ứng dụng để nhận câu hỏi. "
    "Xin hỏi trực tiếp tại buổi sinh hoạt chi bộ."
)
QUESTION_SENT = "✅ Đã gửi câu hỏi cho bí thư chi bộ. Khi có trả lời, ứng dụng sẽ nhắn lại đồng chí. Xem tình trạng: /hoidap_cuatoi"
QUESTION_SENT_NOBODY = (
    "Đã ghi câu hỏi, nhưng bí thư chi bộ chưa kết nối ứng dụng nên chưa nhận được. "
    "Xin đồng chí báo bí thư, hoặc hỏi tại buổi sinh hoạt."
)
TO_LEADER = "❓ Đồng chí {name} hỏi:\n«{question}»\n\nXin đồng chí trả lời trong ứng dụng."
REMIND_LEADER = "⏰ Câu hỏi của đồng chí {name} đã chờ {days} ngày chưa được trả lời:\n«{question}»"
BTN_ANSWER = "✍️ Trả lời"

# The secretary answers.
ASK_REPLY = "❓ Đồng chí {name} hỏi:\n«{question}»\n\n✍️ Xin gõ câu trả lời (một tin nhắn). Gõ /huy để để sau."
REPLY_TOO_SHORT = "Câu trả lời ngắn quá, xin viết rõ hơn."
REPLY_TOO_LONG = "Câu trả lời dài quá ({length} ký tự); xin viết gọn dưới {limit} ký tự."
TO_MEMBER = (
    "💬 Bí thư chi bộ đã trả lời câu hỏi của đồng chí:\n❓ «{question}»\n\n{answer}\n\n— {name}"
)
REPLY_SENT = "✅ Đã gửi câu trả lời cho đồng chí {name}."
ASK_PUBLISH = "Đăng câu hỏi và trả lời này vào mục hỏi đáp để các đồng chí khác cùng xem?"
BTN_PUBLISH_CELL = "📌 Đăng cho chi bộ"
BTN_PUBLISH_UNIT = "📌 Đăng cho {unit}"
BTN_NO_PUBLISH = "Không đăng"
PUBLISHED = "📌 Đã đăng vào mục hỏi đáp của {unit}."
NOT_PUBLISHED = "Đã xong, câu hỏi không được đăng."
ALREADY_PUBLISHED = "Câu hỏi này đã được đăng vào mục hỏi đáp rồi."
PUBLISHED_SOURCE = "Trả lời của {name}, {unit}, ngày {date}"
QUESTION_GONE = "Câu hỏi này không còn. Có thể nút đã cũ."
ALREADY_ANSWERED = (
    "Câu hỏi này đã được trả lời ngày {date} (đồng chí {name}). Không cần trả lời lại."
)
NOT_YOUR_CELL = "Đồng chí chỉ trả lời được câu hỏi của đảng viên trong chi bộ mình phụ trách."
NOT_ANSWERED_YET = "Câu hỏi này chưa được trả lời nên chưa đăng được."
NOT_YOUR_UNIT = "Đồng chí không phụ trách đơn vị này nên không đăng được."

# The member's own questions.
MINE_EMPTY = "Đồng chí chưa gửi câu hỏi nào cho bí thư. Gõ /hoidap để hỏi."
MINE_HEAD = "📋 Câu hỏi đồng chí đã gửi bí thư (mới nhất trước):"
MINE_OPEN = "{n}. «{question}»\n   ⏳ Đang chờ trả lời (gửi ngày {date})"
MINE_ANSWERED = "{n}. «{question}»\n   ✅ Đã trả lời ngày {date}: {answer}"

# Approval.
REVIEW_EMPTY = "✅ Không còn câu hỏi đáp nào chờ thẩm định."
REVIEW_ENTRY = "🔍 Thẩm định ({index}/{total}), chủ đề «{topic}», mã {key}:\n\n{entry}"
BTN_APPROVE = "✅ Duyệt"
BTN_SKIP = "⏭ Bỏ qua"
BTN_STOP = "Dừng"
APPROVED = "✅ Đã duyệt «{key}»."
REVIEW_CHANGED = "Nội dung câu «{key}» vừa thay đổi; xin đọc lại bản mới."
REVIEW_ALREADY = "Câu «{key}» đã được duyệt rồi."
REVIEW_STOPPED = "Đã dừng. Gõ /hoidap_duyet để tiếp tục lúc khác."
REVIEW_DONE = "Đã xem hết danh sách chờ thẩm định."
REVIEW_FORBIDDEN = "Chỉ cấp ủy cấp trên hoặc quản trị viên được thẩm định mục hỏi đáp."

# Import (sotay faq import FILE): "Dòng n: …" per row, nothing written on any error.
IMPORT_ROW = "Dòng {row}: {message}"
IMPORT_ITEM = "Mục {row}: {message}"
IMPORT_FILE_KIND = "Chỉ nhận tệp .csv hoặc .toml (cùng định dạng với tệp hỏi đáp kèm theo)."
IMPORT_UNREADABLE = "Không đọc được tệp: {reason}"
IMPORT_EMPTY = "Tệp không có câu hỏi nào."
IMPORT_COLUMNS = "Thiếu cột: {columns} (cần: id, chu_de, cau_hoi, tra_loi, nguon)."
IMPORT_MISSING = "thiếu «{field}»."
IMPORT_BAD_ID = "mã «{value}» không hợp lệ (chỉ chữ thường không dấu, số và dấu gạch ngang, tối đa {limit} ký tự)."
IMPORT_DUP_ID = "mã «{value}» trùng với dòng {other}."
IMPORT_TOO_LONG = "«{field}» dài {length} ký tự, tối đa {limit}."
IMPORT_RESERVED = "mã «{value}» dành cho câu hỏi đáp do bí thư đăng, không nhập được."
IMPORT_FAILED = "Không nhập được: {count} lỗi, chưa ghi gì vào cơ sở dữ liệu."
IMPORT_DONE = (
    "Đã nhập hỏi đáp: {created} câu mới, {updated} câu cập nhật, {unchanged} câu không đổi."
)

PUBLISHED_TOPIC = "Chi bộ, cấp ủy trả lời"
BYE = "Cảm ơn đồng chí. Gõ /hoidap khi cần hỏi thêm."

# The search (/timkiem): the name of a hit, and the mark before an entry not yet approved (a
# symbol only, so the index never matches it as a word).
SEARCH_LABEL = "Hỏi đáp"
SEARCH_UNREVIEWED_MARK = "⚠️ "
SEARCH_BODY = "{answer}\nNguồn: {source}"
