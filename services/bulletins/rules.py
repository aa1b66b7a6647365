"""The bulletins' numbers, button ids and input checks, in one place, so a province can adjust
them and every caller refuses bad input the same way."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from services.bulletins import texts as bulletin_texts
from services.buttons import ButtonId
from services.errors import UserError
from services.textnorm import nfc

# Buttons outside any flow (docs/core.md), answered in handlers/bulletins.py.
OPEN = ButtonId("bt_open")  # bt_open:{bulletin}: read one bulletin (on the pushed notice)

# Outbox kinds (deliveries.kind), with the bulletin's id as ref_id.
PUSH_KIND = "bulletin"
FILE_KIND = "bulletin_file"

# Kinds of documents that may go out with a bulletin, by declared type or by name.
DOCUMENT_TYPES = frozenset(
    {
        "application/pdf",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.ms-excel",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "image/jpeg",
        "image/png",
    }
)
DOCUMENT_EXTENSIONS = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".jpg", ".jpeg", ".png")


@dataclass(frozen=True)
class BulletinRules:
    """Limits of what a committee types, what a member sees, and how feeds are polled.

    Feeds: polled every `poll_every`; a failure waits `retry_after` × 2^(failures-1), at most
    `retry_max`; a fetch gives up after `fetch_timeout` seconds (connect, read) or past
    `max_feed_bytes` (read in a stream, aborted there); at most `feeds_per_tick` feeds a tick,
    so a slow feed never holds the clock for long; at most `entries_per_poll` new items a poll
    (the newest), so a first poll of a long feed does not flood the list; addresses inside the
    server's network only for the hosts in `private_hosts`."""

    title_min_chars: int = 5
    title_max_chars: int = 150
    text_min_chars: int = 5
    text_max_chars: int = 2000
    link_max_chars: int = 500
    file_max_mb: int = 20  # Telegram lets a bot fetch files up to 20 MB
    listed: int = 40  # newest bulletins a member can page through
    label_chars: int = 70
    feed_title_chars: int = 150
    feed_text_chars: int = 1200
    poll_every: timedelta = timedelta(hours=1)
    retry_after: timedelta = timedelta(minutes=15)
    retry_max: timedelta = timedelta(hours=24)
    fetch_timeout: float = 10.0
    max_feed_bytes: int = 2 * 1024 * 1024
    max_redirects: int = 3
    # Hosts a feed may be fetched from although they resolve to a private, loopback or
    # link-local address (an intranet portal). Every other such address is refused, at each
    # redirect too: a feed must never make the server read its own network for members.
    private_hosts: tuple[str, ...] = ()
    feeds_per_tick: int = 10
    entries_per_poll: int = 20

    def backoff(self, failures: int) -> timedelta:
        """How long after the `failures`-th failure in a row the feed is tried again."""
        steps = max(failures, 1) - 1
        if steps >= 20:
            return self.retry_max
        wait: timedelta = self.retry_after * (2**steps)
        return min(wait, self.retry_max)


DEFAULT_BULLETIN_RULES = BulletinRules()


def web_link(text: str | None, limit: int = DEFAULT_BULLETIN_RULES.link_max_chars) -> str | None:
    """An http(s) address with a host, no credentials, no spaces, within `limit`; else None.

    Anything else (file://, javascript:, a bare word) must never be shown as a link to members
    nor fetched by the scheduler."""
    value = nfc(text or "")
    if not value or len(value) > limit or any(c.isspace() for c in value):
        return None
    try:
        parts = urlsplit(value)
        port = parts.port  # raises on a malformed port
    except ValueError:
        return None
    del port
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    if parts.username is not None or parts.password is not None:
        return None
    return value


def clean_title(text: str | None, rules: BulletinRules = DEFAULT_BULLETIN_RULES) -> str:
    value = " ".join(nfc(text or "").split())
    if len(value) < rules.title_min_chars:
        raise UserError(bulletin_texts.TITLE_TOO_SHORT)
    if len(value) > rules.title_max_chars:
        raise UserError(
            bulletin_texts.TITLE_TOO_LONG.format(length=len(value), limit=rules.title_max_chars)
        )
    return value


def clean_text(text: str | None, rules: BulletinRules = DEFAULT_BULLETIN_RULES) -> str:
    value = nfc(text or "")
    if len(value) < rules.text_min_chars:
        raise UserError(bulletin_texts.TEXT_TOO_SHORT)
    if len(value) > rules.text_max_chars:
        raise UserError(
            bulletin_texts.TEXT_TOO_LONG.format(length=len(value), limit=rules.text_max_chars)
        )
    return value


def clean_link(text: str | None, rules: BulletinRules = DEFAULT_BULLETIN_RULES) -> str:
    link = web_link(text, rules.link_max_chars)
    if link is None:
        raise UserError(bulletin_texts.BAD_LINK)
    return link


def check_upload(
    kind: str,
    name: str | None,
    mime: str | None,
    size: int | None,
    rules: BulletinRules = DEFAULT_BULLETIN_RULES,
) -> None:
    """A photo, or a document that says it is a PDF, Word or Excel file (by type, or by name
    when the channel gives no type), within the size limit. The bytes are not downloaded here:
    the channel keeps them, and members receive them from the channel as they were sent."""
    if size is not None and size > rules.file_max_mb * 1024 * 1024:
        raise UserError(bulletin_texts.FILE_TOO_BIG.format(limit=rules.file_max_mb))
    if kind == "photo":
        return
    if kind != "document":
        raise UserError(bulletin_texts.BAD_FILE_KIND)
    declared = (mime or "").split(";")[0].strip().lower()
    named = (name or "").strip().lower()
    if declared and declared != "application/octet-stream":
        if declared not in DOCUMENT_TYPES:
            raise UserError(bulletin_texts.BAD_FILE_KIND)
        return
    if not named.endswith(DOCUMENT_EXTENSIONS):
        raise UserError(bulletin_texts.BAD_FILE_KIND)
