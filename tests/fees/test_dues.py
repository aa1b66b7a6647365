"""The party-fee rules of 01-QĐ/TW: rates by basis and date, regions, exemptions, reductions,
rounding. Every date is given explicitly: the rules never read the clock."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.fees.dues import (
    Basis,
    Dues,
    ExemptionReason,
    FeeProfile,
    MissingBasis,
    NotInForce,
    Part,
    RateTable,
    Reduction,
    Region,
    Rounding,
    Step,
    add_months,
    dues_for,
    eligible_for_50_years,
    format_percent,
    format_vnd,
    month_start,
    months_between,
    resolve_region,
    years_of_membership,
)

MAR_2026 = date(2026, 3, 1)


def owed(profile: FeeProfile, month: date, **kwargs: object) -> int:
    return dues_for(profile, month, **kwargs).amount  # type: ignore[arg-type]


# --- the packaged table -------------------------------------------------------------------


def test_packaged_table_loads_once_and_starts_with_01_qd_tw() -> None:
    table = RateTable.load()
    assert table is RateTable.load()
    assert table.in_force_from == date(2026, 2, 1)


@pytest.mark.parametrize(
    ("region", "wage_2024", "wage_2026"),
    [
        (Region.I, 4_960_000, 5_310_000),
        (Region.II, 4_410_000, 4_730_000),
        (Region.III, 3_860_000, 4_140_000),
        (Region.IV, 3_450_000, 3_700_000),
    ],
)
def test_minimum_wage_switches_from_decree_74_2024_to_293_2025_on_1_january_2026(
    region: Region, wage_2024: int, wage_2026: int
) -> None:
    table = RateTable.load()
    assert table.minimum_wage(region, date(2024, 7, 1)) == wage_2024
    assert table.minimum_wage(region, date(2025, 12, 31)) == wage_2024
    assert table.minimum_wage(region, date(2026, 1, 1)) == wage_2026
    assert table.minimum_wage(region, date(2030, 6, 1)) == wage_2026


def test_minimum_wage_before_the_first_entry_is_refused() -> None:
    with pytest.raises(NotInForce, match="2024-07-01"):
        RateTable.load().minimum_wage(Region.I, date(2024, 6, 30))


def test_rates_are_exact_fractions() -> None:
    table = RateTable.load()
    assert table.rate(Basis.BHXH, MAR_2026) == Decimal("0.01")
    assert table.rate(Basis.HUU_TRI, MAR_2026) == Decimal("0.005")
    assert table.rate(Basis.KHONG_BHXH, MAR_2026) == Decimal("0.003")
    assert table.flat_amount(Basis.HOC_SINH, MAR_2026) == 5_000
    with pytest.raises(ValueError, match="no rate"):
        table.rate(Basis.HOC_SINH, MAR_2026)
    with pytest.raises(ValueError, match="no flat amount"):
        table.flat_amount(Basis.BHXH, MAR_2026)


# --- each basis ---------------------------------------------------------------------------


def test_bhxh_is_1_percent_of_the_insured_salary() -> None:
    dues = dues_for(FeeProfile(Basis.BHXH, income=8_000_000), MAR_2026)
    assert dues == Dues(
        month=MAR_2026,
        basis=Basis.BHXH,
        amount=80_000,
        base=8_000_000,
        rate=Decimal("0.01"),
        region=None,
        exemption=None,
        reduction=None,
        rounding=Rounding.DONG,
        parts=(Part(Step.RATE, Decimal(80_000), rate=Decimal("0.01"), base=8_000_000),),
    )


def test_tro_cap_is_1_percent_of_the_benefit() -> None:
    assert owed(FeeProfile(Basis.TRO_CAP, income=6_500_000), MAR_2026) == 65_000


def test_huu_tri_is_half_a_percent_of_the_pension() -> None:
    assert owed(FeeProfile(Basis.HUU_TRI, income=7_300_000), MAR_2026) == 36_500


def test_hoc_sinh_pays_the_flat_amount() -> None:
    dues = dues_for(FeeProfile(Basis.HOC_SINH), MAR_2026)
    assert (dues.amount, dues.base, dues.rate) == (5_000, None, None)
    assert dues.parts == (Part(Step.FLAT, Decimal(5_000)),)


def test_mien_owes_nothing_and_needs_nothing() -> None:
    dues = dues_for(FeeProfile(Basis.MIEN), MAR_2026)
    assert dues.amount == 0
    assert dues.parts == (Part(Step.EXEMPT, Decimal(0)),)


@pytest.mark.parametrize(
    ("region", "amount"),
    [(Region.I, 15_930), (Region.II, 14_190), (Region.III, 12_420), (Region.IV, 11_100)],
)
def test_khong_bhxh_is_0_3_percent_of_the_regional_minimum_wage_in_2026(
    region: Region, amount: int
) -> None:
    dues = dues_for(FeeProfile(Basis.KHONG_BHXH, region=region), MAR_2026)
    assert dues.amount == amount
    assert dues.region is region
    assert dues.parts[0].amount == Decimal(amount)  # exact: no float anywhere


@pytest.mark.parametrize(
    ("region", "amount"),
    [(Region.I, 10_620), (Region.II, 9_460), (Region.III, 8_280), (Region.IV, 7_400)],
)
def test_khong_bhxh_cao_tuoi_is_0_2_percent_in_2026(region: Region, amount: int) -> None:
    assert owed(FeeProfile(Basis.KHONG_BHXH_CAO_TUOI, region=region), MAR_2026) == amount


def test_khong_bhxh_rises_to_0_5_percent_on_1_january_2028() -> None:
    profile = FeeProfile(Basis.KHONG_BHXH, region=Region.III)
    assert owed(profile, date(2027, 12, 1)) == 12_420
    assert owed(profile, date(2028, 1, 1)) == 20_700
    assert dues_for(profile, date(2028, 1, 31)).rate == Decimal("0.005")


def test_khong_bhxh_cao_tuoi_rises_to_0_3_percent_on_1_january_2028() -> None:
    profile = FeeProfile(Basis.KHONG_BHXH_CAO_TUOI, region=Region.I)
    assert owed(profile, date(2027, 12, 1)) == 10_620
    assert owed(profile, date(2028, 1, 1)) == 15_930


def test_any_day_of_the_month_gives_the_month() -> None:
    dues = dues_for(FeeProfile(Basis.BHXH, income=5_000_000), date(2026, 3, 31))
    assert dues.month == MAR_2026


# --- months before 01-QĐ/TW ---------------------------------------------------------------


@pytest.mark.parametrize(
    "profile",
    [
        FeeProfile(Basis.BHXH, income=8_000_000),
        FeeProfile(Basis.KHONG_BHXH, region=Region.I),
        FeeProfile(Basis.HOC_SINH),
        FeeProfile(Basis.MIEN),
        FeeProfile(Basis.BHXH, income=8_000_000, exemption=ExemptionReason.SOCIAL_PENSION),
    ],
)
def test_a_month_before_february_2026_is_refused_not_computed_under_old_rules(
    profile: FeeProfile,
) -> None:
    """342-QĐ/TW's rates are not in the table: January 2026 and earlier are refused."""
    with pytest.raises(NotInForce, match="2026-02-01") as caught:
        dues_for(profile, date(2026, 1, 31))
    assert caught.value.first == date(2026, 2, 1)
    assert owed(profile, date(2026, 2, 1)) >= 0


