"""Supervision of the cell's resolutions (issue 14): progress reports, `/giamsat`, closing,
escalation and the yearly supervision programme (docs/supervision.md)."""
