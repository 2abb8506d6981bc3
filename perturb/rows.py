"""`AttackRow`, the one typed form of an attack-set row: built from results, written, read back strictly, and used."""
from __future__ import annotations

from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any, Mapping

from .core import Edit, Perturbed
from .errors import InputError
from .example import Example
from .schema import TASK_FIELDS, TASK_LABELS, Label, parse_id

_CLEAN_KEYS = frozenset(("fields", "id", "label", "lang", "task"))
_PERTURBED_KEYS = frozenset(("edits", "fields", "id", "label", "lang", "op", "orig_label", "variant"))
_EDIT_KEYS = frozenset(("after", "before", "end", "field", "start"))


class _Bad(Exception):
    """A row that is not what xstress writes (turned into an InputError with the file and line)."""


@dataclass(frozen=True, slots=True)
class AttackRow:
    """One row of an attack set: a clean example (``op`` None, variant 0, no edits, ``orig_label`` = ``label``)
    or one variant of a perturbation. ``fields`` is read-only, in the task's field order; ``label`` is the gold
    after the perturbation and ``orig_label`` the gold before it."""

    id: str
    task: str
    lang: str
    fields: Mapping[str, str]
    label: Label
    orig_label: Label | None
    op: str | None = None
    variant: int = 0
    edits: tuple[Edit, ...] = ()

    @property
    def is_clean(self) -> bool:
        return self.op is None

    @property
    def index(self) -> int:
        """The example's position in its source split (xnli row / XCOPA idx), from its id."""
        return parse_id(self.id).index

    @classmethod
    def of_example(cls, example: Example) -> "AttackRow":
        """The clean row of a source example."""
        return cls(example.id, example.task, example.lang, example.fields, example.label, example.label)

    @classmethod
    def of_result(cls, op: str, result: Perturbed) -> "AttackRow":
        """The row of one applied perturbation (`attackset.perturbed_line` writes its bytes directly)."""
        ex = result.example
        return cls(ex.id, ex.task, ex.lang, ex.fields, ex.label, result.orig_label, op, result.variant,
                   tuple(result.edits))

    def with_fields(self, **fields: str) -> "AttackRow":
        """A copy with some fields replaced (e.g. XCOPA's majority question at scoring time)."""
        return replace(self, fields=MappingProxyType({**self.fields, **fields}))

    def to_json(self) -> dict:
        """The row as `canonical_line` writes it (clean rows carry `task`; perturbed rows their op's columns)."""
        if self.op is None:
            return {"fields": dict(self.fields), "id": self.id, "label": self.label, "lang": self.lang,
                    "task": self.task}
        return {"edits": [e.to_json() for e in self.edits], "fields": dict(self.fields), "id": self.id,
                "label": self.label, "lang": self.lang, "op": self.op, "orig_label": self.orig_label,
                "variant": self.variant}

    @classmethod
    def from_json(cls, obj: Any, path, line_no: int | None) -> "AttackRow":
        """The row of a parsed JSON line; InputError naming `path`:`line_no` for a missing, extra or
        wrong-typed key, a malformed id, or fields and labels that are not the task's."""
        try:
            return _parse(obj)
        except _Bad as e:
            raise InputError(path, line_no, f"not an attack-set row: {e}") from None


def _parse(obj: Any) -> AttackRow:
    if type(obj) is not dict:
        raise _Bad(f"expected a JSON object, got {type(obj).__name__}")
    perturbed = "op" in obj
    _keys(obj, _PERTURBED_KEYS if perturbed else _CLEAN_KEYS, "row")
    rid, lang = _str(obj, "id"), _str(obj, "lang")
    try:
        pid = parse_id(rid)
    except ValueError as e:
        raise _Bad(str(e)) from None
    if pid.lang != lang:
        raise _Bad(f"id {rid} is not in language {lang!r}")
    task = pid.task
    if not perturbed:
        if _str(obj, "task") != task:
            raise _Bad(f"task {obj['task']!r} does not match id {rid}")
        label = _label(obj, "label", task)
        return AttackRow(rid, task, lang, _fields(obj, task), label, label)
    variant = obj["variant"]
    if type(variant) is not int or variant < 0:
        raise _Bad(f"'variant' must be an integer >= 0, got {variant!r}")
    return AttackRow(rid, task, lang, _fields(obj, task), _label(obj, "label", task),
                     _label(obj, "orig_label", task), _str(obj, "op"), variant, _edits(obj["edits"]))


def _keys(obj: dict, want: frozenset, what: str) -> None:
    if obj.keys() != want:
        missing, extra = sorted(want - obj.keys()), sorted(obj.keys() - want)
        raise _Bad(f"{what} " + "; ".join(([f"lacks {', '.join(map(repr, missing))}"] if missing else [])
                                          + ([f"has unexpected {', '.join(map(repr, extra))}"] if extra else [])))


def _str(obj: dict, key: str) -> str:
    v = obj[key]
    if type(v) is not str:
        raise _Bad(f"{key!r} must be a string, got {v!r}")
    return v


def _label(obj: dict, key: str, task: str) -> Label:
    v = obj[key]
    if type(v) not in (str, int) or v not in TASK_LABELS[task]:
        raise _Bad(f"{key!r} must be one of {TASK_LABELS[task]} for {task}, got {v!r}")
    return v


def _fields(obj: dict, task: str) -> Mapping[str, str]:
    raw = obj["fields"]
    names = TASK_FIELDS[task]
    if type(raw) is not dict or len(raw) != len(names):
        raise _Bad(f"'fields' must be an object with exactly {', '.join(names)}")
    try:
        ordered = {n: raw[n] for n in names}
    except KeyError:
        raise _Bad(f"'fields' must be an object with exactly {', '.join(names)}") from None
    for n, v in ordered.items():
        if type(v) is not str:
            raise _Bad(f"field {n!r} must be a string, got {v!r}")
    return MappingProxyType(ordered)


def _edits(raw: Any) -> tuple[Edit, ...]:
    if type(raw) is not list:
        raise _Bad(f"'edits' must be a list, got {raw!r}")
    out = []
    for e in raw:
        if type(e) is not dict:
            raise _Bad(f"an edit must be an object, got {e!r}")
        _keys(e, _EDIT_KEYS, "edit")
        start, end = e["start"], e["end"]
        if type(start) is not int or type(end) is not int:
            raise _Bad(f"an edit's 'start' and 'end' must be integers, got {start!r}, {end!r}")
        out.append(Edit(_str(e, "field"), start, end, _str(e, "before"), _str(e, "after")))
    return tuple(out)
