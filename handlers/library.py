"""The library in the chat: `/tailieu` (newest, by kind, "Đã lưu", typed words as a search;
open a document, get its file, save it, follow what replaced it) and the `lib_doc:{id}` button
on a delivered file.

The rules, refusals and queries are in `services/library`; this module asks and shows. Every
document id comes from a button and is checked again by the service (`for_reader`), so an old
or forged one is refused like a missing document.
"""

from __future__ import annotations

from handlers import library_manage
from handlers.context import Answer, Ctx, Flow
from handlers.flowkit import as_id, attempt, page, page_key
from handlers.registry import Action, Audience, Command, Registry, Topic
from models import LibraryDocument
from services import texts
from services.errors import UserError
from services.library import documents, files, saved
from services.library import texts as library_texts
from services.library.rules import KINDS, OPEN
from services.library.views import card, list_label


class LibraryFlow(Flow):
    """`/tailieu [words]`: the menu, a list (paged), a document. Words typed at any step
    search the library. The state keeps only ids and the list's source, never a document."""

    name = "library"

    def begin(self, ctx: Ctx, args: str) -> None:
        ctx.state.data = {}
        if args.strip():
            self._find(ctx, args)
        else:
            self._menu(ctx)

    def _menu(self, ctx: Ctx) -> None:
        options = [
            ("new", library_texts.BTN_NEWEST),
            ("kinds", library_texts.BTN_BY_KIND),
            ("saved", library_texts.BTN_SAVED),
            ("done", library_texts.BTN_DONE),
        ]
        ctx.ask(self.name, "menu", library_texts.MENU, options, data={}, typed_step="typed")

    def step_menu(self, ctx: Ctx, answer: Answer) -> None:
        key = answer.option or ""
        if key == "new":
            self._list(ctx, "new", 0)
        elif key == "kinds":
            options = [(f"k.{k}", label) for k, label in KINDS.items()]
            options.append(("back", library_texts.BTN_BACK))
            ctx.ask(self.name, "kind", library_texts.KINDS_ASK, options, typed_step="typed")
        elif key == "saved":
            self._list(ctx, "saved", 0)
        else:
            self._bye(ctx)

    def step_kind(self, ctx: Ctx, answer: Answer) -> None:
        key = answer.option or ""
        if key.startswith("k.") and key[2:] in KINDS:
            self._list(ctx, key, 0)
        else:
            self._menu(ctx)

    def step_typed(self, ctx: Ctx, answer: Answer) -> None:
        self._find(ctx, answer.text or "")

    def _find(self, ctx: Ctx, text: str) -> None:
        query = " ".join(text.split())[:100]
        if attempt(ctx, lambda: documents.find(ctx.session, ctx.me, query)) is None:
            self._menu(ctx)
            return
        self._list(ctx, f"q.{query}", 0)

    # lists
    def _documents(self, ctx: Ctx, source: str) -> list[LibraryDocument]:
        if source == "saved":
            return saved.saved(ctx.session, ctx.me)
        if source.startswith("k."):
            return documents.newest(ctx.session, ctx.me, source[2:])
        if source.startswith("q."):
            return documents.find(ctx.session, ctx.me, source[2:])
        return documents.newest(ctx.session, ctx.me)

    def _heading(self, source: str, count: int) -> str:
        if source == "saved":
            return library_texts.LIST_SAVED.format(count=count)
        if source.startswith("k."):
            return library_texts.LIST_KIND.format(kind=KINDS.get(source[2:], ""), count=count)
        if source.startswith("q."):
            return library_texts.LIST_FOUND.format(query=source[2:], count=count)
        return library_texts.LIST_NEWEST.format(count=count)

    def _list(self, ctx: Ctx, source: str, number: int) -> None:
        found = self._documents(ctx, source)
        if not found:
            if source == "saved":
                ctx.say(library_texts.EMPTY_SAVED)
            elif source.startswith("q."):
                ctx.say(library_texts.NOT_FOUND.format(query=source[2:]))
            else:
                ctx.say(library_texts.EMPTY)
            self._menu(ctx)
            return
        items = [(f"d{d.id}", list_label(d)) for d in found]
        options = [*page(items, number), ("back", library_texts.BTN_BACK)]
        ctx.ask(
            self.name,
            "list",
            self._heading(source, len(found)),
            options,
            data={"source": source, "page": number},
            typed_step="typed",
        )

    def step_list(self, ctx: Ctx, answer: Answer) -> None:
        key = answer.option or ""
        number = page_key(key)
        source = str(ctx.data.get("source") or "new")
        if number is not None:
            self._list(ctx, source, number)
        elif key.startswith("d") and as_id(key[1:]) is not None:
            self._open(ctx, as_id(key[1:]) or 0)
        else:
            self._menu(ctx)

    # one document
    def _open(self, ctx: Ctx, document_id: int, prompt: str | None = None) -> None:
        document = attempt(ctx, lambda: documents.for_reader(ctx.session, ctx.me, document_id))
        if document is None:
            self._back_to_list(ctx)
            return
        seen = card(ctx.session, ctx.me, document)
        options: list[tuple[str, str]] = []
        if document.file_ref:
            options.append(("file", library_texts.BTN_FILE))
        if saved.is_saved(ctx.session, ctx.me, document_id):
            options.append(("unsave", library_texts.BTN_UNSAVE))
        else:
            options.append(("save", library_texts.BTN_SAVE))
        if seen.newer is not None:
            options.append((f"o{seen.newer.id}", library_texts.BTN_NEWER))
        options += [(f"o{d.id}", f"{library_texts.BTN_OLDER}: {d.number}") for d in seen.older]
        if ctx.data.get("source"):
            options.append(("list", library_texts.BTN_LIST))
        options.append(("done", library_texts.BTN_DONE))
        ctx.update_data(doc=document_id)
        ctx.ask(self.name, "doc", prompt or seen.text, options, typed_step="typed")

    def step_doc(self, ctx: Ctx, answer: Answer) -> None:
        key = answer.option or ""
        document_id = ctx.data.get("doc")
        if not isinstance(document_id, int):
            self._menu(ctx)
            return
        if key == "file":
            said = attempt(
                ctx, lambda: files.send_file(ctx.session, ctx.me, document_id, now=ctx.now)
            )
            if said is not None:
                ctx.say(said)
            self._open(ctx, document_id, prompt=library_texts.AFTER_ACTION)
        elif key == "save":
            kept = attempt(ctx, lambda: saved.save(ctx.session, ctx.me, document_id, now=ctx.now))
            if kept is not None:
                ctx.say(library_texts.SAVED)
            self._open(ctx, document_id, prompt=library_texts.AFTER_ACTION)
        elif key == "unsave":
            saved.unsave(ctx.session, ctx.me, document_id)
            ctx.say(library_texts.UNSAVED)
            self._open(ctx, document_id, prompt=library_texts.AFTER_ACTION)
        elif key.startswith("o") and as_id(key[1:]) is not None:
            self._open(ctx, as_id(key[1:]) or 0)
        elif key == "list":
            self._back_to_list(ctx)
        else:
            self._bye(ctx)

    def _back_to_list(self, ctx: Ctx) -> None:
        source = ctx.data.get("source")
        number = ctx.data.get("page")
        if isinstance(source, str) and source:
            self._list(ctx, source, number if isinstance(number, int) else 0)
        else:
            self._menu(ctx)

    def _bye(self, ctx: Ctx) -> None:
        ctx.finish()
        ctx.say(library_texts.BYE)

    def open_from_button(self, ctx: Ctx, args: list[str]) -> None:
        """`lib_doc:{id}`: the document's card, as if opened from the library."""
        document_id = as_id(args[0]) if len(args) == 1 else None
        if document_id is None:
            ctx.say(texts.STALE_BUTTON)
            return
        try:
            documents.for_reader(ctx.session, ctx.me, document_id)
        except UserError as refused:
            ctx.say(refused.message)
            return
        ctx.state.data = {}
        self._open(ctx, document_id)


LIBRARY = LibraryFlow()


def _open_action(ctx: Ctx, args: list[str]) -> None:
    LIBRARY.open_from_button(ctx, args)


def register(registry: Registry) -> None:
    """The members' side and the publishers' (`handlers.library_manage`), as one feature."""
    registry.command(
        Command(
            "tailieu",
            library_texts.CMD_LIBRARY,
            Audience.MEMBER,
            LIBRARY.begin,
            topic=Topic.LOOKUP,
        )
    )
    registry.flow(LIBRARY)
    registry.action(Action(OPEN, _open_action))
    library_manage.register(registry)
