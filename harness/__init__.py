"""xstress harness: score checkpoints on attack sets, measure degradation with CIs, and own the `xstress` CLI."""
from __future__ import annotations

from perturb import __version__

__all__ = ["__version__"]
