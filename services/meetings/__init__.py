"""The cell's meetings: planning and moving them, attendance and the roll, the resolution
with its versions and votes, the quality score, tasks, and the minutes. Its rules, texts and
button ids live here; its flows in handlers/meetings.py, meeting_manage.py, results.py; its
jobs in scheduler/meetings.py and scheduler/deadlines.py."""
