"""The real Zalo client over HTTP against the fake Bot API: errors, retries, pacing, splitting."""

from __future__ import annotations

import asyncio
import logging
import socket
import traceback
from collections.abc import AsyncIterator
from itertools import pairwise

import pytest

from bot.retry import RetryPolicy
from bot.zalo.client import ZaloClient
from bot.zalo.errors import (
    ZaloBadRequest,
    ZaloForbidden,
    ZaloNetworkError,
    ZaloRetryAfter,
    ZaloServerError,
    ZaloUnauthorized,
)
from bot.zalo.sender import ZaloSender
from handlers.messages import OutFile, Reply
from tests.fake_zalo import TOKEN, FakeZalo, running_fake_zalo, text_update


class Sleeps:
    """An injectable sleep that records what it was asked and waits only a token amount."""

    def __init__(self) -> None:
        self.asked: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.asked.append(seconds)
        await asyncio.sleep(0)


@pytest.fixture
async def fake() -> AsyncIterator[FakeZalo]:
    async with running_fake_zalo(empty_wait=0.05) as server:
        yield server


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
async def client(fake: FakeZalo, sleeps: Sleeps) -> AsyncIterator[ZaloClient]:
    policy = RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05, sleep=sleeps)
    async with ZaloClient(TOKEN, fake.url, policy=policy, poll_interval=0.0) as zalo:
        yield zalo


async def test_get_me_and_the_webhook_methods(client: ZaloClient, fake: FakeZalo) -> None:
    me = await client.get_me()
    assert (me.id, me.name) == ("1459232241454765289", "bot.SoTayTest")
    info = await client.set_webhook("https://sotay.example/zalo/webhook", "s3cret-token")
    assert info["url"] == "https://sotay.example/zalo/webhook"
    assert (await client.get_webhook_info())["url"] == "https://sotay.example/zalo/webhook"
    assert (await client.delete_webhook())["url"] == ""
    with pytest.raises(ZaloBadRequest):
        await client.set_webhook("https://sotay.example/zalo/webhook", "short")
    assert fake.calls_to("setWebhook")[0].payload == {
        "url": "https://sotay.example/zalo/webhook",
        "secret_token": "s3cret-token",
    }


async def test_sending_text_photo_and_typing(client: ZaloClient, fake: FakeZalo) -> None:
    ids = await client.send_message("u1", "Xin chào đồng chí")
    assert len(ids) == 1 and len(ids[0]) == 20
    await client.send_photo("u1", "https://files.example/chart.png", caption="Biểu đồ")
    await client.send_chat_action("u1")
    assert [c.method for c in fake.calls] == ["sendMessage", "sendPhoto", "sendChatAction"]
    assert fake.calls[1].payload == {
        "chat_id": "u1",
        "photo": "https://files.example/chart.png",
        "caption": "Biểu đồ",
    }
    assert fake.calls[2].payload == {"chat_id": "u1", "action": "typing"}


async def test_long_text_through_the_sender_is_split_at_2000_and_loses_nothing(
    client: ZaloClient, fake: FakeZalo
) -> None:
    paragraphs = [f"{i}. Đồng chí " + "thực hiện nghị quyết " * 25 for i in range(30)]
    original = "\n\n".join(paragraphs)  # about 16,000 characters
    result = await ZaloSender(client).send("u7", Reply(original))
    sent = fake.sent("u7")
    assert result.ok and len(result.message_ids) == len(sent) > 5
    assert all(len(text) <= 2000 for text in sent)
    assert "".join(sent) == original
    assert [c.status for c in fake.calls_to("sendMessage")] == [200] * len(sent)


async def test_a_too_long_text_is_refused_by_zalo_and_not_retried(
    client: ZaloClient, fake: FakeZalo, sleeps: Sleeps
) -> None:
    with pytest.raises(ZaloBadRequest) as caught:
        await client.call("sendMessage", {"chat_id": "u1", "text": "x" * 2001})
    assert caught.value.error_code == 400
    assert len(fake.calls) == 1 and sleeps.asked == []


async def test_429_waits_zalos_retry_after_then_succeeds(
    client: ZaloClient, fake: FakeZalo, sleeps: Sleeps
) -> None:
    fake.fail("sendMessage", 429, retry_after=3)
    await client.send_message("u1", "Nhắc họp chi bộ")
    assert sleeps.asked == [3.0]
    assert [c.status for c in fake.calls_to("sendMessage")] == [429, 200]
    assert fake.sent("u1") == ["Nhắc họp chi bộ"]


