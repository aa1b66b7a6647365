"""The library's numbers, kinds and buttons, in one place (docs/library.md)."""

from __future__ import annotations

from services.buttons import ButtonId

# The kinds of document, by key (stored) and Vietnamese label (shown), in menu order.
KINDS: dict[str, str] = {
    "nghi_quyet": "Nghị quyết",
    "chi_thi": "Chỉ thị",
    "quy_dinh": "Quy định",
    "huong_dan": "Hướng dẫn",
    "ket_luan": "Kết luận",
    "noi_bo": "Văn bản nội bộ",
}
# What a cell's secretary may publish for the cell: its own papers only. The Party's documents
# come from a committee, which is who can vouch for the copy.
INTERNAL = "noi_bo"

NUMBER_MAX_CHARS = 64
ISSUER_MAX_CHARS = 200
TITLE_MAX_CHARS = 300
SUMMARY_MAX_CHARS = 1500
SUMMARY_MIN_CHARS = 10
# A link given instead of a file.
LINK_MAX_CHARS = 500
# Telegram lets a bot fetch files of up to 20 MB; a larger one could never be re-sent.
FILE_MAX_BYTES = 20 * 1024 * 1024
FILE_EXTENSIONS = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".jpg", ".jpeg", ".png")
# The content types a channel may report for those (a missing one is judged by the name).
FILE_MIME_TYPES = frozenset(
    {
        "application/pdf",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.ms-excel",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "image/jpeg",
        "image/png",
    }
)
# Lists read "the newest first", this many at most (a page holds `flowkit.PAGE_SIZE`).
LIST_LIMIT = 200
# Typed words: at most this many are matched.
SEARCH_MAX_WORDS = 8

# A document opened from a message (stateless): `lib_doc:{document}`.
OPEN = ButtonId("lib_doc")
# What the outbox calls a document sent on request.
DELIVERY_KIND = "library_document"
