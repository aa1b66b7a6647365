"""Benchmark of the party fees' read side: every member's dues, every cell's month book with its
XLSX, the month close, and the committees' roll-up, at the seed's scale and at 10×.

The seed (Quảng Ninh, 2023): 82 base organisations (12 of them cells directly under the top
committee), 547 cells, 7,500 members. This script builds such a tree (`--scale 10`: ten times
as many units and members) on SQLite or PostgreSQL with plain bulk INSERTs, and gives the
members fees as a real province would have them in late November 2026:

- a basis from February 2026 (when 01-QĐ/TW took effect): insured salary 55 %, pension 15 %,
  no social insurance 12 % (region from the top unit, some base organisations their own), the
  same over retirement age 5 %, students 5 %, exempt 3 %, no basis yet 3 %, a salary basis
  without its amount 2 %; 5 % changed their salary in July; 1 % have a 50 % reduction;
- payments, each booked in the month it was received: most pay every month in cash, some each
  quarter by transfer, some have fallen behind (2 or 3 months: the arrears flags); this month
  60 % have paid and 8 % claimed a transfer not yet confirmed;
- every cell closed February to September; October is still open.

Then, each in a fresh child process (a child's ru_maxrss starts from its parent's size), after
a baseline child that only imports, connects and writes one tiny XLSX:

1. `dues`: the ledgers of every member of the tree at once (`services.fees.ledger.ledgers`);
2. `books`: for every cell, in its own session as a collector's update would be, this month's
   book (`month_book`) and its XLSX (`render_book_xlsx`): per-cell p50/p99;
3. `rollup`: the committees' view for the whole tree: `cell_dues_figure`,
   `unclosed_last_month`, `arrears_count`; and whether the figure equals every book's totals
   to the đồng;
4. `close`: every cell closes October (`close_month`, committed per cell) and gets its XLSX.

Run: `.venv/bin/python -m bench.bench_fees` (SQLite, ×1); `--scale 10`; `--db postgresql`
(at SOTAY_BENCH_PG_URL, default postgresql+psycopg://postgres@127.0.0.1:5432/postgres);
`--trace` adds tracemalloc's Python peak (slower).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

PG_ADMIN_URL = os.environ.get(
    "SOTAY_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
NOW = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)  # 10:00 in Hà Nội, November 2026
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
FIRST = date(2026, 2, 1)  # 01-QĐ/TW in force
THIS = date(2026, 11, 1)
BASE_ORGANISATIONS = 82
BASE_CELLS = 12  # of the 82, cells directly under the top committee
CELLS = 547
MEMBERS = 7_500
TOP = "Đảng ủy Khối các cơ quan và doanh nghiệp tỉnh Quảng Ninh"
CHUNK = 5_000


def _month(index: int) -> date:
    """The month `index` months after February 2026."""
    total = FIRST.month - 1 + index
    return date(FIRST.year + total // 12, total % 12 + 1, 1)


MONTHS = [_month(i) for i in range(10)]  # February … November 2026


# --- Generating ---------------------------------------------------------------------------------


class Tree:
    """What was generated, kept for the later tables."""

    def __init__(self) -> None:
        self.bases: list[int] = []
        self.cells: list[int] = []
        self.members_of: dict[int, list[int]] = {}


def _units(tree: Tree, scale: int) -> Iterator[dict[str, Any]]:
    created = NOW - timedelta(days=800)
    yield _unit(1, TOP, "dang_uy_cap_tren", None, TOP, "/1/", created)
    next_id = 2
    bases = (BASE_ORGANISATIONS - BASE_CELLS) * scale
    for index in range(bases):
        name = f"Đảng bộ cơ sở số {index + 1}"
        tree.bases.append(next_id)
        path = f"{TOP} / {name}"
        yield _unit(next_id, name, "dang_bo_co_so", 1, path, f"/1/{next_id}/", created)
        next_id += 1
    for index in range(BASE_CELLS * scale):
        name = f"Chi bộ cơ sở số {index + 1}"
        tree.cells.append(next_id)
        path = f"{TOP} / {name}"
        yield _unit(next_id, name, "chi_bo_co_so", 1, path, f"/1/{next_id}/", created)
        next_id += 1
    for index in range((CELLS - BASE_CELLS) * scale):
        base = tree.bases[index % bases]
        name = f"Chi bộ số {index + 1}"
        tree.cells.append(next_id)
        path = f"{TOP} / Đảng bộ cơ sở số {base - 1} / {name}"
        yield _unit(
            next_id, name, "chi_bo_truc_thuoc", base, path, f"/1/{base}/{next_id}/", created
        )
        next_id += 1


def _unit(
    uid: int, name: str, kind: str, parent: int | None, path: str, lineage: str, at: datetime
) -> dict[str, Any]:
    return {
        "id": uid,
        "name": name,
        "kind": kind,
        "parent_id": parent,
        "path": path,
        "lineage": lineage,
        "created_at": at,
    }


GIVEN = ["An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hoa", "Lan", "Minh", "Sơn", "Yến"]
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô"]


def _members(tree: Tree, scale: int, rng: random.Random) -> Iterator[dict[str, Any]]:
    created = NOW - timedelta(days=800)
    cells = tree.cells
    placement = [c for c in cells for _ in range(3)]  # at least 3 per cell
    placement += [rng.choice(cells) for _ in range(MEMBERS * scale - len(placement))]
    for member_id, cell in enumerate(placement, start=1):
        tree.members_of.setdefault(cell, []).append(member_id)
        name = f"{rng.choice(SURNAMES)} Văn {rng.choice(GIVEN)} {member_id}"
        yield {
            "id": member_id,
            "code": f"DV{member_id:07d}",
            "full_name": name,
            "status": "chinh_thuc",
            "cell_id": cell,
            "joined_on": date(rng.randint(1970, 2024), rng.randint(1, 12), rng.randint(1, 28)),
            "created_at": created,
            "updated_at": created,
        }


def _roles(tree: Tree) -> Iterator[dict[str, Any]]:
    for role_id, cell in enumerate(tree.cells, start=1):
        yield {
            "id": role_id,
            "member_id": tree.members_of[cell][0],
            "role": "bi_thu",
            "unit_id": cell,
            "created_at": NOW - timedelta(days=400),
        }


class Fees:
    """The fee rows, generated together since payments follow from the dues."""

    def __init__(self) -> None:
        self.profiles: list[dict[str, Any]] = []
        self.reductions: list[dict[str, Any]] = []
        self.payments: list[dict[str, Any]] = []
        self.closes: list[dict[str, Any]] = []


def _fees(tree: Tree, rng: random.Random) -> Fees:
    from services.fees.dues import Basis, FeeProfile, Region, dues_for

    fees = Fees()
    created = datetime(2026, 1, 20, tzinfo=UTC)
    payment_id = 0
    for cell in tree.cells:
        for member_id in tree.members_of[cell]:
            roll = rng.random()
            income: int | None = None
            exemption: str | None = None
            if roll < 0.55:
                basis, income = Basis.BHXH, rng.randrange(5_000_000, 20_000_000, 1_000)
            elif roll < 0.70:
                basis, income = Basis.HUU_TRI, rng.randrange(4_000_000, 12_000_000, 1_000)
            elif roll < 0.82:
                basis = Basis.KHONG_BHXH
            elif roll < 0.87:
                basis = Basis.KHONG_BHXH_CAO_TUOI
            elif roll < 0.92:
                basis = Basis.HOC_SINH
            elif roll < 0.95:
                basis, exemption = Basis.MIEN, "tuoi_dang_50"
            elif roll < 0.98:
                continue  # no basis yet
            else:
                fees.profiles.append(_profile(member_id, FIRST, "bhxh", None, None, created))
                continue  # a salary basis without the salary
            fees.profiles.append(_profile(member_id, FIRST, basis, income, exemption, created))
            if income is not None and rng.random() < 0.05:
                income += 1_000_000
                fees.profiles.append(
                    _profile(member_id, date(2026, 7, 1), basis, income, None, created)
                )
            if rng.random() < 0.01:
                fees.reductions.append(
                    {
                        "member_id": member_id,
                        "percent": 50,
                        "reason": "Hoàn cảnh khó khăn",
                        "start": date(2026, 8, 1),
                        "months": 6,
                        "created_at": created,
                    }
                )
            due = dues_for(FeeProfile(basis, income, Region.II, None), THIS).amount
            if due <= 0:
                continue
            for paid_on, amount, method, status in _paying(rng, due):
                payment_id += 1
                fees.payments.append(
                    {
                        "id": payment_id,
                        "member_id": member_id,
                        "cell_id": cell,
                        "amount": amount,
                        "extra": 0,
                        "method": method,
                        "status": status,
                        "book_month": paid_on.replace(day=1) if status == "confirmed" else None,
                        "paid_on": paid_on,
                        "created_at": datetime(
                            paid_on.year, paid_on.month, paid_on.day, 3, tzinfo=UTC
                        ),
                    }
                )
    for cell in tree.cells:
        for month in MONTHS[:8]:  # February … September closed
            fees.closes.append(
                {
                    "cell_id": cell,
                    "month": month,
                    "expected": 0,
                    "collected": 0,
                    "remit": 0,
                    "closed_at": datetime(month.year, month.month, 28, 3, tzinfo=UTC),
                    "closed_by_member_id": tree.members_of[cell][0],
                }
            )
    return fees


def _profile(
    member_id: int,
    since: date,
    basis: str,
    income: int | None,
    exemption: str | None,
    at: datetime,
) -> dict[str, Any]:
    return {
        "member_id": member_id,
        "valid_from": since,
        "basis": str(basis),
        "income": income,
        "region": None,
        "exemption": exemption,
        "source": "import",
        "created_at": at,
    }


def _paying(rng: random.Random, due: int) -> Iterator[tuple[date, int, str, str]]:
    """A member's payments from February: (day, amount, method, status)."""
    habit = rng.random()
    past = MONTHS[:-1]  # February … October
    if habit < 0.70:  # every month, in cash at the meeting
        for month in past:
            yield month.replace(day=rng.randint(5, 25)), due, "cash", "confirmed"
    elif habit < 0.85:  # each quarter, by transfer
        for start in range(0, len(past), 3):
            covered = past[start : start + 3]
            yield (
                covered[-1].replace(day=rng.randint(5, 25)),
                due * len(covered),
                "transfer",
                "confirmed",
            )
    else:  # fallen behind: 2 or 3 months unpaid before this one
        behind = 2 if habit < 0.93 else 3
        for month in past[: len(past) - behind]:
            yield month.replace(day=rng.randint(5, 25)), due, "cash", "confirmed"
        return
    draw = rng.random()
    if draw < 0.60:
        yield THIS.replace(day=rng.randint(2, 25)), due, "cash", "confirmed"
    elif draw < 0.68:
        yield THIS.replace(day=rng.randint(2, 25)), due, "transfer", "claimed"


