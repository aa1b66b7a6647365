"""Every sentence of the study slice, in Vietnamese: short, polite, plain (elderly members read
them on a phone). Placeholders in braces are filled by the callers."""

from __future__ import annotations

# -- commands --------------------------------------------------------------------------------
CMD_STUDY = "Học tập và làm theo Bác: chuyên đề tháng"
CMD_PAST = "Chuyên đề các tháng trước"
CMD_PLEDGE = "Bản đăng ký làm theo của tôi"
CMD_MANAGE = "Quản lý học tập, làm theo Bác"
CMD_POST = "Đăng chuyên đề học tập tháng"
CMD_APPROVE = "Duyệt bản đăng ký làm theo"
CMD_CONFIRM = "Xác nhận tự đánh giá làm theo"
CMD_PROGRESS = "Tình hình đăng ký làm theo"

# -- members: /hoctap --------------------------------------------------------------------------
HEAD = "📖 Học tập và làm theo Bác — tháng {month}"
NO_TOPIC = "Tháng này chưa có chuyên đề học tập."
TOPIC = "📌 {title}\n({unit}, tháng {month})\n{body}\nCâu hỏi thảo luận:\n{questions}"
TOPIC_LINK = "Tài liệu: {link}"
TOPIC_FILE = "Tài liệu kèm theo: {name}"
TOPIC_NEW = "📖 Chuyên đề học tập mới:"
BTN_READING = "📎 Gửi lại tài liệu: {title}"
BTN_PAST = "Chuyên đề các tháng trước"
BTN_PLEDGE = "Bản đăng ký làm theo"
READING_AGAIN = "📎 Tài liệu chuyên đề: {title}"
READING_ON_ITS_WAY = "Tài liệu «{title}» đang được gửi lại cho đồng chí."
NO_READING = "Chuyên đề này không có tài liệu kèm theo."
NOT_FOR_YOU = "Chuyên đề này không dành cho chi bộ của đồng chí."
PAST_HEAD = "Chuyên đề các tháng trước. Đồng chí chọn một chuyên đề để xem:"
PAST_ITEM = "{month} · {title}"
NO_PAST = "Chưa có chuyên đề nào của các tháng trước."
PLEDGE_LINE_NONE = (
    "✍️ Đồng chí chưa có bản đăng ký làm theo năm {year} (hạn {date}). Gõ /lamtheo để đăng ký."
)
PLEDGE_LINE_LATE = "✍️ Đồng chí chưa có bản đăng ký làm theo năm {year}. Gõ /lamtheo để đăng ký."
PLEDGE_LINE = "✍️ Bản đăng ký làm theo năm {year}: {status}."
PLEDGE_STATUS = {
    "submitted": "đang chờ chi bộ duyệt",
    "returned": "chi bộ đề nghị sửa lại",
    "approved": "đã được duyệt",
}
AGENDA_LINE = "Học tập chuyên đề: {title}"

