"""VietQR payloads: published samples byte for byte, the CRC, reading a code back, the memo and
reference rules, account numbers as treasurers type them, and the PNG decoded by a real reader.

Nothing here reads the clock: years and months are plain data passed in.
"""

from __future__ import annotations

import io

import pytest
import zxingcpp
from PIL import Image

from services.fees.vietqr import (
    DYNAMIC,
    MEMO_MAX,
    REFERENCE_MAX_ID,
    STATIC,
    Transfer,
    clean_account_number,
    crc16_ccitt_false,
    fields,
    member_id_from_reference,
    memo,
    parse_tlv,
    payload,
    payment_reference,
    render_png,
)

# Published samples that our builder must reproduce exactly.
SAMPLES = [
    # github.com/subiz/vietqr, README.md and vietqr_test.go (ExampleString): 120.000 đ to
    # VietinBank account 0011001932418, memo "ủng hộ lũ lụt" (sent without diacritics).
    (
        Transfer("970415", "0011001932418", 120000, "ung ho lu lut"),
        "00020101021238570010A00000072701270006970415011300110019324180208QRIBFTTA"
        "530370454061200005802VN62170813ung ho lu lut6304C15C",
    ),
    # github.com/subiz/vietqr, README.md and vietqr_test.go (TestQR): static code, no amount or
    # memo, TPBank 0099999999.
    (
        Transfer("970423", "0099999999", None, ""),
        "00020101021138540010A00000072701240006970423011000999999990208QRIBFTTA"
        "53037045802VN6304CBB4",
    ),
    # github.com/subiz/vietqr, vietqr_test.go (TestQR): MBBank, 40.123 đ, two memos.
    (
        Transfer("970422", "0023457923442", 40123, "test text string"),
        "00020101021238570010A00000072701270006970422011300234579234420208QRIBFTTA"
        "53037045405401235802VN62200816test text string6304D9C6",
    ),
    (
        Transfer("970422", "0023457923442", 40123, "chuyen khoan"),
        "00020101021238570010A00000072701270006970422011300234579234420208QRIBFTTA"
        "53037045405401235802VN62160812chuyen khoan6304722F",
    ),
    # github.com/xuannghia/vietnam-qr-pay, README.md ("VietQR Tĩnh"): ACB 257678859, static.
    (
        Transfer("970416", "257678859", None, ""),
        "00020101021138530010A0000007270123000697041601092576788590208QRIBFTTA"
        "53037045802VN6304AE9F",
    ),
    # github.com/xuannghia/vietnam-qr-pay, README.md ("VietQR Động"): 10.000 đ "Chuyen tien".
    (
        Transfer("970416", "257678859", 10000, "Chuyen tien"),
        "00020101021238530010A0000007270123000697041601092576788590208QRIBFTTA"
        "53037045405100005802VN62150811Chuyen tien630453E6",
    ),
    # github.com/xuannghia/vietnam-qr-pay, README.md ("Decode mã QR"): 1.000 đ "Chuyen tien".
    (
        Transfer("970416", "257678859", 1000, "Chuyen tien"),
        "00020101021238530010A0000007270123000697041601092576788590208QRIBFTTA"
        "5303704540410005802VN62150811Chuyen tien6304BBB8",
    ),
    # github.com/xuannghia/vietnam-qr-pay, README.md ("build() method"): 999.999 đ "Cam on nhe".
    (
        Transfer("970416", "257678859", 999999, "Cam on nhe"),
        "00020101021238530010A0000007270123000697041601092576788590208QRIBFTTA"
        "530370454069999995802VN62140810Cam on nhe6304E786",
    ),
]

