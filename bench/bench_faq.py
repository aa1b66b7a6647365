"""How fast the FAQ matches a question: the shipped entries, and the same copied 8× (a
province's own list beside them). Prints p50/p99 per question; nothing is asserted.

    .venv/bin/python -m bench.bench_faq
"""

from __future__ import annotations

import statistics
import time

from services.faq.catalog import Catalog, Entry, shipped

QUESTIONS = (
    "chuyển sinh hoạt đảng tạm thời khi đi học",
    "dang phi huu tri dong bao nhieu",
    "bao lau thi chi bo hop mot lan",
    "ket nap dang du bi bao lau",
    "khong dong dang phi ba thang thi sao",
)


def measure(catalog: Catalog, rounds: int = 200) -> list[float]:
    times: list[float] = []
    for _ in range(rounds):
        for question in QUESTIONS:
            started = time.perf_counter()
            catalog.best(question)
            times.append((time.perf_counter() - started) * 1000)
    return sorted(times)


def main() -> None:
    base = list(shipped())
    many = [
        Entry(f"{e.key}-{i}", e.topic, e.question, e.answer, e.source)
        for i in range(8)
        for e in base
    ]
    for label, entries in (("shipped", base), ("8× shipped", many)):
        times = measure(Catalog(entries))
        p99 = times[int(len(times) * 0.99) - 1]
        print(
            f"{label}: {len(entries)} entries, {len(times)} questions: "
            f"p50 {statistics.median(times):.2f} ms, p99 {p99:.2f} ms"
        )


if __name__ == "__main__":
    main()
