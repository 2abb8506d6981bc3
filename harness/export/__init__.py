"""Write an attack set in the formats other tools read unmodified: XTREME, XNLI-1.0, HF datasets, lm-eval, CSV.

    >>> from harness.export import export_attack_set
    >>> export_attack_set(attacks="atk", to="hf", out="atk-hf")   # doctest: +SKIP

Every format is written into a temporary directory that becomes `out` only when complete, with sorted,
deterministic names and bytes, and an `export.json` that records the attack set's identity, the signatures of
the perturbations exported and the sha256 of every file written.
"""
from __future__ import annotations

import importlib
from pathlib import Path
from typing import Sequence

# format name -> (module, one-line description); modules import lazily (hf needs `datasets`).
FORMATS = {
    "xtreme": ("xtreme", "XTREME/XTREME-R download layout per perturbation (xnli/test-<lang>.tsv, xcopa/test-<lang>.jsonl)"),
    "xnli1": ("xnli1", "XNLI-1.0 single TSV per perturbation (XNLI-1.0/xnli.<split>.tsv)"),
    "hf": ("hf", "HF datasets DatasetDict per language and perturbation (load_from_disk)"),
    "lm-eval": ("lm_eval", "lm-evaluation-harness task YAMLs + JSON lines (--include_path OUT/tasks)"),
    "csv": ("csvfmt", "plain CSV per language and perturbation"),
}


def export_attack_set(*, attacks, to: str, out, langs: Sequence[str] | None = None,
                      ops: Sequence[str] | None = None, overwrite: bool = False, verify: bool = True) -> dict:
    """Export the attack set at `attacks` to format `to` in directory `out`; return the export manifest.

    `langs` / `ops` restrict the export (`ops` may name 'clean', the source examples, which is exported by
    default next to every perturbation so that scores can be paired on the same ids). The set is verified
    against its manifest first; `verify=False` skips that and export.json records it.
    """
    from perturb.attackset import atomic_dir, read_attack_set
    from perturb.errors import UsageError

    from .common import export_manifest, tables

    if to not in FORMATS:
        raise UsageError("--to", f"unknown format {to!r}; expected one of {', '.join(FORMATS)}")
    aset = read_attack_set(attacks, verify=verify)
    tabs = tables(aset, langs=langs, ops=ops)
    module = importlib.import_module(f"{__name__}.{FORMATS[to][0]}")
    out = Path(out)
    signatures = {name: {lang: c.get("signature") for lang, c in per_lang.items()}
                  for name, per_lang in aset.manifest.get("counts", {}).items()}
    kwargs: dict = {}
    if to == "lm-eval":
        kwargs["final_root"] = out.resolve()
    if to in ("lm-eval", "hf"):
        kwargs["signatures"] = signatures
    with atomic_dir(out, overwrite=overwrite) as tmp:
        extra = module.write(tabs, tmp, **kwargs) or {}
        return export_manifest(aset, to, tmp, tabs, extra={"details": extra} if extra else None)
