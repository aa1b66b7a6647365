"""A thin async client for the Zalo Bot Platform API: `<base>/bot<TOKEN>/<method>`, JSON POST.

It does three things beyond the HTTP call, because every caller needs them the same way:

* faults become typed errors (`bot.zalo.errors`), with the token masked out of every message;
* 429, 5xx and network faults are retried with backoff (a 429's own wait when Zalo gives one);
  a send that timed out may have arrived, and for an interactive reply a duplicate is the
  lesser harm than a lost answer;
* getUpdates is paced (at least `poll_interval` between polls, as Zalo asks), an empty poll
  (HTTP 408) is simply "nothing", and an update seen before is dropped by its message id.

Everything slow or random (sleep, backoff, clock) is injectable so tests run in milliseconds.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

from bot.logging_setup import RedactingFilter
from bot.retry import RetryPolicy
from bot.zalo.dedupe import RecentIds
from bot.zalo.errors import (
    ZaloError,
    ZaloNetworkError,
    ZaloRetryAfter,
    ZaloServerError,
    error_for,
)
from bot.zalo.http import Answer, HttpxPoster, JsonPoster, PostFailed
from bot.zalo.split import MAX_MESSAGE, split_text, utf16_len
from bot.zalo.updates import ZaloUpdate, updates_from_body

log = logging.getLogger(__name__)

DEFAULT_API_BASE = "https://bot-api.zaloplatforms.com"


@dataclass(frozen=True)
class ZaloBotInfo:
    """getMe: the bot's id and account name (e.g. `bot.VDKyGxQvc`)."""

    id: str
    name: str
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)


