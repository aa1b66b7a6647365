"""The NAPAS bank list shipped with the fees feature, and finding a bank the way a treasurer
names it."""

from __future__ import annotations

import json
from importlib import resources

from services.fees.banks import Bank, all_banks, by_bin, find
from services.textnorm import fold_words


def test_the_json_loads_with_its_source() -> None:
    raw = resources.files("services.fees").joinpath("data").joinpath("napas_banks.json")
    doc = json.loads(raw.read_text(encoding="utf-8"))
    assert doc["source"].startswith("https://")
    assert len(doc["banks"]) == len(all_banks())
    assert 50 <= len(all_banks()) <= 80


def test_bins_are_unique_six_digit_numbers() -> None:
    bins = [bank.bin for bank in all_banks()]
    assert len(set(bins)) == len(bins)
    assert all(len(b) == 6 and b.isascii() and b.isdigit() for b in bins)
    assert all(bank.short_name and bank.name == bank.name.strip() for bank in all_banks())


def test_sorted_by_short_name_and_cached() -> None:
    keys = [fold_words(bank.short_name) for bank in all_banks()]
    assert keys == sorted(keys)
    assert all_banks() is all_banks()


def test_well_known_banks_are_present() -> None:
    expected = {
        "970415": "VietinBank",
        "970436": "Vietcombank",
        "970418": "BIDV",
        "970405": "Agribank",
        "970422": "MBBank",
        "970407": "Techcombank",
        "970416": "ACB",
        "970432": "VPBank",
        "970423": "TPBank",
        "970403": "Sacombank",
    }
    for bin_, short_name in expected.items():
        bank = by_bin(bin_)
        assert bank is not None and bank.short_name == short_name
    vietin = by_bin("970415")
    assert vietin == Bank("970415", "VietinBank", "Ngân hàng TMCP Công thương Việt Nam")
    assert by_bin("123456") is None
    assert by_bin(" 970436 ") == by_bin("970436")


def test_find_by_part_of_the_short_name() -> None:
    assert [b.bin for b in find("vietin")] == ["970415"]
    assert [b.bin for b in find("VIETINBANK")] == ["970415"]
    assert [b.bin for b in find("MB Bank")] == ["970422"]
    assert find("agri")[0].short_name == "Agribank"


def test_find_by_the_full_vietnamese_name_without_diacritics() -> None:
    found = find("ngan hang cong thuong")
    assert found[0].bin == "970415"  # VietinBank first, SaigonBank's name has words between
    assert {b.bin for b in found} == {"970415", "970400"}
    assert find("Ngân hàng Công Thương")[0].bin == "970415"
    assert [b.bin for b in find("đầu tư và phát triển")] == ["970418"]


def test_find_by_bin() -> None:
    assert [b.short_name for b in find("970436")] == ["Vietcombank"]
    assert len(find("9704")) > 30  # a BIN's start lists every bank it fits


def test_find_nothing() -> None:
    assert find("") == []
    assert find("   ") == []
    assert find("ngan hang sao hoa") == []
