"""The delivery engine: outbox rows (`deliveries`) out to Telegram and Zalo, exactly as promised.

`engine.DeliveryWorker` claims due rows with a lease (`claims`), sends them outside any
transaction through a channel `transport`, and records the outcome. `service` builds workers
from the settings for `sotay run` and `sotay worker`. `account.TokenAccount` is a process's one
account of a token's limits, shared by its workers and its adapters' replies to members;
`chats` tells other processes, through the database, what they must know of those replies.
docs/delivery.md states the guarantees.

Nothing is imported here, so that senders can import `bot.delivery.files` without a cycle.
"""
