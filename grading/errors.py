"""The one exception tree for problems a user can fix (pip-tools' ``exceptions.py`` shape).

The command line reports a ``GradingError`` as ``error: <message>`` with exit code 2; any other
exception is a bug and surfaces with its traceback. Messages name the file and what is wrong.
"""

from __future__ import annotations


class GradingError(Exception):
    """Bad input, a missing tool or a wrong option: something the user can fix."""


class UsageError(GradingError, ValueError):
    """A wrong option, or a file whose content this tool cannot use."""


class MissingInput(GradingError, FileNotFoundError):
    """A file or folder the command needs is not there."""
