"""CI's second run moves the wall clock ahead (tests/clockshift); this proves it really moved,
here and in the processes tests start, so a green shifted run means what it says."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from tests.support import child_env

DAY = 86_400.0
SLACK = 120.0  # seconds: the probes run a moment apart


def _shift_seconds() -> float:
    return float(os.environ.get("SOTAY_TEST_CLOCK_SHIFT_DAYS", "").strip() or 0) * DAY


def test_the_wall_clock_is_shifted_as_asked_here_and_in_children(tmp_path: Path) -> None:
    probe = tmp_path / "probe"
    probe.write_text("")
    kernel_now = probe.stat().st_mtime  # the kernel's clock, which nothing in Python patches
    expected = kernel_now + _shift_seconds()
    assert abs(time.time() - expected) < SLACK
    assert abs(datetime.now(UTC).timestamp() - expected) < SLACK
    code = "import time; from datetime import UTC, datetime; print(datetime.now(UTC).timestamp())"
    child = subprocess.run(
        [sys.executable, "-c", code], env=child_env(), capture_output=True, text=True, check=True
    )
    assert abs(float(child.stdout) - expected) < SLACK
