"""Scores an attack set one language at a time, in bounded chunks, into compact per-row numpy arrays aligned by id."""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np

from harness.errors import AttackSetError
from perturb.errors import unknown_languages
from harness.labels import gold_index
from perturb.rows import AttackRow
from perturb.schema import parallel_key

# Rows whose unique inputs share one table (and one dedup window): what bounds memory (~1.5 KB a row while the
# chunk is open). A language of XNLI test x `default` (~73k rows) takes two; an input repeated across chunks
# is found in the cache instead (or scored again without one, with the same result).
CHUNK_ROWS = 1 << 16
# Rows tokenized per tokenizer call: the tokenizer's Python lists of ids exist only for these.
ENCODE_ROWS = 2048


@dataclass
class OpPredictions:
    """Variants of one perturbation in one language; ``index`` points into the language's clean ids."""

    index: np.ndarray  # int32
    variant: np.ndarray  # int32
    pred: np.ndarray  # int8, index into the task's label order
    gold: np.ndarray  # int8, gold after the perturbation (differs from orig_gold for label-changing ops)
    orig_gold: np.ndarray  # int8


@dataclass
class LangPredictions:
    """Clean predictions of one language and its perturbations' predictions, on the same (sampled) ids."""

    ids: list[str]
    gold: np.ndarray  # int8
    pred: np.ndarray  # int8
    ops: dict[str, OpPredictions] = field(default_factory=dict)


def sample_ids(ids: Iterable[str], n: int | None, seed: int) -> set[str]:
    """A seeded choice of ``n`` ids, the same items in every language (hash of seed + parallel key, smallest n)."""
    ids = list(ids)
    if n is None or n >= len(ids):
        return set(ids)
    ranked = sorted(ids, key=lambda i: hashlib.sha256(f"{seed}|{parallel_key(i)}".encode()).hexdigest())
    return set(ranked[:n])


@dataclass
class RowMeta:
    """One language's rows in reading order (clean first, then each perturbation), as compact columns."""

    ids: list[str]
    starts: list[tuple[str | None, int]] = field(default_factory=list)  # (op, or None for clean; first row)
    index: array = field(default_factory=lambda: array("i"))
    variant: array = field(default_factory=lambda: array("i"))
    gold: array = field(default_factory=lambda: array("b"))
    orig_gold: array = field(default_factory=lambda: array("b"))
    pred: array = field(default_factory=lambda: array("b"))

    def __len__(self) -> int:
        return len(self.index)

    def sections(self) -> list[tuple[str | None, int, int]]:
        """(op, start, end) of every section read so far (the last may still be growing)."""
        ends = [s for _, s in self.starts[1:]] + [len(self)]
        return [(op, start, end) for (op, start), end in zip(self.starts, ends)]


@dataclass
class Progress:
    """Callbacks for a caller's progress display: rows read and encoded, inputs scored (both with counts)."""

    rows: Callable[[str, int], None] | None = None  # (lang, n rows encoded)
    scored: Callable[[str, int, int], None] | None = None  # (lang, n inputs just scored, inputs of the chunk)


def check_selection(attack_set, langs: Iterable[str] | None, ops: Iterable[str] | None) -> tuple[list[str], set | None]:
    """The languages to score and the wanted ops (None: all), refused up front when the set lacks them."""
    langs = list(langs) if langs is not None else list(attack_set.langs)
    for lang in langs:
        if lang not in attack_set.langs:
            raise unknown_languages("--langs", [lang], attack_set.langs, f"the attack set {attack_set.path}")
    want = set(ops) if ops is not None else None
    if want is not None:
        known = {op for lang in langs for op in attack_set.perturbations(lang)}
        if want - known:
            raise AttackSetError(f"{attack_set.path}: no perturbation(s) {sorted(want - known)} in "
                                 f"{', '.join(langs)}; available: {', '.join(sorted(known))}")
    return langs, want


def collect_predictions(
    scorer,
    attack_set,
    *,
    langs: Iterable[str] | None = None,
    ops: Iterable[str] | None = None,
    max_per_lang: int | None = None,
    sample_seed: int = 0,
    writer=None,
    progress: Progress | None = None,
    xcopa_question: str = "majority",
    question_report: dict | None = None,
) -> dict[str, LangPredictions]:
    """Score the rows of ``attack_set`` (optionally a subset), one language and one chunk at a time.

    Memory holds one chunk's unique inputs (flat token buffers) and a few bytes per row, never the rows
    themselves; identical inputs within a chunk are scored once. ``writer`` (a :class:`PredictionsWriter`)
    receives every row's prediction as it is made. XCOPA rows get their item's cross-language majority question
    (``xcopa_question="majority"``, see :mod:`perturb.xcopa_question`) unless ``"as-is"``; what changed per
    language goes into ``question_report`` when given.
    """
    langs, want = check_selection(attack_set, langs, ops)
    out: dict[str, LangPredictions] = {}
    for lang in langs:
        meta = score_language(scorer, attack_set, lang, ops=want, max_per_lang=max_per_lang,
                              sample_seed=sample_seed, writer=writer, progress=progress or Progress(),
                              xcopa_question=xcopa_question, question_report=question_report)
        out[lang] = to_lang_predictions(meta)
    return out


