"""Expose an xstress char/lex perturbation as a TextAttack `Transformation`, so TextAttack's search methods
(greedy, beam, genetic, ...) can use language-correct edits.

    >>> from perturb.textattack_adapter import transformation          # doctest: +SKIP
    >>> t = transformation("char.keyboard", lang="hi", candidates=8)   # doctest: +SKIP
    >>> attack = textattack.Attack(goal_function, [RepeatModification()], t, GreedySearch())  # doctest: +SKIP

Why an adapter rather than TextAttack's own character transformations: TextAttack edits code points inside the
words of its `words_from_text`, which splits Hindi at every vowel sign (Python's `\\w` has no combining marks) and
keeps a Thai sentence as one word. xstress ops edit grapheme clusters inside the words of a per-language
segmenter, with per-language keyboards, alphabets and diacritics. The adapter runs the xstress op on the whole
text and then tells TextAttack which of *its* words changed (by aligning its word lists before and after), so
TextAttack's constraints (RepeatModification, max words perturbed, ...) and its index bookkeeping keep working.

TextAttack is optional (the `textattack` extra) and imported only when `transformation()` is called: it needs
torch and transformers < 5, and downloads NLTK data when first imported. Only label-preserving char and lex ops
can be used: TextAttack assumes the gold label survives a transformation.
"""
from __future__ import annotations

import difflib
import hashlib
from collections import OrderedDict
from typing import Any, Mapping, Sequence

from . import registry
from .core import Perturbed, Span, apply_spans
from .example import Example
from .recipe import op_key
from .rng import derive_rng
from .schema import TASKS

INSTALL_HINT = ("pip install 'xstress[textattack]' (TextAttack 0.3.x requires transformers < 5, so give it its own "
                "environment)")
NLTK_HINT = ("TextAttack loads NLTK data when it is imported; fetch it once with internet access: python -m "
             "nltk.downloader stopwords omw wordnet universal_tagset averaged_perceptron_tagger punkt")

# Text fields an op can edit, by task; TextAttack columns are mapped onto them in order.
_TEXT_FIELDS = {"xnli": ("premise", "hypothesis"), "xcopa": ("premise", "choice1", "choice2")}


