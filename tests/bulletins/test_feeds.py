"""Feeds, polled against a local HTTP server (never the internet), on SQLite and PostgreSQL:
RSS and Atom items become bulletins for the feed's unit (listed, not pushed, HTML reduced to
text, unsafe links dropped), seen items are not listed twice, and every kind of bad feed
(broken XML, HTML, HTTP 500 and 404, a 50 MB body, a timeout, a redirect to file://) is
logged, counted and retried with backoff while the other feeds are still polled."""

from __future__ import annotations

import logging
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import col, select

import migrations
from bot.features import jobs as app_jobs
from models import Bulletin, BulletinFeed, Database, Delivery
from scheduler.bulletins import FeedPollJob
from scheduler.claims import TickReport
from scheduler.jobs import tick
from services.bulletins import feeds, posting
from services.bulletins import texts as bulletin_texts
from services.bulletins.fetch import fetch
from services.bulletins.rules import BulletinRules
from services.demo import seed_demo
from services.errors import Forbidden, UserError
from tests.bulletins.conftest import OUTSIDER, Chat, FeedServer, actor, base_id, top_id
from tests.support import FakeClock, child_env

# The feed server is on 127.0.0.1, which real rules refuse (a private address).
LOCAL = ("127.0.0.1",)
RULES = BulletinRules(fetch_timeout=0.3, private_hosts=LOCAL)


def poll(db: Database, clock: FakeClock, rules: BulletinRules = RULES) -> TickReport:
    return tick(db, clock(), jobs=[FeedPollJob(rules)])


def add(db: Database, clock: FakeClock, url: str, *, top: bool = False) -> int:
    with db.session() as session:
        unit_id = top_id(session) if top else base_id(session)
        unit = session.get(feeds.Unit, unit_id)
        assert unit is not None
        feed = feeds.add_feed(session, None, unit, url, now=clock())
        assert feed.id is not None
        return feed.id


def feed_bulletins(db: Database, feed_id: int) -> list[Bulletin]:
    with db.session() as session:
        return list(
            session.exec(
                select(Bulletin).where(Bulletin.feed_id == feed_id).order_by(col(Bulletin.id))
            )
        )


def feed_row(db: Database, feed_id: int) -> BulletinFeed:
    with db.session() as session:
        feed = session.get(BulletinFeed, feed_id)
        assert feed is not None
        return feed


def test_the_app_polls_feeds_with_its_slow_work() -> None:
    [job] = [j for j in app_jobs() if j.name == "bulletin_feeds"]
    assert job.group == "weekly"


def test_rss_and_atom_items_are_listed_for_the_unit_not_pushed(
    org: Database, clock: FakeClock, feed_server: FeedServer, chat_as: Chat
) -> None:
    rss = add(org, clock, feed_server.url("/rss"))
    atom = add(org, clock, feed_server.url("/atom"), top=True)
    report = poll(org, clock)
    assert report["bulletin_feeds"].sent == 2 and report["bulletin_feeds"].failed == 0

    items = feed_bulletins(org, rss)
    assert [b.guid for b in items] == ["tin-2", "tin-1"]  # same date: as listed
    first = items[-1]
    assert first.title == "Tin số 1: hướng dẫn học tập nghị quyết"
    assert first.text == "Đoạn một của tin 1.\nĐoạn hai."  # no tags, no script
    assert first.link == "https://baoquangninh.example.vn/tin-1"
    assert first.source == "Nguồn: Báo Quảng Ninh"
    assert feed_row(org, rss).title == "Báo Quảng Ninh"

    entries = {b.guid: b for b in feed_bulletins(org, atom)}
    assert entries["urn:uuid:entry-1"].text == "Hội nghị thống nhất chương trình công tác."
    assert entries["urn:uuid:entry-2"].link is None  # javascript: is never a link
    with org.session() as session:
        assert session.exec(select(Delivery)).first() is None  # listed, never pushed

    member = chat_as("DV003")
    member.send("/bantin")
    assert bulletin_texts.LIST_HEAD.format(count=4) in member.text
    member.press("Hội nghị Ban Chấp hành")
    assert "Cổng thông tin Đảng bộ tỉnh" in member.text
    assert "https://dangbo.example.vn/hoi-nghi-5" in member.text


def test_seen_items_are_not_listed_again(
    org: Database, clock: FakeClock, feed_server: FeedServer
) -> None:
    rss = add(org, clock, feed_server.url("/rss"))
    poll(org, clock)
    assert poll(org, clock).total.due == 0  # not due again before `poll_every`
    assert feed_server.hits["/rss"] == 1
    feed_server.rss_items.append(3)
    clock.advance(hours=1)
    poll(org, clock)
    assert [b.guid for b in feed_bulletins(org, rss)] == ["tin-2", "tin-1", "tin-3"]
    clock.advance(hours=1)
    poll(org, clock)
    assert len(feed_bulletins(org, rss)) == 3
    assert feed_row(org, rss).failures == 0


