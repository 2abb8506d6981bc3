"""Writes an attack as an xstress attack set: clean rows, one adversarial row per example, a signed manifest."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from perturb import __version__, integrity
from perturb.rows import AttackRow
from perturb.signature import Signature, source_token
from perturb.attackset import SCHEMA_VERSION, STATUS_OK, atomic_dir, canonical_line, clean_line, dump_manifest

from .run import Attacked


def op_name(search: str) -> str:
    """The attack's name in the set (its rows' `op`, its file name): attack.greedy, attack.beam, attack.random."""
    return f"attack.{search}"


def row(name: str, a: Attacked) -> AttackRow:
    """The adversarial row of one example: a perturbed row plus the search's record under `attack`."""
    o = a.outcome
    ex = a.example
    record = {"ops": a.ops, "queries": o.queries, "success": o.success, "skipped": o.skipped,
              "first_success": o.first_success, "words_edited": len(o.state), "words": a.n_words,
              "p_gold": round(o.p_gold, 6), "pred": o.pred}
    return AttackRow(ex.id, ex.task, ex.lang, a.variant.fields, ex.label, ex.label, name, 0, tuple(a.edits), record)


def write(out: Path, results: Sequence[Attacked], *, task: str, split: str, sources: Mapping[str, dict],
          signature: str, attack_info: dict, overwrite: bool = False) -> dict:
    """Write the set atomically (nothing is left behind on failure) and return its manifest."""
    name = op_name(attack_info["search"])
    by_lang: dict[str, list[Attacked]] = {}
    for a in results:
        by_lang.setdefault(a.example.lang, []).append(a)
    manifest = {
        "schema": SCHEMA_VERSION, "xstress_version": __version__, "task": task, "split": split,
        "seed": attack_info["seed"], "recipe": name, "normalization": "NFC",
        "sources": {lang: dict(sources[lang]) for lang in sorted(by_lang)},
        "perturbations": {name: {"op": name, "family": "attack", "label_effect": "preserve", "k": 1,
                                 "fields": list(attack_info["fields"]), "params": attack_info["params"],
                                 "description": "model-in-the-loop search over the label-preserving ops"}},
        "counts": {name: {}}, "attack": attack_info,
    }
    with atomic_dir(out, overwrite=overwrite) as tmp:
        for lang, rows in sorted(by_lang.items()):
            d = tmp / task / lang
            d.mkdir(parents=True)
            with open(d / "clean.jsonl", "w", encoding="utf-8", newline="\n") as f:
                f.writelines(clean_line(a.example) for a in rows)
            with open(d / f"{name}.jsonl", "w", encoding="utf-8", newline="\n") as f:
                f.writelines(canonical_line(row(name, a).to_json()) for a in rows)
            manifest["counts"][name][lang] = _counts(rows, (Signature.parse(signature) + Signature.of(
                [("src", _src(task, split, lang, sources[lang]))])).format())
        integrity.record(tmp, manifest)
        (tmp / "manifest.json").write_text(dump_manifest(manifest), encoding="utf-8")
    return manifest


def _src(task: str, split: str, lang: str, source: Mapping) -> str:
    """The source token of a signature, as `xstress perturb` writes it: task-split-lang@sha8."""
    return source_token(task, split, lang, str(source.get("sha256", "")))


def _counts(rows: Sequence[Attacked], signature: str) -> dict:
    edited = sum(1 for a in rows if a.edits)
    return {"status": STATUS_OK, "signature": signature, "examples": len(rows), "applied": len(rows),
            "variants": len(rows), "not_applicable": 0, "dropped": 0, "edited": edited,
            "succeeded": sum(1 for a in rows if a.outcome.success),
            "skipped": sum(1 for a in rows if a.outcome.skipped)}
