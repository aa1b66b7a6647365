"""The shipped FAQ's integrity, and matching without diacritics (no database)."""

from __future__ import annotations

from services.faq.catalog import Catalog, Entry, best, shipped, shipped_topics, words
from services.faq.rules import DEFAULT_FAQ_RULES


def test_the_shipped_file_has_enough_sourced_short_entries_with_unique_ids() -> None:
    entries = shipped()
    assert len(entries) >= 40
    keys = [e.key for e in entries]
    assert len(keys) == len(set(keys))
    for e in entries:
        assert e.question and e.answer and e.source.strip(), e.key
        assert len(e.answer) <= DEFAULT_FAQ_RULES.max_answer_chars, e.key
        assert len(e.key) <= DEFAULT_FAQ_RULES.id_max_chars, e.key
        assert e.topic in shipped_topics().values(), e.key
    # Every topic the issue names has its questions.
    assert {e.key.split("-")[0] for e in entries} >= {
        "hop", "phi", "ketnap", "chuyen", "danhgia", "kyluat", "hoctap"
    }  # fmt: skip
    # Nothing is approved in the file: approvals are recorded in the database.
    assert not any(e.reviewed for e in entries)


def test_the_answers_agree_with_the_domain_brief() -> None:
    by_key = {e.key: e for e in shipped()}
    assert "12 tháng" in by_key["ketnap-04"].answer
    assert "1%" in by_key["phi-01"].answer and "0,5%" in by_key["phi-01"].answer
    assert "5.000" in by_key["phi-01"].answer
    assert "ba tháng" in by_key["kyluat-01"].answer and "Điều 8" in by_key["kyluat-01"].source
    assert "90" in by_key["danhgia-01"].answer and "366-QĐ/TW" in by_key["danhgia-01"].source
    assert "05-CT/TW" in by_key["hoctap-01"].source
    # The five answers corrected against the sources (docs/faq.md, "Corrections").
    assert "quyết định kết nạp" in by_key["ketnap-07"].answer
    assert "quá nửa" in by_key["hop-05"].answer and "hai phần ba" not in by_key["hop-05"].answer
    assert "hai phần ba" in by_key["kyluat-04"].answer and "Điều 8" in by_key["kyluat-04"].source
    transfer = by_key["chuyen-04"].answer
    assert "hết tháng" in transfer and "thỏa thuận" not in transfer
    assert "6 tháng" in by_key["chuyen-05"].answer and "213-QĐ/TW" in by_key["chuyen-05"].source


def test_a_question_typed_without_diacritics_finds_the_transfer_entries() -> None:
    found = best("chuyen sinh hoat dang")
    assert found and found[0].entry.key.startswith("chuyen-")
    assert len(found) <= 3
    assert all(0 < m.score <= 1 for m in found)
    assert best("Chuyển sinh hoạt đảng TẠM THỜI")[0].entry.key == "chuyen-02"
    assert best("dang phi bao nhieu")[0].entry.key == "phi-01"
    assert best("mien dong dang phi")[0].entry.key == "phi-03"
    assert best("xoa ten")[0].entry.key.startswith("kyluat-")


def test_nothing_is_better_than_a_wrong_answer() -> None:
    assert best("giá xăng hôm nay") == []
    assert best("") == []
    assert best("🙂🙂🙂") == []
    assert best("là gì thế nào") == []  # stop words only
    assert best("\" * NEAR : ' ; DROP TABLE") == []
    assert len(best("chuyen sinh hoat dang " * 1000)) <= 3  # a 22,000-character question


def test_stop_words_and_single_letters_do_not_count() -> None:
    assert words("Đảng viên là gì?") == ["dang", "vien"]
    assert words("Chi bộ dự bị, bí thư") == ["chi", "bo", "du", "bi", "bi", "thu"]


def test_a_few_hundred_entries_rank_the_same_as_the_shipped_ones() -> None:
    """Eight copies of every entry: the best answers are copies of the shipped best, in the same
    order. (How fast matching is, is measured in bench/bench_faq.py, not asserted here.)"""
    base = list(shipped())
    many = [
        Entry(f"{e.key}-{i}", e.topic, e.question, e.answer, e.source)
        for i in range(8)
        for e in base
    ]
    question = "chuyển sinh hoạt đảng tạm thời khi đi học"
    best_shipped = Catalog(base).best(question, n=1)
    assert best_shipped
    found = Catalog(many).best(question, n=8)
    assert {hit.entry.key.rsplit("-", 1)[0] for hit in found} == {best_shipped[0].entry.key}
