"""Issue 16's checks at 100× the pilot on PostgreSQL: 750,000 members, 54,700 cells, a year.

The pilot province has 7,500 members in 547 cells under 82 base organisations. This script
builds 100 times that in its own PostgreSQL database (`--db`, default `sotay_scale`) with COPY,
on the schema of `migrations` (alembic upgrade head), then measures, phase by phase:

- `data`: the tree (top committee → 8,200 base organisations and cells → 54,700 cells),
  750,000 members with their roles, chat accounts (70 % linked) with conversation states, three
  days of update keys, a year of monthly meetings with their rolls, two directives per cell per
  month and one per base organisation per month with every recipient's acknowledgement and the
  last month's sent deliveries, a task per cell per month, and every directive in the search
  index (as `services.directives.offers` offers them). The generator of `bench.bench_stats`
  (the same shape at 1× and 10×) is reused; only the directives stream here, since at 100× its
  lists of recipients would hold some 25 million tuples in memory. Reports the time and the
  database's size (pg_database_size, the largest tables and indexes).
- `import`: the real importer (`services.importer.import_file`, as `sotay import` runs it) on
  the 750,000 members written as 4 CSV files split by base organisation (`MAX_ROWS` is
  200,000): each file into an empty database (everything created), then the first again into
  the 100× database (everything unchanged). Each file in a child process (`bench.bench_import
  --phase`): seconds, rows/s, parse alone, peak RSS.
- `claim`: 1,000,000 waiting deliveries (one broadcast to every linked account, then one
  small directive per cell to its linked members), 200 claims of up to 100 rows by the
  delivery engine's `OutboxStore` (bot/delivery/claims.py) with each batch recorded sent:
  p50/p99 per claim and per record; the heartbeat's statements (bot/delivery/heartbeat.py).
- `stats`: the top committee's `/thongke` (figures, chart, XLSX of 54,700 rows), measured by
  `bench.bench_stats`'s own child (`--child top`), and the whole tree's figures.
- `search`: 200 queries typed without diacritics by an ordinary member of one cell, p50/p95.
- `update`: the per-update queries (`services.identities.identify`, the conversation state
  read of `handlers.core`, `services.inbound.first_time`).

With `--explain` every phase also prints `EXPLAIN (ANALYZE, BUFFERS)` of the statements it
ran, abbreviated (plan nodes, rows, time), each executed inside a transaction rolled back;
a sequential scan of a large table is marked `<<< SEQ SCAN`.

Run (heavy: `nice`): `nice -n 10 .venv/bin/python -m bench.bench_scale --keep --explain`;
`--phases claim,search` on a kept database; `--drop` removes it. `--scale 1` builds the
pilot's size (a quick check of the script). PostgreSQL at SOTAY_BENCH_PG_URL (default
postgresql+psycopg://postgres@127.0.0.1:5432/postgres).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy as sa

from bench import bench_stats as gen
from bench.bench_search import WORDS, sentence

PG_ADMIN_URL = gen.PG_ADMIN_URL
NOW = gen.NOW
PHASES = ("data", "import", "claim", "stats", "search", "update")
IMPORT_FILES = 4
REIMPORT_FILES = 1
PENDING = 1_000_000
CLAIMS = 200
CLAIM_LIMIT = 100
QUERIES = 200
# Tables above this many rows must be read through an index: a sequential scan is flagged.
BIG_ROWS = 100_000
QUERY_WORDS = (
    "nghi quyet dai hoi",
    "kiem tra giam sat",
    "dang phi",
    "hoc tap tu tuong dao duc",
    "ke hoach",
    "chuyen sinh hoat dang",
    "khen thuong",
    "bao cao tong ket nam",
    "sinh hoat chuyen de",
    "ket nap dang vien",
)


# --- The database ----------------------------------------------------------------------------


def _url(name: str) -> str:
    return sa.make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def _plain(url: str) -> str:
    """The libpq form of an SQLAlchemy URL (for psycopg.connect)."""
    return sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _exists(name: str) -> bool:
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        found = conn.execute(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
        ).first()
    admin.dispose()
    return found is not None


def _create(name: str) -> None:
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def _drop(name: str) -> None:
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _populated(url: str) -> bool:
    """Whether the data phase finished (it writes its marker row last)."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return bool(
                conn.execute(
                    sa.text("SELECT count(*) FROM audit_log WHERE action = 'bench.scale.built'")
                ).scalar()
            )
    except sa.exc.ProgrammingError:
        return False
    finally:
        engine.dispose()


# --- Generating (beyond bench_stats's generator) ----------------------------------------------


def directive_text(directive_id: int) -> str:
    """A directive's text, the same every time it is asked for (the search index repeats it)."""
    rng = random.Random(directive_id)
    title = sentence(rng, rng.randint(5, 10))
    return title + "\n" + " ".join(sentence(rng, rng.randint(8, 16)) for _ in range(2))


