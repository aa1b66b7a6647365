"""What a party member owes for a month under Quy định 01-QĐ/TW (in force from 1 February 2026).

Pure rules: no clock, no database and no words for people. Every date is passed in, so the
same profile and month always give the same amount, which is what lets a collector's book be
recomputed and checked later. The figures of the law (rates, the regional minimum wage, the
student amount) are data with effective dates in `data/rates.toml`, so a change of law is a
change of that file, not of this code (docs/fees.md). The UI owns the Vietnamese text: `Dues`
carries structured `parts` from which it can say "1 % × 8.000.000 đ = 80.000 đ".
"""

from __future__ import annotations

import re
import tomllib
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import IntEnum, StrEnum
from functools import cache
from importlib import resources
from typing import Any, Final, Literal, TypeGuard, TypeVar

from services.textnorm import fold_words

# --------------------------------------------------------------------------------------------
# Months


def month_start(day: date) -> date:
    """The first day of `day`'s month: fees are owed per month, and every rule is read on the
    first day of the month it is for."""
    return day.replace(day=1)


def add_months(month: date, count: int) -> date:
    """The first day of the month `count` months after `month`'s (before it when negative)."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def months_between(first: date, last: date) -> list[date]:
    """First-of-month dates from `first`'s month to `last`'s month, both included; empty when
    `last` is in an earlier month (a period given backwards owes nothing rather than failing)."""
    start, end = month_start(first), month_start(last)
    months: list[date] = []
    while start <= end:
        months.append(start)
        start = add_months(start, 1)
    return months


# --------------------------------------------------------------------------------------------
# Bases


_BHXH_WORDS = re.compile(r"\bbao hiem xa hoi\b")


def _fold_label(text: str) -> str:
    """Typed labels compared without case, diacritics or punctuation; "bảo hiểm xã hội" and its
    abbreviation "BHXH" are the same word to a member typing it."""
    return _BHXH_WORDS.sub("bhxh", fold_words(text))


class Basis(StrEnum):
    """What a member's monthly fee is computed from (01-QĐ/TW, Article 3). The values are the
    stored codes."""

    BHXH = "bhxh"
    """Compulsory social insurance: 1 % of last month's insured salary."""
    TRO_CAP = "tro_cap"
    """On sick or maternity leave: 1 % of the benefit paid by social insurance."""
    HUU_TRI = "huu_tri"
    """Retired on a pension: 0.5 % of the pension."""
    KHONG_BHXH = "khong_bhxh"
    """No compulsory social insurance, below the normal retirement age: a share of the regional
    minimum wage."""
    KHONG_BHXH_CAO_TUOI = "khong_bhxh_cao_tuoi"
    """No compulsory social insurance, at or above the normal retirement age: a smaller share of
    the regional minimum wage."""
    HOC_SINH = "hoc_sinh"
    """Pupil or student: a flat amount."""
    MIEN = "mien"
    """Owes nothing (the reason, when known, is the profile's `exemption`)."""

    @property
    def needs_income(self) -> bool:
        """Whether the fee is a share of the member's own income (salary, benefit, pension)."""
        return self in _INCOME_BASES

    @property
    def needs_region(self) -> bool:
        """Whether the fee is a share of the regional minimum wage, so a region is needed."""
        return self in _REGION_BASES

    @property
    def is_flat(self) -> bool:
        """Whether the fee is a fixed amount from the table."""
        return self is Basis.HOC_SINH

    @classmethod
    def parse(cls, text: str) -> Basis:
        """The basis named by a code ("khong_bhxh") or a common Vietnamese label ("Lương hưu",
        "sinh viên", "không có BHXH"), typed with or without diacritics, in any case.

        Only whole labels match: a near miss is refused rather than guessed, since a wrong
        basis changes what a member owes."""
        try:
            return _BASIS_LABELS[_fold_label(text)]
        except KeyError:
            codes = ", ".join(basis.value for basis in cls)
            raise ValueError(f"unknown fee basis {text!r}; expected one of: {codes}") from None


