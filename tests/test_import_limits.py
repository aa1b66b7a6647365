"""Size limits of the import: big files and zip bombs are refused before anything is parsed.

Nothing here writes a big file: oversized files are sparse (`truncate`), a zip bomb either
declares a huge size in its central directory or meets a limit lowered with monkeypatch.
"""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import openpyxl
import pytest

from services import importer
from services.importer import (
    MAX_FILE_BYTES,
    MAX_XLSX_UNPACKED_BYTES,
    ImportFailed,
    RowError,
    read_rows,
)
from tests.test_cli import _env, _run
from tests.test_import import base_rows, write_csv, write_xlsx

TOO_LARGE = (
    "nặng 51 MB, vượt giới hạn 50 MB. "
    "Hãy xóa các cột không cần hoặc chia danh sách thành nhiều tệp nhỏ hơn."
)
BOMB = (
    "khi giải nén lớn hơn {limit} MB, quá lớn đối với một danh sách đảng viên "
    "(tệp có thể bị hỏng hoặc chứa ảnh, dữ liệu khác). Hãy chép riêng danh sách sang một tệp "
    ".xlsx mới hoặc chia thành nhiều tệp nhỏ hơn."
)


def sparse_file(path: Path, size: int) -> Path:
    """A file of `size` bytes that takes no disk space and no time to write."""
    with path.open("wb") as handle:
        handle.truncate(size)
    return path


def file_error(path: Path) -> RowError:
    with pytest.raises(ImportFailed) as caught:
        read_rows(path)
    assert len(caught.value.errors) == 1, caught.value.errors
    error = caught.value.errors[0]
    assert error.row == 0  # a file-level error: no "Dòng n:"
    assert str(error) == error.message
    return error


@pytest.fixture
def openpyxl_forbidden(monkeypatch: pytest.MonkeyPatch) -> None:
    """The limits must act before openpyxl opens (and inflates) anything."""

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("openpyxl.load_workbook called on a file over the limits")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)


def test_limits_allow_a_large_province_and_stop_far_short_of_gigabytes() -> None:
    """Documented choice (docs/import.md): tens of MB on disk, a few hundred MB unpacked."""
    assert MAX_FILE_BYTES == 50 * 1024 * 1024
    assert MAX_XLSX_UNPACKED_BYTES == 256 * 1024 * 1024


@pytest.mark.usefixtures("openpyxl_forbidden")
@pytest.mark.parametrize("name", ["lon.csv", "lon.xlsx"])
def test_file_over_the_size_limit_is_refused_before_reading(tmp_path: Path, name: str) -> None:
    path = sparse_file(tmp_path / name, MAX_FILE_BYTES + 1)
    assert file_error(path).message == f"Tệp '{name}' {TOO_LARGE}"


def test_csv_at_the_size_limit_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_csv(tmp_path / "ds.csv", base_rows())
    monkeypatch.setattr(importer, "MAX_FILE_BYTES", path.stat().st_size)
    assert len(read_rows(path)) == len(base_rows())
    monkeypatch.setattr(importer, "MAX_FILE_BYTES", path.stat().st_size - 1)
    assert "vượt giới hạn" in file_error(path).message


@pytest.mark.usefixtures("openpyxl_forbidden")
def test_xlsx_with_a_highly_compressible_member_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A genuine little zip bomb: 4 MB of zeros in a few kB, against a limit lowered to 1 MB."""
    path = write_xlsx(tmp_path / "bom.xlsx", base_rows())
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("xl/media/padding.bin", bytes(4 * 1024 * 1024))
    assert path.stat().st_size < 100_000
    monkeypatch.setattr(importer, "MAX_XLSX_UNPACKED_BYTES", 1024 * 1024)
    assert file_error(path).message == f"Tệp 'bom.xlsx' {BOMB.format(limit=1)}"


def _declare_size(path: Path, member: str, size: int) -> None:
    """Rewrite `member`'s uncompressed size in the central directory, as a crafted bomb would."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(member)
    start = data.index(b"PK\x01\x02")  # the first central directory entry
    while True:
        name_length = struct.unpack_from("<H", data, start + 28)[0]
        if data[start + 46 : start + 46 + name_length] == member.encode():
            break
        extra_length, comment_length = struct.unpack_from("<HH", data, start + 30)
        start += 46 + name_length + extra_length + comment_length
    assert struct.unpack_from("<I", data, start + 24)[0] == info.file_size
    struct.pack_into("<I", data, start + 24, size)
    path.write_bytes(bytes(data))


@pytest.mark.usefixtures("openpyxl_forbidden")
def test_xlsx_declaring_gigabytes_is_refused_at_the_real_limit(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "bom.xlsx", base_rows())
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", bytes(1000))
    _declare_size(path, "xl/media/padding.bin", 0xFFFF_FFF0)  # 4 GB
    with zipfile.ZipFile(path) as archive:
        assert archive.getinfo("xl/media/padding.bin").file_size == 0xFFFF_FFF0
    assert file_error(path).message == f"Tệp 'bom.xlsx' {BOMB.format(limit=256)}"


@pytest.mark.usefixtures("openpyxl_forbidden")
def test_xlsx_with_too_many_parts_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_xlsx(tmp_path / "nhieu.xlsx", base_rows())
    with zipfile.ZipFile(path) as archive:
        parts = len(archive.infolist())
    monkeypatch.setattr(importer, "MAX_XLSX_PARTS", parts - 1)
    assert file_error(path).message == (
        f"Tệp 'nhieu.xlsx' chứa quá nhiều thành phần ({parts}, tối đa {parts - 1}) nên có thể "
        "bị hỏng. Hãy mở bằng Excel rồi lưu lại thành tệp .xlsx mới."
    )


def test_xlsx_within_the_limits_is_read(tmp_path: Path) -> None:
    """The archive check passes an ordinary workbook on to openpyxl."""
    rows = read_rows(write_xlsx(tmp_path / "ds.xlsx", base_rows()))
    assert [r["ma_dang_vien"] for r in rows] == [r[0] for r in base_rows()]


def test_cli_prints_the_size_error_without_a_row(tmp_path: Path) -> None:
    path = sparse_file(tmp_path / "lon.csv", MAX_FILE_BYTES + 1)
    result = _run(["import", str(path)], _env(f"sqlite:///{tmp_path / 'x.db'}"), tmp_path)
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines() == [
        "Tệp có 1 lỗi; chưa ghi gì vào cơ sở dữ liệu:",
        f"Tệp 'lon.csv' {TOO_LARGE}",
    ]
