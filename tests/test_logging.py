"""No secret reaches a log line, not even inside a traceback or an httpx URL."""

from __future__ import annotations

import logging

from bot.logging_setup import RedactingFilter

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


def _format(record: logging.LogRecord, redactor: RedactingFilter) -> str:
    redactor.filter(record)
    return logging.Formatter("%(message)s").format(record)


def test_configured_secret_and_url_token_are_masked() -> None:
    redactor = RedactingFilter([TOKEN])
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "token %s here", (TOKEN,), None)
    assert TOKEN not in _format(record, redactor)
    url = "POST https://api.telegram.org/bot999:SOMEOTHERSECRETVALUE/sendMessage"
    record = logging.LogRecord("httpx", logging.INFO, __file__, 1, url, None, None)
    text = _format(record, redactor)
    assert "SOMEOTHERSECRETVALUE" not in text and "/bot***/sendMessage" in text


def test_secret_inside_exception_is_masked() -> None:
    redactor = RedactingFilter([TOKEN])
    try:
        raise RuntimeError(f"failed calling /bot{TOKEN}/getMe")
    except RuntimeError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "boom", None, sys.exc_info())
    text = _format(record, redactor)
    assert "Traceback" in text and TOKEN not in text
