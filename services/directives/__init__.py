"""Directives (chỉ đạo): sending them down the tree, acknowledging, following up. Its rules,
texts and button ids live here; its flow in handlers/directives.py; its reminders in
scheduler/directives.py."""
