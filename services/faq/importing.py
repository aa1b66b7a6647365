"""`sotay faq import FILE`: a province's own FAQ, from a CSV (columns id, chu_de, cau_hoi,
tra_loi, nguon) or a TOML file shaped like the shipped `data/faq.toml`.

All or nothing: every row is checked first and any error ("Dòng n: …", numbered as a
spreadsheet shows them, the header being row 1) leaves the database untouched. Re-importing
updates entries by id; an id equal to a shipped entry's replaces that entry for everyone.
A changed entry loses its approval by itself (approvals are of a wording, `catalog.digest`).
YAML is not read: the project has no YAML parser, and TOML says the same things.
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from models import FaqEntry
from services import audit
from services.faq import texts as faq_texts
from services.faq.catalog import IMPORTED, shipped_topics
from services.faq.rules import DEFAULT_FAQ_RULES, FaqRules
from services.textnorm import nfc

COLUMNS = ("id", "chu_de", "cau_hoi", "tra_loi", "nguon")
# The TOML file may use the shipped file's English keys or the CSV's Vietnamese ones.
_TOML_KEYS = {"topic": "chu_de", "question": "cau_hoi", "answer": "tra_loi", "source": "nguon"}
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_LIMITS = {"chu_de": 100, "cau_hoi": 1000, "nguon": 300}
_LABELS = {
    "id": "id",
    "chu_de": "chủ đề",
    "cau_hoi": "câu hỏi",
    "tra_loi": "trả lời",
    "nguon": "nguồn",
}


class ImportFailed(Exception):
    """The file was refused; `errors` are the Vietnamese lines to show, in file order."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class ImportReport:
    created: int
    updated: int
    unchanged: int

    def summary(self) -> str:
        return faq_texts.IMPORT_DONE.format(
            created=self.created, updated=self.updated, unchanged=self.unchanged
        )


@dataclass(frozen=True)
class _Row:
    number: int
    values: dict[str, str]


def _read_csv(data: bytes) -> tuple[list[_Row], str]:
    text = data.decode("utf-8-sig")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [(h or "").strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ImportFailed([faq_texts.IMPORT_COLUMNS.format(columns=", ".join(missing))])
    rows = []
    for number, raw in enumerate(reader, start=2):
        values = {(k or "").strip().lower(): (v or "") for k, v in raw.items() if k is not None}
        if not any(v.strip() for v in values.values()):
            continue  # a blank line in a spreadsheet
        rows.append(_Row(number, values))
    return rows, faq_texts.IMPORT_ROW


def _read_toml(data: bytes) -> tuple[list[_Row], str]:
    raw = tomllib.loads(data.decode("utf-8"))
    topics: dict[str, Any] = raw.get("topics") or {}
    rows = []
    for number, item in enumerate(raw.get("entry") or [], start=1):
        values = {"id": str(item.get("id", ""))}
        for key, column in _TOML_KEYS.items():
            value = item.get(key, item.get(column, ""))
            values[column] = str(value)
        values["chu_de"] = str(topics.get(values["chu_de"], values["chu_de"]))
        rows.append(_Row(number, values))
    return rows, faq_texts.IMPORT_ITEM


def read(path: Path) -> tuple[list[_Row], str]:
    """The file's rows and how its errors name a row ("Dòng n" or "Mục n")."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".toml"):
        raise ImportFailed([faq_texts.IMPORT_FILE_KIND])
    try:
        data = path.read_bytes()
        return _read_csv(data) if suffix == ".csv" else _read_toml(data)
    except ImportFailed:
        raise
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, csv.Error) as error:
        raise ImportFailed([faq_texts.IMPORT_UNREADABLE.format(reason=error)]) from None


def _shipped_topic(value: str) -> str:
    """A shipped topic's key (`phi`) stands for its label (`Đảng phí`)."""
    return shipped_topics().get(value, value)


def check(rows: list[_Row], line: str, rules: FaqRules) -> tuple[list[dict[str, str]], list[str]]:
    """Every row's values cleaned, and every error found (not only the first)."""
    errors: list[str] = []
    clean: list[dict[str, str]] = []
    seen: dict[str, int] = {}
    limits = {**_LIMITS, "tra_loi": rules.max_answer_chars}
    for row in rows:
        values = {c: nfc(row.values.get(c, "")) for c in COLUMNS}
        problems: list[str] = []
        for column in COLUMNS:
            if not values[column]:
                problems.append(faq_texts.IMPORT_MISSING.format(field=_LABELS[column]))
        key = values["id"]
        if key:
            if key.startswith("hd-"):
                problems.append(faq_texts.IMPORT_RESERVED.format(value=key))
            elif not _ID.match(key) or len(key) > rules.id_max_chars:
                problems.append(
                    faq_texts.IMPORT_BAD_ID.format(value=key[:50], limit=rules.id_max_chars)
                )
            elif key in seen:
                problems.append(faq_texts.IMPORT_DUP_ID.format(value=key, other=seen[key]))
            else:
                seen[key] = row.number
        for column, limit in limits.items():
            if len(values[column]) > limit:
                problems.append(
                    faq_texts.IMPORT_TOO_LONG.format(
                        field=_LABELS[column], length=len(values[column]), limit=limit
                    )
                )
        values["chu_de"] = _shipped_topic(values["chu_de"])
        errors += [line.format(row=row.number, message=p) for p in problems]
        clean.append(values)
    if not rows:
        errors.append(faq_texts.IMPORT_EMPTY)
    return clean, errors


def import_faq(
    session: Session,
    path: Path,
    *,
    now: datetime,
    rules: FaqRules = DEFAULT_FAQ_RULES,
) -> ImportReport:
    """Load the province's FAQ file; `ImportFailed` (nothing written) on any error."""
    rows, line = read(path)
    values, errors = check(rows, line, rules)
    if errors:
        raise ImportFailed(errors)
    existing = {
        row.key: row
        for row in session.exec(
            select(FaqEntry).where(col(FaqEntry.key).in_([v["id"] for v in values]))
        )
    }
    created = updated = unchanged = 0
    for v in values:
        fields = {
            "topic": v["chu_de"],
            "question": v["cau_hoi"],
            "answer": v["tra_loi"],
            "source": v["nguon"],
        }
        row = existing.get(v["id"])
        if row is None:
            session.add(
                FaqEntry(
                    key=v["id"],
                    origin=IMPORTED,
                    topic=v["chu_de"],
                    question=v["cau_hoi"],
                    answer=v["tra_loi"],
                    source=v["nguon"],
                    created_at=now,
                    updated_at=now,
                )
            )
            created += 1
        elif all(getattr(row, k) == value for k, value in fields.items()):
            unchanged += 1
        else:
            for k, value in fields.items():
                setattr(row, k, value)
            row.updated_at = now
            session.add(row)
            updated += 1
    report = ImportReport(created, updated, unchanged)
    audit.record(
        session,
        "faq.imported",
        "faq_entry",
        actor_label="cli",
        detail={"file": path.name, "created": created, "updated": updated},
        at=now,
    )
    session.flush()
    return report
