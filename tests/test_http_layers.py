"""The outbox's HTTP layers fail the way their callers expect, whichever library is under them.

The delivery workers send through aiohttp (`bot.telegram.aiohttp_request` under PTB, and
`bot.zalo.http.AiohttpPoster` under the Zalo client); the rest of the bot through httpx. A
refused connection and a server that never answers must come back as the same errors either
way: PTB's `NetworkError` and `TimedOut`, the Zalo client's `PostFailed` (timed out or not).
Real sockets on 127.0.0.1; a listener that accepts and never answers stands in for a stuck API.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import pytest
from telegram.error import NetworkError, TimedOut

from bot.telegram.aiohttp_request import AiohttpRequest
from bot.zalo.http import AiohttpPoster, HttpxPoster, JsonPoster, PostFailed


def closed_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
async def silent_server() -> AsyncIterator[str]:
    """Accepts connections, reads, never answers."""

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(65536)
        await asyncio.sleep(30)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()


@pytest.mark.parametrize("make", [AiohttpPoster, HttpxPoster], ids=["aiohttp", "httpx"])
async def test_zalo_posters_report_refusals_and_timeouts_alike(
    make: type[JsonPoster], silent_server: str
) -> None:
    poster = make()
    try:
        with pytest.raises(PostFailed) as refused:
            await poster.post(f"http://127.0.0.1:{closed_port()}/x", {"a": 1}, 2.0)
        assert not refused.value.timed_out
        with pytest.raises(PostFailed) as stuck:
            await poster.post(f"{silent_server}/x", {"a": 1}, 0.3)
        assert stuck.value.timed_out
    finally:
        await poster.aclose()


async def test_the_telegram_request_maps_refusals_and_timeouts_to_ptb_errors(
    silent_server: str,
) -> None:
    request = AiohttpRequest(read_timeout=0.3, connect_timeout=0.3, pool_timeout=0.3)
    await request.initialize()
    try:
        with pytest.raises(NetworkError) as refused:
            await request.post(f"http://127.0.0.1:{closed_port()}/botX/getMe")
        assert not isinstance(refused.value, TimedOut)
        with pytest.raises(TimedOut):
            await request.post(f"{silent_server}/botX/getMe")
    finally:
        await request.shutdown()
