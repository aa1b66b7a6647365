"""Importing the organisation and its members from a spreadsheet (`sotay import FILE`).

Why it is shaped this way:

- Admins prepare the file in Excel, often in a vi-VN locale, so the reader accepts what Excel
  really produces: .xlsx (numbers and date cells included), CSV in UTF-8 with or without a BOM,
  `;`-delimited CSV, headers written in Vietnamese with diacritics.
- All or nothing. Every row is checked first and every problem is reported with its spreadsheet row
  number; if anything is wrong nothing is written. A half-imported organisation (members without
  their secretary, a cell split in two) is worse than none, and the admin fixes the file in one go.
- Idempotent. Members are matched by code and the writers in `services.orgwrite` report "same"
  when nothing changed, so importing the same file twice changes nothing, and the admin can simply
  re-run a corrected or updated file.
- Members in the database but absent from the file are left alone: a file may cover only one base
  organisation, and removing a member is the cell's decision, never a side effect of a spreadsheet.
- Bounded: the file's size and, for .xlsx, the sizes its zip parts unpack to are checked before
  anything is parsed, so a huge file or a zip bomb is refused with a message, not a dead server.
- Fast at the seed's scale (7,500 members): units cached by path, existing members and their roles
  fetched in bulk, new members inserted in batches (see bench/bench_import.py).
"""

from __future__ import annotations

import csv
import functools
import io
import re
import zipfile
from collections import defaultdict
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Final

import openpyxl
from sqlmodel import Session, col, select

from models import Member, MemberStatus, Role, RoleAssignment, Unit, UnitKind
from services import audit, texts
from services.offers import ImportColumns, SheetValue
from services.org import find_unit_by_path, join_path, split_path
from services.orgwrite import (
    MemberValues,
    ensure_unit_path,
    set_cell_role,
    set_committee_units,
    upsert_member,
)
from services.textnorm import fold, fold_key, nfc, vi_number

REQUIRED_COLUMNS: Final = ("ma_dang_vien", "ho_ten", "don_vi", "trang_thai", "vai_tro")
OPTIONAL_COLUMNS: Final = ("cap_uy", "dien_thoai", "ngay_vao_dang")
# Headers seen in real membership lists; mapped to the canonical column names.
COLUMN_ALIASES: Final = {
    "ho_va_ten": "ho_ten",
    "so_dien_thoai": "dien_thoai",
    "sdt": "dien_thoai",
}

STATUS_WORDS: Final = {
    "chinh_thuc": MemberStatus.OFFICIAL.value,
    "dang_vien_chinh_thuc": MemberStatus.OFFICIAL.value,
    "du_bi": MemberStatus.PROBATIONARY.value,
    "dang_vien_du_bi": MemberStatus.PROBATIONARY.value,
    "mien": MemberStatus.EXEMPT.value,
    "mien_sinh_hoat": MemberStatus.EXEMPT.value,
    "mien_sinh_hoat_dang": MemberStatus.EXEMPT.value,
}
# None = an ordinary member (no cell role).
ROLE_WORDS: Final[dict[str, str | None]] = {
    "dang_vien": None,
    "bi_thu": Role.SECRETARY.value,
    "bi_thu_chi_bo": Role.SECRETARY.value,
    "pho_bi_thu": Role.DEPUTY.value,
    "pho_bi_thu_chi_bo": Role.DEPUTY.value,
}

# Column widths in models/org.py: checked here so PostgreSQL never rejects a row mid-import.
MAX_CODE: Final = 32
MAX_NAME: Final = 200
MAX_UNIT_NAME: Final = 200
MAX_PATH: Final = 1000
MAX_PHONE: Final = 32

MAX_ROWS: Final = 200_000
# Size limits, checked before anything is parsed (see _check_file_size and _check_xlsx_archive).
MIB: Final = 1024 * 1024  # what Windows Explorer calls a MB, so the message matches what they see
MAX_FILE_BYTES: Final = 50 * MIB
MAX_XLSX_UNPACKED_BYTES: Final = 256 * MIB
MAX_XLSX_PARTS: Final = 10_000
# Excel files often carry thousands of formatted but empty rows; stop after this many in a row.
MAX_BLANK_RUN: Final = 1_000
# The header may sit below a title ("DANH SÁCH ĐẢNG VIÊN"): look this far to say so.
HEADER_SEARCH_ROWS: Final = 10
FLUSH_BATCH: Final = 1_000
QUERY_CHUNK: Final = 900  # below SQLite's old 999 bound-parameter limit
PARTY_FOUNDED: Final = date(1930, 2, 3)
DAY_FIRST_DATE: Final = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4})")
ISO_DATE: Final = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?: 00:00:00)?")
COMMITTEE_SEPARATORS: Final = re.compile(r"[;\n]")
PHONE_CHARS: Final = re.compile(r"^\+?[0-9 .()-]{6,}$")
CSV_DELIMITERS: Final = (",", ";", "\t")

