"""Small readers the flows share: what a typed line of numbers means."""

from __future__ import annotations

import pytest

from handlers.flowkit import numbers


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("9 0 1", [9, 0, 1]),
        ("9-0-1", [9, 0, 1]),
        ("9 - 0 - 1", [9, 0, 1]),
        ("9,0,1", [9, 0, 1]),
        ("3/0/0", [3, 0, 0]),
        # A minus sign is not a separator: "-1 5 0" is not the vote "1 5 0".
        ("-1 5 0", None),
        ("9 -1 0", None),
        ("9 một 0", None),
        ("", None),
    ],
)
def test_numbers_typed_for_a_vote_or_a_score(typed: str, read: list[int] | None) -> None:
    assert numbers(typed) == read