class XstressEdits:
    """The TextAttack-free half of the adapter: run one op on a dict of columns and return candidate texts.

    `propose` takes TextAttack's columns ({name: text}, e.g. premise/hypothesis, or text) and returns (new
    columns, edits) pairs, the edits in code-point offsets of each column's text; `columns` restricts which
    columns are edited. Deterministic: variant v of a text always gets the same RNG (seed, op, params, hash of
    the text, v), derived as `xstress perturb` derives it.
    """

    def __init__(self, op: str, *, lang: str, params: Mapping[str, Any] | None = None, seed: int = 13,
                 candidates: int = 8, columns: Sequence[str] | None = None,
                 resources: Mapping[str, Any] | None = None):
        cls = registry.get(op)
        if cls.family not in ("char", "lex"):
            raise ValueError(f"{op}: only char and lex ops can be TextAttack transformations (a {cls.family} "
                             "op changes what the sentence says, and TextAttack assumes the label holds)")
        if cls.label_effect() != "preserve":
            raise ValueError(f"{op}: changes labels ({cls.label_effect()}); TextAttack needs label-preserving edits")
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
        if isinstance(candidates, bool) or not isinstance(candidates, int) or not 1 <= candidates <= 1000:
            raise ValueError(f"candidates must be an integer in [1, 1000], got {candidates!r}")
        self.op = cls(**dict(params or {}))
        # Ops that read external resources (lex.codeswitch: a MUSE lexicon dir; lex.mlm: a masked LM) get them
        # the way a recipe gives them (recipe._bind_resources), from `resources`.
        needs = cls.requires
        if needs:
            missing = [n for n in needs if (resources or {}).get(n) is None]
            if missing:
                raise ValueError(f"{op} needs {needs[missing[0]]}; pass resources={{{missing[0]!r}: ...}}")
            self.op = self.op.bind(**{n: resources[n] for n in needs})
        self.name, self.lang, self.seed, self.candidates = op, lang, seed, candidates
        # The task whose languages include `lang` decides which xstress fields the columns become.
        tasks = [t for t in TASKS if self.op.supports(t, lang)]
        if not tasks:
            langs = sorted(set(cls.languages("xnli")) | set(cls.languages("xcopa")))
            raise ValueError(f"{op} does not support language {lang!r}; it supports {', '.join(langs)}")
        self.task = tasks[0]
        self.only = tuple(columns) if columns else None
        # The same RNG key as the engine uses for this op and params.
        self._key = op_key(self.op)

    def _example(self, cols: Mapping[str, str]) -> tuple[Example, dict[str, str]]:
        names = list(cols)
        slots = _TEXT_FIELDS[self.task]
        if len(names) > len(slots):
            raise ValueError(f"{len(names)} text columns ({', '.join(names)}); the adapter maps at most "
                             f"{len(slots)} ({', '.join(slots)})")
        # premise/hypothesis columns keep their names; other names are mapped in order.
        if set(names) <= set(slots):
            to_field = {n: n for n in names}
        else:
            to_field = dict(zip(names, slots))
        fields = {f: "" for f in slots}
        fields.update({to_field[n]: cols[n] for n in names})
        if self.task == "xcopa":
            fields["question"] = "cause"
        digest = hashlib.sha256("\x1f".join(f"{n}\x1e{cols[n]}" for n in names).encode("utf-8")).hexdigest()[:16]
        return Example(f"textattack/{self.lang}/{digest}", self.task, self.lang, fields, "neutral"
                       if self.task == "xnli" else 0), to_field

    def propose(self, cols: Mapping[str, str]) -> list[tuple[dict[str, str], list[tuple[str, int, int, str, str]]]]:
        """Distinct candidates: (new columns, [(column, start, end, before, after), ...])."""
        ex, to_field = self._example(cols)
        if self.only is not None:
            targets = [to_field[n] for n in cols if n in self.only]
        elif all(to_field[n] == n for n in cols):
            # Columns named as xstress fields: edit what `xstress perturb` edits (XNLI: the hypothesis).
            targets = [n for n in cols if n in self.op.default_fields(self.task)] or [to_field[n] for n in cols]
        else:
            targets = [to_field[n] for n in cols]
        from_field = {f: n for n, f in to_field.items()}
        out, seen = [], set()
        for v in range(self.candidates):
            res = self.op.apply(ex, derive_rng(self.seed, self._key, ex.id, v), fields=targets, variant=v)
            if not isinstance(res, Perturbed):
                continue
            new = {n: res.example.fields[to_field[n]] for n in cols}
            key = tuple(new.values())
            if key in seen or key == tuple(cols.values()):
                continue
            seen.add(key)
            out.append((new, [(from_field[e.field], e.start, e.end, e.before, e.after) for e in res.edits]))
        return out

    def propose_single(self, cols: Mapping[str, str]) -> list[tuple[dict[str, str], list[tuple[str, int, int, str, str]]]]:
        """Like `propose`, but every single edit the op could make (its `candidate_edits`, one word at a time:
        what `xstress attack` searches), instead of `candidates` sampled variants. TextAttack's search then
        composes them, as it does with its own word-level transformations."""
        ex, to_field = self._example(cols)
        targets = [to_field[n] for n in cols if self.only is None or n in self.only]
        if self.only is None and all(to_field[n] == n for n in cols):
            targets = [n for n in cols if n in self.op.default_fields(self.task)] or targets
        from_field = {f: n for n, f in to_field.items()}
        out = []
        for field in targets:
            for c in self.op.candidate_edits(ex, field, f"seed:{self.seed}"):
                new_text, edits = apply_spans(ex.fields[field], field, [Span(e.start, e.end, e.after) for e in c.edits])
                new = {n: (new_text if to_field[n] == field else cols[n]) for n in cols}
                out.append((new, [(from_field[e.field], e.start, e.end, e.before, e.after) for e in edits]))
        return out


def _spans(words: Sequence[str], text: str) -> list[tuple[int, int]] | None:
    """Character spans of TextAttack's words in `text` (its words are substrings, in order)."""
    spans, cursor = [], 0
    for w in words:
        at = text.find(w, cursor)
        if at < 0:
            return None
        spans.append((at, at + len(w)))
        cursor = at + len(w)
    return spans


def align(old_words: Sequence[str], old_text: str, new_words: Sequence[str],
          edit_spans: Sequence[tuple[int, int]]) -> tuple[set[int], set[int], list[int]] | None:
    """Which TextAttack words an edit touched: (old indices touched, new indices modified, old->new index map
    with -1 for a removed word), or None when the edit cannot be pinned to any word.

    Words that differ after alignment are touched, and so is every word an edit overlaps or abuts (an edit of a
    combining mark that TextAttack leaves outside its words still belongs to the word it follows)."""
    spans = _spans(old_words, old_text)
    if spans is None:
        return None
    o2n = [-1] * len(old_words)
    touched: set[int] = set()
    modified: set[int] = set()
    for tag, i0, i1, j0, j1 in difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False).get_opcodes():
        if tag == "equal":
            for k in range(i1 - i0):
                o2n[i0 + k] = j0 + k
            continue
        touched.update(range(i0, i1))
        modified.update(range(j0, j1))
        for k in range(min(i1 - i0, j1 - j0)):
            o2n[i0 + k] = j0 + k
    for es, ee in edit_spans:
        for i, (ws, we) in enumerate(spans):
            if ws <= ee and es <= we:
                touched.add(i)
                if o2n[i] >= 0:
                    modified.add(o2n[i])
    if not touched:
        return None
    return touched, modified, o2n