class History:
    """The directives as (id, at, unit, sender, base?): recipients are derived on demand."""

    def __init__(self, tree: gen.Tree) -> None:
        self.tree = tree
        self.rows: list[tuple[int, datetime, int, int, bool]] = []
        self.cells_of: dict[int, list[int]] = {}
        for cell in tree.cells:
            self.cells_of.setdefault(tree.base_of[cell], []).append(cell)

    def recipients(self, unit: int, sender: int, base: bool) -> Iterator[tuple[int, int]]:
        cells = self.cells_of[unit] if base else [unit]
        for cell in cells:
            for member in self.tree.members_of[cell]:
                if member != sender:
                    yield member, cell


def _directives(tree: gen.Tree, rng: random.Random, history: History) -> Iterator[tuple]:
    """As bench_stats: two per cell per month from its secretary, one per base organisation
    per month from a committee member to all its cells; the text varies (for the search)."""
    directive_id = 1
    start = NOW - timedelta(days=365)
    committee_of: dict[int, int] = {}
    for member, unit in tree.committee:
        committee_of.setdefault(unit, member)
    for month in range(12):
        for cell in tree.cells:
            for _ in range(2):
                at = start + timedelta(days=month * 30.4 + rng.uniform(0, 30))
                sender = tree.secretary[cell]
                count = len(tree.members_of[cell]) - 1
                history.rows.append((directive_id, at, cell, sender, False))
                text = directive_text(directive_id)
                yield (directive_id, sender, cell, "all", text, count, 0, gen._ts(at))
                directive_id += 1
        for base in tree.bases:
            at = start + timedelta(days=month * 30.4 + rng.uniform(0, 30))
            sender = committee_of[base]
            count = sum(len(tree.members_of[c]) for c in history.cells_of[base]) - 1
            history.rows.append((directive_id, at, base, sender, True))
            text = directive_text(directive_id)
            yield (directive_id, sender, base, "all", text, count, 0, gen._ts(at))
            directive_id += 1


def _recipients(rng: random.Random, history: History) -> Iterator[tuple]:
    for directive_id, at, unit, sender, base in history.rows:
        for member_id, cell in history.recipients(unit, sender, base):
            acked = None
            if rng.random() < 0.75:
                when = at + timedelta(hours=rng.uniform(0.1, 72))
                acked = gen._ts(when) if when <= NOW else None
            yield (directive_id, member_id, cell, acked)


def _sent_deliveries(history: History, identity_of: dict[int, tuple[int, str]]) -> Iterator[tuple]:
    """The last 30 days' directives as sent outbox rows, one per linked recipient."""
    cut = NOW - timedelta(days=30)
    delivery_id = 1
    for directive_id, at, unit, sender, base in history.rows:
        if at < cut:
            continue
        payload = json.dumps({"text": directive_text(directive_id)[:200]}, ensure_ascii=False)
        sent = gen._ts(at + timedelta(seconds=delivery_id % 600))
        for member_id, _cell in history.recipients(unit, sender, base):
            linked = identity_of.get(member_id)
            if linked is None:
                continue
            identity_id, chat = linked
            yield (
                delivery_id,
                f"directive:{directive_id}:{identity_id}",
                "directive",
                directive_id,
                member_id,
                identity_id,
                "telegram",
                chat,
                payload,
                "sent",
                1,
                gen._ts(at),
                f"m{delivery_id}",
                gen._ts(at),
                sent,
            )
            delivery_id += 1


def _search_items(history: History) -> Iterator[tuple]:
    """Every directive as the search indexes it (services/directives/offers.py)."""
    from services.directives.offers import TITLE_WIDTH
    from services.textnorm import fold_words, shorten_text

    for directive_id, at, _unit, _sender, _base in history.rows:
        text = directive_text(directive_id)
        title = shorten_text(text.split("\n", 1)[0], TITLE_WIDTH)
        yield (
            directive_id,
            "directive",
            directive_id,
            title,
            text,
            fold_words(title),
            fold_words(text),
            gen._ts(at),
            "/thongbao",
            gen._ts(NOW),
        )


def _search_readers(history: History) -> Iterator[tuple]:
    """Readers as the directives offer them: the recipients' cells, the recipients, the sender."""
    for directive_id, _at, unit, sender, base in history.rows:
        cells: set[int] = set()
        members = {sender}
        for member_id, cell in history.recipients(unit, sender, base):
            cells.add(cell)
            members.add(member_id)
        for cell in sorted(cells):
            yield (directive_id, cell, None)
        for member in sorted(members):
            yield (directive_id, None, member)


def _tasks(tree: gen.Tree, rng: random.Random, meetings: list) -> Iterator[tuple]:
    """One task per regular meeting, owned by a member of the cell; past ones mostly done."""
    task_id = 1
    for meeting_id, cell, starts, held in meetings:
        owner = rng.choice(tree.members_of[cell])
        due = (starts + timedelta(days=30)).date()
        done = held and rng.random() < 0.8
        yield (
            task_id,
            cell,
            meeting_id,
            sentence(rng, 6),
            owner,
            due.isoformat(),
            "hoan_thanh" if done else "dang_lam",
            gen._ts(starts + timedelta(days=rng.uniform(1, 28))) if done else None,
            tree.secretary[cell],
            gen._ts(starts),
            gen._ts(starts),
        )
        task_id += 1