Value = SheetValue
_Fail = Callable[[str], None]  # records one problem of the row being checked


@dataclass(frozen=True)
class RowError:
    """One problem; `row` is the spreadsheet row (header = 1), 0 for the file as a whole."""

    row: int
    message: str

    def __str__(self) -> str:
        if self.row <= 0:
            return self.message
        return texts.IMPORT_ROW_PREFIX.format(row=self.row, message=self.message)


class ImportFailed(Exception):
    """The file cannot be imported; `errors` lists every problem found. Nothing was written."""

    def __init__(self, errors: Sequence[RowError]) -> None:
        self.errors: list[RowError] = sorted(errors, key=lambda e: e.row)
        super().__init__("\n".join(str(e) for e in self.errors))


@dataclass(frozen=True)
class ImportReport:
    units_created: int
    members_created: int
    members_updated: int
    members_unchanged: int
    roles_changed: int  # members whose cell role or committee seats changed
    # Members each feature's own columns changed (`ImportColumns.label`, count), in their order.
    extra: tuple[tuple[str, int], ...] = ()


# --- Reading --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Known:
    """The columns the importer reads: its own and those the features offer."""

    optional: frozenset[str]
    aliases: dict[str, str]

    @staticmethod
    def of(extra: Sequence[ImportColumns]) -> _Known:
        optional = set(OPTIONAL_COLUMNS)
        aliases = dict(COLUMN_ALIASES)
        for offered in extra:
            for column in offered.columns:
                if column in optional or column in REQUIRED_COLUMNS:
                    raise ValueError(f"import column {column!r} is offered twice")
                optional.add(column)
            aliases.update(offered.aliases)
        return _Known(frozenset(optional), aliases)


_CORE_COLUMNS = _Known(frozenset(OPTIONAL_COLUMNS), dict(COLUMN_ALIASES))


@dataclass
class _Table:
    """Recognised columns and the data rows, each with its spreadsheet row number."""

    columns: set[str]
    rows: list[tuple[int, dict[str, Value]]]


def read_rows(path: Path, columns: Sequence[ImportColumns] = ()) -> list[dict[str, Value]]:
    """The data rows of `path` (.xlsx or .csv), keyed by canonical column name.

    Row i of the list is spreadsheet row i + 2 (blank rows in between are kept, all None), so a
    caller can always name the row. Values are trimmed NFC text, `date` for xlsx date cells, or
    None when empty. Unknown columns are dropped. Raises ImportFailed for unreadable files.
    """
    table = _read_table(path, _Known.of(columns))
    if not table.rows:
        return []
    last = table.rows[-1][0]
    blank: dict[str, Value] = dict.fromkeys(sorted(table.columns))
    by_row = dict(table.rows)
    return [by_row.get(number, dict(blank)) for number in range(2, last + 1)]


def _read_table(path: Path, known: _Known = _CORE_COLUMNS) -> _Table:
    """Parse and check the header; data rows keep their spreadsheet row numbers."""
    name = path.name
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise ImportFailed([RowError(0, texts.IMPORT_UNSUPPORTED.format(name=name))])
    try:
        size = path.stat().st_size
        if size == 0:
            raise ImportFailed([RowError(0, texts.IMPORT_EMPTY_FILE.format(name=name))])
        _check_file_size(name, size)
        records = _xlsx_records(path) if suffix == ".xlsx" else _csv_records(path)
        try:
            return _table_from_records(name, records, known)
        finally:
            records.close()  # releases the xlsx file even when reading stopped early
    except FileNotFoundError:
        raise ImportFailed([RowError(0, texts.IMPORT_FILE_NOT_FOUND.format(name=name))]) from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        message = texts.IMPORT_FILE_UNREADABLE.format(name=name, reason=reason)
        raise ImportFailed([RowError(0, message)]) from None


