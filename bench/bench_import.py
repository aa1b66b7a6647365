"""Benchmark of `sotay import` at the seed's scale, on SQLite and PostgreSQL.

The seed (Quảng Ninh, 2023) reports 82 base organisations, 547 cells and 7,500 members: this script
generates such an organisation with Vietnamese names, writes it as .xlsx and .csv, and times:

1. the first import (xlsx: everything created),
2. a re-import of the same data (csv: nothing may change; proves the formats read the same),
3. an update (csv: about 5 % of members renamed, moved to another cell or with a new role).

Each phase runs in a fresh child process so that its peak memory (ru_maxrss) is its own; the
database persists between phases. Run: `.venv/bin/python -m bench.bench_import` (PostgreSQL at
SOTAY_BENCH_PG_URL, default postgresql+psycopg://postgres@127.0.0.1:5432/postgres; pass --no-pg to
skip it).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

PG_ADMIN_URL = os.environ.get(
    "SOTAY_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
NOW = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)

BASE_ORGANISATIONS = 82
BASE_CELLS = 12  # of the 82, cells directly under the committee ("chi bộ cơ sở")
CELLS = 547
MEMBERS = 7_500
UPDATE_SHARE = 0.05

TOP = "Đảng ủy Khối các cơ quan và doanh nghiệp tỉnh Quảng Ninh"
HEADER = [
    "Mã đảng viên",
    "Họ và tên",
    "Đơn vị",
    "Trạng thái",
    "Vai trò",
    "Cấp ủy",
    "Điện thoại",
    "Ngày vào Đảng",
]
SURNAMES = [
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng",
    "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Trịnh", "Mai", "Lương",
]  # fmt: skip
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Thu", "Ngọc", "Quang", "Thanh", "Xuân", "Hồng"]
GIVEN = [
    "An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa", "Hùng",
    "Hương", "Khánh", "Lan", "Linh", "Long", "Mai", "Minh", "Nam", "Ngọc", "Phúc", "Phương",
    "Quân", "Quyên", "Sơn", "Tâm", "Thảo", "Thắng", "Thủy", "Trang", "Tuấn", "Việt", "Yến",
]  # fmt: skip
AGENCIES = [
    "Sở Giáo dục và Đào tạo", "Sở Y tế", "Sở Tài chính", "Sở Xây dựng", "Sở Công Thương",
    "Công ty Than Hà Lầm", "Công ty Than Mạo Khê", "Cảng Cái Lân", "Ngân hàng Nông nghiệp",
    "Điện lực Quảng Ninh", "Bưu điện tỉnh", "Kho bạc Nhà nước", "Cục Thuế", "Báo Quảng Ninh",
    "Trường Đại học Hạ Long", "Bệnh viện Bãi Cháy", "Sở Giao thông Vận tải", "Sở Tư pháp",
]  # fmt: skip
CELL_NAMES = [
    "Văn phòng", "Phòng Kế hoạch", "Phòng Tổ chức", "Phòng Tài vụ", "Phòng Kỹ thuật",
    "Phân xưởng Khai thác", "Phân xưởng Vận tải", "Phòng Thanh tra", "Khoa Nội", "Khoa Ngoại",
    "Tổ Giáo viên", "Phòng Hành chính", "Đội Xe", "Phòng Kinh doanh", "Ban Quản lý dự án",
]  # fmt: skip


@dataclass
class Person:
    code: str
    name: str
    cell: str
    status: str
    role: str
    committee: list[str]
    phone: int | str | None
    joined: date | None


def generate(seed: int = 2023) -> list[Person]:
    """The seed's shape: 70 đảng bộ cơ sở + 12 chi bộ cơ sở, 547 cells, 7,500 members."""
    rng = random.Random(seed)
    bases = [f"{TOP} / Đảng bộ {AGENCIES[i % len(AGENCIES)]} {i + 1}" for i in range(70)]
    cells: list[tuple[str, str]] = []  # (cell path, the unit whose committee its secretary joins)
    for i in range(BASE_CELLS):
        path = f"{TOP} / Chi bộ {AGENCIES[(i + 5) % len(AGENCIES)]} {i + 71}"
        cells.append((path, path))
    for i in range(CELLS - BASE_CELLS):
        base = bases[i % len(bases)]
        cells.append((f"{base} / Chi bộ {CELL_NAMES[i % len(CELL_NAMES)]} {i + 1}", base))
    assert len(bases) + BASE_CELLS == BASE_ORGANISATIONS and len(cells) == CELLS

    people: list[Person] = []
    per_cell, extra = divmod(MEMBERS, CELLS)
    number = 0
    for index, (cell, committee_unit) in enumerate(cells):
        for seat in range(per_cell + (1 if index < extra else 0)):
            number += 1
            role = "Bí thư" if seat == 0 else "Phó bí thư" if seat == 1 else ""
            committee = [committee_unit] if seat == 0 else []
            if seat == 0 and index < len(bases):  # one secretary per base org on the top committee
                committee.append(TOP)
            draw = rng.random()
            status = "Chính thức" if draw < 0.85 else "Dự bị" if draw < 0.95 else "Miễn sinh hoạt"
            joined = (
                NOW.date() - timedelta(days=rng.randint(30, 330))
                if status == "Dự bị"
                else date(rng.randint(1965, 2024), rng.randint(1, 12), rng.randint(1, 28))
            )
            phone_digits = 900_000_000 + rng.randint(0, 99_999_999)
            people.append(
                Person(
                    code=f"QN{number:06d}",
                    name=f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
                    cell=cell,
                    status=status,
                    role=role,
                    committee=committee,
                    # Half as numbers: what Excel does to a phone column typed without care.
                    phone=phone_digits if number % 2 else f"0{phone_digits}",
                    joined=joined if rng.random() < 0.9 else None,
                )
            )
    return people


