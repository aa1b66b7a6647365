"""The FAQ in the search (`/timkiem`), on both databases: the curated entries found without
diacritics by everyone, a published pair only under the unit it was published to, and the
items the FAQ offers the index never missing a change (imports, publications, approvals).

Why: a member who searches instead of asking (`/timkiem chuyen sinh hoat`) should land on the
cited answer too (issue 15); a secretary's answer to their cell stays their cell's.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session

from bot import features
from models import Database, Unit, UnitKind
from services.auth import Actor, load_actor
from services.faq import approval, relay
from services.faq import offers as faq_offers
from services.faq import texts as faq_texts
from services.faq.catalog import general, shipped
from services.faq.importing import import_faq
from services.identities import find_member
from services.offers import SEARCHABLE
from services.search import texts as search_texts
from services.search.query import Hit, search
from tests.faq.conftest import Chat
from tests.support import FakeClock

OWN_QUESTION = "Đảng viên đi nước ngoài có phải báo cáo chi bộ không?"
REPLY = "Có. Đồng chí báo cáo chi bộ trước khi đi và khi về, theo quy định của cấp ủy."
LABEL = faq_texts.SEARCH_LABEL
MARK = faq_texts.SEARCH_UNREVIEWED_MARK


def actor(session: Session, code: str) -> Actor:
    member = find_member(session, code)
    assert member is not None, code
    return load_actor(session, member)


def hits(db: Database, clock: FakeClock, code: str, text: str) -> list[Hit]:
    """What `code` finds for `text` with the app's wiring list (the FAQ offered)."""
    with db.session() as session:
        results = search(
            session,
            actor(session, code),
            text,
            sources=features.offers().of(SEARCHABLE),
            now=clock(),
        )
    return results.hits


def publish_for_the_office(db: Database, clock: FakeClock) -> int:
    """DV003 asks, the office's secretary answers and publishes to the cell; the entry's id."""
    with db.session() as session:
        asked = relay.ask(session, actor(session, "DV003"), OWN_QUESTION, now=clock())
        question_id = asked.question.id
        assert question_id is not None
        secretary = actor(session, "DV001")
        relay.answer(session, secretary, question_id, REPLY, now=clock())
        entry = relay.publish(
            session,
            secretary,
            question_id,
            secretary.cell_id,
            now=clock(),
            topic=faq_texts.PUBLISHED_TOPIC,
        )
        assert entry.id is not None
        return entry.id


def test_timkiem_without_diacritics_finds_the_cited_answer_and_offers_hoidap(
    chat_as: Chat,
) -> None:
    member = chat_as("DV003")
    reply = member.send("/timkiem chuyen sinh hoat").replies[0]
    lines = reply.text.splitlines()
    assert lines[0] == search_texts.SEARCH_HEADER.format(query="chuyen sinh hoat")
    transfers = {e.question for e in shipped() if e.key.startswith("chuyen-")}
    shown = [line for line in lines[1:] if line.split(" ", 1)[1].startswith(f"[{LABEL}] ")]
    assert any(f"– {MARK}{question}" in line for line in shown for question in transfers)
    offered = [(o.payload, o.label) for o in reply.options]
    opens = ("/hoidap", search_texts.SEARCH_OPEN.format(label=LABEL))
    assert opens in offered
    opened = member.send(str(offered.index(opens) + 1))  # the pick by number, as on Zalo
    assert opened.replies[0].text == faq_texts.TOPICS


def test_a_pair_published_for_one_cell_is_found_there_only(
    demo: Database, clock: FakeClock
) -> None:
    entry_id = publish_for_the_office(demo, clock)
    (found,) = [h for h in hits(demo, clock, "DV004", "di nuoc ngoai bao cao") if h.kind == "faq"]
    assert (found.ref_id, found.title, found.label) == (entry_id, OWN_QUESTION, LABEL)
    assert REPLY[:20] in found.snippet or found.snippet.startswith(REPLY[:20])
    for code in ("DV010", "DV011"):  # the schools' cell: not theirs (curated answers may be)
        found_there = hits(demo, clock, code, "di nuoc ngoai bao cao")
        assert OWN_QUESTION not in [h.title for h in found_there], code
        assert entry_id not in [h.ref_id for h in found_there if h.kind == "faq"], code
    # The curated answers are everyone's, in both cells.
    for code in ("DV004", "DV010"):
        assert any(h.kind == "faq" for h in hits(demo, clock, code, "mien dong dang phi"))


