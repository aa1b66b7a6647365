"""Settings from the environment and `.env`; a bad value stops start-up with one clear line."""

from __future__ import annotations

import contextlib
import logging
import os
import re
import secrets as secrets_module
from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

TELEGRAM_TOKEN_RE = re.compile(r"^\d{3,15}:[A-Za-z0-9_-]{30,}$")
# Webhook secrets: Telegram allows 1-256 of these characters; we ask for at least 32 (about
# 190 bits from token_urlsafe) so the secret cannot be guessed and log masking stays exact.
WEBHOOK_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{32,256}$")
MIN_SECRET_LENGTH = 32
GENERATE_SECRET = 'python -c "import secrets; print(secrets.token_urlsafe(32))"'
# The invite secret of a local trial (SQLite, no bot token) is kept beside the database file.
INVITE_SECRET_FILE_SUFFIX = ".invite-secret"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
PAID_BROADCAST_RATE = 1000.0  # Telegram's ceiling with allow_paid_broadcast
# A lease must outlast a claimed row's wait for its slot plus one send with its timeouts
# (10 s each way), or a slow send would be claimed again by another worker while in flight.
MIN_LEASE_SECONDS = 30


class SettingsError(Exception):
    """A setting is invalid; `str()` is the single line shown to the operator."""


def _check_url(value: str, name: str) -> str:
    if not re.match(r"^https?://[^\s/]+", value):
        raise ValueError(f"{name} must be an http(s) URL")
    return value.rstrip("/")


def _check_https_url(value: str, name: str) -> str:
    """A public https URL without query or fragment (paths are appended to some of them)."""
    if not re.match(r"^https://[^\s/?#]+[^\s?#]*$", value):
        raise ValueError(f"{name} must be an https:// URL without spaces, query or fragment")
    return value.rstrip("/")


class Settings(BaseSettings):
    """Every setting the bot reads. `.env.example` documents each one."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    database_url: str = "sqlite:///sotay.db"
    timezone: str = "Asia/Ho_Chi_Minh"
    telegram_bot_token: SecretStr | None = None
    telegram_bot_username: str | None = None
    telegram_api_base: str = "https://api.telegram.org"
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: SecretStr | None = None
    zalo_bot_token: SecretStr | None = None
    zalo_api_base: str = "https://bot-api.zaloplatforms.com"
    zalo_webhook_secret: SecretStr | None = None
    zalo_webhook_url: str | None = None
    # Generated images served at <PUBLIC_BASE_URL>/files/<token> (Zalo sends photos by URL)
    public_base_url: str | None = None
    public_file_ttl_days: int = Field(default=7, ge=1, le=365)
    # Where `sotay run` serves /files when PUBLIC_BASE_URL is set (behind the HTTPS proxy)
    files_host: str = "127.0.0.1"
    files_port: int = Field(default=8081, ge=1, le=65535)
    log_level: str = "INFO"
    invite_ttl_days: int = Field(default=14, ge=1, le=365)
    # HMAC key of invite codes; required with a bot token or PostgreSQL (see `invite_secret`)
    invite_secret: SecretStr | None = None
    conversation_ttl_minutes: int = Field(default=60, ge=1, le=7 * 24 * 60)
    # Delivery (the outbox workers; docs/delivery.md)
    telegram_rate_per_second: float = Field(default=30.0, gt=0, le=PAID_BROADCAST_RATE)
    telegram_paid_broadcast: bool = False
    zalo_rate_per_second: float = Field(default=5.0, gt=0, le=1000)
    delivery_max_attempts: int = Field(default=8, ge=1, le=50)
    delivery_lease_seconds: int = Field(default=60, ge=MIN_LEASE_SECONDS, le=3600)
    exports_dir: str = "exports"

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        try:
            url = sa.make_url(value)
        except sa.exc.ArgumentError as exc:
            raise ValueError("not a database URL (e.g. sqlite:///sotay.db)") from exc
        if url.get_backend_name() not in ("sqlite", "postgresql"):
            raise ValueError("only sqlite:// and postgresql:// are supported")
        if url.get_backend_name() == "postgresql" and url.drivername == "postgresql":
            value = value.replace("postgresql://", "postgresql+psycopg://", 1)
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("unknown time zone (e.g. Asia/Ho_Chi_Minh)") from exc
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        if value.upper() not in LOG_LEVELS:
            raise ValueError(f"must be one of {', '.join(LOG_LEVELS)}")
        return value.upper()

    @field_validator("telegram_bot_token", "zalo_bot_token", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("telegram_bot_token")
    @classmethod
    def _telegram_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not TELEGRAM_TOKEN_RE.match(value.get_secret_value()):
            raise ValueError("does not look like a BotFather token (123456:ABC...)")
        return value

    @field_validator("telegram_webhook_secret", "zalo_webhook_secret", mode="before")
    @classmethod
    def _webhook_secret(cls, value: object) -> object:
        if isinstance(value, str):
            if not value.strip():
                return None
            if not WEBHOOK_SECRET_RE.match(value):
                raise ValueError(
                    "use 32-256 characters A-Z, a-z, 0-9, _ or - (generate one with: "
                    f"{GENERATE_SECRET})"
                )
        return value

    @field_validator("invite_secret", mode="before")
    @classmethod
    def _invite_secret(cls, value: object) -> object:
        if isinstance(value, str):
            if not value.strip():
                return None
            if len(value) < MIN_SECRET_LENGTH or len(value) > 1024 or value != value.strip():
                raise ValueError(
                    f"use 32-1024 characters without surrounding spaces (generate one with: "
                    f"{GENERATE_SECRET})"
                )
        return value

    @field_validator("telegram_api_base", "zalo_api_base")
    @classmethod
    def _api_base(cls, value: str) -> str:
        return _check_url(value, "the API base")

    @field_validator(
        "telegram_webhook_url",
        "telegram_bot_username",
        "zalo_webhook_url",
        "public_base_url",
        mode="before",
    )
    @classmethod
    def _optional_text(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("telegram_webhook_url")
    @classmethod
    def _webhook_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("https://"):
            raise ValueError("Telegram webhooks need an https:// URL")
        return value

    @field_validator("zalo_webhook_url")
    @classmethod
    def _zalo_webhook_url(cls, value: str | None) -> str | None:
        return None if value is None else _check_https_url(value, "the Zalo webhook URL")

    @field_validator("public_base_url")
    @classmethod
    def _public_base_url(cls, value: str | None) -> str | None:
        return None if value is None else _check_https_url(value, "the public base URL")

    @field_validator("exports_dir")
    @classmethod
    def _exports_dir(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must name a folder (e.g. exports)")
        return value.strip()

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def telegram_send_rate(self) -> float:
        """Messages per second for the token: paid broadcast lifts the ceiling to 1000."""
        return (
            PAID_BROADCAST_RATE if self.telegram_paid_broadcast else self.telegram_rate_per_second
        )

    @property
    def log_level_number(self) -> int:
        return logging.getLevelNamesMapping()[self.log_level]

    def secrets(self) -> list[str]:
        """Every configured secret, for the log redactor."""
        values = [self.telegram_bot_token, self.zalo_bot_token]
        values += [self.telegram_webhook_secret, self.zalo_webhook_secret, self.invite_secret]
        return [v.get_secret_value() for v in values if v is not None]


def load_settings(**overrides: object) -> Settings:
    """Settings, or a `SettingsError` whose message names the first bad setting in one line."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0]).upper() if error["loc"] else "?"
        message = str(error["msg"]).removeprefix("Value error, ")
        raise SettingsError(f"Invalid setting {name}: {message}") from None


