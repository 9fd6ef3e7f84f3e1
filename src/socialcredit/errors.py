"""The exception tree. Every error the package raises on purpose is one of these.

::

    SocialCreditError
    ├── ConfigurationError          settings or workspace unusable (missing secret, bad engine URL)
    ├── InputError (ValueError)     something a user or partner supplied is wrong
    │   ├── IdentityError           a resident identity number is invalid
    │   ├── UnreadableFileError     a feed file cannot be read at all
    │   ├── SchemaError             a feed's columns do not match its record schema
    │   ├── ForbiddenDataError      a feed, scorecard or policy uses a forbidden data category
    │   └── SpecError               a scorecard spec is malformed
    ├── EngineError                 the engine failed running a named step (carries the SQL)
    └── NotFoundError (LookupError) a subject, run or batch is not on file

Messages say what was wrong, the value, and how to fix it.
"""

from __future__ import annotations

__all__ = [
    "ConfigurationError",
    "EngineError",
    "ForbiddenDataError",
    "IdentityError",
    "InputError",
    "NotFoundError",
    "SchemaError",
    "SocialCreditError",
    "SpecError",
    "UnreadableFileError",
]


class SocialCreditError(Exception):
    """Root of every error this package raises on purpose."""


class ConfigurationError(SocialCreditError):
    """Settings or the workspace cannot be used as they are."""


class InputError(SocialCreditError, ValueError):
    """Something supplied by a user or a partner is wrong."""


class IdentityError(InputError):
    """A resident identity number failed validation."""


class UnreadableFileError(InputError):
    """A feed file could not be read at all (missing, empty, wrong format)."""


class SchemaError(InputError):
    """A feed's columns do not match the schema of its record category."""


class ForbiddenDataError(InputError):
    """A feed, scorecard or policy refers to a data category the platform refuses."""

    def __init__(self, message: str, *, field: str, rule: str) -> None:
        super().__init__(message)
        self.field = field
        self.rule = rule


class SpecError(InputError):
    """A scorecard spec is malformed or refers to something that does not exist."""


class EngineError(SocialCreditError):
    """The engine failed while running a named pipeline step."""

    def __init__(self, step: str, sql: str, cause: BaseException) -> None:
        super().__init__(f"engine step {step!r} failed: {cause}\n-- SQL --\n{sql}")
        self.step = step
        self.sql = sql


class NotFoundError(SocialCreditError, LookupError):
    """A subject, score run or batch is not on file."""
