"""The search's sentences (`/timkiem` and plain text read as a search), in Vietnamese."""

from __future__ import annotations

from typing import Final

CMD_SEARCH: Final = "Tìm chỉ đạo, nghị quyết, lịch họp, hỏi đáp… (không cần dấu)"
SEARCH_ASK: Final = (
    "Đồng chí muốn tìm gì? Gõ /timkiem và từ khóa, không cần dấu, ví dụ:\n"
    "/timkiem nghi quyet dai hoi"
)
SEARCH_TOO_SHORT: Final = (
    "Từ khóa quá ngắn: xin gõ ít nhất 2 chữ cái hoặc chữ số, ví dụ: hop chi bo."
)
SEARCH_NO_WORDS: Final = (
    "Từ khóa chỉ có ký hiệu hoặc biểu tượng: xin gõ bằng chữ, ví dụ: /timkiem lich hop."
)
SEARCH_CUT: Final = "(Từ khóa dài quá {limit} ký tự: chỉ tìm theo phần đầu.)"
SEARCH_NONE: Final = "Không tìm thấy mục nào đồng chí được xem khớp với «{query}»."
SEARCH_NONE_HINT: Final = "Thử từ khóa khác, ngắn hơn, hoặc xem /help."
SEARCH_HEADER: Final = "Kết quả cho «{query}»:"
SEARCH_HIT: Final = "{n}. [{label}] {date} – {title}"
SEARCH_HIT_SNIPPET: Final = "{n}. [{label}] {date} – {title}: {snippet}"
SEARCH_OPEN: Final = "Xem {label}"
SEARCH_PARTIAL: Final = "(Không có mục khớp mọi từ; đây là các mục khớp một phần.)"