def test_dues_use_the_minimum_wage_of_the_first_day_of_the_month() -> None:
    """With rules dated before 2026 (a table of one's own), December 2025 uses Decree 74's
    wage and January 2026 Decree 293's."""
    table = RateTable.from_toml(
        """
        [rates]
        bhxh = [{ from = 2025-01-01, percent = 1 }]
        tro_cap = [{ from = 2025-01-01, percent = 1 }]
        huu_tri = [{ from = 2025-01-01, percent = 0.5 }]
        khong_bhxh = [{ from = 2025-01-01, percent = 0.3 }]
        khong_bhxh_cao_tuoi = [{ from = 2025-01-01, percent = 0.2 }]
        [flat]
        hoc_sinh = [{ from = 2025-01-01, amount = 5000 }]
        [[minimum_wage]]
        from = 2024-07-01
        I = 4_960_000
        II = 4_410_000
        III = 3_860_000
        IV = 3_450_000
        [[minimum_wage]]
        from = 2026-01-01
        I = 5_310_000
        II = 4_730_000
        III = 4_140_000
        IV = 3_700_000
        """
    )
    profile = FeeProfile(Basis.KHONG_BHXH, region=Region.III)
    assert owed(profile, date(2025, 12, 1), table=table) == 11_580
    assert owed(profile, date(2026, 1, 1), table=table) == 12_420