BAD = {
    "/broken": bulletin_texts.FEED_FAIL_BROKEN,
    "/html": bulletin_texts.FEED_FAIL_BROKEN,
    "/error": bulletin_texts.FEED_FAIL_HTTP.format(status=500),
    "/nowhere": bulletin_texts.FEED_FAIL_HTTP.format(status=404),
    "/huge": bulletin_texts.FEED_FAIL_TOO_BIG.format(limit=2048),
    "/huge-declared": bulletin_texts.FEED_FAIL_TOO_BIG.format(limit=2048),
    "/slow": bulletin_texts.FEED_FAIL_TIMEOUT,
    "/to-file": bulletin_texts.FEED_BAD_URL,  # the redirect is checked as the address is
}


def test_bad_feeds_are_logged_and_retried_with_backoff_and_the_good_one_still_polled(
    org: Database,
    clock: FakeClock,
    feed_server: FeedServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    bad = {path: add(org, clock, feed_server.url(path)) for path in BAD}
    good = add(org, clock, feed_server.url("/rss"))
    rules = BulletinRules(fetch_timeout=0.3, feeds_per_tick=20, private_hosts=LOCAL)
    with caplog.at_level(logging.WARNING):
        report = poll(org, clock, rules)["bulletin_feeds"]
    assert report.failed == 0 and report.sent == 1 and report.skipped == len(BAD)
    assert len(feed_bulletins(org, good)) == 2
    started = clock()
    for path, feed_id in bad.items():
        row = feed_row(org, feed_id)
        assert (row.failures, row.last_error) == (1, BAD[path]), path
        assert row.next_poll_at == started + timedelta(minutes=15)
        assert feed_bulletins(org, feed_id) == []
    assert sum("bulletin feed" in r.getMessage() for r in caplog.records) == len(BAD)
    assert not any(feed_server.base in r.getMessage() for r in caplog.records)

    clock.advance(minutes=14)
    assert poll(org, clock, rules).total.due == 0  # waiting
    clock.advance(minutes=1)
    poll(org, clock, rules)
    for feed_id in bad.values():
        row = feed_row(org, feed_id)
        assert row.failures == 2
        assert row.next_poll_at == clock() + timedelta(minutes=30)


def test_a_feed_that_recovers_is_polled_normally(
    org: Database, clock: FakeClock, feed_server: FeedServer
) -> None:
    feed_id = add(org, clock, feed_server.url("/error"))
    poll(org, clock)
    with org.session() as session:
        row = session.get(BulletinFeed, feed_id)
        assert row is not None
        row.url = feed_server.url("/rss")
        session.add(row)
    clock.advance(minutes=15)
    poll(org, clock)
    row = feed_row(org, feed_id)
    assert (row.failures, row.last_error, row.last_ok_at) == (0, None, clock())
    assert row.next_poll_at == clock() + timedelta(hours=1)
    assert len(feed_bulletins(org, feed_id)) == 2


def test_a_paused_feed_is_not_polled(
    org: Database, clock: FakeClock, feed_server: FeedServer
) -> None:
    feed_id = add(org, clock, feed_server.url("/rss"))
    with org.session() as session:
        feeds.set_active(session, feed_id, False, now=clock())
    assert poll(org, clock).total.due == 0
    assert feed_server.hits == {}
    with org.session() as session, pytest.raises(UserError) as missing:
        feeds.set_active(session, 999, True, now=clock())
    assert missing.value.message == bulletin_texts.FEED_NOT_FOUND.format(id=999)


def test_only_web_addresses_and_only_admins_in_the_chat(org: Database, clock: FakeClock) -> None:
    with org.session() as session:
        unit = session.get(feeds.Unit, base_id(session))
        assert unit is not None
        for url in ("file:///etc/passwd", "ftp://x.vn/rss", "http://", "https://u:p@x.vn/rss"):
            with pytest.raises(UserError) as refused:
                feeds.add_feed(session, None, unit, url, now=clock())
            assert refused.value.message == bulletin_texts.FEED_BAD_URL
        with pytest.raises(Forbidden):
            feeds.add_feed(session, actor(session, "DV016"), unit, "https://x.vn/rss", now=clock())
        feeds.add_feed(session, None, unit, "https://x.vn/rss", now=clock())
        with pytest.raises(UserError) as twice:
            feeds.add_feed(session, None, unit, "https://x.vn/rss", now=clock())
        assert "đã có" in twice.value.message


def test_fetch_never_raises_on_a_refused_connection_or_a_bad_address() -> None:
    from tests.support import free_port

    assert fetch(f"http://127.0.0.1:{free_port()}/rss", RULES).error == (
        bulletin_texts.FEED_FAIL_CONNECT
    )
    assert fetch("file:///etc/passwd", RULES).error == bulletin_texts.FEED_BAD_URL


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",  # a cloud's metadata service
        "http://10.0.0.7/rss",
        "http://[::1]/rss",
        "http://[::ffff:127.0.0.1]/rss",
        "http://0.0.0.0/rss",
        "http://localhost/rss",  # a name that resolves inside
    ],
)
def test_addresses_inside_the_network_are_never_fetched(url: str) -> None:
    assert fetch(url).error == bulletin_texts.FEED_FAIL_PRIVATE