# Written in this order; once `directives` is complete, what the later tables need (the tree,
# the accounts, the directives) is read back rather than generated again (an interrupted run).
_TABLES = (
    "units", "members", "role_assignments", "chat_identities", "conversation_states",
    "inbound_updates", "meetings", "attendances", "tasks", "directives", "directive_recipients",
    "deliveries", "search_items", "search_readers",
)  # fmt: skip
_RESUMABLE_AFTER = "directives"


def _resume(
    conn: psycopg.Connection,
    tree: gen.Tree,
    history: History,
    identity_of: dict[int, tuple[int, str]],
) -> set[str]:
    """The tables already written by an interrupted run, with the state the rest needs."""
    done = {
        table
        for table in _TABLES
        if (found := conn.execute(f"SELECT EXISTS (SELECT 1 FROM {table})").fetchone()) and found[0]
    }
    if _RESUMABLE_AFTER not in done:
        return set()
    for cell, kind, parent in conn.execute(
        "SELECT id, kind, parent_id FROM units WHERE kind LIKE 'chi_bo%' ORDER BY id"
    ):
        tree.cells.append(cell)
        tree.base_of[cell] = cell if kind == "chi_bo_co_so" else parent
    for member, cell in conn.execute("SELECT id, cell_id FROM members ORDER BY id"):
        tree.members_of.setdefault(cell, []).append(member)
    for identity, chat, member in conn.execute(
        "SELECT id, chat_id, member_id FROM chat_identities ORDER BY id"
    ):
        identity_of[member] = (identity, chat)
    History.__init__(history, tree)
    for directive, at, unit, sender, kind in conn.execute(
        "SELECT d.id, d.created_at, d.unit_id, d.sender_member_id, u.kind FROM directives d "
        "JOIN units u ON u.id = d.unit_id ORDER BY d.id"
    ):
        history.rows.append(
            (directive, at.replace(tzinfo=UTC), unit, sender, kind == "dang_bo_co_so")
        )
    print(f"  resumed: {', '.join(sorted(done))} already written", file=sys.stderr)
    return done


def generate(url: str, scale: int) -> dict[str, Any]:
    """Write the whole data set (bench_stats's tree, members, rolls; the rest here)."""
    rng = random.Random(7 * scale)
    counts: dict[str, int] = {}
    timings: dict[str, float] = {}
    created = gen._ts(NOW - timedelta(days=800))
    tree = gen.Tree()
    history = History.__new__(History)
    identity_of: dict[int, tuple[int, str]] = {}

    def identities() -> Iterator[tuple]:
        for row in gen._identities(tree, rng):
            identity_of[row[4]] = (row[0], row[3])
            yield row

    meetings: list[tuple[int, int, datetime, bool]] = []
    steps: list[tuple[str, tuple[str, ...], Callable[[], Any]]] = [
        ("units", ("id", "name", "kind", "parent_id", "path", "lineage", "created_at"),
         lambda: gen._units(tree, scale, rng, created)),
        ("members", ("id", "code", "full_name", "status", "cell_id", "created_at", "updated_at"),
         lambda: gen._members(tree, scale, rng, created)),
        ("role_assignments", ("id", "member_id", "role", "unit_id", "created_at"),
         lambda: gen._roles(tree, rng, created)),
        ("chat_identities", ("id", "channel", "external_id", "chat_id", "member_id", "active",
                             "linked_at", "last_seen_at"), identities),
        ("conversation_states", ("channel", "chat_id", "user_id", "flow", "step", "data",
                                 "options", "nonce", "updated_at"),
         lambda: (("telegram", chat, chat, None, None, "{}", "[]", None, gen._ts(NOW))
                  for _identity, chat in identity_of.values())),
        ("inbound_updates", ("channel", "update_key", "received_at"),
         lambda: (("telegram", f"u{n}", gen._ts(NOW - timedelta(seconds=n * 0.26)))
                  for n in range(10_000 * scale))),
        ("meetings", ("id", "cell_id", "kind", "starts_at", "ends_at", "place", "agenda",
                      "status", "regular_month", "attendance_closed_at", "created_at",
                      "updated_at"), lambda: gen._meetings(tree, rng, meetings)),
        ("attendances", ("meeting_id", "member_id", "member_status", "answer", "status"),
         lambda: gen._attendances(tree, rng, meetings)),
        ("tasks", ("id", "cell_id", "meeting_id", "title", "owner_member_id", "due_on", "status",
                   "done_at", "created_by_member_id", "created_at", "updated_at"),
         lambda: _tasks(tree, rng, meetings)),
        ("directives", ("id", "sender_member_id", "unit_id", "audience", "text",
                        "recipient_count", "reminders", "created_at"),
         lambda: _directives(tree, rng, history)),
        ("directive_recipients", ("directive_id", "member_id", "cell_id", "acknowledged_at"),
         lambda: _recipients(rng, history)),
        ("deliveries", ("id", "dedupe_key", "kind", "ref_id", "member_id", "identity_id",
                        "channel", "chat_id", "payload", "status", "attempts",
                        "next_attempt_at", "platform_message_id", "created_at", "sent_at"),
         lambda: _sent_deliveries(history, identity_of)),
        ("search_items", ("id", "kind", "ref_id", "title", "body", "title_folded",
                          "body_folded", "at", "opens", "indexed_at"),
         lambda: _search_items(history)),
        ("search_readers", ("item_id", "unit_id", "member_id"),
         lambda: _search_readers(history)),
    ]  # fmt: skip
    with psycopg.connect(_plain(url)) as conn:
        # The rows are consistent by construction: no foreign-key trigger per row (checking
        # 25 million directive recipients against three tables took longer than writing them).
        conn.execute("SET session_replication_role = replica")
        resumed = _resume(conn, tree, history, identity_of)
        for table, columns, rows in steps:
            if table in resumed:
                continue
            if table == "directives":
                History.__init__(history, tree)
            started = time.perf_counter()
            with conn.cursor() as cur:
                counts[table] = gen._copy(cur, table, columns, rows())
            conn.commit()
            timings[table] = round(time.perf_counter() - started, 1)
            print(f"  {table}: {counts[table]:,} rows in {timings[table]} s", file=sys.stderr)
        with conn.cursor() as cur:
            for table in (
                "units", "members", "role_assignments", "chat_identities", "meetings", "tasks",
                "directives", "directive_recipients", "deliveries", "search_items",
                "search_readers",
            ):  # fmt: skip
                sequence = f"pg_get_serial_sequence('{table}', 'id')"
                cur.execute(f"SELECT setval({sequence}, (SELECT max(id) FROM {table}))")
            # The index is up to date as of NOW for every kind: a search refreshes from there.
            cur.execute(
                "INSERT INTO search_state (kind, refreshed_at) SELECT kind, %s FROM "
                "(VALUES ('directive'), ('document'), ('meeting_agenda'), ('resolution'), "
                "('task'), ('bulletin'), ('study_topic'), ('faq')) AS k(kind)",
                (gen._ts(NOW),),
            )
        conn.commit()
        started = time.perf_counter()
        conn.autocommit = True
        conn.execute("VACUUM (ANALYZE)")  # as autovacuum would have, over a year
        timings["vacuum_analyze"] = round(time.perf_counter() - started, 1)
        conn.execute(
            "INSERT INTO audit_log (action, entity, detail, actor_label, at) "
            "VALUES ('bench.scale.built', 'bench', %s, 'bench', %s)",
            (json.dumps({"scale": scale}), gen._ts(NOW)),
        )
    return {"rows": counts, "seconds": timings}


