"""The committees' statistics: figures per cell and unit, charts and spreadsheets, the weekly
report. Its rules and texts live here; its commands in handlers/stats.py; the weekly job in
scheduler/weekly.py."""