# --- missing basis ------------------------------------------------------------------------


@pytest.mark.parametrize("basis", [Basis.BHXH, Basis.TRO_CAP, Basis.HUU_TRI])
def test_income_bases_without_income_raise_missing_basis(basis: Basis) -> None:
    with pytest.raises(MissingBasis) as caught:
        dues_for(FeeProfile(basis, region=Region.I), MAR_2026)
    assert (caught.value.basis, caught.value.missing) == (basis, "income")
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("basis", [Basis.KHONG_BHXH, Basis.KHONG_BHXH_CAO_TUOI])
def test_region_bases_without_region_raise_missing_basis(basis: Basis) -> None:
    with pytest.raises(MissingBasis, match="region") as caught:
        dues_for(FeeProfile(basis, income=8_000_000), MAR_2026)
    assert caught.value.missing == "region"


def test_an_exempt_member_needs_no_income() -> None:
    profile = FeeProfile(Basis.BHXH, exemption=ExemptionReason.MEMBERSHIP_50_YEARS)
    assert owed(profile, MAR_2026) == 0


def test_income_must_be_a_non_negative_whole_number() -> None:
    with pytest.raises(ValueError, match="income"):
        FeeProfile(Basis.BHXH, income=-1)
    with pytest.raises(ValueError, match="income"):
        FeeProfile(Basis.BHXH, income=True)


def test_profile_coerces_stored_codes() -> None:
    profile = FeeProfile("khong_bhxh", region=2)  # type: ignore[arg-type]
    assert profile.basis is Basis.KHONG_BHXH
    assert profile.region is Region.II


# --- exemptions ---------------------------------------------------------------------------


@pytest.mark.parametrize("reason", list(ExemptionReason))
def test_every_exemption_owes_nothing(reason: ExemptionReason) -> None:
    reduction = Reduction(30, "ốm", MAR_2026, 3)
    profile = FeeProfile(Basis.BHXH, income=9_000_000, exemption=reason, reduction=reduction)
    dues = dues_for(profile, MAR_2026)
    assert (dues.amount, dues.exemption, dues.reduction) == (0, reason, None)
    assert dues.parts == (Part(Step.EXEMPT, Decimal(0), exemption=reason),)


def test_which_exemptions_are_on_request() -> None:
    assert {reason for reason in ExemptionReason if reason.on_request} == {
        ExemptionReason.POOR_HOUSEHOLD,
        ExemptionReason.SERIOUS_ILLNESS,
    }


def test_50_years_are_completed_on_the_anniversary() -> None:
    joined = date(1976, 3, 1)
    assert years_of_membership(joined, date(2026, 2, 1)) == 49
    assert years_of_membership(joined, date(2026, 3, 1)) == 50
    assert not eligible_for_50_years(joined, date(2026, 2, 1))
    assert eligible_for_50_years(joined, date(2026, 3, 1))
    assert eligible_for_50_years(joined, date(2026, 3, 20))  # any day names the month


def test_joining_after_the_first_waits_for_the_next_month() -> None:
    joined = date(1976, 3, 15)
    assert not eligible_for_50_years(joined, date(2026, 3, 1))
    assert not eligible_for_50_years(joined, date(2026, 3, 31))
    assert eligible_for_50_years(joined, date(2026, 4, 1))


