"""The results document: one versioned, typed JSON object (schema, signatures, environment, cells, comparisons)."""

from __future__ import annotations

import hashlib
import json
import math
import os
import platform
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypedDict

from perturb import signature as sig
from perturb.fsutil import atomic_write_text
from perturb.integrity import document_hash
from harness.errors import HarnessError

SCHEMA_VERSION = 2  # 2: attack_success per example, follow_rate, min_n, primary comparisons
RESULTS_FILE = "results.json"


class Cell(TypedDict, total=False):
    model: str
    schedule: str | None
    seed: int | None
    lang: str
    op: str
    family: str
    label_effect: str  # "preserve" | "map"
    n_ids: int
    n_variants: int
    label_changed: int
    too_small: bool  # n_ids < config.min_n: counts and point values only, no interval, no test
    acc_clean: float
    acc_clean_ci: list[float]
    acc_pert: float
    acc_pert_ci: list[float]
    delta: float
    delta_ci: list[float]
    rel_delta: float
    rel_delta_ci: list[float]
    flip_rate: float
    flip_rate_ci: list[float]
    attack_success: float  # of ids right on clean, share with at least one variant wrong (per example)
    attack_success_ci: list[float]
    attack_success_variants: float  # of those ids, share of their variants wrong (per variant)
    attack_success_variants_ci: list[float]
    worst_of_k: float
    worst_of_k_ci: list[float]
    follow_rate: float  # label-changing ops: share of label-changed variants predicted as the new label
    follow_rate_ci: list[float]


class Results(TypedDict):
    schema_version: int
    xstress_version: str
    created: str
    signature: str
    task: str
    attack_set: dict  # path, manifest_sha256, seed, recipe, split, signatures {op: {lang: signature}}
    config: dict  # bootstrap, sampling, alpha, batch settings
    environment: dict  # python, torch, transformers, numpy, platform, device
    models: list[dict]  # name, path, schedule, seed, fingerprint, precision, scoring stats
    cells: list[Cell]
    aggregates: list[dict]  # level in lang | op | family | overall
    comparisons: list[dict]  # see harness.compare.compare: primary (family, lang) and exploratory cell tests


def _version() -> str:
    try:
        from perturb import __version__

        return __version__
    except Exception:  # the harness can still report without perturb's version string
        return "unknown"


def environment(device: str | None = None) -> dict:
    env: dict[str, Any] = {"python": platform.python_version(), "platform": platform.platform()}
    import numpy

    env["numpy"] = numpy.__version__
    for mod in ("torch", "transformers"):
        m = sys.modules.get(mod)
        if m is None:
            try:
                m = __import__(mod)
            except ImportError:
                m = None
        env[mod] = getattr(m, "__version__", None)
    torch = sys.modules.get("torch")
    if device is None and torch is not None:
        device = "cuda" if torch.cuda.is_available() else "cpu"
    env["device"] = device
    if torch is not None and device and device.startswith("cuda") and torch.cuda.is_available():
        env["device_name"] = torch.cuda.get_device_name(0)
    return env


def _clean(obj):
    """JSON has no NaN: write null, so any JSON reader can load the document."""
    if isinstance(obj, float):
        return None if math.isnan(obj) or math.isinf(obj) else obj
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if hasattr(obj, "item") and not isinstance(obj, (str, bytes)):
        return _clean(obj.item())
    return obj


