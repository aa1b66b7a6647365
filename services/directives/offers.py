"""What the directives feature offers the others (`services.offers`), wired in `bot.features`:
its directives, for the search (`/timkiem`).

Who may read a directive in the search: the members of the cells its recipients were in when
it was sent (`DirectiveRecipient.cell_id`), the recipients themselves wherever they are now
(a member who moved cell still finds what they received), and its sender. Committees read it
through their subtree, which holds those cells (a sender writes only within their authority);
the sender's unit is not added as a reader unit, since that would open it to every member
under the unit, beyond its audience. Directives are never edited: `created_at` is the change.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from models import Directive, DirectiveRecipient
from services.offers import SEARCHABLE, Offer, Searchable, SearchItem
from services.textnorm import shorten_text

KIND = "directive"
# The search's name for a directive (kept here, with the offer, rather than in texts.py).
LABEL = "Chỉ đạo"
_CHUNK = 1000
TITLE_WIDTH = 90


def directive_items(session: Session, since: datetime | None) -> Iterator[SearchItem]:
    """Directives sent after `since` (all when None), oldest first, in chunks of `_CHUNK`."""
    after = 0
    while True:
        query = select(Directive).where(col(Directive.id) > after)
        if since is not None:
            query = query.where(col(Directive.created_at) > since)
        chunk = list(session.exec(query.order_by(col(Directive.id)).limit(_CHUNK)))
        if not chunk:
            return
        ids = [d.id for d in chunk if d.id is not None]
        after = ids[-1]
        cells: dict[int, set[int]] = {i: set() for i in ids}
        members: dict[int, set[int]] = {i: set() for i in ids}
        recipients = session.exec(
            select(
                DirectiveRecipient.directive_id,
                DirectiveRecipient.cell_id,
                DirectiveRecipient.member_id,
            ).where(col(DirectiveRecipient.directive_id).in_(ids))
        )
        for directive_id, cell_id, member_id in recipients:
            cells[directive_id].add(cell_id)
            members[directive_id].add(member_id)
        for directive in chunk:
            assert directive.id is not None
            first_line = directive.text.strip().split("\n", 1)[0]
            yield SearchItem(
                kind=KIND,
                ref_id=directive.id,
                title=shorten_text(first_line, TITLE_WIDTH),
                body=directive.text,
                at=directive.created_at,
                cell_ids=tuple(sorted(cells[directive.id])),
                member_ids=tuple(sorted(members[directive.id] | {directive.sender_member_id})),
                opens="/thongbao",
            )


def offers() -> list[Offer[Any]]:
    return [Offer(SEARCHABLE, Searchable(KIND, LABEL, directive_items))]
