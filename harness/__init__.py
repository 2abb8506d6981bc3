"""xstress harness: score checkpoints on attack sets, measure degradation with CIs, and own the `xstress` CLI."""
from __future__ import annotations

from perturb import __version__

__all__ = ["__version__", "evaluate"]


def __getattr__(name):
    # Lazy: `import harness` must not pull torch/transformers in.
    if name == "evaluate":
        from .api import evaluate
        return evaluate
    raise AttributeError(f"module 'harness' has no attribute {name!r}")