# -- members: the pledge -----------------------------------------------------------------------
PLEDGE_INTRO = (
    "✍️ Bản đăng ký làm theo năm {year}.\n"
    "Đồng chí ghi từ 1 đến {limit} việc làm cụ thể, mỗi việc một câu."
)
PLEDGE_REWRITE = "Đồng chí viết lại bản đăng ký, từ 1 đến {limit} việc, mỗi việc một câu."
ASK_COMMITMENT = "Việc thứ {n} đồng chí đăng ký làm theo là gì? (một câu, tối đa {limit} ký tự)"
PLEDGE_SO_FAR = "Bản đăng ký của đồng chí:\n{items}"
PLEDGE_MORE = "Đồng chí thêm việc khác (gõ luôn) hay gửi chi bộ?"
PLEDGE_FULL = "Đã đủ {limit} việc."
BTN_ADD = "Thêm việc"
BTN_SEND = "Gửi"
BTN_RESTART = "Viết lại từ đầu"
BTN_REWRITE = "Sửa bản đăng ký"
BTN_KEEP = "Giữ nguyên"
BTN_CLOSE = "Đóng"
PLEDGE_MINE = "✍️ Bản đăng ký làm theo năm {year} ({status}):\n{items}"
PLEDGE_NOTE = "Góp ý của chi bộ: {note}"
PLEDGE_KEPT = "Dạ, bản đăng ký được giữ nguyên."
PLEDGE_SENT = "Đã gửi bản đăng ký làm theo năm {year}. Chi bộ sẽ xem và duyệt."
PLEDGE_LOCKED = "Bản đăng ký năm nay đã được chi bộ duyệt, không sửa được nữa."
COMMITMENTS_NONE = "Đồng chí cần ghi ít nhất 1 việc."
COMMITMENTS_TOO_MANY = "Mỗi bản đăng ký có tối đa {limit} việc. Việc vừa gõ chưa được ghi."
COMMITMENT_TOO_SHORT = "Việc đăng ký cần cụ thể hơn (ít nhất {limit} ký tự). Đồng chí gõ lại."
COMMITMENT_TOO_LONG = (
    "Việc đăng ký dài {length} ký tự, quá {limit}. Đồng chí viết gọn thành một câu."
)
PLEDGE_APPROVED_NOTICE = "✅ Chi bộ đã duyệt bản đăng ký làm theo năm {year} của đồng chí."
PLEDGE_RETURNED_NOTICE = (
    "✍️ Chi bộ đề nghị đồng chí sửa bản đăng ký làm theo năm {year}.\n"
    "Góp ý: {note}\n"
    "Gõ /lamtheo để sửa."
)
NOT_YOURS = "Đây không phải bản đăng ký của đồng chí."

# -- members: the self-review -------------------------------------------------------------------
PERIOD_MID = "giữa năm"
PERIOD_END = "cuối năm"
BTN_REVIEW = "Tự đánh giá {period}"
REVIEW_SENT_WAITING = "Đồng chí đã gửi tự đánh giá {period}, đang chờ chi bộ xác nhận."
RATING_DONE = "Đã làm"
RATING_PARTLY = "Làm một phần"
RATING_NOT_DONE = "Chưa làm"
ASK_RATING = "Việc {n}/{total}: {item}\nĐồng chí đã thực hiện thế nào?"
ASK_EVIDENCE = "Đồng chí ghi một dòng minh chứng (việc đã làm, kết quả), tối đa {limit} ký tự."
EVIDENCE_TOO_SHORT = "Đồng chí ghi rõ hơn một chút (ít nhất 3 ký tự)."
REVIEW_ITEM = "{n}. {item}\n   → {rating}: {evidence}"
REVIEW_PREVIEW = "Tự đánh giá của đồng chí:\n{items}\nĐồng chí gửi chi bộ chứ?"
REVIEW_SENT = "Đã gửi tự đánh giá {period}. Chi bộ sẽ xác nhận."
REVIEW_NOT_OPEN = "Chưa đến đợt tự đánh giá (giữa năm từ tháng 6, cuối năm từ giữa tháng 11)."
REVIEW_NEEDS_APPROVED = "Bản đăng ký năm nay chưa được duyệt nên chưa tự đánh giá được."
REVIEW_CONFIRMED_ALREADY = "Tự đánh giá đợt này đã được chi bộ xác nhận."
REVIEW_INCOMPLETE = "Đồng chí cần đánh giá đủ từng việc đã đăng ký."

