"""Weekly committee statistics: every committee member, once a week, for their subtree.

Due on `weekly_weekday` at `weekly_at` local time (Monday 07:30) of each ISO week; the key
``weekly:2026-W48:member:16`` makes it once per member per week whatever the number of
processes and restarts. A member without an active chat account is not claimed, so one who links
an account during the week still gets that week's report. Stale once the next week's report is
due: a week missed entirely is covered by the next one, never sent late.

The figures (`services.stats.figures`) are collected once per run for the whole tree and sliced per
member; the chart is rendered once per distinct set of units (the members of one committee share
it) and written under ``<exports_dir>/stats/<week>/<random>.png`` (an unguessable name). The
outbox row carries the path inside the exports folder as its file reference
(``payload.file.ref`` = ``stats/2026-W48/<random>.png``, kind "photo"), which the delivery
worker resolves inside its EXPORTS_DIR (`bot.delivery.files`); every process that delivers must
therefore see the same exports folder (one machine, or a shared volume). Charts of members
another process claimed first are deleted again, and weeks older than `exports_keep_weeks` are
pruned.
"""

from __future__ import annotations

import logging
import random
import secrets
import shutil
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from models import ChatIdentity, Database, DeliveryKind, Role, RoleAssignment, Unit
from scheduler.claims import DueItem, Fired, Job
from scheduler.common import local_moment
from scheduler.rules import SchedulerRules
from services import outbox
from services.stats import figures as stats
from services.stats import texts as stats_texts

log = logging.getLogger(__name__)

STATS_KIND = DeliveryKind.WEEKLY_STATS.value  # outbox kind


def stats_rules(rules: SchedulerRules) -> stats.StatsRules:
    """The statistics' rules in the scheduler's zone and window, with what the features offer
    (flags and figures, `SchedulerRules.offers`)."""
    return stats.StatsRules.offered(rules.offers, rules.tz, rules.stats_window)


def week_due(now: datetime, rules: SchedulerRules) -> tuple[str, datetime]:
    """The ISO week containing `now` (local) as "2026-W48", and its report's due moment."""
    local = now.astimezone(rules.tz)
    monday = local.date() - timedelta(days=local.weekday())
    due = local_moment(monday + timedelta(days=rules.weekly_weekday), rules.weekly_at, rules.tz)
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}", due


@dataclass(frozen=True)
class WeeklyReport:
    """What one member receives: the text and the chart's file."""

    text: str
    chart: Path


