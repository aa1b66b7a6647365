"""Benchmark of the yearly assessment (Quy định 366-QĐ/TW) at the seed's scale and at 10×.

The seed (Quảng Ninh, 2023): 82 base organisations, 547 cells, 7,500 members. The tree and
members come from `bench.bench_fees` (the same generator); on top, a year (2026) of facts for
every member: 12 monthly meetings per cell with each member on the roll (85 % present, 8 %
excused, 7 % unexcused), 3 tasks each (on time, late, open past due), a fee basis from
February with a payment per month (most on time, some late, some missing), and a study pledge
(80 % approved, 60 % reviewed at year-end).

Then, each in a fresh child process (ru_maxrss counts from the child's start):

1. baseline: imports, connection, the formula (what every process pays);
2. year: the suggestion for every member of the tree at once (`suggest.suggest`, what a
   committee's whole-tree figure would need): time, maxrss, and with `--trace` the Python
   peak (tracemalloc);
3. cells: every cell's list as its secretary opens it (`decisions.build_view`, one cell at a
   time, as 547 (5,470) secretaries would), total and per cell;
4. distribution: the top committee's distribution of bands per cell.

Run: `nice -n 10 .venv/bin/python -m bench.bench_assessment --scales 1 10 --trace`
(`--db sqlite` for a file database; PostgreSQL at SOTAY_BENCH_PG_URL by default, as
bench_fees). Nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.bench_fees import Tree, _database, _insert, _members, _units

TODAY = date(2027, 1, 10)
YEAR_START = datetime(2026, 1, 1, tzinfo=UTC)


def _ts(day: date, hour: int = 1) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def _meetings(tree: Tree) -> Iterator[dict[str, Any]]:
    meeting_id = 0
    for cell in tree.cells:
        for month in range(1, 13):
            meeting_id += 1
            day = date(2026, month, 15)
            yield {
                "id": meeting_id,
                "cell_id": cell,
                "kind": "thuong_ky",
                "starts_at": _ts(day),
                "ends_at": _ts(day, 3),
                "place": "Hội trường",
                "agenda": [],
                "status": "scheduled",
                "regular_month": f"2026-{month:02d}",
                "created_at": YEAR_START,
                "updated_at": YEAR_START,
            }


def _rolls(tree: Tree, rng: random.Random) -> Iterator[dict[str, Any]]:
    meeting_id = 0
    for cell in tree.cells:
        for _month in range(12):
            meeting_id += 1
            for member in tree.members_of.get(cell, []):
                draw = rng.random()
                status = (
                    "co_mat"
                    if draw < 0.85
                    else "vang_co_phep"
                    if draw < 0.93
                    else "vang_khong_phep"
                )
                yield {
                    "meeting_id": meeting_id,
                    "member_id": member,
                    "member_status": "chinh_thuc",
                    "status": status,
                }


def _tasks(tree: Tree, rng: random.Random) -> Iterator[dict[str, Any]]:
    for cell, members in tree.members_of.items():
        for member in members:
            for _ in range(3):
                due = date(2026, rng.randint(1, 12), rng.randint(1, 28))
                draw = rng.random()
                done = None
                if draw < 0.75:
                    done = due - timedelta(days=rng.randint(0, 10))
                elif draw < 0.9:
                    done = due + timedelta(days=rng.randint(1, 20))
                yield {
                    "cell_id": cell,
                    "title": "Nhiệm vụ",
                    "owner_member_id": member,
                    "due_on": due,
                    "status": "hoan_thanh" if done else "dang_lam",
                    "done_at": _ts(done) if done else None,
                    "created_at": YEAR_START,
                    "updated_at": YEAR_START,
                }


def _profiles(tree: Tree, rng: random.Random) -> Iterator[dict[str, Any]]:
    for members in tree.members_of.values():
        for member in members:
            yield {
                "member_id": member,
                "valid_from": date(2026, 2, 1),
                "basis": "bhxh",
                "income": rng.randrange(5_000_000, 20_000_000, 100_000),
                "source": "import",
                "created_at": YEAR_START,
            }


def _payments(tree: Tree, rng: random.Random, incomes: dict[int, int]) -> Iterator[dict[str, Any]]:
    for cell, members in tree.members_of.items():
        for member in members:
            due = incomes[member] // 100
            for month in range(2, 13):
                draw = rng.random()
                if draw > 0.95:
                    continue
                day = date(2026, month, rng.randint(2, 25))
                if draw > 0.85:
                    day = day + timedelta(days=35)
                yield {
                    "member_id": member,
                    "cell_id": cell,
                    "amount": due,
                    "extra": 0,
                    "method": "cash",
                    "status": "confirmed",
                    "paid_on": day,
                    "created_at": YEAR_START,
                }


def _pledges(tree: Tree, rng: random.Random) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    pledges, reviews = [], []
    pledge_id = 0
    for cell, members in tree.members_of.items():
        for member in members:
            if rng.random() > 0.8:
                continue
            pledge_id += 1
            pledges.append(
                {
                    "id": pledge_id,
                    "member_id": member,
                    "cell_id": cell,
                    "year": 2026,
                    "commitments": ["Gương mẫu"],
                    "status": "approved",
                    "submitted_at": YEAR_START,
                    "updated_at": YEAR_START,
                }
            )
            if rng.random() < 0.75:
                reviews.append(
                    {
                        "pledge_id": pledge_id,
                        "period": "end",
                        "ratings": [{"rating": "done", "evidence": "x"}],
                        "submitted_at": _ts(date(2026, 12, 10)),
                        "confirmed_at": _ts(date(2026, 12, 20)),
                    }
                )
    return pledges, reviews


def generate(url: str, scale: int) -> dict[str, Any]:
    from models import (
        Attendance,
        FeePayment,
        FeeProfile,
        Meeting,
        Member,
        StudyPledge,
        StudyPledgeReview,
        Task,
        Unit,
    )

    rng = random.Random(366 * scale)
    tree = Tree()
    engine = sa.create_engine(url)
    counts: dict[str, int] = {}
    with engine.begin() as conn:
        counts["units"] = _insert(conn, Unit, _units(tree, scale))
        counts["members"] = _insert(conn, Member, _members(tree, scale, rng))
        counts["meetings"] = _insert(conn, Meeting, _meetings(tree))
        counts["attendances"] = _insert(conn, Attendance, _rolls(tree, rng))
        counts["tasks"] = _insert(conn, Task, _tasks(tree, rng))
        profiles = list(_profiles(tree, rng))
        counts["fee_profiles"] = _insert(conn, FeeProfile, iter(profiles))
        incomes = {p["member_id"]: p["income"] for p in profiles}
        counts["fee_payments"] = _insert(conn, FeePayment, _payments(tree, rng, incomes))
        pledges, reviews = _pledges(tree, rng)
        counts["study_pledges"] = _insert(conn, StudyPledge, iter(pledges))
        counts["study_pledge_reviews"] = _insert(conn, StudyPledgeReview, iter(reviews))
        if conn.dialect.name == "postgresql":
            for table in ("units", "members", "meetings", "study_pledges"):
                sequence = f"pg_get_serial_sequence('{table}', 'id')"
                conn.execute(sa.text(f"SELECT setval({sequence}, (SELECT max(id) FROM {table}))"))
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("ANALYZE"))
        conn.commit()
    engine.dispose()
    return counts


def _measure(kind: str, url: str, trace: bool) -> dict[str, Any]:
    from sqlmodel import select

    from bot.features import offers
    from models import Database, Member, Unit
    from services.assessment import decisions, locking
    from services.assessment.rules import DEFAULT_ASSESSMENT_RULES, Period
    from services.assessment.suggest import suggest
    from services.auth import Actor
    from services.offers import ASSESSMENT_FACTS

    rules = DEFAULT_ASSESSMENT_RULES
    offered = offers().of(ASSESSMENT_FACTS)
    period = Period(2026)
    db = Database(url)
    result: dict[str, Any] = {}
    with db.session() as session:
        if trace:
            tracemalloc.start()
        started = time.perf_counter()
        if kind == "year":
            ids = [m for m in session.exec(select(Member.id)).all() if m is not None]
            found = suggest(session, offered, ids, period, TODAY, rules.formula, rules.tz)
            bands: dict[str, int] = {}
            for s in found.values():
                bands[str(s.band)] = bands.get(str(s.band), 0) + 1
            result.update(members=len(found), bands=bands)
        elif kind == "cells":
            cells = session.exec(select(Unit).where(Unit.kind != "dang_bo_co_so")).all()
            times = []
            count = 0
            for cell in cells:
                if cell.parent_id is None:
                    continue
                t0 = time.perf_counter()
                view = decisions.build_view(session, cell, period, offered, TODAY, rules)
                times.append(time.perf_counter() - t0)
                count += len(view.members)
            times.sort()
            result.update(
                cells=len(times),
                members=count,
                per_cell_p50_ms=round(times[len(times) // 2] * 1000, 1),
                per_cell_max_ms=round(times[-1] * 1000, 1),
            )
        elif kind == "distribution":
            admin = Actor(
                0,
                "admin",
                "admin",
                "chinh_thuc",
                0,
                "",
                frozenset(),
                frozenset(),
                frozenset(),
                True,
            )
            _unit, rows = locking.distribution(session, admin, 1, period, rules)
            result.update(cells=len(rows))
        result["seconds"] = round(time.perf_counter() - started, 2)
        if trace:
            _current, peak = tracemalloc.get_traced_memory()
            result["py_peak_mb"] = round(peak / 2**20, 1)
    db.dispose()
    result["maxrss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return result


def _child(kind: str, url: str, scale: int, trace: bool = False) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.bench_assessment", "--child", kind, "--url", url]
    command += ["--scales", str(scale)] + (["--trace"] if trace else [])
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"child {kind} failed")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def run(kind: str, scale: int, trace: bool) -> dict[str, Any]:
    results: dict[str, Any] = {"db": kind, "scale": scale}
    with tempfile.TemporaryDirectory(prefix="sotay_bench_assessment_") as tmp:
        url, drop = _database(kind, Path(tmp))
        try:
            t0 = time.perf_counter()
            results["rows"] = _child("generate", url, scale)
            results["generate_s"] = round(time.perf_counter() - t0, 1)
            results["baseline"] = _child("baseline", url, scale)
            results["year"] = _child("year", url, scale)
            if trace:
                results["year_traced"] = _child("year", url, scale, trace=True)
            results["cells"] = _child("cells", url, scale)
            results["distribution"] = _child("distribution", url, scale)
        finally:
            drop()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="postgresql")
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--trace", action="store_true", help="tracemalloc's peak (slower)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "generate":
        print(json.dumps(generate(args.url, args.scales[0])))
        return
    if args.child == "baseline":
        from services.assessment.rules import Formula

        Formula.load()
        print(
            json.dumps(
                {"maxrss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}
            )
        )
        return
    if args.child:
        print(json.dumps(_measure(args.child, args.url, args.trace)))
        return
    for scale in args.scales:
        print(json.dumps(run(args.db, scale, args.trace), ensure_ascii=False))


if __name__ == "__main__":
    main()
