"""The `sotay` command line: run the bot, chat locally, seed a demo, import, issue invites."""

from __future__ import annotations

import logging
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from bot import loops
from bot.app import build_app, open_database
from bot.logging_setup import setup_logging
from bot.settings import Settings, SettingsError, invite_secret, load_settings
from models import Database, Member, utcnow
from services import texts
from services.errors import UserError

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Sổ tay đảng viên")
log = logging.getLogger(__name__)


def _settings() -> Settings:
    """Settings or exit 2 with the one line that names the bad setting.

    With a bot token (a deployment) INVITE_SECRET is checked here, so every command stops at
    once without it; otherwise it is resolved where codes are hashed (the core, `invite`)."""
    try:
        settings = load_settings()
        if settings.telegram_bot_token is not None or settings.zalo_bot_token is not None:
            invite_secret(settings)
    except SettingsError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from None
    setup_logging(settings.log_level_number, settings.secrets())
    return settings


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code)


@app.command()
def migrate() -> None:
    """Bring the database to the current schema."""
    open_database(_settings()).dispose()


@app.command()
def demo() -> None:
    """Create the demo organisation if the database holds no members."""
    db = open_database(_settings())
    typer.echo(_seed_demo(db))
    db.dispose()


MIN_INVITE_DAYS, MAX_INVITE_DAYS = 1, 90


def _seed_demo(db: Database) -> str:
    from bot.features import offers
    from services.demo import seed_demo
    from services.offers import DEMO_DATA

    with db.session() as session:
        result = seed_demo(session, now=utcnow(), extras=offers().of(DEMO_DATA))
    if result.created:
        return texts.CLI_DEMO_CREATED.format(members=result.members)
    return texts.CLI_DEMO_EXISTS.format(members=result.members)


def _default_chat_member(db: Database) -> str:
    """The demo's secretary; on a database with a real list (no DV001), say how to choose."""
    from sqlmodel import col, select

    from models import Member, Role, RoleAssignment
    from services.demo import SECRETARY_CODE
    from services.identities import find_member

    with db.session() as session:
        if find_member(session, SECRETARY_CODE) is not None:
            return SECRETARY_CODE
        # A secretary makes the best example: the whole month can be tried as one.
        example = (
            session.exec(
                select(Member.code)
                .join(RoleAssignment, col(RoleAssignment.member_id) == Member.id)
                .where(RoleAssignment.role == Role.SECRETARY)
                .order_by(Member.code)
            ).first()
            or session.exec(select(Member.code).order_by(Member.code)).first()
        )
    raise _fail(texts.CLI_CHOOSE_MEMBER.format(example=example or "MÃ"), 2)


@app.command()
def chat(
    member: Annotated[str, typer.Option("--as", help="Member code to chat as")],
) -> None:
    """Chat with the bot in this terminal as the given member (lines from standard input)."""
    from bot.terminal import run_chat

    bundle = build_app(_settings())
    try:
        run_chat(bundle.core, bundle.db, member)
    except UserError as error:
        raise _fail(error.message) from None
    finally:
        bundle.db.dispose()


@app.command()
def run(
    member: Annotated[
        str | None, typer.Option("--as", help="Local chat member (no token configured)")
    ] = None,
) -> None:
    """Start the configured channels; with no token, the demo and a local chat as its secretary."""
    settings = _settings()
    if settings.telegram_bot_token is None and settings.zalo_bot_token is None:
        from bot.terminal import run_chat

        bundle = build_app(settings)
        typer.echo(texts.CLI_NO_CHANNEL, err=True)
        typer.echo(_seed_demo(bundle.db), err=True)
        try:
            run_chat(bundle.core, bundle.db, member or _default_chat_member(bundle.db))
        except UserError as error:
            raise _fail(error.message) from None
        finally:
            bundle.db.dispose()
        return
    from bot.runner import ChannelFailed, run_channels

    try:
        run_channels(settings)
    except ChannelFailed as error:
        raise _fail(str(error)) from None


class WorkerChannel(StrEnum):
    """Channels a delivery worker can send on."""

    telegram = "telegram"
    zalo = "zalo"


