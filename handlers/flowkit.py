"""The flow kit's small widgets, for any feature: paging, ids from buttons, files, time, retries.

They exist so that every flow treats untrusted input the same way: an id that is not a
number is stale, a service refusal inside a step is shown and the step asked again (an
uncaught `UserError` would roll back the whole update, state included).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TypeVar

from handlers.context import Ctx
from handlers.messages import IncomingFile
from models import FileKind, Unit
from services import texts
from services.auth import Permission
from services.errors import Forbidden, UserError
from services.vndate import format_vn_datetime

PAGE_SIZE = 8
T = TypeVar("T")


def local_now(ctx: Ctx) -> datetime:
    return ctx.now.astimezone(ctx.config.tz)


def when(ctx: Ctx, value: datetime) -> str:
    """`14:00 Thứ Bảy, 19/12/2026` in the configured zone."""
    return format_vn_datetime(value, ctx.config.tz)


def as_id(value: str | None) -> int | None:
    """A positive database id from a button key or action argument; None when forged."""
    if value is None or not value.isdigit() or len(value) > 12:
        return None
    number = int(value)
    return number if number > 0 else None


def page(
    items: Sequence[tuple[str, str]], number: int, size: int = PAGE_SIZE
) -> list[tuple[str, str]]:
    """One page of options, with "more" (`p<n+1>`) and "back to the start" (`p0`) keys."""
    number = max(number, 0)
    start = number * size
    if start >= len(items):
        number, start = 0, 0
    shown = list(items[start : start + size])
    if start + size < len(items):
        shown.append((f"p{number + 1}", texts.MORE))
    elif number > 0:
        shown.append(("p0", texts.FLOW_FIRST_PAGE))
    return shown


def page_key(key: str | None) -> int | None:
    """The page number of a `p<n>` key, else None."""
    if key and key.startswith("p") and key[1:].isdigit():
        return int(key[1:])
    return None


def file_kind(upload: IncomingFile) -> FileKind | None:
    """Documents and photos can be forwarded to members; stickers and the like cannot."""
    if upload.kind == "photo":
        return FileKind.PHOTO
    if upload.kind == "document":
        return FileKind.DOCUMENT
    return None


def file_name(upload: IncomingFile, fallback: str) -> str:
    return (upload.name or "").strip() or fallback


def attempt(ctx: Ctx, call: Callable[[], T]) -> T | None:
    """Run a service call inside a step; a refusal is said and None returned so the step can
    ask again. `Forbidden` still propagates: losing a role mid-flow must end the flow."""
    try:
        return call()
    except Forbidden:
        raise
    except UserError as error:
        ctx.say(error.message)
        return None


def managed_cells(ctx: Ctx) -> list[Unit]:
    """Cells the actor runs as secretary or deputy, by name."""
    cells = [ctx.session.get(Unit, cid) for cid in ctx.me.managed_cell_ids]
    return sorted((c for c in cells if c is not None), key=lambda c: c.name)


def session_cell(ctx: Ctx) -> Unit | None:
    """The cell a flow is working on, re-authorized (the state may be old); None if gone."""
    cell_id = ctx.data.get("cell")
    cell = ctx.session.get(Unit, int(cell_id)) if isinstance(cell_id, int) else None
    if cell is None:
        ctx.finish()
        ctx.say(texts.SESSION_EXPIRED)
        return None
    ctx.require(Permission.MANAGE_CELL, cell)
    return cell


# A minus sign: a dash right before a digit, at the start or after a space, comma or slash.
_NEGATIVE = re.compile(r"(^|[\s,/])-\d")


def numbers(text: str) -> list[int] | None:
    """Whole numbers typed with spaces, commas or dashes between them ("9 0 1", "9-0-1").

    A dash that stands as a sign ("-1 5 0") is not a separator: the text is refused rather
    than read as "1 5 0", since a vote or a score must be what was meant."""
    if _NEGATIVE.search(text.strip()):
        return None
    parts = [p for p in text.replace(",", " ").replace("-", " ").replace("/", " ").split() if p]
    if not parts or not all(p.isdigit() and len(p) <= 6 for p in parts):
        return None
    return [int(p) for p in parts]
