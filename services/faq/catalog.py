"""The FAQ as members read it: the curated entries shipped in `data/faq.toml`, what the
province imported over them, the pairs secretaries and committees published, and whether
each entry has been approved; and `best`, which finds the entries closest to a question.

Matching is in memory, by words folded without diacritics (`services.textnorm`), so
"chuyen sinh hoat dang" finds "chuyển sinh hoạt đảng". A few hundred entries take well
under a millisecond; full-text search across features belongs to the search slice.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import tomllib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import cache
from importlib import resources
from typing import Any

from sqlmodel import Session, col, select

from models import FaqEntry, FaqReview, Unit
from services.faq.rules import DEFAULT_FAQ_RULES, FaqRules
from services.textnorm import fold_words

SHIPPED = "shipped"
IMPORTED = "import"
PUBLISHED = "published"

# Words too common in Vietnamese questions to tell entries apart (folded). Kept short on
# purpose: "chi" (chi bộ), "bi" (dự bị, bí thư) and "dong" (đóng, đồng chí) carry meaning here.
_STOP = """
    a ai ay bao cac can cho co cua da de den duoc gi hay hoi khi khong la lam ma minh mot nao
    nay neu nhu nhung nhieu o oi roi sao se thi the theo toi tu va vay ve voi vi xin em ban