_INCOME_BASES: Final = frozenset({Basis.BHXH, Basis.TRO_CAP, Basis.HUU_TRI})
_REGION_BASES: Final = frozenset({Basis.KHONG_BHXH, Basis.KHONG_BHXH_CAO_TUOI})

_BASIS_WORDS: Final[Mapping[Basis, tuple[str, ...]]] = {
    Basis.BHXH: (
        "có BHXH",
        "đóng BHXH",
        "tham gia BHXH",
        "BHXH bắt buộc",
        "lương",
        "tiền lương",
        "đang đi làm",
    ),
    Basis.TRO_CAP: (
        "trợ cấp",
        "ốm đau",
        "thai sản",
        "ốm đau thai sản",
        "trợ cấp ốm đau",
        "trợ cấp thai sản",
        "trợ cấp ốm đau thai sản",
        "nghỉ ốm",
        "nghỉ thai sản",
    ),
    Basis.HUU_TRI: ("hưu trí", "lương hưu", "nghỉ hưu", "hưu", "hưởng lương hưu"),
    Basis.KHONG_BHXH: (
        "không BHXH",
        "không có BHXH",
        "không tham gia BHXH",
        "không đóng BHXH",
        "lao động tự do",
        "tự do",
    ),
    Basis.KHONG_BHXH_CAO_TUOI: (
        "không BHXH cao tuổi",
        "không có BHXH cao tuổi",
        "không BHXH đủ tuổi nghỉ hưu",
        "cao tuổi",
        "người cao tuổi",
        "đủ tuổi nghỉ hưu",
        "quá tuổi nghỉ hưu",
    ),
    Basis.HOC_SINH: ("học sinh", "sinh viên", "học sinh sinh viên", "HSSV", "HS SV"),
    Basis.MIEN: ("miễn", "miễn đóng", "miễn đảng phí", "miễn đóng đảng phí", "được miễn"),
}


def _basis_labels() -> dict[str, Basis]:
    """Every code and label, folded, to its basis; two bases claiming one label is a bug here."""
    labels: dict[str, Basis] = {}
    for basis in Basis:
        for label in (basis.value, *_BASIS_WORDS[basis]):
            key = _fold_label(label)
            if labels.setdefault(key, basis) is not basis:
                raise AssertionError(f"label {label!r} names two fee bases")
    return labels


_BASIS_LABELS: Final = _basis_labels()


# --------------------------------------------------------------------------------------------
# Regions


_REGION_TEXT = re.compile(r"(?:vung|region)? ?(iv|i{1,3}|[1-4])")
_ROMAN: Final = {"i": 1, "ii": 2, "iii": 3, "iv": 4}


class Region(IntEnum):
    """The minimum-wage region (vùng) of where the member attends party activities. It is set
    per unit and inherited down the tree, with a per-member override (`resolve_region`)."""

    I = 1  # noqa: E741 (the decrees name the regions I to IV)
    II = 2
    III = 3
    IV = 4

    @classmethod
    def parse(cls, text: str) -> Region:
        """ "I", "ii", "3", "vùng II", "Vung 3": the Roman or Arabic number, optionally after the
        word vùng, typed in any case, with or without diacritics."""
        match = _REGION_TEXT.fullmatch(fold_words(text))
        if match is None:
            raise ValueError(f"unknown region {text!r}; expected I, II, III or IV (or 1 to 4)")
        number = match.group(1)
        return cls(int(number) if number.isdigit() else _ROMAN[number])


def resolve_region(own: Region | None, units: Iterable[Region | None]) -> Region | None:
    """The region that applies to a member: their own override when set, else the first region
    set on their units from the nearest (the cell) outward; None when nobody set one."""
    if own is not None:
        return own
    return next((region for region in units if region is not None), None)


# --------------------------------------------------------------------------------------------
# Rounding


