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
    """The database file cannot be used for a reason outside the code that an administrator can
    act on: damaged, read-only, disk full, cannot be opened, made by a newer version.

    The message reaches students, so it never names the file; `path` does, for the logs and for
    the CLI, whose user is the one who can fix it. Any other `sqlite3.Error` is a bug and is not
    turned into this.
    """

    def __init__(self, message: str, *, path: str | None = None) -> None:
        super().__init__(message)
        self.path = path


class DatabaseBusy(DatabaseUnavailable):
    """Another program holds the database's lock: the one case where trying again can help."""


class DatabaseDamaged(DatabaseUnavailable):
    """The file is corrupt or not a database: only rebuilding it helps (`index --rebuild`)."""


class NotFound(SeminarError):
    """A passage, reading or other named thing does not exist."""


class PermissionDenied(SeminarError):
    """The caller may not do this (instructor-only commands)."""
