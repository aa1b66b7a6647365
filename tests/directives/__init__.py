"""The directives feature's tests: sending, acknowledging, following up, authority."""
