"""The wiring list and the declarations it rests on.

Why: a feature touched a dozen places; buttons were strings written in three layers that had to
match a handler's prefix by hand, or buttons already in members' chats stopped working; jobs
registered themselves on import; a misspelt flow step surfaced as "session expired" in front
of a user. Now `bot.features.FEATURES` is the one list the app builds from, every button id is
declared once (`services.buttons.ButtonId`), and flows are checked when registered.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

import services
from bot import features
from bot.features import FEATURES, Feature
from handlers.context import Answer, Ctx, Flow
from handlers.registry import Audience, Command, Registry
from models import Database, Member
from scheduler.claims import DueItem, Fired, Job
from scheduler.jobs import checked
from services import outbox
from services.buttons import ButtonId, ButtonPayload
from tests.support import ChatDriver, FakeClock
from tests.test_import import HEADER


def declared_buttons() -> dict[str, ButtonId]:
    """Every `ButtonId` a services module declares, by prefix (a prefix declared twice fails)."""
    found: dict[str, ButtonId] = {}
    for info in pkgutil.walk_packages(services.__path__, "services."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if isinstance(value, ButtonId):
                assert found.get(value.prefix, value) is value, f"{value.prefix} declared twice"
                found[value.prefix] = value
    return found


def test_every_declared_button_is_answered_and_every_answer_declared() -> None:
    buttons = declared_buttons()
    answered = {action.prefix: action.button for action in features.registry().actions()}
    assert set(buttons) == set(answered), "a button no handler answers, or an undeclared answer"
    assert all(answered[prefix] is buttons[prefix] for prefix in buttons)


def test_a_button_not_made_by_a_declared_id_is_refused() -> None:
    with pytest.raises(ValueError, match="declared ButtonId"):
        outbox.message("Thử", options=[("dir_ack:1", "Đã nhận")])
    payload = ButtonId("demo_ok")(12, "yes")
    assert isinstance(payload, ButtonPayload) and payload == "demo_ok:12:yes"
    for bad in ("abcdef", "has space", "x:y"):  # a nonce look-alike, not identifiers
        with pytest.raises(ValueError):
            ButtonId(bad)
    with pytest.raises(ValueError):
        ButtonId("demo_ok")("x" * 80)  # over Telegram's 64 bytes
    with pytest.raises(ValueError):
        ButtonId("demo_ok")("a:b")  # an argument would shift the others


def test_importing_the_scheduler_registers_nothing_and_names_are_unique() -> None:
    import scheduler.jobs

    assert not hasattr(scheduler.jobs, "_REGISTRY") and not hasattr(scheduler.jobs, "register")
    names = [job.name for job in features.jobs()]
    assert len(names) == len(set(names)) and "weekly_stats" in names
    with pytest.raises(ValueError, match="listed twice"):
        checked([features.jobs()[0], features.jobs()[0]])


# -- a feature registered only through the wiring list shows up everywhere -----------------------
PING = ButtonId("wiring_ping")


class _PingJob(Job):
    name = "wiring_ping"
    group = "reminders"

    def due(self, session, now, rules):  # type: ignore[no-untyped-def]
        key = f"wiring_ping:{now.date().isoformat()}"
        return [DueItem(key=key, kind="wiring_ping", ref_id=None, due_at=now)]

    def fire(self, session, item, now, rules, prepared):  # type: ignore[no-untyped-def]
        return Fired.sent(0)


def _register(registry: Registry) -> None:
    def ping(ctx: Ctx, _args: str) -> None:
        ctx.say("pong", [])

    registry.command(Command("wiringping", "Thử", Audience.MEMBER, ping))


def test_a_feature_in_the_wiring_list_is_served_and_scheduled(
    demo: Database, clock: FakeClock
) -> None:
    extra = Feature("wiring_test", _register, lambda: [_PingJob()])
    listed = (*FEATURES, extra)
    assert "wiringping" in [c.name for c in features.registry(listed).commands()]
    assert "wiringping" not in [c.name for c in features.registry().commands()]
    assert "wiring_ping" in [j.name for j in features.jobs(listed)]
    chat = chat_in(demo, clock, "DV003", listed)
    assert chat.send("/wiringping").replies[0].text == "pong"
    assert "wiring_ping" not in features.tick(demo, clock()).jobs  # the app's own list
    from scheduler.jobs import tick

    assert tick(demo, clock(), jobs=features.jobs(listed))["wiring_ping"].sent == 1


class _Misspelt(Flow):
    name = "wiring_misspelt"

    def begin(self, ctx: Ctx, args: str) -> None:
        ctx.ask(self.name, "frist", "?")

    def step_first(self, ctx: Ctx, answer: Answer) -> None:
        ctx.finish()


def test_a_flow_asking_a_step_it_lacks_fails_when_registered() -> None:
    with pytest.raises(ValueError, match="frist"):
        Registry().flow(_Misspelt())


def test_every_registered_flow_has_every_step_it_asks() -> None:
    registry = features.registry()  # registering checks; this is the whole app's set
    assert registry.get_flow("meeting_new") is not None
    assert registry.get_flow("meeting_results") is not None


class _HandsOff(Flow):
    name = "wiring_hands_off"

    def begin(self, ctx: Ctx, args: str) -> None:
        ctx.hand_off("wiring_nowhere", args)


def test_a_hand_off_to_an_unregistered_flow_fails_at_start_up() -> None:
    registry = Registry()
    registry.flow(_HandsOff())
    with pytest.raises(ValueError, match="wiring_nowhere"):
        registry.check()
    features.registry().check()  # the app's own hand-offs all land


def test_the_meeting_menu_hands_its_meeting_to_the_results_flow_by_name(
    chat_as, demo: Database, clock: FakeClock
) -> None:
    from services.meetings import texts as meeting_texts
    from tests.meetings.test_resolutions import TYPICAL, held_meeting

    with demo.session() as session:
        held_meeting(session, clock, TYPICAL)
    secretary = chat_as("DV001")
    secretary.send("/hop_quanly")
    secretary.press(meeting_texts.FLOW_MTG_M_RESULTS)
    assert meeting_texts.FLOW_RES_NEXT_TEXT in secretary.text  # the /ketqua menu, this meeting
    assert meeting_texts.FLOW_RES_M_VOTE in [o.label for o in secretary.options()]


def test_flags_offered_only_through_the_wiring_list_reach_the_statistics(
    demo: Database, clock: FakeClock
) -> None:
    """The statistics import no feature: a rule offered at CELL_FLAGS by a feature that is
    only in the list is counted, and the meetings' absence rule is offered the same way."""
    from services.offers import CELL_FLAGS, CellFlags, Offer
    from services.stats import figures as stats

    with demo.session() as session:
        cell_ids = [c.cell_id for c in stats.collect(session, None, now=clock()).cells.values()]
    extra_flags = CellFlags(months=1, count=lambda _s, _c, _n, _tz: {cell_ids[0]: 5})
    extra = Feature("wiring_flags", offers=lambda: [Offer(CELL_FLAGS, extra_flags)])
    listed = (*FEATURES, extra)
    offered = features.offers(listed).of(CELL_FLAGS)
    assert len(offered) == 2 and offered[0].months == 2  # the absence rule first, as listed
    rules = stats.StatsRules(flags=offered)
    with demo.session() as session:
        flagged = stats.collect(session, None, now=clock(), rules=rules).cells[cell_ids[0]].flagged
    assert flagged == 5
    core = features.build_core(demo, clock=clock, features=listed)
    assert [f.months for f in core.config.offers.of(CELL_FLAGS)] == [2, 1]


