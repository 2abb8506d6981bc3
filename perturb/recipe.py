"""Recipes: small YAML files naming which ops run with which params, variants and target fields."""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from importlib import resources as importlib_resources
from pathlib import Path
from typing import Any, Mapping, Sequence

import yaml

from . import registry
from .core import Perturbation
from .errors import UsageError
from .signature import Signature, format_value, perturbation as perturbation_signature

_ENTRY_KEYS = {"op", "as", "params", "k", "fields"}
_OUTPUT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_+-]*(\.[A-Za-z0-9_+-]+)*")


@dataclass(frozen=True)
class Planned:
    """One recipe entry resolved: the output name, the op instance, k variants and target fields."""

    name: str
    op: Perturbation
    k: int
    fields: Mapping[str, tuple[str, ...]] | None  # per task; None = the op's defaults

    def target_fields(self, task: str) -> tuple[str, ...]:
        if self.fields is not None and task in self.fields:
            return self.fields[task]
        return self.op.default_fields(task)

    def params_json(self) -> dict[str, Any]:
        out = {}
        for key, value in self.op.params.describe():
            out[key] = list(value) if isinstance(value, (tuple, frozenset)) else value
        # Ops bound to an external resource (a lexicon, a masked LM) name it by content hash, never by path.
        out.update(self.op.resource_params())
        return out

    def op_key(self) -> str:
        """Hash material for the per-example RNG: the op and its params (not the output name)."""
        return op_key(self.op)

    def signature(self, *, version: str, seed: int, task: str, src: str, lang: str | None = None,
                  qfix: str | None = None) -> Signature:
        """This entry's signature for one source file (`src`) of `task` in `lang`."""
        return perturbation_signature(version=version, op=self.op.name, params=self.op.params.describe(),
                                      resources=self.op.resource_parts(task, lang), k=self.k, seed=seed,
                                      fields=self.target_fields(task), src=src, qfix=qfix)


def op_key(op: Perturbation) -> str:
    """The RNG key of an op and its params, as the engine derives every example's RNG from it."""
    return "|".join([op.name] + [f"{k}:{format_value(v)}" for k, v in op.params.describe()])


@dataclass(frozen=True)
class Recipe:
    name: str
    description: str
    entries: tuple[Planned, ...]


def builtin_recipes() -> list[str]:
    folder = importlib_resources.files("perturb") / "recipes"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


# Command-line flags that supply each kind of external resource an op may declare in `requires`.
RESOURCE_FLAGS = {"lexicon_dir": "--lexicon-dir", "mlm": "--mlm"}


def load_recipe(spec: str, *, overrides: Mapping[str, Any] | None = None,
                resources: Mapping[str, Any] | None = None) -> Recipe:
    """A built-in recipe by name, or a YAML file by path. `resources` (e.g. {"lexicon_dir": ..., "mlm": ...})
    are handed to the ops that declare they need them; a missing one is a UsageError naming its flag."""
    path = Path(spec)
    if spec.endswith((".yaml", ".yml")) or path.exists():
        if not path.is_file():
            raise UsageError("--recipe", f"recipe file {spec} not found")
        text, where = path.read_text(encoding="utf-8"), str(path)
    else:
        res = importlib_resources.files("perturb") / "recipes" / f"{spec}.yaml"
        if not res.is_file():
            raise UsageError("--recipe", f"unknown recipe {spec!r}; built-in recipes: "
                                         f"{', '.join(builtin_recipes())} (or give a YAML file path)")
        text, where = res.read_text(encoding="utf-8"), f"recipe {spec}"
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise UsageError("--recipe", f"{where}: not valid YAML ({e})") from None
    return parse_recipe(doc, where=where, default_name=path.stem if path.exists() else spec, resources=resources)