class Rounding(IntEnum):
    """The unit the monthly amount is rounded to, half-up (12,250 → 12,500 at 500 đ; 12,249 →
    12,000).

    The default is `DONG`, whole đồng, because the regulation gives percentages and no rounding:
    rounding to a coarser unit would change what a member owes, and the collector's book has to
    agree to the đồng with bank transfers and the national portal, which collect the exact
    amount. A province may still set 500 đ or 1,000 đ so that cash can be handed over without
    small change; that is a setting, never a silent default. Rounding is applied once, to the
    final amount after any reduction, so that no step rounds twice.
    """

    DONG = 1
    FIVE_HUNDRED = 500
    THOUSAND = 1000

    def apply(self, amount: Decimal) -> int:
        """`amount` rounded half-up to this unit, in whole đồng."""
        unit = Decimal(int(self))
        return int((amount / unit).quantize(Decimal(1), rounding=ROUND_HALF_UP) * unit)


# --------------------------------------------------------------------------------------------
# Exemptions and reductions


REDUCTION_PERCENTS: Final = (30, 50, 70, 100)
"""The reductions a cell may grant for hardship; 100 is the full waiver."""

MAX_REDUCTION_MONTHS: Final = 12
"""Each reduction lasts at most this many months; then the member is considered again."""

MEMBERSHIP_YEARS_FOR_EXEMPTION: Final = 50


def _is_int(value: object) -> TypeGuard[int]:
    """An int that is not a bool (True is an int to Python, never an amount or a count here)."""
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class Reduction:
    """A hardship reduction of `percent` % for `months` months from `start`'s month.

    It carries its own end, so the normal amount returns by itself in the month after the last
    covered one, without anyone having to remember to lift it. `start` is stored as the first of
    its month. Invalid values raise `ValueError` with an English message; the UI says it in
    Vietnamese.
    """

    percent: int
    reason: str
    start: date
    months: int

    def __post_init__(self) -> None:
        if not _is_int(self.percent) or self.percent not in REDUCTION_PERCENTS:
            allowed = ", ".join(str(p) for p in REDUCTION_PERCENTS)
            raise ValueError(f"a reduction is one of {allowed} percent, not {self.percent!r}")
        if not isinstance(self.reason, str) or not self.reason.strip():
            raise ValueError("a reduction needs a reason")
        if not _is_int(self.months) or not 1 <= self.months <= MAX_REDUCTION_MONTHS:
            raise ValueError(
                f"a reduction lasts 1 to {MAX_REDUCTION_MONTHS} months, not {self.months!r}"
            )
        if not isinstance(self.start, date) or isinstance(self.start, datetime):
            raise ValueError(f"a reduction starts on a date, not {self.start!r}")
        object.__setattr__(self, "start", month_start(self.start))

    @property
    def last_month(self) -> date:
        """The first day of the last month the reduction covers."""
        return add_months(self.start, self.months - 1)

    @property
    def until(self) -> date:
        """The first month it no longer covers: the normal amount is owed again from here."""
        return add_months(self.start, self.months)

    def covers(self, month: date) -> bool:
        """Whether the reduction applies to `month`'s month."""
        return self.start <= month_start(month) < self.until


class ExemptionReason(StrEnum):
    """Why a member owes nothing (01-QĐ/TW). The values are the stored codes."""

    MEMBERSHIP_50_YEARS = "tuoi_dang_50"
    """50 or more years of membership (see `eligible_for_50_years`)."""
    SOCIAL_PENSION = "huu_tri_xa_hoi"
    """Receives the social pension allowance (trợ cấp hưu trí xã hội)."""
    POOR_HOUSEHOLD = "ho_ngheo"
    """Of a poor or near-poor household, on the member's written request."""
    SERIOUS_ILLNESS = "benh_hiem_ngheo"
    """A serious illness on the Ministry of Health's list, on the member's written request."""

    @property
    def on_request(self) -> bool:
        """Whether the member has to ask (in writing, to the cell) rather than it following from
        a fact the cell already knows."""
        return self in {ExemptionReason.POOR_HOUSEHOLD, ExemptionReason.SERIOUS_ILLNESS}


