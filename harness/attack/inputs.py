"""What an attack reads: examples from a data directory (any loader layout) or from an attack set's clean rows,
with an optional seeded per-language sample (the same items in every language), and their source records."""

from __future__ import annotations

from pathlib import Path

from harness.collect import sample_ids
from perturb.example import Example


def from_data(task: str, data, split: str, langs) -> tuple[dict[str, list[Example]], dict[str, dict]]:
    """{lang: examples in file order} and {lang: source record} from a data directory or file."""
    from perturb.loaders import find_sources, parse_langs, read_source, split_name

    split = split_name(task, split)
    out, sources = {}, {}
    root = Path(data)
    for src in find_sources(task, data, split, parse_langs(task, langs)):
        out[src.lang] = read_source(src)
        try:
            rel = src.path.relative_to(root).as_posix() if root.is_dir() else src.path.name
        except ValueError:
            rel = src.path.name
        sources[src.lang] = {"file": rel, "format": src.format, "sha256": src.sha256(), "rows": len(out[src.lang])}
    return out, sources


def from_attack_set(path, langs, *, verify: bool = True) -> tuple[str, str, dict, dict]:
    """(task, split, {lang: examples}, {lang: source record}) from an attack set's clean rows."""
    from harness.attackset import read_attack_set
    from perturb.errors import unknown_languages

    aset = read_attack_set(path, verify=verify)
    want = list(aset.langs) if langs in (None, "all") else [x.strip() for x in str(langs).split(",") if x.strip()]
    unknown = [x for x in want if x not in aset.langs]
    if unknown:
        raise unknown_languages("--langs", unknown, aset.langs, f"the attack set {path}")
    out, sources = {}, {}
    for lang in want:
        out[lang] = [r.to_example() for r in aset.clean(lang)]
        sources[lang] = dict(aset.manifest["sources"][lang], attack_set=aset.content_hash, verified=verify)
    return aset.task, aset.manifest.get("split", "test"), out, sources


def sample(examples: dict[str, list[Example]], n: int | None, seed: int) -> dict[str, list[Example]]:
    """A seeded choice of n ids per language (harness.collect.sample_ids: parallel items), in file order."""
    if n is None:
        return examples
    out = {}
    for lang, exs in examples.items():
        keep = sample_ids([e.id for e in exs], n, seed)
        out[lang] = [e for e in exs if e.id in keep]
    return out