def generate(url: str, scale: int) -> dict[str, Any]:
    """Write the data set with bulk INSERTs; the row counts."""
    from models import (
        FeeMonthClose,
        FeePayment,
        FeeProfile,
        FeeReduction,
        FeeUnitSettings,
        Member,
        RoleAssignment,
        Unit,
    )

    rng = random.Random(2023 * scale)
    tree = Tree()
    engine = sa.create_engine(url)
    counts: dict[str, int] = {}
    with engine.begin() as conn:
        counts["units"] = _insert(conn, Unit, _units(tree, scale))
        counts["members"] = _insert(conn, Member, _members(tree, scale, rng))
        counts["role_assignments"] = _insert(conn, RoleAssignment, _roles(tree))
        regions = [{"unit_id": 1, "region": 2}] + [
            {"unit_id": base, "region": 1} for base in tree.bases[::10]
        ]
        counts["fee_unit_settings"] = _insert(
            conn, FeeUnitSettings, ({**r, "updated_at": NOW} for r in regions)
        )
        fees = _fees(tree, rng)
        counts["fee_profiles"] = _insert(conn, FeeProfile, fees.profiles)
        counts["fee_reductions"] = _insert(conn, FeeReduction, fees.reductions)
        counts["fee_payments"] = _insert(conn, FeePayment, fees.payments)
        counts["fee_month_closes"] = _insert(conn, FeeMonthClose, fees.closes)
        if conn.dialect.name == "postgresql":
            for table in ("units", "members", "role_assignments", "fee_payments"):
                sequence = f"pg_get_serial_sequence('{table}', 'id')"
                conn.execute(sa.text(f"SELECT setval({sequence}, (SELECT max(id) FROM {table}))"))
    with engine.connect() as conn:
        conn.execute(sa.text("ANALYZE"))
        conn.commit()
    engine.dispose()
    return counts


