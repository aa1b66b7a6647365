"""SIGTERM stops `sotay run` within 2 s whatever it was doing: an operator, systemd or a deploy
waits that long before it kills, and a killed process loses the updates in hand.

The states are the slow ones: polling that keeps failing (PTB backs off up to 30 s between
tries), start-up that keeps failing (PTB retries deleteWebhook before it polls), and a reply
whose API call hangs (a send in flight, up to the 10 s client timeout).
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.fake_telegram import TOKEN as TELEGRAM_TOKEN
from tests.fake_telegram import FakeTelegram
from tests.fake_zalo import TOKEN as ZALO_TOKEN
from tests.fake_zalo import running_fake_zalo, text_update
from tests.support import child_env

STOP_BUDGET = 2.0  # seconds from SIGTERM to exit: the operator's budget, not a benchmark
FAILING = 1000


def _env(tmp_path: Path, telegram: FakeTelegram, zalo_url: str) -> dict[str, str]:
    return child_env(
        TELEGRAM_BOT_TOKEN=TELEGRAM_TOKEN,
        TELEGRAM_API_BASE=telegram.base_url,
        ZALO_BOT_TOKEN=ZALO_TOKEN,
        ZALO_API_BASE=zalo_url,
        INVITE_SECRET="s" * 43,
        DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}",
        LOG_LEVEL="INFO",
    )


@pytest.mark.parametrize("state", ["polling fails", "start-up fails", "a reply hangs"])
async def test_sigterm_stops_run_within_two_seconds(tmp_path: Path, state: str) -> None:
    with FakeTelegram() as telegram:
        async with running_fake_zalo(empty_wait=0.2) as zalo:
            if state == "polling fails":
                telegram.fail("getUpdates", 500, times=FAILING)
                zalo.fail("getUpdates", 500, times=FAILING)
            elif state == "start-up fails":
                telegram.fail("deleteWebhook", 500, times=FAILING)
                zalo.fail("deleteWebhook", 500, times=FAILING)
            process = subprocess.Popen(
                [sys.executable, "-m", "bot", "run"],
                cwd=tmp_path,
                env=_env(tmp_path, telegram, zalo.url),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            try:
                if state == "polling fails":
                    # Three failures in: PTB now sleeps 2.25 s before its next try.
                    await telegram.wait_for(
                        lambda: len(telegram.calls_to("getUpdates", ok=False)) >= 3,
                        timeout=30,
                        what="failing polls",
                    )
                elif state == "start-up fails":
                    await telegram.wait_for(
                        lambda: len(telegram.calls_to("deleteWebhook", ok=False)) >= 2,
                        timeout=30,
                        what="failing start-up",
                    )
                else:
                    await telegram.wait_for(
                        lambda: telegram.calls_to("getUpdates", ok=None), timeout=30, what="poll"
                    )
                    telegram.slow("sendMessage", 30, times=FAILING)
                    telegram.send_text(telegram.user(7001, "Bình"), "xin chào")
                    zalo.push(text_update("zalo-42", "xin chào"))
                    await telegram.wait_for(
                        lambda: telegram.calls_to("sendMessage", ok=None),
                        timeout=30,
                        what="a reply in flight",
                    )
                started = time.monotonic()
                process.send_signal(signal.SIGTERM)
                _out, err = await asyncio.to_thread(process.communicate, timeout=30)
                took = time.monotonic() - started
            finally:
                if process.poll() is None:
                    process.kill()
    assert process.returncode == 0, err
    assert took < STOP_BUDGET, f"{state}: stopped {took:.2f} s after SIGTERM\n{err[-3000:]}"
    assert "telegram polling stopped" in err and "zalo polling stopped" in err