def _size_report(url: str) -> dict[str, Any]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        total = conn.execute(sa.text("SELECT pg_database_size(current_database())")).scalar()
        tables = conn.execute(
            sa.text(
                "SELECT c.relname, pg_table_size(c.oid), pg_indexes_size(c.oid), c.reltuples "
                "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relkind = 'r' AND n.nspname = 'public' "
                "ORDER BY pg_total_relation_size(c.oid) DESC LIMIT 12"
            )
        ).all()
        indexes = conn.execute(
            sa.text(
                "SELECT c.relname, pg_relation_size(c.oid) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relkind = 'i' AND n.nspname = 'public' "
                "ORDER BY pg_relation_size(c.oid) DESC LIMIT 12"
            )
        ).all()
    engine.dispose()
    return {
        "database_mb": round((total or 0) / 2**20),
        "tables": [(n, round(t / 2**20), round(i / 2**20), int(r)) for n, t, i, r in tables],
        "indexes": [(n, round(s / 2**20)) for n, s in indexes],
    }


# --- EXPLAIN of what a piece of code ran ---------------------------------------------------------


@contextmanager
def captured(engine: sa.Engine) -> Iterator[list[tuple[str, Any]]]:
    """The statements (and parameters) `engine` executes inside the block."""
    seen: list[tuple[str, Any]] = []

    def record(
        _conn: Any, _cursor: Any, statement: str, params: Any, _ctx: Any, many: bool
    ) -> None:
        if not many and re.match(r"\s*(SELECT|UPDATE|DELETE|INSERT|WITH)\b", statement, re.I):
            seen.append((statement, params))

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


_COST = re.compile(r"\s*\(cost=[^)]*\)")


def explain(engine: sa.Engine, statements: list[tuple[str, Any]], big: set[str]) -> list[str]:
    """EXPLAIN (ANALYZE, BUFFERS) each statement in a transaction rolled back; abbreviated."""
    out: list[str] = []
    raw = engine.raw_connection()
    once: set[str] = set()
    try:
        for statement, params in statements:
            if statement in once:  # the same statement again (a claim's next page): once
                continue
            once.add(statement)
            cursor = raw.cursor()
            try:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, params)
                lines = [row[0] for row in cursor.fetchall()]
            finally:
                cursor.close()
                raw.rollback()
            out.append("SQL: " + " ".join(statement.split())[:160])
            for line in lines:
                if "->" in line or line is lines[0] or "Execution Time" in line:
                    text = _COST.sub("", line.rstrip())
                    match = re.search(r"Seq Scan on (\w+)", text)
                    if match and match.group(1) in big:
                        text += "   <<< SEQ SCAN"
                    out.append("  " + text)
    finally:
        raw.close()
    return out