def _table_from_records(name: str, records: Iterator[list[Value]], known: _Known) -> _Table:
    """Header on row 1 (blank leading rows are not skipped: row numbers must match Excel's)."""
    first = next(records, None)
    if first is None:
        raise ImportFailed([RowError(0, texts.IMPORT_EMPTY_FILE.format(name=name))])
    columns, index = _header_columns(first, known)
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        # Say so when the real header is a few rows down, below a title or a blank row.
        has_content = any(v is not None for v in first)
        for number, record in enumerate(records, start=2):
            if number > HEADER_SEARCH_ROWS:
                has_content = True
                break
            if all(c in _header_columns(record, known)[0] for c in REQUIRED_COLUMNS):
                raise ImportFailed([RowError(0, texts.IMPORT_HEADER_NOT_FIRST.format(row=number))])
            has_content = has_content or any(v is not None for v in record)
        if not has_content:
            raise ImportFailed([RowError(0, texts.IMPORT_EMPTY_FILE.format(name=name))])
    rows: list[tuple[int, dict[str, Value]]] = []
    blank_run = 0
    for number, record in enumerate(() if missing else records, start=2):
        if all(v is None for v in record):
            blank_run += 1
            if blank_run >= MAX_BLANK_RUN:
                break
            continue
        blank_run = 0
        if len(rows) >= MAX_ROWS:
            raise ImportFailed([RowError(0, texts.IMPORT_TOO_MANY_ROWS.format(limit=MAX_ROWS))])
        rows.append((number, {c: record[i] if i < len(record) else None for c, i in index.items()}))
    errors = [RowError(0, message) for message in columns.values() if message]
    if missing:
        labels = ", ".join(f"{c} ({texts.FIELD_LABELS[c]})" for c in missing)
        found = ", ".join(str(v).strip() for v in first if v is not None) or texts.IMPORT_NONE
        errors.insert(
            0, RowError(0, texts.IMPORT_MISSING_COLUMNS.format(columns=labels, found=found))
        )
    if errors:
        raise ImportFailed(errors)
    if not rows:
        raise ImportFailed([RowError(0, texts.IMPORT_NO_ROWS.format(name=name))])
    return _Table(columns=set(index), rows=rows)


def _header_columns(
    header: Sequence[Value], known: _Known
) -> tuple[dict[str, str], dict[str, int]]:
    """Canonical column → error message ('' when fine), and canonical column → position."""
    problems: dict[str, str] = {}
    index: dict[str, int] = {}
    for position, raw in enumerate(header):
        key = _column_key(raw, known)
        if key is None:
            continue
        if key in index:
            problems[key] = texts.IMPORT_DUPLICATE_COLUMN.format(
                column=key, first=index[key] + 1, second=position + 1
            )
            continue
        index[key] = position
        problems.setdefault(key, "")
    return problems, index


def _column_key(raw: Value, known: _Known) -> str | None:
    """`Mã đảng viên (*)` → `ma_dang_vien`; None for a column we do not read."""
    if raw is None:
        return None
    key = re.sub(r"[^a-z0-9_]+", "", fold_key(str(raw)))
    key = re.sub(r"_+", "_", key).strip("_")
    key = known.aliases.get(key, key)
    return key if key in REQUIRED_COLUMNS or key in known.optional else None


def _check_file_size(name: str, size: int) -> None:
    """Refuse a file above MAX_FILE_BYTES before reading it.

    Why 50 MB: the pilot province (7,500 members, bench/bench_import.py) is 1.6 MB as CSV and
    0.4 MB as .xlsx, about 220 bytes a CSV row. MAX_ROWS (200,000 members, more than almost any
    province's list; a national list is refused by MAX_ROWS anyway) is then about 44 MB of CSV
    and 11 MB of .xlsx, so a file within the row limit fits unless it carries many extra columns,
    which the message says to delete. A CSV is read into memory whole (and decoded, which about
    doubles it), so the limit also keeps a stray multi-gigabyte file from exhausting a small
    server's memory before any row is checked.
    """
    if size > MAX_FILE_BYTES:
        message = texts.IMPORT_FILE_TOO_LARGE.format(
            name=name, size=_megabytes(size), limit=_megabytes(MAX_FILE_BYTES)
        )
        raise ImportFailed([RowError(0, message)])


