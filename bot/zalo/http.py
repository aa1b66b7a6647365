"""The Zalo client's HTTP: one JSON POST and its answer, on httpx or on aiohttp.

`ZaloClient` needs only this much of an HTTP library, so the library is a choice: httpx for
the polling and webhook processes (as everywhere else), aiohttp for the delivery workers,
where it costs a fraction of httpx's CPU per message (its connection pool does not walk every
pooled connection on each request; docs/delivery.md, "CPU per message"). Network faults come
back as `PostFailed` (timed out or not), whatever the library.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import aiohttp
import httpx


@dataclass(frozen=True)
class Answer:
    """What came back: the status, its reason phrase, the Retry-After header, the body."""

    status: int
    reason: str
    retry_after: str | None
    body: bytes

    @property
    def is_success(self) -> bool:
        return 200 <= self.status < 300

    def json(self) -> Any:
        """The body as JSON; ValueError when it is not."""
        return json.loads(self.body)


class PostFailed(Exception):
    """No answer: the network failed, or the call timed out (`timed_out`)."""

    def __init__(self, detail: str, *, timed_out: bool = False) -> None:
        super().__init__(detail)
        self.timed_out = timed_out


class JsonPoster(Protocol):
    async def post(self, url: str, payload: Mapping[str, Any], timeout: float) -> Answer: ...

    async def aclose(self) -> None: ...


class HttpxPoster:
    """On an httpx client: its own, or `client` (tests pass one with a transport of theirs);
    either way `aclose` closes it."""

    def __init__(self, client: httpx.AsyncClient | None = None) -> None:
        self._client = client or httpx.AsyncClient()

    async def post(self, url: str, payload: Mapping[str, Any], timeout: float) -> Answer:
        try:
            response = await self._client.post(url, json=dict(payload), timeout=timeout)
        except httpx.TimeoutException:
            raise PostFailed("timed out", timed_out=True) from None
        except httpx.HTTPError as exc:
            raise PostFailed(f"{type(exc).__name__}: {exc}") from None
        return Answer(
            response.status_code,
            response.reason_phrase,
            response.headers.get("retry-after"),
            response.content,
        )

    async def aclose(self) -> None:
        await self._client.aclose()


class AiohttpPoster:
    """Created lazily: an aiohttp session belongs to the loop it was made on."""

    def __init__(self, connections: int = 100) -> None:
        self._connections = connections
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connections, ttl_dns_cache=300),
                cookie_jar=aiohttp.DummyCookieJar(),
            )
        return self._session

    async def post(self, url: str, payload: Mapping[str, Any], timeout: float) -> Answer:
        body = json.dumps(dict(payload), ensure_ascii=False).encode()
        try:
            async with self._open().post(
                url,
                data=body,
                headers={"Content-Type": "application/json"},
                timeout=aiohttp.ClientTimeout(total=timeout),
            ) as response:
                return Answer(
                    response.status,
                    response.reason or "",
                    response.headers.get("retry-after"),
                    await response.read(),
                )
        except TimeoutError:
            raise PostFailed("timed out", timed_out=True) from None
        except aiohttp.ClientError as exc:
            raise PostFailed(f"{type(exc).__name__}: {exc}") from None

    async def aclose(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None
