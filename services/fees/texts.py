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
ARREARS_NOTE: Final = "🔒 Đồng chí {name} chưa nộp đảng phí {count} tháng: {months}."
ARREARS_TALK: Final = "Đề nghị gặp gỡ, nhắc nhở đồng chí."
ARREARS_REMOVAL: Final = (
    "Theo Điều lệ Đảng (Điều 8), không đóng đảng phí {months} tháng trong năm mà không có lý do "
    "chính đáng thì chi bộ xem xét, đề nghị xóa tên."
)
TODO_DUES: Final = "Đóng đảng phí tháng {month}: {amount}"
TODO_DUES_MORE: Final = "Đóng đảng phí tháng {month} và {count} tháng trước: {amount}"
FIGURE_DUES: Final = "Đảng phí tháng"