def _big_tables(engine: sa.Engine) -> set[str]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT relname FROM pg_class WHERE relkind = 'r' AND reltuples > :n "
                "AND relnamespace = 'public'::regnamespace"
            ),
            {"n": BIG_ROWS},
        ).all()
    return {name for (name,) in rows}


def _print_plans(title: str, lines: list[str]) -> None:
    print(f"\n--- plans: {title} ---")
    for line in lines:
        print(line)


def _pct(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


# --- Phases ---------------------------------------------------------------------------------


def phase_data(url: str, scale: int) -> None:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "bench.bench_scale", "--child", "generate", "--url", url,
         "--scale", str(scale)],
        check=True, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    took = time.perf_counter() - started
    rows = figures["rows"]
    print(f"\n=== data ×{scale} ===")
    print(
        f"generated in {took:.0f} s (COPY, one child): "
        + ", ".join(f"{t} {n:,} ({figures['seconds'][t]} s)" for t, n in rows.items())
        + f"; VACUUM ANALYZE {figures['seconds']['vacuum_analyze']} s"
    )
    report_sizes(url)


def report_sizes(url: str) -> None:
    sizes = _size_report(url)
    print(f"database size: {sizes['database_mb']:,} MB")
    print("largest tables (table MB, indexes MB, rows):")
    for name, table, index, rows in sizes["tables"]:
        print(f"  {name:<24} {table:>7,} {index:>7,} {rows:>12,}")
    print("largest indexes (MB):")
    for name, size in sizes["indexes"]:
        print(f"  {name:<40} {size:>7,}")


def _write_import_files(url: str, folder: Path) -> list[Path]:
    """The members as `sotay import` files: one per group of base organisations (a cell's
    members together, so each file names its cells' secretaries), CSV UTF-8 as Excel saves it."""
    from bench.bench_import import HEADER

    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT m.code, m.full_name, u.path, m.status, "
                "  EXISTS (SELECT 1 FROM role_assignments r WHERE r.member_id = m.id "
                "          AND r.role = 'bi_thu' AND r.unit_id = m.cell_id), "
                "  CASE WHEN u.parent_id = 1 THEN u.id ELSE u.parent_id END "
                "FROM members m JOIN units u ON u.id = m.cell_id ORDER BY m.id"
            )
        ).all()
    engine.dispose()
    paths = [folder / f"dang_vien_{n + 1}.csv" for n in range(IMPORT_FILES)]
    handles = [p.open("w", encoding="utf-8-sig", newline="") for p in paths]
    writers = [csv.writer(h, lineterminator="\r\n") for h in handles]
    for writer in writers:
        writer.writerow(HEADER[:5])
    for code, name, path, status, secretary, base in rows:
        writers[base % IMPORT_FILES].writerow(
            [code, name, path, status, "bi_thu" if secretary else ""]
        )
    for handle in handles:
        handle.close()
    return paths


def _import_child(url: str, file: Path) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-m", "bench.bench_import", "--phase", url, str(file)],
        capture_output=True, text=True,
    )  # fmt: skip
    if result.returncode:
        raise SystemExit(f"import of {file.name} failed:\n{result.stderr[-2000:]}")
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def phase_import(url: str, name: str) -> None:
    print("\n=== import (services.importer.import_file, one child per file) ===")
    with tempfile.TemporaryDirectory(prefix="sotay_scale_") as tmp:
        started = time.perf_counter()
        files = _write_import_files(url, Path(tmp))
        sizes = ", ".join(f"{f.stat().st_size / 2**20:.1f} MB" for f in files)
        print(f"{len(files)} CSV files written in {time.perf_counter() - started:.0f} s ({sizes})")
        empty = f"{name}_import"
        _drop(empty)
        _create(empty)
        import migrations

        migrations.upgrade(_url(empty))
        head = f"{'into':<9} {'file':<16} {'rows':>8} {'s':>7} {'rows/s':>7} {'parse s':>7} "
        print(head + f"{'peak MB':>8}  created/updated/same/units")
        try:
            # Into the 100× database (every member unchanged) the first file only: the
            # others take the same path, and the machine is shared.
            for label, target, some in (
                ("empty db", _url(empty), files),
                ("full db", url, files[:REIMPORT_FILES]),
            ):
                for file in some:
                    r = _import_child(target, file)
                    rep = r["report"]
                    print(
                        f"{label:<9} {file.name:<16} {r['rows']:>8,} {r['seconds']:>7.1f} "
                        f"{r['rows'] / r['seconds']:>7,.0f} {r['read_seconds']:>7.1f} "
                        f"{r['peak_mb']:>8,.0f}  {rep['members_created']}/"
                        f"{rep['members_updated']}/{rep['members_unchanged']}/"
                        f"{rep['units_created']}"
                    )
        finally:
            _drop(empty)


