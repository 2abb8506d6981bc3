"""The optional op hooks are declared on the Perturbation base class, and every registered op that overrides one
keeps the base class's signature (so callers use them directly, never through getattr)."""
from __future__ import annotations

import inspect

import pytest

from perturb import registry
from perturb.core import Perturbation

OPS = registry.names()
HOOKS = ("bind", "with_parallel", "resource_parts", "resource_params", "contract_instance")


def _params(fn) -> list[tuple[str, object]]:
    return [(p.name, p.kind) for p in inspect.signature(fn).parameters.values()]


def test_hooks_are_declared_on_the_base_class():
    for hook in HOOKS:
        fn = getattr(Perturbation, hook)
        assert fn.__doc__ and fn.__doc__.strip(), f"Perturbation.{hook} says what it is for"
    assert dict(Perturbation.requires) == {} and Perturbation.needs_parallel is None
    assert Perturbation.resource_parts(object.__new__(Perturbation), "xnli", "de") == []
    assert Perturbation.resource_params(object.__new__(Perturbation)) == {}


@pytest.mark.parametrize("name", OPS)
def test_overridden_hooks_keep_the_base_signature(name):
    cls = registry.get(name)
    for hook in ("with_parallel", "resource_parts", "resource_params", "contract_instance"):
        assert _params(getattr(cls, hook)) == _params(getattr(Perturbation, hook)), f"{name}.{hook}"
    assert isinstance(inspect.getattr_static(cls, "contract_instance"), classmethod), name
    # bind takes exactly the resources the op requires, by keyword.
    bind = inspect.signature(cls.bind).parameters
    if cls.requires:
        assert cls.bind is not Perturbation.bind, f"{name} requires {sorted(cls.requires)} but has no bind"
        assert [(n, p.kind) for n, p in bind.items() if n != "self"] == \
            [(n, inspect.Parameter.KEYWORD_ONLY) for n in cls.requires], name
    else:
        assert cls.bind is Perturbation.bind, f"{name} binds resources it does not declare in requires"
    # An op that reads parallel text can be given it; one that does not refuses.
    assert (cls.with_parallel is Perturbation.with_parallel) == (cls.needs_parallel is None), name


@pytest.mark.parametrize("name", OPS)
def test_hooks_answer_on_every_op(name):
    op = registry.get(name).contract_instance()
    assert isinstance(op, registry.get(name))
    for task in op.tasks:
        for lang in sorted(op.languages(task))[:2] + [None]:
            parts = op.resource_parts(task, lang)
            assert all(isinstance(k, str) and k for k, _ in parts), name
    assert isinstance(op.resource_params(), dict)


def test_ops_without_resources_refuse_them():
    op = registry.get("char.swap")()
    assert op.bind() is op
    with pytest.raises(TypeError, match="takes no resources"):
        op.bind(lexicon_dir="x")
    with pytest.raises(TypeError, match="no parallel text"):
        op.with_parallel("xnli", [], "none")
