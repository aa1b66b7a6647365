"""The library's part of the demo organisation (`services.offers.DEMO_DATA`): a handful of the
national documents members look up most, addressed to the demo's top unit, without files.

Summaries say only what /work/shared/DOMAIN.md states. A date that brief does not give is left
empty rather than guessed (the card says "chưa rõ"); the titles are descriptive, to be checked
against the originals before a real deployment (docs/library.md).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session

from models import LibraryDocument
from services.library.documents import folded_words
from services.org import root_units
from services.textnorm import fold_words

# kind, number, issued on, issuer, title, summary
_DOCUMENTS: tuple[tuple[str, str, date | None, str, str, str], ...] = (
    (
        "quy_dinh",
        "Điều lệ Đảng",
        None,
        "Đại hội đại biểu toàn quốc của Đảng",
        "Điều lệ Đảng Cộng sản Việt Nam",
        "Điều 8: đảng viên bỏ sinh hoạt chi bộ hoặc không đóng đảng phí ba tháng trong năm "
        "mà không có lý do chính đáng thì chi bộ xem xét, đề nghị xóa tên; việc này phải được "
        "ít nhất hai phần ba số đảng viên chính thức dự họp biểu quyết.",
    ),
    (
        "quy_dinh",
        "366-QĐ/TW",
        None,
        "Ban Chấp hành Trung ương",
        "Về kiểm điểm, đánh giá, xếp loại chất lượng tập thể, cá nhân",
        "Thay Quy định 124-QĐ/TW. Đánh giá theo quý, năm và nhiệm kỳ, thang 100 điểm: Hoàn "
        "thành xuất sắc từ 90 điểm (mọi nhiệm vụ đúng hạn, ít nhất 30% vượt mức); Hoàn thành "
        "tốt 70–89; Hoàn thành 50–69 (trễ hạn không quá 20%); Không hoàn thành dưới 50.",
    ),
    (
        "quy_dinh",
        "01-QĐ/TW",
        None,
        "Ban Chấp hành Trung ương",
        "Về chế độ đảng phí",
        "Có hiệu lực từ 01/02/2026, thay Quy định 342-QĐ/TW. Đảng phí đóng hằng tháng: có "
        "BHXH bắt buộc 1% tiền lương đóng BHXH; nghỉ hưu 0,5% lương hưu; học sinh, sinh viên "
        "5.000 đ. Miễn cho đảng viên 50 năm tuổi đảng trở lên, hộ nghèo, cận nghèo.",
    ),
    (
        "chi_thi",
        "05-CT/TW",
        date(2016, 5, 15),
        "Bộ Chính trị",
        "Về đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
        "Mỗi tháng chi bộ sinh hoạt một chuyên đề học tập và làm theo Bác; mỗi đảng viên "
        "đăng ký làm theo hằng năm và tự kiểm điểm việc làm theo vào cuối năm.",
    ),
    (
        "ket_luan",
        "01-KL/TW",
        date(2021, 5, 18),
        "Bộ Chính trị",
        "Về tiếp tục thực hiện Chỉ thị 05-CT/TW",
        "Tiếp tục học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh theo Chỉ thị "
        "05-CT/TW: chuyên đề hằng tháng trong sinh hoạt chi bộ, bản đăng ký làm theo của mỗi "
        "đảng viên, nêu gương điển hình ở cơ sở.",
    ),
    (
        "huong_dan",
        "42-HD/BTCTW",
        None,
        "Ban Tổ chức Trung ương",
        "Về sinh hoạt chi bộ",
        "Chi bộ sinh hoạt thường kỳ mỗi tháng một lần, ít nhất 90 phút (120 phút khi kết hợp "
        "chuyên đề); sinh hoạt chuyên đề ít nhất mỗi quý một lần. Tài liệu gửi đảng viên "
        "trước ít nhất một ngày. Trình tự: khai mạc, điểm danh, nội dung, bế mạc và biểu "
        "quyết nghị quyết.",
    ),
)


def seed(session: Session, now: datetime) -> None:
    """Add the documents to the first top unit (none when there is no organisation)."""
    roots = root_units(session)
    if not roots or roots[0].id is None:
        return
    for kind, number, issued_on, issuer, title, summary in _DOCUMENTS:
        session.add(
            LibraryDocument(
                unit_id=roots[0].id,
                kind=kind,
                number=number,
                number_key=fold_words(number)[:64],
                issued_on=issued_on,
                issuer=issuer,
                title=title,
                summary=summary,
                folded=folded_words(kind, number, title, issuer),
                published_at=now,
                updated_at=now,
            )
        )
    session.flush()