def test_a_redirect_into_the_network_is_refused_before_it_is_followed(
    feed_server: FeedServer,
) -> None:
    """Only the first host is trusted: its redirect to another inside address is not read."""
    port = feed_server.base.rsplit(":", 1)[1]
    target = f"http://127.0.0.2:{port}/rss"
    redirect = feed_server.url("/redirect?to=" + target)
    assert fetch(redirect, RULES).error == bulletin_texts.FEED_FAIL_PRIVATE
    assert feed_server.hits.get("/rss", 0) == 0
    # The same hop to the trusted host is followed.
    assert fetch(feed_server.url("/redirect?to=" + feed_server.url("/rss")), RULES).ok
    assert feed_server.hits["/rss"] == 1
    # And real rules refuse the first address already.
    assert fetch(redirect).error == bulletin_texts.FEED_FAIL_PRIVATE


def test_parsing_cleans_entries_and_falls_back_for_their_keys() -> None:
    body = """<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
    <item><title>&lt;b&gt;Tin&lt;/b&gt; không có id</title>
    <description>&lt;p&gt;A&lt;/p&gt;&lt;style&gt;p{}&lt;/style&gt;</description></item>
    <item><link>https://x.vn/only-link</link><description>Chi co nội dung</description></item>
    <item><description></description></item>
    </channel></rss>"""
    parsed = feeds.parse(body.encode())
    assert parsed.ok
    first, second = parsed.entries  # the empty item is skipped
    assert first.title == "Tin không có id" and first.text == "A"
    assert first.guid.startswith("title:")
    assert (second.guid, second.title) == ("https://x.vn/only-link", "Chi co nội dung")
    assert feeds.parse(b"\x00\xff garbage").error == bulletin_texts.FEED_FAIL_BROKEN
    assert feeds.plain_text("<p>Một&nbsp;<i>hai</i></p><script>x()</script>") == "Một hai"


def test_backoff_grows_and_is_capped() -> None:
    rules = BulletinRules()
    assert [rules.backoff(n) for n in (1, 2, 3)] == [
        timedelta(minutes=15),
        timedelta(minutes=30),
        timedelta(hours=1),
    ]
    assert rules.backoff(12) == rules.backoff(500) == timedelta(hours=24)


def test_the_command_line_adds_and_lists_feeds(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    migrations.upgrade(url)
    db = Database(url)
    with db.session() as session:
        seed_demo(session, now=FakeClock()())
    db.dispose()
    env = child_env(DATABASE_URL=url, LOG_LEVEL="WARNING")

    def sotay(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot", *args],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )

    added = sotay(
        "bantin-nguon", "them", "dang uy khoi cac co quan tinh", "https://bao.example.vn/rss"
    )
    assert added.returncode == 0, added.stderr
    assert "Đã thêm nguồn tin #1 cho Đảng ủy Khối các cơ quan tỉnh" in added.stdout
    db = Database(url)  # what `sotay bantin-nguon ds` prints for it
    with db.session() as session:
        [feed] = feeds.all_feeds(session)
        line = feeds.describe(session, feed)
    db.dispose()
    assert line == "#1 · đang lấy · Đảng ủy Khối các cơ quan tỉnh · https://bao.example.vn/rss"


def test_a_committee_pushes_one_feed_item_once_and_another_committee_cannot(
    org: Database, clock: FakeClock, feed_server: FeedServer
) -> None:
    rss = add(org, clock, feed_server.url("/rss"))
    poll(org, clock)
    item = feed_bulletins(org, rss)[-1]
    assert item.id is not None
    with org.session() as session, pytest.raises(Forbidden) as refused:
        posting.push(session, actor(session, OUTSIDER), item.id, now=clock())
    assert refused.value.message == bulletin_texts.PUSH_FORBIDDEN
    with org.session() as session:
        reach = posting.push(session, actor(session, "DV016"), item.id, now=clock())
    assert reach.total == 15  # every member under the base organisation but the pusher
    with org.session() as session:
        with pytest.raises(UserError) as again:
            posting.push(session, actor(session, "DV016"), item.id, now=clock())
        assert again.value.message == bulletin_texts.ALREADY_PUSHED
        withdrawn = posting.withdraw(session, actor(session, "DV016"), item.id, now=clock())
        assert withdrawn.withdrawn_at == clock()
    with org.session() as session:
        rows = session.exec(select(Delivery).where(Delivery.ref_id == item.id)).all()
        assert rows == []  # nobody in the demo is linked: counted, not sent
