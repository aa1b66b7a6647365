"""Weekly committee statistics: every committee member, once a week, for their subtree.

Due on `weekly_weekday` at `weekly_at` local time (Monday 07:30) of each ISO week. One item per
committee, that is per distinct set of units its members oversee (a member on two committees
has their own set): the key ``weekly:2026-W48:units:<digest>:members:<digest>`` names the set and
the members reachable now, and each member's outbox row is keyed by the week
(``weekly:2026-W48:m16:i3``), so every member gets the week's report once whatever the number of
processes and restarts. A member without an active chat account is not counted; one who links
an account during the week changes the members' digest, the item is due again, and only they
get the report (the others' rows exist). Stale once the next week's report is due: a week
missed entirely is covered by the next one, never sent late.

Why per committee and not per member: each claim is its own short transaction, and at ten
times the pilot (2,103 committee members, 701 committees) the per-member claims were half of
the run (about 10 ms each); a committee's members now share one claim, one query for their chat
accounts and one INSERT (issue 16).

The figures (`services.stats.figures`) are collected once per run for the whole tree, in a fixed
number of set-based queries, and sliced per committee; the chart (`services.stats.charts`: the
committee's cells compared, and the 8-period trend) is drawn once per distinct figure (the
members of one committee share it; so do two committees whose charts would be identical) on
the process's one reused figure, and written at once, so memory does not grow with the number
of committees (only the charts' paths are kept). It is written under
``<exports_dir>/stats/<week>/<random>.png`` (an unguessable name). The outbox row carries the
path inside the exports folder as its file reference (``payload.file.ref`` =
``stats/2026-W48/<random>.png``, kind "photo"), which the delivery worker resolves inside its
EXPORTS_DIR (`bot.delivery.files`); every process that delivers must therefore see the same
exports folder (one machine, or a shared volume). Charts of members another process claimed
first are deleted again, and weeks older than `exports_keep_weeks` are pruned.
"""

from __future__ import annotations

import hashlib
import logging
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
from services.stats import charts as stats_charts
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

    # One committee per batch, in a random order, its key re-checked first: a process draws a
    # chart and claims it at once, and two processes that start together mostly take
    # different committees.
    chunk_size = 1

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
        committees: dict[tuple[int, ...], list[int]] = defaultdict(list)
        for member_id, unit_ids in sorted(units.items()):
            committees[tuple(sorted(unit_ids))].append(member_id)
        for scope, members in sorted(committees.items()):
            yield DueItem(
                key=f"weekly:{label}:units:{_digest(scope)}:members:{_digest(members)}",
                kind=STATS_KIND,
                ref_id=scope[0],
                due_at=due_at,
                stale_at=due_at + timedelta(days=7),
                data={"units": scope, "members": tuple(members), "week": label},
            )

    def prepare(
        self,
        db: Database,
        items: Sequence[DueItem],
        now: datetime,
        rules: SchedulerRules,
        cache: dict[str, Any],
    ) -> dict[str, Any]:
        """Collect the whole tree once per run, then per unit set (a batch) its report and its
        chart, drawn unless an identical one was drawn already this run."""
        if "data" not in cache:
            _prune(rules, now)
            with db.session() as session:
                cache["rules"] = stats_rules(rules)
                cache["data"] = stats.collect(session, None, now=now, rules=cache["rules"])
                cache["units"] = {u.id: u for u in session.exec(select(Unit))}
                cache["charts"] = {}
        data: stats.StatsData = cache["data"]
        units: dict[int, Unit] = cache["units"]
        charts: dict[stats_charts.ChartData, Path] = cache["charts"]
        prepared: dict[str, WeeklyReport] = {}
        by_scope: dict[tuple[int, ...], Path] = {}
        texts: dict[tuple[int, ...], str] = {}
        for item in items:
            scope: tuple[int, ...] = tuple(item.data["units"])
            if scope not in by_scope:
                chosen = [units[u] for u in scope if u in units]
                report = stats.build_report(data, chosen, rules=cache["rules"])
                texts[scope] = report.text(footer=stats_texts.STATS_WEEKLY_FOOTER)
                drawing = stats_charts.chart_data(report)
                if drawing not in charts:
                    png = stats_charts.render_data(drawing)
                    charts[drawing] = _write_chart(rules, item.data["week"], png)
                by_scope[scope] = charts[drawing]
            prepared[item.key] = WeeklyReport(text=texts[scope], chart=by_scope[scope])
        return prepared

    def fire(
        self,
        session: Session,
        item: DueItem,
        now: datetime,
        rules: SchedulerRules,
        prepared: Any,
    ) -> Fired:
        assert isinstance(prepared, WeeklyReport)
        result = outbox.enqueue(
            session,
            kind=STATS_KIND,
            ref_id=item.ref_id,
            member_ids=item.data["members"],
            payload=outbox.message(
                prepared.text, file_ref=export_ref(rules, prepared.chart), file_kind="photo"
            ),
            # Per member and chat account: `weekly:2026-W48:m16:i3`, once a week whatever item
            # (members' digest) sends it.
            dedupe_key=f"weekly:{item.data['week']}",
            now=now,
        )
        if not result.created:
            return Fired.skipped("already sent or unreachable")
        return Fired.sent(result.created)

    def release(self, prepared: Mapping[str, Any], fired: set[str]) -> None:
        """Delete the charts no message of ours refers to (another process sent those)."""
        used = {prepared[key].chart for key in fired if key in prepared}
        for path in {report.chart for report in prepared.values()} - used:
            path.unlink(missing_ok=True)


def _digest(ids: Sequence[int]) -> str:
    """A short stable name for a set of ids (job keys fit 200 characters whatever the set)."""
    return hashlib.sha1(",".join(map(str, ids)).encode(), usedforsecurity=False).hexdigest()[:16]


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