def years_of_membership(joined: date, month: date) -> int:
    """Whole years of membership completed by the first day of `month`'s month, counted from
    `joined` (ngày vào Đảng); 0 for a month before joining.

    A year is completed on its anniversary: joined 1976-03-01 → 50 years on 2026-03-01. A member
    who joined on 29 February completes a year on 1 March in other years. Breaks in membership
    are not known here, which is why the collector confirms the result before it is used."""
    on = month_start(month)
    years = on.year - joined.year - ((on.month, on.day) < (joined.month, joined.day))
    return max(years, 0)


def eligible_for_50_years(joined: date, month: date) -> bool:
    """Whether the member has completed 50 years of membership by the first day of `month`'s
    month, and so is exempt for that month.

    The first-day convention: a month is exempt only if the 50th anniversary falls on or before
    its first day, so a member who joined on 15 March 1976 still owes March 2026 and is exempt
    from April 2026. It never exempts a month in which the member was not yet at 50 years."""
    return years_of_membership(joined, month) >= MEMBERSHIP_YEARS_FOR_EXEMPTION


# --------------------------------------------------------------------------------------------
# The rate table


class NotInForce(LookupError):
    """No figure of the table applies on that date: it is before the first entry (for the fee
    rates, before 01-QĐ/TW came into force on 2026-02-01). Months under the old 342-QĐ/TW rules
    are refused rather than computed under rules that did not yet apply."""

    def __init__(self, what: str, on: date, first: date) -> None:
        super().__init__(
            f"no {what} in force on {on.isoformat()}: the table starts on {first.isoformat()}"
        )
        self.what = what
        self.on = on
        self.first = first


def _is_date(value: object) -> bool:
    return isinstance(value, date) and not isinstance(value, datetime)


def _dated(entries: object, where: str, value_key: str) -> list[tuple[date, object]]:
    """A list of {from = date, <value_key> = ...} entries, in strictly increasing date order."""
    if not isinstance(entries, list) or not entries:
        raise ValueError(f"{where}: expected a non-empty list of entries")
    result: list[tuple[date, object]] = []
    for entry in entries:
        if not isinstance(entry, dict) or set(entry) != {"from", value_key}:
            raise ValueError(f"{where}: each entry has exactly `from` and `{value_key}`")
        start = entry["from"]
        if not _is_date(start):
            raise ValueError(f"{where}: `from` must be a date, not {start!r}")
        if result and start <= result[-1][0]:
            raise ValueError(f"{where}: entries must be in increasing `from` order")
        result.append((start, entry[value_key]))
    return result


