"""Directives in the chat: `/chidao` to write one, `/chidao_tinhhinh` to follow it up, and the
"Đã nhận" button every member's copy carries.

Both commands serve secretaries and committee members alike (`Audience.LEADER`): `/chidao`
offers every unit the person may direct, `/chidao_tinhhinh` everything they may follow up.
`/chidao_capuy`, the committee's former command, stays as a hidden alias.

The rules (who may write to whom, who follows up, who receives, what counts as delivered) live
in services.directives.rules; this module only asks, previews and shows. Every step re-checks the
actor's current authority because buttons and stored state are untrusted and may be old.
"""

from __future__ import annotations

import dataclasses

from handlers.context import Answer, Ctx, Flow
from handlers.flowkit import (
    as_id,
    attempt,
    file_kind,
    file_name,
    local_now,
    page,
    page_key,
)
from handlers.registry import Action, Audience, Command, Registry, Topic
from models import DirectiveAudience, Member, Unit
from services import texts
from services.auth import Permission, authorize
from services.directives import texts as directive_texts
from services.directives.rules import (
    ACK,
    DEFAULT_DIRECTIVE_RULES,
    REMIND,
    STATS,
    DirectiveRules,
    DirectiveStats,
    FollowedDirective,
    acknowledge_directive,
    cell_directive_stats,
    directive_stats,
    followed_directives,
    may_direct,
    my_directives,
    preview_directive,
    remind_unacknowledged,
    reminder_text,
    send_directive,
)
from services.errors import Forbidden
from services.org import cell_members, is_cell, subtree_units
from services.textnorm import shorten_text
from services.vndate import format_vn_date

SNIPPET = 40


def directive_rules(ctx: Ctx) -> DirectiveRules:
    """The directives' rules in the configured time zone (services default to Hà Nội time)."""
    if DEFAULT_DIRECTIVE_RULES.tz == ctx.config.tz:
        return DEFAULT_DIRECTIVE_RULES
    return dataclasses.replace(DEFAULT_DIRECTIVE_RULES, tz=ctx.config.tz)


