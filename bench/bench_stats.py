"""Benchmark of the weekly committee statistics on PostgreSQL, at the seed's scale and at 10×.

The seed (Quảng Ninh, 2023): 82 base organisations, 547 cells, 7,500 members. This script builds
such a tree (and one ten times larger) in a temporary PostgreSQL database with COPY: a year of
monthly meetings with their rolls, two directives per cell per month plus one per base
organisation per month with every recipient's acknowledgement, chat accounts with last-seen
times, three committee members per base organisation and three at the top.

Then, each in a fresh child process (the data are generated in one too: a child's ru_maxrss
starts from its parent's size), after a baseline child that only imports, connects and draws one
chart (what every process pays):

1. the figures for the whole tree alone (`services.stats.figures.collect`);
2. the weekly statistics for every committee member (`scheduler.jobs.tick`, weekly group):
   figures for the whole tree (with the 8-period trend and the cells needing attention), one
   chart per distinct figure (the committee's cells compared and the trend,
   `services.stats.charts`), one claim and outbox row per member; again with tracemalloc for
   the Python peak (with `--profile FILE`, the first run under cProfile, its top functions
   printed and the stats written to FILE);
3. the top unit alone, as `/thongke` does it for the top committee: figures, chart, XLSX;
4. the reminders tick at start-up (catching up the last 7 days, nothing claimed yet) and idle;
5. two weekly runs started together on a later week: each member still gets one report.

The statistics run with what the app's features offer them (their figures, flags and reasons),
over their (empty) tables; `SOTAY_BENCH_OFFERS=none` measures the statistics' own work alone.

Run: `.venv/bin/python -m bench.bench_stats` (`--scales 1` for the seed's scale only;
`nice -n 10 .venv/bin/python -m bench.bench_stats --scales 10 --profile /tmp/weekly.prof` for
issue 16's figure and where its time goes).
PostgreSQL at SOTAY_BENCH_PG_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/postgres).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
import sqlalchemy as sa

PG_ADMIN_URL = os.environ.get(
    "SOTAY_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
NOW = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)  # Thursday of week 48, 10:00 in Hà Nội
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
BASE_ORGANISATIONS = 82
BASE_CELLS = 12  # of the 82, cells directly under the top committee
CELLS = 547
MEMBERS = 7_500
COMMITTEE_PER_UNIT = 3
TOP = "Đảng ủy Khối các cơ quan và doanh nghiệp tỉnh Quảng Ninh"


# --- Generating ---------------------------------------------------------------------------------


def _ts(value: datetime) -> str:
    """Naive UTC, as the UTCDateTime columns store it."""
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")


class Tree:
    """Ids of what was generated, kept for the later tables."""

    def __init__(self) -> None:
        self.bases: list[int] = []  # base organisations (not base cells)
        self.cells: list[int] = []
        self.base_of: dict[int, int] = {}  # cell → its base organisation (or itself)
        self.members_of: dict[int, list[int]] = {}
        self.status: dict[int, str] = {}
        self.secretary: dict[int, int] = {}
        self.committee: list[tuple[int, int]] = []  # (member, unit)


def generate(conn: psycopg.Connection, scale: int, rng: random.Random) -> tuple[Tree, dict]:
    """Write the whole data set with COPY; returns the tree and row counts."""
    tree = Tree()
    counts: dict[str, int] = {}
    created = _ts(NOW - timedelta(days=800))
    with conn.cursor() as cur:
        units = _units(tree, scale, rng, created)
        counts["units"] = _copy(
            cur,
            "units",
            ("id", "name", "kind", "parent_id", "path", "lineage", "created_at"),
            units,
        )
        counts["members"] = _copy(
            cur,
            "members",
            ("id", "code", "full_name", "status", "cell_id", "created_at", "updated_at"),
            _members(tree, scale, rng, created),
        )
        counts["role_assignments"] = _copy(
            cur,
            "role_assignments",
            ("id", "member_id", "role", "unit_id", "created_at"),
            _roles(tree, rng, created),
        )
        counts["chat_identities"] = _copy(
            cur,
            "chat_identities",
            (
                "id",
                "channel",
                "external_id",
                "chat_id",
                "member_id",
                "active",
                "linked_at",
                "last_seen_at",
            ),
            _identities(tree, rng),
        )
        meetings: list[tuple[int, int, datetime, bool]] = []
        counts["meetings"] = _copy(
            cur,
            "meetings",
            (
                "id",
                "cell_id",
                "kind",
                "starts_at",
                "ends_at",
                "place",
                "agenda",
                "status",
                "regular_month",
                "attendance_closed_at",
                "created_at",
                "updated_at",
            ),
            _meetings(tree, rng, meetings),
        )
        counts["attendances"] = _copy(
            cur,
            "attendances",
            ("meeting_id", "member_id", "member_status", "answer", "status"),
            _attendances(tree, rng, meetings),
        )
        directives: list[tuple[int, datetime, list[tuple[int, int]]]] = []
        counts["directives"] = _copy(
            cur,
            "directives",
            (
                "id",
                "sender_member_id",
                "unit_id",
                "audience",
                "text",
                "recipient_count",
                "reminders",
                "created_at",
            ),
            _directives(tree, rng, directives),
        )
        counts["directive_recipients"] = _copy(
            cur,
            "directive_recipients",
            ("directive_id", "member_id", "cell_id", "acknowledged_at"),
            _recipients(rng, directives),
        )
        tables = ("units", "members", "role_assignments", "chat_identities", "meetings")
        for table in (*tables, "directives"):
            sequence = f"pg_get_serial_sequence('{table}', 'id')"
            cur.execute(f"SELECT setval({sequence}, (SELECT max(id) FROM {table}))")
    conn.commit()
    conn.execute("ANALYZE")
    return tree, counts


def _copy(cur: psycopg.Cursor, table: str, columns: tuple[str, ...], rows: Any) -> int:
    count = 0
    with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def _units(tree: Tree, scale: int, rng: random.Random, created: str) -> Iterator[tuple]:
    yield (1, TOP, "dang_uy_cap_tren", None, TOP, "/1/", created)
    next_id = 2
    bases = (BASE_ORGANISATIONS - BASE_CELLS) * scale
    base_cells = BASE_CELLS * scale
    for index in range(bases):
        name = f"Đảng bộ cơ sở số {index + 1}"
        tree.bases.append(next_id)
        yield (next_id, name, "dang_bo_co_so", 1, f"{TOP} / {name}", f"/1/{next_id}/", created)
        next_id += 1
    for index in range(base_cells):
        name = f"Chi bộ cơ sở số {index + 1}"
        tree.cells.append(next_id)
        tree.base_of[next_id] = next_id
        yield (next_id, name, "chi_bo_co_so", 1, f"{TOP} / {name}", f"/1/{next_id}/", created)
        next_id += 1
    for index in range(CELLS * scale - base_cells):
        base = tree.bases[index % bases]
        name = f"Chi bộ số {index + 1}"
        tree.cells.append(next_id)
        tree.base_of[next_id] = base
        yield (
            next_id,
            name,
            "chi_bo_truc_thuoc",
            base,
            f"{TOP} / Đảng bộ cơ sở số {tree.bases.index(base) + 1} / {name}",
            f"/1/{base}/{next_id}/",
            created,
        )
        next_id += 1


def _members(tree: Tree, scale: int, rng: random.Random, created: str) -> Iterator[tuple]:
    cells = tree.cells
    total = MEMBERS * scale
    placement = [c for c in cells for _ in range(3)]  # at least 3 per cell
    placement += [rng.choice(cells) for _ in range(total - len(placement))]
    for member_id, cell in enumerate(placement, start=1):
        roll = rng.random()
        status = "chinh_thuc" if roll < 0.85 else ("du_bi" if roll < 0.93 else "mien")
        tree.members_of.setdefault(cell, []).append(member_id)
        tree.status[member_id] = status
        yield (
            member_id,
            f"DV{member_id:07d}",
            f"Đảng viên {member_id}",
            status,
            cell,
            created,
            created,
        )


def _roles(tree: Tree, rng: random.Random, created: str) -> Iterator[tuple]:
    role_id = 1
    for cell in tree.cells:
        secretary = tree.members_of[cell][0]
        tree.secretary[cell] = secretary
        yield (role_id, secretary, "bi_thu", cell, created)
        role_id += 1
    base_members: dict[int, list[int]] = {}
    for cell in tree.cells:
        base_members.setdefault(tree.base_of[cell], []).extend(tree.members_of[cell][1:])
    for unit in [1, *tree.bases]:
        pool = base_members.get(unit) or base_members[tree.bases[0]]
        for member in rng.sample(pool, COMMITTEE_PER_UNIT):
            if (member, unit) in tree.committee:
                continue
            tree.committee.append((member, unit))
            yield (role_id, member, "cap_uy", unit, created)
            role_id += 1


def _identities(tree: Tree, rng: random.Random) -> Iterator[tuple]:
    """70 % of members linked (every committee member), most seen within the month."""
    committee = {m for m, _u in tree.committee}
    identity_id = 1
    for member_id in tree.status:
        if member_id not in committee and rng.random() > 0.7:
            continue
        seen = NOW - timedelta(
            days=rng.uniform(0, 30) if rng.random() < 0.85 else rng.uniform(30, 90)
        )
        key = f"tg{member_id}"
        yield (
            identity_id,
            "telegram",
            key,
            key,
            member_id,
            True,
            _ts(seen - timedelta(days=90)),
            _ts(seen),
        )
        identity_id += 1


def _meetings(
    tree: Tree, rng: random.Random, out: list[tuple[int, int, datetime, bool]]
) -> Iterator[tuple]:
    """A regular meeting per cell per month for a year; this month 75 % held, 15 % to come."""
    meeting_id = 1
    months = [(2025, 12)] + [(2026, m) for m in range(1, 12)]
    for cell in tree.cells:
        for year, month in months:
            current = (year, month) == (2026, 11)
            if current:
                roll = rng.random()
                if roll < 0.10:
                    continue
                day = rng.randint(2, 25) if roll < 0.85 else rng.randint(27, 30)
            else:
                day = rng.randint(2, 27)
            starts = datetime(year, month, day, 14, 0, tzinfo=TZ).astimezone(UTC)
            held = starts <= NOW
            ends = starts + timedelta(minutes=120)
            out.append((meeting_id, cell, starts, held))
            yield (
                meeting_id,
                cell,
                "thuong_ky",
                _ts(starts),
                _ts(ends),
                "Hội trường",
                "[]",
                "scheduled",
                f"{year}-{month:02d}",
                _ts(ends + timedelta(hours=1)) if held else None,
                _ts(starts - timedelta(days=10)),
                _ts(starts),
            )
            meeting_id += 1


def _attendances(
    tree: Tree, rng: random.Random, meetings: list[tuple[int, int, datetime, bool]]
) -> Iterator[tuple]:
    for meeting_id, cell, _starts, held in meetings:
        for member_id in tree.members_of[cell]:
            status_of = tree.status[member_id]
            if not held:
                yield (
                    meeting_id,
                    member_id,
                    status_of,
                    "se_du" if rng.random() < 0.5 else None,
                    None,
                )
                continue
            roll = rng.random()
            if status_of == "mien":
                status = "co_mat" if roll < 0.2 else "mien_sinh_hoat"
            else:
                status = (
                    "co_mat"
                    if roll < 0.88
                    else ("vang_co_phep" if roll < 0.95 else "vang_khong_phep")
                )
            yield (meeting_id, member_id, status_of, "se_du", status)


def _directives(
    tree: Tree, rng: random.Random, out: list[tuple[int, datetime, list[tuple[int, int]]]]
) -> Iterator[tuple]:
    """Two per cell per month from its secretary; one per base organisation per month from a
    committee member to all its cells. Recipients are kept for the next table."""
    directive_id = 1
    start = NOW - timedelta(days=365)
    committee_of: dict[int, int] = {}
    for member, unit in tree.committee:
        committee_of.setdefault(unit, member)
    cells_of: dict[int, list[int]] = {}
    for cell in tree.cells:
        cells_of.setdefault(tree.base_of[cell], []).append(cell)
    for month in range(12):
        for cell in tree.cells:
            for _ in range(2):
                at = start + timedelta(days=month * 30.4 + rng.uniform(0, 30))
                sender = tree.secretary[cell]
                recipients = [(m, cell) for m in tree.members_of[cell] if m != sender]
                out.append((directive_id, at, recipients))
                yield (directive_id, sender, cell, "all", "Chỉ đạo", len(recipients), 0, _ts(at))
                directive_id += 1
        for base in tree.bases:
            at = start + timedelta(days=month * 30.4 + rng.uniform(0, 30))
            sender = committee_of[base]
            recipients = [
                (m, cell) for cell in cells_of[base] for m in tree.members_of[cell] if m != sender
            ]
            out.append((directive_id, at, recipients))
            yield (directive_id, sender, base, "all", "Chỉ đạo", len(recipients), 0, _ts(at))
            directive_id += 1


def _recipients(
    rng: random.Random, directives: list[tuple[int, datetime, list[tuple[int, int]]]]
) -> Iterator[tuple]:
    for directive_id, at, recipients in directives:
        for member_id, cell in recipients:
            acked = None
            if rng.random() < 0.75:
                when = at + timedelta(hours=rng.uniform(0.1, 72))
                acked = _ts(when) if when <= NOW else None
            yield (directive_id, member_id, cell, acked)


# --- Measuring (child processes) ----------------------------------------------------------------


def _generate(url: str, scale: int) -> dict[str, Any]:
    plain = sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    started = time.perf_counter()
    with psycopg.connect(plain) as conn:
        tree, counts = generate(conn, scale, random.Random(7 * scale))
    return {
        "generate_s": round(time.perf_counter() - started, 1),
        "rows": counts,
        "committee_members": len({m for m, _u in tree.committee}),
        "committee_units": len({u for _m, u in tree.committee}),
    }


def _measure(
    kind: str, url: str, now: datetime, trace: bool, exports: Path, profile: str | None = None
) -> dict[str, Any]:
    """One measurement in this (child) process; returns the figures as a dict."""
    from bot.features import offers as app_offers
    from bot.features import tick as tick_all
    from models import Database
    from scheduler.jobs import REMINDERS, tick
    from scheduler.rules import DEFAULT_SCHEDULER_RULES
    from scheduler.weekly import WeeklyStatsJob
    from services.stats import charts
    from services.stats import figures as stats

    db = Database(url)
    # As the app runs it: with what the features offer the statistics (dues, books closed,
    # pledges, tasks on time, overdue tasks, the absence rule), over their (here empty) tables.
    offered = app_offers() if os.environ.get("SOTAY_BENCH_OFFERS", "app") == "app" else None
    rules = replace(DEFAULT_SCHEDULER_RULES, exports_dir=exports)
    if offered is not None:
        rules = replace(rules, offers=offered)
    stats_rules = stats.StatsRules.offered(rules.offers, TZ)
    with db.session() as session:  # warm the connection pool and the imports
        session.exec(sa.text("SELECT 1"))  # type: ignore[call-overload]
    charts.render_chart(_tiny_report())  # matplotlib's first-use cost is not the job's
    if trace:
        tracemalloc.start()
    result: dict[str, Any] = {}
    started = time.perf_counter()
    if kind == "baseline":
        pass  # the imports, the connection and the first chart: what every child pays
    elif kind == "weekly":
        profiler = cProfile.Profile() if profile else None
        if profiler:
            profiler.enable()
        report = tick(db, now, rules, jobs=[WeeklyStatsJob()], worker=f"bench-{os.getpid()}")
        if profiler and profile:
            profiler.disable()
            profiler.dump_stats(profile)
            pstats.Stats(profile, stream=sys.stderr).sort_stats("cumulative").print_stats(25)
        job = report["weekly_stats"]
        result.update(
            sent=job.sent,
            taken=job.taken,
            lost=job.lost,
            deliveries=job.deliveries,
            failed=job.failed,
        )
    elif kind == "collect":
        with db.session() as session:
            data = stats.collect(session, None, now=now, rules=stats_rules)
        result.update(cells=len(data.cells))
    elif kind == "top":
        from models import Unit

        with db.session() as session:
            top = session.get(Unit, 1)
            assert top is not None
            t0 = time.perf_counter()
            data = stats.collect(session, [1], now=now, rules=stats_rules)
            report_top = stats.build_report(data, [top], rules=stats_rules)
        t1 = time.perf_counter()
        png = charts.render_chart(report_top)
        t2 = time.perf_counter()
        xlsx = stats.render_xlsx(report_top)
        t3 = time.perf_counter()
        result.update(
            cells=len(report_top.cells),
            figures_s=round(t1 - t0, 3),
            chart_s=round(t2 - t1, 3),
            xlsx_s=round(t3 - t2, 3),
            xlsx_kb=len(xlsx) // 1024,
            png_kb=len(png) // 1024,
        )
    elif kind == "reminders":
        first = tick_all(db, now, rules, group=REMINDERS).total
        mid = time.perf_counter()
        idle = tick_all(db, now, rules, group=REMINDERS).total
        result.update(
            catch_up_s=round(mid - started, 3),
            idle_s=round(time.perf_counter() - mid, 3),
            sent=first.sent,
            stale=first.stale,
            skipped=first.skipped,
            deliveries=first.deliveries,
            idle_due=idle.due,
        )
    result["seconds"] = round(time.perf_counter() - started, 3)
    if trace:
        _current, peak = tracemalloc.get_traced_memory()
        result["py_peak_mb"] = round(peak / 2**20, 1)
    result["maxrss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    db.dispose()
    return result


def _tiny_report() -> Any:
    from services.stats.figures import CellStats, StatsReport

    return StatsReport(
        scope=("x",),
        now=NOW,
        tz=TZ,
        window_days=30,
        cells=(CellStats(1, "x", "", "/1/", members=1),),
        directives=0,
        flag_months=2,
    )


def _child(
    kind: str,
    url: str,
    now: datetime,
    exports: Path,
    trace: bool = False,
    scale: int = 1,
    profile: str | None = None,
) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "bench.bench_stats",
        "--child",
        kind,
        "--url",
        url,
        "--now",
        now.isoformat(),
        "--exports",
        str(exports),
        "--scale",
        str(scale),
    ]
    if trace:
        command.append("--trace")
    if profile:
        command += ["--profile", profile]
    return subprocess.Popen(command, stdout=subprocess.PIPE, text=True)


def _run_child(
    kind: str,
    url: str,
    now: datetime,
    exports: Path,
    trace: bool = False,
    scale: int = 1,
    profile: str | None = None,
) -> dict:
    process = _child(kind, url, now, exports, trace, scale, profile)
    out, _ = process.communicate()
    if process.returncode:
        raise SystemExit(f"child {kind} failed")
    return json.loads(out.strip().splitlines()[-1])


# --- Orchestration ------------------------------------------------------------------------------


def run_scale(scale: int, profile: str | None = None) -> dict[str, Any]:
    import migrations

    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"sotay_bench_stats_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    results: dict[str, Any] = {"scale": scale}
    try:
        migrations.upgrade(url)
        with tempfile.TemporaryDirectory() as folder:
            exports = Path(folder)
            # Generated in a child too: a child's ru_maxrss starts from its parent's size.
            generated = _run_child("generate", url, NOW, exports, scale=scale)
            results.update(generated)
            results["baseline"] = _run_child("baseline", url, NOW, exports)
            results["collect"] = _run_child("collect", url, NOW, exports)
            results["weekly"] = _run_child("weekly", url, NOW, exports, profile=profile)
            results["weekly_traced"] = _run_child(
                "weekly", url, NOW + timedelta(days=7), exports, True
            )
            results["top"] = _run_child("top", url, NOW, exports)
            results["top_traced"] = _run_child("top", url, NOW, exports, True)
            results["reminders"] = _run_child("reminders", url, NOW, exports)
            # Two processes start the week-50 report together.
            week50 = NOW + timedelta(days=14)
            t0 = time.perf_counter()
            pair = [_child("weekly", url, week50, exports) for _ in range(2)]
            outs = [json.loads(p.communicate()[0].strip().splitlines()[-1]) for p in pair]
            results["two_processes"] = {
                "wall_s": round(time.perf_counter() - t0, 2),
                "seconds": [o["seconds"] for o in outs],
                "sent": [o["sent"] for o in outs],
                "taken": [o["taken"] for o in outs],
                "lost": [o["lost"] for o in outs],
            }
            engine = sa.create_engine(url)
            with engine.connect() as conn:
                per_member = conn.execute(
                    sa.text(
                        "SELECT member_id, count(*) FROM deliveries "
                        "WHERE kind = 'weekly_stats' AND dedupe_key LIKE 'weekly:2026-W50:%' "
                        "GROUP BY member_id"
                    )
                ).all()
                results["two_processes"]["members"] = len(per_member)
                results["two_processes"]["max_per_member"] = max(c for _m, c in per_member)
                results["charts_on_disk"] = sum(1 for _ in exports.rglob("*.png"))
            engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    return results


def _print(results: dict[str, Any]) -> None:
    r = results
    rows = r["rows"]
    print(f"\n=== scale ×{r['scale']}: {rows['units']} units, {rows['members']:,} members ===")
    print(
        f"data: {rows['meetings']:,} meetings, {rows['attendances']:,} roll rows, "
        f"{rows['directives']:,} directives, {rows['directive_recipients']:,} recipient rows, "
        f"{rows['chat_identities']:,} chat accounts; generated in {r['generate_s']} s"
    )
    print(f"committee members: {r['committee_members']} over {r['committee_units']} units")
    print(
        f"baseline child (imports, connection, first chart): maxrss {r['baseline']['maxrss_mb']} MB"
    )
    c, w, wt = r["collect"], r["weekly"], r["weekly_traced"]
    print(f"figures for the whole tree (collect): {c['seconds']} s, maxrss {c['maxrss_mb']} MB")
    print(
        f"weekly run, all committee members: {w['seconds']} s, {w['sent']} committees' claims, "
        f"{w['deliveries']} reports (outbox rows), maxrss {w['maxrss_mb']} MB; "
        f"traced: {wt['seconds']} s, Python peak {wt['py_peak_mb']} MB"
    )
    t, tt = r["top"], r["top_traced"]
    print(
        f"top unit alone (/thongke): {t['seconds']} s = figures {t['figures_s']} s + chart "
        f"{t['chart_s']} s + XLSX {t['xlsx_s']} s ({t['cells']} rows, {t['xlsx_kb']} KB); "
        f"maxrss {t['maxrss_mb']} MB, Python peak {tt['py_peak_mb']} MB"
    )
    m = r["reminders"]
    print(
        f"reminders tick at start-up: {m['catch_up_s']} s ({m['sent']} sent, {m['stale']} stale, "
        f"{m['skipped']} skipped, {m['deliveries']} outbox rows); idle tick {m['idle_s']} s"
    )
    p = r["two_processes"]
    print(
        f"two processes, next week: {p['seconds']} s each (wall {p['wall_s']} s with start-up), "
        f"committees sent {p['sent']}, already taken {p['taken']}, claims lost {p['lost']}; "
        f"{p['members']} members, at most {p['max_per_member']} report each"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,10")
    parser.add_argument("--child")
    parser.add_argument("--url")
    parser.add_argument("--now")
    parser.add_argument("--exports")
    parser.add_argument("--trace", action="store_true")
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="print the raw figures as JSON too")
    parser.add_argument("--profile", help="cProfile the first weekly run into this file")
    args = parser.parse_args()
    if args.child == "generate":
        print(json.dumps(_generate(args.url, args.scale)))
        return
    if args.child:
        now = datetime.fromisoformat(args.now)
        figures = _measure(args.child, args.url, now, args.trace, Path(args.exports), args.profile)
        print(json.dumps(figures))
        return
    for scale in (int(s) for s in args.scales.split(",")):
        results = run_scale(scale, args.profile)
        _print(results)
        if args.json:
            print(json.dumps(results))


if __name__ == "__main__":
    main()
