"""Reads an attack set from disk (manifest + per-language JSONL) behind one function, :func:`read_attack_set`."""

from __future__ import annotations

from pathlib import Path


def read_attack_set(path):
    """Open the attack set at ``path`` (``.manifest``, ``.task``, ``.langs``, ``clean``, ``perturbations``, ``rows``).

    The one place the harness touches the on-disk reader, so a format change is absorbed here.
    """
    from perturb.attackset import read_attack_set as _read

    return _read(Path(path))


def op_info(manifest: dict, op: str) -> dict:
    """Family and label effect of ``op`` from the manifest (family falls back to the name's prefix)."""
    entry = (manifest.get("perturbations") or {}).get(op) or {}
    effect = entry.get("label_effect", "preserve")
    return {
        "family": entry.get("family") or op.split(".", 1)[0],
        "label_effect": "preserve" if effect in (None, "preserve") else "map",
    }


def signature(manifest: dict, op: str, lang: str) -> str | None:
    """The sacrebleu-style signature the manifest records for ``op`` in ``lang`` (None if absent)."""
    return ((manifest.get("counts") or {}).get(op) or {}).get(lang, {}).get("signature")