def _check_xlsx_archive(path: Path) -> None:
    """Refuse a zip bomb before openpyxl inflates anything.

    An .xlsx is a zip archive: 50 MB on disk may declare gigabytes of XML, and openpyxl holds
    the shared strings and styles in memory and parses every sheet. The sizes come from the
    archive's central directory; they can be trusted because Python's zipfile never inflates a
    member beyond its declared size (it stops there and reports a CRC error), so the declared
    total bounds what openpyxl can ever read.

    Why 256 MB unpacked: the pilot province's workbook unpacks to 4.1 MB (550 bytes a row, with
    inline strings; Excel's shared strings are smaller), so a 200,000-row sheet (MAX_ROWS) is
    about 110 MB; the limit leaves room for extra columns and formatting, while a bomb declares
    gigabytes. There is no compression-ratio test: Excel files with thousands of formatted but
    empty rows (see MAX_BLANK_RUN) compress a hundredfold and are legitimate. A real workbook has
    tens of parts; MAX_XLSX_PARTS stops an archive of countless tiny entries.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except OSError:
        raise  # missing or unreadable: reported by _read_table
    except Exception:  # any failure on an untrusted archive means "not an xlsx"
        raise ImportFailed([RowError(0, texts.IMPORT_BAD_XLSX.format(name=path.name))]) from None
    if len(parts) > MAX_XLSX_PARTS:
        message = texts.IMPORT_XLSX_TOO_MANY_PARTS.format(
            name=path.name, count=vi_number(len(parts)), limit=vi_number(MAX_XLSX_PARTS)
        )
        raise ImportFailed([RowError(0, message)])
    if sum(part.file_size for part in parts) > MAX_XLSX_UNPACKED_BYTES:
        message = texts.IMPORT_XLSX_UNPACKED_TOO_LARGE.format(
            name=path.name, limit=_megabytes(MAX_XLSX_UNPACKED_BYTES)
        )
        raise ImportFailed([RowError(0, message)])


def _megabytes(size: int) -> str:
    """Whole MB, rounded up: a file just over the limit must not read as "50 MB, limit 50 MB"."""
    return vi_number(-(-size // MIB))


def _xlsx_records(path: Path) -> Generator[list[Value], None, None]:
    """Rows of the first sheet that has a `ma_dang_vien` header (else the first sheet)."""
    _check_xlsx_archive(path)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:  # any parser failure on an untrusted file means "not an xlsx"
        raise ImportFailed([RowError(0, texts.IMPORT_BAD_XLSX.format(name=path.name))]) from None

    def generate() -> Generator[list[Value], None, None]:
        try:
            sheets = list(workbook.worksheets)
            chosen = sheets[0] if sheets else None
            for sheet in sheets:
                sheet.reset_dimensions()  # some writers store a wrong dimension tag
                header = next(sheet.iter_rows(max_row=1, values_only=True), ())
                if "ma_dang_vien" in {_column_key(_cell_value(v), _CORE_COLUMNS) for v in header}:
                    chosen = sheet
                    break
            if chosen is None:
                return
            for values in chosen.iter_rows(values_only=True):
                yield [_cell_value(v) for v in values]
        except ImportFailed:
            raise
        except Exception:
            raise ImportFailed(
                [RowError(0, texts.IMPORT_BAD_XLSX.format(name=path.name))]
            ) from None
        finally:
            workbook.close()

    return generate()


def _cell_value(value: object) -> Value:
    """Normalise one xlsx cell: numbers without '.0', date cells as dates, text trimmed NFC."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _text(str(value))


def _text(value: str) -> str | None:
    """Trimmed, NFC, runs of whitespace (including no-break spaces) as one space; '' → None."""
    text = " ".join(nfc(value).split())
    return text or None


def _csv_records(path: Path) -> Generator[list[Value], None, None]:
    """Decode (UTF-8 with or without BOM, or UTF-16 from Excel's 'Unicode text'), sniff `,`/`;`."""
    name = path.name
    with path.open("rb") as handle:
        # Bounded even if the file grew since _read_table looked at its size.
        data = handle.read(MAX_FILE_BYTES + 1)
    _check_file_size(name, len(data))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise ImportFailed([RowError(0, texts.IMPORT_BINARY.format(name=name))]) from None
    else:
        if b"\x00" in data:
            raise ImportFailed([RowError(0, texts.IMPORT_BINARY.format(name=name))])
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            message = texts.IMPORT_NOT_UTF8.format(name=name, line=line)
            raise ImportFailed([RowError(0, message)]) from None
    if "\x00" in text:
        raise ImportFailed([RowError(0, texts.IMPORT_BINARY.format(name=name))])
    delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    def generate() -> Generator[list[Value], None, None]:
        try:
            for record in reader:
                yield [_text(v) for v in record]
        except csv.Error as exc:
            raise ImportFailed([RowError(0, texts.IMPORT_BAD_CSV.format(reason=exc))]) from None

    return generate()


def _sniff_delimiter(text: str) -> str:
    """The delimiter under which the header yields the most known columns (Excel vi-VN uses ';')."""
    best, best_score = ",", (-1, -1)
    for delimiter in CSV_DELIMITERS:
        try:
            header = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), [])
        except csv.Error:
            continue
        known = sum(1 for v in header if _column_key(v, _CORE_COLUMNS) is not None)
        score = (known, len(header))
        if score > best_score:
            best, best_score = delimiter, score
    return best


# --- Validation -----------------------------------------------------------------------------


@dataclass
class _Row:
    """One valid row, normalised: what will be written."""

    row: int
    code: str
    full_name: str
    cell_parts: tuple[str, ...]
    status: str
    role: str | None
    committee: list[str]  # unit paths as written (resolved later)
    phone: str | None
    joined_on: date | None
    cell_path: str = ""

    def __post_init__(self) -> None:
        self.cell_path = join_path(self.cell_parts)


def _as_text(value: Value) -> str | None:
    """A read value as text (already trimmed and NFC by the reader); a date cell as dd/mm/yyyy."""
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return value