def _fill_outbox(engine: sa.Engine, total: int) -> int:
    """`total` waiting deliveries: a broadcast to every linked account, then small directives
    (one per cell, to its linked members) until the total is reached. Earlier runs' go first."""
    payload = json.dumps({"text": "Thông báo: " + " ".join(WORDS[:30])}, ensure_ascii=False)
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM delivery_rates"))
        conn.execute(sa.text("DELETE FROM delivery_workers"))
        waiting = conn.execute(
            sa.text("SELECT count(*) FROM deliveries WHERE kind = 'bench_wait'")
        ).scalar()
        if waiting == total:  # an earlier run's: what it sent waits again
            conn.execute(
                sa.text(
                    "UPDATE deliveries SET status = 'pending', attempts = 0, lease_until = NULL, "
                    "lease_owner = NULL, sent_at = NULL, platform_message_id = NULL "
                    "WHERE kind = 'bench_wait' AND status <> 'pending'"
                )
            )
            return total
        conn.execute(sa.text("DELETE FROM delivery_parts WHERE delivery_id IN "
                             "(SELECT id FROM deliveries WHERE kind = 'bench_wait')"))  # fmt: skip
        conn.execute(sa.text("DELETE FROM deliveries WHERE kind = 'bench_wait'"))
        conn.execute(sa.text("DELETE FROM delivery_rates"))
        conn.execute(sa.text("DELETE FROM delivery_workers"))
        at = NOW - timedelta(minutes=5)
        inserted = 0
        for round_, order in ((1, "i.id"), (2, "m.cell_id, i.id")):
            result = conn.execute(
                sa.text(
                    "INSERT INTO deliveries (dedupe_key, kind, ref_id, member_id, identity_id, "
                    "channel, chat_id, payload, status, attempts, next_attempt_at, created_at) "
                    f"SELECT 'wait:{round_}:' || i.id, 'bench_wait', "
                    f"CASE WHEN {round_} = 1 THEN 0 ELSE m.cell_id END, "
                    "m.id, i.id, i.channel, i.chat_id, CAST(:payload AS json), 'pending', 0, "
                    ":at, :at FROM chat_identities i JOIN members m ON m.id = i.member_id "
                    f"WHERE i.active ORDER BY {order} LIMIT :n"
                ),
                {"payload": payload, "at": at.replace(tzinfo=None), "n": total - inserted},
            )
            inserted += result.rowcount or 0
            if inserted >= total:
                break
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(
            sa.text("VACUUM ANALYZE deliveries")
        )
    return inserted


def phase_claim(url: str, explain_plans: bool, claims: int = CLAIMS) -> None:
    from bot.delivery.claims import OutboxStore, Outcome, Pace, Recorded, Verdict
    from bot.delivery.heartbeat import DEFAULT_HEARTBEAT, beat, end_leases
    from models import Database

    print("\n=== claim (bot.delivery.claims.OutboxStore) ===")
    db = Database(url)
    started = time.perf_counter()
    waiting = _fill_outbox(db.engine, PENDING)
    print(f"{waiting:,} waiting deliveries written in {time.perf_counter() - started:.0f} s")
    big = _big_tables(db.engine)
    for label, rate in (("30/s (one token)", 30.0), ("1000/s (paid broadcast)", 1000.0)):
        store = OutboxStore(
            db,
            channel="telegram",
            rate_key=f"bench:{rate}",
            pace=Pace(rate_per_second=rate),
            worker_id=f"bench-{int(rate)}",
            lease=timedelta(seconds=60),
            max_attempts=5,
        )
        clock_at = [NOW]

        def clock(at: list[datetime] = clock_at) -> datetime:
            return at[0]

        store.ensure_rate_row(NOW)
        claim_ms: list[float] = []
        record_ms: list[float] = []
        taken = 0
        plans: list[str] = []
        for n in range(claims):
            clock_at[0] += timedelta(seconds=1)  # the schedule has room again
            with captured(db.engine) as statements:
                t0 = time.perf_counter()
                claim = store.claim(clock, CLAIM_LIMIT)
                claim_ms.append((time.perf_counter() - t0) * 1000)
            taken += len(claim.rows)
            if explain_plans and n == claims // 2:
                plans = explain(db.engine, statements, big)
            sent = Outcome(Verdict.SENT, message_ids=("1",), parts=1)
            batch = [Recorded(row, sent, clock_at[0]) for row in claim.rows]
            t0 = time.perf_counter()
            store.record(batch)
            record_ms.append((time.perf_counter() - t0) * 1000)
        print(
            f"{label}: {claims} claims of up to {CLAIM_LIMIT}, {taken:,} rows taken; claim "
            f"p50 {statistics.median(claim_ms):.1f} ms, p99 {_pct(claim_ms, 0.99):.1f} ms, "
            f"max {max(claim_ms):.1f} ms; record p50 {statistics.median(record_ms):.1f} ms, "
            f"p99 {_pct(record_ms, 0.99):.1f} ms"
        )
        if plans:
            _print_plans(f"one claim at {label}, mid-run", plans)
    # The heartbeat: a live worker beats, a dead one's rows are freed.
    store = OutboxStore(
        db, channel="telegram", rate_key="bench:30.0", pace=Pace(rate_per_second=30.0),
        worker_id="bench-dead", lease=timedelta(seconds=60), max_attempts=5,
    )  # fmt: skip
    at = NOW + timedelta(seconds=claims + 5)
    held = store.claim(lambda: at, CLAIM_LIMIT)
    with db.engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO delivery_workers (worker_id, channel, started_at, seen_at) "
                "VALUES ('bench-dead', 'telegram', :t, :t)"
            ),
            {"t": (at - timedelta(seconds=30)).replace(tzinfo=None)},
        )
    beats: list[float] = []
    with captured(db.engine) as statements:
        for n in range(20):
            t0 = time.perf_counter()
            freed = beat(db, "bench-live", "telegram", at + timedelta(seconds=n), DEFAULT_HEARTBEAT)
            beats.append((time.perf_counter() - t0) * 1000)
            if n == 0:
                print(f"heartbeat: the dead worker's {len(held.rows)} rows, {freed} freed")
        with db.engine.begin() as conn:
            t0 = time.perf_counter()
            end_leases(conn, "bench-live", "telegram", at)
            leave_ms = (time.perf_counter() - t0) * 1000
    print(
        f"heartbeat: beat p50 {statistics.median(beats):.1f} ms, max {max(beats):.1f} ms "
        f"(the first frees the dead worker's rows); end_leases {leave_ms:.1f} ms"
    )
    if explain_plans:
        _print_plans("heartbeat (beat, end_leases)", explain(db.engine, statements[:8], big))
    db.dispose()


