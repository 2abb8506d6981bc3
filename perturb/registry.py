"""The lazy registry of perturbations: op modules under perturb/ops/<family>/ are imported only when first asked for."""
from __future__ import annotations

import difflib
import importlib
import pkgutil
from typing import Iterator

from .core import FAMILIES, Perturbation
from .errors import UsageError

_REGISTRY: dict[str, type[Perturbation]] = {}
_LOADED = False


def register(cls: type[Perturbation]) -> type[Perturbation]:
    """Class decorator: add an op under its `name` (family.op); names are unique."""
    name = getattr(cls, "name", None)
    if not name or name.count(".") != 1:
        raise ValueError(f"{cls.__name__}: op name must look like 'family.op', got {name!r}")
    family = name.split(".")[0]
    if family not in FAMILIES or cls.family != family:
        raise ValueError(f"{name}: family must be one of {FAMILIES} and match the name prefix")
    if name in _REGISTRY and _REGISTRY[name] is not cls:
        raise ValueError(f"op {name!r} registered twice ({_REGISTRY[name].__module__}, {cls.__module__})")
    _REGISTRY[name] = cls
    return cls


def _load_all() -> None:
    # Importing an op module is cheap by contract: heavy resources load on first use, inside the op.
    global _LOADED
    if _LOADED:
        return
    from . import ops

    # One package per family (ops/char, ops/lex, ops/logic); modules starting with "_" are helpers, not ops.
    for fam in sorted(m.name for m in pkgutil.iter_modules(ops.__path__) if m.ispkg):
        pkg = importlib.import_module(f"{ops.__name__}.{fam}")
        for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
            if not info.name.startswith("_"):
                importlib.import_module(f"{pkg.__name__}.{info.name}")
    _LOADED = True


def names() -> list[str]:
    _load_all()
    return sorted(_REGISTRY)


def all_ops() -> Iterator[type[Perturbation]]:
    for name in names():
        yield _REGISTRY[name]


def get(name: str) -> type[Perturbation]:
    """The op class for `name`, or a UsageError with did-you-mean suggestions and the full list."""
    _load_all()
    try:
        return _REGISTRY[name]
    except KeyError:
        close = difflib.get_close_matches(name, list(_REGISTRY), n=3, cutoff=0.5)
        hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        raise UsageError("", f"unknown perturbation {name!r}.{hint} Available: {', '.join(sorted(_REGISTRY))}") \
            from None
