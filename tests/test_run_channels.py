"""`sotay run` with both tokens: Telegram and Zalo served by one process, stopped by SIGTERM."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from tests.fake_telegram import TOKEN as TELEGRAM_TOKEN
from tests.fake_telegram import FakeTelegram
from tests.fake_zalo import TOKEN as ZALO_TOKEN
from tests.fake_zalo import running_fake_zalo, text_update
from tests.support import child_env, free_port, get_when_listening


async def test_run_serves_telegram_and_zalo_together(tmp_path: Path) -> None:
    with FakeTelegram() as telegram:
        async with running_fake_zalo(empty_wait=0.2) as zalo:
            env = child_env(
                TELEGRAM_BOT_TOKEN=TELEGRAM_TOKEN,
                TELEGRAM_API_BASE=telegram.base_url,
                ZALO_BOT_TOKEN=ZALO_TOKEN,
                ZALO_API_BASE=zalo.url,
                DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}",
                LOG_LEVEL="INFO",
                # Charts for Zalo: `sotay run` serves /files itself on FILES_PORT.
                PUBLIC_BASE_URL="https://sotay.test",
                FILES_PORT=str(files_port := free_port()),
            )
            process = subprocess.Popen(
                [sys.executable, "-m", "bot", "run"],
                cwd=tmp_path,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            try:
                await telegram.wait_for(
                    lambda: telegram.calls_to("getUpdates", ok=None), timeout=30, what="polling"
                )
                await zalo.wait_for(lambda: bool(zalo.calls_to("getUpdates")), timeout=30)
                telegram.send_text(telegram.user(7001, "Bình"), "xin chào")
                zalo.push(text_update("zalo-42", "xin chào"))
                await telegram.wait_for_message(7001, "chưa được liên kết")
                await zalo.wait_for(
                    lambda: any("chưa được liên kết" in t for t in zalo.sent("zalo-42")),
                    timeout=20,
                )
                async with httpx.AsyncClient() as http:
                    files = f"http://127.0.0.1:{files_port}"
                    assert (await get_when_listening(http, f"{files}/healthz")).status_code == 200
                    assert (await http.get(f"{files}/files/unknown")).status_code == 404
                process.send_signal(signal.SIGTERM)
                _out, err = await asyncio.to_thread(process.communicate, timeout=20)
            finally:
                if process.poll() is None:
                    process.kill()
    assert process.returncode == 0, err
    assert "telegram polling stopped" in err and "zalo polling stopped" in err
    assert TELEGRAM_TOKEN.split(":")[1] not in err and ZALO_TOKEN.split(":")[1] not in err


async def test_a_rejected_token_stops_run_with_one_line(tmp_path: Path) -> None:
    with FakeTelegram() as telegram:
        async with running_fake_zalo(empty_wait=0.2) as zalo:
            env = child_env(
                TELEGRAM_BOT_TOKEN=TELEGRAM_TOKEN,
                TELEGRAM_API_BASE=telegram.base_url,
                ZALO_BOT_TOKEN="1:not-the-right-token",
                ZALO_API_BASE=zalo.url,
                DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}",
                LOG_LEVEL="WARNING",
            )
            result = await asyncio.to_thread(
                subprocess.run,
                [sys.executable, "-m", "bot", "run"],
                cwd=tmp_path,
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
            )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "Kênh Zalo: token bị từ chối, hãy kiểm tra ZALO_BOT_TOKEN."
    )
    assert "Traceback" not in result.stderr and "not-the-right-token" not in result.stderr
