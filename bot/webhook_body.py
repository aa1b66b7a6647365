"""A webhook's JSON body, read without trusting it: a bad body is a 400 or a 413, never a 500.

Anyone can reach a webhook URL. Only the secret header is checked before the body, and even
with the right secret the body must not be able to cost memory, stack or a traceback:

* the declared `Content-Length` is checked before anything is read, and the stream is read
  with a cap (reading stops at the first byte past the limit), so a chunked body without a
  length is bounded too;
* `json.loads` raises `RecursionError` (not a `ValueError`) on very deep nesting, and a body
  that parses but nests deeper than any real update is refused as well, so nothing after
  (PTB's `de_json`, our own walks) can recurse past Python's limit;
* a refusal carries no detail and logs no traceback.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from starlette.requests import ClientDisconnect, Request

# Real updates nest about ten deep (Telegram: update → callback_query → message → reply_markup
# → inline_keyboard → row → button → …); anything far deeper is not an update.
MAX_DEPTH = 32


class BodyRefused(Exception):
    """The body cannot be taken; `status` is the HTTP answer (400 or 413)."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


async def read_json(request: Request, *, max_body: int, max_depth: int = MAX_DEPTH) -> object:
    """The parsed body, or `BodyRefused`: 413 past `max_body` bytes (declared or read),
    400 for a bad length, a body that is not JSON, or one nested deeper than `max_depth`."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdigit():
            raise BodyRefused(400)
        if int(declared) > max_body:
            raise BodyRefused(413)
    body = await read_capped(request, max_body)
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        raise BodyRefused(400) from None
    if nested_deeper_than(data, max_depth):
        raise BodyRefused(400)
    return data


async def read_capped(request: Request, max_body: int) -> bytes:
    """The body, reading no further than one chunk past `max_body` (then `BodyRefused(413)`).

    Not `request.body()`: that reads everything before anyone can look at the size.
    """
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > max_body:
                raise BodyRefused(413)
            chunks.append(chunk)
    except ClientDisconnect:
        raise BodyRefused(400) from None  # nobody is left to read the answer
    return b"".join(chunks)


def nested_deeper_than(data: object, limit: int) -> bool:
    """Whether lists and objects nest more than `limit` deep (a scalar is 0, `[]` is 1).

    A loop over an explicit stack, so it cannot itself run out of recursion.
    """
    pending: list[tuple[object, int]] = [(data, 0)]
    children: Iterable[object]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth + 1 > limit:
            return True
        pending.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False
