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