def invite_secret(settings: Settings) -> str:
    """The HMAC key of invite codes: INVITE_SECRET, or for a local trial one made and kept.

    It must stay out of the database (a leaked database must not let anyone test codes
    offline) and be the same for every process that issues or redeems codes. So with a bot
    token (a real deployment) or PostgreSQL (a shared database, perhaps several hosts) it must
    be set, and its absence is a one-line settings error at start-up; only a local SQLite
    trial without a token gets one generated, in a file beside the database file (mode 0600),
    which `sotay run`, `chat` and `invite` then share. An in-memory database lives as long as
    the process, and so does its key.
    """
    if settings.invite_secret is not None:
        return settings.invite_secret.get_secret_value()
    if settings.telegram_bot_token is not None or settings.zalo_bot_token is not None:
        raise SettingsError(
            "Invalid setting INVITE_SECRET: required when a bot token is set "
            f"(32+ characters; generate one with: {GENERATE_SECRET})"
        )
    url = sa.make_url(settings.database_url)
    if url.get_backend_name() != "sqlite":
        raise SettingsError(
            "Invalid setting INVITE_SECRET: required with PostgreSQL "
            f"(32+ characters; generate one with: {GENERATE_SECRET})"
        )
    if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
        return secrets_module.token_urlsafe(32)
    return _local_secret(Path(url.database + INVITE_SECRET_FILE_SUFFIX))


def _local_secret(path: Path) -> str:
    """Read the trial's key, or create it: written whole to a private temporary file, then
    linked into place, so a second process starting at the same moment reads the winner's."""
    try:
        return _read_local_secret(path)
    except FileNotFoundError:
        pass
    except OSError as error:
        raise SettingsError(
            f"Invalid setting INVITE_SECRET: not set, and {path} cannot be read ({error})"
        ) from None
    temporary = path.with_name(f"{path.name}.{secrets_module.token_hex(4)}.tmp")
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(secrets_module.token_urlsafe(32) + "\n")
        with contextlib.suppress(FileExistsError):  # another process linked its key first
            os.link(temporary, path)
    except OSError as error:
        raise SettingsError(
            f"Invalid setting INVITE_SECRET: not set, and {path} cannot be written ({error})"
        ) from None
    finally:
        temporary.unlink(missing_ok=True)
    return _read_local_secret(path)


def _read_local_secret(path: Path) -> str:
    try:
        value = path.read_text(encoding="ascii").strip()
    except UnicodeDecodeError:
        value = ""
    if len(value) < MIN_SECRET_LENGTH:
        raise SettingsError(
            f"Invalid setting INVITE_SECRET: not set, and {path} holds no usable key "
            "(delete the file to make a new one; unused invite codes then stop working)"
        )
    return value