def _percent(value: object, where: str) -> Decimal:
    """A percentage as written in the file (0.3 means 0.3 %), as an exact fraction (0.003)."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise ValueError(f"{where}: a percent is a number, not {value!r}")
    percent = Decimal(value)
    if not 0 < percent <= 100:
        raise ValueError(f"{where}: a percent is above 0 and at most 100, not {value!r}")
    return percent.scaleb(-2)


def _amount(value: object, where: str) -> int:
    if _is_int(value) and value > 0:
        return value
    raise ValueError(f"{where}: an amount is a positive whole number of đồng, not {value!r}")


_T = TypeVar("_T")


def _lookup(entries: Sequence[tuple[date, _T]], on: date, what: str) -> _T:
    index = bisect_right([start for start, _ in entries], on)
    if index == 0:
        raise NotInForce(what, on, entries[0][0])
    return entries[index - 1][1]


class RateTable:
    """The fee rates, the student amount and the regional minimum wage, each a list of figures
    with the day it takes effect; a figure applies from its day until the next one's.

    `load()` reads the packaged `data/rates.toml` once; tests and future rules can build their
    own with `from_toml`. Construction validates everything, so a bad edit of the data fails at
    start-up (and in the tests) rather than in some member's month."""

    __slots__ = ("_changes", "_first", "_flat", "_minimum_wages", "_rates")

    def __init__(
        self,
        *,
        rates: Mapping[Basis, Sequence[tuple[date, Decimal]]],
        flat: Mapping[Basis, Sequence[tuple[date, int]]],
        minimum_wages: Sequence[tuple[date, Mapping[Region, int]]],
    ) -> None:
        for basis in Basis:
            if basis is Basis.MIEN:
                continue
            entries = flat.get(basis) if basis.is_flat else rates.get(basis)
            if not entries:
                kind = "flat amount" if basis.is_flat else "rate"
                raise ValueError(f"the table has no {kind} for {basis.value}")
        if not minimum_wages:
            raise ValueError("the table has no regional minimum wage")
        for start, wages in minimum_wages:
            if set(wages) != set(Region):
                raise ValueError(f"minimum wage from {start.isoformat()}: needs regions I to IV")
        first_wage = minimum_wages[0][0]
        for basis in _REGION_BASES:
            if rates[basis][0][0] < first_wage:
                raise ValueError(f"{basis.value} starts before the first regional minimum wage")
        self._rates = {basis: tuple(entries) for basis, entries in rates.items()}
        self._flat = {basis: tuple(entries) for basis, entries in flat.items()}
        self._minimum_wages = tuple((start, dict(wages)) for start, wages in minimum_wages)
        dated: list[Sequence[tuple[date, object]]] = [*self._rates.values(), *self._flat.values()]
        self._first: date = min(figures[0][0] for figures in dated)
        starts = {start for figures in dated for start, _ in figures}
        self._changes: tuple[date, ...] = tuple(
            sorted(starts | {start for start, _ in self._minimum_wages})
        )

    @classmethod
    def from_toml(cls, text: str) -> RateTable:
        """A table from the text of a rates file (the format of `data/rates.toml`). Decimals are
        read as `Decimal`, never float, so 0.3 % stays exactly 0.003."""
        data: dict[str, Any] = tomllib.loads(text, parse_float=Decimal)
        unknown = set(data) - {"rates", "flat", "minimum_wage"}
        if unknown:
            raise ValueError(f"unknown sections in the rates file: {sorted(unknown)}")
        rates: dict[Basis, list[tuple[date, Decimal]]] = {}
        flat: dict[Basis, list[tuple[date, int]]] = {}
        for section, value_key in (("rates", "percent"), ("flat", "amount")):
            table = data.get(section, {})
            if not isinstance(table, dict):
                raise ValueError(f"[{section}] must be a table")
            for code, entries in table.items():
                try:
                    basis = Basis(code)
                except ValueError:
                    raise ValueError(f"[{section}]: unknown fee basis {code!r}") from None
                where = f"{section}.{code}"
                if basis.is_flat != (section == "flat") or basis is Basis.MIEN:
                    raise ValueError(f"{where}: {code} does not take a {value_key}")
                dated = _dated(entries, where, value_key)
                if section == "rates":
                    rates[basis] = [(start, _percent(value, where)) for start, value in dated]
                else:
                    flat[basis] = [(start, _amount(value, where)) for start, value in dated]
        return cls(rates=rates, flat=flat, minimum_wages=_minimum_wages(data.get("minimum_wage")))

    @classmethod
    def load(cls) -> RateTable:
        """The table packaged with the code, read once per process."""
        return _default_table()

    @property
    def in_force_from(self) -> date:
        """The first day any fee rule of the table applies (2026-02-01 for 01-QĐ/TW)."""
        return self._first

    @property
    def change_dates(self) -> tuple[date, ...]:
        """Every day a figure of the table changes, sorted: between two of them, every month
        is computed alike (`services.fees.ledger` computes such months once)."""
        return self._changes

    def check_in_force(self, on: date) -> None:
        """Raise `NotInForce` when no fee rule of the table applies yet on `on`."""
        first = self.in_force_from
        if on < first:
            raise NotInForce("party fee rules", on, first)

    def rate(self, basis: Basis, on: date) -> Decimal:
        """The share of the base owed for `basis` on `on`, as a fraction (0.003 for 0.3 %)."""
        entries = self._rates.get(basis)
        if entries is None:
            raise ValueError(f"fee basis {basis.value} has no rate")
        return _lookup(entries, on, f"rate for {basis.value}")

    def flat_amount(self, basis: Basis, on: date) -> int:
        """The fixed monthly amount for a flat basis (students) on `on`, in đồng."""
        entries = self._flat.get(basis)
        if entries is None:
            raise ValueError(f"fee basis {basis.value} has no flat amount")
        return _lookup(entries, on, f"amount for {basis.value}")

    def minimum_wage(self, region: Region, on: date) -> int:
        """The monthly regional minimum wage of `region` on `on`, in đồng."""
        wages = _lookup(self._minimum_wages, on, "regional minimum wage")
        return wages[Region(region)]


