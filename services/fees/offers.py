"""What the fees slice offers the other features, through the wiring list (`bot.features`):
its import columns (`sotay import`), the committees' figures, the secretary's private notes on
unpaid months, and "pay your dues" on the member's list (`/nhiemvu`)."""

from __future__ import annotations

from typing import Any

from services.fees.importing import IMPORT_FEE_COLUMNS
from services.offers import IMPORT_COLUMNS, Offer


def offers() -> list[Offer[Any]]:
    return [Offer(IMPORT_COLUMNS, IMPORT_FEE_COLUMNS)]