def test_todos_offered_only_through_the_wiring_list_reach_the_members_list(
    demo: Database, clock: FakeClock
) -> None:
    """`/nhiemvu` imports no feature: another feature's item (a fee due, say) joins the tasks
    the meetings feature offers, in deadline order, with its own button."""
    from datetime import timedelta

    from services import texts
    from services.offers import MEMBER_TODOS, Offer, Todo

    due = (clock() + timedelta(days=3)).date()

    def fee_due(_session: object, actor: object, _now: object) -> list[Todo]:
        return [Todo("Đóng đảng phí tháng 12", due, PING(1))]

    extra = Feature("wiring_todos", offers=lambda: [Offer(MEMBER_TODOS, fee_due)])
    plain = chat_in(demo, clock, "DV003", FEATURES)
    assert plain.send("/nhiemvu").replies[0].text == texts.MY_NO_TASKS
    chat = chat_in(demo, clock, "DV003", (*FEATURES, extra))
    reply = chat.send("/nhiemvu").replies[0]
    assert "1. Đóng đảng phí tháng 12" in reply.text
    assert [o.payload for o in reply.options] == [PING(1)]


def chat_in(demo: Database, clock: FakeClock, code: str, listed: tuple[Feature, ...]) -> ChatDriver:
    """A terminal chat as `code` with a core built from `listed`."""
    from services.identities import find_member, local_identity

    core = features.build_core(demo, clock=clock, features=listed)
    with demo.session() as session:
        member = find_member(session, code)
        assert member is not None
        user = local_identity(session, member, now=clock()).external_id
    return ChatDriver(core, user_id=user, channel="terminal")