def _minimum_wages(entries: object) -> list[tuple[date, dict[Region, int]]]:
    if not isinstance(entries, list) or not entries:
        raise ValueError("the rates file needs [[minimum_wage]] entries")
    result: list[tuple[date, dict[Region, int]]] = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise ValueError("each [[minimum_wage]] is a table")
        start = entry.get("from")
        if not _is_date(start):
            raise ValueError(f"minimum_wage: `from` must be a date, not {start!r}")
        assert isinstance(start, date)
        where = f"minimum_wage from {start.isoformat()}"
        unknown = set(entry) - {"from", "act", *(region.name for region in Region)}
        if unknown:
            raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
        if result and start <= result[-1][0]:
            raise ValueError("minimum_wage: entries must be in increasing `from` order")
        wages = {region: _amount(entry.get(region.name), where) for region in Region}
        result.append((start, wages))
    return result


@cache
def _default_table() -> RateTable:
    text = resources.files("services.fees").joinpath("data/rates.toml").read_text("utf-8")
    return RateTable.from_toml(text)


# --------------------------------------------------------------------------------------------
# A member's dues


class MissingBasis(ValueError):
    """The profile lacks what its basis needs: the income for bhxh, tro_cap and huu_tri, the
    region for the two khong_bhxh bases. The caller asks the member or the collector for it."""

    def __init__(self, basis: Basis, missing: Literal["income", "region"]) -> None:
        super().__init__(f"fee basis {basis.value} needs the member's {missing}")
        self.basis = basis
        self.missing = missing


@dataclass(frozen=True)
class FeeProfile:
    """What the rules need to know about a member for a month.

    `income` is the monthly base in whole đồng (insured salary of the month before, benefit or
    pension) for the income bases; `region` is the resolved region for the khong_bhxh bases. A
    profile may be incomplete while it is being filled in; `dues_for` says what is missing.
    `exemption` is set only once confirmed (for 50 years, by the collector), so the rules never
    exempt anyone on their own."""

    basis: Basis
    income: int | None = None
    region: Region | None = None
    exemption: ExemptionReason | None = None
    reduction: Reduction | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "basis", Basis(self.basis))
        if self.region is not None:
            object.__setattr__(self, "region", Region(self.region))
        if self.exemption is not None:
            object.__setattr__(self, "exemption", ExemptionReason(self.exemption))
        if self.income is not None and (not _is_int(self.income) or self.income < 0):
            raise ValueError(f"income is a whole, non-negative number of đồng: {self.income!r}")


class Step(StrEnum):
    """One step of the computation, for the UI to put into words."""

    RATE = "rate"
    """`rate` × `base` = `amount` (the base is the income or the region's minimum wage)."""
    FLAT = "flat"
    """The flat amount of the basis (students)."""
    EXEMPT = "exempt"
    """Nothing owed; `exemption` says why when the reason is known."""
    REDUCTION = "reduction"
    """`percent` % off for `reason`: the amount becomes `amount`."""
    ROUNDING = "rounding"
    """Rounded half-up to `unit`: the amount becomes `amount` (only when it changed it)."""


@dataclass(frozen=True)
class Part:
    """One step and the running amount after it, exact (before rounding it may have a fraction
    of a đồng, as 1 % of 8,123,456 đ = 81,234.56 đ)."""

    step: Step
    amount: Decimal
    rate: Decimal | None = None
    base: int | None = None
    region: Region | None = None
    percent: int | None = None
    reason: str | None = None
    exemption: ExemptionReason | None = None
    unit: Rounding | None = None


