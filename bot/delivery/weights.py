"""How many API calls a delivery will take: the slots it needs in the token's schedule.

The platform counts calls, not rows: a long text split in parts, or a text too long to be a
photo's caption followed by the photo, is two or more messages. A claim gives such a row as
many slots as it will make calls, and the send window counts them while they are in flight,
so a broadcast of two-part messages keeps the limit as a broadcast of one-part messages does.

Estimated from the payload alone (a claim must not read files or render), on the generous
side: a split at paragraph boundaries may need more parts than length / limit, hence the 90 %.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from bot.telegram.render import MAX_CAPTION
from bot.telegram.render import MAX_MESSAGE as TELEGRAM_TEXT
from bot.zalo.split import MAX_MESSAGE as ZALO_TEXT
from models import Channel

_FILL = 0.9  # how full a split part is, at worst, on average
_OPTION_LINE = 8  # "12. " and a line break around a Zalo option's label
_OPTION_HINT = 40  # the hint line under Zalo's numbered options


def calls_for(channel: str, payload: Mapping[str, Any]) -> int:
    """At least one; the text's parts, plus the file when it cannot ride as a caption."""
    text = len(str(payload.get("text") or ""))
    spec = payload.get("file")
    has_file = isinstance(spec, Mapping) and bool(spec.get("ref"))
    if channel == Channel.ZALO:
        options = payload.get("options") or ()
        labels = sum(len(str(o.get("label", ""))) + _OPTION_LINE for o in options if o)
        body = text + labels + (_OPTION_HINT if options else 0)
        after = (1 + (1 if options else 0)) if has_file else 0  # the photo, the menu below it
        return _parts(body, ZALO_TEXT) + after
    if has_file and text <= MAX_CAPTION:
        return 1
    return _parts(text, TELEGRAM_TEXT) + (1 if has_file else 0)


def _parts(length: int, limit: int) -> int:
    return max(1, math.ceil(length / (limit * _FILL)))
