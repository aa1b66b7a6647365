"""Logging that never writes a secret: tokens are masked wherever they appear in a record."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

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