# Published codes with fields our builder never writes; read back and CRC-checked only.
FOREIGN = [
    # NAPAS's specification example (62/01 bill number "NPS6869"), as the CRC test case in
    # github.com/subiz/vietqr vietqr_test.go (TestCrc, "2E2E").
    "00020101021238570010A00000072701270006970403011300110123456780208QRIBFTTA"
    "530370454061800005802VN62340107NPS68690819thanh toan don hang63042E2E",
    # github.com/duyquoc1508/napas-qr, README.md: ACB 224528479, 10.000 đ, order id + memo.
    "00020101021238530010A0000007270123000697041601092245284790208QRIBFTTA"
    "53037045405100005802VN62340107NPS68690819TRANSFER TO SOMEONE6304AC13",
    # pkg.go.dev/github.com/thanhtinhpas1/vietqr-parser, README: "12" without an amount and
    # a payload format indicator of "00" - the disagreement that made `initiation` a keyword.
    "00020001021238570010A00000072701270006970436011308810004580860208QRIBFTTA"
    "53037045802VN6304CD60",
]


@pytest.mark.parametrize(("transfer", "expected"), SAMPLES)
def test_published_samples_byte_for_byte(transfer: Transfer, expected: str) -> None:
    assert payload(transfer) == expected


def test_crc_known_answers() -> None:
    assert crc16_ccitt_false(b"123456789") == 0x29B1  # the catalogue's check value
    assert crc16_ccitt_false(b"") == 0xFFFF
    # github.com/subiz/vietqr vietqr_test.go (TestCrc).
    assert crc16_ccitt_false(b"00") == 0x2EC9
    assert crc16_ccitt_false(b"01") == 0x3EE8


@pytest.mark.parametrize("code", [expected for _, expected in SAMPLES] + FOREIGN)
def test_published_codes_pass_the_crc_check(code: str) -> None:
    assert fields(code)["63"] == code[-4:]


def test_round_trip_through_fields() -> None:
    transfer = Transfer("970405", "1500201234567", 30000, "DANG PHI DV0003 T12 2026")
    top = fields(payload(transfer))
    assert list(top) == ["00", "01", "38", "53", "54", "58", "62", "63"]
    assert top["00"] == "01"
    assert top["01"] == DYNAMIC
    assert top["53"] == "704"
    assert top["54"] == "30000"
    assert top["58"] == "VN"
    merchant = parse_tlv(top["38"])
    assert merchant == {"00": "A000000727", "01": merchant["01"], "02": "QRIBFTTA"}
    assert parse_tlv(merchant["01"]) == {"00": "970405", "01": "1500201234567"}
    assert parse_tlv(top["62"]) == {"08": "DANG PHI DV0003 T12 2026"}


def test_without_amount_the_code_is_static_and_has_no_amount() -> None:
    top = fields(payload(Transfer("970405", "1500201234567", None, "DANG PHI DV0003 T1 2027")))
    assert top["01"] == STATIC
    assert "54" not in top


def test_initiation_method_can_be_chosen() -> None:
    with_amount = Transfer("970405", "1500201234567", 30000, "")
    without_amount = Transfer("970405", "1500201234567", None, "")
    assert fields(payload(with_amount, initiation=STATIC))["01"] == "11"
    assert fields(payload(without_amount, initiation=DYNAMIC))["01"] == "12"
    with pytest.raises(ValueError):
        payload(with_amount, initiation="13")  # type: ignore[arg-type]


def test_a_wrong_crc_is_refused() -> None:
    good = payload(Transfer("970415", "0011001932418", 120000, "ung ho lu lut"))
    with pytest.raises(ValueError, match="CRC"):
        fields(good[:-4] + "C15D")
    with pytest.raises(ValueError, match="CRC"):
        fields(good.replace("120000", "920000"))  # the amount altered, CRC left alone
    with pytest.raises(ValueError):
        fields(good[:-8])  # no CRC field at all
    assert fields(good[:-4] + good[-4:].lower())["54"] == "120000"  # hex case is not data


