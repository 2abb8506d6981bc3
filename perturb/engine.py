"""Run a recipe over streamed examples and write a signed attack set: parallel by language (or slice), byte-identical output."""
from __future__ import annotations

import dataclasses
import functools
import itertools
import multiprocessing
import os
import shutil
import sys
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from queue import Empty
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from . import __version__
from . import segment
from . import integrity
from . import signature
from .attackset import (MANIFEST, SCHEMA_VERSION, STATUS_OK, STATUS_UNSUPPORTED, TASK_NOT_APPLICABLE, atomic_dir,
                        clean_line, dump_manifest, parse_shard, perturbed_line, shard_bounds, task_scope)
from .core import Dropped, Perturbed
from .errors import UsageError
from .example import TASK_LANGS, Example
from .loaders import (Source, _format_of_file, find_sources, iter_source, parse_langs, read_labels_file, read_source,
                      split_name, xcopa_question_report)
from .recipe import Planned, Recipe, load_recipe
from .rng import derive_rng
from .xcopa_question import check_mode

CHUNK = 256  # examples per batch: their output lines are what is held in memory at a time


@dataclass
class Outcome:
    """Lines and counts produced for one (recipe entry, chunk of examples)."""

    lines: list[str] = field(default_factory=list)
    applied: int = 0
    not_applicable: int = 0
    dropped: int = 0


def run_entry(entry: Planned, examples: Iterable[Example], seed: int) -> Iterator[Perturbed | Dropped | None]:
    """Every variant of every example through one recipe entry, each with its own derived RNG."""
    key = entry.op_key()
    apply = entry.op.apply
    fields_of: dict[str, tuple[str, ...]] = {}
    for ex in examples:
        fields = fields_of.get(ex.task)
        if fields is None:
            fields = fields_of[ex.task] = entry.target_fields(ex.task)
        for v in range(entry.k):
            yield apply(ex, derive_rng(seed, key, ex.id, v), fields=fields, variant=v)


def _process_chunk(entries: Sequence[Planned], active: Sequence[bool], examples: Sequence[Example],
                   seed: int) -> list[Outcome | None]:
    out: list[Outcome | None] = []
    for entry, on in zip(entries, active):
        if not on:
            out.append(None)
            continue
        o = Outcome()
        for res in run_entry(entry, examples, seed):
            if res is None:
                o.not_applicable += 1
            elif isinstance(res, Dropped):
                o.dropped += 1
            else:
                o.applied += 1
                o.lines.append(perturbed_line(entry.name, res.example, res.orig_label, res.variant, res.edits))
        out.append(o)
    return out


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    it = iter(items)
    while chunk := list(itertools.islice(it, size)):
        yield chunk


@dataclass(frozen=True)
class _Unit:
    """A contiguous slice [lo, hi) of one source, processed by one process into its own files."""

    source: Source
    lo: int
    hi: int | None  # None: to the end of the file (a whole file, submitted before its rows are counted)
    active: tuple[bool, ...]
    paths: tuple[str | None, ...]  # per recipe entry: the file its lines go to (None when inactive)


def _run_unit(unit: _Unit, entries: Sequence[Planned], seed: int, labels,
              progress: Callable[[str, int], None] | None) -> list[tuple[int, int, int]]:
    """Stream the unit's examples through the recipe, writing each entry's lines to its file; returns
    (applied, not_applicable, dropped) per entry. Only CHUNK examples and their lines are in memory."""
    counts = [[0, 0, 0] for _ in entries]
    examples = itertools.islice(iter_source(unit.source, labels=labels), unit.lo, unit.hi)
    handles = [open(p, "w", encoding="utf-8", newline="\n") if p else None for p in unit.paths]
    if progress:
        progress(unit.source.lang, 0)  # this language starts now (a progress bar can name it)
    try:
        for chunk in _chunks(examples, CHUNK):
            for i, o in enumerate(_process_chunk(entries, unit.active, chunk, seed)):
                if o is None:
                    continue
                handles[i].writelines(o.lines)
                c = counts[i]
                c[0] += o.applied
                c[1] += o.not_applicable
                c[2] += o.dropped
            if progress:
                progress(unit.source.lang, len(chunk))
    finally:
        for h in handles:
            if h is not None:
                h.close()
    return [tuple(c) for c in counts]


