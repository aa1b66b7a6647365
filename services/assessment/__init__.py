"""The quality assessment of party members (Quy định 366-QĐ/TW): docs/assessment.md."""
