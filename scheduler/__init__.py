"""The clock: APScheduler jobs that find due work in the database and enqueue it.

Due work is derived from rows and claimed, so any number of processes never fire twice
(see ../shared/DESIGN.md, "The database is the truth", and docs/scheduler.md): meeting
reminders and the secretary's prompts, the directive reminder, deadlines, weekly statistics.
`scheduler.jobs.tick` does one pass; `scheduler.runner.start_scheduler` ticks it in each process.
"""
