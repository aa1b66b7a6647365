"""`sotay scheduler`: the scheduler alone, started, ticking a due job, stopped by a signal.

In process on a controlled clock (SQLite and PostgreSQL), and once as the real command.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import col, select

import migrations
from bot.app import App
from bot.features import build_core
from bot.scheduler_process import check_settings, run_scheduler
from bot.settings import Settings, SettingsError
from handlers.context import CoreConfig
from models import Database, Delivery, ScheduledRun, Unit, utcnow
from scheduler.claims import TickReport
from scheduler.jobs import REMINDERS
from scheduler.rules import DEFAULT_SCHEDULER_RULES
from scheduler.runner import SchedulerConfig
from services.auth import load_actor
from services.demo import BASE, CELL_SCHOOLS, seed_demo
from services.directives.rules import send_directive
from services.identities import find_member, local_identity
from services.orgwrite import set_committee_units
from tests.fake_telegram import TOKEN
from tests.support import ROOT, FakeClock, child_env

SOTAY = [sys.executable, "-m", "bot"]
REMIND_KIND = "directive_remind_1d"


def settings_for(tmp_path: Path, **extra: object) -> Settings:
    values: dict[str, object] = {
        "telegram_bot_token": TOKEN,
        "invite_secret": CoreConfig().invite_secret,
        "exports_dir": str(tmp_path / "exports"),
        **extra,
    }
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


def directive_a_day_old(db: Database, sent_at: datetime) -> None:
    """A directive sent at `sent_at` to a cell with one reader on a chat account: its
    "not acknowledged yet" reminder falls due 24 hours later."""
    with db.session() as session:
        base = session.exec(select(Unit).where(Unit.name == BASE)).one()
        cell = session.exec(select(Unit).where(Unit.name == CELL_SCHOOLS)).one()
        sender, reader = find_member(session, "DV016"), find_member(session, "DV010")
        assert sender is not None and reader is not None and base.id and cell.id
        set_committee_units(session, sender, {base.id})
        local_identity(session, sender, now=sent_at)
        local_identity(session, reader, now=sent_at)
        send_directive(
            session, load_actor(session, sender), cell.id, audience="all", text="Họp", now=sent_at
        )


def reminders(db: Database) -> tuple[list[ScheduledRun], int]:
    """The reminder's claims, and the outbox rows they queued."""
    with db.session() as session:
        runs = list(session.exec(select(ScheduledRun).where(ScheduledRun.kind == REMIND_KIND)))
        rows = session.exec(
            select(Delivery).where(col(Delivery.dedupe_key).contains("remind_1d"))
        ).all()
    return runs, len(rows)


def config(tmp_path: Path, worker: str) -> SchedulerConfig:
    return SchedulerConfig(
        reminders_every=timedelta(milliseconds=50),
        weekly_every=timedelta(hours=1),
        rules=replace(DEFAULT_SCHEDULER_RULES, exports_dir=tmp_path / "exports"),
        worker=worker,
    )


def app_on(url: str, tmp_path: Path) -> App:
    db = Database(url)
    return App(settings=settings_for(tmp_path), db=db, core=build_core(db, CoreConfig()))


async def test_the_scheduler_fires_what_is_due_and_stops_on_its_event(
    demo: Database, db_url: str, clock: FakeClock, tmp_path: Path
) -> None:
    directive_a_day_old(demo, clock())
    clock.advance(hours=25)
    app = app_on(db_url, tmp_path)
    stop = asyncio.Event()
    ticked = asyncio.Event()
    ticks: list[TickReport] = []

    def on_tick(group: str, report: TickReport) -> None:
        if group == REMINDERS:
            ticks.append(report)
            if len(ticks) >= 2:  # the first tick fired it; the next finds nothing left
                ticked.set()

    task = asyncio.create_task(
        run_scheduler(app, stop, config=config(tmp_path, "alone"), now=clock, on_tick=on_tick)
    )
    try:
        await asyncio.wait_for(ticked.wait(), 20)
    finally:
        stop.set()
        await asyncio.wait_for(task, 20)
        app.db.dispose()
    assert task.done() and task.exception() is None
    # The first tick (at start-up) fired what was due; the next found nothing left to fire.
    assert ticks[0].total.sent >= 1 and ticks[1].total.sent == 0
    runs, queued = reminders(demo)
    assert [(r.claimed_by, r.outcome) for r in runs] == [("alone", "sent")] and queued >= 1


