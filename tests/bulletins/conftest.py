"""The bulletins' fixtures: the demo organisation with a second base organisation (its own
committee member, DV017, outside the demo committee's subtree), and a local HTTP server that
serves feeds good and bad (never the internet)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

import pytest
from sqlmodel import Session

from models import Database, Member, MemberStatus, Unit
from services.auth import Actor, load_actor
from services.demo import BASE, CELL_OFFICE, TOP
from services.identities import find_member
from services.orgwrite import MemberValues, ensure_unit_path, set_committee_units, upsert_member
from tests.support import ChatDriver

Chat = Callable[[str], ChatDriver]

OTHER_BASE = "Đảng bộ Sở Y tế"
OTHER_CELL = "Chi bộ Văn phòng Sở Y tế"
OUTSIDER = "DV017"  # committee of the other base organisation
OUTSIDER_MEMBER = "DV018"  # a member of the other base's cell


@pytest.fixture
def org(demo: Database, clock) -> Database:
    """The demo, plus a second base organisation with a committee member and a member."""
    with demo.session() as session:
        base, _ = ensure_unit_path(session, [TOP, OTHER_BASE], leaf_is_cell=False, now=clock())
        cell, _ = ensure_unit_path(
            session, [TOP, OTHER_BASE, OTHER_CELL], leaf_is_cell=True, now=clock()
        )
        assert base.id is not None and cell.id is not None
        for code, name in ((OUTSIDER, "Tạ Văn Tâm"), (OUTSIDER_MEMBER, "Kiều Thị Uyên")):
            member, _ = upsert_member(
                session,
                MemberValues(
                    code=code,
                    full_name=name,
                    status=MemberStatus("chinh_thuc"),
                    cell_id=cell.id,
                    joined_on=date(2010, 1, 1),
                    phone=f"09{int(code[2:]):08d}",
                ),
                now=clock(),
            )
            if code == OUTSIDER:
                set_committee_units(session, member, {base.id})
    return demo


def actor(session: Session, code: str) -> Actor:
    member = find_member(session, code)
    assert member is not None
    return load_actor(session, member)


def unit_id(session: Session, *names: str) -> int:
    from services.org import find_unit_by_path, join_path

    unit = find_unit_by_path(session, join_path(list(names)))
    assert unit is not None and unit.id is not None
    return unit.id


def base_id(session: Session) -> int:
    return unit_id(session, TOP, BASE)


def top_id(session: Session) -> int:
    return unit_id(session, TOP)


def office_id(session: Session) -> int:
    return unit_id(session, TOP, BASE, CELL_OFFICE)


def other_base_id(session: Session) -> int:
    return unit_id(session, TOP, OTHER_BASE)


def member_id(session: Session, code: str) -> int:
    member = find_member(session, code)
    assert member is not None and member.id is not None
    return member.id


__all__ = ["Member", "Unit"]


# --- a local feed server -----------------------------------------------------------------------


RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Báo Quảng Ninh</title><link>http://example.vn/</link>
<description>Tin tức</description>
{items}
</channel></rss>"""

RSS_ITEM = """<item><title>{title}</title><link>{link}</link><guid>{guid}</guid>
<pubDate>Mon, 23 Nov 2026 08:00:00 +0700</pubDate>
<description><![CDATA[{html}]]></description></item>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Cổng thông tin Đảng bộ tỉnh</title>
<id>urn:uuid:feed</id><updated>2026-11-24T01:00:00Z</updated>
<entry><title>Hội nghị Ban Chấp hành Đảng bộ tỉnh lần thứ 5</title>
<id>urn:uuid:entry-1</id><updated>2026-11-24T01:00:00Z</updated>
<link href="https://dangbo.example.vn/hoi-nghi-5"/>
<summary type="html">&lt;p&gt;Hội nghị &lt;b&gt;thống nhất&lt;/b&gt;
chương trình công tác.&lt;/p&gt;</summary>
</entry>
<entry><title>Không có đường dẫn an toàn</title>
<id>urn:uuid:entry-2</id><updated>2026-11-23T01:00:00Z</updated>
<link href="javascript:alert(1)"/>
<summary>Nội dung thứ hai</summary>
</entry>
</feed>"""


def rss_item(n: int) -> str:
    return RSS_ITEM.format(
        title=f"Tin số {n}: hướng dẫn học tập nghị quyết",
        link=f"https://baoquangninh.example.vn/tin-{n}",
        guid=f"tin-{n}",
        html=f"<p>Đoạn <b>một</b> của tin {n}.</p><script>alert('x')</script><p>Đoạn hai.</p>",
    )


@dataclass
class FeedServer:
    """What each path answers; `rss_items` grows when a test adds news."""

    base: str = ""
    rss_items: list[int] = field(default_factory=lambda: [1, 2])
    hits: dict[str, int] = field(default_factory=dict)
    release: threading.Event = field(default_factory=threading.Event)

    def url(self, path: str) -> str:
        return f"{self.base}{path}"


def _handler(state: FeedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            return

        def _send(self, status: int, body: bytes, ctype: str = "application/rss+xml") -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            path = self.path
            state.hits[path] = state.hits.get(path, 0) + 1
            if path.startswith("/redirect?to="):
                self.send_response(302)
                self.send_header("Location", unquote(path.split("=", 1)[1]))
                self.end_headers()
            elif path == "/rss":
                items = "\n".join(rss_item(n) for n in state.rss_items)
                self._send(200, RSS.format(items=items).encode())
            elif path == "/atom":
                self._send(200, ATOM.encode(), "application/atom+xml")
            elif path == "/broken":
                self._send(200, b'<?xml version="1.0"?><rss version="2.0"><channel><tit')
            elif path == "/html":
                self._send(200, b"<html><body>Not a feed</body></html>", "text/html")
            elif path == "/error":
                self._send(500, b"Internal Server Error", "text/plain")
            elif path == "/huge":
                # 50 MB announced and streamed without a length: the reader stops at its cap.
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.end_headers()
                chunk = b"<rss>" + b"x" * (1024 * 1024)
                try:
                    for _ in range(50):
                        self.wfile.write(chunk)
                except (BrokenPipeError, ConnectionResetError):
                    return
            elif path == "/huge-declared":
                self.send_response(200)
                self.send_header("Content-Length", str(50 * 1024 * 1024))
                self.end_headers()
                try:
                    self.wfile.write(b"<rss>")
                except (BrokenPipeError, ConnectionResetError):
                    return
            elif path == "/slow":
                state.release.wait(10)  # answers only when the test ends: the reader times out
                try:
                    self._send(200, b"")
                except (BrokenPipeError, ConnectionResetError):
                    return
            elif path == "/to-file":
                self.send_response(302)
                self.send_header("Location", "file:///etc/passwd")
                self.end_headers()
            else:
                self._send(404, b"not found", "text/plain")

    return Handler


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    state = FeedServer()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.release.set()
        server.shutdown()
        server.server_close()
        thread.join(5)
