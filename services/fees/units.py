"""A committee's fee settings for the units above the cells: the account members pay into and
the region of the minimum wage, both inherited by the cells below (`/dangphi_donvi`,
handlers/fees_units.py): which units an actor sets, and what a unit's page shows."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from models import FeeUnitSettings, Unit
from services.auth import Actor
from services.fees import setup
from services.fees.dues import Region
from services.org import is_cell, root_units, subtree_units


def settable_units(session: Session, actor: Actor) -> list[Unit]:
    """The units above the cells whose account and region the actor sets, by path: their
    committee's own units (`setup.may_set_unit`), and for an admin the roots as well."""
    found: dict[int, Unit] = {}
    for unit_id in actor.committee_unit_ids:
        unit = session.get(Unit, unit_id)
        if unit is not None and unit.id is not None:
            found[unit.id] = unit
    if actor.is_admin:
        found.update({u.id: u for u in root_units(session) if u.id is not None})
    units = (u for u in found.values() if not is_cell(u) and setup.may_set_unit(session, actor, u))
    return sorted(units, key=lambda u: u.path)


def _chain(unit: Unit) -> list[int]:
    """The ids from the root down to the unit itself (`Unit.lineage`, "/1/5/9/")."""
    assert unit.id is not None
    chain = [int(part) for part in unit.lineage.strip("/").split("/") if part]
    return chain if chain and chain[-1] == unit.id else [*chain, unit.id]


@dataclass(frozen=True)
class Overview:
    """A unit's page: its account (own or inherited) and region (own or inherited, with the
    unit it comes from), and how many of the cells below use each."""

    payee: setup.Payee | None
    own_account: bool
    region: Region | None
    own_region: Region | None
    region_from: Unit | None  # the unit above it set the region; None: its own, or none
    cells: int
    payee_cells: int  # cells paying into the account shown (with none: cells without any)
    region_cells: int  # cells following the region shown (with none: cells without any)


def overview(session: Session, unit: Unit) -> Overview:
    assert unit.id is not None
    cells = [u for u in subtree_units(session, [unit.id]) if is_cell(u) and u.id is not None]
    chains = {c.id: _chain(c) for c in cells if c.id is not None}
    wanted = {uid for chain in chains.values() for uid in chain} | set(_chain(unit))
    rows = {
        row.unit_id: row
        for row in session.exec(
            select(FeeUnitSettings).where(col(FeeUnitSettings.unit_id).in_(sorted(wanted)))
        )
    }

    regions = {uid: Region(row.region) for uid, row in rows.items() if row.region}

    def region_source(chain: list[int]) -> int | None:
        return next((uid for uid in reversed(chain) if uid in regions), None)

    own = rows.get(unit.id)
    source = region_source(_chain(unit))
    region = regions[source] if source is not None else None
    region_from = session.get(Unit, source) if source not in (None, unit.id) else None
    payee = setup.payee_for(session, unit.id)
    cell_payees = [setup.payee_for(session, cid) for cid in chains]
    if payee is None:
        payee_cells = sum(1 for p in cell_payees if p is None)
    else:
        payee_cells = sum(1 for p in cell_payees if p is not None and p.unit_id == payee.unit_id)
    region_cells = sum(1 for chain in chains.values() if region_source(chain) == source)
    return Overview(
        payee=payee,
        own_account=own is not None and own.account_number is not None,
        region=region,
        own_region=regions.get(unit.id),
        region_from=region_from,
        cells=len(chains),
        payee_cells=payee_cells,
        region_cells=region_cells,
    )
