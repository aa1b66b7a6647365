"""The statistics feature's tests: figures, charts and spreadsheets, the weekly report."""
