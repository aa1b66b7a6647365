"""The search's sentences (`/timkiem` and plain text read as a search), in Vietnamese."""

from __future__ import annotations

CMD_SEARCH = "Tìm kiếm chỉ đạo, nghị quyết, lịch họp, nhiệm vụ"
SEARCH_ASK = (
    "Đồng chí muốn tìm gì? Gõ /timkiem và từ khóa, không cần dấu, ví dụ:\n"
    "/timkiem nghi quyet dai hoi"
)
SEARCH_TOO_SHORT = "Từ khóa quá ngắn: xin gõ ít nhất 2 chữ cái hoặc chữ số, ví dụ: hop chi bo."
SEARCH_NO_WORDS = (
    "Từ khóa chỉ có ký hiệu hoặc biểu tượng: xin gõ bằng chữ, ví dụ: /timkiem lich hop."
)
SEARCH_CUT = "(Từ khóa dài quá {limit} ký tự: chỉ tìm theo phần đầu.)"
SEARCH_NONE = "Không tìm thấy mục nào đồng chí được xem khớp với «{query}»."
SEARCH_NONE_HINT = "Thử từ khóa khác, ngắn hơn, hoặc xem /help."
SEARCH_HEADER = "Kết quả cho «{query}»:"
SEARCH_HIT = "{n}. [{label}] {date} – {title}"
SEARCH_HIT_SNIPPET = "{n}. [{label}] {date} – {title}: {snippet}"
SEARCH_OPEN = "Xem {label}"
SEARCH_PARTIAL = "(Không có mục khớp mọi từ; đây là các mục khớp một phần.)"
