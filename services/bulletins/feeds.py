"""RSS/Atom feeds per unit: configuring them (admins), reading an answer (feedparser), and
recording a poll's outcome (new items become bulletins; a failure waits with backoff).

A feed item is listed for the feed's unit, never pushed by itself: Zalo's free plan counts
messages, so a committee pushes the one item worth it (`posting.push`). Entries are deduped
within the feed by their id, else their link, else a hash of their title (`entry_key`); the
unique (feed, guid) constraint keeps it so even if two polls raced.

HTML in an entry is reduced to plain text (`plain_text`): members' channels show plain text,
and a feed's markup is not ours to trust.
"""

from __future__ import annotations

import calendar
import hashlib
import logging
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

import feedparser  # type: ignore[import-untyped]
from sqlmodel import Session, col, select

from models import Bulletin, BulletinFeed, Unit
from services import audit
from services.auth import Actor, Permission, authorize
from services.bulletins import texts as bulletin_texts
from services.bulletins.fetch import Fetched
from services.bulletins.rules import DEFAULT_BULLETIN_RULES, BulletinRules, web_link
from services.errors import UserError
from services.textnorm import nfc, shorten_text

log = logging.getLogger(__name__)

_SPACES = re.compile(r"\s+")

GUID_CHARS = 200


# --- configuring ------------------------------------------------------------------------------


def add_feed(
    session: Session,
    actor: Actor | None,
    unit: Unit,
    url: str,
    *,
    title: str = "",
    now: datetime,
) -> BulletinFeed:
    """A new feed for `unit`, polled from now on. `actor` None: the command line (an admin at
    the server). In the chat only an admin may add one."""
    if actor is not None:
        authorize(actor, Permission.ADMIN)
    clean = web_link(url)
    if clean is None:
        raise UserError(bulletin_texts.FEED_BAD_URL)
    existing = session.exec(
        select(BulletinFeed).where(BulletinFeed.unit_id == unit.id, BulletinFeed.url == clean)
    ).first()
    if existing is not None:
        raise UserError(bulletin_texts.FEED_EXISTS.format(unit=unit.name, id=existing.id))
    assert unit.id is not None
    feed = BulletinFeed(
        unit_id=unit.id,
        url=clean,
        title=shorten_text(" ".join(nfc(title).split()), 200),
        next_poll_at=now,
        created_at=now,
    )
    session.add(feed)
    session.flush()
    audit.record(
        session,
        "bulletin_feed.added",
        "bulletin_feed",
        feed.id,
        actor_member_id=actor.member_id if actor else None,
        actor_label=None if actor else "cli",
        detail={"unit_id": unit.id},
        at=now,
    )
    return feed


def all_feeds(session: Session) -> list[BulletinFeed]:
    return list(session.exec(select(BulletinFeed).order_by(col(BulletinFeed.id))))


def set_active(session: Session, feed_id: int, active: bool, *, now: datetime) -> BulletinFeed:
    """Pause or resume a feed; resuming polls it at once and forgets its failures."""
    feed = session.get(BulletinFeed, feed_id)
    if feed is None:
        raise UserError(bulletin_texts.FEED_NOT_FOUND.format(id=feed_id))
    feed.active = active
    if active:
        feed.failures = 0
        feed.next_poll_at = now
    session.add(feed)
    return feed


def describe(session: Session, feed: BulletinFeed) -> str:
    unit = session.get(Unit, feed.unit_id)
    error = ""
    if feed.failures and feed.last_error:
        error = bulletin_texts.FEED_ERROR.format(failures=feed.failures, error=feed.last_error)
    return bulletin_texts.FEED_LINE.format(
        id=feed.id,
        state=bulletin_texts.FEED_ACTIVE if feed.active else bulletin_texts.FEED_PAUSED,
        unit=unit.name if unit else "?",
        url=feed.url,
        error=error,
    )


# --- reading an answer ------------------------------------------------------------------------


