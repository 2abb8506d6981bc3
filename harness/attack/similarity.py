"""The optional sentence-similarity constraint: a user-supplied local encoder directory (e.g. LaBSE), mean-pooled
embeddings, cosine similarity of each edited field to its original; safetensors only, never remote code."""

from __future__ import annotations

from pathlib import Path

import numpy as np


class Encoder:
    """Embeds texts with a local transformers encoder (mean of the last hidden states over real tokens)."""

    def __init__(self, path: str):
        from harness.errors import OptionError
        from harness.models import fingerprint, weight_files

        p = Path(path)
        if not (p / "config.json").is_file():
            raise OptionError("similarity", f"{path} is not a model directory (no config.json)")
        files, _ = weight_files(p, allow_pickle=False)
        self.fingerprint = fingerprint(p, files)
        from transformers import AutoModel, AutoTokenizer

        self.tokenizer = AutoTokenizer.from_pretrained(str(p))
        self.model = AutoModel.from_pretrained(str(p), use_safetensors=True).eval()
        self._memo: dict[str, np.ndarray] = {}

    def embed(self, texts: list[str]) -> np.ndarray:
        import torch

        todo = [t for t in dict.fromkeys(texts) if t not in self._memo]
        if todo:
            enc = self.tokenizer(todo, padding=True, truncation=True, max_length=256, return_tensors="pt")
            with torch.inference_mode():
                h = self.model(**enc).last_hidden_state
            m = enc["attention_mask"].unsqueeze(-1).to(h.dtype)
            v = ((h * m).sum(1) / m.sum(1).clamp(min=1)).float().numpy()
            v /= np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)
            self._memo.update(zip(todo, v))
        return np.stack([self._memo[t] for t in texts])

    def allowed(self, threshold: float):
        """(original, variant) -> whether every edited field stays at cosine similarity >= threshold."""
        def check(orig, var) -> bool:
            changed = [f for f in orig.fields if orig.fields[f] != var.fields[f]]
            if not changed:
                return True
            e = self.embed([orig.fields[f] for f in changed] + [var.fields[f] for f in changed])
            k = len(changed)
            return bool(np.all(np.sum(e[:k] * e[k:], axis=1) >= threshold))

        return check