# -- leaders ------------------------------------------------------------------------------------
MANAGE_HEAD = "📖 Học tập và làm theo Bác. Đồng chí muốn làm gì?"
BTN_POST = "Đăng chuyên đề tháng"
BTN_APPROVE_LIST = "Duyệt bản đăng ký"
BTN_CONFIRM_LIST = "Xác nhận tự đánh giá"
BTN_PROGRESS = "Tình hình đăng ký"
FORBIDDEN_POST = "Đồng chí không có quyền đăng chuyên đề cho đơn vị này."
ASK_UNIT = "Đăng chuyên đề cho đơn vị nào?"
ASK_MONTH = "Chuyên đề cho tháng nào?"
BTN_THIS_MONTH = "Tháng này ({month})"
BTN_NEXT_MONTH = "Tháng sau ({month})"
MONTH_NOT_ALLOWED = "Chỉ đăng được chuyên đề cho tháng này hoặc tháng sau."
ASK_TITLE = "Tên chuyên đề? (tối đa {limit} ký tự)"
ASK_BODY = "Nội dung tóm tắt của chuyên đề? (tối đa {limit} ký tự)"
ASK_READING = (
    "Tài liệu đọc: đồng chí gửi tệp (PDF, Word, ảnh) hoặc dán đường link.\n"
    "Không có tài liệu thì gõ «không»."
)
NO_READING_WORDS = frozenset({"khong", "k", "ko", "khong co", "bo qua"})
READING_FILE = "Tài liệu"
READING_BAD_FILE = "Tệp này không gửi được cho đảng viên. Đồng chí gửi tệp PDF, Word hoặc ảnh."
READING_NOT_LINK = "Đường link cần bắt đầu bằng http:// hoặc https://. Không có thì gõ «không»."
ASK_QUESTIONS = "Câu hỏi thảo luận trong buổi sinh hoạt: mỗi câu một dòng, từ 1 đến {limit} câu."
QUESTIONS_NONE = "Đồng chí cần ghi ít nhất 1 câu hỏi thảo luận."
QUESTIONS_TOO_MANY = "Có {count} câu hỏi, tối đa {limit}. Đồng chí bớt lại rồi gửi lại."
QUESTION_TOO_LONG = "Câu hỏi {n} dài {length} ký tự, quá {limit}. Đồng chí viết gọn lại."
TITLE_TOO_SHORT = "Tên chuyên đề quá ngắn."
BODY_TOO_SHORT = "Nội dung quá ngắn."
TOO_LONG = "Nội dung dài {length} ký tự, quá {limit}. Đồng chí viết gọn lại."
PREVIEW_HEAD = "Xem lại chuyên đề trước khi đăng ({unit}, tháng {month}):"
PREVIEW_TITLE = "📌 {title}"
PREVIEW_NO_READING = "(không có tài liệu)"
PREVIEW_REPLACES = "⚠️ Tháng này đơn vị đã có chuyên đề: đăng sẽ thay chuyên đề cũ."
BTN_POST_NOW = "Đăng"
BTN_POST_AGENDA = "Đăng, dùng cho chương trình họp chi bộ"
BTN_CANCEL = "Hủy"
POST_CANCELLED = "Đã hủy, chưa đăng gì."
POSTED = "Đã đăng chuyên đề cho {unit}."
POSTED_REPLACED = "Đã thay chuyên đề tháng của {unit}."
REACH_WHAT = "chuyên đề"

APPROVE_HEAD = "Có {count} bản đăng ký làm theo năm {year} chờ duyệt. Đồng chí chọn một người:"
APPROVE_EMPTY = "Không có bản đăng ký làm theo năm {year} nào chờ duyệt."
APPROVE_ONE = "Bản đăng ký của đồng chí {name}:\n{items}"
BTN_APPROVE = "Duyệt"
BTN_RETURN = "Trả lại, kèm góp ý"
BTN_BACK = "Quay lại danh sách"
ASK_RETURN_NOTE = "Góp ý để đảng viên sửa lại (tối đa {limit} ký tự):"
APPROVED = "Đã duyệt bản đăng ký của đồng chí {name}."
RETURNED = "Đã trả lại bản đăng ký cho đồng chí {name}, kèm góp ý."
PLEDGE_DECIDED = "Bản đăng ký này đã được xử lý hoặc đã được sửa lại."
NOTE_TOO_SHORT = "Góp ý quá ngắn, đồng chí ghi rõ hơn."

