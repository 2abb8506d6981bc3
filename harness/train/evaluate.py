"""Zero-shot evaluation while training: the target head's accuracy per language on a fixed dev subset, logged."""
from __future__ import annotations

import json
from pathlib import Path

import torch

from harness.train.config import EvalSpec
from harness.train.data import XCOPA_TEMPLATE


class DevSet:
    """The first `max_per_lang` examples of each language (a fixed subset: every evaluation sees the same)."""

    def __init__(self, spec: EvalSpec, tokenizer, max_length: int, labels: tuple[str, ...]):
        from harness.labels import normalise_name
        from perturb.loaders import load

        self.spec = spec
        loaded = load(task=spec.task, data=spec.data, split=spec.split, langs=spec.langs)
        self.langs = sorted(loaded)
        self.items: dict[str, tuple[list[list[list[int]]], list[int]]] = {}
        names = [normalise_name(x) for x in labels]
        for lang in self.langs:
            exs = loaded[lang][:spec.max_per_lang]
            inputs, gold = [], []
            for ex in exs:
                f = ex.fields
                if spec.task == "xnli":
                    enc = tokenizer(f["premise"], f["hypothesis"], truncation=True, max_length=max_length)
                    inputs.append([enc["input_ids"]])
                    gold.append(names.index(normalise_name(ex.label)))
                else:
                    first = XCOPA_TEMPLATE.format(premise=f["premise"], question=f["question"])
                    enc = tokenizer([first, first], [f["choice1"], f["choice2"]], truncation=True,
                                    max_length=max_length)
                    inputs.append(list(enc["input_ids"]))
                    gold.append(int(ex.label))
            self.items[lang] = (inputs, gold)

    @torch.inference_mode()
    def accuracy(self, model, task: str, pad_id: int, device, batch: int = 64) -> dict[str, float]:
        """Per-language accuracy of `model`'s head `task` (eval mode; the caller's train mode is restored)."""
        was_training = model.training
        model.eval()
        out = {}
        try:
            for lang, (inputs, gold) in self.items.items():
                right = 0
                for i in range(0, len(inputs), batch):
                    rows = inputs[i:i + batch]
                    right += int((_predict(model, task, rows, pad_id, device) ==
                                  torch.tensor(gold[i:i + batch])).sum())
                out[lang] = right / len(inputs) if inputs else float("nan")
        finally:
            model.train(was_training)
        return out


def _predict(model, task: str, rows, pad_id: int, device) -> torch.Tensor:
    longest = max(len(r) for ex in rows for r in ex)
    c = len(rows[0])
    ids = torch.full((len(rows), c, longest), pad_id, dtype=torch.long)
    mask = torch.zeros_like(ids)
    for b, ex in enumerate(rows):
        for j, r in enumerate(ex):
            ids[b, j, :len(r)] = torch.tensor(r)
            mask[b, j, :len(r)] = 1
    ids, mask = ids.to(device), mask.to(device)
    if model.kinds[task] == "multiple_choice":
        out = model.encoder(input_ids=ids.view(-1, longest), attention_mask=mask.view(-1, longest))
        logits = model.heads[task](out.pooler_output).view(len(rows), c)
    else:
        out = model.encoder(input_ids=ids[:, 0], attention_mask=mask[:, 0])
        logits = model.heads[task](out.last_hidden_state)
    return logits.argmax(-1).cpu()


def write_curve(curve: list[dict], out: Path) -> Path | None:
    """dev_curve.jsonl (one line per evaluation) and a PNG of per-language accuracy against steps."""
    (out / "dev_curve.jsonl").write_text("".join(json.dumps(r, sort_keys=True) + "\n" for r in curve),
                                         encoding="utf-8")
    if not curve:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.5))
    steps = [r["step"] for r in curve]
    colours = plt.get_cmap("tab20").colors  # 15 languages: tab10 would give two languages one colour
    for i, lang in enumerate(sorted(curve[-1]["accuracy"])):
        ax.plot(steps, [r["accuracy"].get(lang) for r in curve], lw=1, label=lang, color=colours[i % 20])
    ax.plot(steps, [r["mean"] for r in curve], lw=2.5, color="black", label="mean")
    ax.set_xlabel("optimiser step")
    ax.set_ylabel("zero-shot dev accuracy")
    ax.legend(ncol=4, fontsize=7)
    fig.tight_layout()
    path = out / "dev_curve.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
