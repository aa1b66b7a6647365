"""The FAQ slice's numbers and button ids, in one place, so a province can adjust them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from services.buttons import ButtonId

# Buttons outside any flow (docs/core.md, "Buttons outside a flow"), answered in handlers/faq.py.
ANSWER = ButtonId("faq_ans")  # faq_ans:{question}: the secretary answers a relayed question


@dataclass(frozen=True)
class FaqRules:
    """`threshold` is the share of the question's weighted words an entry must match to be
    shown (below it, "nothing found" is more honest than a wrong answer); `remind_after` is
    when an unanswered question is reminded, once."""

    results: int = 3
    threshold: float = 0.3
    max_query_words: int = 30
    max_answer_chars: int = 600  # the curated and imported answers: a phone screen
    question_min_chars: int = 5
    question_max_chars: int = 1000
    reply_max_chars: int = 1500
    remind_after: timedelta = timedelta(days=3)
    mine_shown: int = 10
    id_max_chars: int = 40  # an entry id travels in a button with its flow's nonce


DEFAULT_FAQ_RULES = FaqRules()