def _snippet(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= SNIPPET else line[: SNIPPET - 1] + "…"


def _targets(ctx: Ctx) -> list[tuple[str, str]]:
    """Units the actor may address: own cells, committee units (all their cells), then each
    cell of those subtrees, so a committee member can also write to a single cell."""
    options: list[tuple[str, str]] = []
    seen: set[int] = set()
    for cell_id in sorted(ctx.me.managed_cell_ids):
        cell = ctx.session.get(Unit, cell_id)
        if cell is not None and cell.id is not None and is_cell(cell):
            options.append((f"u{cell.id}", cell.name))
            seen.add(cell.id)
    committee = sorted(ctx.me.committee_unit_ids)
    for unit_id in committee:
        unit = ctx.session.get(Unit, unit_id)
        if unit is not None and unit.id is not None and unit.id not in seen:
            label = (
                unit.name
                if is_cell(unit)
                else directive_texts.FLOW_DIR_UNIT_ALL_CELLS.format(unit=unit.name)
            )
            options.append((f"u{unit.id}", label))
            seen.add(unit.id)
    for unit in subtree_units(ctx.session, committee):
        if unit.id is not None and unit.id not in seen and is_cell(unit):
            options.append((f"u{unit.id}", unit.name))
            seen.add(unit.id)
    return options


def _recipients_pool(ctx: Ctx, unit: Unit) -> list[Member]:
    """Members the sender may pick one by one: the unit's cells, without the sender."""
    assert unit.id is not None
    if is_cell(unit):
        cells = [unit.id]
    else:
        cells = [u.id for u in subtree_units(ctx.session, [unit.id]) if u.id and is_cell(u)]
    members = [m for cid in cells for m in cell_members(ctx.session, cid)]
    return [m for m in members if m.id != ctx.me.member_id]


class DirectiveFlow(Flow):
    """`/chidao` (also `/chidao_capuy`): unit (unless the only one is the secretary's own
    cell) → text, optional file → audience → preview → send. A file may arrive at the text or
    the audience step, so there is no extra step."""

    name = "directive"

    def begin(self, ctx: Ctx, args: str) -> None:
        targets = _targets(ctx)
        if not targets:
            authorize(ctx.me, Permission.LEAD)
            raise Forbidden(texts.FORBIDDEN_LEADER)
        data = {"unit": None, "text": None, "file": None, "file_kind": None, "file_name": None}
        ctx.state.data = {**data, "audience": None, "chosen": []}
        if len(targets) == 1 and not ctx.me.committee_unit_ids:
            self._unit_chosen(ctx, int(targets[0][0][1:]))
            return
        self._ask_unit(ctx, targets, 0)

    def _ask_unit(self, ctx: Ctx, targets: list[tuple[str, str]], number: int) -> None:
        options = page(targets, number)
        if followed_directives(ctx.session, ctx.me, limit=1):
            options.append(("sent", directive_texts.FLOW_DIR_STATUS_ENTRY))
        ctx.ask(self.name, "unit", directive_texts.FLOW_DIR_CHOOSE_UNIT, options)

    def step_unit(self, ctx: Ctx, answer: Answer) -> None:
        key = answer.option or ""
        if key == "sent":
            STATUS.begin(ctx, "")
            return
        number = page_key(key)
        if number is not None:
            self._ask_unit(ctx, _targets(ctx), number)
            return
        unit_id = as_id(key[1:]) if key.startswith("u") else None
        if unit_id is None:
            ctx.finish()
            ctx.say(texts.STALE_BUTTON)
            return
        self._unit_chosen(ctx, unit_id)

    def _unit(self, ctx: Ctx, unit_id: object = None) -> Unit | None:
        """The addressed unit, with the sender's right to address it checked again."""
        wanted = unit_id if unit_id is not None else ctx.data.get("unit")
        unit = ctx.session.get(Unit, wanted) if isinstance(wanted, int) else None
        if unit is None:
            ctx.finish()
            ctx.say(texts.SESSION_EXPIRED)
            return None
        if not may_direct(ctx.me, unit):
            raise Forbidden(texts.FORBIDDEN_OUTSIDE_SCOPE)
        return unit

    def _unit_chosen(self, ctx: Ctx, unit_id: int) -> None:
        unit = self._unit(ctx, unit_id)
        if unit is None:
            return
        ctx.update_data(unit=unit.id)
        self._ask_text(ctx, directive_texts.FLOW_DIR_ASK_TEXT.format(unit=unit.name))

    def _ask_text(self, ctx: Ctx, prompt: str) -> None:
        ctx.ask(self.name, "text", prompt, accepts_file=True)

    def _ask_edit(self, ctx: Ctx) -> None:
        """ "Sửa nội dung": the current text first, alone in its message, so the secretary can
        copy it and correct a word instead of typing it all again; then the text step, which
        goes straight back to the preview because the audience is kept."""
        current = ctx.data.get("text")
        if current:
            ctx.say(str(current))
        ctx.ask(self.name, "text", directive_texts.FLOW_DIR_ASK_EDIT, accepts_file=True)

    def _take_file(self, ctx: Ctx, answer: Answer) -> bool:
        """Keep an attached document or photo (the channel's file id is the reference)."""
        upload = answer.file or ctx.incoming.file
        if upload is None:
            return True
        kind = file_kind(upload)
        if kind is None or not upload.file_id:
            ctx.say(texts.FLOW_FILE_KIND)
            return False
        name = file_name(upload, directive_texts.FLOW_FILE_DEFAULT_NAME)
        ctx.update_data(file=upload.file_id, file_kind=kind.value, file_name=name)
        return True

    def step_text(self, ctx: Ctx, answer: Answer) -> None:
        unit = self._unit(ctx)
        if unit is None:
            return
        if not self._take_file(ctx, answer):
            self._ask_text(ctx, directive_texts.FLOW_DIR_ASK_TEXT.format(unit=unit.name))
            return
        if answer.text is None:
            name = ctx.data.get("file_name") or directive_texts.FLOW_FILE_DEFAULT_NAME
            self._ask_text(ctx, directive_texts.FLOW_DIR_FILE_TAKEN.format(name=name))
            return
        limit = directive_rules(ctx).max_chars
        if len(answer.text) > limit:
            ctx.say(
                directive_texts.DIR_TEXT_TOO_LONG.format(length=len(answer.text), maximum=limit)
            )
            self._ask_text(ctx, directive_texts.FLOW_DIR_ASK_TEXT.format(unit=unit.name))
            return
        ctx.update_data(text=answer.text)
        if ctx.data.get("audience"):
            self._preview(ctx, unit)
            return
        self._ask_audience(ctx)

    def _ask_audience(self, ctx: Ctx, note: str | None = None) -> None:
        options = [
            (a.value, directive_texts.DIR_AUDIENCE_LABELS[a.value]) for a in DirectiveAudience
        ]
        prompt = (
            directive_texts.FLOW_DIR_ASK_AUDIENCE
            if note is None
            else f"{note}\n{directive_texts.FLOW_DIR_ASK_AUDIENCE}"
        )
        ctx.ask(self.name, "audience", prompt, options, accepts_file=True)

    def step_audience(self, ctx: Ctx, answer: Answer) -> None:
        unit = self._unit(ctx)
        if unit is None:
            return
        if answer.file is not None:
            note = None
            if self._take_file(ctx, answer):
                note = directive_texts.FLOW_DIR_FILE_ATTACHED.format(name=ctx.data.get("file_name"))
            self._ask_audience(ctx, note)
            return
        try:
            audience = DirectiveAudience(answer.option or "")
        except ValueError:
            ctx.finish()
            ctx.say(texts.STALE_BUTTON)
            return
        ctx.update_data(audience=audience.value)
        if audience is DirectiveAudience.CHOSEN:
            self._ask_pick(ctx, unit, 0)
            return
        self._preview(ctx, unit)

    def _ask_pick(self, ctx: Ctx, unit: Unit, number: int) -> None:
        """Names to tick. When the list spans several cells (a committee writing to the whole
        organisation), each name carries its cell: two people may share a name, and the
        sender often knows whom they mean by their cell."""
        chosen = set(ctx.data.get("chosen") or [])
        pool = _recipients_pool(ctx, unit)
        cells: dict[int, str] = {}
        if len({m.cell_id for m in pool}) > 1:
            for cell_id in {m.cell_id for m in pool}:
                cell = ctx.session.get(Unit, cell_id)
                cells[cell_id] = cell.name if cell is not None else ""
        items = []
        for m in pool:
            name = m.full_name
            if cells.get(m.cell_id):
                name = directive_texts.FLOW_DIR_PICK_NAME_CELL.format(
                    name=name, cell=cells[m.cell_id]
                )
            mark = directive_texts.FLOW_PICKED if m.id in chosen else directive_texts.FLOW_UNPICKED
            items.append((f"t{m.id}", mark.format(name=name)))
        options = [*page(items, number), ("done", texts.FLOW_DONE)]
        ctx.update_data(page=number)
        prompt = directive_texts.FLOW_DIR_PICK.format(count=len(chosen))
        ctx.ask(self.name, "pick", prompt, options)

    def step_pick(self, ctx: Ctx, answer: Answer) -> None:
        unit = self._unit(ctx)
        if unit is None:
            return
        key = answer.option or ""
        number = page_key(key)
        if number is not None:
            self._ask_pick(ctx, unit, number)
            return
        chosen: list[int] = list(ctx.data.get("chosen") or [])
        if key == "done":
            if not chosen:
                ctx.say(directive_texts.DIR_CHOSEN_EMPTY)
                self._ask_pick(ctx, unit, int(ctx.data.get("page") or 0))
                return
            self._preview(ctx, unit)
            return
        member_id = as_id(key[1:]) if key.startswith("t") else None
        pool = {m.id for m in _recipients_pool(ctx, unit)}
        if member_id is None or member_id not in pool:
            ctx.finish()
            ctx.say(texts.STALE_BUTTON)
            return
        if member_id in chosen:
            chosen.remove(member_id)
        else:
            chosen.append(member_id)
        ctx.update_data(chosen=chosen)
        self._ask_pick(ctx, unit, int(ctx.data.get("page") or 0))

    def _preview(self, ctx: Ctx, unit: Unit) -> None:
        unit_id = unit.id
        assert unit_id is not None
        data = ctx.data
        preview = attempt(
            ctx,
            lambda: preview_directive(
                ctx.session,
                ctx.me,
                unit_id,
                audience=data["audience"],
                text=data["text"] or "",
                member_ids=data.get("chosen") or [],
                file_ref=data.get("file"),
                file_kind=data.get("file_kind"),
                rules=directive_rules(ctx),
            ),
        )
        if preview is None:
            ctx.update_data(audience=None, chosen=[])
            self._ask_audience(ctx)
            return
        message = directive_texts.DIR_MESSAGE.format(
            sender=ctx.me.full_name,
            unit=preview.sender_unit_name,
            date=format_vn_date(local_now(ctx).date()),
            text=preview.text,
        )
        ctx.say(directive_texts.FLOW_DIR_PREVIEW_HEAD)
        ctx.say(message)
        lines = [
            directive_texts.FLOW_DIR_PREVIEW_SUMMARY.format(
                recipients=len(preview.member_ids), cells=preview.cells
            )
        ]
        if preview.unreachable:  # nobody to mention: no "0 người chưa kết nối" line
            lines.append(
                directive_texts.FLOW_DIR_PREVIEW_UNREACHABLE.format(count=preview.unreachable)
            )
        lines.append(directive_texts.FLOW_DIR_PREVIEW_ASK)
        if data.get("file"):
            lines.insert(
                0, directive_texts.FLOW_DIR_PREVIEW_FILE.format(name=data.get("file_name"))
            )
        summary = "\n".join(lines)
        options = [
            ("send", directive_texts.FLOW_SEND),
            ("edit", directive_texts.FLOW_EDIT_TEXT),
            ("cancel", texts.FLOW_CANCEL),
        ]
        ctx.ask(self.name, "confirm", summary, options)

    def step_confirm(self, ctx: Ctx, answer: Answer) -> None:
        unit = self._unit(ctx)
        if unit is None:
            return
        if answer.option == "cancel":
            ctx.finish()
            ctx.say(texts.CANCELLED)
            return
        if answer.option == "edit":
            self._ask_edit(ctx)
            return
        unit_id = unit.id
        assert unit_id is not None
        data = ctx.data
        receipt = attempt(
            ctx,
            lambda: send_directive(
                ctx.session,
                ctx.me,
                unit_id,
                audience=data["audience"],
                text=data["text"] or "",
                member_ids=data.get("chosen") or [],
                file_ref=data.get("file"),
                file_kind=data.get("file_kind"),
                now=ctx.now,
                rules=directive_rules(ctx),
            ),
        )
        if receipt is None:
            ctx.update_data(audience=None, chosen=[])
            self._ask_audience(ctx)
            return
        ctx.finish()
        directive_id = receipt.directive.id
        ctx.menu(
            receipt.message, [(STATS(directive_id or 0), directive_texts.FLOW_DIR_STATS_BUTTON)]
        )


# --- Following up -----------------------------------------------------------------------------


def show_stats(
    ctx: Ctx, stats: DirectiveStats, *, heading: str | None = None, can_remind: bool = True
) -> None:
    """The counts and names; a reminder button when someone has not acknowledged yet and the
    actor follows the whole directive (the service checks that again when it is pressed)."""
    text = stats.text(ctx.config.tz)
    if heading:
        text = f"{heading}\n{text}"
    options: list[tuple[str, str]] = []
    if stats.not_acknowledged and can_remind:
        label = directive_texts.FLOW_DIR_REMIND_BUTTON.format(count=len(stats.not_acknowledged))
        options.append((REMIND(stats.directive.id or 0), label))
    ctx.menu(text, options)


class DirectiveStatusFlow(Flow):
    """`/chidao_tinhhinh`: pick one of the directives the actor may follow up now (to a unit
    they direct, whoever sent it; or their cell's share of one from above), see its counts,
    remind with one button. The pick is checked again by the service: the list may be old."""

    name = "directive_status"

    def begin(self, ctx: Ctx, args: str) -> None:
        options = self._options(ctx)
        if not options:
            ctx.finish()
            ctx.say(directive_texts.FLOW_DIR_NONE_SENT)
            return
        self._ask(ctx, options, 0)

    def _options(self, ctx: Ctx) -> list[tuple[str, str]]:
        return [self._option(ctx, item) for item in followed_directives(ctx.session, ctx.me)]

    def _option(self, ctx: Ctx, item: FollowedDirective) -> tuple[str, str]:
        """The entry's label says where the directive came from: a cell's manager sees their
        own cell's directives plainly and anything from above marked with the sending unit
        (a committee's directive to their cell alone included); a committee member, who
        follows several units, sees the addressed unit and, if it differs, the sending one."""
        directive = item.directive
        date = format_vn_date(directive.created_at.astimezone(ctx.config.tz).date())
        snippet = _snippet(directive.text)
        key = f"d{directive.id}" if item.cell_id is None else f"c{directive.id}:{item.cell_id}"
        own_cell = item.cell_id is not None or directive.unit_id in ctx.me.managed_cell_ids
        if own_cell and item.from_above:
            label = directive_texts.FLOW_DIR_FROM_ABOVE.format(
                date=date, unit=item.sender_unit_name, snippet=snippet
            )
        elif own_cell:
            label = directive_texts.FLOW_DIR_ITEM.format(date=date, snippet=snippet)
        elif item.from_above:
            label = directive_texts.FLOW_DIR_ITEM_UNIT_FROM.format(
                date=date, unit=item.unit_name, sender_unit=item.sender_unit_name, snippet=snippet
            )
        else:
            label = directive_texts.FLOW_DIR_ITEM_UNIT.format(
                date=date, unit=item.unit_name, snippet=snippet
            )
        return key, label

    def _ask(self, ctx: Ctx, options: list[tuple[str, str]], number: int) -> None:
        ctx.ask(self.name, "pick", directive_texts.FLOW_DIR_CHOOSE_SENT, page(options, number))

    def step_pick(self, ctx: Ctx, answer: Answer) -> None:
        key = answer.option or ""
        number = page_key(key)
        if number is not None:
            self._ask(ctx, self._options(ctx), number)
            return
        if key.startswith("d") and (directive_id := as_id(key[1:])) is not None:
            show_stats(ctx, directive_stats(ctx.session, ctx.me, directive_id))
            return
        head, _, cell_part = key[1:].partition(":")
        directive_id, cell_id = as_id(head), as_id(cell_part)
        if not key.startswith("c") or directive_id is None or cell_id is None:
            ctx.finish()
            ctx.say(texts.STALE_BUTTON)
            return
        stats = cell_directive_stats(ctx.session, ctx.me, directive_id, cell_id)
        cell = ctx.session.get(Unit, cell_id)
        heading = directive_texts.FLOW_DIR_CELL_SCOPE.format(cell=cell.name if cell else "")
        show_stats(ctx, stats, heading=heading, can_remind=False)


STATUS = DirectiveStatusFlow()


# --- Stateless buttons ------------------------------------------------------------------------


def acknowledge(ctx: Ctx, args: list[str]) -> None:
    """`dir_ack:{id}` on a member's copy. The service finds the actor's own copy or refuses:
    a forged id, or another cell's directive, changes nothing."""
    directive_id = as_id(args[0]) if len(args) == 1 else None
    if directive_id is None:
        ctx.say(texts.STALE_BUTTON)
        return
    acknowledge_directive(ctx.session, ctx.me, directive_id, now=ctx.now)
    ctx.chosen = directive_texts.FLOW_DIR_ACKED_CHOSEN
    ctx.say(directive_texts.DIR_ACKED)


def stats_action(ctx: Ctx, args: list[str]) -> None:
    """`dir_stats:{id}` on the sender's receipt; directive_stats re-checks who may look."""
    directive_id = as_id(args[0]) if len(args) == 1 else None
    if directive_id is None:
        ctx.say(texts.STALE_BUTTON)
        return
    show_stats(ctx, directive_stats(ctx.session, ctx.me, directive_id))


def remind_action(ctx: Ctx, args: list[str]) -> None:
    """`dir_remind:{id}`: one reminder round; the service limits how often. The reply counts
    what was queued, and names those it cannot reach."""
    directive_id = as_id(args[0]) if len(args) == 1 else None
    if directive_id is None:
        ctx.say(texts.STALE_BUTTON)
        return
    result = remind_unacknowledged(
        ctx.session, ctx.me, directive_id, now=ctx.now, rules=directive_rules(ctx)
    )
    ctx.say(reminder_text(ctx.session, result.reach))


def directives_view(ctx: Ctx, _args: str) -> None:
    """`/thongbao`: recent directives, newest first, each with the member's own acknowledgement."""
    items = my_directives(ctx.session, ctx.me, limit=5)
    if not items:
        ctx.say(texts.MY_NO_DIRECTIVES)
        return
    lines = [texts.MY_DIRECTIVES_HEAD]
    options: list[tuple[str, str]] = []
    for index, item in enumerate(items, 1):
        acked = item.acknowledged_at is not None
        lines.append(
            texts.MY_DIRECTIVE_LINE.format(
                n=index,
                date=format_vn_date(item.sent_at.astimezone(ctx.config.tz).date()),
                sender=item.sender_name,
                unit=item.unit_name,
                state=texts.MY_ACKED if acked else texts.MY_NOT_ACKED,
                text=shorten_text(item.text),
            )
            + (texts.MY_DIRECTIVE_FILE if item.file_ref else "")
        )
        if not acked:
            options.append((ACK(item.directive_id), texts.MY_ACK_BUTTON.format(n=index)))
    ctx.menu("\n\n".join(lines), options)


def register_inbox(registry: Registry) -> None:
    """The members' side: `/thongbao` (listed early in the wiring list: the member's menu)."""
    registry.command(
        Command(
            "thongbao",
            texts.CMD_MY_DIRECTIVES,
            Audience.MEMBER,
            directives_view,
            topic=Topic.DIRECTIVES,
            shortcut=True,
        )
    )


def register(registry: Registry) -> None:
    compose = registry.flow(DirectiveFlow())
    status = registry.flow(STATUS)
    # One command per job for secretaries and committees; /chidao_capuy is the committee's
    # former command, kept working but listed nowhere.
    registry.command(
        Command(
            "chidao",
            directive_texts.CMD_DIRECTIVE,
            Audience.LEADER,
            compose.begin,
            ("chidao_capuy",),
            topic=Topic.DIRECTIVES,
        )
    )
    registry.command(
        Command(
            "chidao_tinhhinh",
            directive_texts.CMD_DIRECTIVE_STATUS,
            Audience.LEADER,
            status.begin,
            topic=Topic.DIRECTIVES,
        )
    )
    registry.action(Action(ACK, acknowledge))
    registry.action(Action(STATS, stats_action))
    registry.action(Action(REMIND, remind_action))
