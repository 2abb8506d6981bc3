"""Run a recipe over loaded examples and write a signed attack set: parallel by example, byte-identical output."""
from __future__ import annotations

import dataclasses
import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from . import __version__
from .attackset import MANIFEST, SCHEMA_VERSION, atomic_dir, canonical_line, dump_manifest, parse_shard, shard_bounds
from .core import Dropped, Perturbed
from .errors import UsageError
from .example import TASK_LANGS, Example
from .loaders import Source, _format_of_file, find_sources, parse_langs, read_labels_file, read_source, split_name
from .recipe import Planned, Recipe, load_recipe
from .rng import derive_rng

CHUNK = 256  # examples per work unit: large enough to amortise inter-process traffic, small for balance


@dataclass
class Outcome:
    """Lines and counts produced for one (recipe entry, chunk of examples)."""

    lines: list[str] = field(default_factory=list)
    applied: int = 0
    not_applicable: int = 0
    dropped: int = 0


def perturbed_row(name: str, result: Perturbed) -> dict:
    ex = result.example
    return {"id": ex.id, "variant": result.variant, "lang": ex.lang, "op": name, "fields": dict(ex.fields),
            "label": ex.label, "orig_label": result.orig_label, "edits": [e.to_json() for e in result.edits]}


def run_entry(entry: Planned, examples: Iterable[Example], seed: int) -> Iterator[Perturbed | Dropped | None]:
    """Every variant of every example through one recipe entry, each with its own derived RNG."""
    key = entry.op_key()
    for ex in examples:
        fields = entry.target_fields(ex.task)
        for v in range(entry.k):
            yield entry.op.apply(ex, derive_rng(seed, key, ex.id, v), fields=fields, variant=v)


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
                o.lines.append(canonical_line(perturbed_row(entry.name, res)))
        out.append(o)
    return out


# Worker processes receive the recipe once, through the pool initializer, not with every chunk.
_WORKER_STATE: dict = {}


def _init_worker(entries, seed):
    _WORKER_STATE["entries"] = entries
    _WORKER_STATE["seed"] = seed


def _worker_chunk(args):
    active, examples = args
    return _process_chunk(_WORKER_STATE["entries"], active, examples, _WORKER_STATE["seed"])


def _chunks(items: Sequence, size: int) -> Iterator[Sequence]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _src_token(source: Source, sha: str) -> str:
    return f"{source.task}-{source.split}-{source.lang}@{sha[:8]}"


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


def generate(*, task: str, data, split: str = "test", langs="all", recipe: Recipe | str = "default",
             seed: int = 13, out, workers: int = 1, shard: str | tuple[int, int] | None = None,
             labels=None, overwrite: bool = False,
             progress: Callable[[str, int], None] | None = None, resources: dict | None = None) -> dict:
    """Write an attack set to `out` and return its manifest. Input is validated language by language
    inside a temporary directory; any error removes it, so no partial output is left behind.
    `resources` ({"lexicon_dir": ..., "mlm": ...}) reach the ops of a recipe given by name."""
    lang_list = parse_langs(task, langs)
    if isinstance(recipe, str):
        recipe = load_recipe(recipe, resources=resources)
    if not recipe.entries:  # an "attack set" of clean rows only would look like one that found nothing to do
        raise UsageError("--recipe", f"recipe {recipe.name!r} lists no perturbations")
    shard_t = parse_shard(shard) if isinstance(shard, str) or shard is None else shard
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    if workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers}")
    split = split_name(task, split)
    sources = find_sources(task, data, split, lang_list)
    label_list = read_labels_file(labels) if labels else None
    data_root = Path(data)
    recipe = _attach_parallel(recipe, task, data, split, label_list)

    manifest: dict = {
        "schema": SCHEMA_VERSION,
        "xstress_version": __version__,
        "task": task,
        "split": split,
        "seed": seed,
        "recipe": recipe.name,
        "normalization": "NFC",
        "libraries": _library_versions(),
        "sources": {},
        "perturbations": {},
        "counts": {},
    }
    if shard_t is not None:
        manifest["shard"] = f"{shard_t[0]}/{shard_t[1]}"
    for entry in recipe.entries:
        manifest["perturbations"][entry.name] = {
            "op": entry.op.name, "family": entry.op.family, "description": entry.op.description,
            "params": entry.params_json(), "k": entry.k,
            "fields": list(entry.target_fields(task)) if task in entry.op.tasks else [],
            "label_effect": entry.op.label_effect(),
        }
        manifest["counts"][entry.name] = {}

    pool = None
    if workers > 1:
        ctx = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
        pool = ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init_worker,
                                   initargs=(recipe.entries, seed))
    try:
        with atomic_dir(Path(out), overwrite=overwrite) as tmp:
            for source in sources:
                _generate_lang(source, recipe, seed, tmp, manifest, pool, shard_t, label_list, data_root,
                               progress)
            (tmp / MANIFEST).write_text(dump_manifest(manifest), encoding="utf-8")
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    return manifest


