"""Every sentence of the fees slice, in Vietnamese (plain and short: many members are elderly)."""

from __future__ import annotations

from typing import Final

# --- refusals (services) -----------------------------------------------------------------------
FORBIDDEN_COLLECTOR: Final = (
    "Chức năng này dành cho bí thư và người được giao thu đảng phí của chi bộ."
)
MEMBER_NOT_IN_CELL: Final = "Đảng viên này không thuộc chi bộ của đồng chí."
STALE: Final = "Nút này đã cũ hoặc không hợp lệ. Đồng chí gõ /dangphi để xem lại."
AMOUNT_NOT_POSITIVE: Final = "Số tiền phải lớn hơn 0, viết bằng số, ví dụ 50000 hoặc 50.000."
AMOUNT_TOO_LARGE: Final = "Số tiền lớn hơn {limit}; đồng chí kiểm tra lại giúp."
AMOUNT_UNCHANGED: Final = "Số tiền mới giống số tiền cũ; không có gì thay đổi."
NO_BASIS: Final = "Đồng chí {name} chưa có diện đảng phí; đề nghị bí thư chi bộ cập nhật trước."
BASIS_INCOMPLETE: Final = (
    "Diện đảng phí của đồng chí {name} còn thiếu thu nhập hoặc vùng lương; "
    "đề nghị bí thư chi bộ bổ sung."
)
ALREADY_PAID: Final = "Đồng chí {name} đã nộp đủ đảng phí đến tháng này."
NOBODY_CHOSEN: Final = "Đồng chí chưa chọn đảng viên nào."
SKIPPED_NO_BASIS: Final = "chưa có diện đảng phí"
SKIPPED_PAID: Final = "đã nộp đủ"
NO_MONTHS: Final = "đóng thêm tự nguyện"
CONFIRM_LARGE: Final = (
    "Số tiền {amount} lớn hơn nhiều so với mức đóng một tháng ({due}); sẽ tính cho: {months}. "
    "Đồng chí xác nhận đúng số tiền này?"
)
RECEIPT_CASH: Final = (
    "✅ Chi bộ đã nhận {amount} đảng phí của đồng chí (tiền mặt, {day}), cho tháng: {months}."
)
RECEIPT_CONFIRMED: Final = "✅ Khoản nộp {amount} ngày {day} đã được xác nhận, cho tháng: {months}."
RECEIPT_EXTRA: Final = "Trong đó {extra} là phần đồng chí đóng thêm tự nguyện. Xin cảm ơn đồng chí."
CLAIM_TO_COLLECTOR: Final = (
    "💰 Đồng chí {name} ({code}) báo đã chuyển khoản {amount} đảng phí lúc {when}, "
    "cho tháng: {months}. Đồng chí kiểm tra tài khoản rồi xác nhận."
)
CLAIM_TO_COLLECTOR_PORTAL: Final = (
    "💰 Đồng chí {name} ({code}) báo đã nộp {amount} đảng phí qua Cổng dịch vụ công lúc {when}, "
    "cho tháng: {months}. Đồng chí kiểm tra rồi xác nhận."
)
BTN_CONFIRM: Final = "✅ Đã nhận được"
BTN_REJECT: Final = "❌ Chưa nhận được"
CLAIM_DECIDED: Final = "Khoản nộp này đã được xử lý rồi."
CLAIM_REJECTED: Final = (
    "Khoản nộp {amount} ngày {day} chưa được xác nhận. Lý do: {reason}\n"
    "Đồng chí liên hệ người thu đảng phí của chi bộ, hoặc gõ /dangphi để nộp lại."
)
REASON_EMPTY: Final = "Đồng chí ghi ngắn gọn lý do giúp."
REASON_TOO_LONG: Final = "Lý do dài quá {limit} ký tự; đồng chí viết ngắn lại giúp."
AMOUNT_CORRECTED: Final = "Khoản nộp ngày {day} đã được sửa từ {old} thành {new}."
REMINDED_RECENTLY: Final = "Chi bộ đã nhắc lúc {when}. Có thể nhắc lại từ {next}."
NOBODY_OWES: Final = "Không có đảng viên nào còn nợ đảng phí."
REMINDER: Final = (
    "🔔 Nhắc đóng đảng phí: đồng chí còn {amount} (tháng {months}). Bấm nút dưới đây để xem và nộp."
)
BTN_OPEN_DUES: Final = "Xem và nộp đảng phí"

