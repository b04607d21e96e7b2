"""The command line's exit statuses and its one error type."""

from __future__ import annotations

#: like grep: 0 valid (or sent and accepted), 1 invalid (or rejected), 2 an error
VALID, INVALID, ERROR = 0, 1, 2


class CliError(Exception):
    """A user error: reported in one line, with exit status 2 and no traceback."""