CONFIRM_HEAD = "Có {count} bản tự đánh giá chờ xác nhận. Đồng chí chọn một bản:"
CONFIRM_EMPTY = "Không có bản tự đánh giá nào chờ xác nhận."
CONFIRM_ITEM = "{name} ({period})"
CONFIRM_ONE = "Tự đánh giá {period} của đồng chí {name}:\n{items}"
BTN_CONFIRM = "Xác nhận"
CONFIRMED = "Đã xác nhận tự đánh giá."

PROGRESS_HEAD = "📊 Đăng ký làm theo năm {year} (đã đăng ký / đã duyệt / số đảng viên):"
PROGRESS_CELL = "• {cell}: {pledged} / {approved} / {members}"
PROGRESS_REVIEW = "; tự đánh giá {period}: {reviewed} (đã xác nhận {confirmed})"
PROGRESS_TOTAL = "Cộng: {pledged} / {approved} / {members}; đã tự đánh giá: {reviewed}."
PROGRESS_NONE = "Đồng chí chưa phụ trách chi bộ nào."
FIGURE_PLEDGED = "Đăng ký làm theo"

# -- resolution study (học tập nghị quyết) ------------------------------------------------------
CMD_ASSIGNMENTS = "Nghị quyết cần học và bài tự kiểm tra"
CMD_ASSIGN = "Giao học tập nghị quyết"
BTN_ASSIGNMENTS = "Học tập nghị quyết"
BTN_ASSIGN = "Giao học tập nghị quyết"
ASSIGNMENTS_WAITING = "📘 Có {count} nghị quyết đồng chí cần học và làm bài tự kiểm tra."
ASSIGNMENTS_HEAD = "Nghị quyết, tài liệu cần học. Đồng chí chọn một mục:"
ASSIGNMENTS_NONE = "Hiện chưa có nghị quyết nào cần học."
ASSIGNMENT_ITEM = "{mark} {title} (hạn {date})"
ASSIGNMENT = (
    "📘 {title}\n"
    "({unit}; học xong trước {date})\n"
    "Nội dung chính:\n{points}\n"
    "Bài tự kiểm tra: {count} câu."
)
ASSIGNMENT_NEW = (
    "📘 {unit} giao học tập: {title}. Hạn: {date}.\n"
    "Gõ /hoctap_nghiquyet để đọc nội dung chính và làm bài tự kiểm tra."
)
BTN_QUIZ_START = "Làm bài tự kiểm tra"
BTN_DOCUMENT = "Gửi tài liệu"
BTN_LATER = "Để sau"
QUIZ_LATER = "Dạ, đồng chí làm bài sau cũng được (gõ /hoctap_nghiquyet)."
DOCUMENT_ON_ITS_WAY = "Tài liệu đang được gửi cho đồng chí."
QUIZ_QUESTION = "Câu {n}/{total}: {q}"
QUIZ_RESULT = "Kết quả: đúng {score}/{total} câu."
QUIZ_RESULT_LINE = "{mark} Câu {n}: {q}\n   Đáp án đúng: {right}"
QUIZ_YOUR_ANSWER = "   Đồng chí chọn: {answer}"
QUIZ_DONE_ALREADY = "Đồng chí đã làm bài tự kiểm tra này rồi."
ASK_ASSIGN_TITLE = "Tên nghị quyết, tài liệu cần học? (tối đa {limit} ký tự)"
ASK_KEY_POINTS = "Nội dung chính cần nắm? (tối đa {limit} ký tự)"
ASK_DOCUMENT = (
    "Văn bản nghị quyết: đồng chí gửi tệp (PDF, Word) hoặc dán đường link.\n"
    "Không có thì gõ «không»."
)
ASK_DUE = "Hạn học xong? (ví dụ: 31/12)"
DUE_UNREADABLE = "Chưa hiểu ngày này. Đồng chí gõ theo kiểu 31/12."
DUE_PAST = "Hạn học đã qua. Đồng chí chọn một ngày từ hôm nay trở đi."
ASK_QUIZ_QUESTION = (
    "Câu hỏi tự kiểm tra số {n}, gõ trong một tin:\nCâu hỏi\nA. …\nB. …\nC. …\nĐáp án: B"
)
QUIZ_SHAPE = (
    "Câu hỏi chưa đúng mẫu. Cần: câu hỏi, từ 2 đến 4 phương án A. B. C. D. "
    "mỗi phương án một dòng, và dòng «Đáp án: B»."
)
QUIZ_OPTIONS_ORDER = "Các phương án cần theo thứ tự A, B, C, D."
QUIZ_ANSWER_MISSING = "Đáp án phải là một trong các phương án đã ghi."
QUIZ_NONE = "Cần ít nhất 1 câu hỏi tự kiểm tra."
QUIZ_TOO_MANY = "Mỗi bài có tối đa {limit} câu hỏi."
QUIZ_SO_FAR = "Đã có {count}/{limit} câu hỏi. Đồng chí thêm câu (gõ luôn) hay xem lại để giao?"
BTN_QUIZ_ADD = "Thêm câu hỏi"
BTN_QUIZ_PREVIEW = "Xem lại để giao"
QUIZ_RIGHT = "   (Đáp án: {letter})"
ASSIGN_PREVIEW = (
    "Xem lại trước khi giao ({unit}):\n📘 {title}\nHạn: {date}\nNội dung chính:\n{points}\n"
    "Câu hỏi tự kiểm tra:"
)
BTN_ASSIGN_SEND = "Giao"
ASSIGNED = "Đã giao học tập nghị quyết cho {unit}."
REACH_WHAT_RES = "nghị quyết cần học"
PROGRESS_ASSIGNMENT = "📘 {title} (hạn {date}), đã học / số đảng viên:"
PROGRESS_STUDIED = "   • {cell}: {done} / {members}"

