"""The local terminal as a channel: what the outbox holds for a member is shown at their next
prompt, and its options are answered with the digit, as on Zalo.

`sotay chat --as DV003` in one window and `--as DV001` in another play a cell on one machine;
here the secretary speaks through the core and the member through `run_chat` itself.
"""

from __future__ import annotations

import io
from pathlib import Path

from sqlmodel import select

from bot.terminal import open_local_chat, run_chat
from handlers.core import Core
from models import Database, Delivery, DeliveryStatus, Directive
from services import outbox, texts
from services.directives import texts as directive_texts
from services.identities import find_member
from tests.directives.test_flow_directives import acknowledged_codes, compose
from tests.support import FakeClock
from tests.test_zalo_month import DIRECTIVE


def acknowledged_by(db: Database) -> set[str]:
    with db.session() as session:
        directive = session.exec(select(Directive)).one()
    assert directive.id is not None
    return acknowledged_codes(db, directive.id)


def terminal_rows(db: Database) -> list[Delivery]:
    with db.session() as session:
        return list(session.exec(select(Delivery).where(Delivery.channel == "terminal")))


def test_a_directive_is_shown_at_the_next_prompt_and_acknowledged_with_a_digit(
    demo: Database, core: Core, chat_as, clock: FakeClock, tmp_path: Path
) -> None:
    user_id, _name, _code = open_local_chat(demo, "DV003")  # DV003 has a terminal open
    secretary = chat_as("DV001")
    compose(secretary, DIRECTIVE)
    secretary.press(directive_texts.FLOW_SEND)
    mine = [r for r in terminal_rows(demo) if r.chat_id == user_id]
    assert len(mine) == 1 and mine[0].status == DeliveryStatus.PENDING

    out = io.StringIO()
    run_chat(core, demo, "DV003", stdin=io.StringIO("1\n1\n"), stdout=out, files_dir=tmp_path)
    shown = out.getvalue()
    # Shown once, before the first prompt, with its option numbered; "1" acknowledges.
    assert shown.count(DIRECTIVE) == 1 and shown.index(DIRECTIVE) < shown.index("> 1")
    assert texts.CLI_CHAT_INCOMING in shown and "1. Đã nhận" in shown
    assert directive_texts.DIR_ACKED in shown
    assert "DV003" in acknowledged_by(demo)
    row = next(r for r in terminal_rows(demo) if r.chat_id == user_id)
    assert row.status == DeliveryStatus.SENT and row.platform_message_id == f"terminal:{row.id}"

    # Nothing is shown twice: a second session starts quiet.
    again = io.StringIO()
    run_chat(core, demo, "DV003", stdin=io.StringIO(""), stdout=again, files_dir=tmp_path)
    assert DIRECTIVE not in again.getvalue()


def test_a_member_in_the_middle_of_a_flow_sees_the_message_but_keeps_the_flow(
    demo: Database, core: Core, chat_as, clock: FakeClock, tmp_path: Path
) -> None:
    """The delivered options do not take over an open flow: the member's next digit still
    belongs to what they were doing, and the directive waits in /thongbao."""
    open_local_chat(demo, "DV002")
    deputy = chat_as("DV002")
    deputy.send("/chidao")  # the deputy starts writing a directive of their own
    secretary = chat_as("DV001")
    compose(secretary, DIRECTIVE)
    secretary.press(directive_texts.FLOW_SEND)

    out = io.StringIO()
    run_chat(core, demo, "DV002", stdin=io.StringIO("/huy\n"), stdout=out, files_dir=tmp_path)
    shown = out.getvalue()
    assert DIRECTIVE in shown and texts.CANCELLED in shown  # the flow was still open
    assert "DV002" not in acknowledged_by(demo)


def test_a_message_that_cannot_be_shown_stays_pending(
    demo: Database, core: Core, chat_as, clock: FakeClock, tmp_path: Path
) -> None:
    """The attachment cannot be saved where the terminal keeps files (a folder has its name):
    the member gets the apology, the row is not marked sent, and it shows once that is fixed."""
    user_id, _name, _code = open_local_chat(demo, "DV003")
    (tmp_path / "charts").mkdir()
    (tmp_path / "charts" / "bao_cao.xlsx").write_bytes(b"PK workbook")
    in_the_way = tmp_path / "bao_cao.xlsx"
    in_the_way.mkdir()
    with demo.session() as session:
        member = find_member(session, "DV003")
        assert member is not None and member.id is not None
        outbox.enqueue(
            session,
            kind="directive",
            ref_id=None,
            member_ids=[member.id],
            payload=outbox.message("Báo cáo tháng", file_ref="charts/bao_cao.xlsx"),
            dedupe_key="terminal:file",
            now=clock(),
        )
    out = io.StringIO()
    run_chat(core, demo, "DV003", stdin=io.StringIO(""), stdout=out, files_dir=tmp_path)
    assert texts.INTERNAL_ERROR in out.getvalue() and "Báo cáo tháng" not in out.getvalue()
    mine = [r for r in terminal_rows(demo) if r.chat_id == user_id]
    assert [r.status for r in mine] == [DeliveryStatus.PENDING]

    in_the_way.rmdir()
    again = io.StringIO()
    run_chat(core, demo, "DV003", stdin=io.StringIO(""), stdout=again, files_dir=tmp_path)
    assert "Báo cáo tháng" in again.getvalue()
    assert (tmp_path / "bao_cao.xlsx").read_bytes() == b"PK workbook"
    assert [r.status for r in terminal_rows(demo) if r.chat_id == user_id] == [DeliveryStatus.SENT]