def test_import_columns_offered_only_through_the_wiring_list_are_read_checked_and_written(
    db: Database, clock: FakeClock, tmp_path: Path
) -> None:
    """The importer imports no feature: a column offered at IMPORT_COLUMNS by a feature that is
    only in the list is recognised under its Vietnamese header, checked with every other row
    (all or nothing), and written after the members, with its count in the report."""
    from services.importer import ImportFailed, import_file
    from services.offers import IMPORT_COLUMNS, ImportColumns, Offer, SheetValue
    from tests.test_import import base_rows, write_csv

    written: dict[int, str] = {}

    def check(values: dict[str, SheetValue], _today: object) -> tuple[object, list[str]]:
        text = values.get("so_the")
        if text is not None and not str(text).isdigit():
            return None, [f"Số thẻ «{text}» không hợp lệ."]
        return text, []

    def apply(_s: object, rows: list[tuple[int, object]], present: frozenset[str], _n: Any) -> int:
        assert present == {"so_the"}
        written.update((member_id, str(v)) for member_id, v in rows if v is not None)
        return sum(v is not None for _, v in rows)

    alias = (("so_the_dang", "so_the"),)
    card = ImportColumns("Thẻ đảng", ("so_the",), check, apply, aliases=alias)
    extra = Feature("wiring_import", offers=lambda: [Offer(IMPORT_COLUMNS, card)])
    listed = (*FEATURES, extra)
    header = [*HEADER, "Số thẻ đảng"]
    rows = [[*row, ""] for row in base_rows()]
    rows[1][-1] = "12a"
    bad = write_csv(tmp_path / "bad.csv", rows, header=header)
    with pytest.raises(ImportFailed) as failed, db.session() as session:
        import_file(session, bad, now=clock(), columns=features.import_columns(listed))
    assert [str(e) for e in failed.value.errors] == ["Dòng 3: Số thẻ «12a» không hợp lệ."]
    with db.session() as session:
        assert session.exec(select(Member)).first() is None  # nothing written

    rows[1][-1] = "0042"
    good = write_csv(tmp_path / "good.csv", rows, header=header)
    with db.session() as session:
        plain = import_file(session, good, now=clock(), columns=features.import_columns(FEATURES))
    assert plain.extra == () and written == {}  # not in the list: the column is not read
    with db.session() as session:
        report = import_file(session, good, now=clock(), columns=features.import_columns(listed))
        member = session.exec(select(Member).where(Member.code == "YT02")).one()
    assert report.extra == (("Thẻ đảng", 1),) and written == {member.id: "0042"}


