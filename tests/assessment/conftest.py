"""Linked terminal chats of the demo's members, on the app's core (the assessment is wired),
with a year of facts recorded and the clock in January 2027."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from models import Database
from tests.assessment.support import AFTER_2026, seed_year
from tests.support import ChatDriver, FakeClock

Chat = Callable[[str], ChatDriver]


@pytest.fixture
def chat(chat_as: Chat, demo: Database, clock: FakeClock) -> Chat:
    with demo.session() as session:
        seed_year(session)
        session.commit()
    clock.now = AFTER_2026
    return chat_as
