"""The document library (/tailieu): documents published for a subtree, browsed, searched,
opened, kept in "Đã lưu" (docs/library.md)."""
