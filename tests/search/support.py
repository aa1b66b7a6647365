"""Helpers for the search tests: the app's features with the search wired in, directives sent
as a demo member, chats with a core built from a given list."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlmodel import Session, select

from bot.features import FEATURES, Feature
from models import Database, Member, Unit
from services.auth import Actor, load_actor
from services.demo import CELL_OFFICE, CELL_SCHOOLS
from services.directives.rules import send_directive
from services.identities import find_member
from services.offers import SEARCHABLE, Searchable
from tests.support import ChatDriver, FakeClock
from tests.test_wiring import chat_in

# The features whose items these tests count exactly: the others' (the FAQ's forty curated
# answers, the library's documents, bulletins) would join any query of common words.
SEARCHED = frozenset({"directives", "meetings"})


def _only_searched(feature: Feature) -> Feature:
    """`feature` as wired, without its SEARCHABLE offers unless it is one of `SEARCHED`."""
    offers = feature.offers
    if offers is None or feature.name in SEARCHED:
        return feature
    return replace(feature, offers=lambda: [o for o in offers() if o.point != SEARCHABLE])


def search_features(*extra: Feature) -> tuple[Feature, ...]:
    """The app's wiring list (the search is in it), its other searchables left out (see
    `SEARCHED`), with any test-only features after it. The FAQ in the search is tested in
    tests/faq/test_faq_search.py; the channels' tests (test_search_channels.py) run the app's
    whole list."""
    return (*(_only_searched(f) for f in FEATURES), *extra)


def sources(*extra: Feature) -> tuple[Searchable, ...]:
    from bot import features

    return features.offers(search_features(*extra)).of(SEARCHABLE)


def actor(session: Session, code: str) -> Actor:
    member = find_member(session, code)
    assert member is not None, code
    return load_actor(session, member)


def cell_id(session: Session, name: str) -> int:
    unit = session.exec(select(Unit).where(Unit.name == name)).one()
    assert unit.id is not None
    return unit.id


def office(session: Session) -> int:
    return cell_id(session, CELL_OFFICE)


def schools(session: Session) -> int:
    return cell_id(session, CELL_SCHOOLS)


def direct(db: Database, code: str, cell: str, text: str, now: datetime) -> int:
    """`code` sends `text` to every member of the cell named `cell`; the directive's id."""
    with db.session() as session:
        receipt = send_directive(
            session,
            actor(session, code),
            cell_id(session, cell),
            audience="all",
            text=text,
            now=now,
        )
        assert receipt.directive.id is not None
        return receipt.directive.id


def move(db: Database, code: str, cell: str) -> None:
    with db.session() as session:
        member = session.exec(select(Member).where(Member.code == code)).one()
        member.cell_id = cell_id(session, cell)
        session.add(member)


def chat(db: Database, clock: FakeClock, code: str, *extra: Feature) -> ChatDriver:
    return chat_in(db, clock, code, search_features(*extra))