def test_an_approval_removes_the_mark_at_the_next_refresh(demo: Database, clock: FakeClock) -> None:
    first = hits(demo, clock, "DV003", "mien dong dang phi")[0]
    assert first.title.startswith(MARK)
    key = next(e.key for e in shipped() if e.question == first.title.removeprefix(MARK))
    with demo.session() as session:
        entry = approval.current(session, key)
        assert entry is not None
        approval.approve(session, actor(session, "DV016"), key, entry.digest, now=clock())
    clock.advance(minutes=1)
    again = hits(demo, clock, "DV003", "mien dong dang phi")[0]
    assert (again.ref_id, again.title) == (first.ref_id, first.title.removeprefix(MARK))


def test_the_ids_of_the_curated_entries_are_distinct_negative_integers() -> None:
    ids = {faq_offers.ref_id(e.key) for e in shipped()}
    assert len(ids) == len(shipped())
    assert all(-(2**31) <= i < 0 for i in ids)


def actor_cell(db: Database, code: str) -> int:
    with db.session() as session:
        return actor(session, code).cell_id


def keys_of(db: Database, since: datetime | None) -> list[str]:
    """The items the FAQ offers as changed since `since`, by title (published: "hd-…")."""
    with db.session() as session:
        titles = {e.question: e.key for e in general(session)}
        return sorted(
            titles.get(item.title.removeprefix(MARK), f"pub-{item.ref_id}")
            for item in faq_offers.faq_items(session, since)
        )


def test_items_changed_since_miss_no_import_publication_or_approval(
    demo: Database, clock: FakeClock, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    everything = sorted(e.key for e in shipped())
    assert keys_of(demo, None) == everything
    # This process (its curated file) started before the index's last refresh.
    monkeypatch.setattr(faq_offers, "STARTED", clock() - timedelta(days=1))
    since = clock()
    assert keys_of(demo, since) == []

    clock.advance(minutes=1)
    approved = shipped()[0].key
    with demo.session() as session:
        entry = approval.current(session, approved)
        assert entry is not None
        approval.approve(session, actor(session, "DV016"), approved, entry.digest, now=clock())
    clock.advance(minutes=1)
    replaced = shipped()[1]
    csv = tmp_path / "faq.csv"
    csv.write_text(
        "id,chu_de,cau_hoi,tra_loi,nguon\n"
        f'{replaced.key},hop,"{replaced.question}",Trả lời của tỉnh.,Hướng dẫn của tỉnh\n'
        "tinh-01,hop,Tỉnh có mẫu biên bản họp chi bộ không?,Có: xin hỏi văn phòng.,Văn phòng\n",
        encoding="utf-8",
    )
    with demo.session() as session:
        import_faq(session, csv, now=clock())
    clock.advance(minutes=1)
    published = publish_for_the_office(demo, clock)
    assert keys_of(demo, since) == sorted([approved, replaced.key, "tinh-01", f"pub-{published}"])
    with demo.session() as session:
        by_ref = {i.ref_id: i for i in faq_offers.faq_items(session, since)}
    assert by_ref[faq_offers.ref_id(replaced.key)].body.startswith("Trả lời của tỉnh.")
    assert by_ref[faq_offers.ref_id(approved)].title == shipped()[0].question  # no mark now
    assert by_ref[published].unit_ids == (actor_cell(demo, "DV003"),)
    assert keys_of(demo, clock()) == []

    # A process started after `since` (a new release) offers every entry again; so does a new
    # root unit of the tree, which reads them all.
    monkeypatch.setattr(faq_offers, "STARTED", clock() + timedelta(seconds=1))
    assert len(keys_of(demo, clock())) == len(everything) + 1  # and tinh-01
    monkeypatch.setattr(faq_offers, "STARTED", clock() - timedelta(days=1))
    clock.advance(minutes=1)
    since = clock()
    clock.advance(minutes=1)
    with demo.session() as session:
        root = Unit(name="Đảng bộ mới", kind=UnitKind.UPPER_COMMITTEE, path="/moi")
        root.created_at = clock()
        session.add(root)
    with demo.session() as session:
        items = list(faq_offers.general_items(session, since))
        roots = faq_offers.root_units(session)
    assert len(items) == len(everything) + 1 and len(roots) == 2
    assert all(item.unit_ids == roots for item in items)


def test_hoidap_label_and_opening_command_are_declared() -> None:
    (searchable,) = [s for s in features.offers().of(SEARCHABLE) if s.kind == faq_offers.KIND]
    assert (searchable.label, faq_offers.OPENS) == (LABEL, "/hoidap")