def _insert(conn: sa.Connection, model: Any, rows: Any) -> int:
    from models.upsert import table_of

    table = table_of(model)
    batch: list[dict[str, Any]] = []
    count = 0
    for row in rows:
        batch.append(row)
        if len(batch) >= CHUNK:
            conn.execute(table.insert(), batch)
            count += len(batch)
            batch = []
    if batch:
        conn.execute(table.insert(), batch)
        count += len(batch)
    return count


# --- Measuring (child processes) ----------------------------------------------------------------


def _secretaries(session: Any) -> dict[int, Any]:
    """cell → an Actor for its secretary, built from one query (as `load_actor` would)."""
    from sqlmodel import select

    from models import Member, RoleAssignment, Unit
    from services.auth import Actor

    rows = session.exec(
        select(RoleAssignment.unit_id, Member, Unit.name)
        .join(Member, Member.id == RoleAssignment.member_id)
        .join(Unit, Unit.id == RoleAssignment.unit_id)
        .where(RoleAssignment.role == "bi_thu")
    ).all()
    return {
        cell: Actor(
            member_id=member.id,
            code=member.code,
            full_name=member.full_name,
            status=member.status,
            cell_id=cell,
            cell_name=name,
            managed_cell_ids=frozenset({cell}),
            secretary_cell_ids=frozenset({cell}),
            committee_unit_ids=frozenset(),
            is_admin=False,
        )
        for cell, member, name in rows
    }


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p99_ms": round(p99 * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


