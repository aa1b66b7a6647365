"""`/bantin_quanly`, for committees and admins: post a bulletin (unit, title, text, optional
photo or file, optional link, preview, confirm; then optionally push it to the members, once),
and look after the bulletins within their units (push one, feed items included; withdraw one's
own).

Every step re-checks what it works on (`BulletinManageFlow.reload`): the chosen unit must still
be overseen by the actor, the chosen bulletin still within their units; the services check
again when they write. A refusal from a service inside a step is said and the step asked again
(`flowkit.attempt`); losing the role ends with the core's refusal.
"""

from __future__ import annotations

from handlers.bulletins import bulletin_text, item_label
from handlers.context import Answer, Ctx, Flow
from handlers.flowkit import as_id, attempt, file_kind, file_name, page, page_key
from handlers.registry import Audience, Command, Registry
from models import Bulletin
from services import outbox, texts
from services.bulletins import posting, reading
from services.bulletins import texts as bulletin_texts
from services.bulletins.rules import DEFAULT_BULLETIN_RULES, clean_link, clean_text, clean_title
from services.textnorm import shorten_text

RULES = DEFAULT_BULLETIN_RULES


class BulletinManageFlow(Flow):
    name = "bulletins_manage"

    def begin(self, ctx: Ctx, args: str) -> None:
        if not posting.targets(ctx.session, ctx.me):
            ctx.say(bulletin_texts.NO_UNIT)
            return
        self._menu(ctx)

    def _menu(self, ctx: Ctx) -> None:
        options = [
            ("new", bulletin_texts.BTN_NEW),
            ("list", bulletin_texts.BTN_MINE),
            ("done", bulletin_texts.BTN_CLOSE),
        ]
        ctx.ask(self.name, "menu", bulletin_texts.MANAGE_MENU, options, data={})

    def reload(self, ctx: Ctx) -> bool:
        unit_id = ctx.data.get("unit")
        if isinstance(unit_id, int):
            posting.target(ctx.session, ctx.me, unit_id)  # Forbidden propagates: rolled back
        bulletin_id = ctx.data.get("bulletin")
        if isinstance(bulletin_id, int):
            ctx.subject = posting.managed_one(ctx.session, ctx.me, bulletin_id)
        return True

    def step_menu(self, ctx: Ctx, answer: Answer) -> None:
        if answer.option == "new":
            self._start(ctx)
        elif answer.option == "list":
            self._list(ctx, 0)
        else:
            ctx.finish()
            ctx.say(bulletin_texts.BYE)

    # --- posting -------------------------------------------------------------------------------

    def _start(self, ctx: Ctx) -> None:
        units = posting.targets(ctx.session, ctx.me)
        if not units:
            ctx.finish()
            ctx.say(bulletin_texts.NO_UNIT)
            return
        if len(units) == 1:
            ctx.state.data = {"unit": units[0].id}
            self._ask_title(ctx)
            return
        options = [(f"u{u.id}", shorten_text(u.name, 60)) for u in units]
        ctx.ask(self.name, "unit", bulletin_texts.ASK_UNIT, options, data={})

    def step_unit(self, ctx: Ctx, answer: Answer) -> None:
        key = answer.option or ""
        unit_id = as_id(key[1:]) if key.startswith("u") else None
        if unit_id is None:
            ctx.finish()
            ctx.say(texts.STALE_BUTTON)
            return
        posting.target(ctx.session, ctx.me, unit_id)  # an offered unit, but checked again
        ctx.state.data = {"unit": unit_id}
        self._ask_title(ctx)

    def _ask_title(self, ctx: Ctx) -> None:
        prompt = bulletin_texts.ASK_TITLE.format(limit=RULES.title_max_chars)
        ctx.ask(self.name, "title", prompt)

    def step_title(self, ctx: Ctx, answer: Answer) -> None:
        title = attempt(ctx, lambda: clean_title(answer.text, RULES))
        if title is None:
            self._ask_title(ctx)
            return
        ctx.update_data(title=title)
        self._ask_text(ctx)

    def _ask_text(self, ctx: Ctx) -> None:
        ctx.ask(self.name, "text", bulletin_texts.ASK_TEXT.format(limit=RULES.text_max_chars))

    def step_text(self, ctx: Ctx, answer: Answer) -> None:
        text = attempt(ctx, lambda: clean_text(answer.text, RULES))
        if text is None:
            self._ask_text(ctx)
            return
        ctx.update_data(text=text)
        self._ask_file(ctx)

    def _ask_file(self, ctx: Ctx) -> None:
        options = [("skip", bulletin_texts.BTN_NO_FILE)]
        ctx.ask(self.name, "file", bulletin_texts.ASK_FILE, options, accepts_file=True)

    def step_file(self, ctx: Ctx, answer: Answer) -> None:
        upload = answer.file or ctx.incoming.file
        if upload is not None:
            kind = file_kind(upload)
            if kind is None or not upload.file_id:
                ctx.say(bulletin_texts.BAD_FILE_KIND)
                self._ask_file(ctx)
                return
            accepted = attempt(
                ctx,
                lambda: posting.check_file(kind.value, upload.name, upload.mime, upload.size),
            )
            if accepted is None:  # the refusal (kind, size) was said
                self._ask_file(ctx)
                return
            name = file_name(upload, kind.value)
            ctx.update_data(file=upload.file_id, file_kind=kind.value, file_name=name)
            ctx.say(bulletin_texts.FILE_ATTACHED.format(name=name))
            self._ask_link(ctx)
            return
        if answer.option == "skip":
            ctx.update_data(file=None, file_kind=None, file_name=None)
            self._ask_link(ctx)
            return
        ctx.say(bulletin_texts.FILE_EXPECTED)
        self._ask_file(ctx)

    def _ask_link(self, ctx: Ctx) -> None:
        options = [("skip", bulletin_texts.BTN_NO_LINK)]
        ctx.ask(self.name, "link", bulletin_texts.ASK_LINK, options, typed_step="link")

    def step_link(self, ctx: Ctx, answer: Answer) -> None:
        if answer.option == "skip":
            ctx.update_data(link=None)
        else:
            link = attempt(ctx, lambda: clean_link(answer.text, RULES))
            if link is None:
                self._ask_link(ctx)
                return
            ctx.update_data(link=link)
        self._preview(ctx)

    def _draft(self, ctx: Ctx) -> posting.Draft:
        data = ctx.data
        return posting.check_draft(
            ctx.session,
            ctx.me,
            unit_id=int(data["unit"]),
            title=str(data.get("title") or ""),
            text=str(data.get("text") or ""),
            link=data.get("link"),
            file_ref=data.get("file"),
            file_kind=data.get("file_kind"),
            file_name=data.get("file_name"),
            rules=RULES,
        )

    def _preview(self, ctx: Ctx) -> None:
        draft = self._draft(ctx)
        unit = posting.target(ctx.session, ctx.me, draft.unit_id)
        body = bulletin_texts.PREVIEW_BODY.format(
            title=draft.title, source=unit.name, text=draft.text
        )
        if draft.link:
            body += "\n" + bulletin_texts.BULLETIN_LINK.format(link=draft.link)
        if draft.file_ref:
            body += "\n" + bulletin_texts.PREVIEW_FILE.format(name=draft.file_name or "")
        options = [("post", bulletin_texts.BTN_POST), ("cancel", bulletin_texts.BTN_CANCEL)]
        text = bulletin_texts.PREVIEW.format(unit=unit.name, bulletin=body)
        ctx.ask(self.name, "preview", text, options)

    def step_preview(self, ctx: Ctx, answer: Answer) -> None:
        if answer.option != "post":
            ctx.finish()
            ctx.say(bulletin_texts.NOT_POSTED)
            return
        draft = self._draft(ctx)
        bulletin = posting.post(ctx.session, ctx.me, draft, now=ctx.now, rules=RULES)
        unit = posting.target(ctx.session, ctx.me, draft.unit_id)
        ctx.say(bulletin_texts.POSTED.format(unit=unit.name))
        self._ask_push(ctx, bulletin.id or 0, then="done")

    # --- pushing and withdrawing ---------------------------------------------------------------

    def _ask_push(self, ctx: Ctx, bulletin_id: int, *, then: str) -> None:
        options = [("push", bulletin_texts.BTN_PUSH), ("no", bulletin_texts.BTN_NO_PUSH)]
        data = {"bulletin": bulletin_id, "then": then}
        ctx.ask(self.name, "push", bulletin_texts.ASK_PUSH, options, data=data)

    def step_push(self, ctx: Ctx, answer: Answer) -> None:
        bulletin_id = int(ctx.data["bulletin"])
        back_to_list = ctx.data.get("then") == "list"
        if answer.option == "push":
            reach = attempt(
                ctx, lambda: posting.push(ctx.session, ctx.me, bulletin_id, now=ctx.now)
            )
            if reach is not None:
                ctx.say(outbox.describe_reach(ctx.session, reach, what=bulletin_texts.PUSH_WHAT))
        else:
            ctx.say(bulletin_texts.NOT_PUSHED)
        if back_to_list:
            self._list(ctx, 0)
        else:
            ctx.finish()

    def _list(self, ctx: Ctx, number: int) -> None:
        bulletins = reading.managed(ctx.session, ctx.me, RULES)
        if not bulletins:
            ctx.finish()
            ctx.say(bulletin_texts.MANAGE_EMPTY)
            return
        items = [
            (
                f"b{b.id}",
                item_label(ctx, b, bulletin_texts.WITHDRAWN_MARK if b.withdrawn_at else ""),
            )
            for b in bulletins
        ]
        options = [*page(items, number), ("done", bulletin_texts.BTN_CLOSE)]
        text = bulletin_texts.MANAGE_LIST.format(count=len(bulletins))
        ctx.ask(self.name, "pick", text, options, data={})

    def step_pick(self, ctx: Ctx, answer: Answer) -> None:
        key = answer.option or ""
        number = page_key(key)
        if number is not None:
            self._list(ctx, number)
            return
        bulletin_id = as_id(key[1:]) if key.startswith("b") else None
        if bulletin_id is None:
            ctx.finish()
            ctx.say(bulletin_texts.BYE)
            return
        bulletin = posting.managed_one(ctx.session, ctx.me, bulletin_id)
        ctx.state.data = {"bulletin": bulletin_id}
        self._item(ctx, bulletin)

    def _item(self, ctx: Ctx, bulletin: Bulletin) -> None:
        options: list[tuple[str, str]] = []
        if bulletin.withdrawn_at is None:
            if bulletin.pushed_at is None:
                options.append(("push", bulletin_texts.BTN_PUSH))
            if posting.may_withdraw(ctx.me, bulletin):
                options.append(("withdraw", bulletin_texts.BTN_WITHDRAW))
        options.append(("back", bulletin_texts.BTN_BACK))
        text = bulletin_text(ctx, bulletin, status=True)
        if bulletin.withdrawn_at is not None:
            text += "\n" + bulletin_texts.ALREADY_WITHDRAWN
        ctx.ask(self.name, "item", text, options, data={"bulletin": bulletin.id})

    def step_item(self, ctx: Ctx, answer: Answer) -> None:
        bulletin = ctx.subject
        assert bulletin is not None and bulletin.id is not None
        if answer.option == "push":
            reach = attempt(
                ctx, lambda: posting.push(ctx.session, ctx.me, bulletin.id, now=ctx.now)
            )
            if reach is not None:
                ctx.say(outbox.describe_reach(ctx.session, reach, what=bulletin_texts.PUSH_WHAT))
            self._list(ctx, 0)
        elif answer.option == "withdraw":
            options = [
                ("yes", bulletin_texts.BTN_CONFIRM_WITHDRAW),
                ("no", bulletin_texts.BTN_KEEP),
            ]
            text = bulletin_texts.ASK_WITHDRAW.format(title=bulletin.title)
            ctx.ask(self.name, "withdraw", text, options)
        else:
            self._list(ctx, 0)

    def step_withdraw(self, ctx: Ctx, answer: Answer) -> None:
        bulletin = ctx.subject
        assert bulletin is not None and bulletin.id is not None
        if answer.option == "yes":
            done = attempt(
                ctx, lambda: posting.withdraw(ctx.session, ctx.me, bulletin.id, now=ctx.now)
            )
            if done is not None:
                ctx.say(bulletin_texts.WITHDRAWN.format(title=done.title))
        self._list(ctx, 0)


MANAGE = BulletinManageFlow()


def register(registry: Registry) -> None:
    registry.command(
        Command("bantin_quanly", bulletin_texts.CMD_MANAGE, Audience.COMMITTEE, MANAGE.begin)
    )
    registry.flow(MANAGE)
