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

import pytest

import services
from bot import features
from bot.features import FEATURES, Feature
from handlers.context import Answer, Ctx, Flow
from handlers.registry import Audience, Command, Registry
from models import Database
from scheduler.claims import DueItem, Fired, Job
from scheduler.jobs import checked
from services import outbox
from services.buttons import ButtonId, ButtonPayload
from tests.support import ChatDriver, FakeClock


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

    def fee_due(_session: object, actor: object) -> list[Todo]:
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
