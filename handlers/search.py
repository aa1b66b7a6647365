"""`/timkiem <từ khóa>`, and a plain private message of three or more words that means
nothing else, read as a search (issue 15).

The search reads what the features offer at `SEARCHABLE` (from the wiring list, in
`ctx.config.offers`), so a new feature is searched by its own declaration. The text route is
registered by this feature and so tried after the check-in code's (routes run in
registration order, and the search is listed after the meetings); it refuses anything that
is not words anyway (a code "48 21" or "4 8 2 1" has no letters) and anything that names a
command in words ("lich hop"), so neither can be swallowed by it.
"""

from __future__ import annotations

from handlers.context import Ctx
from handlers.registry import Audience, Command, Registry, TextRoute, Topic
from services.errors import UserError
from services.offers import SEARCHABLE
from services.search import texts as search_texts
from services.search.query import MAX_CHARS, Results, search
from services.textnorm import fold_words
from services.vndate import format_vn_date

# A plain message is read as a search only with this many words, letters in two of them.
ROUTE_MIN_WORDS = 3


def search_command(ctx: Ctx, args: str) -> None:
    if not args.strip():
        ctx.say(search_texts.SEARCH_ASK)
        return
    answer(ctx, args)


def plain_words(ctx: Ctx, text: str) -> None:
    """A plain message read as a search: only items with every word. A greeting or a
    sentence meant for someone else ("xin chào các đồng chí") must not bring a list of
    whatever shares one of its words; `/timkiem` does that when asked."""
    answer(ctx, text, partial=False)


def answer(ctx: Ctx, text: str, *, partial: bool = True) -> None:
    """Search for `text` as this member and say what was found, with options to open it."""
    try:
        results = search(
            ctx.session,
            ctx.me,
            text,
            sources=ctx.config.offers.of(SEARCHABLE),
            now=ctx.now,
            partial=partial,
        )
    except UserError as refused:
        ctx.say(refused.message)
        return
    body, opens = render(ctx, results)
    if opens:
        ctx.menu(body, opens)
    else:
        ctx.say(body)


def render(ctx: Ctx, results: Results) -> tuple[str, list[tuple[str, str]]]:
    """The answer's text and its options: one "Xem …" per command that opens a hit."""
    query = results.query.text
    if not results.hits:
        lines = [search_texts.SEARCH_NONE.format(query=query), search_texts.SEARCH_NONE_HINT]
        if results.query.cut:
            lines.append(search_texts.SEARCH_CUT.format(limit=MAX_CHARS))
        return "\n".join(lines), []
    lines = [search_texts.SEARCH_HEADER.format(query=query)]
    options: dict[str, str] = {}
    for n, hit in enumerate(results.hits, 1):
        date = format_vn_date(hit.at.astimezone(ctx.config.tz).date())
        redundant = not hit.snippet or fold_words(hit.snippet).startswith(fold_words(hit.title))
        template = search_texts.SEARCH_HIT if redundant else search_texts.SEARCH_HIT_SNIPPET
        lines.append(
            template.format(n=n, label=hit.label, date=date, title=hit.title, snippet=hit.snippet)
        )
        # Only commands: a button payload read back from the index is not a declared
        # `ButtonPayload` any more, and the menu offers nothing else.
        if hit.opens and hit.opens.startswith("/") and hit.opens not in options:
            options[hit.opens] = search_texts.SEARCH_OPEN.format(label=hit.label)
    if results.partial:
        lines.append(search_texts.SEARCH_PARTIAL)
    if results.query.cut:
        lines.append(search_texts.SEARCH_CUT.format(limit=MAX_CHARS))
    return "\n".join(lines), list(options.items())


def looks_like_words(text: str) -> bool:
    """A message that reads as a query: three words or more, letters in at least two."""
    words = fold_words(text).split()
    lettered = sum(any(ch.isalpha() for ch in word) for word in words)
    return len(words) >= ROUTE_MIN_WORDS and lettered >= 2 and not text.lstrip().startswith("/")


def register(registry: Registry) -> None:
    registry.command(
        Command(
            "timkiem",
            search_texts.CMD_SEARCH,
            Audience.MEMBER,
            search_command,
            ("tim",),
            topic=Topic.LOOKUP,
        )
    )

    def matches(text: str) -> bool:
        return looks_like_words(text) and registry.find_word(text) is None

    registry.text_route(TextRoute("search", matches, plain_words))
