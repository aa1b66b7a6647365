"""Typed errors for the Zalo Bot API, sorted once so callers decide by type, not by number.

Messages are built from the method name and Zalo's description, already masked by the client,
so printing an error never prints the bot token.
"""

from __future__ import annotations


class ZaloError(Exception):
    """The API said no (`ok: false` or an HTTP error), or could not be reached."""

    def __init__(self, method: str, description: str, *, error_code: int | None = None) -> None:
        self.method = method
        self.description = description
        self.error_code = error_code
        code = f" (error_code {error_code})" if error_code is not None else ""
        super().__init__(f"{method}: {description}{code}")


class ZaloUnauthorized(ZaloError):
    """401: the token is wrong or revoked. Retrying cannot help; the operator must act."""


class ZaloForbidden(ZaloError):
    """403: the user blocked the bot or cannot be messaged. Never retried."""


class ZaloBadRequest(ZaloError):
    """Another 4xx: a mistake on our side (too long, missing field). Never retried."""


class ZaloRetryAfter(ZaloError):
    """429: too many requests. `retry_after` is Zalo's wait in seconds when it gives one."""

    def __init__(
        self,
        method: str,
        description: str,
        *,
        error_code: int | None = 429,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(method, description, error_code=error_code)
        self.retry_after = retry_after


class ZaloServerError(ZaloError):
    """5xx or a reply that is not the API's JSON: Zalo's side, worth retrying."""


class ZaloNetworkError(ZaloError):
    """No answer: connection refused, reset or timed out. A send may still have arrived."""


def error_for(
    method: str, code: int | None, description: str, *, retry_after: float | None = None
) -> ZaloError:
    """The error class for an error code (Zalo's `error_code`, else the HTTP status)."""
    if code == 401:
        return ZaloUnauthorized(method, description, error_code=code)
    if code == 403:
        return ZaloForbidden(method, description, error_code=code)
    if code == 408:
        # For getUpdates this means "no update"; for anything else the request timed out.
        return ZaloNetworkError(method, description, error_code=code)
    if code == 429:
        return ZaloRetryAfter(method, description, error_code=code, retry_after=retry_after)
    if code is not None and code >= 500:
        return ZaloServerError(method, description, error_code=code)
    if code is not None and 400 <= code < 500:
        return ZaloBadRequest(method, description, error_code=code)
    return ZaloError(method, description, error_code=code)