"""
STOP_WORDS = frozenset(_STOP.split())
_QUESTION_WEIGHT = 3.0
_TOPIC_WEIGHT = 2.0
_ANSWER_WEIGHT = 1.0
_PAIR_BONUS = 1.0  # two query words side by side in the question, as typed


def words(text: str) -> list[str]:
    """The words that count: folded, no stop words, no single letters."""
    return [
        w for w in fold_words(text).split() if w not in STOP_WORDS and (len(w) > 1 or w.isdigit())
    ]


def digest(question: str, answer: str, source: str) -> str:
    """What an approval is of: the wording a reviewer read. Any change makes it unreviewed."""
    text = "\x1f".join((question.strip(), answer.strip(), source.strip()))
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Entry:
    """One question and answer, as shown. `reviewed` is True for a published pair (the
    secretary's own answer) and for a curated or imported entry once approved."""

    key: str
    topic: str
    question: str
    answer: str
    source: str
    reviewed: bool = False
    origin: str = SHIPPED
    unit_id: int | None = None

    @property
    def digest(self) -> str:
        return digest(self.question, self.answer, self.source)


@dataclass(frozen=True)
class Match:
    entry: Entry
    score: float


@dataclass(frozen=True)
class _Indexed:
    entry: Entry
    question: frozenset[str]
    topic: frozenset[str]
    answer: frozenset[str]
    pairs: frozenset[tuple[str, str]]


def _pairs(seq: Sequence[str]) -> frozenset[tuple[str, str]]:
    return frozenset(itertools.pairwise(seq))


@dataclass
class Catalog:
    """Entries with their words folded once, for matching and browsing."""

    entries: list[Entry]
    _index: list[_Indexed] = field(init=False, repr=False)
    _idf: dict[str, float] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._index = []
        df: Counter[str] = Counter()
        for entry in self.entries:
            question = words(entry.question)
            item = _Indexed(
                entry,
                frozenset(question),
                frozenset(words(entry.topic)),
                frozenset(words(entry.answer)),
                _pairs(question),
            )
            self._index.append(item)
            df.update(item.question | item.topic | item.answer)
        total = len(self.entries)
        self._idf = {w: math.log((total + 1) / (n + 0.5)) + 0.1 for w, n in df.items()}
        self._unknown = math.log((total + 1) / 0.5) + 0.1

    def get(self, key: str) -> Entry | None:
        return next((e for e in self.entries if e.key == key), None)

    def topics(self) -> list[str]:
        """The topics, in the order their first entry appears."""
        return list(dict.fromkeys(e.topic for e in self.entries))

    def in_topic(self, topic: str) -> list[Entry]:
        return [e for e in self.entries if e.topic == topic]

    def best(self, text: str, n: int = 3, rules: FaqRules = DEFAULT_FAQ_RULES) -> list[Match]:
        """The `n` entries closest to `text`, best first, each with a score in [0, 1];
        none below `rules.threshold`. A word in an entry's question weighs three times one
        in its answer, and rare words more than common ones."""
        query = list(dict.fromkeys(words(text[:2000])))[: rules.max_query_words]
        if not query:
            return []
        weight = {w: self._idf.get(w, self._unknown) for w in query}
        norm = _QUESTION_WEIGHT * sum(weight.values())
        pairs = _pairs(query)
        found: list[tuple[float, int, Entry]] = []
        for order, item in enumerate(self._index):
            score = 0.0
            for w in query:
                if w in item.question:
                    score += _QUESTION_WEIGHT * weight[w]
                elif w in item.topic:
                    score += _TOPIC_WEIGHT * weight[w]
                elif w in item.answer:
                    score += _ANSWER_WEIGHT * weight[w]
            for a, b in pairs & item.pairs:
                score += _PAIR_BONUS * (weight[a] + weight[b]) / 2
            if score / norm >= rules.threshold:
                found.append((score, order, item.entry))
        found.sort(key=lambda f: (-f[0], f[1]))
        return [Match(entry, round(min(s / norm, 1.0), 3)) for s, _order, entry in found[:n]]


# --- The shipped file ---------------------------------------------------------------------


def parse_shipped(raw: dict[str, Any]) -> list[Entry]:
    """The data file's entries, topic keys resolved to their labels; a malformed file fails
    loudly (its tests catch a bad edit before a release)."""
    topics = raw.get("topics") or {}
    entries = []
    for item in raw.get("entry") or []:
        topic = topics[item["topic"]]
        entries.append(
            Entry(
                key=str(item["id"]),
                topic=str(topic),
                question=str(item["question"]).strip(),
                answer=str(item["answer"]).strip(),
                source=str(item["source"]).strip(),
                reviewed=bool(item.get("reviewed", False)),
            )
        )
    return entries


@cache
def shipped() -> tuple[Entry, ...]:
    """The curated entries of this release (`services/faq/data/faq.toml`)."""
    text = resources.files("services.faq").joinpath("data/faq.toml").read_bytes()
    return tuple(parse_shipped(tomllib.loads(text.decode("utf-8"))))


@cache
def released() -> date:
    """The day of the shipped file's wording (its `released`; bumped with every change): the
    date the search shows beside a curated entry."""
    text = resources.files("services.faq").joinpath("data/faq.toml").read_bytes()
    value = tomllib.loads(text.decode("utf-8")).get("released")
    if not isinstance(value, date) or isinstance(value, datetime):
        raise ValueError("services/faq/data/faq.toml needs `released = YYYY-MM-DD`")
    return value


@cache
def shipped_topics() -> dict[str, str]:
    """The shipped file's topic keys and labels (`phi` → `Đảng phí`)."""
    text = resources.files("services.faq").joinpath("data/faq.toml").read_bytes()
    topics = tomllib.loads(text.decode("utf-8")).get("topics") or {}
    return {str(k): str(v) for k, v in topics.items()}


@cache
def _shipped_catalog() -> Catalog:
    return Catalog(list(shipped()))


def best(question_text: str, n: int = 3, rules: FaqRules = DEFAULT_FAQ_RULES) -> list[Match]:
    """The best `n` curated entries for a question (no database: the shipped file only)."""
    return _shipped_catalog().best(question_text, n, rules)


# --- With the database ---------------------------------------------------------------------


def _row_entry(row: FaqEntry) -> Entry:
    return Entry(
        key=row.key,
        topic=row.topic,
        question=row.question,
        answer=row.answer,
        source=row.source,
        reviewed=row.origin == PUBLISHED,
        origin=row.origin,
        unit_id=row.unit_id,
    )


def _approved(session: Session, entries: Iterable[Entry]) -> list[Entry]:
    """The entries with `reviewed` set from the approvals of their current wording."""
    listed = list(entries)
    keys = [e.key for e in listed if not e.reviewed]
    reviews = (
        {
            r.key: r.digest
            for r in session.exec(select(FaqReview).where(col(FaqReview.key).in_(keys)))
        }
        if keys
        else {}
    )
    return [
        e if e.reviewed or reviews.get(e.key) != e.digest else _with(e, reviewed=True)
        for e in listed
    ]


def _with(entry: Entry, **changes: Any) -> Entry:
    return replace(entry, **changes)


def general(session: Session) -> list[Entry]:
    """The entries everyone reads: the shipped ones, each replaced by an imported entry of the
    same id, then the other imported ones; with their approvals."""
    imported = session.exec(
        select(FaqEntry)
        .where(FaqEntry.origin == IMPORTED)
        .where(col(FaqEntry.unit_id).is_(None))
        .order_by(col(FaqEntry.id))
    ).all()
    by_key = {row.key: _row_entry(row) for row in imported}
    merged = [by_key.pop(e.key, e) for e in shipped()]
    return _approved(session, [*merged, *by_key.values()])


def unit_chain(session: Session, cell_id: int) -> list[int]:
    """The cell and every unit above it: whose published pairs its members read."""
    cell = session.get(Unit, cell_id)
    if cell is None:
        return []
    ids = [int(p) for p in cell.lineage.strip("/").split("/") if p.isdigit()]
    return list(dict.fromkeys([*ids, cell_id]))


def for_cell(session: Session, cell_id: int) -> Catalog:
    """What a member of `cell_id` reads: the general entries, then the pairs published for
    the cell or a unit above it (newest first)."""
    chain = unit_chain(session, cell_id)
    published = (
        session.exec(
            select(FaqEntry)
            .where(FaqEntry.origin == PUBLISHED)
            .where(col(FaqEntry.unit_id).in_(chain))
            .order_by(col(FaqEntry.id).desc())
        ).all()
        if chain
        else []
    )
    return Catalog([*general(session), *(_row_entry(r) for r in published)])


def unreviewed(session: Session) -> list[Entry]:
    """The entries waiting for approval, in the catalogue's order."""
    return [e for e in general(session) if not e.reviewed]
