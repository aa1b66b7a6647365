"""Questions and answers on party procedures (/hoidap): the curated FAQ with its sources,
matching without diacritics, questions relayed to the secretary, approvals and imports."""
