"""Generated images for Zalo: published under a token, served at /files/<token>, sent by URL.

Database tests run on SQLite and on PostgreSQL. The route is driven through
httpx.ASGITransport; Zalo is the fake Bot API over real HTTP. Time is a `FakeClock`.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import struct
import zlib
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import openpyxl
import pytest
from sqlmodel import select

from bot.app import App
from bot.delivery.files import RemoteFile
from bot.retry import RetryPolicy
from bot.settings import Settings, SettingsError, load_settings
from bot.web import PublicFiles, create_web_app, serve_files, web_channels
from bot.zalo.adapter import build_sender, handle_update
from bot.zalo.client import ZaloClient
from bot.zalo.public_urls import PublicUrls
from bot.zalo.sender import ZaloSender
from bot.zalo.updates import updates_from_body
from handlers.core import Core
from handlers.messages import OutFile, Reply
from models import ChatIdentity, Database, PublicFile, utcnow
from services import public_files, texts
from services.identities import find_member
from tests.fake_zalo import TOKEN, FakeZalo, running_fake_zalo, text_update
from tests.support import FakeClock, free_port, get_when_listening
from tests.test_delivery_support import drain_as_run, enqueue_to, link_members, rows
from tests.test_zalo_polling import zalo_settings

BASE = "https://files.sotay.test"
TTL = timedelta(days=7)


def tiny_png(rgb: tuple[int, int, int]) -> bytes:
    """A valid 1×1 PNG of one colour: a real generated image, different bytes per colour."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" + bytes(rgb))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


RED, BLUE = tiny_png((200, 0, 0)), tiny_png((0, 0, 200))
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 60


