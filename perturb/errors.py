"""Error types that carry the place (file and line, or flag) where bad input was found."""
from __future__ import annotations


class XstressError(Exception):
    """Base class for errors reported to the user as one clear line."""


class InputError(XstressError):
    """Malformed input data; names the file and, where known, the 1-based line."""

    def __init__(self, path, line: int | None, message: str):
        self.path = str(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {message}")


class UsageError(XstressError):
    """A bad option or argument; names the flag."""

    def __init__(self, flag: str, message: str):
        self.flag = flag
        super().__init__(f"{flag}: {message}" if flag else message)
