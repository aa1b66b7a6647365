"""Fetching a feed over HTTP: the one place in `services` that talks to the network.

Why here and not in `bot/`: polling is the scheduler's work, and the scheduler imports services,
not the channel adapters; the import-linter contract names this module as its only exception.
A fetch never raises: every way it can go wrong (timeout, refused connection, HTTP error, a
body over the cap, a redirect to something that is not http/https, an address inside the
server's own network) comes back as a `Fetched` with a short reason, which the job records on
the feed and retries later with backoff.

The body is read in a stream and abandoned past `max_bytes`, so a 50 MB answer costs at most
the cap in memory; a `Content-Length` over the cap is refused before reading anything.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

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
    """GET `url` (http/https only) with a timeout, few redirects and a byte cap.

    Redirects are followed here, one hop at a time, so every address is checked before it is
    contacted: a public feed that redirects to 169.254.169.254 or 127.0.0.1 is refused."""
    try:
        with httpx.Client(
            timeout=httpx.Timeout(rules.fetch_timeout),
            follow_redirects=False,
            headers={"User-Agent": USER_AGENT, "Accept": ACCEPT},
        ) as client:
            for _hop in range(rules.max_redirects + 1):
                refused = _refusal(url, rules)
                if refused is not None:
                    return refused
                with client.stream("GET", url) as response:
                    if response.is_redirect and response.next_request is not None:
                        url = str(response.next_request.url)
                        continue
                    return _read(response, rules.max_feed_bytes)
            return Fetched(None, bulletin_texts.FEED_FAIL_CONNECT)  # too many redirects
    except httpx.TimeoutException:
        return Fetched(None, bulletin_texts.FEED_FAIL_TIMEOUT)
    except (httpx.ConnectError, httpx.RemoteProtocolError):
        return Fetched(None, bulletin_texts.FEED_FAIL_CONNECT)
    except Exception as error:  # a broken encoding, anything else
        log.warning("feed fetch failed: %s", type(error).__name__)
        return Fetched(None, bulletin_texts.FEED_FAIL_OTHER)


def _refusal(url: str, rules: BulletinRules) -> Fetched | None:
    """Why `url` must not be fetched, or None: not http(s), or a host inside our network."""
    if web_link(url) is None:
        return Fetched(None, bulletin_texts.FEED_BAD_URL)
    host = urlsplit(url).hostname or ""
    if host in rules.private_hosts:
        return None
    try:
        addresses = _addresses(host)
    except OSError:
        return Fetched(None, bulletin_texts.FEED_FAIL_CONNECT)
    if not addresses or not all(_public(address) for address in addresses):
        log.warning("feed fetch refused: a private address")
        return Fetched(None, bulletin_texts.FEED_FAIL_PRIVATE)
    return None


def _addresses(host: str) -> list[str]:
    """Every address `host` stands for (itself when it is one)."""
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        pass
    infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    return sorted({str(info[4][0]) for info in infos})


def _public(address: str) -> bool:
    """A globally routable unicast address (not loopback, private, link-local, reserved…)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _read(response: httpx.Response, limit: int) -> Fetched:
    """The body, read in a stream and abandoned past `limit` bytes."""
    too_big = Fetched(None, bulletin_texts.FEED_FAIL_TOO_BIG.format(limit=limit // 1024))
    if response.is_redirect:  # a redirect without a usable Location
        return Fetched(None, bulletin_texts.FEED_FAIL_OTHER)
    if response.status_code >= 400:
        return Fetched(None, bulletin_texts.FEED_FAIL_HTTP.format(status=response.status_code))
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
