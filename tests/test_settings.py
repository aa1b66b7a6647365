"""Settings come from the environment and `.env`; defaults match the documentation."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import SettingsError, load_settings


def test_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("DATABASE_URL", "TIMEZONE", "TELEGRAM_BOT_TOKEN", "ZALO_BOT_TOKEN", "LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert settings.database_url == "sqlite:///sotay.db"
    assert settings.timezone == "Asia/Ho_Chi_Minh"
    assert settings.telegram_api_base == "https://api.telegram.org"
    assert settings.telegram_bot_token is None


def test_dotenv_file_is_read_and_secrets_hidden(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    token = "123456:" + "A" * 35
    (tmp_path / ".env").write_text(
        f"TELEGRAM_BOT_TOKEN={token}\nDATABASE_URL=postgresql://u@h/db\n", encoding="utf-8"
    )
    settings = load_settings()
    assert settings.telegram_bot_token is not None
    assert token not in repr(settings)
    assert settings.secrets() == [token]
    assert settings.database_url == "postgresql+psycopg://u@h/db"


def test_error_names_the_setting() -> None:
    with pytest.raises(SettingsError, match="TIMEZONE"):
        load_settings(timezone="Nowhere/Land")


WEBHOOK_SECRETS = ["telegram_webhook_secret", "zalo_webhook_secret"]


@pytest.mark.parametrize("name", WEBHOOK_SECRETS)
@pytest.mark.parametrize(
    "value",
    ["a", "abcdefgh", "x" * 31, "x" * 257, "has spaces " + "x" * 32, "é" * 40],
    ids=["1-char", "8-chars", "31-chars", "257-chars", "spaces", "non-ascii"],
)
def test_short_or_malformed_webhook_secrets_are_refused(name: str, value: str) -> None:
    """Before: one character was enough, and log masking then replaced that letter everywhere."""
    with pytest.raises(SettingsError) as caught:
        load_settings(_env_file=None, **{name: value})
    message = str(caught.value)
    assert message.startswith(f"Invalid setting {name.upper()}: use 32-256 characters")
    assert "secrets.token_urlsafe(32)" in message and "\n" not in message


@pytest.mark.parametrize("name", WEBHOOK_SECRETS)
def test_webhook_secrets_of_32_to_256_url_safe_characters_are_accepted(name: str) -> None:
    for value in ("A" * 32, secrets.token_urlsafe(32), "-_" * 128):
        settings = load_settings(_env_file=None, **{name: value})
        assert getattr(settings, name).get_secret_value() == value
    assert getattr(load_settings(_env_file=None, **{name: " "}), name) is None  # empty: unset


def test_every_secret_is_listed_for_log_masking() -> None:
    values = {
        "telegram_bot_token": "123456:" + "B" * 35,
        "zalo_bot_token": "zalo-token-value",
        "telegram_webhook_secret": "t" * 32,
        "zalo_webhook_secret": "z" * 40,
        "invite_secret": "i" * 48,
    }
    settings = load_settings(_env_file=None, **values)
    assert sorted(settings.secrets()) == sorted(values.values())


def test_a_short_webhook_secret_stops_the_cli_with_one_line_and_exit_2(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ZALO_"))}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}",
        ZALO_WEBHOOK_SECRET="abcdefgh",  # what .env.example used to allow
    )
    result = subprocess.run(
        [sys.executable, "-m", "bot", "demo"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("Invalid setting ZALO_WEBHOOK_SECRET: use 32-256 characters")
    assert "abcdefgh" not in result.stderr
