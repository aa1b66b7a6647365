"""A core with the FAQ's conversations (whether or not the wiring list has them yet), and
linked terminal chats of the demo's members."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot import features
from bot.features import FEATURES, Feature
from handlers import faq
from handlers.core import Core
from models import Database
from scheduler import faq as faq_jobs
from services.identities import find_member, local_identity
from tests.support import ChatDriver, FakeClock

Chat = Callable[[str], ChatDriver]


def faq_features() -> tuple[Feature, ...]:
    listed = {c.name for c in features.registry().commands()}
    if "hoidap" in listed:
        return FEATURES
    return (*FEATURES, Feature("faq", faq.register, faq_jobs.jobs))


@pytest.fixture
def faq_core(demo: Database, clock: FakeClock) -> Core:
    return features.build_core(demo, clock=clock, features=faq_features())


@pytest.fixture
def chat(demo: Database, clock: FakeClock, faq_core: Core) -> Chat:
    """`chat("DV001")`: a linked terminal chat of that member, on a core with the FAQ."""

    def make(code: str) -> ChatDriver:
        with demo.session() as session:
            member = find_member(session, code)
            assert member is not None, code
            user = local_identity(session, member, now=clock()).external_id
        return ChatDriver(faq_core, user_id=user, channel="terminal")

    return make
