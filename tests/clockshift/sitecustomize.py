"""Moves this process's wall clock ahead when `SOTAY_TEST_CLOCK_SHIFT_DAYS` is set.

CI runs the suite a second time about a year in the future (`make test-future`) to prove that no
test depends on today's date: a test that mixes a fixed fake date with code reading the real
clock fails there. `tests/conftest.py` shifts the pytest process itself and puts this folder on
`PYTHONPATH`, so every subprocess a test starts (`sotay run`, workers, the CLI) is shifted too.
Only the wall clock moves (`time.time`, `datetime.now`); monotonic clocks, which pace sends and
time-outs, are left alone.
"""

from __future__ import annotations

import os

_DAYS = os.environ.get("SOTAY_TEST_CLOCK_SHIFT_DAYS", "").strip()

if _DAYS:
    from datetime import UTC, datetime, timedelta

    import time_machine

    time_machine.travel(datetime.now(UTC) + timedelta(days=float(_DAYS)), tick=True).start()