# --- setting up a cell's fees (services/fees/setup.py) ------------------------------------------
SETUP_FORBIDDEN_APPOINT: Final = "Chỉ bí thư chi bộ mới giao được việc thu đảng phí của chi bộ."
SETUP_FORBIDDEN_PAYEE: Final = (
    "Đồng chí không có quyền đặt tài khoản nhận đảng phí hoặc vùng lương của đơn vị này."
)
SETUP_FORBIDDEN_PROFILE: Final = (
    "Diện đảng phí chỉ đảng viên đó, bí thư và người thu đảng phí của chi bộ được xem."
)
SETUP_UNIT_NOT_FOUND: Final = "Không tìm thấy đơn vị này."
PROFILE_INCOME_REQUIRED: Final = (
    "Diện đảng phí này cần số tiền thu nhập (lương, trợ cấp hoặc lương hưu); đồng chí nhập giúp."
)
PROFILE_INCOME_INVALID: Final = (
    "Thu nhập phải lớn hơn 0 đ và không quá {limit}; đồng chí kiểm tra lại giúp."
)
PROFILE_BIRTH_DATE_INVALID: Final = "Ngày sinh phải là một ngày đã qua; đồng chí kiểm tra lại giúp."
PROFILE_50_YEARS_NO_JOINED: Final = (
    "Chưa có ngày vào Đảng của đồng chí {name} nên chưa tính được 50 năm tuổi Đảng; "
    "đề nghị bổ sung ngày vào Đảng trước."
)
PROFILE_50_YEARS_NOT_YET: Final = (
    "Đồng chí {name} vào Đảng ngày {joined}, chưa đủ 50 năm tuổi Đảng; được miễn từ tháng {month}."
)
REDUCTION_BAD_PERCENT: Final = "Mức giảm chỉ có thể là 30 %, 50 %, 70 % hoặc 100 %."
REDUCTION_BAD_MONTHS: Final = "Thời gian giảm đảng phí từ 1 đến {limit} tháng."
REDUCTION_OVERLAP: Final = (
    "Đồng chí {name} đang được giảm đảng phí đến hết tháng {month}; "
    "đồng chí hủy mức giảm đó trước khi đặt mức mới."
)
REDUCTION_NOT_FOUND: Final = "Không tìm thấy mức giảm đảng phí này."
REDUCTION_ALREADY_CANCELLED: Final = "Mức giảm đảng phí này đã được hủy rồi."
REDUCTION_ENDED: Final = "Mức giảm đảng phí này đã hết hạn từ tháng {month}."
PAYEE_BANK_UNKNOWN: Final = (
    "Không tìm thấy ngân hàng này trong danh sách NAPAS; đồng chí chọn lại ngân hàng giúp."
)
PAYEE_ACCOUNT_INVALID: Final = (
    "Số tài khoản chỉ gồm chữ số, dài từ 6 đến 19 số; đồng chí kiểm tra lại giúp."
)
PAYEE_HOLDER_LENGTH: Final = "Tên chủ tài khoản dài từ 2 đến 100 ký tự."
PAYEE_HOLDER_INVALID: Final = (
    "Tên chủ tài khoản chỉ gồm chữ cái, chữ số và dấu cách, ghi như trên thẻ ngân hàng."
)

# --- import columns (services/fees/importing.py; the importer adds "Dòng n: ") -------------------
IMPORT_BASIS_INVALID: Final = "Diện đảng phí «{value}» không hợp lệ; dùng một trong: {codes}."
IMPORT_BASIS_NEEDS_INCOME: Final = "Diện {basis} cần thu_nhap_dang_phi."
IMPORT_INCOME_WITHOUT_BASIS: Final = "Có thu_nhap_dang_phi nhưng thiếu dien_dang_phi."
IMPORT_INCOME_INVALID: Final = (
    "Thu nhập đảng phí «{value}» không hợp lệ; ghi số đồng, ví dụ 8.000.000."
)
IMPORT_INCOME_RANGE: Final = "Thu nhập đảng phí «{value}» phải lớn hơn 0 đ và không quá {limit}."
IMPORT_BIRTH_DATE_INVALID: Final = "Ngày sinh «{value}» không hợp lệ (dd/mm/yyyy)."
IMPORT_BIRTH_DATE_RANGE: Final = "Ngày sinh {value} không hợp lý (từ 01/01/1900 đến trước hôm nay)."

