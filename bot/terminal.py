"""The local terminal chat: the same core, one member, lines from standard input.

Options are printed numbered and answered with the digit, exactly as on Zalo, so a session can be
scripted (`printf '/help\n1\n' | sotay chat --as DV001`) and used for training. What the outbox
holds for the member (a directive, an invitation) is printed before each prompt, so several
terminals, one per member, play a whole cell on one machine.
"""

from __future__ import annotations

import logging
import sys
from datetime import datetime
from pathlib import Path
from typing import TextIO

from bot.delivery.files import prepare_reply
from handlers.core import Core
from handlers.messages import Incoming, Reply
from models import Channel, Database, utcnow
from services import texts
from services.errors import UserError
from services.identities import find_member, local_identity
from services.outbox import take_for_chat

log = logging.getLogger(__name__)
EXIT_WORDS = frozenset({"/thoat", "/exit", "/quit"})


def render(reply: Reply, files_dir: Path) -> str:
    """Plain text, options as a numbered list, files saved to disk and named."""
    lines = [reply.text]
    for index, option in enumerate(reply.options, start=1):
        lines.append(f"  {index}. {option.label}")
    if reply.file is not None:
        files_dir.mkdir(parents=True, exist_ok=True)
        target = files_dir / Path(reply.file.name).name
        target.write_bytes(reply.file.data)
        lines.append(texts.CLI_CHAT_FILE.format(path=target))
    return "\n".join(lines)


def show_waiting(
    db: Database, user_id: str, files_dir: Path, stdout: TextIO, now: datetime
) -> None:
    """Print the messages the outbox holds for this terminal (directives, invitations,
    reminders sent while the member was away); their options become the numbered answers.

    The messages are rendered before the rows are marked sent: a message that cannot be shown
    stays pending (the transaction rolls back) and the member gets an apology instead.
    """
    try:
        with db.session() as session:
            payloads = take_for_chat(session, Channel.TERMINAL, user_id, now=now, numbered=True)
            shown = [render(prepare_reply(p, files_dir).reply, files_dir) for p in payloads]
    except Exception:
        log.exception("terminal %s: waiting messages not shown", user_id)
        print(texts.INTERNAL_ERROR, file=stdout, flush=True)
        return
    for text in shown:
        print(texts.CLI_CHAT_INCOMING, file=stdout)
        print(text, file=stdout)
        print(file=stdout, flush=True)


def open_local_chat(db: Database, member_code: str) -> tuple[str, str, str]:
    """Link (or re-use) the member's terminal identity; returns (user id, name, code)."""
    with db.session() as session:
        member = find_member(session, member_code)
        if member is None:
            raise UserError(texts.CLI_MEMBER_NOT_FOUND.format(code=member_code))
        identity = local_identity(session, member, now=utcnow())
        return identity.external_id, member.full_name, member.code


def run_chat(
    core: Core,
    db: Database,
    member_code: str,
    *,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    files_dir: Path = Path("exports"),
) -> int:
    """Read lines until EOF or /thoat; every line goes through `core.handle`."""
    user_id, name, code = open_local_chat(db, member_code)
    interactive = stdin.isatty()
    print(texts.CLI_CHAT_INTRO.format(name=name, code=code), file=stdout)
    while True:
        show_waiting(db, user_id, files_dir, stdout, core.clock())
        if interactive:
            print("> ", end="", file=stdout, flush=True)
        line = stdin.readline()
        if not line:
            break
        text = line.strip()
        if not text:
            continue
        if text.lower() in EXIT_WORDS:
            break
        if not interactive:
            print(f"> {text}", file=stdout)
        response = core.handle(
            Incoming(
                channel=Channel.TERMINAL,
                chat_id=user_id,
                user_id=user_id,
                text=text,
                numbered=True,
            )
        )
        for reply in response.replies:
            print(render(reply, files_dir), file=stdout)
        print(file=stdout, flush=True)
    print(texts.CLI_CHAT_BYE, file=stdout)
    return 0