@pytest.mark.parametrize(
    "transfer",
    [
        Transfer("97041", "0011001932418", None, ""),  # BIN of 5 digits
        Transfer("9704150", "0011001932418", None, ""),
        Transfer("97041A", "0011001932418", None, ""),
        Transfer("９７０４１５", "0011001932418", None, ""),  # full-width digits
        Transfer("970415", "12345", None, ""),  # account of 5 digits
        Transfer("970415", "1" * 20, None, ""),
        Transfer("970415", "0011 001932418", None, ""),  # the UI cleans, not the encoder
        Transfer("970415", "0011001932418", 0, ""),
        Transfer("970415", "0011001932418", -5, ""),
        Transfer("970415", "0011001932418", 10**13, ""),  # 14 digits
        Transfer("970415", "0011001932418", None, "Đảng phí"),  # not ASCII
        Transfer("970415", "0011001932418", None, "A" * (MEMO_MAX + 1)),
        Transfer("970415", "0011001932418", None, "line\nbreak"),
    ],
)
def test_payload_refuses_what_a_bank_app_would(transfer: Transfer) -> None:
    with pytest.raises(ValueError):
        payload(transfer)


def test_payload_limits_are_inclusive() -> None:
    code = payload(Transfer("970415", "1" * 19, 10**13 - 1, "A" * MEMO_MAX))
    top = fields(code)
    assert top["54"] == "9" * 13
    assert parse_tlv(top["62"]) == {"08": "A" * MEMO_MAX}
    assert fields(payload(Transfer("970415", "123456", None, "")))["01"] == STATIC


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("0011001932418", "0011001932418"),
        ("0011 0019 32418", "0011001932418"),
        ("0011.001.932418", "0011001932418"),
        ("0011-001-932418", "0011001932418"),
        (" 1500 2012 34567 ", "1500201234567"),
        ("123456", "123456"),  # 6 digits: the shortest accepted
        ("1" * 19, "1" * 19),  # 19: the longest
        ("12345", None),  # 5 digits
        ("1" * 20, None),  # 20 digits
        ("0011OO1932418", None),  # letters (O for 0)
        ("STK 0011001932418", None),
        ("0011/001/932418", None),
        ("", None),
        ("٠٠١١٠٠١٩٣٢٤١٨", None),  # Arabic-Indic digits are not an account number
    ],
)
def test_clean_account_number(typed: str, expected: str | None) -> None:
    assert clean_account_number(typed) == expected


def test_memo_for_a_member_code() -> None:
    assert memo("DV0003", 2026, 12) == "DANG PHI DV0003 T12 2026"
    assert memo("dv0003", 2027, 1) == "DANG PHI DV0003 T1 2027"


def test_memo_strips_vietnamese_diacritics_and_punctuation_from_the_code() -> None:
    assert memo("Đv-0003", 2026, 12) == "DANG PHI DV0003 T12 2026"
    assert memo("ĐẢNG.07", 2026, 3) == "DANG PHI DANG07 T3 2026"
    text = memo("Ư Ơ 12", 2026, 12)
    assert text == "DANG PHI UO12 T12 2026"
    assert text.isascii() and text == text.upper()


def test_memo_fits_vietqr_and_falls_back_to_the_reference() -> None:
    assert len(memo("DV00003", 2026, 12)) == MEMO_MAX  # 7 characters still fit in December
    long_code = "CB-HANOI-000123"
    reference = payment_reference(123)
    assert memo(long_code, 2026, 12, reference=reference) == f"DANG PHI {reference} T12 2026"
    assert memo(long_code, 2026, 12, reference="DP7K3Q") == "DANG PHI DP7K3Q T12 2026"
    assert memo("DV0003", 2026, 12, reference="DP7K3Q") == "DANG PHI DV0003 T12 2026"
    with pytest.raises(ValueError):
        memo(long_code, 2026, 12)
    with pytest.raises(ValueError):
        memo(long_code, 2026, 12, reference="REFERENCE-TOO-LONG")
    # A code with nothing usable in ASCII needs the reference too.
    assert memo("---", 2026, 5, reference=reference) == f"DANG PHI {reference} T5 2026"


@pytest.mark.parametrize(("year", "month"), [(2026, 0), (2026, 13), (26, 12), (20260, 1)])
def test_memo_refuses_impossible_periods(year: int, month: int) -> None:
    with pytest.raises(ValueError):
        memo("DV0003", year, month)