def phase_stats(url: str, explain_plans: bool) -> None:
    print("\n=== /thongke of the top committee (bench.bench_stats --child top / collect) ===")
    with tempfile.TemporaryDirectory() as folder:
        for kind, trace in (("top", False), ("top", True), ("collect", False)):
            command = [
                sys.executable, "-m", "bench.bench_stats", "--child", kind, "--url", url,
                "--now", NOW.isoformat(), "--exports", folder,
            ] + (["--trace"] if trace else [])  # fmt: skip
            out = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True).stdout
            r = json.loads(out.strip().splitlines()[-1])
            if kind == "top":
                print(
                    f"top unit{' (tracemalloc)' if trace else ''}: {r['seconds']} s = figures "
                    f"{r['figures_s']} s + chart {r['chart_s']} s ({r['png_kb']} KB) + XLSX "
                    f"{r['xlsx_s']} s ({r['cells']:,} rows, {r['xlsx_kb']:,} KB); maxrss "
                    f"{r['maxrss_mb']} MB"
                    + (f", Python peak {r['py_peak_mb']} MB" if trace else "")
                )
            else:
                print(f"whole tree (collect, None): {r['seconds']} s, maxrss {r['maxrss_mb']} MB")
    if explain_plans:
        _stats_plans(url)


def _stats_plans(url: str) -> None:
    from bot.features import offers as app_offers
    from models import Database
    from services.stats import figures as stats

    db = Database(url)
    rules = stats.StatsRules.offered(app_offers(), gen.TZ)
    with db.session() as session, captured(db.engine) as statements:
        stats.collect(session, [1], now=NOW, rules=rules)
    plans = explain(db.engine, statements, _big_tables(db.engine))
    _print_plans(f"the top unit's figures ({len(statements)} statements)", plans)
    db.dispose()


