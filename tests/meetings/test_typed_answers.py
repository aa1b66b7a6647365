"""Words typed where numbered options are offered are not lost.

Why: "Con ốm phải đưa đi viện" typed at the reason menu, "2 tiếng" at the length options and a
new place where the last place is offered were all thrown away with "chọn một số". Now the
words are the answer where the step has a typed form ("Lý do khác…", "Giờ khác…", "Địa điểm
khác…"); elsewhere they are quoted back with the question and its options again. Through the
real core on SQLite and PostgreSQL; the reason on Zalo-style numbered options (terminal) and
the secretary's steps on Telegram.
"""

from __future__ import annotations

from models import Database
from services import texts
from services.meetings import texts as meeting_texts
from tests.meetings.test_flow_meetings import meetings, schedule_via_chat
from tests.test_numbered_questions import take
from tests.test_zalo_month import answer_of


def test_a_reason_typed_at_the_reason_menu_is_the_reason(demo: Database, chat_as, clock) -> None:
    member, secretary = chat_as("DV003"), chat_as("DV001")
    schedule_via_chat(secretary)
    take(demo, member, clock)
    member.send(meeting_texts.MTG_ANSWER_NO)  # by its words, as a member would
    assert meeting_texts.FLOW_REASON_OTHER in [o.label for o in member.options()]
    member.send("Con ốm phải đưa đi viện")
    assert answer_of(demo, "DV003") == ("xin_vang", "Con ốm phải đưa đi viện")


def test_a_length_typed_at_the_length_options(demo: Database, chat_as) -> None:
    secretary = chat_as("DV001", channel="telegram")
    secretary.send("/hop")
    secretary.press("Thường kỳ")
    secretary.send("19/12 14:00")
    secretary.send("2 tiếng")  # not one of the offered lengths' labels
    assert "14:00–16:00" in secretary.text  # read back with its end
    assert meeting_texts.FLOW_MTG_ASK_PLACE in secretary.text


def test_a_new_place_typed_where_the_last_place_is_offered(demo: Database, chat_as) -> None:
    secretary = chat_as("DV001")
    schedule_via_chat(secretary, "10/12 14:00", place="Hội trường tầng 2")
    secretary.send("/hop")
    secretary.press("Chuyên đề")
    secretary.send("Chuyển đổi số")
    secretary.send("20/12 8h")
    secretary.send("1")
    assert "Hội trường tầng 2" in [o.label for o in secretary.options()]
    secretary.send("Phòng họp tầng 5")
    secretary.press("Giữ chương trình")
    secretary.send("1")  # no documents
    secretary.press("Gửi thông báo")
    assert [m.place for m in meetings(demo)] == ["Hội trường tầng 2", "Phòng họp tầng 5"]


def test_words_that_fit_no_option_are_quoted_back_with_the_options(demo: Database, chat_as) -> None:
    secretary = chat_as("DV001")
    secretary.send("/hop")
    kinds = [o.label for o in secretary.options()]
    secretary.send("họp chi bộ tháng này")
    assert "“họp chi bộ tháng này”" in secretary.text
    assert [o.label for o in secretary.options()] == kinds  # asked again, same options
    secretary.send("9")
    assert secretary.text == texts.CHOOSE_NUMBER.format(count=len(kinds))
    secretary.send("1")  # the first kind: the flow goes on to the date
    assert secretary.text == meeting_texts.FLOW_MTG_ASK_WHEN
    assert meetings(demo) == []


def test_a_digit_is_still_a_choice_at_a_step_with_a_typed_form(demo: Database, chat_as) -> None:
    """ "5" at the length options is not read as five minutes: it is an option number."""
    secretary = chat_as("DV001")
    secretary.send("/hop")
    secretary.press("Thường kỳ")
    secretary.send("19/12 14:00")
    count = len(secretary.options())
    secretary.send("9")
    assert secretary.text == texts.CHOOSE_NUMBER.format(count=count)
    secretary.send("1")
    assert meeting_texts.FLOW_MTG_ASK_PLACE in secretary.text