def _clean_ids(attack_set, lang: str, max_per_lang, sample_seed) -> tuple[list[str], dict[str, int], set[str], list]:
    """The (sampled) clean ids of ``lang`` in file order, their positions, all clean ids (duplicates refused),
    and (idx, label, question) of every clean row for XCOPA's question fix."""
    all_ids, items = [], []
    for r in attack_set.rows(lang, "clean"):
        all_ids.append(r.id)
        if attack_set.task == "xcopa":
            items.append((r.source_index, r.label, r.fields["question"]))
    known = set(all_ids)
    if len(known) != len(all_ids):
        raise AttackSetError(f"{attack_set.task}/{lang}/clean.jsonl: duplicate ids")
    keep = sample_ids(all_ids, max_per_lang, sample_seed)
    ids = [i for i in all_ids if i in keep]
    return ids, {i: n for n, i in enumerate(ids)}, known, items


def _question_fix(attack_set, items: list, mode: str) -> tuple[dict[int, str] | None, dict]:
    """XCOPA: the idx -> majority question map for these clean rows (None: keep theirs), and its report."""
    from perturb.xcopa_question import questions_for, report

    fix = questions_for(attack_set.manifest.get("split", ""), ((i, lab) for i, lab, _ in items), mode)
    return fix, report(mode, fix, ((i, q) for i, _, q in items))


def _rows_of(attack_set, lang: str, meta: RowMeta, where: dict[str, int], known: set[str], want,
             fix: dict[int, str] | None = None) -> Iterator[AttackRow]:
    """Every kept row of ``lang`` (clean, then perturbations in name order), filling ``meta``'s columns."""
    task = attack_set.task
    names = [None] + [op for op in attack_set.perturbations(lang) if want is None or op in want]
    for op in names:
        meta.starts.append((op, len(meta)))
        for r in attack_set.rows(lang, "clean" if op is None else op):
            pos = where.get(r.id)
            if pos is None:
                if r.id not in known:
                    raise AttackSetError(f"{task}/{lang}/{op}.jsonl: id {r.id} has no clean row")
                continue  # not in the --max-per-lang sample
            g = gold_index(task, r.label)
            meta.index.append(pos)
            meta.variant.append(r.variant)
            meta.gold.append(g)
            meta.orig_gold.append(g if r.orig_label == r.label else gold_index(task, r.orig_label))
            if fix is not None:
                question = fix.get(r.source_index, r.fields["question"])
                if question != r.fields["question"]:
                    r = r.with_fields(question=question)
            yield r


def _chunks(rows: Iterator[AttackRow], size: int) -> Iterator[list[AttackRow]]:
    buf: list[AttackRow] = []
    for r in rows:
        buf.append(r)
        if len(buf) >= size:
            yield buf
            buf = []
    if buf:
        yield buf


def score_language(scorer, attack_set, lang: str, *, ops=None, max_per_lang=None, sample_seed=0,
                   writer=None, progress: Progress | None = None, xcopa_question: str = "majority",
                   question_report: dict | None = None) -> RowMeta:
    """Predictions of every kept row of ``lang`` into a :class:`RowMeta` (columns + ``pred``)."""
    progress = progress or Progress()
    ids, where, known, items = _clean_ids(attack_set, lang, max_per_lang, sample_seed)
    fix = None
    if attack_set.task == "xcopa":
        fix, rep = _question_fix(attack_set, items, xcopa_question)
        if question_report is not None:
            question_report[lang] = rep
    meta = RowMeta(ids=ids)
    rows = _rows_of(attack_set, lang, meta, where, known, ops, fix)
    done = 0
    exhausted = False
    while not exhausted:
        table = scorer.new_table()
        slots = array("i")
        start = done
        for batch in _chunks(rows, ENCODE_ROWS):
            slots.extend(scorer.encode(table, batch).tolist())
            if progress.rows is not None:
                progress.rows(lang, len(batch))
            if len(slots) >= CHUNK_ROWS:
                break
        else:
            exhausted = True
        if not len(slots):
            break
        n_unique = len(table)
        on_batch = (lambda k: progress.scored(lang, k, n_unique)) if progress.scored is not None else None
        probs, cached = scorer.score_table(table, on_batch=on_batch)
        slot_arr = np.frombuffer(slots, dtype=np.int32)
        # Argmax in the dataset's label order, per unique input, then spread to the rows.
        unique_probs = scorer.to_dataset_order(probs)
        meta.pred.extend(unique_probs.argmax(axis=1).astype(np.int8)[slot_arr].tolist())
        if writer is not None:
            writer.write(lang, meta, start, unique_probs[slot_arr], cached[slot_arr])
        done = start + len(slots)
        del slot_arr, table
    return meta


def to_lang_predictions(meta: RowMeta) -> LangPredictions:
    """The analysis view of a scored language: clean arrays plus one :class:`OpPredictions` per perturbation."""
    cols = {k: np.frombuffer(getattr(meta, k), dtype=np.int32 if k in ("index", "variant") else np.int8).copy()
            for k in ("index", "variant", "gold", "orig_gold", "pred")}
    lp = None
    for op, start, end in meta.sections():
        if op is None:
            lp = LangPredictions(ids=meta.ids, gold=cols["gold"][start:end], pred=cols["pred"][start:end])
            continue
        lp.ops[op] = OpPredictions(index=cols["index"][start:end], variant=cols["variant"][start:end],
                                   pred=cols["pred"][start:end], gold=cols["gold"][start:end],
                                   orig_gold=cols["orig_gold"][start:end])
    return lp
