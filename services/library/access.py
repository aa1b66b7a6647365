"""Who reads and who publishes which documents.

A member reads what is addressed to their cell or any unit above it (a province's documents
reach every cell under it); a committee also reads its subtree; an admin reads everything.
A committee publishes for its unit and the units under it; an admin anywhere; a cell's
secretary or deputy publishes only internal papers ("văn bản nội bộ") for their own cell, since
a copy of a Party document is vouched for by the committee that sends it down.
"""

from __future__ import annotations

from sqlmodel import Session

from models import LibraryDocument, Unit
from services.auth import Actor, Permission, allows, authorize, readable_unit_ids
from services.errors import Forbidden
from services.library import texts as library_texts
from services.library.rules import INTERNAL
from services.org import is_cell, root_units, subtree_units


def may_read(session: Session, actor: Actor, document: LibraryDocument) -> bool:
    units = readable_unit_ids(session, actor)
    return units is None or document.unit_id in units


def may_publish(actor: Actor, unit: Unit, kind: str) -> bool:
    """Committees (and admins) over `unit`; a cell's leaders only internal papers for it."""
    if allows(actor, Permission.OVERSEE, unit):
        return True
    return kind == INTERNAL and is_cell(unit) and allows(actor, Permission.MANAGE_CELL, unit)


def authorize_publish(actor: Actor, unit: Unit, kind: str) -> None:
    """Raise `Forbidden` with the reason unless `may_publish`."""
    if may_publish(actor, unit, kind):
        return
    if is_cell(unit) and allows(actor, Permission.MANAGE_CELL, unit):
        raise Forbidden(library_texts.KIND_FORBIDDEN)
    authorize(actor, Permission.LEAD, unit)  # the usual refusal for units outside the scope
    raise Forbidden(library_texts.NOT_YOURS)


def publish_units(session: Session, actor: Actor) -> list[Unit]:
    """Where `actor` may publish, the widest first: the committee's units and the units
    under them that are not cells (a document for a base reaches its cells), then the cells
    they lead (internal papers). An admin gets the top units and the units below them."""
    if actor.is_admin:
        roots = [u.id for u in root_units(session) if u.id is not None]
        units = [u for u in subtree_units(session, roots) if not is_cell(u)]
    else:
        units = [
            u
            for u in subtree_units(session, sorted(actor.committee_unit_ids))
            if not is_cell(u) or u.id in actor.committee_unit_ids
        ]
    known = {u.id for u in units}
    cells = [session.get(Unit, cid) for cid in sorted(actor.managed_cell_ids)]
    units += [c for c in cells if c is not None and c.id not in known]
    return sorted(units, key=lambda u: (u.lineage.count("/"), u.path))
