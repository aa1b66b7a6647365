"""Errors whose message is meant for the user, already in Vietnamese."""

from __future__ import annotations


class UserError(Exception):
    """The request cannot be done; `message` says why, in words the user understands."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Forbidden(UserError):
    """The actor's roles do not reach the target."""


class Superseded(Exception):
    """Another process handled this update first (its commit won): the transaction is rolled
    back and nothing is answered. Expected in a race, so the core does not log it as a
    failure."""