def xlsx_bytes() -> bytes:
    """A real (tiny) workbook, as `/thongke` writes one."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Chi bộ", "Có mặt"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def publish(
    db: Database, data: bytes, clock: Callable[[], datetime], name: str = "chart.png"
) -> str:
    content_type = public_files.image_content_type(data)
    assert content_type is not None
    with db.session() as session:
        return public_files.publish(session, name, data, content_type, now=clock(), ttl=TTL)


def count_files(db: Database) -> int:
    with db.session() as session:
        return len(session.exec(select(PublicFile.token)).all())


# -- the service ---------------------------------------------------------------------------------
def test_publish_then_lookup_until_it_expires(db: Database, clock: FakeClock) -> None:
    token = publish(db, RED, clock)
    assert public_files.is_token(token) and len(token) == 32
    with db.session() as session:
        found = public_files.lookup(session, token, clock())
        assert found is not None
        assert (found.data, found.content_type, found.name) == (RED, "image/png", "chart.png")
        assert found.expires_at == clock() + TTL
        clock.advance(days=7, seconds=-1)
        assert public_files.lookup(session, token, clock()) is not None
        clock.advance(seconds=1)
        assert public_files.lookup(session, token, clock()) is None  # expired: gone at once
        assert public_files.lookup(session, "A" * 32, clock()) is None  # unknown
        assert public_files.lookup(session, "../etc/passwd", clock()) is None  # malformed


def test_the_same_bytes_are_stored_once_and_their_life_extended(
    db: Database, clock: FakeClock
) -> None:
    first = publish(db, RED, clock, name="tham_du.png")
    clock.advance(days=3)
    again = publish(db, RED, clock, name="tham_du_copy.png")
    other = publish(db, BLUE, clock)
    assert again == first and other != first
    assert count_files(db) == 2
    with db.session() as session:
        reused = public_files.lookup(session, first, clock())
        assert reused is not None and reused.expires_at == clock() + TTL  # a full week again
    # Two senders at the same moment: the second insert finds the first's row, shares it.
    with db.session() as session:
        digest = hashlib.sha256(RED).hexdigest()
        raced = public_files._insert_or_renew(
            session, "late.png", RED, "image/png", digest, clock(), clock() + TTL
        )
    assert raced == first and count_files(db) == 2
    clock.advance(days=8)  # both expired: the same bytes come back under a new token
    fresh = publish(db, RED, clock)
    assert fresh != first and count_files(db) == 2
    with db.session() as session:
        assert public_files.lookup(session, first, clock()) is None  # the old URL stays dead
        renewed = public_files.lookup(session, fresh, clock())
        assert renewed is not None and renewed.data == RED
        assert renewed.created_at == clock() and renewed.expires_at == clock() + TTL


def test_only_png_and_jpeg_whose_bytes_match_are_published(db: Database, clock: FakeClock) -> None:
    assert public_files.image_content_type(RED) == "image/png"
    assert public_files.image_content_type(JPEG) == "image/jpeg"
    assert public_files.image_content_type(b"<svg onload=alert(1)>") is None
    with db.session() as session:
        for data, content_type in (
            (b"<html><script>", "text/html"),
            (b"<html><script>", "image/png"),  # a type claimed, not shown by the bytes
            (RED, "image/jpeg"),
            (b"\x89PNG\r\n\x1a\n" + b"0" * public_files.MAX_BYTES, "image/png"),
        ):
            with pytest.raises(ValueError):
                public_files.publish(session, "x", data, content_type, now=clock(), ttl=TTL)
    assert publish(db, JPEG, clock, name="anh.jpg")
    assert count_files(db) == 1


def test_purge_deletes_expired_files_in_bounded_batches(db: Database, clock: FakeClock) -> None:
    expired = [publish(db, tiny_png((i, 1, 2)), clock) for i in range(5)]
    clock.advance(days=5)
    live = publish(db, BLUE, clock)
    clock.advance(days=3)  # the first five expired a day ago, `live` has four days left
    with db.session() as session:
        assert public_files.purge_expired(session, clock(), limit=3) == 3
    with db.session() as session:
        assert public_files.purge_expired(session, clock()) == 2
        assert public_files.purge_expired(session, clock()) == 0
    with db.session() as session:
        left = set(session.exec(select(PublicFile.token)).all())
    assert left == {live} and not left & set(expired)


# -- the route -----------------------------------------------------------------------------------
@pytest.fixture
async def files_http(db: Database, clock: FakeClock) -> AsyncIterator[httpx.AsyncClient]:
    app = create_web_app([PublicFiles(db, clock=clock)])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as http:
        yield http


async def test_files_route_serves_the_bytes_with_safe_headers(
    db: Database, clock: FakeClock, files_http: httpx.AsyncClient
) -> None:
    token = publish(db, RED, clock)
    clock.advance(days=6)
    response = await files_http.get(f"/files/{token}")
    assert response.status_code == 200 and response.content == RED
    assert response.headers["content-type"] == "image/png"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "private, max-age=86400"  # the day left
    jpeg = publish(db, JPEG, clock, name="anh.jpg")
    answer = await files_http.get(f"/files/{jpeg}")
    assert answer.headers["content-type"] == "image/jpeg" and answer.content == JPEG


async def test_files_route_refuses_alike_and_checks_the_shape_before_the_database(
    db: Database,
    clock: FakeClock,
    files_http: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    token = publish(db, RED, clock)
    looked_up: list[str] = []
    lookup = PublicFiles._lookup

    def recording(self: PublicFiles, token: str, now: object) -> object:
        looked_up.append(token)
        return lookup(self, token, now)  # type: ignore[arg-type]

    monkeypatch.setattr(PublicFiles, "_lookup", recording)
    malformed = ["..%2Fx", "../x", "%2E%2E/%2E%2E/etc/passwd", "a" * 500, token[:-1], token + "A"]
    malformed += [token[:-1] + "!", "", "a/b"]
    answers = [await files_http.get(f"/files/{path}") for path in malformed]
    assert looked_up == []  # none of them reached the database
    unknown = await files_http.get(f"/files/{'B' * 32}")
    clock.advance(days=7)
    expired = await files_http.get(f"/files/{token}")
    assert looked_up == ["B" * 32, token]
    for response in [*answers, unknown, expired]:
        assert response.status_code == 404, response.url
        assert response.text == "Not Found"
        assert "image" not in response.headers["content-type"]


async def test_the_files_route_is_mounted_only_with_a_public_base_url(
    db: Database, core: Core, tmp_path: Path
) -> None:
    with_url = App(load_settings(_env_file=None, public_base_url=BASE + "/"), db, core)
    (files,) = web_channels(with_url.settings, with_url)
    assert isinstance(files, PublicFiles) and with_url.settings.public_base_url == BASE
    assert with_url.settings.public_file_ttl_days == 7
    without = App(load_settings(_env_file=None), db, core)
    assert web_channels(without.settings, without) == []
    for bad in ("http://files.sotay.test", "https://x.test/?a=1", "files.sotay.test"):
        with pytest.raises(SettingsError, match="PUBLIC_BASE_URL"):
            load_settings(_env_file=None, public_base_url=bad)
    with pytest.raises(SettingsError, match="PUBLIC_FILE_TTL_DAYS"):
        load_settings(_env_file=None, public_file_ttl_days=0)


def test_every_new_setting_is_documented_in_env_example() -> None:
    example = (Path(__file__).resolve().parents[1] / ".env.example").read_text(encoding="utf-8")
    for name in ("PUBLIC_BASE_URL", "PUBLIC_FILE_TTL_DAYS", "ZALO_WEBHOOK_URL"):
        assert f"\n{name}=" in example, name


# -- Zalo: a chart by URL ------------------------------------------------------------------------
@pytest.fixture
async def fake() -> AsyncIterator[FakeZalo]:
    async with running_fake_zalo() as server:
        yield server


async def _deliver(app: App, clock: FakeClock) -> None:
    stats = await drain_as_run(app, "zalo", clock)
    assert stats.failed_final == stats.rejected == 0


async def test_a_generated_chart_reaches_zalo_as_a_photo_served_by_the_files_route(
    demo: Database, core: Core, fake: FakeZalo, clock: FakeClock, tmp_path: Path
) -> None:
    (tmp_path / "charts").mkdir()
    (tmp_path / "charts" / "tham_du.png").write_bytes(RED)
    settings = zalo_settings(
        fake,
        public_base_url=BASE,
        exports_dir=str(tmp_path),
        zalo_webhook_secret="zalo-webhook-secret_0123456789abcdef",
    )
    app = App(settings, demo, core)
    chats = ["zl-chart-1", "zl-chart-2"]
    members = link_members(demo, chats, channel="zalo", now=clock())
    enqueue_to(
        demo,
        members,
        key="stats:chart",
        now=clock(),
        text="Biểu đồ tham dự tháng 11",
        file_ref="charts/tham_du.png",
        file_kind="photo",
    )
    await _deliver(app, clock)

    photos = fake.calls_to("sendPhoto")
    assert sorted(c.payload["chat_id"] for c in photos) == chats
    urls = {c.payload["photo"] for c in photos}
    (url,) = urls  # the same chart to two members: one file, one URL
    assert url.startswith(f"{BASE}/files/") and count_files(demo) == 1
    for chat in chats:
        assert fake.sent(chat) == ["Biểu đồ tham dự tháng 11"]
    assert all(row.status == "sent" for row in rows(demo))

    channels = web_channels(settings, app)  # what `sotay serve` mounts
    transport = httpx.ASGITransport(app=create_web_app(channels))
    try:
        async with httpx.AsyncClient(transport=transport, base_url=BASE) as http:
            served = await http.get(url.removeprefix(BASE))
    finally:
        for channel in channels:
            await channel.shutdown()
    assert served.status_code == 200 and served.content == RED
    assert served.headers["content-type"] == "image/png"


async def test_without_a_public_base_url_the_member_gets_the_text_and_the_note(
    demo: Database, core: Core, fake: FakeZalo, clock: FakeClock, tmp_path: Path
) -> None:
    (tmp_path / "tham_du.png").write_bytes(RED)
    app = App(zalo_settings(fake, exports_dir=str(tmp_path)), demo, core)
    members = link_members(demo, ["zl-nourl"], channel="zalo", now=clock())
    enqueue_to(
        demo,
        members,
        key="stats:nourl",
        now=clock(),
        text="Biểu đồ tham dự",
        file_ref="tham_du.png",
        file_kind="photo",
    )
    await _deliver(app, clock)
    note = texts.ZALO_FILE_UNAVAILABLE.format(name="tham_du.png")
    assert fake.sent("zl-nourl") == [f"Biểu đồ tham dự\n\n{note}"]
    assert fake.calls_to("sendPhoto") == [] and count_files(demo) == 0


async def test_the_interactive_sender_publishes_too_and_passes_urls_through(
    demo: Database, core: Core, fake: FakeZalo
) -> None:
    app = App(zalo_settings(fake, public_base_url=BASE), demo, core)
    async with ZaloClient(TOKEN, fake.url, policy=RetryPolicy(attempts=1)) as client:
        sender = build_sender(app, client)
        chart = OutFile("bieu_do.png", BLUE, kind="photo")
        assert (await sender.send("zl-1", Reply("Biểu đồ", (), chart))).ok
        remote = RemoteFile("anh.jpg", b"", kind="photo", ref="https://cdn.example/anh.jpg")
        assert (await sender.send("zl-1", Reply("Ảnh", (), remote))).ok
        report = OutFile("bao_cao.xlsx", xlsx_bytes(), kind="document")
        assert (await sender.send("zl-1", Reply("Báo cáo", (), report))).ok
        fake_png = OutFile("trick.png", b"<html>", kind="photo")  # named .png, is not one
        assert (await sender.send("zl-1", Reply("Lạ", (), fake_png))).ok
        # A zip named .docx is not a Word file: its bytes decide, not its name.
        notes = OutFile("ghi_chu.docx", b"PK\x03\x04 document", kind="document")
        assert (await sender.send("zl-1", Reply("Ghi chú", (), notes))).ok
    first, second = (c.payload["photo"] for c in fake.calls_to("sendPhoto"))
    assert first.startswith(f"{BASE}/files/") and second == "https://cdn.example/anh.jpg"
    report_text, odd, other = fake.sent("zl-1")[-3:]
    # A spreadsheet the bot made goes as a link; what is not of an allowed type, as a note.
    link = report_text.removeprefix("Báo cáo\n\n")
    assert link.startswith(texts.ZALO_FILE_LINK.split("{url}")[0].format(name="bao_cao.xlsx"))
    assert f"{BASE}/files/" in link
    assert odd == "Lạ\n\n" + texts.ZALO_FILE_UNAVAILABLE.format(name="trick.png")
    assert other == "Ghi chú\n\n" + texts.ZALO_FILE_UNAVAILABLE.format(name="ghi_chu.docx")
    assert count_files(demo) == 2


async def test_thongke_on_zalo_sends_the_chart_and_a_link_to_the_spreadsheet(
    demo: Database, core: Core, fake: FakeZalo, clock: FakeClock
) -> None:
    """A committee member on Zalo gets everything a Telegram member gets from /thongke: the
    text and chart as a photo, and the per-cell spreadsheet as a link that downloads it."""
    settings = zalo_settings(
        fake, public_base_url=BASE, zalo_webhook_secret="zalo-webhook-secret_0123456789abcdef"
    )
    app = App(settings, demo, core)
    link_zalo_member(demo, "DV016", "zl-committee", clock)
    async with ZaloClient(TOKEN, fake.url, policy=RetryPolicy(attempts=1)) as client:
        (update,) = updates_from_body(text_update("zl-committee", "/thongke"))
        await handle_update(app, build_sender(app, client), update)
    (photo,) = fake.calls_to("sendPhoto")
    chart = await _served(settings, app, photo.payload["photo"])
    assert chart.headers["content-type"] == "image/png"
    assert chart.headers["content-disposition"].startswith("inline;")  # shown, not downloaded
    url = fake.sent("zl-committee")[-1].rsplit(" ", 1)[-1]
    sheet = await _served(settings, app, url)
    assert sheet.headers["content-type"] == public_files.XLSX
    assert sheet.headers["content-disposition"].startswith('attachment; filename="thongke_')
    workbook = openpyxl.load_workbook(io.BytesIO(sheet.content))
    assert workbook.active is not None and workbook.active.max_row > 1  # a row per cell


def link_zalo_member(db: Database, code: str, user_id: str, clock: FakeClock) -> None:
    """The member's Zalo account, linked as an invite would have linked it."""
    with db.session() as session:
        member = find_member(session, code)
        assert member is not None and member.id is not None
        session.add(
            ChatIdentity(
                channel="zalo",
                external_id=user_id,
                chat_id=user_id,
                member_id=member.id,
                linked_at=clock(),
            )
        )