def _parse_row(
    number: int, raw: dict[str, Value], today: date, errors: list[RowError]
) -> _Row | None:
    """Check one row in isolation; append its problems to `errors`, return it when clean."""
    before = len(errors)

    def fail(message: str) -> None:
        errors.append(RowError(number, message))

    code = _as_text(raw.get("ma_dang_vien"))
    if not code:
        fail(texts.IMPORT_EMPTY_CODE)
    elif len(code) > MAX_CODE:
        fail(texts.IMPORT_TOO_LONG.format(field=texts.FIELD_LABELS["ma_dang_vien"], limit=MAX_CODE))

    full_name = _as_text(raw.get("ho_ten"))
    if not full_name:
        fail(texts.IMPORT_EMPTY_NAME)
    elif len(full_name) > MAX_NAME:
        fail(texts.IMPORT_TOO_LONG.format(field=texts.FIELD_LABELS["ho_ten"], limit=MAX_NAME))

    unit_text = _as_text(raw.get("don_vi"))
    parts: tuple[str, ...] = ()
    if not unit_text:
        fail(texts.IMPORT_EMPTY_UNIT)
    else:
        parts = tuple(split_path(unit_text))
        if len(parts) < 2:
            fail(texts.IMPORT_UNIT_TOO_SHORT.format(unit=unit_text))
        elif any(len(p) > MAX_UNIT_NAME for p in parts):
            fail(
                texts.IMPORT_TOO_LONG.format(
                    field=texts.FIELD_LABELS["ten_don_vi"], limit=MAX_UNIT_NAME
                )
            )
        elif len(join_path(parts)) > MAX_PATH:
            fail(texts.IMPORT_TOO_LONG.format(field=texts.FIELD_LABELS["don_vi"], limit=MAX_PATH))

    status_text = _as_text(raw.get("trang_thai"))
    status = STATUS_WORDS.get(_folded(status_text)) if status_text else None
    if not status_text:
        fail(texts.IMPORT_EMPTY_STATUS)
    elif status is None:
        fail(texts.IMPORT_BAD_STATUS.format(value=status_text))

    role_text = _as_text(raw.get("vai_tro"))
    role: str | None = None
    if role_text:
        key = _folded(role_text)
        if key not in ROLE_WORDS:
            fail(texts.IMPORT_BAD_ROLE.format(value=role_text))
        else:
            role = ROLE_WORDS[key]

    committee_text = _as_text(raw.get("cap_uy"))
    committee: list[str] = []
    for item in COMMITTEE_SEPARATORS.split(committee_text or ""):
        unit_parts = split_path(item)
        if unit_parts and join_path(unit_parts) not in committee:
            committee.append(join_path(unit_parts))

    phone = _parse_phone(_as_text(raw.get("dien_thoai")), fail)
    joined_on = _parse_date(raw.get("ngay_vao_dang"), today, fail)

    if len(errors) > before:
        return None
    assert code and full_name and status
    return _Row(
        row=number,
        code=code,
        full_name=full_name,
        cell_parts=parts,
        status=status,
        role=role,
        committee=committee,
        phone=phone,
        joined_on=joined_on,
    )


@functools.lru_cache(maxsize=256)
def _folded(word: str) -> str:
    """fold_key for the few distinct status and role words of a file (repeated on every row)."""
    return fold_key(word)


def _parse_phone(text: str | None, fail: _Fail) -> str | None:
    """Keep what was typed; put back the leading 0 that Excel drops from numeric cells."""
    if not text:
        return None
    if len(text) > MAX_PHONE or not PHONE_CHARS.match(text):
        fail(texts.IMPORT_BAD_PHONE.format(value=text))
        return None
    if text.isdigit() and not text.startswith("0") and len(text) in (9, 10):
        return "0" + text  # 912345678 (a number cell) was 0912345678
    return text


def _parse_date(value: Value, today: date, fail: _Fail) -> date | None:
    """dd/mm/yyyy (also dd-mm-yyyy, dd.mm.yyyy, ISO), or an xlsx date cell."""
    if value is None:
        return None
    if isinstance(value, date):
        parsed = value
    else:
        try:
            if match := DAY_FIRST_DATE.fullmatch(value):
                parsed = date(int(match[4]), int(match[3]), int(match[1]))
            elif match := ISO_DATE.fullmatch(value):
                parsed = date(int(match[1]), int(match[2]), int(match[3]))
            else:
                raise ValueError(value)
        except ValueError:
            fail(texts.IMPORT_BAD_DATE.format(value=value))
            return None
    if not PARTY_FOUNDED <= parsed <= today:
        fail(texts.IMPORT_DATE_RANGE.format(value=parsed.strftime("%d/%m/%Y")))
        return None
    return parsed


@dataclass
class _Plan:
    """A fully validated import: rows, units already in the DB, members and roles to compare."""

    rows: list[_Row]
    columns: set[str]
    units: dict[str, Unit]  # existing units by path (cells, their ancestors, committee units)
    committee_paths: dict[str, str]  # path as written → canonical path (file or DB)
    members: dict[str, Member]  # existing members by code
    assignments: dict[int, list[RoleAssignment]]  # existing role rows by member id
    # Each offered set of columns present in the file, with its parsed value per spreadsheet row.
    extra: list[tuple[ImportColumns, dict[int, object]]]


