"""Periods as people type them, and what is offered."""

from __future__ import annotations

from datetime import date

import pytest

from services.assessment.rules import Period, parse_period, period_from_key, recent_periods

TODAY = date(2026, 11, 26)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2026", Period(2026)),
        ("năm 2025", Period(2025)),
        ("quý 3 2026", Period(2026, 3)),
        ("Quý III/2026", Period(2026, 3)),
        ("q4-2026", Period(2026, 4)),
        ("2026 q1", Period(2026, 1)),
    ],
)
def test_typed_periods(typed: str, expected: Period) -> None:
    assert parse_period(typed, TODAY) == expected


@pytest.mark.parametrize("typed", ["", "quý 5 2026", "2027", "quý 1 2027", "1999", "abc", "3"])
def test_unreadable_or_future_periods(typed: str) -> None:
    assert parse_period(typed, TODAY) is None


def test_days_and_keys() -> None:
    q1 = Period(2026, 1)
    assert (q1.first_day, q1.last_day, q1.key) == (date(2026, 1, 1), date(2026, 3, 31), "2026-Q1")
    assert Period(2026, 2).last_day == date(2026, 6, 30)
    assert Period(2026).last_day == date(2026, 12, 31)
    assert period_from_key("2026-Q3", TODAY) == Period(2026, 3)
    assert period_from_key("2026-Q9", TODAY) is None
    assert period_from_key("2099", TODAY) is None
    assert recent_periods(TODAY)[:3] == [Period(2026), Period(2025), Period(2026, 4)]
