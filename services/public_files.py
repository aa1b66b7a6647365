"""Publishing generated images under an unguessable token (`models.public_files`).

Zalo sends photos only by public URL, so a chart goes out as `<PUBLIC_BASE_URL>/files/<token>`.
Rules kept here, whoever publishes:

* only files the bot makes are published, and their type is read from the bytes: a PNG or a
  JPEG (sent as photos), or an XLSX spreadsheet (a zip named .xlsx, sent as a link and served
  as an attachment), at most `MAX_BYTES`. Serving arbitrary content from our domain
  would make it a host for whatever someone managed to put in a file;
* the same bytes are stored once: a live row with the same hash is reused and its life
  extended, so a chart sent to 200 members is one row and one URL (Zalo fetches it once).
  The hash is unique and the insert an upsert on it, so senders publishing the same chart at
  the same moment (a worker sends many at once, several workers run) still share one row;
  an expired row with that hash is given a new token, so an expired URL never comes back;
* a token is `secrets.token_urlsafe(24)`: 32 characters, 192 random bits; `is_token` checks
  the shape before any query, so a malformed token never reaches the database;
* expired rows are invisible at once (`lookup`) and deleted later, a bounded batch at a time
  (`purge_expired`).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from models import PublicFile

TOKEN_BYTES = 24
TOKEN_LENGTH = 32  # len(secrets.token_urlsafe(24))
_TOKEN = re.compile(rf"^[A-Za-z0-9_-]{{{TOKEN_LENGTH}}}$")
PNG = "image/png"
JPEG = "image/jpeg"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMAGES = frozenset({PNG, JPEG})
CONTENT_TYPES = frozenset({PNG, JPEG, XLSX})
MAX_BYTES = 10 * 1024 * 1024
MAX_NAME = 200
PURGE_BATCH = 200


def image_content_type(data: bytes) -> str | None:
    """`image/png` or `image/jpeg` when the bytes are one (by their signature), else None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    return None


def content_type_of(data: bytes, name: str) -> str | None:
    """What a generated file is: a PNG or JPEG by its signature, or a spreadsheet the bot
    wrote (a zip named .xlsx, the `/thongke` export); None for anything else."""
    image = image_content_type(data)
    if image is not None:
        return image
    if data.startswith(b"PK\x03\x04") and name.lower().endswith(".xlsx"):
        return XLSX
    return None


def is_token(token: str) -> bool:
    """Could this be a token we issued? Checked before the database is asked anything."""
    return bool(_TOKEN.match(token))


def publish(
    session: Session,
    name: str,
    data: bytes,
    content_type: str,
    now: datetime,
    ttl: timedelta,
) -> str:
    """The token under which `data` is served until at least `now + ttl`.

    Raises ValueError for anything but a PNG, a JPEG or an XLSX of at most `MAX_BYTES` whose
    bytes (and, for a spreadsheet, name) match `content_type`.
    """
    if content_type not in CONTENT_TYPES or content_type_of(data, name) != content_type:
        raise ValueError("only PNG and JPEG images and XLSX spreadsheets are published")
    if len(data) > MAX_BYTES:
        raise ValueError("file too large to publish")
    if ttl <= timedelta(0):
        raise ValueError("ttl must be positive")
    digest = hashlib.sha256(data).hexdigest()
    expires_at = now + ttl
    live = session.exec(
        select(PublicFile.token, PublicFile.expires_at)
        .where(PublicFile.sha256 == digest)
        .where(col(PublicFile.expires_at) > now)
    ).first()
    if live is not None:  # the common case, without sending the bytes again
        token, current = live
        if current < expires_at:
            # Whoever gets this URL now gets the full time to open it.
            session.connection().execute(
                sa.update(PublicFile)
                .where(col(PublicFile.token) == token)
                .values(expires_at=expires_at)
            )
        return str(token)
    return _insert_or_renew(session, name, data, content_type, digest, now, expires_at)


def _insert_or_renew(
    session: Session,
    name: str,
    data: bytes,
    content_type: str,
    digest: str,
    now: datetime,
    expires_at: datetime,
) -> str:
    """INSERT … ON CONFLICT (sha256) DO UPDATE: a row another sender inserted meanwhile is
    shared (its life extended); an expired one is renewed under a new token."""
    table = PublicFile.__table__  # type: ignore[attr-defined]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(table).values(
        token=secrets.token_urlsafe(TOKEN_BYTES),
        sha256=digest,
        name=name[:MAX_NAME] or "file",
        content_type=content_type,
        data=data,
        created_at=now,
        expires_at=expires_at,
    )
    new, old = statement.excluded, table.c
    expired = old.expires_at <= now
    upsert = statement.on_conflict_do_update(
        index_elements=["sha256"],
        set_={
            "token": sa.case((expired, new.token), else_=old.token),
            "name": sa.case((expired, new.name), else_=old.name),
            "created_at": sa.case((expired, new.created_at), else_=old.created_at),
            "expires_at": sa.case(
                (old.expires_at < new.expires_at, new.expires_at), else_=old.expires_at
            ),
        },
    ).returning(old.token)
    return str(session.connection().execute(upsert).scalar_one())


def lookup(session: Session, token: str, now: datetime) -> PublicFile | None:
    """The live file behind `token`; None when malformed, unknown or expired (all alike)."""
    if not is_token(token):
        return None
    found = session.get(PublicFile, token)
    if found is None or found.expires_at <= now:
        return None
    return found


def purge_expired(session: Session, now: datetime, *, limit: int | None = None) -> int:
    """Delete expired files, the oldest first and at most `limit` of them (all without a
    limit), so a purge run while publishing stays short; how many were deleted."""
    expired = col(PublicFile.expires_at) <= now
    if limit is None:
        return session.connection().execute(sa.delete(PublicFile).where(expired)).rowcount
    tokens = list(
        session.exec(
            select(PublicFile.token)
            .where(expired)
            .order_by(col(PublicFile.expires_at))
            .limit(limit)
        )
    )
    if tokens:
        session.connection().execute(sa.delete(PublicFile).where(col(PublicFile.token).in_(tokens)))
    return len(tokens)
