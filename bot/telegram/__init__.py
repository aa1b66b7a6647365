"""The Telegram channel: python-telegram-bot 22 translating between Telegram and the core.

Modules, smallest first: `render` (HTML, splitting, keyboards), `incoming` (update → Incoming),
`sender` (the one way replies leave, with retries), `menus` (command lists per role),
`adapter` (glue per update), `runner` (assembly, polling) and `webhook` (the HTTP route).
"""
