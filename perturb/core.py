"""The perturbation contract: params, label effects, edit spans, and turning an op's edits into a new example."""
from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, ClassVar, Iterable, Mapping, Sequence

from .example import DEFAULT_TARGET_FIELDS, TASK_FIELDS, TASK_LANGS, TASKS, XNLI_LABELS, Example, Label

FAMILIES = ("char", "lex", "logic")
# Size of the memos keyed by a whole text (tokenisations, per-sentence analyses shared by a recipe's entries).
# The engine runs every entry over a chunk of examples before the next chunk, so what must be remembered is a
# chunk's texts, not a corpus's: a small bound keeps memory flat however large the input.
TEXT_MEMO = 4096


@dataclass(frozen=True, slots=True)
class Edit:
    """One change to a field, in code-point offsets of the original (unperturbed) text."""

    field: str
    start: int
    end: int
    before: str
    after: str

    def to_json(self) -> dict:
        return {"field": self.field, "start": self.start, "end": self.end, "before": self.before,
                "after": self.after}


@dataclass(frozen=True, slots=True)
class Span:
    """What an op returns for one field: replace text[start:end] by `after`."""

    start: int
    end: int
    after: str


@dataclass(frozen=True)
class Perturbed:
    """An applied perturbation: the new example (label already remapped), its edits and variant number."""

    example: Example
    orig_label: Label
    edits: tuple[Edit, ...]
    variant: int = 0


class Dropped:
    """Marker result: the op applied but the new gold label is undetermined, so the example is dropped."""

    __slots__ = ()


DROPPED = Dropped()


@dataclass(frozen=True)
class Params:
    """Base for op parameters; subclasses add fields (all must have defaults and be hashable)."""

    def describe(self) -> list[tuple[str, Any]]:
        return [(f.name, getattr(self, f.name)) for f in dataclasses.fields(self)]


@dataclass(frozen=True)
class RateParams(Params):
    """Common parameter of noise ops: the share of eligible words touched (at least one when any exists)."""

    rate: float = 0.1

    def __post_init__(self):
        # bool is an int subclass: `rate: true` in a recipe is a mistake, not 1.0.
        if isinstance(self.rate, bool) or not isinstance(self.rate, (int, float)) or not 0.0 <= self.rate <= 1.0:
            raise ValueError(f"rate must be a number in [0, 1], got {self.rate!r}")


def task_languages(task: str, supported) -> frozenset[str]:
    """The languages of `task` among `supported` (resources often cover more languages than a task has)."""
    return frozenset(supported) & frozenset(TASK_LANGS.get(task, ()))


def n_to_touch(rate: float, n_eligible: int) -> int:
    """How many of n eligible units a rate selects: round half up, at least one when rate > 0."""
    if n_eligible <= 0 or rate <= 0:
        return 0
    return min(n_eligible, max(1, int(rate * n_eligible + 0.5)))


