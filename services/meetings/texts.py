"""The meetings (scheduling, attendance, results, tasks, minutes) feature's sentences, in Vietnamese: short for a phone screen,
polite and plain ("đồng chí"). Placeholders use str.format names."""

from __future__ import annotations

from typing import Final

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
RES_TASK_CLOSED: Final = "Nhiệm vụ này chi bộ đã kết luận, không ghi nhận thêm được."
RES_TASK_NOTICE: Final = "📌 Chi bộ giao nhiệm vụ cho đồng chí: {title}\nThời hạn: {due}."
CMD_MEETING_NEW: Final = "Lên lịch sinh hoạt chi bộ"
CMD_MEETING_MANAGE: Final = "Quản lý buổi sinh hoạt (trả lời, điểm danh)"
CMD_RESULTS: Final = "Ghi kết quả họp (nghị quyết, biểu quyết, chấm điểm, nhiệm vụ)"
FLOW_BACK: Final = "◂ Quay lại"
FLOW_LATER: Final = "Chưa có, gửi sau"
FLOW_FINISHED: Final = "Đã xong. Gõ /help để xem menu."
FLOW_NOBODY: Final = "không có"
FLOW_NOT_YET: Final = "chưa điểm danh"
FLOW_CHOOSE_CELL: Final = "Chọn chi bộ:"
FLOW_DOC_DEFAULT_TITLE: Final = "Tài liệu {n}"
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
# Several tasks typed at once, a line each (services/meetings/tasklines.py).
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
REACH_WHAT_INVITATION: Final = "thông báo họp"
REACH_WHAT_MOVE: Final = "thông báo đổi lịch họp"
REACH_WHAT_CANCEL: Final = "thông báo hủy họp"
REACH_WHAT_DOCUMENT: Final = "tài liệu"
REACH_WHAT_RESOLUTION: Final = "nghị quyết"
# --- Attendance and the roll: check-in wins, roll call by exception, closing shown first ------
ATT_LEAVE_AFTER_CHECKIN: Final = "Đồng chí đã được ghi nhận có mặt tại buổi sinh hoạt này nên không xin vắng được nữa. Nếu có thay đổi, đồng chí báo bí thư chi bộ."
ATT_CLOSE_LIST_CHANGED: Final = (
    "Danh sách người chưa có trạng thái vừa thay đổi. Đồng chí xem lại rồi chốt."
)
FLOW_MTG_M_AFTER_START: Final = "{label} (khi đã bắt đầu họp)"
FLOW_MTG_M_BEFORE_START: Final = "{label} (chỉ trước giờ họp)"
# --- The meeting's minutes and attendance sheet, a .docx to print (services/meetings/minutes.py) ---
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
# Quorum before the vote (services.meetings.resolutions.quorum): fewer than half present is warned.
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
# --- Honest counts at the meeting and resolution call sites (handlers/meetings, results) ---
REACH_WHERE_CELL: Final = " của chi bộ"
# --- Cancelling a meeting asks first --------------------------------------------------------
FLOW_MTG_CONFIRM_CANCEL: Final = "Hủy buổi sinh hoạt {label}? Đảng viên sẽ nhận lý do: “{reason}”."
FLOW_MTG_CANCEL_YES: Final = "✅ Hủy buổi họp"
FLOW_MTG_CANCEL_NO: Final = "◂ Không hủy"