def _validate(
    session: Session, table: _Table, today: date, columns: Sequence[ImportColumns] = ()
) -> _Plan:
    """Every check, row-level then across rows then against the database; raise if any fails."""
    errors: list[RowError] = []
    rows = [
        row
        for number, raw in table.rows
        if (row := _parse_row(number, raw, today, errors)) is not None
    ]
    extra = _check_offered_columns(table, columns, today, errors)
    _check_duplicate_codes(table, errors)
    _check_unit_spelling(rows, errors)
    _check_cells_are_leaves(rows, errors)
    _check_secretaries_in_file(rows, errors)

    units = _existing_units(session, _all_paths(rows))
    _check_spelling_against_db(session, rows, units, errors)
    _check_units_against_db(session, rows, units, errors)
    committee_paths = _resolve_committee_units(session, rows, units, errors)
    members = _existing_members(session, [r.code for r in rows])
    assignments = _existing_assignments(session, [m.id for m in members.values() if m.id])
    _check_secretaries_in_db(session, rows, units, members, errors)
    if errors:
        raise ImportFailed(errors)
    return _Plan(rows, table.columns, units, committee_paths, members, assignments, extra)


def _check_offered_columns(
    table: _Table, columns: Sequence[ImportColumns], today: date, errors: list[RowError]
) -> list[tuple[ImportColumns, dict[int, object]]]:
    """Each feature checks its own columns, row by row; only the sets present in the file."""
    checked: list[tuple[ImportColumns, dict[int, object]]] = []
    for offered in columns:
        present = [c for c in offered.columns if c in table.columns]
        if not present:
            continue
        parsed: dict[int, object] = {}
        for number, raw in table.rows:
            value, problems = offered.check({c: raw.get(c) for c in present}, today)
            errors.extend(RowError(number, problem) for problem in problems)
            parsed[number] = value
        checked.append((offered, parsed))
    return checked


def _check_duplicate_codes(table: _Table, errors: list[RowError]) -> None:
    """Every row of a duplicated code is reported, naming the other rows."""
    seen: dict[str, list[int]] = defaultdict(list)
    for number, raw in table.rows:
        code = _as_text(raw.get("ma_dang_vien"))
        if code:
            seen[code].append(number)
    for code, numbers in seen.items():
        if len(numbers) < 2:
            continue
        for number in numbers:
            others = ", ".join(str(n) for n in numbers if n != number)
            errors.append(
                RowError(number, texts.IMPORT_DUPLICATE_CODE.format(code=code, others=others))
            )


def _check_unit_spelling(rows: list[_Row], errors: list[RowError]) -> None:
    """`Chi bộ A` and `chi bộ a` in one file are surely one unit typed twice: ask to unify.

    Only letter case counts here (spacing is already normalised), not diacritics: `Ba` and `Bà`
    may be different units.
    """
    first: dict[str, tuple[str, int]] = {}
    reported: set[str] = set()
    for row in rows:
        for depth in range(1, len(row.cell_parts) + 1):
            path = join_path(row.cell_parts[:depth])
            key = path.casefold()
            seen = first.setdefault(key, (path, row.row))
            if seen[0] != path and path not in reported:
                reported.add(path)
                errors.append(
                    RowError(
                        row.row,
                        texts.IMPORT_UNIT_SPELLING.format(
                            unit=path, other=seen[0], other_row=seen[1]
                        ),
                    )
                )


def _check_cells_are_leaves(rows: list[_Row], errors: list[RowError]) -> None:
    """A member's cell must not also be the parent of another unit in the file."""
    cell_row: dict[str, int] = {}
    parent_row: dict[str, int] = {}
    for row in rows:
        cell_row.setdefault(row.cell_path, row.row)
        for depth in range(1, len(row.cell_parts)):
            parent_row.setdefault(join_path(row.cell_parts[:depth]), row.row)
    for path in cell_row.keys() & parent_row.keys():
        message = texts.IMPORT_CELL_AND_PARENT.format(
            unit=path, cell_row=cell_row[path], parent_row=parent_row[path]
        )
        errors.append(RowError(cell_row[path], message))
        errors.append(RowError(parent_row[path], message))


def _check_secretaries_in_file(rows: list[_Row], errors: list[RowError]) -> None:
    """A cell has one secretary (deputies may be several)."""
    secretaries: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        if row.role == Role.SECRETARY:
            secretaries[row.cell_path].append(row.row)
    for cell, numbers in secretaries.items():
        if len(numbers) > 1:
            listed = ", ".join(str(n) for n in numbers)
            for number in numbers:
                errors.append(
                    RowError(number, texts.IMPORT_TWO_SECRETARIES.format(cell=cell, rows=listed))
                )


def _all_paths(rows: Iterable[_Row]) -> set[str]:
    """Every unit path the file names: cells, their ancestors and committee units."""
    paths: set[str] = set()
    for row in rows:
        for depth in range(1, len(row.cell_parts) + 1):
            paths.add(join_path(row.cell_parts[:depth]))
        paths.update(row.committee)
    return paths


