"""Benchmark of the search (issue 15): indexing throughput and query latency with 100,000
searchable items, on SQLite and PostgreSQL.

A fresh database (migrated, the demo organisation seeded) gets `--items` synthetic items from
one `Searchable` (Vietnamese sentences drawn from a small vocabulary, spread over the demo's two
cells, a tenth of them also readable by one member). `rebuild` indexes them all (items/s);
then `--queries` searches as an ordinary member, from one to four words with and without
diacritics (p50/p95 ms), each in its own session as an update would be (the refresh before
each search asks the source for what changed since: nothing, here).

Run: `.venv/bin/python -m bench.bench_search` (SQLite); `--db postgresql` (at
SOTAY_BENCH_PG_URL, default postgresql+psycopg://postgres@127.0.0.1:5432/postgres).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

import migrations
import models.search  # noqa: F401  (its tables, until models/__init__ names them)
from models import Database
from services.auth import load_actor
from services.demo import seed_demo
from services.identities import find_member
from services.offers import Searchable, SearchItem
from services.org import root_units, subtree_units
from services.search.index import rebuild
from services.search.query import search

_VOCABULARY = (
    "nghị quyết đại hội đảng bộ chi bộ sinh hoạt thường kỳ chuyên đề kiểm tra giám sát "
    "đảng viên dự bị chính thức kết nạp chuyển sinh hoạt đảng phí học tập tư tưởng đạo đức "
    "phong cách Hồ Chí Minh kế hoạch báo cáo tổng kết năm quý tháng tỉnh huyện xã phường "
    "cơ quan trường học bệnh viện công tác dân vận thi đua khen thưởng kỷ luật"
)
WORDS = tuple(_VOCABULARY.split())
QUERIES = (
    "nghi quyet dai hoi",
    "kiểm tra giám sát",
    "dang phi",
    "hoc tap tu tuong dao duc",
    "ke hoach",
    "chuyen sinh hoat dang",
    "khen thuong",
    "bao cao tong ket nam",
)
NOW = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def source(count: int, cells: list[int], member: int) -> Searchable:
    def items(_session: object, since: datetime | None) -> Iterator[SearchItem]:
        if since is not None:
            return
        rng = random.Random(15)
        for ref in range(1, count + 1):
            yield SearchItem(
                kind="bench",
                ref_id=ref,
                title=sentence(rng, rng.randint(4, 10)),
                body=" ".join(sentence(rng, rng.randint(8, 20)) for _ in range(rng.randint(1, 6))),
                at=NOW - timedelta(minutes=ref),
                cell_ids=(cells[ref % len(cells)],),
                member_ids=(member,) if ref % 10 == 0 else (),
            )

    return Searchable("bench", "Thử", items)


def run(url: str, items: int, queries: int) -> None:
    migrations.upgrade(url)
    db = Database(url)
    with db.session() as session:
        seed_demo(session, now=NOW)
        cells = [u.id for u in subtree_units(session, [r.id for r in root_units(session) if r.id])]
        member = find_member(session, "DV003")
        assert member is not None and member.id is not None
        sources = [source(items, [c for c in cells if c is not None], member.id)]
    started = time.perf_counter()
    with db.session() as session:
        written = rebuild(session, sources, NOW)
    took = time.perf_counter() - started
    print(f"{db.dialect}: indexed {written:,} items in {took:.1f} s ({written / took:,.0f}/s)")
    timings: list[float] = []
    found = 0
    for n in range(queries):
        with db.session() as session:
            actor = load_actor(session, member)
            started = time.perf_counter()
            hits = search(session, actor, QUERIES[n % len(QUERIES)], sources=sources, now=NOW)
            timings.append((time.perf_counter() - started) * 1000)
            found += len(hits.hits)
    timings.sort()
    p50 = statistics.median(timings)
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(f"{db.dialect}: {queries} searches, p50 {p50:.1f} ms, p95 {p95:.1f} ms, {found} hits")
    db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    if args.db == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            run(f"sqlite:///{tmp}/bench.db", args.items, args.queries)
        return
    admin_url = os.environ.get(
        "SOTAY_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"sotay_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        url = sa.make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        run(url, args.items, args.queries)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
