"""Fetching a feed over HTTP: the one place in `services` that talks to the network.

Why here and not in `bot/`: polling is the scheduler's work, and the scheduler imports services,
not the channel adapters; the import-linter contract names this module as its only exception.
A fetch never raises: every way it can go wrong (timeout, refused connection, HTTP error, a
body over the cap, a redirect to something that is not http/https) comes back as a `Fetched`
with a short reason, which the job records on the feed and retries later with backoff.

The body is read in a stream and abandoned past `max_bytes`, so a 50 MB answer costs at most
the cap in memory; a `Content-Length` over the cap is refused before reading anything.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import httpx

from services.bulletins import texts as bulletin_texts
from services.bulletins.rules import DEFAULT_BULLETIN_RULES, BulletinRules, web_link

log = logging.getLogger(__name__)

USER_AGENT = "SoTayDangVien-FeedReader/1.0"
ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5"


@dataclass(frozen=True)
class Fetched:
    """The body, or why there is none (Vietnamese, short, for the admin's list)."""

    body: bytes | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.body is not None


def fetch(url: str, rules: BulletinRules = DEFAULT_BULLETIN_RULES) -> Fetched:
    """GET `url` (http/https only) with a timeout, few redirects and a byte cap."""
    if web_link(url) is None:
        return Fetched(None, bulletin_texts.FEED_BAD_URL)
    limit = rules.max_feed_bytes
    too_big = Fetched(None, bulletin_texts.FEED_FAIL_TOO_BIG.format(limit=limit // 1024))
    try:
        with (
            httpx.Client(
                timeout=httpx.Timeout(rules.fetch_timeout),
                follow_redirects=True,
                max_redirects=rules.max_redirects,
                headers={
                    "User-Agent": USER_AGENT,
                    "Accept": ACCEPT,
                },
            ) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code >= 400:
                return Fetched(
                    None, bulletin_texts.FEED_FAIL_HTTP.format(status=response.status_code)
                )
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                return too_big
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > limit:
                    return too_big
                chunks.append(chunk)
            return Fetched(b"".join(chunks))
    except httpx.TimeoutException:
        return Fetched(None, bulletin_texts.FEED_FAIL_TIMEOUT)
    except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.TooManyRedirects):
        return Fetched(None, bulletin_texts.FEED_FAIL_CONNECT)
    except Exception as error:  # an unsupported redirect, a broken encoding, anything else
        log.warning("feed fetch failed: %s", type(error).__name__)
        return Fetched(None, bulletin_texts.FEED_FAIL_OTHER)