def _chunks(items: Sequence[object], size: int = QUERY_CHUNK) -> Iterator[Sequence[object]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _existing_units(session: Session, paths: set[str]) -> dict[str, Unit]:
    """Units already in the database, by exact path, in a few queries."""
    found: dict[str, Unit] = {}
    for chunk in _chunks(sorted(paths)):
        for unit in session.exec(select(Unit).where(col(Unit.path).in_(chunk))):
            found[unit.path] = unit
    return found


def _check_spelling_against_db(
    session: Session, rows: list[_Row], units: dict[str, Unit], errors: list[RowError]
) -> None:
    """A new path that differs from a stored unit only in letter case is a typo, not a new unit.

    Without this, re-importing a file where someone "fixed" a capital letter would create a
    second cell and move every member into it. Only runs when the file brings new units.
    """
    new_paths = _all_paths(rows) - units.keys()
    if not new_paths:
        return
    stored = {path.casefold(): path for path in session.exec(select(Unit.path))}
    reported: set[str] = set()
    for row in rows:
        for depth in range(1, len(row.cell_parts) + 1):
            path = join_path(row.cell_parts[:depth])
            other = stored.get(path.casefold()) if path in new_paths else None
            if other is not None:
                if path not in reported:
                    reported.add(path)
                    message = texts.IMPORT_UNIT_SPELLING_DB.format(unit=path, other=other)
                    errors.append(RowError(row.row, message))
                break  # the shallowest misspelt unit of the row is enough


def _check_units_against_db(
    session: Session, rows: list[_Row], units: dict[str, Unit], errors: list[RowError]
) -> None:
    """The file must not turn a parent unit into a cell, nor hang a unit below a cell."""
    cells_first_row: dict[str, int] = {}
    for row in rows:
        cells_first_row.setdefault(row.cell_path, row.row)
    non_cells = {
        units[path].id: path
        for path in cells_first_row
        if path in units and not UnitKind(units[path].kind).is_cell
    }
    with_children: set[str] = set()
    for chunk in _chunks(sorted(i for i in non_cells if i is not None)):
        query = select(Unit.parent_id).where(col(Unit.parent_id).in_(chunk)).distinct()
        with_children.update(non_cells[pid] for pid in session.exec(query) if pid is not None)
    for path in sorted(with_children):
        errors.append(
            RowError(cells_first_row[path], texts.IMPORT_CELL_HAS_CHILDREN.format(unit=path))
        )
    reported: set[str] = set()
    for row in rows:
        for depth in range(1, len(row.cell_parts)):
            path = join_path(row.cell_parts[:depth])
            unit = units.get(path)
            if unit is not None and UnitKind(unit.kind).is_cell and path not in reported:
                reported.add(path)
                child = join_path(row.cell_parts[: depth + 1])
                errors.append(
                    RowError(row.row, texts.IMPORT_PARENT_IS_CELL.format(unit=path, child=child))
                )


def _resolve_committee_units(
    session: Session, rows: list[_Row], units: dict[str, Unit], errors: list[RowError]
) -> dict[str, str]:
    """Each `cap_uy` path → a unit of the file or of the database (exact, then by folded text)."""
    file_paths: set[str] = set()
    for row in rows:
        for depth in range(1, len(row.cell_parts) + 1):
            file_paths.add(join_path(row.cell_parts[:depth]))
    folded_file = {fold(p): p for p in sorted(file_paths)}
    resolved: dict[str, str | None] = {}
    for row in rows:
        for path in row.committee:
            if path not in resolved:
                resolved[path] = _resolve_one(session, path, file_paths, folded_file, units)
            if resolved[path] is None:
                errors.append(
                    RowError(row.row, texts.IMPORT_UNKNOWN_COMMITTEE_UNIT.format(unit=path))
                )
    return {path: target for path, target in resolved.items() if target is not None}


def _resolve_one(
    session: Session,
    path: str,
    file_paths: set[str],
    folded_file: dict[str, str],
    units: dict[str, Unit],
) -> str | None:
    if path in file_paths or path in units:
        return path
    if (match := folded_file.get(fold(path))) is not None:
        return match
    unit = find_unit_by_path(session, path)
    if unit is None:
        return None
    units[unit.path] = unit
    return unit.path


def _existing_members(session: Session, codes: Sequence[str]) -> dict[str, Member]:
    """Members already in the database, by code, in a few queries (not one per row)."""
    found: dict[str, Member] = {}
    for chunk in _chunks(sorted(set(codes))):
        for member in session.exec(select(Member).where(col(Member.code).in_(chunk))):
            found[member.code] = member
    return found


def _existing_assignments(
    session: Session, member_ids: Sequence[int]
) -> dict[int, list[RoleAssignment]]:
    """Current role rows of the existing members, grouped by member."""
    found: dict[int, list[RoleAssignment]] = defaultdict(list)
    for chunk in _chunks(sorted(member_ids)):
        query = select(RoleAssignment).where(col(RoleAssignment.member_id).in_(chunk))
        for assignment in session.exec(query):
            found[assignment.member_id].append(assignment)
    return found


def _check_secretaries_in_db(
    session: Session,
    rows: list[_Row],
    units: dict[str, Unit],
    members: dict[str, Member],
    errors: list[RowError],
) -> None:
    """A secretary named by the file must not meet one kept in the DB (a member not in the file)."""
    file_secretary: dict[int, _Row] = {}
    for row in rows:
        unit = units.get(row.cell_path)
        if row.role == Role.SECRETARY and unit is not None and unit.id is not None:
            file_secretary[unit.id] = row
    if not file_secretary:
        return
    in_file = {m.id for m in members.values()}
    for chunk in _chunks(sorted(file_secretary)):
        query = (
            select(RoleAssignment, Member)
            .join(Member, col(Member.id) == col(RoleAssignment.member_id))
            .where(RoleAssignment.role == Role.SECRETARY)
            .where(col(RoleAssignment.unit_id).in_(chunk))
        )
        for assignment, member in session.exec(query):
            if member.id in in_file or assignment.unit_id is None:
                continue
            row = file_secretary[assignment.unit_id]
            errors.append(
                RowError(
                    row.row,
                    texts.IMPORT_SECRETARY_IN_DB.format(
                        cell=row.cell_path, name=member.full_name, code=member.code
                    ),
                )
            )


# --- Writing --------------------------------------------------------------------------------


def import_file(
    session: Session,
    path: Path,
    *,
    now: datetime,
    actor_label: str = "cli",
    columns: Sequence[ImportColumns] = (),
) -> ImportReport:
    """Validate the whole file, then write it in the caller's transaction.

    `columns` are the features' own columns (`services.offers.IMPORT_COLUMNS`, as the wiring
    list gathers them): checked with every other column, written after the members.
    Raises ImportFailed (before any write) when anything is wrong. The caller's
    `Database.session()` commits the import as one unit, or rolls it back.
    """
    table = _read_table(path, _Known.of(columns))
    plan = _validate(session, table, now.date(), columns)
    cache = dict(plan.units)

    units_created = 0
    cells: dict[str, Unit] = {}
    for row in plan.rows:
        if row.cell_path not in cells:
            cell, created = ensure_unit_path(
                session,
                row.cell_parts,
                leaf_is_cell=True,
                now=now,
                cache=cache,
                cache_is_complete=True,  # _validate fetched every unit on the file's paths
            )
            cells[row.cell_path] = cell
            units_created += created

    written: list[tuple[_Row, Member, bool]] = []
    outcomes: dict[str, int] = defaultdict(int)
    for done, row in enumerate(plan.rows, start=1):
        existing = plan.members.get(row.code)
        cell_id = cells[row.cell_path].id
        assert cell_id is not None
        values = MemberValues(
            code=row.code,
            full_name=row.full_name,
            status=row.status,
            cell_id=cell_id,
            # A column absent from the file keeps what the database holds.
            joined_on=row.joined_on
            if "ngay_vao_dang" in plan.columns or existing is None
            else existing.joined_on,
            phone=row.phone if "dien_thoai" in plan.columns or existing is None else existing.phone,
        )
        member, outcome = upsert_member(session, values, now=now, known=plan.members, flush=False)
        outcomes[outcome] += 1
        written.append((row, member, existing is not None))
        if done % FLUSH_BATCH == 0:
            session.flush()
    session.flush()  # every new member has its id from here on

    roles_changed = 0
    manage_committee = "cap_uy" in plan.columns
    for row, member, existed in written:
        assignments = plan.assignments.get(member.id or 0, []) if existed else []
        changed = set_cell_role(session, member, row.role, assignments=assignments)
        if manage_committee:
            unit_ids = {cache[plan.committee_paths[p]].id or 0 for p in row.committee}
            changed |= set_committee_units(session, member, unit_ids, assignments=assignments)
        roles_changed += int(changed)
    session.flush()

    extra: list[tuple[str, int]] = []
    for offered, parsed in plan.extra:
        present = frozenset(c for c in offered.columns if c in plan.columns)
        rows = [(member.id or 0, parsed[row.row]) for row, member, _ in written]
        extra.append((offered.label, offered.apply(session, rows, present, now)))
    session.flush()

    report = ImportReport(
        units_created=units_created,
        members_created=outcomes["created"],
        members_updated=outcomes["updated"],
        members_unchanged=outcomes["same"],
        roles_changed=roles_changed,
        extra=tuple(extra),
    )
    audit.record(
        session,
        "import.applied",
        "organisation",
        detail={"file": path.name, "rows": len(plan.rows), **asdict(report)},
        actor_label=actor_label,
        at=now,
    )
    return report
