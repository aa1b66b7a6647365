"""Settings, command line, channel adapters and app assembly."""

import os

# python-telegram-bot 22 warns on every 429 unless durations are timedeltas, which is what its
# next major version gives; `bot.telegram.sender.retry_after_seconds` accepts both.
os.environ.setdefault("PTB_TIMEDELTA", "1")
