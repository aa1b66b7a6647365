"""Linked terminal chats of the demo's members, on the app's core."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.support import ChatDriver

Chat = Callable[[str], ChatDriver]


@pytest.fixture
def chat(chat_as: Chat) -> Chat:
    """`chat("DV001")`: a linked terminal chat of that member (the app's core: the FAQ is wired)."""
    return chat_as
