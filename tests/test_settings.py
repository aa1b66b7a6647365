"""Settings come from the environment and `.env`; defaults match the documentation."""

from __future__ import annotations

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