async def test_two_scheduler_processes_fire_a_due_item_once(
    demo: Database, db_url: str, clock: FakeClock, tmp_path: Path
) -> None:
    """Two `sotay scheduler`s (each its own engine) tick the same due item: the key's
    INSERT … ON CONFLICT DO NOTHING lets one of them fire it (scheduler/claims.py)."""
    directive_a_day_old(demo, clock())
    clock.advance(hours=25)
    apps = [app_on(db_url, tmp_path) for _ in range(2)]
    stop = asyncio.Event()
    seen: dict[str, int] = {}

    def counter(name: str) -> Callable[[str, TickReport], None]:
        def on_tick(group: str, _report: TickReport) -> None:
            seen[name] = seen.get(name, 0) + (group == REMINDERS)
            if len(seen) == 2 and min(seen.values()) >= 2:
                stop.set()

        return on_tick

    runs = [
        run_scheduler(app, stop, config=config(tmp_path, name), now=clock, on_tick=counter(name))
        for app, name in zip(apps, ("one", "two"), strict=True)
    ]
    try:
        await asyncio.wait_for(asyncio.gather(*runs), 30)
    finally:
        for app in apps:
            app.db.dispose()
    claims, queued = reminders(demo)
    assert len(claims) == 1 and claims[0].claimed_by in {"one", "two"} and queued >= 1
    with demo.session() as session:
        keys = session.exec(select(Delivery.dedupe_key)).all()
    assert len(keys) == len(set(keys))


def test_settings_that_cannot_work_are_refused(tmp_path: Path) -> None:
    check_settings(settings_for(tmp_path))
    assert (tmp_path / "exports").is_dir()
    with pytest.raises(SettingsError, match="TELEGRAM_BOT_TOKEN, ZALO_BOT_TOKEN"):
        check_settings(settings_for(tmp_path, telegram_bot_token=None))
    (tmp_path / "a-file").write_text("not a folder")
    with pytest.raises(SettingsError, match="EXPORTS_DIR"):
        check_settings(settings_for(tmp_path, exports_dir=str(tmp_path / "a-file")))


# -- the command --------------------------------------------------------------------------------
def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    settings = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
        "LOG_LEVEL": "INFO",
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE": "http://127.0.0.1:9",  # never called: the scheduler sends nothing
        "EXPORTS_DIR": str(tmp_path / "exports"),
    }
    return child_env(**{**settings, **extra})


def test_sotay_scheduler_ticks_and_stops_on_sigterm(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    migrations.upgrade(url)
    db = Database(url)
    sent_at = utcnow() - timedelta(hours=25)
    with db.session() as session:
        seed_demo(session, now=sent_at)
    directive_a_day_old(db, sent_at)
    process = subprocess.Popen(
        [*SOTAY, "scheduler"],
        cwd=tmp_path,
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60  # a bounded wait for the first tick (at start-up)
        while not reminders(db)[0] and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert process.poll() is None, process.communicate()[1][-3000:]
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    runs, queued = reminders(db)
    db.dispose()
    assert process.returncode == 0, err[-3000:]
    assert len(runs) == 1 and runs[0].outcome == "sent" and queued >= 1
    assert "scheduler started" in err and "scheduler stopped" in err
    assert TOKEN.split(":")[1] not in err  # the token never reaches the log
    assert not any(call in err for call in ("sendMessage", "Uvicorn running", "getUpdates"))


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        ({"TELEGRAM_BOT_TOKEN": ""}, "TELEGRAM_BOT_TOKEN"),
        ({"EXPORTS_DIR": "/proc/version/exports"}, "EXPORTS_DIR"),
        ({"INVITE_SECRET": "short"}, "INVITE_SECRET"),
    ],
)
def test_sotay_scheduler_refuses_a_bad_setup_in_one_line(
    tmp_path: Path, extra: dict[str, str], named: str
) -> None:
    result = subprocess.run(
        [*SOTAY, "scheduler"],
        cwd=tmp_path,
        env=_env(tmp_path, **extra),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and named in lines[0], result.stderr
    assert "Traceback" not in result.stderr


def test_sotay_scheduler_has_help() -> None:
    env = child_env(COLUMNS="200")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*SOTAY, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
        )

    listed = run("--help")
    assert listed.returncode == 0 and "scheduler" in listed.stdout
    own = run("scheduler", "--help")
    assert own.returncode == 0
    assert "sotay worker" in own.stdout and "SIGTERM" in own.stdout
