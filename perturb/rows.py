"""`AttackRow`, the one typed form of an attack-set row: built from results, written, read back strictly, and used."""
from __future__ import annotations

import sys
from types import MappingProxyType
from typing import Any, Mapping, NamedTuple

from .core import Edit, Perturbed
from .errors import InputError
from .example import Example
from .schema import TASK_FIELDS, TASK_LABELS, Label, parse_id

_CLEAN_KEYS = frozenset(("fields", "id", "label", "lang", "task"))
_PERTURBED_KEYS = frozenset(("edits", "fields", "id", "label", "lang", "op", "orig_label", "variant"))
_ATTACKED_KEYS = _PERTURBED_KEYS | {"attack"}  # `xstress attack` rows: the search's record per example
_EDIT_KEYS = frozenset(("after", "before", "end", "field", "start"))


class _Bad(Exception):
    """A row that is not what xstress writes (turned into an InputError with the file and line)."""


class AttackRow(NamedTuple):
    """One row of an attack set: a clean example (``op`` None, variant 0, no edits, ``orig_label`` = ``label``)
    or one variant of a perturbation. ``fields`` is read-only, in the task's field order; ``label`` is the gold
    after the perturbation and ``orig_label`` the gold before it. (A NamedTuple: immutable, and built several
    times faster than a frozen dataclass, which matters at a million rows a read.)"""

    id: str
    task: str
    lang: str
    fields: Mapping[str, str]
    label: Label
    orig_label: Label | None
    op: str | None = None
    variant: int = 0
    edits: tuple[Edit, ...] = ()
    attack: Mapping[str, Any] | None = None  # rows of `xstress attack`: queries, success, ops… of the search

    @property
    def is_clean(self) -> bool:
        return self.op is None

    @property
    def source_index(self) -> int:
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

    def to_example(self) -> Example:
        """The example this row holds (a clean row: the source example; else the perturbed one, its new label)."""
        return Example(self.id, self.task, self.lang, self.fields, self.label)

    def with_fields(self, **fields: str) -> "AttackRow":
        """A copy with some fields replaced (e.g. XCOPA's majority question at scoring time)."""
        return self._replace(fields=MappingProxyType({**self.fields, **fields}))

    def to_json(self) -> dict:
        """The row as `canonical_line` writes it (clean rows carry `task`; perturbed rows their op's columns)."""
        if self.op is None:
            return {"fields": dict(self.fields), "id": self.id, "label": self.label, "lang": self.lang,
                    "task": self.task}
        out = {"edits": [e.to_json() for e in self.edits], "fields": dict(self.fields), "id": self.id,
               "label": self.label, "lang": self.lang, "op": self.op, "orig_label": self.orig_label,
               "variant": self.variant}
        if self.attack is not None:
            out["attack"] = dict(self.attack)
        return out

    @classmethod
    def from_json(cls, obj: Any, path, line_no: int | None) -> "AttackRow":
        """The row of a parsed JSON line; InputError naming `path`:`line_no` for a missing, extra or
        wrong-typed key, a malformed id, or fields and labels that are not the task's."""
        try:
            return _parse(obj)
        except _Bad as e:
            raise InputError(path, line_no, f"not an attack-set row: {e}") from None


_make = AttackRow._make  # the NamedTuple constructor without its Python-level __new__


def _parse(obj: Any) -> AttackRow:
    # Written for speed (a read of a full set parses a million rows): checks inline, and the strings every row
    # repeats (labels, language, op, field names) shared rather than held once per row.
    if type(obj) is not dict:
        raise _Bad(f"expected a JSON object, got {type(obj).__name__}")
    perturbed = "op" in obj
    want = (_ATTACKED_KEYS if "attack" in obj else _PERTURBED_KEYS) if perturbed else _CLEAN_KEYS
    if obj.keys() != want:
        _keys(obj, want, "row")
    rid, lang = obj["id"], obj["lang"]
    if type(rid) is not str or type(lang) is not str:
        raise _Bad(f"'id' and 'lang' must be strings, got {rid!r}, {lang!r}")
    try:
        pid = parse_id(rid)
    except ValueError as e:
        raise _Bad(str(e)) from None
    if pid.lang != lang:
        raise _Bad(f"id {rid} is not in language {lang!r}")
    task = pid.task
    if not perturbed:
        if obj["task"] != task:
            raise _Bad(f"task {obj['task']!r} does not match id {rid}")
        label = _label(obj, "label", task)
        return _make((rid, task, pid.lang, _fields(obj, task), label, label, None, 0, (), None))
    op, variant = obj["op"], obj["variant"]
    if type(op) is not str:
        raise _Bad(f"'op' must be a string, got {op!r}")
    if type(variant) is not int or variant < 0:
        raise _Bad(f"'variant' must be an integer >= 0, got {variant!r}")
    attack = obj.get("attack")  # only `xstress attack` rows have it (the key set was checked above)
    if attack is not None and type(attack) is not dict:
        raise _Bad(f"'attack' must be an object, got {attack!r}")
    return _make((rid, task, pid.lang, _fields(obj, task), _label(obj, "label", task),
                  _label(obj, "orig_label", task), sys.intern(op), variant, _edits(obj["edits"], task),
                  None if attack is None else MappingProxyType(attack)))


def _keys(obj: dict, want: frozenset, what: str) -> None:
    """Raise for an object whose keys are not `want` (callers compare first: this only says how they differ)."""
    if obj.keys() != want:
        missing, extra = sorted(want - obj.keys()), sorted(obj.keys() - want)
        raise _Bad(f"{what} " + "; ".join(([f"lacks {', '.join(map(repr, missing))}"] if missing else [])
                                          + ([f"has unexpected {', '.join(map(repr, extra))}"] if extra else [])))


# Each task's labels and field names, mapped to themselves: a lookup validates a value and returns the shared one.
_LABELS = {task: {lab: lab for lab in labels} for task, labels in TASK_LABELS.items()}
_FIELD_NAMES = {task: {name: name for name in names} for task, names in TASK_FIELDS.items()}


def _label(obj: dict, key: str, task: str) -> Label:
    v = obj[key]
    shared = _LABELS[task].get(v) if type(v) in (str, int) else None
    if shared is None:
        raise _Bad(f"{key!r} must be one of {TASK_LABELS[task]} for {task}, got {v!r}")
    return shared


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


def _edits(raw: Any, task: str) -> tuple[Edit, ...]:
    if type(raw) is not list:
        raise _Bad(f"'edits' must be a list, got {raw!r}")
    names = _FIELD_NAMES[task]
    out = []
    for e in raw:
        if type(e) is not dict:
            raise _Bad(f"an edit must be an object, got {e!r}")
        if e.keys() != _EDIT_KEYS:
            _keys(e, _EDIT_KEYS, "edit")
        field, start, end, before, after = e["field"], e["start"], e["end"], e["before"], e["after"]
        name = names.get(field) if type(field) is str else None
        if name is None:
            raise _Bad(f"an edit's 'field' must be one of {', '.join(names)}, got {e['field']!r}")
        if type(start) is not int or type(end) is not int or type(before) is not str or type(after) is not str:
            raise _Bad(f"an edit's 'start' and 'end' must be integers and 'before' and 'after' strings, got {e!r}")
        out.append(Edit(name, start, end, before, after))
    return tuple(out)