async def _served(settings: Settings, app: App, url: str) -> httpx.Response:
    """GET `url` from the web app `sotay serve` would run with these settings."""
    assert url.startswith(f"{BASE}/files/")
    channels = web_channels(settings, app)
    try:
        transport = httpx.ASGITransport(app=create_web_app(channels))
        async with httpx.AsyncClient(transport=transport, base_url=BASE) as http:
            response = await http.get(url.removeprefix(BASE))
    finally:
        for channel in channels:
            await channel.shutdown()
    assert response.status_code == 200
    return response


async def test_a_failed_publish_is_retried_by_the_outbox_and_a_note_when_answering(
    demo: Database,
    core: Core,
    fake: FakeZalo,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*_args: object, **_kwargs: object) -> str:
        raise RuntimeError("database unavailable")

    monkeypatch.setattr(public_files, "publish", broken)
    hook = PublicUrls(demo, BASE, TTL, clock=clock)
    reply = Reply("Biểu đồ", (), OutFile("c.png", RED, "photo"))
    async with ZaloClient(TOKEN, fake.url, policy=RetryPolicy(attempts=1)) as client:
        # The delivery worker's sender: nothing goes out, the row waits and is tried again.
        result = await ZaloSender(client, photo_url_for=hook).send("zl-1", reply)
        assert not result.ok and result.transient and fake.calls == []
        # A member waiting for an answer gets the text and the note at once instead.
        app = App(zalo_settings(fake), demo, core)
        assert (await build_sender(app, client, photo_url_for=hook).send("zl-1", reply)).ok
    note = texts.ZALO_FILE_UNAVAILABLE.format(name="c.png")
    assert fake.sent("zl-1") == [f"Biểu đồ\n\n{note}"] and count_files(demo) == 0