class Perturbation:
    """Base class for a registered op. Subclasses set the class attributes and implement `edit_field`
    (most ops) or override `apply` (ops that need the whole example)."""

    name: ClassVar[str]                      # registry name "family.op"
    family: ClassVar[str]                    # char | lex | logic
    description: ClassVar[str] = ""
    tasks: ClassVar[tuple[str, ...]] = TASKS
    Params: ClassVar[type[Params]] = Params
    # None: label preserved. Otherwise a map over the task's labels; a value of None means
    # "undetermined": the example is dropped and counted, never guessed.
    label_map: ClassVar[Mapping[Label, Label | None] | None] = None
    # Fields this op may edit; None means any text field of the task.
    editable_fields: ClassVar[Mapping[str, tuple[str, ...]] | None] = None

    def __init__(self, params: Params | None = None, **kwargs):
        if params is not None and kwargs:
            raise TypeError("give either a Params instance or keyword parameters, not both")
        if params is None:
            try:
                params = self.Params(**kwargs)
            except TypeError as e:
                names = [f.name for f in dataclasses.fields(self.Params)]
                raise ValueError(f"{self.name}: bad parameters {sorted(kwargs)} ({e}); "
                                 f"accepted: {', '.join(names) or 'none'}") from None
        elif not isinstance(params, self.Params):
            raise TypeError(f"{self.name} expects {self.Params.__name__}, got {type(params).__name__}")
        self.params = params

    # -- declarations --------------------------------------------------------------------------
    @classmethod
    def languages(cls, task: str) -> frozenset[str]:
        """Languages this op supports for `task` (empty when the task is not supported)."""
        raise NotImplementedError

    def supports(self, task: str, lang: str) -> bool:
        return task in self.tasks and lang in self.languages(task)

    def unsupported_reason(self, task: str, lang: str) -> str | None:
        """Why a language that `supports` refuses is refused, where the op can say it better than "unsupported"
        (the manifest, the perturb summary and `xstress ls` show it); None by default."""
        return None

    @classmethod
    def label_effect(cls) -> str | dict:
        """'preserve' or the label map (JSON-able, None for undetermined)."""
        if cls.label_map is None:
            return "preserve"
        return {str(k): v for k, v in cls.label_map.items()}

    @classmethod
    def default_fields(cls, task: str) -> tuple[str, ...]:
        if cls.editable_fields is not None:
            return tuple(cls.editable_fields.get(task, ()))
        return DEFAULT_TARGET_FIELDS[task]

    @classmethod
    def allowed_fields(cls, task: str) -> tuple[str, ...]:
        if cls.editable_fields is not None:
            return tuple(cls.editable_fields.get(task, ()))
        # The XCOPA question is a keyword (cause/effect), not text to perturb.
        return tuple(f for f in TASK_FIELDS[task] if f != "question")

    # -- optional hooks: external resources, parallel text, signatures -----------------------------
    # External resources the op needs before it can run, {name: what it is}, e.g. {"lexicon_dir": "a MUSE
    # lexicon directory"}. A recipe hands each from the matching flag (recipe.RESOURCE_FLAGS) to `bind`.
    requires: ClassVar[Mapping[str, str]] = MappingProxyType({})
    # A language whose examples the op reads beside each example (its translation, found by id), e.g. "en";
    # the engine hands them over through `with_parallel` before any worker starts. None: no parallel text.
    needs_parallel: ClassVar[str | None] = None

    def bind(self, **resources: Any) -> "Perturbation":
        """A copy of this op that uses the resources it `requires` (one keyword argument each); ValueError or
        OSError when one is unusable. Only ops that declare `requires` are bound."""
        if resources:
            raise TypeError(f"{self.name} takes no resources, got {', '.join(sorted(resources))}")
        return self

    def with_parallel(self, task: str, examples: Iterable[Example] | None, source: str) -> "Perturbation":
        """A copy of this op that knows the `needs_parallel` examples of `task` (None: none available) and records
        `source` (e.g. xnli-test-en@1a2b3c4d, or "none") in its signature. Only ops that declare
        `needs_parallel` are given parallel text."""
        raise TypeError(f"{self.name} reads no parallel text (it declares no needs_parallel)")

    def resource_parts(self, task: str, lang: str | None) -> list[tuple[str, Any]]:
        """Signature fields naming the external resources used for `task` in `lang` (None: no language yet),
        by content hash or library version, never by path, e.g. [("lexicon", "en-de@1a2b3c4d")]."""
        return []

    def resource_params(self) -> dict[str, Any]:
        """What the manifest records, beside the params, about the bound resources (JSON-able)."""
        return {}

    @classmethod
    def contract_instance(cls) -> "Perturbation":
        """The instance the contract tests run on the sample data; ops that need a resource bind a small one."""
        return cls()

    # -- behaviour -----------------------------------------------------------------------------
    def edit_field(self, text: str, *, field: str, example: Example,
                   rng: random.Random) -> Sequence[Span] | Dropped | None:
        """Spans to change in one field, None / [] when the op does not apply to it, or DROPPED when it would
        change the text but cannot tell the new label (the whole example is then dropped and counted)."""
        raise NotImplementedError

    def apply(self, example: Example, rng: random.Random, *, fields: Sequence[str],
              variant: int = 0) -> Perturbed | Dropped | None:
        """Run the op on `example`; None = not applicable, DROPPED = label undetermined (any field said so)."""
        edits: list[Edit] = []
        new_fields: dict[str, str] = {}
        dropped = False
        for field in fields:
            text = example.fields[field]
            spans = self.edit_field(text, field=field, example=example, rng=rng)
            if spans is DROPPED:
                dropped = True
                continue
            if not spans:
                continue
            new_text, field_edits = apply_spans(text, field, spans)
            if field_edits:
                edits.extend(field_edits)
                new_fields[field] = new_text
        if dropped:
            return DROPPED
        if not edits:
            return None
        return self.finish(example, new_fields, edits, variant)

    def finish(self, example: Example, new_fields: Mapping[str, str], edits: Iterable[Edit],
               variant: int) -> Perturbed | Dropped:
        """Apply the label effect and build the result."""
        label = example.label
        if self.label_map is not None:
            if label not in self.label_map:
                raise ValueError(f"{self.name}: label {label!r} not in its label map")
            label = self.label_map[label]
            if label is None:
                return DROPPED
        return Perturbed(example.replace(fields=new_fields, label=label), example.label, tuple(edits), variant)

    # -- candidate enumeration (model-in-the-loop search; the sampling path above never calls it) -------------
    def candidate_edits(self, example: Example, field: str, rng_key: str = "") -> list:
        """The single edits this op could make in `field` of `example`, each a `perturb.candidates.Candidate`
        (edit spans against the original text), deterministic in (rng_key, op, example id, field).

        This default enumerates through `edit_field` at one unit per draw; ops with a per-word edit function
        override it. An op that does not support the example's task and language, or the field, gives []."""
        from .candidates import sampled

        if not self.supports(example.task, example.lang) or field not in self.allowed_fields(example.task):
            return []
        return sampled(self, example, field, rng_key, self.name)