@app.command()
def worker(
    channel: Annotated[
        WorkerChannel | None,
        typer.Option("--channel", help="Only this channel (default: every configured one)"),
    ] = None,
    concurrency: Annotated[
        int, typer.Option(min=1, max=1000, help="Messages in flight at once per channel")
    ] = 100,
) -> None:
    """Send the outbox: extra delivery workers beside `sotay run`, sharing each token's rate."""
    import asyncio
    import gc
    import signal

    from bot.delivery.service import WorkerOptions, configured_channels, serve_workers
    from bot.delivery.transports import TokenRejected

    settings = _settings()
    channels = configured_channels(settings)
    if not channels:
        raise _fail(texts.CLI_NO_CHANNEL, 2)
    if channel is not None:
        wanted = channel.value
        if wanted not in channels:
            setting = f"{wanted.upper()}_BOT_TOKEN"
            message = texts.CLI_WORKER_NOT_CONFIGURED.format(
                channel=wanted.capitalize(), setting=setting
            )
            raise _fail(message, 2)
        channels = [wanted]
    db = open_database(settings)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        # Everything loaded so far lives as long as the process: keep it out of the garbage
        # collector's full passes, which otherwise stall the loop (and the send pacing) for
        # tens of milliseconds at a time.
        gc.freeze()
        await serve_workers(settings, db, stop, channels, WorkerOptions(concurrency=concurrency))

    try:
        loops.run(main())
    except TokenRejected as error:
        raise _fail(
            texts.CLI_TOKEN_REJECTED.format(channel=error.channel, setting=error.setting)
        ) from None
    finally:
        db.dispose()


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8080,
    background: Annotated[
        bool,
        typer.Option(
            "--background/--no-background",
            help="Also run the scheduler and the delivery workers (off: leave them to "
            "`sotay worker` and another process)",
        ),
    ] = True,
) -> None:
    """Serve the webhooks (Telegram, Zalo) and /healthz; reminders and the outbox too."""
    from bot.web import serve as serve_web

    settings = _settings()
    try:
        serve_web(settings, host=host, port=port, background=background)
    except SettingsError as error:
        raise _fail(str(error), 2) from None


@app.command()
def scheduler() -> None:
    """Run only the scheduler: reminders, weekly statistics, feeds (one per deployment).

    No web server, no polling, no sending: the messages it queues are sent by `sotay worker`.
    Stops on SIGTERM or Ctrl-C once the tick under way is done."""
    from bot.scheduler_process import serve_scheduler

    settings = _settings()
    try:
        serve_scheduler(settings)
    except SettingsError as error:
        raise _fail(str(error), 2) from None


@app.command("import")
def import_(file: Annotated[Path, typer.Argument(help=".xlsx or .csv file")]) -> None:
    """Load units and members from a spreadsheet; nothing is written if any row is bad."""
    from bot.features import import_columns
    from services.importer import ImportFailed, import_file

    settings = _settings()
    if not file.is_file():
        raise _fail(texts.CLI_FILE_NOT_FOUND.format(path=file))
    db = open_database(settings)
    try:
        with db.session() as session:
            report = import_file(session, file, now=utcnow(), columns=import_columns())
    except ImportFailed as failure:
        typer.echo(texts.CLI_IMPORT_FAILED.format(count=len(failure.errors)), err=True)
        # str(error), not error.message: the admin fixes the file by its "Dòng n:" prefix.
        # ImportFailed keeps the errors sorted by row, file-level ones (no row) first.
        for error in failure.errors:
            typer.echo(str(error), err=True)
        raise typer.Exit(1) from None
    finally:
        db.dispose()
    typer.echo(
        texts.CLI_IMPORT_DONE.format(
            units=report.units_created,
            created=report.members_created,
            updated=report.members_updated,
            unchanged=report.members_unchanged,
            roles=report.roles_changed,
        )
    )
    for label, count in report.extra:
        typer.echo(texts.CLI_IMPORT_EXTRA.format(label=label, count=count))


faq_app = typer.Typer(no_args_is_help=True, help="Hỏi đáp")
app.add_typer(faq_app, name="faq")