@dataclass(frozen=True)
class Dues:
    """What a member owes for `month` (the first of the month) and how it was found.

    `amount` is in whole đồng. `base` and `rate` (a fraction: 0.01 is 1 %) are set when the fee
    is a share of something; `region` when that something is the regional minimum wage. `parts`
    lists the steps in order, the last part's amount being `amount`."""

    month: date
    basis: Basis
    amount: int
    base: int | None
    rate: Decimal | None
    region: Region | None
    exemption: ExemptionReason | None
    reduction: Reduction | None
    rounding: Rounding
    parts: tuple[Part, ...]


def dues_for(
    profile: FeeProfile,
    month: date,
    *,
    rounding: Rounding = Rounding.DONG,
    table: RateTable | None = None,
) -> Dues:
    """The dues of `profile` for `month`'s month, under the rules in force on its first day.

    An exemption (or the basis `mien`) owes 0 and needs neither income nor region. Otherwise the
    rate is applied to the base exactly, a reduction covering the month takes its percentage
    off, and the result is rounded once, half-up, to `rounding`. Raises `MissingBasis` when the
    income or region the basis needs is not known, and `NotInForce` for a month before the
    table's rules apply (before February 2026 with the packaged table)."""
    rules = RateTable.load() if table is None else table
    first = month_start(month)
    rules.check_in_force(first)
    basis = profile.basis

    if profile.exemption is not None or basis is Basis.MIEN:
        exempt = Part(Step.EXEMPT, Decimal(0), exemption=profile.exemption)
        return Dues(first, basis, 0, None, None, None, profile.exemption, None, rounding, (exempt,))

    base: int | None = None
    rate: Decimal | None = None
    region: Region | None = None
    if basis.is_flat:
        amount = Decimal(rules.flat_amount(basis, first))
        parts = [Part(Step.FLAT, amount)]
    else:
        if basis.needs_region:
            if profile.region is None:
                raise MissingBasis(basis, "region")
            region = profile.region
            base = rules.minimum_wage(region, first)
        else:
            if profile.income is None:
                raise MissingBasis(basis, "income")
            base = profile.income
        rate = rules.rate(basis, first)
        amount = rate * base
        parts = [Part(Step.RATE, amount, rate=rate, base=base, region=region)]

    reduction = profile.reduction
    if reduction is not None and reduction.covers(first):
        amount = amount * Decimal(100 - reduction.percent).scaleb(-2)
        parts.append(
            Part(Step.REDUCTION, amount, percent=reduction.percent, reason=reduction.reason)
        )
    else:
        reduction = None

    owed = rounding.apply(amount)
    if owed != amount:
        parts.append(Part(Step.ROUNDING, Decimal(owed), unit=rounding))
    return Dues(first, basis, owed, base, rate, region, None, reduction, rounding, tuple(parts))


# --------------------------------------------------------------------------------------------
# Numbers as Vietnamese write them


def _plain(number: Decimal) -> tuple[str, str]:
    """The whole and fractional digits of a non-negative decimal, without trailing zeros."""
    whole, _, fraction = format(number, "f").partition(".")
    return whole, fraction.rstrip("0")


def format_vnd(amount: int | Decimal) -> str:
    """An amount as Vietnamese write money: dots between thousands, a comma before decimals,
    then " đ": 80000 → "80.000 đ", Decimal("81234.56") → "81.234,56 đ"."""
    value = Decimal(amount)
    whole, fraction = _plain(abs(value))
    text = f"{int(whole):,}".replace(",", ".")
    if fraction:
        text += f",{fraction}"
    return f"{'-' if value < 0 else ''}{text} đ"


def format_percent(rate: Decimal) -> str:
    """A rate (a fraction) as a Vietnamese percentage: 0.003 → "0,3 %", 0.01 → "1 %"."""
    whole, fraction = _plain(abs(rate).scaleb(2))
    return f"{'-' if rate < 0 else ''}{whole}{',' + fraction if fraction else ''} %"
