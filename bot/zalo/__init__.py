"""The Zalo channel: the Zalo Bot Platform API translated to and from the core.

Zalo has no buttons, callbacks or edits, so menus travel as numbered text and the user answers
with a digit (the core already maps a digit to the offered option). Modules, smallest first:
`split` (the 2,000-character limit), `errors` (typed API errors), `updates` (tolerant parsing),
`dedupe` (updates seen twice), `client` (the HTTP API with retries), `render` (Reply →
messages), `incoming` (update → Incoming), `sender` (the one way replies leave), `adapter`
(one update through the core), `runner` (polling) and `webhook` (the HTTP route).
"""
