"""Documents on Zalo: a .docx or a .pdf reaches a Zalo member as a link that downloads it.

Zalo's Bot API uploads nothing (photos go by URL with sendPhoto), so a document is published
under an unguessable, expiring token (`services.public_files`) and the member gets the text and
a line with `<PUBLIC_BASE_URL>/files/<token>`. Checked end to end, on SQLite and PostgreSQL:
the real core, the real `ZaloClient` against the fake Bot API (tests/fake_zalo.py), the real
delivery worker for outbox rows, and the real `/files` route under uvicorn
(`tests.support.serving`). The link gives back the exact bytes with the right Content-Type and
a Content-Disposition carrying a clean (Vietnamese) file name; it expires; a forged token and a
file of a type we do not serve are 404; without PUBLIC_BASE_URL the member is told in one
sentence where to get the file.
"""

from __future__ import annotations

import io
import re
import secrets
import zipfile
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote

import httpx
import pytest
from docx import Document
from sqlmodel import select

from bot.app import App
from bot.retry import RetryPolicy
from bot.web import PublicFiles, content_disposition, create_web_app, web_channels
from bot.zalo.adapter import build_sender, handle_update
from bot.zalo.client import ZaloClient
from bot.zalo.public_urls import public_url_hook
from bot.zalo.sender import ZaloSender
from bot.zalo.updates import updates_from_body
from handlers.core import Core
from handlers.messages import OutFile, Reply, Response
from models import Database, PublicFile, utcnow
from services import public_files, texts
from tests.fake_zalo import TOKEN, FakeZalo, running_fake_zalo, text_update
from tests.meetings.test_minutes import recorded_meeting
from tests.support import FakeClock, serving
from tests.test_delivery_support import drain_as_run, enqueue_to, link_members, rows
from tests.test_public_files import RED, count_files, link_zalo_member, xlsx_bytes
from tests.test_zalo_polling import zalo_settings

BASE = "https://files.sotay.test"
SECRET = "zalo-webhook-secret_0123456789abcdef"
SECRETARY_CHAT = "zl-secretary"
MINUTES_NAME = "bien-ban-sinh-hoat-2026-12-19-1400.docx"
READING_NAME = "Tài liệu học tập Nghị quyết Đại hội.pdf"
_URL = re.compile(r"https://files\.sotay\.test/files/[A-Za-z0-9_-]+")


def pdf_bytes(title: str = "Tai lieu") -> bytes:
    """A small, well-formed one-page PDF (what a reading or a receipt would be)."""
    body = (
        "1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        "2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        f"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]/Title({title})>>endobj\n"
        "trailer<</Root 1 0 R>>\n%%EOF\n"
    )
    return b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + body.encode()


