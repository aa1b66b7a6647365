"""`/tailieu_quanly`: committees (over their units), admins (anywhere) and a cell's leaders
(internal papers for their own cell) publish documents, mark one superseded by another, and
withdraw one.

Publishing is one guided flow: unit (when several), kind, number, date, issuer, title, summary,
the file (an upload, a link, or none), a preview, then "Đăng". Each answer is checked at its
step; nothing is written before "Đăng", and `documents.publish` checks the whole draft again
(the state may be old, the actor's roles may have changed), so /huy or a refusal at any point
leaves nothing behind.
"""

from __future__ import annotations

from handlers.context import Answer, Ctx, Flow
from handlers.flowkit import as_id, attempt, local_now, page, page_key
from handlers.registry import Audience, Command, Registry
from models import LibraryDocument, Unit
from services import texts
from services.auth import Permission, allows
from services.library import documents
from services.library import texts as library_texts
from services.library.access import may_publish, publish_units
from services.library.documents import Draft
from services.library.rules import (
    FILE_MAX_BYTES,
    ISSUER_MAX_CHARS,
    KINDS,
    SUMMARY_MAX_CHARS,
    TITLE_MAX_CHARS,
)
from services.library.views import card_text, list_label
from services.textnorm import shorten_text


class ManageFlow(Flow):
    name = "library_manage"

    def begin(self, ctx: Ctx, args: str) -> None:
        if not publish_units(ctx.session, ctx.me):
            ctx.say(library_texts.NO_PUBLISH_UNIT)
            return
        options = [
            ("publish", library_texts.BTN_PUBLISH),
            ("supersede", library_texts.BTN_SUPERSEDE),
            ("withdraw", library_texts.BTN_WITHDRAW),
            ("done", library_texts.BTN_DONE),
        ]
        ctx.ask(self.name, "menu", library_texts.MANAGE_MENU, options, data={})

    def reload(self, ctx: Ctx) -> bool:
        """The unit being published for must still be within the actor's reach."""
        unit_id = ctx.data.get("unit")
        if unit_id is None:
            return True
        unit = ctx.session.get(Unit, unit_id) if isinstance(unit_id, int) else None
        reach = unit is not None and (
            allows(ctx.me, Permission.OVERSEE, unit) or unit.id in ctx.me.managed_cell_ids
        )
        if not reach:
            ctx.finish()
            ctx.say(library_texts.NOT_YOURS if unit is not None else texts.SESSION_EXPIRED)
            return False
        ctx.subject = unit
        return True

    def step_menu(self, ctx: Ctx, answer: Answer) -> None:
        key = answer.option or ""
        if key == "publish":
            self._ask_unit(ctx, 0)
        elif key == "supersede":
            self._pick(ctx, "old", library_texts.PICK_OLD, 0)
        elif key == "withdraw":
            self._pick(ctx, "withdraw", library_texts.PICK_WITHDRAW, 0)
        else:
            ctx.finish()
            ctx.say(library_texts.BYE)

    # publishing
    def _ask_unit(self, ctx: Ctx, number: int) -> None:
        units = publish_units(ctx.session, ctx.me)
        if len(units) == 1 and units[0].id is not None:
            ctx.update_data(unit=units[0].id)
            ctx.subject = units[0]
            self._ask_kind(ctx)
            return
        items = [(f"u{u.id}", shorten_text(u.name, 60)) for u in units]
        ctx.ask(self.name, "unit", library_texts.ASK_UNIT, page(items, number))

    def step_unit(self, ctx: Ctx, answer: Answer) -> None:
        key = answer.option or ""
        number = page_key(key)
        if number is not None:
            self._ask_unit(ctx, number)
            return
        unit_id = as_id(key[1:]) if key.startswith("u") else None
        units = {u.id: u for u in publish_units(ctx.session, ctx.me)}
        if unit_id not in units:
            ctx.say(texts.STALE_BUTTON)
            self._ask_unit(ctx, 0)
            return
        ctx.update_data(unit=unit_id)
        ctx.subject = units[unit_id]
        self._ask_kind(ctx)

    def _kinds(self, ctx: Ctx) -> list[tuple[str, str]]:
        unit = ctx.subject
        return [(k, label) for k, label in KINDS.items() if may_publish(ctx.me, unit, k)]

    def _ask_kind(self, ctx: Ctx) -> None:
        kinds = self._kinds(ctx)
        if len(kinds) == 1:  # a cell's leaders: internal papers only, nothing to ask
            ctx.say(library_texts.ASK_KIND_CELL)
            ctx.update_data(kind=kinds[0][0])
            ctx.ask(self.name, "number", library_texts.ASK_NUMBER)
            return
        ctx.ask(self.name, "kind", library_texts.ASK_KIND, kinds)

    def step_kind(self, ctx: Ctx, answer: Answer) -> None:
        kind = answer.option or ""
        if kind not in dict(self._kinds(ctx)):
            ctx.say(library_texts.KIND_FORBIDDEN)
            self._ask_kind(ctx)
            return
        ctx.update_data(kind=kind)
        ctx.ask(self.name, "number", library_texts.ASK_NUMBER)

    def step_number(self, ctx: Ctx, answer: Answer) -> None:
        number = attempt(ctx, lambda: documents.clean_number(answer.text or ""))
        if number is None:
            ctx.ask(self.name, "number", library_texts.ASK_NUMBER)
            return
        ctx.update_data(number=number)
        ctx.ask(self.name, "date", library_texts.ASK_DATE)

    def step_date(self, ctx: Ctx, answer: Answer) -> None:
        today = local_now(ctx).date()
        issued = attempt(ctx, lambda: documents.clean_issued_on(answer.text or "", today))
        if issued is None:
            ctx.ask(self.name, "date", library_texts.ASK_DATE)
            return
        ctx.update_data(issued_on=issued.isoformat())
        ctx.ask(self.name, "issuer", library_texts.ASK_ISSUER)

    def step_issuer(self, ctx: Ctx, answer: Answer) -> None:
        issuer = attempt(ctx, lambda: documents.clean_line(answer.text or "", ISSUER_MAX_CHARS))
        if issuer is None:
            ctx.ask(self.name, "issuer", library_texts.ASK_ISSUER)
            return
        unit: Unit = ctx.subject
        number = str(ctx.data.get("number") or "")
        if documents.find_duplicate(ctx.session, unit.id or 0, number, issuer) is not None:
            ctx.say(library_texts.DUPLICATE.format(unit=unit.name, number=number, issuer=issuer))
            ctx.ask(self.name, "number", library_texts.ASK_NUMBER)
            return
        ctx.update_data(issuer=issuer)
        ctx.ask(self.name, "title", library_texts.ASK_TITLE)

    def step_title(self, ctx: Ctx, answer: Answer) -> None:
        title = attempt(ctx, lambda: documents.clean_line(answer.text or "", TITLE_MAX_CHARS))
        if title is None:
            ctx.ask(self.name, "title", library_texts.ASK_TITLE)
            return
        ctx.update_data(title=title)
        self._ask_summary(ctx)

    def _ask_summary(self, ctx: Ctx) -> None:
        ctx.ask(self.name, "summary", library_texts.ASK_SUMMARY.format(limit=SUMMARY_MAX_CHARS))

    def step_summary(self, ctx: Ctx, answer: Answer) -> None:
        summary = attempt(ctx, lambda: documents.clean_summary(answer.text or ""))
        if summary is None:
            self._ask_summary(ctx)
            return
        ctx.update_data(summary=summary)
        self._ask_file(ctx)

    def _ask_file(self, ctx: Ctx) -> None:
        ctx.ask(
            self.name,
            "file",
            library_texts.ASK_FILE.format(mb=FILE_MAX_BYTES // 1024 // 1024),
            [("none", library_texts.BTN_NO_FILE)],
            accepts_file=True,
            typed_step="link",
        )

    def step_file(self, ctx: Ctx, answer: Answer) -> None:
        upload = answer.file
        if upload is None:  # "Không có tệp"
            ctx.update_data(file_ref=None, file_name=None, file_kind=None, file_channel=None)
            self._preview(ctx)
            return
        kind = attempt(
            ctx, lambda: documents.check_upload(upload.kind, upload.name, upload.mime, upload.size)
        )
        if kind is None or not upload.file_id:
            self._ask_file(ctx)
            return
        link = documents.is_link(upload.file_id)
        ctx.update_data(
            file_ref=upload.file_id[:500],
            file_name=(upload.name or "").strip()[:200] or None,
            file_kind=kind,
            file_channel=None if link else ctx.incoming.channel,
        )
        self._preview(ctx)

    def step_link(self, ctx: Ctx, answer: Answer) -> None:
        link = attempt(ctx, lambda: documents.clean_link(answer.text or ""))
        if link is None:
            self._ask_file(ctx)
            return
        ctx.update_data(file_ref=link, file_name=None, file_kind="document", file_channel=None)
        self._preview(ctx)

    def _draft(self, ctx: Ctx) -> Draft | None:
        try:
            return Draft.from_data(ctx.data)
        except ValueError:
            ctx.finish()
            ctx.say(texts.SESSION_EXPIRED)
            return None

    def _preview(self, ctx: Ctx) -> None:
        draft = self._draft(ctx)
        if draft is None:
            return
        unit: Unit = ctx.subject
        shown = LibraryDocument(
            unit_id=draft.unit_id,
            kind=draft.kind,
            number=draft.number,
            number_key="",
            issued_on=draft.issued_on,
            issuer=draft.issuer,
            title=draft.title,
            summary=draft.summary,
            folded="",
        )
        if draft.file_ref is None:
            file = library_texts.PREVIEW_NO_FILE
        else:
            file = draft.file_name or draft.file_ref
        text = library_texts.PREVIEW.format(unit=unit.name, document=card_text(shown), file=file)
        options = [("ok", library_texts.BTN_CONFIRM), ("cancel", library_texts.BTN_CANCEL)]
        ctx.ask(self.name, "confirm", text, options)

    def step_confirm(self, ctx: Ctx, answer: Answer) -> None:
        if answer.option != "ok":
            ctx.finish()
            ctx.say(library_texts.CANCELLED)
            return
        draft = self._draft(ctx)
        if draft is None:
            return
        today = local_now(ctx).date()
        unit: Unit = ctx.subject
        ctx.finish()
        published = attempt(
            ctx,
            lambda: documents.publish(ctx.session, ctx.me, draft, now=ctx.now, today=today),
        )
        if published is not None:
            ctx.say(
                library_texts.PUBLISHED.format(
                    kind=KINDS[published.kind], number=published.number, unit=unit.name
                )
            )

    # superseding and withdrawing
    def _pick(self, ctx: Ctx, step: str, text: str, number: int) -> None:
        found = documents.manageable(ctx.session, ctx.me)
        if not found:
            ctx.finish()
            ctx.say(library_texts.NOTHING_TO_MANAGE)
            return
        items = [(f"d{d.id}", list_label(d)) for d in found]
        ctx.ask(self.name, step, text, page(items, number))

    def _picked(self, ctx: Ctx, answer: Answer, step: str, text: str) -> LibraryDocument | None:
        """The document picked from `_pick`'s list, re-checked (`for_manager`); None when the
        answer turned a page or the pick was refused (the list is shown again)."""
        key = answer.option or ""
        number = page_key(key)
        document_id = as_id(key[1:]) if key.startswith("d") else None
        document = None
        if number is None and document_id is not None:
            document = attempt(ctx, lambda: documents.for_manager(ctx.session, ctx.me, document_id))
        if document is None:
            self._pick(ctx, step, text, number or 0)
        return document

    def step_old(self, ctx: Ctx, answer: Answer) -> None:
        old = self._picked(ctx, answer, "old", library_texts.PICK_OLD)
        if old is not None:
            ctx.update_data(old=old.id)
            self._ask_new(ctx, 0)

    def _ask_new(self, ctx: Ctx, number: int) -> None:
        old_id = int(ctx.data.get("old") or 0)
        old = attempt(ctx, lambda: documents.for_manager(ctx.session, ctx.me, old_id))
        if old is None:  # withdrawn meanwhile
            ctx.finish()
            return
        candidates = documents.replacement_candidates(ctx.session, ctx.me, old)
        if not candidates:
            ctx.finish()
            ctx.say(library_texts.NO_NEWER)
            return
        items = [(f"d{d.id}", list_label(d)) for d in candidates]
        ctx.ask(
            self.name, "new", library_texts.PICK_NEW.format(number=old.number), page(items, number)
        )

    def step_new(self, ctx: Ctx, answer: Answer) -> None:
        key = answer.option or ""
        number = page_key(key)
        if number is not None:
            self._ask_new(ctx, number)
            return
        new_id = as_id(key[1:]) if key.startswith("d") else None
        old_id = ctx.data.get("old")
        if new_id is None or not isinstance(old_id, int):
            ctx.finish()
            ctx.say(texts.SESSION_EXPIRED)
            return
        done = attempt(
            ctx, lambda: documents.supersede(ctx.session, ctx.me, old_id, new_id, now=ctx.now)
        )
        if done is None:
            self._ask_new(ctx, 0)
            return
        ctx.finish()
        old, new = done
        ctx.say(library_texts.SUPERSEDED.format(old=old.number, new=new.number))

    def step_withdraw(self, ctx: Ctx, answer: Answer) -> None:
        document = self._picked(ctx, answer, "withdraw", library_texts.PICK_WITHDRAW)
        if document is None:
            return
        options = [("yes", library_texts.BTN_YES_WITHDRAW), ("cancel", library_texts.BTN_CANCEL)]
        text = library_texts.CONFIRM_WITHDRAW.format(number=document.number, title=document.title)
        ctx.ask(self.name, "withdraw_confirm", text, options, data={"doc": document.id})

    def step_withdraw_confirm(self, ctx: Ctx, answer: Answer) -> None:
        document_id = ctx.data.get("doc")
        ctx.finish()
        if answer.option != "yes" or not isinstance(document_id, int):
            ctx.say(library_texts.CANCELLED)
            return
        done = attempt(
            ctx, lambda: documents.withdraw(ctx.session, ctx.me, document_id, now=ctx.now)
        )
        if done is not None:
            ctx.say(library_texts.WITHDRAWN.format(number=done.number))


MANAGE = ManageFlow()


def register(registry: Registry) -> None:
    registry.command(
        Command("tailieu_quanly", library_texts.CMD_MANAGE, Audience.LEADER, MANAGE.begin)
    )
    registry.flow(MANAGE)
