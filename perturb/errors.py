"""Error types that carry the place (file and line, or flag) where bad input was found."""
from __future__ import annotations

from typing import Iterable, Sequence


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


def unknown_languages(flag: str, unknown: Sequence[str], known: Iterable[str], where: str,
                      *, all_ok: bool = False) -> UsageError:
    """The one phrasing of a language code that is not there, for perturb, score and export alike:
    `--langs: unknown language 'xx' (not in xnli); choose from: ar, bg, ...`."""
    codes = ", ".join(repr(c) for c in unknown)
    choices = ", ".join(known) + (", or all" if all_ok else "")
    return UsageError(flag, f"unknown language{'s' if len(unknown) > 1 else ''} {codes} (not in {where}); "
                            f"choose from: {choices}")
