"""The core's own exceptions.

Adapters turn these into a message for the person who caused them (an ephemeral reply on
Discord, exit code 2 on the CLI); anything else is a bug and is logged with a reference.
"""


class SeminarError(Exception):
    """A problem the user can understand and fix; the message is shown to them as is."""


class InvalidQuery(SeminarError):
    """The question or search text cannot be searched (empty, only punctuation, ...)."""


class ReadingsNotFound(SeminarError):
    """The readings folder does not exist or holds nothing readable."""


class DatabaseUnavailable(SeminarError):
    """The database file is locked, corrupt or not a database."""


class NotFound(SeminarError):
    """A passage, reading or other named thing does not exist."""


class PermissionDenied(SeminarError):
    """The caller may not do this (instructor-only commands)."""