# --- the member's page (services/fees/views.py) ---------------------------------------------------
BASIS_LABELS: Final[dict[str, str]] = {
    "bhxh": "Có đóng bảo hiểm xã hội (1 % tiền lương)",
    "tro_cap": "Hưởng trợ cấp ốm đau, thai sản (1 % trợ cấp)",
    "huu_tri": "Hưởng lương hưu (0,5 % lương hưu)",
    "khong_bhxh": "Không đóng bảo hiểm xã hội, chưa đến tuổi nghỉ hưu",
    "khong_bhxh_cao_tuoi": "Không đóng bảo hiểm xã hội, từ tuổi nghỉ hưu",
    "hoc_sinh": "Học sinh, sinh viên",
    "mien": "Miễn đóng đảng phí",
}
METHOD_LABELS: Final[dict[str, str]] = {
    "cash": "tiền mặt",
    "transfer": "chuyển khoản",
    "portal": "Cổng dịch vụ công",
}
EXEMPTION_LABELS: Final[dict[str, str]] = {
    "tuoi_dang_50": "đủ 50 năm tuổi Đảng",
    "huu_tri_xa_hoi": "hưởng trợ cấp hưu trí xã hội",
    "ho_ngheo": "hộ nghèo, cận nghèo",
    "benh_hiem_ngheo": "bệnh hiểm nghèo",
}
CALC_RATE: Final = "{rate} × {base} = {amount}"
CALC_REGION_BASE: Final = "{base} (lương tối thiểu vùng {region})"
CALC_FLAT: Final = "mức cố định {amount}"
CALC_EXEMPT: Final = "được miễn{reason}"
CALC_REDUCTION: Final = "giảm {percent} % ({reason}) còn {amount}"
CALC_ROUNDING: Final = "làm tròn {amount}"
MONTH_OWED: Final = "Tháng {month}: còn {owed}"
MONTH_PARTLY: Final = "Tháng {month}: còn {owed} (đã nộp một phần)"
PAGE_TITLE: Final = "💰 Đảng phí của đồng chí – tháng {month}"
PAGE_NO_BASIS: Final = (
    "Chi bộ chưa cập nhật diện đảng phí của đồng chí. Đồng chí hỏi bí thư chi bộ giúp."
)
PAGE_BASIS: Final = "Diện: {basis}"
PAGE_BASIS_INCOMPLETE: Final = (
    "Diện đảng phí còn thiếu thu nhập hoặc vùng lương; đồng chí hỏi bí thư chi bộ giúp."
)
PAGE_COMPUTATION: Final = "Cách tính: {text}"
PAGE_NOTHING_DUE: Final = "Tháng {month}: không phải nộp."
PAGE_THIS_PAID: Final = "Tháng {month}: {due} – đã nộp ✅"
PAGE_ARREARS: Final = "Các tháng trước còn nợ:"
PAGE_MORE: Final = "… và {n} tháng nữa."
PAGE_AHEAD: Final = "Đã nộp trước cho: {months}."
PAGE_TOTAL: Final = "Tổng cần nộp: {total}"
PAGE_CLAIM: Final = "⏳ Khoản {amount} ngày {day} đang chờ người thu xác nhận."
PAGE_HISTORY: Final = "Các lần nộp gần đây:"
HISTORY_LINE: Final = "• {day}: {amount}, {method}"
HISTORY_WAITING: Final = " (chờ xác nhận)"
HISTORY_REJECTED: Final = " (không được xác nhận)"
TRANSFER_DETAILS: Final = (
    "Quét mã QR bằng ứng dụng ngân hàng, hoặc chuyển khoản theo thông tin sau:\n"
    "Ngân hàng: {bank}\nSố tài khoản: {account}\nChủ tài khoản: {holder}{whose}\n"
    "Số tiền: {amount}\nNội dung: {memo}"
)
TRANSFER_PERSONAL: Final = " (tài khoản cá nhân của người thu đảng phí)"

# --- the member's conversation (handlers/fees.py) --------------------------------------------------
CMD_DUES: Final = "Đảng phí của tôi: số phải nộp, nộp qua mã QR"
CMD_MANAGE: Final = "Thu đảng phí của chi bộ (bí thư, người thu)"
BTN_TRANSFER: Final = "💳 Chuyển khoản (mã QR)"
BTN_PORTAL: Final = "🏛 Đã nộp qua Cổng dịch vụ công"
BTN_MANAGE: Final = "📒 Quản lý thu đảng phí"
NOTHING_TO_PAY: Final = "Đồng chí đã nộp đủ (hoặc đang chờ xác nhận). Xin cảm ơn đồng chí."
NO_PAYEE: Final = (
    "Chi bộ chưa có tài khoản nhận đảng phí. Đồng chí nộp tiền mặt cho người thu đảng phí "
    "tại buổi sinh hoạt, hoặc hỏi bí thư chi bộ."
)
ASK_TRANSFERRED: Final = (
    "Chuyển xong {amount}, đồng chí bấm «Tôi đã nộp» để báo người thu đảng phí xác nhận."
)
BTN_TRANSFERRED: Final = "✅ Tôi đã nộp"
BTN_LATER: Final = "Để sau"
TRANSFER_LATER: Final = "Khi chuyển khoản xong, đồng chí gõ /dangphi để báo đã nộp."
ASK_RECEIPT: Final = (
    "Đồng chí đã nộp {amount} qua Cổng dịch vụ công. Gửi ảnh biên lai (nếu có), "
    "hoặc bấm «Không có ảnh»."
)
BTN_NO_RECEIPT: Final = "Không có ảnh"
RECEIPT_EXPECTED: Final = "Đồng chí gửi ảnh biên lai, hoặc bấm «Không có ảnh»."
RECEIPT_KIND: Final = "Chỉ nhận ảnh hoặc tệp tài liệu làm biên lai."
CLAIM_SENT: Final = (
    "Đã báo người thu đảng phí khoản {amount}. Khi được xác nhận, đồng chí sẽ nhận được tin."
)
ASK_REJECT_REASON: Final = "Vì sao chưa xác nhận? Chọn một lý do, hoặc gõ lý do khác."
REASON_NOT_ARRIVED: Final = "Chưa thấy tiền về tài khoản"
REASON_WRONG_AMOUNT: Final = "Số tiền nhận được không đúng"
REJECT_DONE: Final = "Đã báo lại cho đảng viên."
CONFIRM_DONE: Final = "Đã xác nhận khoản {amount}. Đảng viên sẽ nhận được tin."