def test_joining_on_29_february_completes_on_1_march() -> None:
    joined = date(1976, 2, 29)
    assert not eligible_for_50_years(joined, date(2026, 2, 1))
    assert eligible_for_50_years(joined, date(2026, 3, 1))


def test_years_of_membership_is_never_negative() -> None:
    assert years_of_membership(date(2026, 5, 1), date(2026, 2, 1)) == 0
    assert years_of_membership(date(2000, 1, 1), date(2026, 1, 1)) == 26


# --- reductions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("percent", "amount"), [(30, 56_000), (50, 40_000), (70, 24_000), (100, 0)]
)
def test_reductions_take_their_percentage_off(percent: int, amount: int) -> None:
    reduction = Reduction(percent, "hoàn cảnh khó khăn", MAR_2026, 2)
    dues = dues_for(FeeProfile(Basis.BHXH, income=8_000_000, reduction=reduction), MAR_2026)
    assert dues.amount == amount
    assert dues.reduction == reduction
    assert dues.parts[-1] == Part(
        Step.REDUCTION, Decimal(amount), percent=percent, reason="hoàn cảnh khó khăn"
    )


@pytest.mark.parametrize("months", [1, 3, 12])
def test_a_reduction_expires_by_itself_after_its_months(months: int) -> None:
    start = date(2026, 4, 1)
    reduction = Reduction(50, "nhà bị bão", start, months)
    profile = FeeProfile(Basis.BHXH, income=8_000_000, reduction=reduction)
    covered = months_between(start, reduction.last_month)
    assert len(covered) == months
    assert all(owed(profile, month) == 40_000 for month in covered)
    assert reduction.until == add_months(start, months)
    after = dues_for(profile, reduction.until)
    assert (after.amount, after.reduction) == (80_000, None)
    assert owed(profile, date(2026, 3, 1)) == 80_000  # not before it starts either


def test_reduction_start_is_stored_as_its_month() -> None:
    reduction = Reduction(30, "lý do", date(2026, 5, 17), 1)
    assert reduction.start == date(2026, 5, 1)
    assert reduction.covers(date(2026, 5, 31))
    assert not reduction.covers(date(2026, 6, 1))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"months": 13}, "1 to 12 months"),
        ({"months": 0}, "1 to 12 months"),
        ({"percent": 40}, "30, 50, 70, 100"),
        ({"percent": 0}, "30, 50, 70, 100"),
        ({"reason": "   "}, "reason"),
        ({"reason": ""}, "reason"),
    ],
)
def test_invalid_reductions_are_refused(kwargs: dict[str, object], message: str) -> None:
    values: dict[str, object] = {"percent": 30, "reason": "ốm", "start": MAR_2026, "months": 6}
    values.update(kwargs)
    with pytest.raises(ValueError, match=message):
        Reduction(**values)  # type: ignore[arg-type]


# --- rounding -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rounding", "value", "expected"),
    [
        (Rounding.FIVE_HUNDRED, "12250", 12_500),
        (Rounding.FIVE_HUNDRED, "12249", 12_000),
        (Rounding.FIVE_HUNDRED, "12249.99", 12_000),
        (Rounding.THOUSAND, "12500", 13_000),
        (Rounding.THOUSAND, "12499", 12_000),
        (Rounding.DONG, "81234.5", 81_235),
        (Rounding.DONG, "81234.49", 81_234),
        (Rounding.DONG, "0", 0),
    ],
)
def test_rounding_is_half_up_to_the_unit(rounding: Rounding, value: str, expected: int) -> None:
    assert rounding.apply(Decimal(value)) == expected


def test_the_default_rounds_to_the_dong() -> None:
    dues = dues_for(FeeProfile(Basis.BHXH, income=8_123_456), MAR_2026)
    assert dues.rounding is Rounding.DONG
    assert dues.amount == 81_235
    assert [part.step for part in dues.parts] == [Step.RATE, Step.ROUNDING]
    assert dues.parts[0].amount == Decimal("81234.56")