@faq_app.command("import")
def faq_import(file: Annotated[Path, typer.Argument(help=".csv or .toml file")]) -> None:
    """Load a province's FAQ; re-import updates by id; nothing is written if any row is bad."""
    from services.faq import texts as faq_texts
    from services.faq.importing import ImportFailed, import_faq

    settings = _settings()
    if not file.is_file():
        raise _fail(texts.CLI_FILE_NOT_FOUND.format(path=file))
    db = open_database(settings)
    try:
        with db.session() as session:
            report = import_faq(session, file, now=utcnow())
    except ImportFailed as failure:
        typer.echo(faq_texts.IMPORT_FAILED.format(count=len(failure.errors)), err=True)
        for error in failure.errors:
            typer.echo(error, err=True)
        raise typer.Exit(1) from None
    finally:
        db.dispose()
    typer.echo(report.summary())


search_app = typer.Typer(no_args_is_help=True, help="Tìm kiếm")
app.add_typer(search_app, name="search")


@search_app.command("reindex")
def search_reindex() -> None:
    """Rebuild the search index from every feature's offers (after a deploy or by hand)."""
    from bot.features import offers
    from services.offers import SEARCHABLE
    from services.search.index import rebuild

    db = open_database(_settings())
    try:
        with db.session() as session:
            count = rebuild(session, offers().of(SEARCHABLE), utcnow())
    finally:
        db.dispose()
    typer.echo(texts.CLI_SEARCH_REINDEXED.format(count=count))


feeds_app = typer.Typer(no_args_is_help=True, help="Nguồn tin RSS/Atom cho bản tin")
app.add_typer(feeds_app, name="bantin-nguon")


@feeds_app.command("them")
def feeds_add(
    unit: Annotated[str, typer.Argument(help="Unit path, e.g. 'Đảng ủy Khối các cơ quan tỉnh'")],
    url: Annotated[str, typer.Argument(help="http(s) address of the RSS or Atom feed")],
    name: Annotated[str, typer.Option("--ten", help="Name shown as the source")] = "",
) -> None:
    """Add a feed for a unit: its new items are listed as bulletins for the unit's subtree."""
    from services.bulletins import feeds
    from services.bulletins import texts as bulletin_texts
    from services.org import find_unit_by_path

    db = open_database(_settings())
    try:
        with db.session() as session:
            found = find_unit_by_path(session, unit)
            if found is None:
                raise _fail(bulletin_texts.FEED_NO_UNIT.format(path=unit))
            try:
                feed = feeds.add_feed(session, None, found, url, title=name, now=utcnow())
            except UserError as refused:
                raise _fail(refused.message) from None
            typer.echo(bulletin_texts.FEED_ADDED.format(id=feed.id, unit=found.name, url=feed.url))
    finally:
        db.dispose()


@feeds_app.command("ds")
def feeds_list() -> None:
    """List the feeds, their state and their last error."""
    from services.bulletins import feeds
    from services.bulletins import texts as bulletin_texts

    db = open_database(_settings())
    try:
        with db.session() as session:
            found = feeds.all_feeds(session)
            if not found:
                typer.echo(bulletin_texts.FEED_NONE)
            for feed in found:
                typer.echo(feeds.describe(session, feed))
    finally:
        db.dispose()


@feeds_app.command("tat")
def feeds_pause(feed_id: Annotated[int, typer.Argument(help="Feed number (#)")]) -> None:
    """Pause a feed (its bulletins stay)."""
    _feeds_set_active(feed_id, False)


@feeds_app.command("bat")
def feeds_resume(feed_id: Annotated[int, typer.Argument(help="Feed number (#)")]) -> None:
    """Resume a feed: polled at once, its failures forgotten."""
    _feeds_set_active(feed_id, True)


def _feeds_set_active(feed_id: int, active: bool) -> None:
    from services.bulletins import feeds
    from services.bulletins import texts as bulletin_texts

    db = open_database(_settings())
    try:
        with db.session() as session:
            try:
                feeds.set_active(session, feed_id, active, now=utcnow())
            except UserError as refused:
                raise _fail(refused.message) from None
        done = bulletin_texts.FEED_ENABLED if active else bulletin_texts.FEED_DISABLED
        typer.echo(done.format(id=feed_id))
    finally:
        db.dispose()