def parse_recipe(doc: Any, *, where: str, default_name: str, resources: Mapping[str, Any] | None = None) -> Recipe:
    if not isinstance(doc, dict) or not isinstance(doc.get("perturbations"), list):
        raise UsageError("--recipe", f"{where}: expected a mapping with a 'perturbations' list")
    entries: list[Planned] = []
    seen: set[str] = set()
    for i, raw in enumerate(doc["perturbations"], 1):
        ctx = f"{where}: perturbation #{i}"
        if isinstance(raw, str):
            raw = {"op": raw}
        if not isinstance(raw, dict) or "op" not in raw:
            raise UsageError("--recipe", f"{ctx}: expected a mapping with an 'op' key")
        unknown = set(raw) - _ENTRY_KEYS
        if unknown:
            raise UsageError("--recipe", f"{ctx}: unknown key(s) {', '.join(sorted(unknown))}; "
                                         f"allowed: {', '.join(sorted(_ENTRY_KEYS))}")
        try:
            cls = registry.get(raw["op"])
        except UsageError as e:
            raise UsageError("--recipe", f"{ctx}: {e}") from None
        params = raw.get("params") or {}
        if not isinstance(params, dict):
            raise UsageError("--recipe", f"{ctx}: params must be a mapping")
        try:
            op = cls(**_coerce_params(cls, params))
        except (ValueError, TypeError) as e:
            raise UsageError("--recipe", f"{ctx}: {e}") from None
        op = _bind_resources(op, resources, where)
        k = raw.get("k", 1)
        if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= 100:
            raise UsageError("--recipe", f"{ctx}: k must be an integer in [1, 100], got {k!r}")
        name = raw.get("as", cls.name)
        # The name becomes a file name: plain characters only (no path separator, NUL, '..' or hidden file).
        if not isinstance(name, str) or not _OUTPUT_NAME.fullmatch(name) or name in ("clean", "manifest"):
            raise UsageError("--recipe", f"{ctx}: bad output name {name!r}")
        if name in seen:
            raise UsageError("--recipe", f"{ctx}: output name {name!r} used twice; give one an 'as:' name")
        seen.add(name)
        fields = _parse_fields(cls, raw.get("fields"), ctx)
        entries.append(Planned(name, op, k, fields))
    return Recipe(str(doc.get("name", default_name)), str(doc.get("description", "")), tuple(entries))


def _bind_resources(op: Perturbation, resources: Mapping[str, Any] | None, where: str) -> Perturbation:
    """Give an op the external resources it declares in `requires` ({name: what it is}) through its `bind`."""
    needs = op.requires
    if not needs:
        return op
    given = {}
    for name, what in needs.items():
        flag = RESOURCE_FLAGS.get(name, "--" + name.replace("_", "-"))
        value = (resources or {}).get(name)
        if value is None:
            raise UsageError(flag, f"{where} uses {op.name}, which needs {what}; give it with {flag} DIR")
        given[name] = value
    try:
        return op.bind(**given)
    except (ValueError, OSError) as e:
        flag = RESOURCE_FLAGS.get(next(iter(needs)), "--recipe") if len(needs) == 1 else "--recipe"
        raise UsageError(flag, f"{op.name}: {e}") from None


def _coerce_params(cls: type[Perturbation], params: Mapping[str, Any]) -> dict[str, Any]:
    # YAML lists become tuples so params stay hashable and frozen.
    names = {f.name for f in dataclasses.fields(cls.Params)}
    unknown = set(params) - names
    if unknown:
        raise ValueError(f"{cls.name}: unknown parameter(s) {', '.join(sorted(unknown))}; "
                         f"accepted: {', '.join(sorted(names)) or 'none'}")
    return {k: tuple(v) if isinstance(v, list) else v for k, v in params.items()}


def _parse_fields(cls, raw, ctx) -> Mapping[str, tuple[str, ...]] | None:
    if raw is None or raw == "default":
        return None
    if isinstance(raw, list):
        # A plain list is meant for the task whose fields it names (premise/hypothesis → XNLI,
        # choice1/choice2 → XCOPA); it must fit at least one task the op supports.
        fitting = {task: raw for task in cls.tasks if raw and set(raw) <= set(cls.allowed_fields(task))}
        if not fitting:
            raise UsageError("--recipe", f"{ctx}: {cls.name} cannot edit fields {raw} in any of its tasks "
                                         f"({', '.join(f'{t}: ' + '/'.join(cls.allowed_fields(t)) for t in cls.tasks)})")
        raw = fitting
    if not isinstance(raw, dict):
        raise UsageError("--recipe", f"{ctx}: fields must be 'default', a list, or a mapping task -> list")
    out = {}
    for task, fields in raw.items():
        if task not in cls.tasks:
            continue
        allowed = cls.allowed_fields(task)
        if not isinstance(fields, list):
            raise UsageError("--recipe", f"{ctx}: fields for {task} must be a list, got {fields!r}")
        bad = [f for f in fields if f not in allowed]
        if bad or not fields:
            raise UsageError("--recipe", f"{ctx}: {cls.name} cannot edit {task} field(s) {bad or fields}; "
                                         f"allowed: {', '.join(allowed)}")
        out[task] = tuple(fields)
    return out


def single_op_recipe(op_names: Sequence[str], *, resources: Mapping[str, Any] | None = None) -> Recipe:
    """A recipe of the named ops with default params (for `--ops a,b`)."""
    return parse_recipe({"perturbations": list(op_names)}, where="--ops", default_name="+".join(op_names),
                        resources=resources)
