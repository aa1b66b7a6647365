"""The clock: APScheduler jobs that find due work in the database and enqueue it.

Due work is derived from rows and claimed, so any number of processes never fire twice
(see ../shared/DESIGN.md, "The database is the truth"). The jobs arrive with the delivery issue.
"""
