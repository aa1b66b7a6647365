"""The wiring list: every feature of the product, once, in menu order.

In the spirit of python-telegram-bot's rules-bot (all wiring in one place): the app builds the
conversation registry (commands, flows, buttons, menus) and the scheduler's jobs from this list
and from nothing else. Adding a feature is new files in each layer plus one line here; nothing
registers itself as a side effect of being imported (docs/core.md, "Adding a module").
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from handlers import (
    Registration,
    assessment,
    assessment_manage,
    build_registry,
    bulletins,
    bulletins_manage,
    committee,
    common,
    directives,
    faq,
    fees,
    fees_manage,
    fees_units,
    library,
    meeting_member,
    meetings,
    member,
    results,
    search,
    secretary,
    study,
    study_manage,
    supervision,
    supervision_manage,
)
from handlers import build_core as core_with
from handlers import stats as stats_handlers
from handlers.context import CoreConfig
from handlers.core import Core
from handlers.registry import Registry
from models import Database, utcnow
from scheduler import bulletins as bulletin_jobs
from scheduler import deadlines as task_deadlines
from scheduler import directives as directive_jobs
from scheduler import faq as faq_jobs
from scheduler import fees as fee_jobs
from scheduler import meetings as meeting_jobs
from scheduler import study as study_jobs
from scheduler import supervision as supervision_jobs
from scheduler import weekly as weekly_jobs
from scheduler.claims import Job, TickReport
from scheduler.jobs import checked
from scheduler.jobs import tick as tick_jobs
from scheduler.rules import DEFAULT_SCHEDULER_RULES, SchedulerRules
from services.bulletins import offers as bulletin_offers
from services.directives import offers as directive_offers
from services.faq import offers as faq_offers
from services.fees import offers as fee_offers
from services.library import offers as library_offers
from services.meetings import offers as meeting_offers
from services.offers import IMPORT_COLUMNS, ImportColumns, Offer, Offers
from services.study import offers as study_offers
from services.supervision import offers as supervision_offers


@dataclass(frozen=True)
class Feature:
    """One feature's entry points: its handlers' registration and its scheduled work."""

    name: str
    register: Registration | None = None
    jobs: Callable[[], Sequence[Job]] | None = None
    offers: Callable[[], Sequence[Offer[Any]]] | None = None


FEATURES: tuple[Feature, ...] = (
    Feature("common", common.register),
    # The members' sides of directives and meetings come first: the member's menu order.
    Feature("directives_inbox", directives.register_inbox),
    Feature("meetings_member", meeting_member.register),
    Feature("member", member.register),
    Feature("secretary", secretary.register),
    Feature("directives", directives.register, directive_jobs.jobs, directive_offers.offers),
    Feature("meetings", meetings.register, meeting_jobs.jobs, meeting_offers.offers),
    Feature("results", results.register, task_deadlines.jobs),
    Feature("committee", committee.register),
    Feature("stats", stats_handlers.register, weekly_jobs.jobs),
    Feature("fees", fees.register, fee_jobs.jobs, fee_offers.offers),
    Feature("fees_manage", fees_manage.register),
    Feature("fees_units", fees_units.register),
    Feature("faq", faq.register, faq_jobs.jobs, faq_offers.offers),
    Feature("bulletins", bulletins.register, bulletin_jobs.jobs, bulletin_offers.offers),
    Feature("bulletins_manage", bulletins_manage.register),
    Feature("library", library.register, None, library_offers.offers),
    Feature("study", study.register, study_jobs.jobs, study_offers.offers),
    Feature("study_manage", study_manage.register),
    Feature("supervision", supervision.register, supervision_jobs.jobs, supervision_offers.offers),
    Feature("supervision_manage", supervision_manage.register),
    Feature("assessment", assessment.register),
    Feature("assessment_manage", assessment_manage.register),
    # Last: its text route (plain words as a search) comes after the check-in code's.
    Feature("search", search.register),
)


def registry(features: Sequence[Feature] = FEATURES) -> Registry:
    """The conversations of `features`, in their order (the menus' order)."""
    return build_registry(f.register for f in features if f.register is not None)


def jobs(features: Sequence[Feature] = FEATURES) -> tuple[Job, ...]:
    """The scheduled work of `features`; a job name listed twice is refused."""
    return checked(job for f in features if f.jobs is not None for job in f.jobs())


def offers(features: Sequence[Feature] = FEATURES) -> Offers:
    """What `features` offer one another (`services.offers`), in the list's order."""
    return Offers(offer for f in features if f.offers is not None for offer in f.offers())


def import_columns(features: Sequence[Feature] = FEATURES) -> tuple[ImportColumns, ...]:
    """The columns `features` add to `sotay import`."""
    return offers(features).of(IMPORT_COLUMNS)


def build_core(
    db: Database,
    config: CoreConfig | None = None,
    clock: Callable[[], datetime] = utcnow,
    *,
    features: Sequence[Feature] = FEATURES,
) -> Core:
    """The core with every feature's conversations and offers."""
    config = dataclasses.replace(config or CoreConfig(), offers=offers(features))
    return core_with(db, registry(features), config=config, clock=clock)


def tick(
    db: Database,
    now: datetime,
    rules: SchedulerRules = DEFAULT_SCHEDULER_RULES,
    *,
    group: str | None = None,
    worker: str | None = None,
    rng: random.Random | None = None,
) -> TickReport:
    """One pass of every feature's scheduled work, with their offers (what the clock runs;
    tests call it)."""
    rules = dataclasses.replace(rules, offers=offers())
    return tick_jobs(db, now, rules, jobs=jobs(), group=group, worker=worker, rng=rng)