def updated(people: list[Person], seed: int = 7) -> list[Person]:
    """About 5 % of members changed: renamed, moved to another cell (as ordinary members), or
    a secretary handing over to their deputy."""
    rng = random.Random(seed)
    changed = [Person(**asdict(p)) for p in people]
    cells = sorted({p.cell for p in people})
    by_cell: dict[str, list[Person]] = {}
    for person in changed:
        by_cell.setdefault(person.cell, []).append(person)
    for person in rng.sample(changed, int(len(changed) * UPDATE_SHARE)):
        kind = rng.randrange(3)
        if kind == 0:
            person.name += " Mới"
        elif kind == 1 and not person.role:
            person.cell = rng.choice(cells)
        else:
            crew = by_cell[person.cell]
            secretary, deputy = crew[0], crew[1]
            if secretary.role == "Bí thư" and deputy.role == "Phó bí thư":
                secretary.role, deputy.role = "Phó bí thư", "Bí thư"
    return changed


def write_xlsx(people: list[Person], path: Path) -> None:
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Đảng viên")
    sheet.append(HEADER)
    for p in people:
        sheet.append(
            [p.code, p.name, p.cell, p.status, p.role, "; ".join(p.committee), p.phone, p.joined]
        )
    workbook.save(path)


def write_csv(people: list[Person], path: Path, *, delimiter: str = ",") -> None:
    """Excel's "CSV UTF-8": a BOM, CRLF, dates as dd/mm/yyyy."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow(HEADER)
        for p in people:
            joined = p.joined.strftime("%d/%m/%Y") if p.joined else ""
            committee = "; ".join(p.committee)
            writer.writerow([p.code, p.name, p.cell, p.status, p.role, committee, p.phone, joined])


# --- One phase, in a child process ----------------------------------------------------------


def _maxrss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def run_phase(url: str, file: Path) -> dict[str, object]:
    """Import `file` into `url` in one transaction; time parse + validate + write + commit."""
    from models import Database
    from services.importer import import_file, read_rows

    database = Database(url)
    with database.session() as session:  # connect and warm up outside the timing
        session.connection()
    baseline = _maxrss_mb()
    started = time.perf_counter()
    with database.session() as session:
        report = import_file(session, file, now=NOW, actor_label="bench")
    seconds = time.perf_counter() - started
    peak = _maxrss_mb()
    read_started = time.perf_counter()
    rows = len(read_rows(file))
    read_seconds = time.perf_counter() - read_started
    database.dispose()
    return {
        "rows": rows,
        "seconds": seconds,
        "read_seconds": read_seconds,
        "baseline_mb": baseline,
        "peak_mb": peak,
        "report": asdict(report),
    }


# --- Driver ---------------------------------------------------------------------------------


def _child(url: str, file: Path) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-m", "bench.bench_import", "--phase", url, str(file)],
        check=True,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def _run_engine(label: str, url: str, files: dict[str, Path]) -> list[tuple[str, str, dict]]:
    import migrations

    migrations.upgrade(url)
    results = []
    for phase, name in (("first import", "xlsx"), ("re-import", "csv"), ("update", "update")):
        results.append((label, f"{phase} ({files[name].suffix[1:]})", _child(url, files[name])))
    return results


def _postgres(files: dict[str, Path]) -> list[tuple[str, str, dict]]:
    import sqlalchemy as sa

    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"sotay_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        url = sa.make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
        return _run_engine("postgresql", url, files)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _print_table(results: list[tuple[str, str, dict]]) -> None:
    head = (
        f"{'engine':<11} {'phase':<20} {'rows':>6} {'seconds':>8} {'rows/s':>8} "
        f"{'parse s':>8} {'peak MB':>8} {'+MB':>6}  created/updated/same/roles/units"
    )
    print(head)
    print("-" * len(head))
    for engine, phase, r in results:
        rep = r["report"]
        counts = (
            f"{rep['members_created']}/{rep['members_updated']}/{rep['members_unchanged']}"
            f"/{rep['roles_changed']}/{rep['units_created']}"
        )
        print(
            f"{engine:<11} {phase:<20} {r['rows']:>6} {r['seconds']:>8.2f} "
            f"{r['rows'] / r['seconds']:>8.0f} {r['read_seconds']:>8.2f} {r['peak_mb']:>8.0f} "
            f"{r['peak_mb'] - r['baseline_mb']:>6.0f}  {counts}"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phase", nargs=2, metavar=("URL", "FILE"), help=argparse.SUPPRESS)
    parser.add_argument("--no-pg", action="store_true", help="skip PostgreSQL")
    args = parser.parse_args(argv)
    if args.phase:
        print(json.dumps(run_phase(args.phase[0], Path(args.phase[1]))))
        return

    people = generate()
    with tempfile.TemporaryDirectory(prefix="sotay_bench_") as tmp:
        folder = Path(tmp)
        files = {
            "xlsx": folder / "dang_vien.xlsx",
            "csv": folder / "dang_vien.csv",
            "update": folder / "dang_vien_cap_nhat.csv",
        }
        started = time.perf_counter()
        write_xlsx(people, files["xlsx"])
        write_csv(people, files["csv"])
        write_csv(updated(people), files["update"], delimiter=";")
        cells = len({p.cell for p in people})
        print(
            f"Generated {len(people)} members in {cells} cells, "
            f"{BASE_ORGANISATIONS} base organisations, in {time.perf_counter() - started:.1f} s "
            f"(xlsx {files['xlsx'].stat().st_size // 1024} KiB, "
            f"csv {files['csv'].stat().st_size // 1024} KiB)"
        )
        results = _run_engine("sqlite", f"sqlite:///{folder / 'bench.db'}", files)
        if not args.no_pg:
            results += _postgres(files)
    print()
    _print_table(results)
    print(
        "\nseconds: parse + validate + write + commit, one transaction; parse s: read_rows alone;"
        "\npeak MB: the phase's child process ru_maxrss; +MB: over the same process before import."
    )


if __name__ == "__main__":
    main()
