"""The facts come by declaration: a wiring list without the fees still assesses, skipping the
fee criterion and saying so; a feature only in the list can offer a criterion."""

from __future__ import annotations

from datetime import date, tzinfo

from sqlmodel import Session

from bot.features import FEATURES, Feature, build_core
from handlers.context import CoreConfig
from models import Database
from services.offers import ASSESSMENT_FACTS, AssessmentCriterion, AssessmentFact, Offer
from tests.assessment.support import AFTER_2026, seed_year
from tests.support import ChatDriver, FakeClock


def _chat(db: Database, clock: FakeClock, features: tuple[Feature, ...]) -> ChatDriver:
    from services.identities import find_member, local_identity

    core = build_core(db, CoreConfig(), clock=clock, features=features)
    with db.session() as session:
        seed_year(session)
        member = find_member(session, "DV003")
        assert member is not None
        identity = local_identity(session, member, now=clock())
        user_id = identity.external_id
        session.commit()
    clock.now = AFTER_2026
    return ChatDriver(core, user_id, channel="terminal")


def test_without_the_fees_the_criterion_is_skipped_and_said(demo: Database) -> None:
    clock = FakeClock()
    without_fees = tuple(f for f in FEATURES if f.name != "fees")
    chat = _chat(demo, clock, without_fees)
    chat.send("/danhgia 2026")
    assert "Đóng đảng phí: phần mềm chưa có dữ liệu này, bỏ qua (không tính)" in chat.text
    assert "Chỉ tính 80 điểm có dữ liệu, quy ra thang 100." in chat.text


def test_a_feature_in_the_list_offers_a_criterion(demo: Database) -> None:
    def pledge_everyone(
        session: Session, member_ids: list[int], first: date, last: date, tz: tzinfo
    ) -> dict[int, AssessmentFact]:
        return {m: {"approved": 1, "review_due": 0, "reviewed": 0} for m in member_ids}

    criterion = AssessmentCriterion("pledge", "Cam kết (thử)", pledge_everyone)
    only_test = Feature("assessment_test", offers=lambda: [Offer(ASSESSMENT_FACTS, criterion)])
    features = tuple(f for f in FEATURES if f.name != "study")
    position = next(i for i, f in enumerate(features) if f.name == "assessment")
    chat = _chat(demo, FakeClock(), (*features[:position], only_test, *features[position:]))
    chat.send("/danhgia 2026")
    assert "Cam kết (thử): bản đăng ký đã được duyệt → 10/10 điểm" in chat.text