class ZaloClient:
    """One bot token. Use as `async with ZaloClient(...) as client:` or call `aclose()`."""

    def __init__(
        self,
        token: str,
        base_url: str = DEFAULT_API_BASE,
        *,
        policy: RetryPolicy | None = None,
        poll_timeout: int = 30,
        poll_interval: float = 1.0,
        request_timeout: float = 15.0,
        poster: JsonPoster | None = None,
        recent: RecentIds | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not token:
            raise ValueError("a Zalo bot token is required")
        self._token = token
        self.base_url = base_url.rstrip("/")
        self.policy = policy or RetryPolicy()
        self.poll_timeout = poll_timeout
        self.poll_interval = poll_interval
        self.request_timeout = request_timeout
        self.recent = recent or RecentIds()
        self._clock = clock
        self._last_poll_end: float | None = None
        self._http: JsonPoster = poster or HttpxPoster()
        self._redactor = RedactingFilter([token])

    def __repr__(self) -> str:
        return f"ZaloClient(base_url={self.base_url!r}, token=***)"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    def mask(self, text: str) -> str:
        """`text` with the token (and any `/bot<...>/` URL part) replaced by ***."""
        return self._redactor.redact(text)

    # -- the one HTTP call ----------------------------------------------------------------------
    async def call(
        self,
        method: str,
        payload: Mapping[str, Any] | None = None,
        *,
        timeout: float | None = None,
        retry: bool = True,
    ) -> Any:
        """The method's `result`, retrying what is worth retrying; a `ZaloError` otherwise."""
        attempt = 0
        while True:
            try:
                return await self._call_once(method, payload or {}, timeout)
            except ZaloRetryAfter as error:
                wait = error.retry_after
                if wait is None:
                    wait = self.policy.backoff(attempt)
                if not retry or attempt + 1 >= self.policy.attempts:
                    raise
                if wait > self.policy.max_retry_after:
                    raise
                log.warning("zalo %s: too many requests, waiting %.2f s", method, wait)
            except (ZaloServerError, ZaloNetworkError) as error:
                if not retry or attempt + 1 >= self.policy.attempts:
                    raise
                wait = self.policy.backoff(attempt)
                log.warning("zalo %s, retry in %.2f s", error, wait)
            attempt += 1
            await self.policy.sleep(wait)

    async def _call_once(
        self, method: str, payload: Mapping[str, Any], timeout: float | None
    ) -> Any:
        url = f"{self.base_url}/bot{self._token}/{method}"
        try:
            response = await self._http.post(url, payload, timeout or self.request_timeout)
        except PostFailed as exc:
            # `from None`: the library's own message may carry the URL, hence the token.
            raise ZaloNetworkError(method, self.mask(str(exc))) from None
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, Mapping) and body.get("ok") is True and response.is_success:
            return body.get("result")
        return self._raise(method, response, body)

    def _raise(self, method: str, response: Answer, body: object) -> Any:
        data: Mapping[str, Any] = body if isinstance(body, Mapping) else {}
        code = data.get("error_code")
        if not isinstance(code, int) or isinstance(code, bool):
            code = response.status if response.status >= 400 else None
        if code is None and not data:
            raise ZaloServerError(method, "the answer was not the API's JSON")
        description = data.get("description")
        if not isinstance(description, str) or not description:
            description = response.reason or "no description"
        raise error_for(
            method,
            code,
            self.mask(description)[:300],
            retry_after=_retry_after(data, response),
        )

    # -- methods ----------------------------------------------------------------------------------
    async def get_me(self) -> ZaloBotInfo:
        result = _as_mapping(await self.call("getMe"))
        name = result.get("account_name") or result.get("name") or result.get("display_name")
        return ZaloBotInfo(id=str(result.get("id", "")), name=str(name or ""), raw=result)

    async def get_updates(self) -> list[ZaloUpdate]:
        """The next update (Zalo hands out one per call), or [] when the long poll was empty.

        Not retried here: the polling loop owns the pace after a failure. An update whose
        chat and message id were seen recently is dropped (consumed updates can come again).
        """
        await self._pace()
        try:
            result = await self.call(
                "getUpdates",
                {"timeout": str(self.poll_timeout)},
                timeout=self.poll_timeout + 10,
                retry=False,
            )
        except ZaloError as error:
            if error.error_code == 408:
                return []
            raise
        finally:
            self._last_poll_end = self._clock()
        fresh = []
        for update in updates_from_body(result):
            if self.recent.first_time(update):
                fresh.append(update)
            else:
                log.info("zalo update %s seen before, dropped", update.message_id)
        return fresh

    async def _pace(self) -> None:
        if self._last_poll_end is None:
            return
        wait = self._last_poll_end + self.poll_interval - self._clock()
        if wait > 0:
            await self.policy.sleep(wait)

    async def set_webhook(self, url: str, secret_token: str) -> Mapping[str, Any]:
        result = await self.call("setWebhook", {"url": url, "secret_token": secret_token})
        return _as_mapping(result)

    async def delete_webhook(self) -> Mapping[str, Any]:
        return _as_mapping(await self.call("deleteWebhook"))

    async def get_webhook_info(self) -> Mapping[str, Any]:
        return _as_mapping(await self.call("getWebhookInfo"))

    async def send_message(self, chat_id: str, text: str) -> list[str]:
        """Send `text`, as several messages when it is over 2,000 characters; their ids."""
        ids = []
        for piece in split_text(text, MAX_MESSAGE):
            result = await self.call("sendMessage", {"chat_id": chat_id, "text": piece})
            ids.append(_message_id(result))
        return ids

    async def send_photo(self, chat_id: str, photo_url: str, caption: str | None = None) -> str:
        """A photo by public URL (Zalo fetches it); the caption must fit one message."""
        payload: dict[str, Any] = {"chat_id": chat_id, "photo": photo_url}
        if caption:
            if utf16_len(caption) > MAX_MESSAGE:
                raise ValueError("caption longer than 2,000 characters")
            payload["caption"] = caption
        return _message_id(await self.call("sendPhoto", payload))

    async def send_chat_action(self, chat_id: str, action: str = "typing") -> None:
        await self.call("sendChatAction", {"chat_id": chat_id, "action": action})


def _as_mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _message_id(result: object) -> str:
    value = _as_mapping(result).get("message_id")
    return str(value) if value is not None else ""


def _retry_after(data: Mapping[str, Any], response: Answer) -> float | None:
    """Zalo's wait: `parameters.retry_after` (Telegram-style) or a Retry-After header."""
    parameters = _as_mapping(data.get("parameters"))
    for value in (parameters.get("retry_after"), response.retry_after):
        try:
            seconds = float(value) if value is not None else None
        except (TypeError, ValueError):
            continue
        if seconds is not None and seconds >= 0:
            return seconds
    return None
