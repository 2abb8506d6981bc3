"""Tiny untrained XLM-R checkpoints (built once per test session) and a writer of small attack-set fixtures."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness import demo_models
from perturb import integrity


@dataclass(frozen=True)
class TinyModels:
    tokenizer: Path
    classifier: Path  # XNLI, id2label entailment/neutral/contradiction
    multiple_choice: Path  # XCOPA
    mlm: Path


def build_tiny_models(root: Path) -> TinyModels:
    tok = root / "tokenizer"
    demo_models.build_tokenizer(tok)
    return TinyModels(
        tokenizer=tok,
        classifier=demo_models.build_classifier(root / "cls", tokenizer_dir=tok, seed=0),
        multiple_choice=demo_models.build_multiple_choice(root / "mc", tokenizer_dir=tok, seed=0),
        mlm=demo_models.build_mlm(root / "mlm", tokenizer_dir=tok, seed=0),
    )


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory) -> TinyModels:
    return build_tiny_models(tmp_path_factory.mktemp("tiny-models"))


def _line(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(", ", ": ")) + "\n"


NEGATE = {"entailment": "contradiction", "neutral": "neutral", "contradiction": "entailment"}


def write_attack_set(root: Path, task: str, clean: dict[str, list[dict]], perturbed: dict[str, dict[str, list[dict]]],
                     *, effects: dict[str, object] | None = None, seed: int = 13) -> Path:
    """Write an attack set in the documented on-disk format.

    ``clean[lang]`` rows need ``id``, ``fields``, ``label``; ``perturbed[op][lang]`` rows need ``id``, ``fields``,
    ``label`` (after the op) and optionally ``variant``/``orig_label``. ``effects[op]`` is "preserve" or a map.
    """
    effects = effects or {}
    root.mkdir(parents=True, exist_ok=True)
    manifest = {"schema": 1, "xstress_version": "0.1.0", "task": task, "split": "test", "seed": seed,
                "recipe": "test", "sources": {}, "perturbations": {}, "counts": {}}
    gold = {}
    for lang, rows in clean.items():
        d = root / task / lang
        d.mkdir(parents=True, exist_ok=True)
        with open(d / "clean.jsonl", "w", encoding="utf-8") as f:
            for r in rows:
                gold[(lang, r["id"])] = r["label"]
                f.write(_line({"fields": r["fields"], "id": r["id"], "label": r["label"], "lang": lang, "task": task}))
        manifest["sources"][lang] = {"file": f"{lang}.tsv", "sha256": "0" * 64, "rows": len(rows), "format": "tsv"}
    for op, per_lang in perturbed.items():
        family = op.split(".", 1)[0]
        manifest["perturbations"][op] = {"op": op, "family": family, "params": {}, "fields": ["hypothesis"],
                                         "label_effect": effects.get(op, "preserve")}
        manifest["counts"][op] = {}
        for lang in clean:
            rows = per_lang.get(lang)
            if rows is None:
                manifest["counts"][op][lang] = {"status": "unsupported", "examples": len(clean[lang]),
                                                "applied": 0, "not_applicable": 0, "dropped": 0, "variants": 0,
                                                "signature": f"xstress:0.1.0|op:{op}|seed:{seed}|src:{task}-{lang}"}
                continue
            with open(root / task / lang / f"{op}.jsonl", "w", encoding="utf-8") as f:
                for r in rows:
                    f.write(_line({"edits": [], "fields": r["fields"], "id": r["id"], "label": r["label"], "lang": lang,
                                   "op": op, "orig_label": r.get("orig_label", gold[(lang, r["id"])]),
                                   "variant": r.get("variant", 0)}))
            manifest["counts"][op][lang] = {
                "status": "ok", "examples": len(clean[lang]), "applied": len({r["id"] for r in rows}),
                "not_applicable": len(clean[lang]) - len({r["id"] for r in rows}), "dropped": 0,
                "variants": len(rows), "signature": f"xstress:0.1.0|op:{op}|seed:{seed}|src:{task}-{lang}",
            }
    integrity.record(root, manifest)  # file hashes, as `xstress perturb` records them: readers verify them
    (root / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return root


def _swap(text: str, i: int) -> str:
    """Swap two neighbouring characters (a stand-in for char.swap that needs no perturb resources)."""
    if len(text) < 3:
        return text + "x"
    j = 1 + i % (len(text) - 2)
    return text[:j] + text[j + 1] + text[j] + text[j + 2 :]


def make_xnli_set(root: Path, *, langs=("en", "de"), n: int = 30, k: int = 1) -> Path:
    """A small parallel XNLI attack set from the tiny-model corpus: char.swap (k variants) and logic.negate."""
    corpus = demo_models.CORPUS
    labels = ("entailment", "neutral", "contradiction")
    clean, swap, neg = {}, {}, {}
    for li, lang in enumerate(langs):
        rows = []
        for i in range(n):
            rows.append({"id": f"xnli/test/{lang}/{i:06d}", "label": labels[i % 3],
                         "fields": {"premise": corpus[(i + 7 * li) % len(corpus)],
                                    "hypothesis": corpus[(3 * i + li) % len(corpus)]}})
        clean[lang] = rows
        swap[lang] = [{"id": r["id"], "variant": v, "label": r["label"],
                       "fields": {**r["fields"], "hypothesis": _swap(r["fields"]["hypothesis"], i + v)}}
                      for i, r in enumerate(rows) for v in range(k)]
        neg[lang] = [{"id": r["id"], "label": NEGATE[r["label"]], "orig_label": r["label"],
                      "fields": {**r["fields"], "hypothesis": "not " + r["fields"]["hypothesis"]}}
                     for i, r in enumerate(rows) if i % 4 != 3]  # some ids not applicable
    return write_attack_set(root, "xnli", clean, {"char.swap": swap, "logic.negate": neg},
                            effects={"logic.negate": NEGATE})


def make_xcopa_set(root: Path, *, langs=("et", "id"), n: int = 20) -> Path:
    corpus = demo_models.CORPUS
    clean, swap = {}, {}
    for li, lang in enumerate(langs):
        rows = [{"id": f"xcopa/test/{lang}/{i:06d}", "label": i % 2,
                 "fields": {"premise": corpus[(i + li) % len(corpus)], "question": ("cause", "effect")[i % 2],
                            "choice1": corpus[(2 * i + 1) % len(corpus)], "choice2": corpus[(5 * i + 2) % len(corpus)]}}
                for i in range(n)]
        clean[lang] = rows
        swap[lang] = [{"id": r["id"], "label": r["label"],
                       "fields": {**r["fields"], "choice1": _swap(r["fields"]["choice1"], i)}}
                      for i, r in enumerate(rows)]
    return write_attack_set(root, "xcopa", clean, {"char.swap": swap})
