"""The Zalo photo hook: a reply's file → a public URL Zalo can fetch, or None.

Zalo's sendPhoto takes nothing but a URL, so:

* a file the payload named by URL (`RemoteFile`) goes as it is;
* a generated image (a local `OutFile` of kind "photo", PNG or JPEG by its bytes) is stored
  in `public_files` and goes as `<PUBLIC_BASE_URL>/files/<token>`, which `sotay serve` serves
  (`bot/web.py`). A generated spreadsheet (the `/thongke` XLSX) is stored the same way and
  goes as a link in the text (`texts.ZALO_FILE_LINK`), Zalo having no documents. Publishing
  writes to the database, so it runs in a thread, never on the event loop;
* anything else (other documents, Telegram file ids, no PUBLIC_BASE_URL) has no URL: the
  member gets the text and `texts.ZALO_FILE_UNAVAILABLE`.

Both senders build their hook here (`public_url_hook`): the delivery worker's transport and
the interactive sender of polling and the webhook, so a chart reaches a member the same way
whichever path it takes. Expired files are purged from here too, at most once per
`PURGE_EVERY` per process and a bounded batch at a time, so no separate job is needed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.delivery.files import RemoteFile
from bot.housekeeping import NowAndThen
from bot.settings import Settings
from bot.zalo.render import PhotoUrlFor
from handlers.messages import OutFile
from models import Database, utcnow
from services import public_files

log = logging.getLogger(__name__)

FILES_PATH = "/files"
PURGE_EVERY = timedelta(hours=1)


def file_url(base_url: str, token: str) -> str:
    """Where `GET /files/<token>` answers, seen from the internet."""
    return f"{base_url}{FILES_PATH}/{token}"


class PublicUrls:
    """The hook itself (`await hook(file)`): remembers when it last purged expired files."""

    def __init__(
        self,
        db: Database,
        base_url: str | None,
        ttl: timedelta,
        *,
        clock: Callable[[], datetime] = utcnow,
        purge_every: timedelta = PURGE_EVERY,
    ) -> None:
        self.db = db
        self.base_url = base_url
        self.ttl = ttl
        self.clock = clock
        self._purge = NowAndThen(self._purge_expired, purge_every, "expired public files purge")

    async def __call__(self, file: OutFile) -> str | None:
        if isinstance(file, RemoteFile):
            return file.ref if file.is_url else None
        if self.base_url is None or not file.data:
            return None
        content_type = public_files.content_type_of(file.data, file.name)
        photo_ok = file.kind != "photo" or content_type in public_files.IMAGES
        if content_type is None or not photo_ok or len(file.data) > public_files.MAX_BYTES:
            log.info("zalo: %s is not a publishable file, sent as a note", file.name)
            return None
        token = await asyncio.to_thread(self._publish, file, content_type)
        return file_url(self.base_url, token)

    def _publish(self, file: OutFile, content_type: str) -> str:
        now = self.clock()
        with self.db.session() as session:
            ttl = min(self.ttl, file.link_ttl) if file.link_ttl else self.ttl
            token = public_files.publish(
                session, file.name, file.data, content_type, now=now, ttl=ttl
            )
        self._purge(now)
        return token

    def _purge_expired(self, now: datetime) -> None:
        """A bounded purge in its own transaction (`bot.housekeeping`: at most hourly)."""
        with self.db.session() as session:
            gone = public_files.purge_expired(session, now, limit=public_files.PURGE_BATCH)
        if gone:
            log.info("purged %d expired public files", gone)


def public_url_hook(
    settings: Settings, db: Database, *, clock: Callable[[], datetime] = utcnow
) -> PhotoUrlFor:
    """The hook for a Zalo sender built from the settings (PUBLIC_BASE_URL, its TTL).

    Without PUBLIC_BASE_URL only a file already named by URL can go as a photo.
    """
    ttl = timedelta(days=settings.public_file_ttl_days)
    return PublicUrls(db, settings.public_base_url, ttl, clock=clock)
