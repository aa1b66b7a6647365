"""Logging that never writes a secret: tokens are masked wherever they appear in a record.

Bot tokens and webhook secrets are known strings (`RedactingFilter`). A public file's token is
not: each is random and lives for days, and the URL is its only protection, yet uvicorn's access
log writes every request path. So the web server's access log masks the path segment after
`/files/` (`AccessPathMask`, installed by `mask_access_log`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

ACCESS_LOGGER = "uvicorn.access"
ELLIPSIS = "…"

_TOKEN_IN_URL = re.compile(r"/bot[^/\s]+/")
MASK = "***"


class RedactingFilter(logging.Filter):
    """Masks the configured secrets, and any `/bot<token>/` in a URL (httpx logs request URLs)."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return _TOKEN_IN_URL.sub(f"/bot{MASK}/", text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self.redact(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if redacted != message:
            record.msg = redacted
            record.args = None
        return True


def setup_logging(level: int, secrets: Iterable[str]) -> RedactingFilter:
    """Configure the root logger once; the filter sits on the handler so every logger is covered."""
    redactor = RedactingFilter(secrets)
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(redactor)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # httpx logs every request URL at INFO, and Telegram's URLs hold the token.
    logging.getLogger("httpx").setLevel(max(level, logging.WARNING))
    # Migrations run at every start; their progress lines are noise outside debugging.
    logging.getLogger("alembic").setLevel(max(level, logging.WARNING))
    return redactor


class AccessPathMask(logging.Filter):
    """Replaces whatever follows one of `prefixes` in a path with "…": `/files/<token>` is
    logged as `/files/…`, so the request is still seen (method, status) but not the token.

    The record's arguments are masked one by one and keep their shape, since uvicorn's own
    access formatter unpacks them.
    """

    def __init__(self, prefixes: Iterable[str]) -> None:
        super().__init__()
        self.prefixes = tuple(p.rstrip("/") for p in prefixes)
        alternatives = "|".join(re.escape(p) for p in self.prefixes)
        self._pattern = re.compile(rf"({alternatives})/[^\s\"?#]*")

    def mask(self, text: str) -> str:
        return self._pattern.sub(rf"\1/{ELLIPSIS}", text)

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = self.mask(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(self.mask(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {
                k: self.mask(v) if isinstance(v, str) else v for k, v in record.args.items()
            }
        return True


def mask_access_log(*prefixes: str) -> AccessPathMask:
    """Mask the paths under `prefixes` in uvicorn's access log; idempotent.

    The filter sits on the `uvicorn.access` logger itself, so it applies whatever handlers
    are configured (ours through propagation, or uvicorn's own `log_config`).
    """
    logger = logging.getLogger(ACCESS_LOGGER)
    wanted = tuple(p.rstrip("/") for p in prefixes)
    for existing in logger.filters:
        if isinstance(existing, AccessPathMask) and existing.prefixes == wanted:
            return existing
    mask = AccessPathMask(wanted)
    logger.addFilter(mask)
    return mask