_CLASS = None


def _textattack_class():
    """Build the Transformation subclass on first use, so importing this module never imports TextAttack."""
    global _CLASS
    if _CLASS is not None:
        return _CLASS
    try:
        import numpy as np
        from textattack.shared import AttackedText
        from textattack.transformations import Transformation
    except ImportError as e:
        raise ImportError(f"the TextAttack adapter needs TextAttack ({e}); {INSTALL_HINT}") from None
    except LookupError as e:  # NLTK's "Resource ... not found", raised while TextAttack imports
        raise RuntimeError(f"{NLTK_HINT} ({str(e).strip().splitlines()[0]})") from None

    class XstressTransformation(Transformation):
        """An xstress op as a TextAttack transformation; see perturb/textattack_adapter.py."""

        def __init__(self, edits: XstressEdits):
            self.edits = edits
            self.op_name, self.lang, self.seed, self.candidates = edits.name, edits.lang, edits.seed, edits.candidates

        @property
        def deterministic(self):
            return True  # the same text always gets the same candidates

        def extra_repr_keys(self):
            return ["op_name", "lang", "seed", "candidates"]

        def _get_transformations(self, current_text, indices_to_modify):
            values = current_text.tokenizer_input  # one column: a str; several: a tuple in column order
            cols = OrderedDict(zip(current_text.column_labels, (values,) if isinstance(values, str) else values))
            offsets, at = {}, 0
            for name, value in cols.items():
                offsets[name] = at
                at += len(value) + 1  # AttackedText.text joins columns with "\n"
            old_words = current_text.words
            prev_map = np.asarray(current_text.attack_attrs["original_index_map"])
            out = []
            propose = self.edits.propose_single if getattr(self, "single_edits", False) else self.edits.propose
            for new_cols, edits in propose(cols):
                candidate = AttackedText(OrderedDict(new_cols))
                spans = [(offsets[c] + s, offsets[c] + e) for c, s, e, _, _ in edits]
                aligned = align(old_words, current_text.text, candidate.words, spans)
                if aligned is None:
                    continue
                touched, modified, o2n = aligned
                if not touched <= set(indices_to_modify):
                    continue
                o2n_arr = np.asarray(o2n + [-1])  # index -1 (an already removed word) stays -1
                new_map = np.where(prev_map >= 0, o2n_arr[prev_map], -1)
                kept = {o2n[i] for i in current_text.attack_attrs.get("modified_indices", set()) if o2n[i] >= 0}
                attrs = {"original_index_map": new_map, "modified_indices": kept | modified,
                         "newly_modified_indices": set(modified), "previous_attacked_text": current_text}
                if "label_names" in current_text.attack_attrs:
                    attrs["label_names"] = current_text.attack_attrs["label_names"]
                out.append(AttackedText(OrderedDict(new_cols), attack_attrs=attrs))
            return out

    _CLASS = XstressTransformation
    return _CLASS


def transformation(op: str, *, lang: str, params: Mapping[str, Any] | None = None, seed: int = 13,
                   candidates: int = 8, columns: Sequence[str] | None = None,
                   resources: Mapping[str, Any] | None = None, single_edits: bool = False):
    """A TextAttack `Transformation` proposing up to `candidates` variants of the text per call from xstress op
    `op` (a char.* or lex.* registry name, with `params`) for language `lang`.

    `columns`: which TextAttack columns to edit. Columns named premise/hypothesis map to those xstress fields
    and by default only the fields `xstress perturb` edits are edited (XNLI: the hypothesis); other column
    names map in order and are all edited by default. `resources`: what ops with external resources need, as
    `xstress perturb` takes them (lex.codeswitch: {"lexicon_dir": DIR}; lex.mlm: {"mlm": MODEL}). (one or two columns for XNLI languages, up to three for XCOPA-only
    languages such as et or qu). `single_edits=True`: propose every single edit the op could make
    (`Perturbation.candidate_edits`, as `xstress attack` searches) instead of `candidates` sampled variants."""
    edits = XstressEdits(op, lang=lang, params=params, seed=seed, candidates=candidates, columns=columns,
                         resources=resources)
    t = _textattack_class()(edits)
    t.single_edits = single_edits  # True: every single edit the op offers (Perturbation.candidate_edits)
    return t
