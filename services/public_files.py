"""Publishing generated files under an unguessable token (`models.public_files`).

Zalo sends photos only by public URL and has no documents at all, so a chart goes out as
`<PUBLIC_BASE_URL>/files/<token>` (sendPhoto) and a document (minutes, a report, a reading, a
receipt) as that link in the text. Rules kept here, whoever publishes:

* only files the bot makes are published, of a few types, and the type is read from the bytes,
  never from the name (`content_type_of`): PNG and JPEG images, PDF, and Word or Excel files
  (a zip whose `[Content_Types].xml` names a .docx or .xlsx main part), at most `MAX_BYTES`.
  Serving arbitrary content from our domain would make it a host for whatever someone
  managed to put in a file, so the route checks the bytes again before serving them;
* the name a download is saved under is the file's own, Vietnamese included, cleaned of path
  parts and control characters and given the extension its bytes call for (`download_name`):
  a name proves nothing, and a stored name must not make a PDF look like something else;
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
import io
import re
import secrets
import unicodedata
import zipfile
import zlib
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from models import PublicFile
from services.textnorm import strip_diacritics

TOKEN_BYTES = 24
TOKEN_LENGTH = 32  # len(secrets.token_urlsafe(24))
_TOKEN = re.compile(rf"^[A-Za-z0-9_-]{{{TOKEN_LENGTH}}}$")
PNG = "image/png"
JPEG = "image/jpeg"
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMAGES = frozenset({PNG, JPEG})
DOCUMENTS = frozenset({PDF, DOCX, XLSX})
CONTENT_TYPES = IMAGES | DOCUMENTS
# The extensions a download of each type may keep; the first is added when it has none of them.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    PNG: (".png",),
    JPEG: (".jpg", ".jpeg"),
    PDF: (".pdf",),
    DOCX: (".docx",),
    XLSX: (".xlsx",),
}
MAX_BYTES = 10 * 1024 * 1024
MAX_NAME = 200
PURGE_BATCH = 200
DEFAULT_STEM = "tệp"

# The main part an Office file's `[Content_Types].xml` declares: Word and Excel documents only
# (macro-enabled files and templates declare other types, and are refused).
_OFFICE_MAIN = {
    DOCX: b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    XLSX: b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
}
_MANIFEST = "[Content_Types].xml"
_MAX_MANIFEST = 256 * 1024  # a real one is a few kilobytes; more is not read
_KNOWN_EXTENSIONS = frozenset(ext for exts in EXTENSIONS.values() for ext in exts)
_PLAIN = re.compile(r"[^A-Za-z0-9._-]+")
# What reading a zip that is not a sound Office file raises: not a zip or a bad checksum, no
# manifest, encrypted, a compression Python does not know, truncated.
_UNREADABLE = (
    zipfile.BadZipFile,
    zlib.error,
    KeyError,
    RuntimeError,
    NotImplementedError,
    EOFError,
    ValueError,
    OSError,
)


def image_content_type(data: bytes) -> str | None:
    """`image/png` or `image/jpeg` when the bytes are one (by their signature), else None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    return None


def content_type_of(data: bytes, name: str = "") -> str | None:
    """What a file is by its bytes: PNG, JPEG, PDF, DOCX or XLSX; None for anything else.

    `name` is accepted for the callers' convenience and deliberately ignored: a file named
    `bao_cao.pdf` that holds a web page is a web page. A zip is an Office file only when its
    manifest says which one, so a zip of anything else is refused whatever it is called.
    """
    image = image_content_type(data)
    if image is not None:
        return image
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"PK\x03\x04"):
        return _office_type(data)
    return None


def _office_type(data: bytes) -> str | None:
    """DOCX or XLSX as the zip's `[Content_Types].xml` declares it; None when it is not one
    of them, declares both, or cannot be read (the manifest's size is checked before it is
    read, so a crafted archive cannot make us inflate much)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            info = archive.getinfo(_MANIFEST)
            if info.file_size > _MAX_MANIFEST:
                return None
            manifest = archive.read(info)
    except _UNREADABLE:
        return None
    found = [kind for kind, main in _OFFICE_MAIN.items() if main in manifest]
    return found[0] if len(found) == 1 else None


def download_name(name: str, content_type: str) -> str:
    """The name a download is saved under: `name` without folders, control or formatting
    characters (a right-to-left override could make "x.exe" read as "exe.x") or quotes,
    ending in an extension its type allows. Vietnamese letters stay (`ascii_name` is the
    fallback for old clients)."""
    base = re.split(r"[\\/]", name)[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C" and ch != '"')
    base = " ".join(base.split()).strip(" .")
    allowed = EXTENSIONS.get(content_type, ())
    stem, dot, extension = base.rpartition(".")
    suffix = f"{dot}{extension}".lower()
    if dot and stem and suffix in allowed:
        return base[:MAX_NAME]
    if dot and stem and suffix in _KNOWN_EXTENSIONS:
        base = stem  # a known extension that does not match the bytes is replaced
    ending = allowed[0] if allowed else ""
    return (base or DEFAULT_STEM)[: MAX_NAME - len(ending)] + ending


def ascii_name(name: str) -> str:
    """`download_name`'s result in ASCII letters, digits, `.`, `_` and `-`: the Vietnamese
    letters without their marks, anything else an underscore."""
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    plain = _PLAIN.sub("_", strip_diacritics(stem)).strip("._") or "tep"
    tail = _PLAIN.sub("", extension)
    return f"{plain}.{tail}" if tail else plain


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

    Raises ValueError for anything but a PNG, JPEG, PDF, DOCX or XLSX of at most `MAX_BYTES`
    whose bytes are what `content_type` says.
    """
    if len(data) > MAX_BYTES:
        raise ValueError("file too large to publish")
    if content_type not in CONTENT_TYPES or content_type_of(data) != content_type:
        raise ValueError("only PNG, JPEG, PDF, DOCX and XLSX files are published")
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
        name=download_name(name, content_type),
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
    """The live file behind `token`; None when malformed, unknown or expired (all alike), and
    when its bytes are not what its row says or not of an allowed type: a row written by an
    older version, or by hand, is never served as something it is not."""
    if not is_token(token):
        return None
    found = session.get(PublicFile, token)
    if found is None or found.expires_at <= now:
        return None
    if found.content_type not in CONTENT_TYPES or content_type_of(found.data) != found.content_type:
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
