"""Signatures: the sacrebleu-style `key:value|…` line that says how an attack set or a score was made, formatted
and parsed by one type, with each kind's field order written down once (here); every kind starts with the tool
version (`xstress:…`)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Sequence

SEP = "|"
KV = ":"


def format_value(value: Any) -> str:
    """Render a value for a signature: stable, short, no `|`."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (tuple, list, frozenset)):
        return "+".join(format_value(v) for v in value)
    return str(value).replace(SEP, "/")


@dataclass(frozen=True)
class Signature:
    """An ordered list of (key, value) fields. Keys are non-empty and hold neither `:` nor `|`; values hold no
    `|` (they may hold `:`, e.g. a source id), so `Signature.parse(s.format()) == s`."""

    fields: tuple[tuple[str, str], ...] = ()

    def __post_init__(self):
        for key, value in self.fields:
            if not isinstance(key, str) or not key or KV in key or SEP in key:
                raise ValueError(f"bad signature key {key!r}: non-empty, without ':' or '|'")
            if not isinstance(value, str) or SEP in value:
                raise ValueError(f"bad signature value {value!r} for {key!r}: a string without '|'")

    @classmethod
    def of(cls, pairs: Iterable[tuple[str, Any]]) -> "Signature":
        """A signature of (key, value) pairs, each value rendered with `format_value`."""
        return cls(tuple((k, format_value(v)) for k, v in pairs))

    def __add__(self, other: "Signature") -> "Signature":
        return Signature(self.fields + other.fields)

    def format(self) -> str:
        return SEP.join(f"{k}{KV}{v}" for k, v in self.fields)

    __str__ = format

    @classmethod
    def parse(cls, text: str) -> "Signature":
        """The signature a `format` wrote; ValueError naming the field that is not `key:value`."""
        if text == "":
            return cls()
        fields = []
        for part in text.split(SEP):
            key, colon, value = part.partition(KV)
            if not colon or not key:
                raise ValueError(f"signature field {part!r} is not key:value (in {text!r})")
            fields.append((key, value))
        return cls(tuple(fields))

    def get(self, key: str, default: str | None = None) -> str | None:
        """The first value recorded under `key`."""
        return next((v for k, v in self.fields if k == key), default)

    def keys(self) -> list[str]:
        return [k for k, _ in self.fields]


# -- the kinds of signature, each field order in one place -------------------------------------------------------

def perturbation(*, version: str, op: str, params: Sequence[tuple[str, Any]],
                 resources: Sequence[tuple[str, Any]], k: int, seed: int, fields: Sequence[str], src: str,
                 qfix: str | None = None) -> Signature:
    """An attack set's op x language: tool version, op, its params, the identity of external resources (a lexicon
    or masked LM by content hash, so two machines with the same files at different paths sign alike), k, seed,
    target fields, the source file, and for XCOPA the question fix."""
    return Signature.of([("xstress", version), ("op", op), *params, *resources, ("k", k), ("seed", seed),
                         ("fields", tuple(fields)), ("src", src), *([("qfix", qfix)] if qfix is not None else [])])


def scores(*, task: str, attacks: str, set_id: str, models: int, boot: int, boot_seed: int, level: float,
           sample: str, qfix: str | None, version: str) -> Signature:
    """A results document: the tool version (first, as in every signature), what was scored (task, manifest and
    content hashes) and how (bootstrap, CI level, sampling)."""
    return Signature.of([("xstress", version), ("task", task), ("attacks", attacks), ("set", set_id),
                         ("models", models), ("boot", boot), ("bseed", boot_seed), ("ci", level), ("sample", sample),
                         *([("qfix", qfix)] if qfix is not None else [])])


def model(*, fingerprint: str, precision: Any, version: str) -> Signature:
    """One scored model: the tool version, its weights' fingerprint and precision."""
    return Signature.of([("xstress", version), ("model", fingerprint), ("prec", precision)])


def attack(*, version: str, parts: Sequence[tuple[str, Any]]) -> Signature:
    """A model-in-the-loop attack's rows: the tool version first (as attack sets have it), then the search, its
    model, seed, constraints and sample in the order `harness.attack.job` lists them; `src` is appended per
    language."""
    return Signature.of([("xstress", version), *parts])


def source_token(task: str, split: str, lang: str, sha256: str) -> str:
    """The `src` value of an attack-set signature: task-split-lang@first 8 hex digits of the source's sha256."""
    return f"{task}-{split}-{lang}@{sha256[:8]}"
