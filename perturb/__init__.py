"""xstress perturbations: language-aware adversarial versions of XNLI and XCOPA (no torch imported here)."""
from __future__ import annotations

__version__ = "0.4.0"

__all__ = ["__version__", "Example", "load", "apply", "generate", "get", "names"]


def __getattr__(name):
    # Lazy: `import perturb` stays light; submodules load on first use.
    if name == "Example":
        from .example import Example
        return Example
    if name == "load":
        from .loaders import load
        return load
    if name == "generate":
        from .engine import generate
        return generate
    if name in ("get", "names"):
        from . import registry
        return getattr(registry, name)
    if name == "apply":
        from .api import apply
        return apply
    raise AttributeError(f"module 'perturb' has no attribute {name!r}")
