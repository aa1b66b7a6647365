"""The /help menu's own button (handlers/common.py): a topic opened, or the first screen again.

`MENU("sinhhoat")` is "menu:sinhhoat", the topic's list; `MENU()` is "menu", back to the topics
("Quay lại"). Declared here, like every button, so the answer is checked against it
(tests/test_wiring.py).
"""

from __future__ import annotations

from services.buttons import ButtonId

MENU = ButtonId("menu")
