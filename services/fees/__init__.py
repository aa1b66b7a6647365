"""Party fees: what each member owes a month (dues.py), and paying it by bank transfer (VietQR)."""