def _measure(kind: str, url: str, trace: bool) -> dict[str, Any]:
    from sqlmodel import col, select

    from models import Database, Member, Unit
    from services.fees import book
    from services.fees.ledger import ledgers
    from services.fees.rules import DEFAULT_FEE_RULES

    db = Database(url)
    rules = DEFAULT_FEE_RULES
    with db.session() as session:  # the connection pool and the imports, as every process pays
        session.exec(select(Unit.id).limit(1)).all()
    book.render_book_xlsx(_tiny_book())  # openpyxl's first use is not the phase's
    if trace:
        tracemalloc.start()
    result: dict[str, Any] = {}
    started = time.perf_counter()
    cells_q = select(Unit.id).where(col(Unit.kind).in_(["chi_bo_co_so", "chi_bo_truc_thuoc"]))
    if kind == "dues":
        with db.session() as session:
            accounts = ledgers(session, select(Member.id), now=NOW, rules=rules)
        result.update(
            members=len(accounts),
            month_lines=sum(len(a.lines) for a in accounts.values()),
            owed=sum(a.owed_total for a in accounts.values()),
        )
    elif kind in ("books", "close"):
        with db.session() as session:
            actors = _secretaries(session)
        per_cell: list[float] = []
        xlsx_s = 0.0
        xlsx_bytes = 0
        totals: dict[str, list[int]] = {}
        month = THIS if kind == "books" else date(2026, 10, 1)
        for cell, actor in sorted(actors.items()):
            t0 = time.perf_counter()
            with db.session() as session:
                if kind == "books":
                    cell_book = book.month_book(session, actor, cell, month, now=NOW, rules=rules)
                else:
                    cell_book = book.close_month(session, actor, cell, month, now=NOW, rules=rules)
            t1 = time.perf_counter()
            data = book.render_book_xlsx(cell_book)
            t2 = time.perf_counter()
            per_cell.append(t2 - t0)
            xlsx_s += t2 - t1
            xlsx_bytes += len(data)
            totals[str(cell)] = [cell_book.covered, cell_book.expected]
        result.update(
            cells=len(per_cell),
            xlsx_s=round(xlsx_s, 2),
            xlsx_kb_avg=round(xlsx_bytes / max(1, len(per_cell)) / 1024, 1),
            totals=totals,
            **_percentiles(per_cell),
        )
    elif kind == "rollup":
        with db.session() as session:
            t0 = time.perf_counter()
            figure = book.cell_dues_figure(session, cells_q, NOW, TZ, rules=rules)
            t1 = time.perf_counter()
            unclosed = book.unclosed_last_month(session, cells_q, NOW, TZ, rules=rules)
            t2 = time.perf_counter()
            flagged = book.arrears_count(session, cells_q, NOW, TZ, rules=rules)
            t3 = time.perf_counter()
        result.update(
            figure_s=round(t1 - t0, 3),
            unclosed_s=round(t2 - t1, 3),
            arrears_s=round(t3 - t2, 3),
            cells=len(figure),
            unclosed=len(unclosed),
            flagged=sum(flagged.values()),
            totals={str(c): list(pair) for c, pair in figure.items()},
        )
    result["seconds"] = round(time.perf_counter() - started, 3)
    if trace:
        _current, peak = tracemalloc.get_traced_memory()
        result["py_peak_mb"] = round(peak / 2**20, 1)
    result["maxrss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    db.dispose()
    return result


def _tiny_book() -> Any:
    from services.fees.book import CellBook

    return CellBook(1, "x", THIS, (), 0, 0, 0, 0, (), 0, None, None, NOW, TZ)


def _run_child(kind: str, url: str, scale: int, trace: bool = False) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.bench_fees", "--child", kind, "--url", url]
    command += ["--scale", str(scale)] + (["--trace"] if trace else [])
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"child {kind} failed")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