def test_rounding_to_500_for_cash() -> None:
    profile = FeeProfile(Basis.KHONG_BHXH, region=Region.III)
    dues = dues_for(profile, MAR_2026, rounding=Rounding.FIVE_HUNDRED)
    assert dues.amount == 12_500
    assert dues.parts[-1] == Part(Step.ROUNDING, Decimal(12_500), unit=Rounding.FIVE_HUNDRED)
    assert owed(profile, MAR_2026, rounding=Rounding.THOUSAND) == 12_000


def test_rounding_comes_once_after_the_reduction() -> None:
    """0.3 % of 4,140,000 = 12,420; 30 % off = 8,694; to 500 → 8,500 (not 12,500 × 0.7)."""
    reduction = Reduction(30, "khó khăn", MAR_2026, 1)
    profile = FeeProfile(Basis.KHONG_BHXH, region=Region.III, reduction=reduction)
    dues = dues_for(profile, MAR_2026, rounding=Rounding.FIVE_HUNDRED)
    assert [part.amount for part in dues.parts] == [Decimal(12_420), Decimal(8_694), Decimal(8_500)]
    assert dues.amount == 8_500


def test_no_rounding_step_when_nothing_changes() -> None:
    dues = dues_for(FeeProfile(Basis.HOC_SINH), MAR_2026, rounding=Rounding.THOUSAND)
    assert (dues.amount, len(dues.parts)) == (5_000, 1)


# --- parsing ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "basis"),
    [
        ("bhxh", Basis.BHXH),
        ("BHXH", Basis.BHXH),
        ("Có BHXH", Basis.BHXH),
        ("bảo hiểm xã hội", Basis.BHXH),
        ("tro_cap", Basis.TRO_CAP),
        ("Thai sản", Basis.TRO_CAP),
        ("om dau", Basis.TRO_CAP),
        ("huu_tri", Basis.HUU_TRI),
        ("Lương hưu", Basis.HUU_TRI),
        ("HƯU TRÍ", Basis.HUU_TRI),
        ("khong_bhxh", Basis.KHONG_BHXH),
        ("Không có bảo hiểm xã hội", Basis.KHONG_BHXH),
        ("khong tham gia bhxh", Basis.KHONG_BHXH),
        ("khong_bhxh_cao_tuoi", Basis.KHONG_BHXH_CAO_TUOI),
        ("Cao tuổi", Basis.KHONG_BHXH_CAO_TUOI),
        ("hoc_sinh", Basis.HOC_SINH),
        ("Sinh viên", Basis.HOC_SINH),
        ("HS-SV", Basis.HOC_SINH),
        ("  mien ", Basis.MIEN),
        ("Miễn đóng", Basis.MIEN),
    ],
)
def test_basis_parse(text: str, basis: Basis) -> None:
    assert Basis.parse(text) is basis


@pytest.mark.parametrize("text", ["", "bh", "hưu trí xã hội", "luong 1%"])
def test_basis_parse_refuses_unknown_labels(text: str) -> None:
    with pytest.raises(ValueError, match="unknown fee basis"):
        Basis.parse(text)


@pytest.mark.parametrize(
    ("text", "region"),
    [
        ("I", Region.I),
        ("II", Region.II),
        ("iii", Region.III),
        ("IV", Region.IV),
        ("1", Region.I),
        ("4", Region.IV),
        ("vùng II", Region.II),
        ("Vùng IV", Region.IV),
        ("vung 3", Region.III),
        (" VÙNG 1 ", Region.I),
    ],
)
def test_region_parse(text: str, region: Region) -> None:
    assert Region.parse(text) is region


@pytest.mark.parametrize("text", ["", "V", "5", "0", "vung", "vùng 2a", "IIII"])
def test_region_parse_refuses_others(text: str) -> None:
    with pytest.raises(ValueError, match="unknown region"):
        Region.parse(text)