def test_every_memo_is_a_valid_payload_memo() -> None:
    reference = payment_reference(REFERENCE_MAX_ID)
    for month in range(1, 13):
        text = memo("CODE-TOO-LONG-FOR-IT", 2026, month, reference=reference)
        payload(Transfer("970415", "0011001932418", 25000, text))


def test_payment_reference_is_short_stable_and_unambiguous() -> None:
    refs = [payment_reference(i) for i in range(5000)]
    assert len(set(refs)) == len(refs)
    assert payment_reference(99) == "DP0033Q"  # pinned: references are printed and stored
    assert payment_reference(99) == payment_reference(99)
    for ref in [*refs, payment_reference(REFERENCE_MAX_ID)]:
        assert len(ref) <= 8 and ref.startswith("DP") and ref.isalnum() and ref.isupper()
        assert not set(ref[2:]) & set("ILOU")
    with pytest.raises(ValueError):
        payment_reference(-1)
    with pytest.raises(ValueError):
        payment_reference(REFERENCE_MAX_ID + 1)


def test_payment_reference_reads_back_and_catches_a_typo() -> None:
    for member_id in (0, 1, 99, 4242, REFERENCE_MAX_ID):
        assert member_id_from_reference(payment_reference(member_id)) == member_id
    assert member_id_from_reference(" dp0033q ") == 99
    ref = payment_reference(4242)
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    for pos in range(2, len(ref)):  # every single mistyped symbol is caught
        for other in alphabet:
            if other != ref[pos]:
                assert member_id_from_reference(ref[:pos] + other + ref[pos + 1 :]) is None
    assert member_id_from_reference("DV0003") is None
    assert member_id_from_reference("DP0033") is None


def _decode(png: bytes) -> list[zxingcpp.Barcode]:
    return list(zxingcpp.read_barcodes(Image.open(io.BytesIO(png))))


@pytest.mark.parametrize("transfer", [t for t, _ in SAMPLES[:2]])
def test_the_png_decodes_back_to_the_payload(transfer: Transfer) -> None:
    code = payload(transfer)
    png = render_png(code)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    found = _decode(png)
    assert len(found) == 1
    assert found[0].format == zxingcpp.BarcodeFormat.QRCode
    assert found[0].text == code
    assert found[0].ec_level == "M"


def test_a_fee_code_png_decodes_at_a_small_scale_too() -> None:
    text = memo("Đv-0003", 2026, 12)
    code = payload(Transfer("970405", "1500201234567", 30000, text))
    small, large = render_png(code, scale=3), render_png(code, scale=8)
    assert len(small) < len(large)
    assert [b.text for b in _decode(small)] == [code]
    width, height = Image.open(io.BytesIO(large)).size
    assert width == height and width % 8 == 0  # whole modules, quiet zone included


def test_render_png_refuses_a_bad_scale() -> None:
    with pytest.raises(ValueError):
        render_png("x", scale=0)


def test_the_transfer_details_never_fail_for_a_long_code_or_a_large_member_id() -> None:
    """The member's code when it fits, the short reference when it does not, and beyond the
    references' range (a national database) the month alone, never an error on /dangphi."""
    from services.fees import vietqr
    from services.fees.views import transfer_details

    def note(code: str, member_id: int) -> str:
        details = transfer_details(
            bank_bin="970415",
            bank_name="VietinBank",
            account="0011001932418",
            holder="DANG UY SO Y TE",
            personal=False,
            amount=80_000,
            member_id=member_id,
            member_code=code,
            year=2026,
            month=12,
        )
        assert vietqr.fields(details.payload)["54"] == "80000"
        return details.text.rsplit("Nội dung: ", 1)[1]

    assert note("DV0003", 5) == "DANG PHI DV0003 T12 2026"
    assert note("CB-TINH-2026-000123", 77) == f"DANG PHI {vietqr.payment_reference(77)} T12 2026"
    assert note("CB-TINH-2026-000123", 5_000_000) == "DANG PHI T12 2026"