async def test_publishing_purges_expired_files_at_most_hourly(
    demo: Database, clock: FakeClock
) -> None:
    hook = PublicUrls(demo, BASE, TTL, clock=clock)
    await hook(OutFile("a.png", RED, "photo"))  # the process's first purge: nothing expired
    clock.advance(days=7, minutes=-10)
    await hook(OutFile("b.png", BLUE, "photo"))  # a purge again (days later): RED still live
    clock.advance(minutes=20)  # RED expired ten minutes ago
    await hook(OutFile("c.png", tiny_png((1, 2, 3)), "photo"))  # purged 20 min ago: not now
    assert count_files(demo) == 3
    clock.advance(hours=1)
    await hook(OutFile("d.png", tiny_png((4, 5, 6)), "photo"))
    assert count_files(demo) == 3  # RED purged, D added
    with demo.session() as session:
        assert session.exec(select(PublicFile).where(PublicFile.name == "a.png")).first() is None


async def test_sotay_run_serves_the_files_itself_until_stopped(
    db: Database, clock: FakeClock
) -> None:
    """Polling has no web server of its own: `sotay run` serves /files on FILES_PORT, so a
    cell can run charts on Zalo with one process; a taken port is an error, not a hang."""
    # serve_files reads the real clock, so the file is published on it too (not the fake one).
    token = publish(db, RED, utcnow)
    port, stop = free_port(), asyncio.Event()
    server = asyncio.create_task(serve_files(db, "127.0.0.1", port, stop))
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
        assert (await get_when_listening(http, "/healthz")).status_code == 200
        served = await http.get(f"/files/{token}")
        assert served.status_code == 200 and served.content == RED
        assert (await http.get("/files/../../etc/passwd")).status_code == 404
        with pytest.raises(OSError):
            await serve_files(db, "127.0.0.1", port, asyncio.Event())  # the port is taken
    stop.set()
    await asyncio.wait_for(server, 10)
    assert server.exception() is None


async def test_a_private_file_link_lives_no_longer_than_the_file_asks(
    demo: Database, clock: FakeClock
) -> None:
    """A cell's fee book (`OutFile.link_ttl`, 12 hours) is gone from the web within a day,
    whatever PUBLIC_FILE_TTL_DAYS says; other files keep the setting."""
    from openpyxl import Workbook

    buffer = io.BytesIO()
    Workbook().save(buffer)
    hook = PublicUrls(demo, BASE, TTL, clock=clock)
    await hook(
        OutFile("so_dang_phi.xlsx", buffer.getvalue(), "document", link_ttl=timedelta(hours=12))
    )
    await hook(OutFile("chart.png", RED, "photo"))
    with demo.session() as session:
        expires = {f.name: f.expires_at for f in session.exec(select(PublicFile))}
    assert expires["so_dang_phi.xlsx"] == clock() + timedelta(hours=12)
    assert expires["chart.png"] == clock() + TTL
