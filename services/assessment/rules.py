"""The assessment's vocabulary and numbers: the four bands of Quy định 366-QĐ/TW, the periods
(a quarter or a year) and how they are typed, the formula read from `data/formula.toml`.

The formula is data so a committee's weights can change without a release of the code; the
bands and their conditions are 366-QĐ/TW's and sit in the same file, named, so the
documentation and the numbers the code uses cannot drift apart.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from services.textnorm import fold_words

FORMULA_FILE = Path(__file__).with_name("data") / "formula.toml"

OPEN = "open"
SUBMITTED = "submitted"
LOCKED = "locked"


class Band(StrEnum):
    """Quy định 366-QĐ/TW's four bands for a party member, best first."""

    EXCELLENT = "xuat_sac"
    GOOD = "tot"
    DONE = "hoan_thanh"
    NOT_DONE = "khong_hoan_thanh"


BANDS = (Band.EXCELLENT, Band.GOOD, Band.DONE, Band.NOT_DONE)


@dataclass(frozen=True)
class Criterion:
    """One criterion of the formula: its key (the offer's), weight, and numeric parameters."""

    key: str
    weight: int
    params: dict[str, float] = field(default_factory=dict)

    def param(self, name: str, default: float = 0.0) -> float:
        return float(self.params.get(name, default))


@dataclass(frozen=True)
class Formula:
    """`data/formula.toml`, parsed and checked."""

    criteria: tuple[Criterion, ...]
    adjustment_limit: int
    excellent_from: int
    good_from: int
    done_from: int
    excellent_min_exceeded: float
    max_late_share: float
    excellent_per_good: float
    announce_within_cell: bool
    assess_exempt: bool

    @staticmethod
    def parse(raw: dict[str, Any]) -> Formula:
        criteria = tuple(
            Criterion(
                key=str(c["key"]),
                weight=int(c["weight"]),
                params={k: float(v) for k, v in c.items() if k not in ("key", "weight")},
            )
            for c in raw["criteria"]
        )
        if sum(c.weight for c in criteria) != 100 or any(c.weight <= 0 for c in criteria):
            raise ValueError("the formula's weights must be positive and add up to 100")
        bands = raw["bands"]
        formula = Formula(
            criteria=criteria,
            adjustment_limit=int(raw["adjustment"]["limit"]),
            excellent_from=int(bands["excellent"]),
            good_from=int(bands["good"]),
            done_from=int(bands["done"]),
            excellent_min_exceeded=float(raw["conditions"]["excellent_min_exceeded"]),
            max_late_share=float(raw["conditions"]["max_late_share"]),
            excellent_per_good=float(raw["quota"]["excellent_per_good"]),
            announce_within_cell=bool(raw["visibility"]["announce_within_cell"]),
            assess_exempt=bool(raw["members"]["assess_exempt"]),
        )
        if not 100 >= formula.excellent_from > formula.good_from > formula.done_from > 0:
            raise ValueError("the bands must fall from excellent to done within 1..100")
        return formula

    @staticmethod
    def load(path: Path = FORMULA_FILE) -> Formula:
        return _load(path)

    def band_of(self, score: int) -> Band:
        if score >= self.excellent_from:
            return Band.EXCELLENT
        if score >= self.good_from:
            return Band.GOOD
        if score >= self.done_from:
            return Band.DONE
        return Band.NOT_DONE


@cache
def _load(path: Path) -> Formula:
    with path.open("rb") as handle:
        return Formula.parse(tomllib.load(handle))


@dataclass(frozen=True)
class AssessmentRules:
    """The formula and the zone local days are counted in."""

    formula: Formula = field(default_factory=Formula.load)
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Ho_Chi_Minh"))


DEFAULT_ASSESSMENT_RULES = AssessmentRules()


@dataclass(frozen=True, order=True)
class Period:
    """A year (`quarter` None) or one of its quarters; `key` is what the database stores."""

    year: int
    quarter: int | None = None

    @property
    def key(self) -> str:
        return str(self.year) if self.quarter is None else f"{self.year}-Q{self.quarter}"

    @property
    def first_day(self) -> date:
        return date(self.year, 1 if self.quarter is None else 3 * self.quarter - 2, 1)

    @property
    def last_day(self) -> date:
        if self.quarter is None or self.quarter == 4:
            return date(self.year, 12, 31)
        return date(self.year, 3 * self.quarter + 1, 1) - timedelta(days=1)

    @staticmethod
    def from_key(key: str) -> Period | None:
        match = re.fullmatch(r"(\d{4})(?:-Q([1-4]))?", key)
        if match is None:
            return None
        quarter = match.group(2)
        return Period(int(match.group(1)), int(quarter) if quarter else None)


MIN_YEAR = 2020
# "2026", "năm 2026", "quý 3 2026", "q3/2026", "quy III 2026", "3/2026" (a quarter: "quý" said)
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}


def parse_period(text: str, today: date) -> Period | None:
    """A period typed by a person; None when it cannot be read or is in the future or before
    `MIN_YEAR` (nothing was recorded then)."""
    words = fold_words(text).replace("/", " ").replace("-", " ").split()
    words = [w for w in words if w not in ("nam", "ky", "danh", "gia")]
    quarter: int | None = None
    year: int | None = None
    rest: list[str] = []
    for word in words:
        glued = re.fullmatch(r"(?:q|quy)([1-4])", word)
        if glued:
            quarter = int(glued.group(1))
        elif word.isdigit() and len(word) == 4:
            year = int(word)
        else:
            rest.append(word)
    if rest and rest[0] in ("q", "quy") and len(rest) == 2:
        quarter = int(rest[1]) if rest[1] in "1234" and len(rest[1]) == 1 else _ROMAN.get(rest[1])
        rest = [] if quarter else rest
    if rest or year is None:
        return None
    period = Period(year, quarter)
    if year < MIN_YEAR or period.first_day > today:
        return None
    return period


def period_from_key(key: str | None, today: date) -> Period | None:
    """A period from a flow's data or a button: None when forged, too old or not yet begun."""
    period = Period.from_key(key or "")
    if period is None or period.year < MIN_YEAR or period.first_day > today:
        return None
    return period


def recent_periods(today: date, count: int = 4) -> list[Period]:
    """What to offer: this year, last year, then the latest quarters already begun."""
    quarter = (today.month - 1) // 3 + 1
    periods = [Period(today.year), Period(today.year - 1)]
    year = today.year
    while len(periods) < count + 2:
        periods.append(Period(year, quarter))
        quarter -= 1
        if quarter == 0:
            year, quarter = year - 1, 4
    return periods