# Worker processes receive the recipe (with any parallel-English table) once, through the pool initializer.
_WORKER_STATE: dict = {}


def _init_worker(entries, seed, labels, queue):
    _WORKER_STATE.update(entries=entries, seed=seed, labels=labels, queue=queue)


def _worker_unit(unit: _Unit):
    q = _WORKER_STATE["queue"]
    report = (lambda lang, n: q.put((lang, n))) if q is not None else None
    return _run_unit(unit, _WORKER_STATE["entries"], _WORKER_STATE["seed"], _WORKER_STATE["labels"], report)


def _qfix(source: Source) -> str | None:
    """`majority` (or as-is, unmatched) for XCOPA signatures: the question the prompts will see."""
    return xcopa_question_report(source)["qfix"] if source.task == "xcopa" else None


def _src_token(source: Source, sha: str) -> str:
    return signature.source_token(source.task, source.split, source.lang, sha)


def _library_versions() -> dict[str, str]:
    # Segmenters decide word boundaries, so their versions are part of what makes the bytes.
    from importlib import metadata

    out = {}
    for dist in ("regex", "spacy", "jieba", "pythainlp"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = "absent"
    return out


def available_cpus() -> int:
    """The cores this process may run on (its affinity mask, which a container or `taskset` narrows)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # no sched_getaffinity (macOS, Windows)
        return os.cpu_count() or 1


def resolve_workers(workers: int | str) -> int:
    """`workers` as a process count: "auto" is every available core; otherwise an integer >= 1."""
    if workers == "auto":
        return available_cpus()
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be 'auto' or an integer >= 1, got {workers!r}")
    return workers


def generate(*, task: str, data, split: str = "test", langs="all", recipe: Recipe | str = "default",
             seed: int = 13, out, workers: int | str = 1, shard: str | tuple[int, int] | None = None,
             labels=None, overwrite: bool = False,
             progress: Callable[[str, int], None] | None = None, resources: dict | None = None,
             xcopa_question: str = "majority") -> dict:
    """Write an attack set to `out` and return its manifest.

    Every input file is read and checked in full before any perturbation runs, inside a temporary
    directory; any error removes it, so no partial output is left behind. Examples are then streamed
    (memory does not grow with the input). With `workers` > 1, processes take whole languages (or, with
    fewer languages than workers, slices of one) and write their own files, which are joined in order:
    the bytes never depend on the number of workers ("auto": one per available core). `resources` ({"lexicon_dir": ..., "mlm": ...})
    reach the ops of a recipe given by name."""
    run = _Run.checked(task=task, data=data, split=split, langs=langs, recipe=recipe, seed=seed, workers=workers,
                       shard=shard, labels=labels, resources=resources, xcopa_question=xcopa_question)
    with atomic_dir(Path(out), overwrite=overwrite) as tmp:
        plans = [_Plan.new(s, run.recipe, tmp) for s in run.sources]
        scan = functools.partial(_scan_source, shard_t=run.shard, label_list=run.labels, data_root=run.data_root)
        if run.workers == 1 or not plans:
            # 1. Read and check every file, write the clean rows; 2. perturb, language by language.
            for plan in plans:
                scan(plan)
            for plan in plans:
                [unit] = _units(plan, 1)
                plan.counts = [_run_unit(unit, run.recipe.entries, run.seed, run.labels, progress)]
        else:
            _run_parallel(plans, scan, run.shard, run.recipe, run.seed, run.labels, run.workers, progress)
        # 3. Join the parts and count.
        cells = [_finish_source(plan, run.recipe, run.seed) for plan in plans]
        manifest = run.manifest(plans, cells)
        integrity.record(tmp, manifest)  # last: every file is written; readers check these before use
        (tmp / MANIFEST).write_text(dump_manifest(manifest), encoding="utf-8")
    return manifest


@dataclass(frozen=True)
class _Run:
    """A run's settings, checked before anything is written: what to read, which recipe, seed, workers, shard."""

    task: str
    split: str
    seed: int
    recipe: Recipe                 # with the parallel text attached (ops that need_parallel)
    sources: list[Source]
    shard: tuple[int, int] | None
    labels: list[str] | None       # from --labels, for files that withhold them
    data_root: Path
    workers: int

    @classmethod
    def checked(cls, *, task, data, split, langs, recipe, seed, workers, shard, labels, resources,
                xcopa_question) -> "_Run":
        lang_list = parse_langs(task, langs)
        if isinstance(recipe, str):
            recipe = load_recipe(recipe, resources=resources)
        if not recipe.entries:  # an "attack set" of clean rows only would look like one that found nothing to do
            raise UsageError("--recipe", f"recipe {recipe.name!r} lists no perturbations")
        if not any(task in e.op.tasks for e in recipe.entries):
            raise UsageError("--recipe", f"no perturbation of recipe {recipe.name!r} applies to {task}: "
                             + "; ".join(f"{e.name} ({task_scope(e.op)})" for e in recipe.entries))
        shard_t = parse_shard(shard) if isinstance(shard, str) or shard is None else shard
        if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
        workers = resolve_workers(workers)
        split = split_name(task, split)
        sources = find_sources(task, data, split, lang_list)
        if task == "xcopa":  # XCOPA's question per item: cross-language majority by default (xcopa_question.py)
            sources = [dataclasses.replace(s, question=check_mode(xcopa_question)) for s in sources]
        label_list = read_labels_file(labels) if labels else None
        recipe = _attach_parallel(recipe, task, data, split, label_list)
        return cls(task, split, seed, recipe, sources, shard_t, label_list, Path(data), workers)

    def manifest(self, plans: Sequence["_Plan"], cells: Sequence[list[dict]]) -> dict:
        """The manifest of the finished plans (before integrity): settings, sources, perturbations and, per
        entry and language, the counts and signature (`cells`, per plan and entry, from _finish_source)."""
        manifest: dict = {
            "schema": SCHEMA_VERSION,
            "xstress_version": __version__,
            "task": self.task,
            "split": self.split,
            "seed": self.seed,
            "recipe": self.recipe.name,
            "normalization": "NFC",
            "libraries": _library_versions(),
            "sources": {plan.source.lang: plan.record for plan in plans},
            "perturbations": {},
            "counts": {},
        }
        if self.shard is not None:
            manifest["shard"] = f"{self.shard[0]}/{self.shard[1]}"
        for i, entry in enumerate(self.recipe.entries):
            manifest["perturbations"][entry.name] = {
                "op": entry.op.name, "family": entry.op.family, "description": entry.op.description,
                "params": entry.params_json(), "k": entry.k,
                "fields": list(entry.target_fields(self.task)) if self.task in entry.op.tasks else [],
                "label_effect": entry.op.label_effect(),
            }
            manifest["counts"][entry.name] = {plan.source.lang: per_entry[i] for plan, per_entry in zip(plans, cells)}
        return manifest


@dataclass
class _Plan:
    """One source's share of the work: its rows [lo, hi), where its files go, which entries apply."""

    source: Source
    lang_dir: Path
    names: tuple[str, ...]         # recipe entry names, in recipe order
    active: tuple[bool, ...]       # per entry: does the op support this language
    sha: str = ""                  # sha, lo and hi are set by _scan_source
    lo: int = 0
    hi: int | None = None          # None: rows not counted yet
    units: list[_Unit] = field(default_factory=list)
    counts: list[list[tuple[int, int, int]]] = field(default_factory=list)  # per unit, per entry
    record: dict = field(default_factory=dict)  # the manifest's "sources" entry, set by _scan_source

    @property
    def size(self) -> int:
        return self.hi - self.lo

    @classmethod
    def new(cls, source: Source, recipe: Recipe, tmp: Path) -> "_Plan":
        lang_dir = tmp / source.task / source.lang
        lang_dir.mkdir(parents=True)
        return cls(source, lang_dir, tuple(e.name for e in recipe.entries),
                   tuple(e.op.supports(source.task, source.lang) for e in recipe.entries))


def _scan_source(plan: _Plan, *, shard_t, label_list, data_root) -> _Plan:
    """Read a plan's source in full (every row is checked here), write its clean rows and set the plan's sha,
    rows and record (file, format, sha256, rows); nothing of the source stays in memory."""
    source = plan.source
    plan.sha = source.sha256()
    try:
        rel = source.path.relative_to(data_root).as_posix() if data_root.is_dir() else source.path.name
    except ValueError:
        rel = source.path.name
    clean = plan.lang_dir / "clean.jsonl"
    n = 0
    with open(clean, "w", encoding="utf-8", newline="\n") as f:
        for ex in iter_source(source, labels=label_list):
            if shard_t is None:
                f.write(clean_line(ex))
            n += 1
    plan.lo, plan.hi = shard_bounds(n, shard_t)
    if shard_t is not None:  # the shard's bounds needed the row count: a second pass writes its rows
        with open(clean, "w", encoding="utf-8", newline="\n") as f:
            for ex in itertools.islice(iter_source(source, labels=label_list), plan.lo, plan.hi):
                f.write(clean_line(ex))
    plan.record = {"file": rel, "format": source.format, "sha256": plan.sha, "rows": n}
    if source.task == "xcopa":
        plan.record["question"] = xcopa_question_report(source)
    return plan


def _units(plan: _Plan, parts: int) -> list[_Unit]:
    """Split the plan's rows into `parts` contiguous units. A single unit writes the final files itself;
    several write numbered part files that _finish_source joins in order."""
    if plan.hi is None:  # rows not counted yet: the whole file, one unit
        parts, bounds = 1, [plan.lo, None]
    else:
        parts = max(1, min(parts, plan.size))
        bounds = [plan.lo + plan.size * k // parts for k in range(parts + 1)]
    units = []
    for k in range(parts):
        paths = tuple(None if not on else
                      str(plan.lang_dir / (f"{name}.jsonl" if parts == 1 else f".{name}.part{k:04d}"))
                      for name, on in zip(plan.names, plan.active))
        units.append(_Unit(plan.source, bounds[k], bounds[k + 1], plan.active, paths))
    plan.units = units
    return units


def _run_parallel(plans: list[_Plan], scan: Callable[[_Plan], _Plan], shard_t, recipe: Recipe, seed: int, labels,
                  workers: int, progress: Callable[[str, int], None] | None) -> None:
    """Scan the plans' sources and run their units on a pool of forked workers, filling in their counts.

    A worker loads the segmenters and tables of the languages it meets, so whole languages are the
    natural unit; a language is split only when there are fewer languages than twice the workers (one
    language, or a few, still use every worker). Whole files need no row count, so then the workers
    start at once and the parent checks the files and writes the clean rows meanwhile (an input error
    still aborts the run and leaves nothing). Languages cut by a dictionary segmenter (zh, th) cost the
    most per row and go first, then larger files: the last unit to finish is a short one. Results are
    keyed by unit, so the output never depends on which worker ran what, or when."""
    parts = 1 if len(plans) >= 2 * workers else -(-2 * workers // len(plans))
    early = parts == 1 and shard_t is None
    order = sorted(range(len(plans)), key=lambda i: (not segment.uses_dictionary(plans[i].source.lang),
                                                      -_file_size(plans[i].source.path), i))
    ctx = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    queue = ctx.Queue() if progress else None
    n_jobs = len(plans) * parts
    pool = ProcessPoolExecutor(min(workers, n_jobs), mp_context=ctx, initializer=_init_worker,
                               initargs=(recipe.entries, seed, labels, queue))
    futures: dict = {}
    try:
        if early:
            for i in order:
                [unit] = _units(plans[i], 1)
                futures[pool.submit(_worker_unit, unit)] = (i, 0)
            for plan in plans:  # meanwhile: check every row, write the clean rows
                scan(plan)
        else:
            for plan in plans:
                scan(plan)
            for i in order:
                for k, unit in enumerate(_units(plans[i], parts)):
                    futures[pool.submit(_worker_unit, unit)] = (i, k)
        for p in plans:
            p.counts = [None] * len(p.units)  # type: ignore[list-item]
        pending = set(futures)
        while pending:
            done, pending = wait(pending, timeout=0.2 if queue is not None else None,
                                 return_when=FIRST_COMPLETED)
            for fut in done:
                i, k = futures[fut]
                plans[i].counts[k] = fut.result()  # re-raises a worker's exception here
            _drain(queue, progress)
        _drain(queue, progress)
    finally:
        pool.shutdown(cancel_futures=True)
        if queue is not None:
            queue.close()
            queue.join_thread()


def _file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _drain(queue, progress) -> None:
    if queue is None:
        return
    while True:
        try:
            lang, n = queue.get_nowait()
        except Empty:
            return
        progress(lang, n)


def _finish_source(plan: _Plan, recipe: Recipe, seed: int) -> list[dict]:
    """Join the plan's part files in order into each entry's file; returns each entry's counts and signature."""
    src = _src_token(plan.source, plan.sha)
    cells = []
    for i, (entry, on) in enumerate(zip(recipe.entries, plan.active)):
        if on and len(plan.units) > 1:
            with open(plan.lang_dir / f"{entry.name}.jsonl", "wb") as out:
                for unit in plan.units:
                    with open(unit.paths[i], "rb") as part:
                        shutil.copyfileobj(part, out, 1 << 20)
                    os.unlink(unit.paths[i])
        applied = sum(c[i][0] for c in plan.counts)
        not_applicable = sum(c[i][1] for c in plan.counts)
        dropped = sum(c[i][2] for c in plan.counts)
        cells.append({
            "status": (STATUS_OK if on else STATUS_UNSUPPORTED if plan.source.task in entry.op.tasks
                       else TASK_NOT_APPLICABLE),
            "signature": entry.signature(version=__version__, seed=seed, task=plan.source.task, src=src,
                                         lang=plan.source.lang, qfix=_qfix(plan.source)).format(),
            "examples": plan.size,
            "variants": plan.size * entry.k if on else 0,
            "applied": applied,
            "not_applicable": not_applicable,
            "dropped": dropped,
        })
        reason = None if on else entry.op.unsupported_reason(plan.source.task, plan.source.lang)
        if reason:
            cells[-1]["reason"] = reason
    return cells


def _attach_parallel(recipe: Recipe, task: str, data, split: str, labels) -> Recipe:
    """Ops that read each example's translation (`needs_parallel = "en"`) get that language's examples, loaded
    once from the same data. Before the worker pool starts, so every worker and shard sees the same table and
    looks examples up by id: output stays byte-identical across workers and shards."""
    wanted = {e.op.needs_parallel for e in recipe.entries if task in e.op.tasks} - {None}
    if not wanted:
        return recipe
    loaded = {lang: _load_parallel(task, data, split, lang, labels) for lang in sorted(wanted)}
    entries = []
    for e in recipe.entries:
        lang = e.op.needs_parallel
        if lang in loaded and task in e.op.tasks:
            e = dataclasses.replace(e, op=e.op.with_parallel(task, *loaded[lang]))
        entries.append(e)
    return dataclasses.replace(recipe, entries=tuple(entries))


def _load_parallel(task: str, data, split: str, lang: str, labels) -> tuple[list[Example] | None, str]:
    """(examples, source token) of `lang` next to the data, or (None, "none") where there is none (a
    single-language file, or no file of that language: XCOPA has no English test set)."""
    root = Path(data)
    if lang not in TASK_LANGS[task] or (root.is_file() and _format_of_file(task, root) != "xnli1"):
        return None, "none"
    try:
        [source] = find_sources(task, data, split, [lang])
    except UsageError:
        return None, "none"
    return read_source(source, labels=labels), _src_token(source, source.sha256())