def test_region_is_the_members_override_else_the_nearest_unit() -> None:
    assert resolve_region(Region.I, [Region.III]) is Region.I
    assert resolve_region(None, [None, Region.II, Region.IV]) is Region.II
    assert resolve_region(None, [None, None]) is None


# --- formatting and months ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (80_000, "80.000 đ"),
        (0, "0 đ"),
        (5_000, "5.000 đ"),
        (999, "999 đ"),
        (1_234_567, "1.234.567 đ"),
        (-12_500, "-12.500 đ"),
        (Decimal("81234.56"), "81.234,56 đ"),
        (Decimal("12420.000"), "12.420 đ"),
    ],
)
def test_format_vnd(amount: int | Decimal, text: str) -> None:
    assert format_vnd(amount) == text


def test_parts_say_1_percent_of_8_million_is_80_thousand() -> None:
    (part,) = dues_for(FeeProfile(Basis.BHXH, income=8_000_000), MAR_2026).parts
    assert part.rate is not None and part.base is not None
    line = f"{format_percent(part.rate)} × {format_vnd(part.base)} = {format_vnd(part.amount)}"
    assert line == "1 % × 8.000.000 đ = 80.000 đ"
    assert format_percent(Decimal("0.003")) == "0,3 %"
    assert format_percent(Decimal("0.005")) == "0,5 %"


def test_months_between_is_inclusive() -> None:
    assert months_between(date(2026, 11, 20), date(2027, 2, 3)) == [
        date(2026, 11, 1),
        date(2026, 12, 1),
        date(2027, 1, 1),
        date(2027, 2, 1),
    ]
    assert months_between(MAR_2026, MAR_2026) == [MAR_2026]
    assert months_between(date(2026, 4, 1), MAR_2026) == []
    assert month_start(date(2026, 3, 31)) == MAR_2026
    assert add_months(date(2026, 11, 1), 14) == date(2028, 1, 1)
    assert add_months(date(2026, 1, 1), -1) == date(2025, 12, 1)


# --- the table refuses bad data ------------------------------------------------------------

_GOOD = """
[rates]
bhxh = [{ from = 2026-02-01, percent = 1 }]
tro_cap = [{ from = 2026-02-01, percent = 1 }]
huu_tri = [{ from = 2026-02-01, percent = 0.5 }]
khong_bhxh = [{ from = 2026-02-01, percent = 0.3 }, { from = 2028-01-01, percent = 0.5 }]
khong_bhxh_cao_tuoi = [{ from = 2026-02-01, percent = 0.2 }]
[flat]
hoc_sinh = [{ from = 2026-02-01, amount = 5000 }]
[[minimum_wage]]
from = 2026-01-01
I = 5_310_000
II = 4_730_000
III = 4_140_000
IV = 3_700_000
"""


def test_a_well_formed_table_loads() -> None:
    table = RateTable.from_toml(_GOOD)
    assert table.rate(Basis.KHONG_BHXH, date(2028, 1, 1)) == Decimal("0.005")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("huu_tri = [{ from = 2026-02-01, percent = 0.5 }]\n", "", "no rate for huu_tri"),
        ("from = 2028-01-01", "from = 2025-01-01", "increasing"),
        ("percent = 0.2", "percent = 0", "above 0"),
        ("percent = 0.2", 'percent = "0.2"', "a number"),
        ("amount = 5000", "amount = 5000.5", "positive whole"),
        ("IV = 3_700_000\n", "", "positive whole"),
        ("from = 2026-01-01", "from = 2026-03-01", "before the first regional"),
        ("[flat]", "[flat]\nbhxh = [{ from = 2026-02-01, amount = 1 }]", "does not take"),
        ("[flat]", "[flat]\nxyz = [{ from = 2026-02-01, amount = 1 }]", "unknown fee basis"),
    ],
)
def test_a_bad_table_is_refused(old: str, new: str, message: str) -> None:
    assert old in _GOOD
    with pytest.raises(ValueError, match=message):
        RateTable.from_toml(_GOOD.replace(old, new, 1))