# --- the month's book, its close, arrears, the member's list (services/fees/book.py) -------------
BOOK_NOT_A_CELL: Final = "Không tìm thấy chi bộ này."
BOOK_MONTH_FUTURE: Final = "Tháng {month} chưa đến; sổ đảng phí chỉ có từ tháng này trở về trước."
BOOK_MONTH_BEFORE_FEES: Final = (
    "Tháng {month} chưa áp dụng Quy định 01-QĐ/TW; sổ đảng phí bắt đầu từ tháng {first}."
)
BOOK_ALREADY_CLOSED: Final = "Sổ đảng phí tháng {month} đã được đồng chí {name} chốt lúc {when}."
BOOK_SOMEONE: Final = "(không rõ)"
BOOK_STATES: Final = {
    "paid": "Đã nộp",
    "claimed": "Chờ xác nhận",
    "owed": "Chưa nộp",
    "partial": "Nộp thiếu",
    "exempt": "Miễn",
    "no_basis": "Chưa có diện đảng phí",
    "moved": "Đã chuyển khỏi chi bộ",
}
BOOK_BASES: Final = {
    "bhxh": "Có BHXH (1 % lương)",
    "tro_cap": "Trợ cấp ốm đau, thai sản",
    "huu_tri": "Lương hưu",
    "khong_bhxh": "Không BHXH",
    "khong_bhxh_cao_tuoi": "Không BHXH, cao tuổi",
    "hoc_sinh": "Học sinh, sinh viên",
    "mien": "Miễn",
}
BOOK_METHODS: Final = {
    "cash": "Tiền mặt",
    "transfer": "Chuyển khoản",
    "portal": "Cổng dịch vụ công",
}
BOOK_EXEMPTIONS: Final = {
    "tuoi_dang_50": "50 năm tuổi Đảng",
    "huu_tri_xa_hoi": "trợ cấp hưu trí xã hội",
    "ho_ngheo": "hộ nghèo, cận nghèo",
    "benh_hiem_ngheo": "bệnh hiểm nghèo",
}
BOOK_NOTE_EXEMPT_REASON: Final = "Miễn: {reason}"
BOOK_NOTE_REDUCTION: Final = "Giảm {percent} %: {reason}"
BOOK_NOTE_MISSING_INCOME: Final = "Thiếu thu nhập làm căn cứ"
BOOK_NOTE_MISSING_REGION: Final = "Thiếu vùng lương tối thiểu"
BOOK_NOTE_CLAIM: Final = "Báo đã nộp {amount}, chờ xác nhận"
BOOK_NOTE_ARREARS: Final = "Còn nợ tháng {months}"
BOOK_NOTE_AHEAD: Final = "Đã nộp trước đến tháng {month}"
BOOK_NOTE_EXTRA: Final = "Đóng thêm tự nguyện {amount}"
BOOK_NOTE_MOVED: Final = "Đã chuyển khỏi chi bộ"
BOOK_XLSX_SHEET_MEMBERS: Final = "Sổ đảng phí"
BOOK_XLSX_SHEET_SUMMARY: Final = "Tổng hợp"
BOOK_XLSX_TITLE: Final = "Sổ thu đảng phí tháng {month} — {cell}"
BOOK_XLSX_HEADERS: Final = (
    "STT",
    "Mã đảng viên",
    "Họ và tên",
    "Diện",
    "Căn cứ (đ)",
    "Phải nộp (đ)",
    "Đã nộp cho tháng (đ)",
    "Thu trong tháng (đ)",
    "Ngày nộp",
    "Hình thức",
    "Ghi chú",
)
BOOK_XLSX_TOTAL: Final = "Cộng"
BOOK_XLSX_CELL: Final = "Chi bộ"
BOOK_XLSX_MONTH: Final = "Tháng"
BOOK_XLSX_MEMBERS: Final = "Số đảng viên"
BOOK_XLSX_EXPECTED: Final = "Phải nộp trong tháng (đ)"
BOOK_XLSX_COVERED: Final = "Đã nộp cho tháng (đ)"
BOOK_XLSX_RATE: Final = "Tỷ lệ đã nộp"
BOOK_XLSX_RECEIVED: Final = "Thu trong tháng (đ), gồm nợ cũ, nộp trước, tự nguyện"
BOOK_XLSX_VOLUNTARY: Final = "Trong đó đóng thêm tự nguyện (đ)"
BOOK_XLSX_KEPT: Final = "{unit} giữ lại {rate} (đ)"
BOOK_XLSX_REMIT: Final = "Nộp lên cấp trên (đ)"
BOOK_XLSX_CLOSED: Final = "Chốt sổ"
BOOK_XLSX_CLOSED_BY: Final = "{when}, đồng chí {name}"
BOOK_XLSX_NOT_CLOSED: Final = "Chưa chốt"
BOOK_XLSX_CLOSED_EXPECTED: Final = "Khi chốt: phải nộp (đ)"
BOOK_XLSX_CLOSED_RECEIVED: Final = "Khi chốt: đã thu (đ)"
BOOK_XLSX_CLOSED_REMIT: Final = "Khi chốt: nộp lên cấp trên (đ)"
BOOK_XLSX_MADE_AT: Final = "Lập lúc"
ARREARS_NOTE: Final = "Đồng chí {name} chưa nộp đảng phí {count} tháng: {months}."
ARREARS_TALK: Final = "Đề nghị gặp gỡ, nhắc nhở đồng chí."
ARREARS_REMOVAL: Final = (
    "Theo Điều lệ Đảng (Điều 8), không đóng đảng phí {months} tháng trong năm mà không có lý do "
    "chính đáng thì chi bộ xem xét, đề nghị xóa tên."
)
TODO_DUES: Final = "Đóng đảng phí tháng {month}: {amount}"
TODO_DUES_MORE: Final = "Đóng đảng phí tháng {month} và {count} tháng trước: {amount}"