def _generate_lang(source, recipe, seed, tmp, manifest, pool, shard_t, label_list, data_root, progress):
    examples = read_source(source, labels=label_list)
    sha = source.sha256()
    try:
        rel = source.path.relative_to(data_root).as_posix() if data_root.is_dir() else source.path.name
    except ValueError:
        rel = source.path.name
    manifest["sources"][source.lang] = {"file": rel, "format": source.format, "sha256": sha,
                                        "rows": len(examples)}
    lo, hi = shard_bounds(len(examples), shard_t)
    selected = examples[lo:hi]
    lang_dir = tmp / source.task / source.lang
    lang_dir.mkdir(parents=True)
    with open(lang_dir / "clean.jsonl", "w", encoding="utf-8", newline="\n") as f:
        for ex in selected:
            f.write(canonical_line(ex.to_json()))

    active = [e.op.supports(source.task, source.lang) for e in recipe.entries]
    handles = {}
    totals = {e.name: Outcome() for e in recipe.entries}
    try:
        for entry, on in zip(recipe.entries, active):
            if on:
                handles[entry.name] = open(lang_dir / f"{entry.name}.jsonl", "w", encoding="utf-8", newline="\n")
        chunks = list(_chunks(selected, CHUNK))
        if pool is None:
            results = (_process_chunk(recipe.entries, active, c, seed) for c in chunks)
        else:
            # map() yields in submission order, so the file order never depends on worker timing.
            results = pool.map(_worker_chunk, [(active, c) for c in chunks])
        for chunk, outcomes in zip(chunks, results):
            for entry, o in zip(recipe.entries, outcomes):
                if o is None:
                    continue
                handles[entry.name].writelines(o.lines)
                t = totals[entry.name]
                t.applied += o.applied
                t.not_applicable += o.not_applicable
                t.dropped += o.dropped
            if progress:
                progress(source.lang, len(chunk))
    finally:
        for h in handles.values():
            h.close()
    for entry, on in zip(recipe.entries, active):
        t = totals[entry.name]
        src = _src_token(source, sha)
        manifest["counts"][entry.name][source.lang] = {
            "status": "ok" if on else "unsupported",
            "signature": entry.signature(version=__version__, seed=seed, task=source.task, src=src,
                                         lang=source.lang),
            "examples": len(selected),
            "variants": len(selected) * entry.k if on else 0,
            "applied": t.applied,
            "not_applicable": t.not_applicable,
            "dropped": t.dropped,
        }


def _attach_parallel(recipe: Recipe, task: str, data, split: str, labels) -> Recipe:
    """Ops that read each example's translation (`needs_parallel = "en"`) get that language's examples, loaded
    once from the same data. Before the worker pool starts, so every worker and shard sees the same table and
    looks examples up by id: output stays byte-identical across workers and shards."""
    wanted = {getattr(e.op, "needs_parallel", None) for e in recipe.entries if task in e.op.tasks} - {None}
    if not wanted:
        return recipe
    loaded = {lang: _load_parallel(task, data, split, lang, labels) for lang in sorted(wanted)}
    entries = []
    for e in recipe.entries:
        lang = getattr(e.op, "needs_parallel", None)
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