def phase_search(url: str, explain_plans: bool) -> None:
    from bot.features import offers as app_offers
    from models import Database, Member
    from services.auth import load_actor
    from services.offers import SEARCHABLE
    from services.search.query import search

    print("\n=== search (services.search.query.search) ===")
    db = Database(url)
    sources = list(app_offers().of(SEARCHABLE))
    with db.session() as session:
        count = session.execute(sa.text("SELECT count(*) FROM search_items")).scalar()
        # An ordinary member of a cell of a base organisation (no role).
        member_id = session.execute(
            sa.text(
                "SELECT m.id FROM members m JOIN units u ON u.id = m.cell_id "
                "WHERE u.kind = 'chi_bo_truc_thuoc' AND NOT EXISTS "
                "(SELECT 1 FROM role_assignments r WHERE r.member_id = m.id) "
                "ORDER BY m.id LIMIT 1 OFFSET 5000"
            )
        ).scalar_one()
    timings: list[float] = []
    hits = 0
    refresh_ms: list[float] = []
    rng = random.Random(16)
    for n in range(QUERIES):
        text = QUERY_WORDS[n % len(QUERY_WORDS)]
        if n % 3 == 2:
            text = " ".join(rng.sample(QUERY_WORDS, 1)[0].split()[:2])
        # Every 20th search comes after the refresh interval: it asks each feature what changed.
        at = NOW + timedelta(seconds=6 * (n // 20 + 1))
        with db.session() as session:
            member = session.get(Member, member_id)
            assert member is not None
            actor = load_actor(session, member)
            t0 = time.perf_counter()
            found = search(session, actor, text, sources=sources, now=at)
            took = (time.perf_counter() - t0) * 1000
            (refresh_ms if n % 20 == 0 else timings).append(took)
            hits += len(found.hits)
    print(
        f"{count:,} items indexed; {QUERIES} searches by an ordinary member, no diacritics: "
        f"p50 {statistics.median(timings):.1f} ms, p95 {_pct(timings, 0.95):.1f} ms "
        f"(without a refresh); the {len(refresh_ms)} that refreshed the index first: p50 "
        f"{statistics.median(refresh_ms):.1f} ms, max {max(refresh_ms):.1f} ms; {hits} hits"
    )
    if explain_plans:
        big = _big_tables(db.engine)
        for label, at in (("a search", NOW), ("a search that refreshes", NOW + timedelta(hours=1))):
            with db.session() as session:
                member = session.get(Member, member_id)
                assert member is not None
                actor = load_actor(session, member)
                with captured(db.engine) as statements:
                    search(session, actor, "ke hoach", sources=sources, now=at)
                session.rollback()
            _print_plans(label, explain(db.engine, statements, big))
    db.dispose()


def phase_update(url: str, explain_plans: bool) -> None:
    from sqlmodel import select

    from models import ConversationState, Database
    from services.identities import identify
    from services.inbound import first_time

    print("\n=== the update path (identify, conversation state, first_time) ===")
    db = Database(url)
    with db.session() as session:
        chats = [
            c
            for (c,) in session.execute(
                sa.text("SELECT chat_id FROM chat_identities ORDER BY id LIMIT 200 OFFSET 1000")
            )
        ]
    timings: dict[str, list[float]] = {"identify": [], "state": [], "first_time": []}
    statements: list[tuple[str, Any]] = []
    for n, chat in enumerate(chats):
        with db.session() as session, captured(db.engine) as seen:
            t0 = time.perf_counter()
            identify(session, "telegram", chat, chat, now=NOW + timedelta(minutes=n))
            t1 = time.perf_counter()
            session.exec(
                select(ConversationState)
                .where(ConversationState.channel == "telegram")
                .where(ConversationState.chat_id == chat)
                .where(ConversationState.user_id == chat)
                .with_for_update()
            ).first()
            t2 = time.perf_counter()
            first_time(session, "telegram", f"bench-{n}-{time.time_ns()}", NOW)
            t3 = time.perf_counter()
            session.rollback()
        timings["identify"].append((t1 - t0) * 1000)
        timings["state"].append((t2 - t1) * 1000)
        timings["first_time"].append((t3 - t2) * 1000)
        if n == 100:
            statements = list(seen)
    print(
        "; ".join(
            f"{k} p50 {statistics.median(v):.2f} ms, p99 {_pct(v, 0.99):.2f} ms"
            for k, v in timings.items()
        )
        + f" ({len(chats)} updates)"
    )
    if explain_plans:
        _print_plans("one update", explain(db.engine, statements, _big_tables(db.engine)))
    db.dispose()


# --- Driver ---------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="sotay_scale", help="the database (created here)")
    parser.add_argument("--scale", type=int, default=100, help="times the pilot (default 100)")
    parser.add_argument("--phases", default=",".join(PHASES), help=", ".join(PHASES))
    parser.add_argument("--keep", action="store_true", help="keep the database (and reuse it)")
    parser.add_argument("--drop", action="store_true", help="drop the database and stop")
    parser.add_argument("--explain", action="store_true", help="print abbreviated plans")
    parser.add_argument("--claims", type=int, default=CLAIMS, help="claims per pace")
    parser.add_argument("--sizes", action="store_true", help="print the database's size")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child == "generate":
        print(json.dumps(generate(args.url, args.scale)))
        return
    if args.drop:
        _drop(args.db)
        print(f"dropped {args.db}")
        return
    phases = [p.strip() for p in args.phases.split(",") if p.strip()]
    unknown = set(phases) - set(PHASES)
    if unknown:
        parser.error(f"unknown phases: {', '.join(sorted(unknown))}")
    url = _url(args.db)
    import migrations

    if not _exists(args.db):
        _create(args.db)
    migrations.upgrade(url)
    try:
        if "data" in phases and not _populated(url):
            phase_data(url, args.scale)
        elif "data" in phases:
            print(f"\n=== data: {args.db} is already built (--drop to rebuild) ===")
            report_sizes(url)
        elif not _populated(url):
            print(f"warning: {args.db} is not (fully) built: run the data phase", file=sys.stderr)
        if args.sizes:
            report_sizes(url)
        steps: dict[str, Callable[[], None]] = {
            "import": lambda: phase_import(url, args.db),
            "claim": lambda: phase_claim(url, args.explain, args.claims),
            "stats": lambda: phase_stats(url, args.explain),
            "search": lambda: phase_search(url, args.explain),
            "update": lambda: phase_update(url, args.explain),
        }
        for phase in phases:
            if phase in steps:
                steps[phase]()
                sys.stdout.flush()
    finally:
        if not args.keep:
            _drop(args.db)


if __name__ == "__main__":
    main()