def build_document(*, exp, opts, attack_set, runs, analysis, comparisons) -> Results:
    m = attack_set.manifest
    msha = hashlib.sha256(json.dumps(m, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()
    sigs, status = _cell_maps(m)
    version = _version()
    questions = (runs[0].info.get("xcopa_question") if runs else None) or {}
    content = (m.get("integrity") or {}).get("content_hash")
    models, devices = _models(runs, version)
    doc = {
        "schema_version": SCHEMA_VERSION,
        "xstress_version": version,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "signature": _signature(attack_set, opts, msha, content, len(runs), questions, version).format(),
        "task": attack_set.task,
        "attack_set": {
            "path": str(exp.attacks), "manifest_sha256": msha, "seed": m.get("seed"), "recipe": m.get("recipe"),
            "split": m.get("split"), "schema": m.get("schema"), "xstress_version": m.get("xstress_version"),
            "signatures": sigs, "status": status, "content_hash": content,
            "verified": bool(attack_set.verified),
        },
        "config": _config(opts, analysis, questions),
        "environment": environment(next(iter(devices)) if len(devices) == 1 else ",".join(sorted(devices)) or None),
        "models": models,
        "cells": analysis.cells,
        "aggregates": analysis.aggregates,
        "comparisons": comparisons,
    }
    return _clean(doc)


def _cell_maps(manifest: dict) -> tuple[dict[str, dict[str, str]], dict[str, dict[str, str]]]:
    """The manifest's signature and status of every op x language ({op: {lang: ...}})."""
    sigs: dict[str, dict[str, str]] = {}
    status: dict[str, dict[str, str]] = {}  # lets the report tell "unsupported" from "all dropped" in a gap
    for op, per_lang in (manifest.get("counts") or {}).items():
        for lang, c in per_lang.items():
            if isinstance(c, dict) and c.get("signature"):
                sigs.setdefault(op, {})[lang] = c["signature"]
            if isinstance(c, dict) and c.get("status"):
                status.setdefault(op, {})[lang] = c["status"]
    return sigs, status


def _signature(attack_set, opts, msha: str, content: str | None, n_models: int, questions: dict,
               version: str) -> sig.Signature:
    """The document's signature: what was scored and how."""
    sample = f"{opts.max_per_lang}@{opts.sample_seed}" if opts.max_per_lang else "all"
    qfix = "/".join(sorted({q["qfix"] for q in questions.values()})) if questions else None
    # The set's content hash cites *what* was scored (every file's sha256 and rows); unverified sets say so.
    set_id = f"{(content or 'none')[:16]}{'' if attack_set.verified else '(unverified)'}"
    return sig.scores(task=attack_set.task, attacks=msha[:8], set_id=set_id, models=n_models, boot=opts.n_boot,
                      boot_seed=opts.boot_seed, level=opts.level, sample=sample, qfix=qfix, version=version)


def _models(runs, version: str) -> tuple[list[dict], set[str]]:
    """Each scored model's entry (with its signature), and the devices they ran on."""
    models = []
    devices = set()
    for r in runs:
        info = dict(r.info)
        devices.add(info.get("device"))
        fp = info.get("fingerprint")
        models.append({"name": r.name, "schedule": r.schedule, "seed": r.seed, **info,
                       "signature": sig.model(fingerprint=(fp or "none")[:12], precision=info.get("precision", "n/a"),
                                              version=version).format()})
    devices.discard(None)
    return models, devices


def _config(opts, analysis, questions: dict) -> dict:
    """How the scores were computed: bootstrap, sampling, alpha, batching, and XCOPA's question fix."""
    return {
        "bootstrap": {"n": analysis.n_boot, "seed": analysis.seed, "level": analysis.level,
                      "resample": "each cell's own ids, every cell in every replicate"},
        "min_n": analysis.min_n,
        "units": "fractions: accuracies and rates in [0, 1], Δ in [-1, 1] (×100 = percentage points)",
        "alpha": opts.alpha, "max_per_lang": opts.max_per_lang, "sample_seed": opts.sample_seed,
        "langs": list(opts.langs) if opts.langs else None, "ops": list(opts.ops) if opts.ops else None,
        "batch_tokens": opts.batch_tokens, "template": opts.template,
        **({"xcopa_question": {"mode": opts.xcopa_question,
                               "changed": {lang: q["changed"] for lang, q in sorted(questions.items())}}}
           if questions else {}),
    }


def question_note(doc) -> list[str]:
    """summary.md's line on XCOPA's question fix (none for XNLI): the mode and the items changed per language."""
    q = doc.get("config", {}).get("xcopa_question")
    if not q:
        return []
    changed = ", ".join(f"{lang} {n}" for lang, n in q["changed"].items() if n) or "none"
    how = ("each item's majority question over the 11 languages of the official files (they disagree: e.g. Thai "
           "is 'effect' on every item)" if q["mode"] == "majority" else "the question stored in the attack set")
    return [f"XCOPA question (`--xcopa-question {q['mode']}`): {how}; items changed per language: {changed}."]


def write_results(doc: Results, out_dir: str | os.PathLike) -> Path:
    """Write ``results.json`` atomically (temp file + rename), with the hash of its own contents."""
    doc["document_sha256"] = document_hash(doc, "document_sha256")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / RESULTS_FILE
    atomic_write_text(path, json.dumps(doc, indent=1, ensure_ascii=False, sort_keys=True) + "\n")
    return path


def load_results(path: str | os.PathLike) -> Results:
    """Read ``results.json`` (or a directory holding it) and check its schema version."""
    p = Path(path)
    if p.is_dir():
        p = p / RESULTS_FILE
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise HarnessError(f"{p}: no such results file (run `xstress score` first)") from None
    except json.JSONDecodeError as e:
        raise HarnessError(f"{p}: invalid JSON ({e.msg})") from None
    if doc.get("schema_version") != SCHEMA_VERSION:
        raise HarnessError(f"{p}: results schema {doc.get('schema_version')!r}, this xstress reads {SCHEMA_VERSION}")
    missing = [k for k in Results.__annotations__ if k not in doc]
    if missing:
        raise HarnessError(f"{p}: results document lacks {missing}")
    if doc.get("document_sha256") != document_hash(doc, "document_sha256"):
        raise HarnessError(f"{p}: was changed after xstress wrote it (its document_sha256 does not match its "
                           "contents); re-run `xstress score` rather than editing results")
    return doc