# -- role models (gương điển hình) ----------------------------------------------------------------
CMD_ROLE_MODELS = "Gương điển hình"
CMD_ROLE_MODEL_POST = "Đăng gương điển hình"
BTN_ROLE_MODELS = "Gương điển hình"
BTN_ROLE_MODEL_POST = "Đăng gương điển hình"
ROLE_MODELS_HEAD = "🌟 Gương điển hình. Đồng chí chọn một câu chuyện:"
ROLE_MODELS_NONE = "Chưa có gương điển hình nào được đăng."
ROLE_MODEL = "🌟 {title}\n({unit})\n{story}"
ROLE_MODEL_NEW = "🌟 Gương điển hình mới:"
ROLE_MODEL_PHOTO = "📷 Ảnh: {title}"
ROLE_MODEL_PHOTO_SENT = "(Ảnh đang được gửi cho đồng chí.)"
ASK_MODEL_TITLE = "Tên câu chuyện, người điển hình? (tối đa {limit} ký tự)"
ASK_STORY = "Câu chuyện ngắn? (tối đa {limit} ký tự)"
ASK_PHOTO = "Gửi một ảnh kèm theo, hoặc gõ «không»."
PHOTO_ONLY = "Đồng chí gửi một ảnh, hoặc gõ «không»."
STORY_TOO_SHORT = "Câu chuyện quá ngắn (ít nhất 10 ký tự)."
MODEL_PREVIEW = "Xem lại trước khi đăng ({unit}):\n🌟 {title}\n{story}\n{photo}"
WITH_PHOTO = "(có ảnh kèm theo)"
NO_PHOTO = "(không có ảnh)"
REACH_WHAT_MODEL = "gương điển hình"

# -- reminders --------------------------------------------------------------------------------
REMIND_PLEDGE = (
    "✍️ Đồng chí chưa có bản đăng ký làm theo năm {year}. Hạn nộp: {date}.\n"
    "Gõ /lamtheo để đăng ký (1 đến {limit} việc, mỗi việc một câu)."
)