class WeeklyStatsJob(Job):
    name = "weekly_stats"
    group = "weekly"

    def batches(self, items: Sequence[DueItem], rng: random.Random) -> list[list[DueItem]]:
        """One batch per chart (the members of one committee), in a random order: a process
        draws a chart and claims its members at once, and two processes that start together
        mostly take different committees."""
        groups: dict[tuple[int, ...], list[DueItem]] = defaultdict(list)
        for item in items:
            groups[tuple(item.data["units"])].append(item)
        batches = list(groups.values())
        rng.shuffle(batches)
        return batches

    def due(self, session: Session, now: datetime, rules: SchedulerRules) -> Iterable[DueItem]:
        label, due_at = week_due(now, rules)
        if now < due_at:
            return
        reachable = (
            select(ChatIdentity.member_id)
            .where(col(ChatIdentity.active).is_(True))
            .where(col(ChatIdentity.member_id).is_not(None))
        )
        units: dict[int, set[int]] = defaultdict(set)
        for member_id, unit_id in session.exec(
            select(RoleAssignment.member_id, RoleAssignment.unit_id)
            .where(RoleAssignment.role == Role.COMMITTEE)
            .where(col(RoleAssignment.unit_id).is_not(None))
            .where(col(RoleAssignment.member_id).in_(reachable))
        ):
            assert unit_id is not None
            units[member_id].add(unit_id)
        for member_id, unit_ids in sorted(units.items()):
            yield DueItem(
                key=f"weekly:{label}:member:{member_id}",
                kind=STATS_KIND,
                ref_id=member_id,
                due_at=due_at,
                stale_at=due_at + timedelta(days=7),
                data={"units": tuple(sorted(unit_ids)), "week": label},
            )

    def prepare(
        self,
        db: Database,
        items: Sequence[DueItem],
        now: datetime,
        rules: SchedulerRules,
        cache: dict[str, Any],
    ) -> dict[str, Any]:
        """Collect the whole tree once per run, then one report and chart per unit set."""
        if "data" not in cache:
            _prune(rules, now)
            with db.session() as session:
                cache["data"] = stats.collect(session, None, now=now, rules=stats_rules(rules))
                cache["units"] = {u.id: u for u in session.exec(select(Unit))}
                cache["reports"] = {}
                cache["charts"] = {}
        data: stats.StatsData = cache["data"]
        units: dict[int, Unit] = cache["units"]
        reports: dict[tuple[int, ...], stats.StatsReport] = cache["reports"]
        charts: dict[tuple[int, ...], Path] = cache["charts"]
        prepared: dict[str, WeeklyReport] = {}
        for item in items:
            scope: tuple[int, ...] = tuple(item.data["units"])
            if scope not in reports:
                chosen = [units[u] for u in scope if u in units]
                reports[scope] = stats.build_report(data, chosen, rules=stats_rules(rules))
            report = reports[scope]
            if scope not in charts:
                charts[scope] = _write_chart(rules, item.data["week"], stats.render_chart(report))
            prepared[item.key] = WeeklyReport(
                text=report.text(footer=stats_texts.STATS_WEEKLY_FOOTER), chart=charts[scope]
            )
        return prepared

    def fire(
        self,
        session: Session,
        item: DueItem,
        now: datetime,
        rules: SchedulerRules,
        prepared: Any,
    ) -> Fired:
        assert isinstance(prepared, WeeklyReport) and item.ref_id is not None
        result = outbox.enqueue(
            session,
            kind=STATS_KIND,
            ref_id=item.ref_id,
            member_ids=[item.ref_id],
            payload=outbox.message(
                prepared.text, file_ref=export_ref(rules, prepared.chart), file_kind="photo"
            ),
            dedupe_key=item.key,
            now=now,
        )
        if not result.created:
            return Fired.skipped("unreachable")
        return Fired.sent(result.created)

    def release(self, prepared: Mapping[str, Any], fired: set[str]) -> None:
        """Delete the charts no message of ours refers to (another process sent those)."""
        used = {prepared[key].chart for key in fired if key in prepared}
        for path in {report.chart for report in prepared.values()} - used:
            path.unlink(missing_ok=True)


def _write_chart(rules: SchedulerRules, week: str, png: bytes) -> Path:
    folder = rules.exports_dir / "stats" / week
    folder.mkdir(parents=True, exist_ok=True)
    path = (folder / f"{secrets.token_urlsafe(18)}.png").resolve()
    path.write_bytes(png)
    return path


def export_ref(rules: SchedulerRules, path: Path) -> str:
    """The file reference the outbox keeps: the path inside the exports folder, with "/"."""
    return path.relative_to(rules.exports_dir.resolve()).as_posix()


def _prune(rules: SchedulerRules, now: datetime) -> None:
    """Remove the charts of weeks older than `exports_keep_weeks` (week folders sort by name)."""
    root = rules.exports_dir / "stats"
    if not root.is_dir():
        return
    oldest, _ = week_due(now - timedelta(weeks=rules.exports_keep_weeks), rules)
    for folder in root.iterdir():
        if folder.is_dir() and folder.name < oldest:
            log.info("removing old statistics charts in %s", folder)
            shutil.rmtree(folder, ignore_errors=True)


def jobs() -> list[Job]:
    """The committees' weekly statistics, for the app's wiring list."""
    return [WeeklyStatsJob()]
