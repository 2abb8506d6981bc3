"""Exception types the harness raises for user-fixable problems (the CLI prints them without a traceback)."""

from __future__ import annotations

from perturb.errors import XstressError


class HarnessError(XstressError):
    """A problem the user can fix (bad input, bad checkpoint, bad experiment file)."""


class CheckpointError(HarnessError):
    """A model directory that cannot be loaded safely or unambiguously; the message names the checkpoint."""


class AttackSetError(HarnessError):
    """An attack-set directory that does not follow the on-disk format."""


class OptionError(HarnessError, ValueError):
    """An invalid run option, named as the Python argument (the CLI turns the name into its flag)."""

    def __init__(self, name: str, message: str):
        super().__init__(f"{name}: {message}")
        self.name, self.message = name, message


class ExperimentError(HarnessError):
    """An experiment file or command line that does not describe a runnable experiment."""