def test_figures_offered_only_through_the_wiring_list_reach_the_statistics(
    demo: Database, clock: FakeClock
) -> None:
    """A rate offered at CELL_FIGURES (dues collected of dues expected, say) by a feature that is
    only in the list joins `/thongke`'s text, chart and spreadsheet, and the weekly report's
    rules; the statistics do not change."""
    import io

    from openpyxl import load_workbook

    from scheduler.rules import SchedulerRules
    from scheduler.weekly import stats_rules
    from services.identities import find_member
    from services.offers import CELL_FIGURES, CellFigure, Offer
    from services.orgwrite import grant_admin
    from services.stats import figures as stats

    with demo.session() as session:
        cells = sorted(stats.collect(session, None, now=clock()).cells)
        grant_admin(session, find_member(session, "DV003"))  # type: ignore[arg-type]
    dues = CellFigure(
        "Thẻ đảng đã cấp",
        lambda _s, _c, _n, _tz: {cells[0]: (150_000, 200_000), cells[1]: (50_000, 100_000)},
        unit="đ",
    )
    extra = Feature("wiring_figures", offers=lambda: [Offer(CELL_FIGURES, dues)])
    listed = (*FEATURES, extra)

    plain = chat_in(demo, clock, "DV003", FEATURES).send("/thongke").replies
    assert "Thẻ đảng đã cấp" not in plain[0].text
    text, table = chat_in(demo, clock, "DV003", listed).send("/thongke").replies
    assert "• Thẻ đảng đã cấp: 67% (200.000/300.000 đ)" in text.text
    assert text.file is not None and text.file.kind == "photo"
    assert table.file is not None
    rows = list(load_workbook(io.BytesIO(table.file.data)).active.iter_rows(values_only=True))
    assert rows[0][-3:] == (
        "Thẻ đảng đã cấp – đạt (đ)",
        "Thẻ đảng đã cấp – chỉ tiêu (đ)",
        "Thẻ đảng đã cấp – tỷ lệ",
    )
    assert sorted(r[-3:] for r in rows[1:] if r[-2]) == [
        (50_000, 100_000, 0.5),
        (150_000, 200_000, 0.75),
    ]
    weekly = stats_rules(SchedulerRules(offers=features.offers(listed)))
    assert weekly.figures[-1] == dues and stats_rules(SchedulerRules()).figures == ()
    assert dues not in stats_rules(SchedulerRules(offers=features.offers(FEATURES))).figures


def test_agenda_items_offered_only_through_the_wiring_list_join_the_meetings_agenda(
    demo: Database, clock: FakeClock
) -> None:
    """A line offered at AGENDA_ITEMS (the month's study topic, say) by a feature that is only
    in the list joins a regular meeting's suggested agenda after the current-affairs item, for
    the cell being planned; the agenda stays the guidance's standard one; the secretary may
    still replace it. Without the feature the agenda is unchanged."""
    from datetime import datetime

    from services.identities import find_member
    from services.meetings import texts as meeting_texts
    from services.offers import AGENDA_ITEMS, Offer

    asked: list[tuple[int, datetime]] = []

    def study_topic(_session: object, cell_id: int, starts_at: datetime) -> list[str]:
        asked.append((cell_id, starts_at))
        return ["Chuyên đề tháng 12: tác phong quần chúng."]

    extra = Feature("wiring_agenda", offers=lambda: [Offer(AGENDA_ITEMS, study_topic)])
    with demo.session() as session:
        secretary = find_member(session, "DV001")
        assert secretary is not None
        cell_id = secretary.cell_id

    def plan(listed: tuple[Feature, ...]) -> str:
        chat = chat_in(demo, clock, "DV001", listed)
        chat.send("/hop")
        chat.press("Thường kỳ")
        chat.send("19/12 14:00")
        chat.send("1")
        chat.send("Hội trường tầng 2")
        return chat.text

    assert "Chuyên đề tháng 12" not in plan(FEATURES) and not asked
    text = plan((*FEATURES, extra))
    assert text.startswith("Chương trình họp (theo Hướng dẫn 42-HD/BTCTW):")
    lines = text.splitlines()
    current = lines.index(f"4. {meeting_texts.MTG_AGENDA_CURRENT}")
    assert lines[current + 1] == "5. Chuyên đề tháng 12: tác phong quần chúng."
    assert asked and {c for c, _ in asked} == {cell_id}