# --- Orchestration ------------------------------------------------------------------------------


def _database(kind: str, folder: Path) -> tuple[str, Any]:
    """A fresh, migrated database; the URL and how to drop it."""
    import migrations

    if kind == "sqlite":
        url = f"sqlite:///{folder / 'fees.db'}"
        migrations.upgrade(url)
        return url, lambda: None
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"sotay_bench_fees_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    try:
        migrations.upgrade(url)
    except BaseException:
        drop()
        raise
    return url, drop


def run(kind: str, scale: int, trace: bool) -> dict[str, Any]:
    results: dict[str, Any] = {"db": kind, "scale": scale}
    with tempfile.TemporaryDirectory(prefix="sotay_bench_fees_") as tmp:
        url, drop = _database(kind, Path(tmp))
        try:
            t0 = time.perf_counter()
            results["rows"] = _run_child("generate", url, scale)
            results["generate_s"] = round(time.perf_counter() - t0, 1)
            results["baseline"] = _run_child("baseline", url, scale)
            for phase in ("dues", "books", "rollup", "close"):
                results[phase] = _run_child(phase, url, scale, trace)
        finally:
            drop()
    books, rollup = results["books"].pop("totals"), results["rollup"].pop("totals")
    results["close"].pop("totals")
    results["agree"] = {
        "cells": len(books),
        "equal": sum(1 for c, pair in books.items() if rollup.get(c, [0, 0]) == pair),
        "covered": sum(p[0] for p in books.values()),
        "expected": sum(p[1] for p in books.values()),
        "rollup_covered": sum(p[0] for p in rollup.values()),
        "rollup_expected": sum(p[1] for p in rollup.values()),
    }
    return results


def _print(r: dict[str, Any]) -> None:
    rows = r["rows"]
    base = r["baseline"]["maxrss_mb"]

    def memory(phase: dict[str, Any]) -> str:
        text = f"maxrss {phase['maxrss_mb']} MB (+{round(phase['maxrss_mb'] - base, 1)})"
        if "py_peak_mb" in phase:
            text += f", Python peak {phase['py_peak_mb']} MB"
        return text

    print(
        f"\n=== {r['db']} ×{r['scale']}: {rows['units']:,} units, {rows['members']:,} members, "
        f"{rows['fee_profiles']:,} bases, {rows['fee_payments']:,} payments, "
        f"{rows['fee_month_closes']:,} closes; generated in {r['generate_s']} s ==="
    )
    print(f"baseline child (imports, connection, one XLSX): maxrss {base} MB")
    d = r["dues"]
    print(
        f"dues, whole tree: {d['seconds']} s for {d['members']:,} members "
        f"({d['month_lines']:,} member-months; {d['owed']:,} đ owed); {memory(d)}"
    )
    for phase, label in (("books", "month book + XLSX"), ("close", "close October + XLSX")):
        b = r[phase]
        print(
            f"{label}, every cell: {b['seconds']} s for {b['cells']:,} cells "
            f"(XLSX {b['xlsx_s']} s, {b['xlsx_kb_avg']} KB each); per cell p50 {b['p50_ms']} ms, "
            f"p99 {b['p99_ms']} ms, max {b['max_ms']} ms; {memory(b)}"
        )
    u = r["rollup"]
    print(
        f"committee roll-up, whole tree: {u['seconds']} s = figure {u['figure_s']} s "
        f"({u['cells']:,} cells) + unclosed {u['unclosed_s']} s ({u['unclosed']} cells) + "
        f"arrears {u['arrears_s']} s ({u['flagged']:,} members flagged); {memory(u)}"
    )
    a = r["agree"]
    print(
        f"books vs roll-up: {a['equal']:,}/{a['cells']:,} cells equal to the đồng; "
        f"covered {a['covered']:,} / expected {a['expected']:,} đ in the books, "
        f"{a['rollup_covered']:,} / {a['rollup_expected']:,} đ in the roll-up"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--trace", action="store_true", help="tracemalloc's peak (slower)")
    parser.add_argument("--json", action="store_true", help="print the raw figures as JSON too")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "generate":
        print(json.dumps(generate(args.url, args.scale)))
        return
    if args.child:
        print(json.dumps(_measure(args.child, args.url, args.trace)))
        return
    results = run(args.db, args.scale, args.trace)
    _print(results)
    if args.json:
        print(json.dumps(results))


if __name__ == "__main__":
    main()
