"""The hand-written sample data and contract lexicons shipped inside the package (data/ of a checkout)."""
from __future__ import annotations

from importlib import resources
from pathlib import Path


def _resource_dir(*parts: str) -> Path:
    # Installed from a wheel or run from a checkout, the package is a folder on disk: files() is a real Path
    # (perturb/resources/sample is data/ of the checkout, built into the wheel as files).
    node = resources.files("perturb").joinpath("resources", *parts)
    if not isinstance(node, Path) or not node.is_dir():
        raise FileNotFoundError(f"perturb/resources/{'/'.join(parts)} is missing from this installation")
    return node


def sample_data_dir() -> Path:
    """The sample: xnli/test/<lang>.tsv (15 languages) and xcopa/<lang>/test.jsonl (11 + en); see its README.md."""
    return _resource_dir("sample")


def contract_lexicon_dir() -> Path:
    """Tiny hand-written lexicons in MUSE's format (en-<lang>.txt) for the words of the sample; not from MUSE."""
    return _resource_dir("lex", "contract", "muse")
