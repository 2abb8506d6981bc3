"""What scoring and the audit read of an attack set: :func:`read_attack_set` (perturb's reader, imported when first
called), and from its manifest :func:`op_info` (family, label effect) and :func:`signature` (one op x language).
Exports and `xstress ls` use :mod:`perturb.attackset` directly."""

from __future__ import annotations

from pathlib import Path


def read_attack_set(path, *, verify: bool = True):
    """Open the attack set at ``path`` (``.manifest``, ``.task``, ``.langs``, ``perturbations``, and ``rows``,
    which streams one file's rows; scoring reads ``rows(lang, "clean")`` too, never a whole file at once).
    With ``verify`` (the default) every file is first checked against the manifest's sha256 and row counts.
    """
    from perturb.attackset import read_attack_set as _read

    return _read(Path(path), verify=verify)


def op_info(manifest: dict, op: str) -> dict:
    """Family and label effect of ``op`` from the manifest (family falls back to the name's prefix)."""
    entry = (manifest.get("perturbations") or {}).get(op) or {}
    effect = entry.get("label_effect", "preserve")
    return {
        "family": entry.get("family") or op.split(".", 1)[0],
        "label_effect": "preserve" if effect in (None, "preserve") else "map",
    }


def signature(manifest: dict, op: str, lang: str) -> str | None:
    """The signature the manifest records for ``op`` in ``lang`` (None if absent); parse it with
    :meth:`perturb.signature.Signature.parse`."""
    return ((manifest.get("counts") or {}).get(op) or {}).get(lang, {}).get("signature")