# --- the collector's conversation, /dangphi_quanly (handlers/fees_manage.py) -----------------------
MG_CHOOSE_CELL: Final = "Đồng chí thu đảng phí cho chi bộ nào?"
MG_MENU_TITLE: Final = "📒 Đảng phí {cell} – tháng {month}"
MG_MENU_COUNTS: Final = "✅ Đã nộp: {paid} · ⏳ Chờ xác nhận: {waiting} · ❌ Còn nợ: {owed}"
MG_MENU_MONEY: Final = "Đã thu {covered} / {expected} phải thu tháng này."
MG_MENU_RECEIVED: Final = "Tiền nhận trong tháng: {received}."
MG_MENU_EXEMPT: Final = "Không phải nộp (miễn): {count} đồng chí."
MG_MENU_NO_BASIS: Final = "Chưa có diện đảng phí: {count} đồng chí."
MG_MENU_CLOSED: Final = "Sổ tháng {month} đã chốt."
MG_M_LIST: Final = "📋 Danh sách tháng này"
MG_M_MANY: Final = "💵 Thu tiền mặt nhiều người"
MG_M_CLAIMS: Final = "⏳ Chờ xác nhận ({count})"
MG_M_REMIND: Final = "🔔 Nhắc nộp"
MG_M_PAYEE: Final = "🏦 Tài khoản nhận tiền"
MG_M_CLOSE: Final = "📕 Chốt sổ tháng"
MG_M_COLLECTOR: Final = "👤 Người thu"
MG_FINISHED: Final = "Đã xong. Khi cần, đồng chí gõ /dangphi_quanly."
MG_BACK: Final = "◂ Quay lại"
MG_BACK_MENU: Final = "◂ Về mục thu đảng phí"
MG_BACK_LIST: Final = "◂ Về danh sách"
MG_LIST: Final = "Danh sách tháng {month}. Chọn một đồng chí để xem và thu:"
MG_LIST_EMPTY: Final = "Chi bộ chưa có đảng viên nào."
MG_LIST_LINE: Final = "{name}: {state}"
MG_STATE_PAID: Final = "✅"
MG_STATE_WAITING: Final = "⏳"
MG_STATE_OWED: Final = "❌ còn {owed}"
MG_STATE_NO_BASIS: Final = "chưa có diện"
MG_STATE_INCOMPLETE: Final = "diện còn thiếu"
MG_MEMBER_TITLE: Final = "👤 {name} ({code})"
MG_MEMBER_NO_BASIS: Final = "Chưa có diện đảng phí. Chọn «Diện đảng phí» để đặt."
MG_MEMBER_INCOMPLETE: Final = (
    "Diện đảng phí còn thiếu thu nhập hoặc vùng lương. Chọn «Diện đảng phí» để bổ sung."
)
MG_ARREAR: Final = "{month} ({owed})"
MG_MEMBER_ARREARS: Final = "Các tháng trước còn nợ: {months}"
MG_CLAIM_LINE: Final = "⏳ Báo đã nộp {amount} ngày {day} ({method}), chờ xác nhận."
MG_CASH: Final = "💵 Ghi nhận tiền mặt"
MG_CLAIM_OK_AMOUNT: Final = "✅ Xác nhận {amount}"
MG_CLAIM_NO_AMOUNT: Final = "❌ Không đúng ({amount})"
MG_FIX: Final = "✏️ Sửa số tiền"
MG_BASIS: Final = "📝 Diện đảng phí"
MG_REDUCE: Final = "➖ Giảm đảng phí"
MG_ASK_CASH: Final = (
    "Đồng chí {name} còn nợ {owed} (tháng {months}).\n"
    "Chọn số tiền đã nhận, hoặc gõ số khác, ví dụ 80000."
)
MG_ASK_CASH_NOTHING_OWED: Final = (
    "Đồng chí {name} đã nộp đủ đến tháng này.\n"
    "Nếu nộp trước hoặc đóng thêm, đồng chí gõ số tiền, ví dụ 80000."
)
MG_CASH_OWED: Final = "Đủ {amount}"
MG_OWED_CHANGED: Final = "Số còn nợ vừa thay đổi; đồng chí xem lại số tiền."
MG_AMOUNT_FORMAT: Final = "Số tiền viết bằng số, ví dụ 80000, 80.000 hoặc 80k."
MG_ASK_OVER: Final = "Số tiền {amount} nhiều hơn số còn nợ ({owed}). Phần dư tính thế nào?"
MG_OVER_AHEAD: Final = "Nộp trước các tháng sau"
MG_OVER_VOLUNTARY: Final = "Đóng thêm tự nguyện"
MG_AMOUNT_AGAIN: Final = "✏️ Sửa lại số tiền"
MG_LARGE_YES: Final = "✅ Đúng, ghi nhận"
MG_CASH_DONE: Final = "✅ Đã ghi nhận {amount} tiền mặt của đồng chí {name}, cho tháng: {months}."
MG_CASH_EXTRA: Final = "Trong đó {extra} là phần đóng thêm tự nguyện."
MG_NO_CLAIMS: Final = "Không có khoản nào đang chờ xác nhận."
MG_CLAIMS: Final = "Có {count} khoản đang chờ xác nhận. Chọn một khoản:"
MG_CLAIMS_LINE: Final = "{name}: {amount}, {day}, {method}"
MG_CLAIM: Final = (
    "Đồng chí {name} ({code}) báo đã nộp {amount} ngày {day}, qua {method}.\n"
    "Đồng chí kiểm tra rồi xác nhận."
)
MG_CLAIM_OK: Final = "✅ Xác nhận"
MG_CLAIM_NO: Final = "❌ Không đúng"
MG_ASK_FIX: Final = "Sửa số tiền của khoản nào?"
MG_FIX_NONE: Final = "Đồng chí này chưa có khoản nộp nào để sửa."
MG_ASK_FIX_AMOUNT: Final = (
    "Khoản ngày {day} đang ghi {amount}. Đồng chí gõ số tiền đúng, ví dụ 80000:"
)
MG_FIX_DONE: Final = "✅ Đã sửa số tiền thành {amount}. Đảng viên sẽ nhận được tin."
MG_ASK_BASIS: Final = "Chọn diện đảng phí của đồng chí {name}:"
MG_INCOME_WHAT: Final[dict[str, str]] = {
    "bhxh": "tiền lương đóng bảo hiểm xã hội tháng trước",
    "tro_cap": "tiền trợ cấp ốm đau, thai sản",
    "huu_tri": "lương hưu",
}
MG_ASK_INCOME: Final = "Đồng chí gõ {what} của đồng chí {name} (số đồng), ví dụ 8000000:"
MG_INCOME_FORMAT: Final = "Thu nhập viết bằng số, lớn hơn 0, ví dụ 8000000 hoặc 8.000.000."
MG_ASK_REGION: Final = "Vùng lương tối thiểu tính cho đồng chí này:"
MG_REGION_UNIT: Final = "Theo chi bộ (vùng {region})"
MG_REGION_UNIT_NONE: Final = "Theo chi bộ (chưa đặt vùng)"
MG_REGION: Final = "Vùng {region}"
MG_ASK_EXEMPTION: Final = "Đồng chí {name} được miễn vì lý do nào?"
MG_BASIS_PREVIEW: Final = "Diện đảng phí mới của đồng chí {name}, từ tháng {month}:"
MG_PREVIEW_INCOME: Final = "Thu nhập: {income}"
MG_PREVIEW_REGION: Final = "Vùng lương: vùng {region}"
MG_PREVIEW_NO_REGION: Final = "Vùng lương: chưa đặt"
MG_PREVIEW_EXEMPTION: Final = "Lý do miễn: {reason}"
MG_PREVIEW_DUES: Final = "Mức đóng: {amount} ({text})"
MG_PREVIEW_NOT_COMPUTED: Final = "Chưa tính được mức đóng: còn thiếu vùng lương."
MG_SAVE: Final = "✅ Lưu"
MG_CHOOSE_AGAIN: Final = "✏️ Chọn lại"
MG_BASIS_SAVED: Final = "✅ Đã lưu diện đảng phí của đồng chí {name} từ tháng {month}."
MG_ASK_REDUCE: Final = (
    "Giảm đảng phí cho đồng chí {name} từ tháng này, tối đa {limit} tháng. Chọn mức giảm:"
)
MG_REDUCTION_LINE: Final = "Đang giảm {percent} % đến hết tháng {until} ({reason})."
MG_REDUCTION_CANCEL: Final = "Hủy mức giảm {percent} % (đến {until})"
MG_REDUCTION_PERCENT: Final = "Giảm {percent} %"
MG_ASK_REDUCE_MONTHS: Final = "Giảm {percent} % trong bao nhiêu tháng?"
MG_MONTHS: Final = "{months} tháng"
MG_ASK_REDUCE_REASON: Final = "Đồng chí gõ lý do giảm (ví dụ: ốm đau dài ngày):"
MG_REDUCTION_SAVED: Final = (
    "✅ Đồng chí {name} được giảm {percent} % đảng phí từ tháng {start} đến hết tháng {until}."
)
MG_REDUCTION_CANCELLED: Final = "✅ Đã hủy mức giảm đảng phí của đồng chí {name} từ tháng này."
MG_ASK_MANY: Final = (
    "Những đồng chí còn nợ đảng phí. Chọn một người; hoặc gõ số thứ tự những người "
    "đã nộp, ví dụ: 1 3 5; hoặc chọn «Tất cả»."
)
MG_MANY_LINE: Final = "{name} – {amount}"
MG_MANY_CLAIMED: Final = " ⏳"
MG_MANY_ALL: Final = "Tất cả ({count} người)"
MG_MANY_FORMAT: Final = (
    "Đồng chí gõ số thứ tự từ 1 đến {count}, cách nhau bằng dấu cách, ví dụ: 1 3 5."
)
MG_MANY_PREVIEW: Final = "Ghi nhận tiền mặt của {count} đồng chí:"
MG_MANY_PREVIEW_LINE: Final = "• {name}: {amount} (tháng {months})"
MG_MANY_TOTAL: Final = "Tổng cộng: {total}"
MG_MANY_YES: Final = "✅ Ghi nhận đã thu"
MG_MANY_DONE: Final = "✅ Đã ghi nhận tiền mặt của {count} đồng chí, tổng {total}:"
MG_MANY_PAID_LINE: Final = "• {name}: {amount}"
MG_MANY_SKIPPED: Final = "Không ghi nhận:"
MG_MANY_SKIPPED_LINE: Final = "• {name}: {reason}"
MG_ASK_REMIND: Final = "Gửi tin nhắc tới {count} đồng chí còn nợ đảng phí (tổng {total})?"
MG_REMIND_YES: Final = "🔔 Gửi nhắc"
MG_REMIND_DONE: Final = "✅ Đã gửi tin nhắc tới {count} đồng chí."
MG_REMIND_UNREACHABLE: Final = (
    "{count} đồng chí chưa kết nối bot nên không nhận được tin; đồng chí nhắc trực tiếp giúp."
)
MG_PAYEE_NONE: Final = "Chi bộ chưa có tài khoản nhận đảng phí; đảng viên chỉ nộp được tiền mặt."
MG_PAYEE_CURRENT: Final = "Tài khoản nhận đảng phí hiện nay:"
MG_PAYEE_DETAILS: Final = "Ngân hàng: {bank}\nSố tài khoản: {account}\nChủ tài khoản: {holder}"
MG_PAYEE_PERSONAL: Final = "Đây là tài khoản cá nhân của người thu đảng phí."
MG_PAYEE_OF_CELL: Final = "Đây là tài khoản của chi bộ."
MG_PAYEE_INHERITED: Final = "Tài khoản do {unit} đặt, chi bộ dùng chung."
MG_PAYEE_SET: Final = "🏦 Đặt tài khoản"
MG_PAYEE_CLEAR: Final = "🗑 Bỏ tài khoản"
MG_ASK_PAYEE_CLEAR: Final = (
    "Bỏ tài khoản của chi bộ? Sau đó đảng viên chuyển vào tài khoản của cấp trên "
    "(nếu có), hoặc nộp tiền mặt."
)
MG_PAYEE_CLEAR_YES: Final = "🗑 Bỏ tài khoản"
MG_PAYEE_CLEARED: Final = "✅ Đã bỏ tài khoản nhận đảng phí của chi bộ."
MG_ASK_BANK: Final = "Đồng chí gõ tên ngân hàng (một phần cũng được), ví dụ: Vietinbank, BIDV:"
MG_BANK_NONE: Final = "Không tìm thấy ngân hàng nào khớp với «{typed}». Đồng chí gõ tên khác."
MG_ASK_BANK_PICK: Final = "Tìm thấy {count} ngân hàng. Đồng chí chọn đúng ngân hàng:"
MG_BANK_AGAIN: Final = "✏️ Gõ lại tên"
MG_ASK_ACCOUNT: Final = "Ngân hàng: {bank}.\nĐồng chí gõ số tài khoản (chỉ gồm chữ số):"
MG_ASK_HOLDER: Final = "Đồng chí gõ tên chủ tài khoản, như in trên thẻ ngân hàng:"
MG_ASK_WHOSE: Final = "Đây là tài khoản của ai?"
MG_WHOSE_CELL: Final = "Tài khoản của chi bộ"
MG_WHOSE_MINE: Final = "Tài khoản cá nhân của tôi"
MG_PAYEE_PREVIEW: Final = "Đồng chí kiểm tra lại tài khoản:"
MG_PAYEE_CHECK: Final = "Đảng viên sẽ chuyển đảng phí vào tài khoản này. Đúng thì bấm «Lưu»."
MG_PAYEE_AGAIN: Final = "✏️ Nhập lại"
MG_PAYEE_SAVED: Final = "✅ Đã lưu tài khoản nhận đảng phí."
MG_ASK_CLOSE: Final = "Chốt sổ đảng phí tháng nào?"
MG_CLOSE_MONTH: Final = "Tháng {month}"
MG_CLOSE_PREVIEW: Final = "Sổ đảng phí {cell} – tháng {month}:"
MG_CLOSE_TOTALS: Final = (
    "Phải thu: {expected}\nĐã thu của tháng: {covered}\nTiền nhận trong tháng: {received}"
)
MG_CLOSE_SHARE: Final = "{unit} giữ lại: {amount}"
MG_CLOSE_REMIT: Final = "Nộp lên cấp trên: {remit}"
MG_CLOSE_WARNING: Final = "Sau khi chốt, tiền nhận thêm được ghi vào sổ tháng sau."
MG_CLOSE_YES: Final = "📕 Chốt sổ"
MG_CLOSED: Final = "✅ Đã chốt sổ tháng {month}. Nộp lên cấp trên: {remit}. Sổ gửi kèm."
MG_COLLECTOR_CURRENT: Final = (
    "Người thu đảng phí hiện nay: đồng chí {name}. Chọn người khác, hoặc bỏ:"
)
MG_COLLECTOR_NONE: Final = "Chi bộ chưa giao người thu đảng phí (bí thư thu). Chọn một đồng chí:"
MG_COLLECTOR_MARK: Final = " (đang thu)"
MG_COLLECTOR_REMOVE: Final = "Bỏ người thu"
MG_COLLECTOR_REMOVED: Final = "✅ Đã bỏ người thu đảng phí; bí thư chi bộ thu."
MG_COLLECTOR_SET: Final = "✅ Đã giao đồng chí {name} thu đảng phí của chi bộ."