@app.command()
def invite(
    member: Annotated[str | None, typer.Option("--member", help="Member code")] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="Unit path, A / B / C")] = None,
    days: Annotated[int | None, typer.Option(help="Days before the code expires (1-90)")] = None,
) -> None:
    """Print `member_code<TAB>invite_code<TAB>telegram_deep_link`, one line per member."""
    from datetime import timedelta

    from sqlmodel import col, select

    from services.invites import deep_link, issue_invite
    from services.org import subtree_units

    settings = _settings()
    if (member is None) == (unit is None):
        raise _fail(texts.CLI_INVITE_CHOOSE, 2)
    if days is not None and not MIN_INVITE_DAYS <= days <= MAX_INVITE_DAYS:
        # 0 used to mean "the default" and -5 printed codes that had already expired.
        raise _fail(texts.CLI_INVITE_DAYS.format(low=MIN_INVITE_DAYS, high=MAX_INVITE_DAYS), 2)
    try:
        key = invite_secret(settings)  # the bot's own key, so that the codes work there
    except SettingsError as error:
        raise _fail(str(error), 2) from None
    username = settings.telegram_bot_username or _telegram_username(settings)
    if not username:
        typer.echo(texts.CLI_INVITE_NO_USERNAME, err=True)
    ttl = timedelta(days=settings.invite_ttl_days if days is None else days)
    db = open_database(settings)
    lines: list[str] = []
    try:
        with db.session() as session:
            if member is not None:
                from services.identities import find_member

                found = find_member(session, member)
                if found is None:
                    raise _fail(texts.CLI_MEMBER_NOT_FOUND.format(code=member))
                targets = [found]
            else:
                from services.org import find_unit_by_path

                root = find_unit_by_path(session, unit or "")
                if root is None or root.id is None:
                    raise _fail(texts.CLI_UNIT_NOT_FOUND.format(path=unit))
                unit_ids = [u.id for u in subtree_units(session, [root.id]) if u.id is not None]
                targets = list(
                    session.exec(
                        select(Member)
                        .where(col(Member.cell_id).in_(unit_ids))
                        .order_by(Member.code)
                    )
                )
            now = utcnow()
            for target in targets:
                code, _ = issue_invite(
                    session, target, now=now, ttl=ttl, secret=key, actor_label="cli"
                )
                link = deep_link(username, code) or deep_link("BOT_USERNAME", code)
                lines.append(f"{target.code}\t{code}\t{link}")
    finally:
        db.dispose()
    for line in lines:
        typer.echo(line)


def _telegram_username(settings: Settings) -> str | None:
    """Ask Telegram for the bot's username when only the token is configured."""
    if settings.telegram_bot_token is None:
        return None
    import httpx

    token = settings.telegram_bot_token.get_secret_value()
    try:
        answer = httpx.get(f"{settings.telegram_api_base}/bot{token}/getMe", timeout=10).json()
        return str(answer["result"]["username"])
    except (httpx.HTTPError, KeyError, ValueError, TypeError):
        log.warning("getMe failed; invite links will need TELEGRAM_BOT_USERNAME")
        return None


@app.command("grant-admin")
def grant_admin_command(code: Annotated[str, typer.Argument(help="Member code")]) -> None:
    """Give a member the admin role (sees every unit)."""
    from services import audit
    from services.identities import find_member
    from services.orgwrite import grant_admin

    db = open_database(_settings())
    try:
        with db.session() as session:
            found = find_member(session, code)
            if found is None:
                raise _fail(texts.CLI_MEMBER_NOT_FOUND.format(code=code))
            granted = grant_admin(session, found)
            if granted:
                audit.record(session, "role.admin_granted", "member", found.id, actor_label="cli")
            message = texts.CLI_ADMIN_GRANTED if granted else texts.CLI_ADMIN_ALREADY
            typer.echo(message.format(name=found.full_name, code=found.code))
    finally:
        db.dispose()


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
    except SettingsError as error:  # found while starting up (e.g. INVITE_SECRET in build_app)
        typer.echo(str(error), err=True)
        sys.exit(2)