def docx_bytes(text: str = "Biên bản sinh hoạt chi bộ") -> bytes:
    """A real Word document, as python-docx writes the minutes."""
    document = Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def zip_bytes(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def links(fake: FakeZalo, chat: str) -> list[str]:
    """Every file link the member was sent, oldest first."""
    return [url for text in fake.sent(chat) for url in _URL.findall(text)]


def local(url: str, served: str) -> str:
    """The public URL as the test reaches it: the same path on the uvicorn under test."""
    assert url.startswith(f"{BASE}/files/"), url
    return served + url.removeprefix(BASE)


def disposition_name(header: str) -> str:
    """The RFC 5987 `filename*` of a Content-Disposition, decoded."""
    encoded = header.split("filename*=UTF-8''", 1)[1]
    return unquote(encoded, encoding="utf-8", errors="strict")


@pytest.fixture
async def fake() -> AsyncIterator[FakeZalo]:
    async with running_fake_zalo() as server:
        yield server


# -- which files, under which names ----------------------------------------------------------
def test_the_type_is_read_from_the_bytes_and_only_allowed_types_pass() -> None:
    docx, pdf, xlsx = docx_bytes(), pdf_bytes(), xlsx_bytes()
    assert public_files.content_type_of(docx, "x.pdf") == public_files.DOCX  # the name is no proof
    assert public_files.content_type_of(pdf) == public_files.PDF
    assert public_files.content_type_of(xlsx) == public_files.XLSX
    assert public_files.content_type_of(RED) == public_files.PNG
    manifest = zipfile.ZipFile(io.BytesIO(docx)).read("[Content_Types].xml")
    macro = manifest.replace(b"wordprocessingml.document.main", b"ms-word.document.macroEnabled")
    refused = {
        "a page named .pdf": b"<html><script>alert(1)</script></html>",
        "a zip of anything named .docx": zip_bytes({"evil.html": b"<script></script>"}),
        "a macro-enabled Word file": zip_bytes({"[Content_Types].xml": macro}),
        "a truncated Word file": docx[: len(docx) // 2],
        "a manifest too large to read": zip_bytes(
            {"[Content_Types].xml": manifest + b" " * (300 * 1024)}
        ),
        "a PDF signature not at the start": b"junk" + pdf,
        "an SVG": b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
    }
    for why, data in refused.items():
        assert public_files.content_type_of(data, "bao_cao.docx") is None, why


def test_the_download_name_is_clean_and_ends_as_its_bytes_say() -> None:
    name = public_files.download_name
    assert name("Biên bản họp chi bộ.docx", public_files.DOCX) == "Biên bản họp chi bộ.docx"
    assert name("../../etc/passwd", public_files.PDF) == "passwd.pdf"
    assert name("C:\\Users\\bi thu\\hoa_don.pdf", public_files.PDF) == "hoa_don.pdf"
    assert name("bao_cao.docx", public_files.PDF) == "bao_cao.pdf"  # the bytes win
    assert name("Biên lai 11.2026", public_files.PDF) == "Biên lai 11.2026.pdf"
    assert name("hoa_don\u202efdp.exe", public_files.PDF) == "hoa_donfdp.exe.pdf"  # no RTL trick
    assert name('a"b\r\nc.xlsx', public_files.XLSX) == "abc.xlsx"
    assert name("", public_files.PDF) == "tệp.pdf"
    assert name("ảnh.JPEG", public_files.JPEG) == "ảnh.JPEG"
    assert public_files.ascii_name("Biên bản Đảng ủy (lần 2).docx") == "Bien_ban_Dang_uy_lan_2.docx"
    assert public_files.ascii_name("Đơn.pdf") == "Don.pdf"
    assert public_files.ascii_name("文件.pdf") == "tep.pdf"

    header = content_disposition(READING_NAME, public_files.PDF)
    assert header.startswith('attachment; filename="Tai_lieu_hoc_tap_Nghi_quyet_Dai_hoi.pdf"; ')
    assert disposition_name(header) == READING_NAME
    assert header.isascii() and "\r" not in header and "\n" not in header
    assert content_disposition("bieu_do.png", public_files.PNG).startswith("inline; ")


# -- a member's own request: the minutes, and a reading ------------------------------------------
async def _ask_minutes(app: App, sender: ZaloSender) -> Response:
    """The secretary on Zalo opens the meeting's menu and asks for the minutes (entry 10)."""
    (menu,) = updates_from_body(text_update(SECRETARY_CHAT, "/hop_quanly"))
    await handle_update(app, sender, menu)
    (minutes,) = updates_from_body(text_update(SECRETARY_CHAT, "10"))
    answer = await handle_update(app, sender, minutes)
    assert answer is not None
    return answer


async def test_the_minutes_and_a_pdf_reach_a_zalo_member_as_links_that_download_them(
    demo: Database, core: Core, fake: FakeZalo, clock: FakeClock
) -> None:
    with demo.session() as session:
        recorded_meeting(session, clock)
    link_zalo_member(demo, "DV001", SECRETARY_CHAT, clock)
    app = App(zalo_settings(fake, public_base_url=BASE), demo, core)
    reading = pdf_bytes("Nghi quyet")
    async with ZaloClient(TOKEN, fake.url, policy=RetryPolicy(attempts=1)) as client:
        # The sender `sotay run` builds, publishing on the test's clock (as the route reads it).
        hook = public_url_hook(app.settings, demo, clock=clock)
        sender = build_sender(app, client, photo_url_for=hook)
        answer = await _ask_minutes(app, sender)
        reply = Reply("Tài liệu học tập tháng 12.", (), OutFile(READING_NAME, reading))
        assert (await sender.send(SECRETARY_CHAT, reply)).ok
    made = answer.replies[0].file
    assert made is not None and made.name == MINUTES_NAME
    assert fake.calls_to("sendPhoto") == []  # documents go as links, never as photos
    minutes_url, reading_url = links(fake, SECRETARY_CHAT)
    sent = fake.sent(SECRETARY_CHAT)
    with_link = next(text for text in sent if minutes_url in text)
    assert with_link.startswith(answer.replies[0].text + "\n\n")
    assert with_link.endswith(texts.ZALO_FILE_LINK.format(name=MINUTES_NAME, url=minutes_url))
    assert sent[-1] == "Tài liệu học tập tháng 12.\n\n" + texts.ZALO_FILE_LINK.format(
        name=READING_NAME, url=reading_url
    )

    async with (
        serving(create_web_app([PublicFiles(demo, clock=clock)])) as served,
        httpx.AsyncClient() as http,
    ):
        docx = await http.get(local(minutes_url, served))
        pdf = await http.get(local(reading_url, served))
        assert docx.status_code == 200 and docx.content == made.data  # the exact bytes
        assert docx.headers["content-type"] == public_files.DOCX
        assert docx.headers["content-disposition"] == (
            f"attachment; filename=\"{MINUTES_NAME}\"; filename*=UTF-8''{MINUTES_NAME}"
        )
        assert pdf.status_code == 200 and pdf.content == reading
        assert pdf.headers["content-type"] == public_files.PDF
        assert pdf.headers["content-disposition"].startswith("attachment; filename=")
        assert disposition_name(pdf.headers["content-disposition"]) == READING_NAME
        for response in (docx, pdf):
            assert response.headers["x-content-type-options"] == "nosniff"
            assert response.headers["content-security-policy"] == "default-src 'none'; sandbox"
            assert response.headers["cache-control"] == f"private, max-age={7 * 86400}"
        Document(io.BytesIO(docx.content))  # it opens as the Word file it is

        clock.advance(days=7)  # the links expire: the same 404 as a token never issued
        for url in (minutes_url, reading_url):
            expired = await http.get(local(url, served))
            assert expired.status_code == 404 and expired.text == "Not Found"


async def test_without_a_public_base_url_the_member_is_told_where_to_get_the_file(
    demo: Database, core: Core, fake: FakeZalo, clock: FakeClock
) -> None:
    with demo.session() as session:
        recorded_meeting(session, clock)
    link_zalo_member(demo, "DV001", SECRETARY_CHAT, clock)
    app = App(zalo_settings(fake), demo, core)
    async with ZaloClient(TOKEN, fake.url, policy=RetryPolicy(attempts=1)) as client:
        answer = await _ask_minutes(app, build_sender(app, client))
    note = texts.ZALO_FILE_UNAVAILABLE.format(name=MINUTES_NAME)
    assert f"{answer.replies[0].text}\n\n{note}" in fake.sent(SECRETARY_CHAT)
    assert links(fake, SECRETARY_CHAT) == [] and count_files(demo) == 0
    # One plain sentence saying where to get the file: nothing is dropped silently.
    sentence = texts.ZALO_FILE_UNAVAILABLE
    assert sentence.count(".") == 1 and sentence.endswith(".") and "Telegram" in sentence


# -- the outbox: a directive with a document, through the delivery worker ------------------------
async def test_outbox_documents_reach_zalo_as_links_and_expire(
    demo: Database, core: Core, fake: FakeZalo, clock: FakeClock, tmp_path: Path
) -> None:
    exports = tmp_path / "exports"
    (exports / "docs").mkdir(parents=True)
    docx, pdf = docx_bytes("Kế hoạch công tác năm 2027"), pdf_bytes("Ke hoach")
    (exports / "docs" / "ke_hoach.docx").write_bytes(docx)
    (exports / "docs" / "ke_hoach.pdf").write_bytes(pdf)
    settings = zalo_settings(
        fake, public_base_url=BASE, exports_dir=str(exports), zalo_webhook_secret=SECRET
    )
    app = App(settings, demo, core)
    chats = ["zl-doc-1", "zl-doc-2"]
    members = link_members(demo, chats, channel="zalo", now=clock())
    for ref, key in (("docs/ke_hoach.docx", "plan:docx"), ("docs/ke_hoach.pdf", "plan:pdf")):
        enqueue_to(demo, members, key=key, now=clock(), text="Kế hoạch năm 2027", file_ref=ref)
    stats = await drain_as_run(app, "zalo", clock)
    assert stats.failed_final == stats.rejected == 0
    assert all(row.status == "sent" for row in rows(demo))
    assert fake.calls_to("sendPhoto") == []
    per_chat = [links(fake, chat) for chat in chats]
    assert per_chat[0] == per_chat[1] and len(per_chat[0]) == 2  # one file, one URL for all
    docx_url, pdf_url = per_chat[0]
    assert count_files(demo) == 2
    assert fake.sent(chats[0])[0] == "Kế hoạch năm 2027\n\n" + texts.ZALO_FILE_LINK.format(
        name="ke_hoach.docx", url=docx_url
    )

    # What `sotay serve` mounts, under a real uvicorn; the worker published on the real clock.
    channels = web_channels(settings, app, background=False)
    async with serving(create_web_app(channels)) as served, httpx.AsyncClient() as http:
        for url, data, content_type, name in (
            (docx_url, docx, public_files.DOCX, "ke_hoach.docx"),
            (pdf_url, pdf, public_files.PDF, "ke_hoach.pdf"),
        ):
            got = await http.get(local(url, served))
            assert got.status_code == 200 and got.content == data
            assert got.headers["content-type"] == content_type
            assert got.headers["content-disposition"] == (
                f"attachment; filename=\"{name}\"; filename*=UTF-8''{name}"
            )
        real = docx_url[-32:]
        forged = [secrets.token_urlsafe(24), real[:-1] + ("A" if real[-1] != "A" else "B")]
        for token in forged:
            assert (await http.get(f"{served}/files/{token}")).status_code == 404
    later = create_web_app([PublicFiles(demo, clock=lambda: utcnow() + timedelta(days=8))])
    async with serving(later) as served, httpx.AsyncClient() as http:
        for url in (docx_url, pdf_url):
            assert (await http.get(local(url, served))).status_code == 404


async def test_outbox_documents_without_a_public_base_url_become_the_sentence(
    demo: Database, core: Core, fake: FakeZalo, clock: FakeClock, tmp_path: Path
) -> None:
    (tmp_path / "bien_ban.docx").write_bytes(docx_bytes())
    app = App(zalo_settings(fake, exports_dir=str(tmp_path)), demo, core)
    members = link_members(demo, ["zl-nourl"], channel="zalo", now=clock())
    enqueue_to(
        demo, members, key="minutes:nourl", now=clock(), text="Biên bản", file_ref="bien_ban.docx"
    )
    stats = await drain_as_run(app, "zalo", clock)
    assert stats.failed_final == 0
    note = texts.ZALO_FILE_UNAVAILABLE.format(name="bien_ban.docx")
    assert fake.sent("zl-nourl") == [f"Biên bản\n\n{note}"]
    assert count_files(demo) == 0 and [row.status for row in rows(demo)] == ["sent"]


# -- refusals ------------------------------------------------------------------------------------
async def test_a_disallowed_type_is_neither_published_nor_served(
    demo: Database, core: Core, fake: FakeZalo, clock: FakeClock
) -> None:
    page = b"<html><script>alert(document.cookie)</script></html>"
    with demo.session() as session:
        for content_type in ("text/html", public_files.PDF, public_files.DOCX):
            with pytest.raises(ValueError):
                public_files.publish(
                    session, "bao_cao.pdf", page, content_type, now=clock(), ttl=timedelta(days=7)
                )
    # Through the Zalo sender: no link, the sentence instead.
    app = App(zalo_settings(fake, public_base_url=BASE), demo, core)
    async with ZaloClient(TOKEN, fake.url, policy=RetryPolicy(attempts=1)) as client:
        sender = build_sender(app, client)
        assert (await sender.send("zl-1", Reply("Báo cáo", (), OutFile("bao_cao.pdf", page)))).ok
    note = texts.ZALO_FILE_UNAVAILABLE.format(name="bao_cao.pdf")
    assert fake.sent("zl-1") == [f"Báo cáo\n\n{note}"] and count_files(demo) == 0

    # Rows that say what their bytes are not (written by hand, or by an older version): 404.
    tokens = [secrets.token_urlsafe(24) for _ in range(3)]
    with demo.session() as session:
        for token, content_type, data in zip(
            tokens,
            ("text/html", public_files.PDF, public_files.DOCX),
            (page, page, zip_bytes({"a.txt": b"x"})),
            strict=True,
        ):
            session.add(
                PublicFile(
                    token=token,
                    sha256=secrets.token_hex(32),
                    name="x",
                    content_type=content_type,
                    data=data,
                    created_at=clock(),
                    expires_at=clock() + timedelta(days=7),
                )
            )
    async with (
        serving(create_web_app([PublicFiles(demo, clock=clock)])) as served,
        httpx.AsyncClient() as http,
    ):
        for token in tokens:
            refused = await http.get(f"{served}/files/{token}")
            assert refused.status_code == 404 and refused.text == "Not Found"
    with demo.session() as session:
        assert len(session.exec(select(PublicFile.token)).all()) == 3  # there, and never served