async def test_429_asking_too_long_a_wait_is_given_up(client: ZaloClient, fake: FakeZalo) -> None:
    fake.fail("sendMessage", 429, retry_after=3600)
    with pytest.raises(ZaloRetryAfter) as caught:
        await client.send_message("u1", "x")
    assert caught.value.retry_after == 3600
    assert fake.sent() == []


async def test_5xx_is_retried_with_backoff_until_attempts_run_out(
    client: ZaloClient, fake: FakeZalo, sleeps: Sleeps
) -> None:
    fake.fail("sendMessage", 502, times=2)
    await client.send_message("u1", "Lần ba mới tới")
    assert len(sleeps.asked) == 2 and all(0 < s <= 0.05 for s in sleeps.asked)
    fake.fail("sendMessage", 503, times=10)
    with pytest.raises(ZaloServerError):
        await client.send_message("u1", "Không tới")
    assert [c.status for c in fake.calls_to("sendMessage")] == [502, 502, 200] + [503] * 4


async def test_blocked_chat_is_forbidden_and_the_sender_reports_it(
    client: ZaloClient, fake: FakeZalo
) -> None:
    fake.blocked.add("u9")
    with pytest.raises(ZaloForbidden):
        await client.send_message("u9", "x")
    reported: list[str] = []

    async def on_blocked(chat_id: str) -> None:
        reported.append(chat_id)

    result = await ZaloSender(client, on_blocked=on_blocked).send("u9", Reply("x"))
    assert result.blocked and not result.ok and reported == ["u9"]
    assert len(fake.calls_to("sendMessage")) == 2  # never retried


async def test_the_token_never_shows_in_errors_or_our_logs(
    fake: FakeZalo, sleeps: Sleeps, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot.zalo")
    policy = RetryPolicy(attempts=2, base_delay=0.01, sleep=sleeps)
    wrong = TOKEN[:-4] + "XXXX"
    async with ZaloClient(wrong, fake.url, policy=policy) as bad:
        with pytest.raises(ZaloUnauthorized) as unauthorized:
            await bad.get_me()
        assert "ZaloClient(" in repr(bad) and wrong not in repr(bad)
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    async with ZaloClient(TOKEN, f"http://127.0.0.1:{closed}", policy=policy) as down:
        with pytest.raises(ZaloNetworkError) as network:
            await down.send_message("u1", "x")
    assert len(sleeps.asked) == 1  # retried once, then given up
    for error in (unauthorized.value, network.value):
        trace = "".join(traceback.format_exception(error))
        assert TOKEN not in trace and wrong not in trace
    assert "getMe" in str(unauthorized.value) and "401" in str(unauthorized.value)
    assert caplog.records, "the retry should have been logged"
    assert all(TOKEN not in r.getMessage() for r in caplog.records)


async def test_empty_poll_is_nothing_and_a_redelivered_update_is_dropped(
    client: ZaloClient, fake: FakeZalo
) -> None:
    assert await client.get_updates() == []
    assert fake.calls[-1].status == 408
    fake.push(text_update("u1", "/toi", message_id="a1"))
    (update,) = await client.get_updates()
    assert update.message is not None and update.message.text == "/toi"
    assert fake.calls_to("getUpdates")[-1].payload == {"timeout": "30"}
    fake.redeliver_last()
    assert await client.get_updates() == []  # the same message id again
    assert len(fake.pending) == 0


async def test_polls_are_spaced_by_the_poll_interval(fake: FakeZalo) -> None:
    async with ZaloClient(TOKEN, fake.url, poll_interval=0.25) as paced:
        for _ in range(3):
            assert await paced.get_updates() == []
    ends = [c.at for c in fake.calls_to("getUpdates")]
    # Each call ends `empty_wait` (0.05 s) after it starts, at least 0.25 s after the last one.
    assert all(later - earlier >= 0.29 for earlier, later in pairwise(ends))


async def test_a_photo_without_public_url_sends_text_and_a_note(
    client: ZaloClient, fake: FakeZalo
) -> None:
    chart = OutFile("tham_du.png", b"\x89PNG", kind="photo")
    await ZaloSender(client).send("u1", Reply("Biểu đồ tham dự tháng 11", (), chart))

    async def public_url(file: OutFile) -> str:
        return f"https://files.example/{file.name}"

    await ZaloSender(client, photo_url_for=public_url).send(
        "u1", Reply("Biểu đồ tham dự tháng 11", (), chart)
    )
    assert [c.method for c in fake.calls] == ["sendMessage", "sendMessage", "sendPhoto"]
    assert "tham_du.png" in fake.sent("u1")[0] and "Telegram" in fake.sent("u1")[0]
    assert fake.calls[2].payload["photo"] == "https://files.example/tham_du.png"