def apply_spans(text: str, field: str, spans: Sequence[Span]) -> tuple[str, list[Edit]]:
    """Replace the spans (sorted, non-overlapping, in bounds) and record them as edits; no-op spans vanish."""
    if len(spans) == 1:  # the usual case (one word touched), without the general loop
        span = spans[0]
        if not (0 <= span.start <= span.end <= len(text)):
            raise ValueError(f"span {span} outside a text of length {len(text)}")
        before = text[span.start:span.end]
        if before == span.after:
            return text, []
        return (text[:span.start] + span.after + text[span.end:],
                [Edit(field, span.start, span.end, before, span.after)])
    spans = sorted(spans, key=lambda s: (s.start, s.end))
    pieces: list[str] = []
    edits: list[Edit] = []
    pos = 0
    for span in spans:
        if not (0 <= span.start <= span.end <= len(text)):
            raise ValueError(f"span {span} outside a text of length {len(text)}")
        if span.start < pos:
            raise ValueError(f"overlapping spans in field {field!r}: {spans}")
        before = text[span.start:span.end]
        pieces.append(text[pos:span.start])
        pieces.append(span.after)
        pos = span.end
        if before != span.after:
            edits.append(Edit(field, span.start, span.end, before, span.after))
    pieces.append(text[pos:])
    return "".join(pieces), edits


def xnli_label_map(mapping: Mapping[str, str | None]) -> Mapping[str, str | None]:
    """Check a map covers exactly the three NLI labels (a missing label would be a silent guess)."""
    if set(mapping) != set(XNLI_LABELS):
        raise ValueError(f"label map must cover {XNLI_LABELS}, got {sorted(mapping)}")
    return dict(mapping)