class _TextOnly(HTMLParser):
    """Collects the text of an HTML fragment: no tags, no scripts or styles, a line break
    where a block ends."""

    _SKIP = frozenset({"script", "style", "head", "title", "iframe", "object"})
    _BLOCK = frozenset({"p", "br", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self._skipping:
            self._skipping -= 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:  # a line break in the source is a space on the page
            self.parts.append(_SPACES.sub(" ", data))


def plain_text(html: str) -> str:
    """The text of an HTML fragment, its lines trimmed and blank runs collapsed."""
    parser = _TextOnly()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # a fragment too broken to parse: keep nothing rather than markup
        return ""
    lines = [" ".join(line.split()) for line in "".join(parser.parts).split("\n")]
    return nfc("\n".join(line for line in lines if line))


@dataclass(frozen=True)
class FeedEntry:
    """One entry, cleaned: plain text within the limits, an http(s) link or None."""

    guid: str
    title: str
    text: str
    link: str | None
    published: datetime | None


@dataclass(frozen=True)
class Parsed:
    """A poll's result: the feed's title and entries, or why there are none."""

    title: str
    entries: tuple[FeedEntry, ...]
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def entry_key(entry_id: str, link: str | None, title: str) -> str:
    """The entry's dedupe key: its id, else its link, else a hash of its title."""
    for value in (entry_id, link or ""):
        value = value.strip()
        if value:
            if len(value) <= GUID_CHARS:
                return value
            return "sha1:" + hashlib.sha1(value.encode()).hexdigest()
    return "title:" + hashlib.sha1(title.encode()).hexdigest()


def _when(value: Any) -> datetime | None:
    if isinstance(value, time.struct_time):
        try:
            return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
        except (OverflowError, ValueError, OSError):
            return None
    return None


def _text_of(entry: Any) -> str:
    content = entry.get("content")
    if isinstance(content, list) and content and isinstance(content[0], dict):
        value = content[0].get("value")
        if isinstance(value, str) and value.strip():
            return value
    for key in ("summary", "description"):
        value = entry.get(key)
        if isinstance(value, str) and value.strip():
            return value
    return ""


def parse(body: bytes, rules: BulletinRules = DEFAULT_BULLETIN_RULES) -> Parsed:
    """Read an RSS or Atom document. Broken XML that yields no entry is a failure (feedparser
    calls it `bozo`); a document with entries is used even if slightly malformed."""
    try:
        result = feedparser.parse(body, sanitize_html=True, resolve_relative_uris=False)
    except Exception as error:  # feedparser is lenient, but it must never break the job
        log.warning("feed parse failed: %s", type(error).__name__)
        return Parsed("", (), bulletin_texts.FEED_FAIL_BROKEN)
    raw = list(result.get("entries") or [])
    if not raw and (result.get("bozo") or not result.get("version")):
        return Parsed("", (), bulletin_texts.FEED_FAIL_BROKEN)
    feed_title = plain_text(str(result.get("feed", {}).get("title") or ""))
    entries: list[FeedEntry] = []
    for item in raw:
        title = shorten_text(
            " ".join(plain_text(str(item.get("title") or "")).split()), rules.feed_title_chars
        )
        text = shorten_text(plain_text(_text_of(item)), rules.feed_text_chars)
        link = web_link(str(item.get("link") or ""))
        if not title:
            title = shorten_text(" ".join(text.split()), rules.feed_title_chars)
        if not title:
            continue
        published = _when(item.get("published_parsed")) or _when(item.get("updated_parsed"))
        guid = entry_key(str(item.get("id") or ""), link, title)
        entries.append(FeedEntry(guid, title, text, link, published))
    return Parsed(shorten_text(feed_title, 200), tuple(entries))


# --- recording a poll -------------------------------------------------------------------------


def poll_result(fetched: Fetched, rules: BulletinRules = DEFAULT_BULLETIN_RULES) -> Parsed:
    """What a fetch came to: the parsed feed, or the fetch's failure."""
    if fetched.body is None:
        return Parsed("", (), fetched.error or bulletin_texts.FEED_FAIL_OTHER)
    return parse(fetched.body, rules)


def record_poll(
    session: Session,
    feed_id: int,
    parsed: Parsed,
    *,
    now: datetime,
    rules: BulletinRules = DEFAULT_BULLETIN_RULES,
) -> int:
    """Add the feed's new entries as bulletins for its unit and set its next poll; how many
    were added. A failure counts against the feed (backoff) and adds nothing."""
    feed = session.exec(
        select(BulletinFeed).where(BulletinFeed.id == feed_id).with_for_update()
    ).first()
    if feed is None or not feed.active:
        return 0
    if not parsed.ok:
        feed.failures += 1
        feed.last_error = (parsed.error or "")[:300]
        feed.next_poll_at = now + rules.backoff(feed.failures)
        session.add(feed)
        log.warning(
            "bulletin feed %s failed (%d in a row): %s; next try %s",
            feed.id,
            feed.failures,
            parsed.error,
            feed.next_poll_at.isoformat(),
        )
        return 0
    feed.failures = 0
    feed.last_error = None
    feed.last_ok_at = now
    feed.next_poll_at = now + rules.poll_every
    if parsed.title and not feed.title:
        feed.title = parsed.title
    session.add(feed)
    newest = sorted(
        parsed.entries, key=lambda e: e.published or datetime.min.replace(tzinfo=UTC), reverse=True
    )
    unique: dict[str, FeedEntry] = {}
    for entry in newest:
        unique.setdefault(entry.guid, entry)
    keys = list(unique)
    seen = set(
        session.exec(
            select(Bulletin.guid)
            .where(Bulletin.feed_id == feed_id)
            .where(col(Bulletin.guid).in_(keys or [""]))
        )
    )
    fresh = [unique[k] for k in keys if k not in seen][: rules.entries_per_poll]
    source = bulletin_texts.SOURCE_FEED.format(
        feed=feed.title or bulletin_texts.FEED_DEFAULT_SOURCE
    )
    for entry in reversed(fresh):  # oldest first: the feed's top item gets the last id
        posted = entry.published if entry.published and entry.published <= now else now
        session.add(
            Bulletin(
                unit_id=feed.unit_id,
                title=entry.title,
                text=entry.text,
                link=entry.link,
                source=shorten_text(source, 200),
                feed_id=feed_id,
                guid=entry.guid,
                posted_at=posted,
                updated_at=now,
            )
        )
    session.flush()
    return len(fresh)


def due_feeds(
    session: Session, now: datetime, rules: BulletinRules = DEFAULT_BULLETIN_RULES
) -> list[BulletinFeed]:
    """Active feeds whose poll is due, the longest waiting first, at most a tick's worth."""
    return list(
        session.exec(
            select(BulletinFeed)
            .where(col(BulletinFeed.active).is_(True))
            .where(col(BulletinFeed.next_poll_at) <= now)
            .order_by(col(BulletinFeed.next_poll_at), col(BulletinFeed.id))
            .limit(rules.feeds_per_tick)
        )
    )