# --- later additions ----------------------------------------------------------------------------
COLLECTOR_NAMED: Final = (
    "Đồng chí được bí thư giao thu đảng phí của {cell}. Gõ /dangphi_quanly để ghi nhận, "
    "xác nhận các khoản nộp và chốt sổ."
)
COLLECTOR_ENDED: Final = (
    "Đồng chí không còn được giao thu đảng phí của {cell}. Xin cảm ơn đồng chí."
)
BOOK_CLOSED_CORRECT: Final = (
    "Sổ đảng phí tháng {month} đã chốt, không sửa được khoản này. Đồng chí ghi một khoản "
    "điều chỉnh trong tháng này."
)
SKIPPED_MOVED: Final = "{n} đảng viên không còn trong chi bộ nên không ghi."
FIGURE_DUES: Final = "Đảng phí tháng này đã thu"
FIGURE_CLOSED: Final = "Chi bộ đã chốt sổ đảng phí tháng trước"
ARREARS_HEAD: Final = "🔔 Đảng phí chưa nộp (chỉ bí thư và người thu đảng phí thấy tin này):"
CLAIM_DECIDED_LABEL: Final = "Đã xử lý"

# --- a unit above the cells: its account and region (handlers/fees_units.py) ------------------
CMD_UNITS: Final = "Tài khoản nhận đảng phí, vùng lương của đơn vị (cấp ủy)"
UN_NONE: Final = (
    "Đồng chí không là cấp ủy viên của đơn vị nào trên chi bộ, nên không có đơn vị để đặt "
    "tài khoản nhận đảng phí. Tài khoản của chi bộ do bí thư đặt trong /dangphi_quanly."
)
UN_CHOOSE_UNIT: Final = "Đồng chí đặt tài khoản nhận đảng phí và vùng lương cho đơn vị nào?"
UN_PAGE_TITLE: Final = "🏦 Đảng phí – {unit}"
UN_PAYEE_HEAD: Final = "Tài khoản nhận đảng phí:"
UN_PAYEE_NONE: Final = "Tài khoản nhận đảng phí: chưa có."
UN_PAYEE_INHERITED: Final = "Tài khoản do {unit} (cấp trên) đặt, đơn vị dùng chung."
UN_REGION: Final = "Vùng lương tối thiểu: vùng {region}."
UN_REGION_INHERITED: Final = "Vùng lương tối thiểu: vùng {region}, theo {unit} (cấp trên)."
UN_REGION_NONE: Final = "Vùng lương tối thiểu: chưa đặt."
UN_CELLS: Final = "Chi bộ trực thuộc: {total}."
UN_CELLS_NONE: Final = "Đơn vị chưa có chi bộ trực thuộc."
UN_CELLS_PAYEE: Final = "• Nộp vào tài khoản này: {count} chi bộ."
UN_CELLS_NO_PAYEE: Final = "• Chưa có tài khoản nhận đảng phí: {count} chi bộ."
UN_CELLS_REGION: Final = "• Theo vùng lương này: {count} chi bộ."
UN_CELLS_NO_REGION: Final = "• Chưa có vùng lương: {count} chi bộ."
UN_REGION_BTN: Final = "🗺 Vùng lương"
UN_OTHER_UNIT: Final = "◂ Chọn đơn vị khác"
UN_BACK_PAGE: Final = "◂ Về trang đơn vị"
UN_PAYEE_OF_UNIT: Final = (
    "Đây là tài khoản của {unit}; các chi bộ trực thuộc chưa có tài khoản riêng nộp vào đây."
)
UN_ASK_CLEAR: Final = (
    "Bỏ tài khoản của {unit}? Sau đó các chi bộ trực thuộc chưa có tài khoản riêng chuyển "
    "vào tài khoản của cấp trên (nếu có), hoặc nộp tiền mặt."
)
UN_PAYEE_CLEARED: Final = "✅ Đã bỏ tài khoản nhận đảng phí của {unit}."
UN_ASK_REGION: Final = (
    "Vùng lương tối thiểu của {unit} (các chi bộ trực thuộc chưa đặt vùng riêng theo vùng này):"
)
UN_REGION_OPTION: Final = "Vùng {region}"
UN_REGION_CURRENT: Final = "Vùng {region} (đang đặt)"
UN_REGION_CLEAR: Final = "🗑 Bỏ vùng đã đặt"
UN_REGION_SAVED: Final = "✅ Đã đặt vùng lương {region} cho {unit}."
UN_REGION_CLEARED: Final = "✅ Đã bỏ vùng lương của {unit}."
UN_FINISHED: Final = "Đã xong. Khi cần, đồng chí gõ /dangphi_donvi."
