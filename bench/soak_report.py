"""The soak run's chart (docs/soak.png) from its CSV and its events, and the figures for
docs/soak.md: apart from bench/soak.py so a 24-hour run's files can be charted again (or a
run cut short) without running anything.

Run: `.venv/bin/python -m bench.soak_report [--dir /tmp/soak] [--png docs/soak.png]
[--warmup 300]`.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
from pathlib import Path
from typing import Any

PROCESSES = ("web1", "web2", "worker1", "worker2", "scheduler", "soak")


def read_rows(path: Path) -> list[dict[str, float]]:
    rows = []
    with path.open() as handle:
        for raw in csv.DictReader(handle):
            rows.append({k: _number(v) for k, v in raw.items()})
    return rows


def _number(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        return math.nan


def read_events(path: Path) -> list[dict[str, Any]]:
    return json.loads(path.read_text()) if path.exists() else []


def chart(csv_path: Path, events_path: Path, png: Path) -> None:
    """Five panels against minutes: reply p50/p99 (with missing replies and webhook errors),
    RSS per process, CPU per process, outbox lag and backlog, database connections; faults as
    red lines, directives as grey ones."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = read_rows(csv_path)
    events = read_events(events_path)
    minutes = [r["t_s"] / 60 for r in rows]
    fig, axes = plt.subplots(5, 1, figsize=(11, 16), sharex=True)
    lat, mem, cpu, lag, conn = axes
    lat.plot(minutes, [r["p50_s"] for r in rows], label="p50", color="tab:blue")
    lat.plot(minutes, [r["p99_s"] for r in rows], label="p99", color="tab:orange")
    lat.set_ylabel("reply time (s)")
    lat.set_yscale("log")
    bad = lat.twinx()
    bad.bar(
        minutes,
        [r["missing"] + r["webhook_errors"] for r in rows],
        width=0.12,
        color="tab:red",
        alpha=0.5,
        label="missing + webhook errors",
    )
    bad.set_ylabel("missing + errors / window")
    lat.set_title("Replies to members (10 s windows)")
    handles = lat.get_legend_handles_labels()
    extra = bad.get_legend_handles_labels()
    lat.legend(handles[0] + extra[0], handles[1] + extra[1], loc="upper left", fontsize=8)
    for process in PROCESSES:
        mem.plot(minutes, [r.get(f"rss_{process}_mb", math.nan) for r in rows], label=process)
    mem.set_ylabel("RSS (MB)")
    mem.set_title("Memory per process")
    mem.legend(loc="upper left", fontsize=8, ncol=3)
    for process in (*PROCESSES, "postgres"):
        values = [r.get(f"cpu_{process}_pct", math.nan) for r in rows]
        if not all(math.isnan(v) for v in values):
            cpu.plot(minutes, values, label=process, linewidth=1)
    cpu.set_ylabel("% of one core")
    cpu.set_title("CPU per process (10 s windows)")
    cpu.legend(loc="upper left", fontsize=8, ncol=4)
    lag.plot(minutes, [r["oldest_pending_s"] for r in rows], color="tab:purple", label="lag")
    lag.set_ylabel("oldest unsent (s)")
    lag.set_title("Outbox: age of the oldest unsent row, rows waiting")
    backlog = lag.twinx()
    backlog.plot(
        minutes,
        [r["pending"] + r["sending"] for r in rows],
        color="tab:gray",
        linestyle=":",
        label="rows waiting",
    )
    backlog.set_ylabel("rows waiting")
    handles = lag.get_legend_handles_labels()
    extra = backlog.get_legend_handles_labels()
    lag.legend(handles[0] + extra[0], handles[1] + extra[1], loc="upper left", fontsize=8)
    conn.plot(minutes, [r["db_connections"] for r in rows], color="tab:green")
    conn.set_ylabel("connections")
    conn.set_title("PostgreSQL connections to the bot's database")
    conn.set_xlabel("minutes")
    for event in events:
        at = event["t_s"] / 60
        fault = not str(event["event"]).startswith("directive")
        for axis in axes:
            axis.axvline(at, color="red" if fault else "0.7", linewidth=1, linestyle="--")
        if fault:
            lat.annotate(
                f"kill -9 {event['event']}" if event["event"] != "pg" else "PostgreSQL restart",
                (at, 1),
                xycoords=("data", "axes fraction"),
                xytext=(3, -12),
                textcoords="offset points",
                fontsize=8,
                color="red",
            )
    fig.tight_layout()
    fig.savefig(png, dpi=90)
    plt.close(fig)


def figures(rows: list[dict[str, float]], warmup_s: float) -> dict[str, Any]:
    """Memory growth after warm-up per process (last 10 % of windows against the first 10 %
    after warm-up, medians, so a single spike does not decide), latency per 5 minutes."""
    after = [r for r in rows if r["t_s"] >= warmup_s]
    result: dict[str, Any] = {"growth_pct": {}, "rss_mb": {}, "by_5_minutes": []}
    if len(after) >= 10:
        tenth = max(1, len(after) // 10)
        for process in PROCESSES:
            key = f"rss_{process}_mb"
            first = _median([r[key] for r in after[:tenth]])
            last = _median([r[key] for r in after[-tenth:]])
            result["rss_mb"][process] = (round(first, 1), round(last, 1))
            result["growth_pct"][process] = round(100 * (last - first) / first, 1)
    step = 300.0
    start = 0.0
    while start <= (rows[-1]["t_s"] if rows else 0):
        part = [r for r in rows if start <= r["t_s"] < start + step]
        if part:
            result["by_5_minutes"].append(
                {
                    "minutes": f"{start / 60:.0f}-{(start + step) / 60:.0f}",
                    "sent": sum(r["sent"] for r in part),
                    "missing": sum(r["missing"] for r in part),
                    "errors": sum(r["webhook_errors"] for r in part),
                    "p50_median": round(_median([r["p50_s"] for r in part]), 3),
                    "p99_max": round(max(_clean([r["p99_s"] for r in part]), default=math.nan), 3),
                    "lag_max": round(
                        max(_clean([r["oldest_pending_s"] for r in part]), default=0), 1
                    ),
                    "conns_max": max(_clean([r["db_connections"] for r in part]), default=0),
                    "load1": round(_median([r["load1"] for r in part]), 2),
                }
            )
        start += step
    return result


def _clean(values: list[float]) -> list[float]:
    return [v for v in values if not math.isnan(v)]


def _median(values: list[float]) -> float:
    clean = sorted(_clean(values))
    if not clean:
        return math.nan
    return clean[len(clean) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=Path("/tmp/soak"))
    parser.add_argument("--png", type=Path, default=None)
    parser.add_argument("--warmup", type=float, default=300, help="seconds")
    args = parser.parse_args()
    png = args.png or args.dir / "soak.png"
    chart(args.dir / "soak.csv", args.dir / "events.json", png)
    print(json.dumps(figures(read_rows(args.dir / "soak.csv"), args.warmup), indent=1))


if __name__ == "__main__":
    main()
