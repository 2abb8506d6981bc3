"""One shared XLM-R encoder with a head per task, and the export of the target task as a plain HF checkpoint."""
from __future__ import annotations

import copy
from pathlib import Path

import torch
from torch import nn

from harness.train.config import TaskSpec


class ChoiceHead(nn.Module):
    """Multiple choice as `XLMRobertaForMultipleChoice` does it: dropout + one logit per (context, choice) pair
    from the pooled output; same parameter names, so the export is a plain state-dict copy."""

    def __init__(self, config):
        super().__init__()
        self.dropout = nn.Dropout(config.hidden_dropout_prob)
        self.classifier = nn.Linear(config.hidden_size, 1)

    def forward(self, pooled):
        return self.classifier(self.dropout(pooled))


class MultiTaskModel(nn.Module):
    """The encoder (with its pooler, which only multiple-choice heads read) and one head per task."""

    def __init__(self, encoder, tasks: dict[str, TaskSpec]):
        super().__init__()
        from transformers.models.xlm_roberta.modeling_xlm_roberta import XLMRobertaClassificationHead

        self.encoder = encoder
        self.kinds = {name: spec.type for name, spec in tasks.items()}
        heads = {}
        for name, spec in tasks.items():
            if spec.type == "classification":
                cfg = copy.deepcopy(encoder.config)
                cfg.num_labels = len(spec.labels)
                heads[name] = XLMRobertaClassificationHead(cfg)
            elif spec.type == "multiple_choice":
                heads[name] = ChoiceHead(encoder.config)
            else:
                heads[name] = nn.Linear(encoder.config.hidden_size, 2)
        self.heads = nn.ModuleDict(heads)

    def forward(self, task: str, input_ids, attention_mask, targets):
        kind = self.kinds[task]
        if kind == "multiple_choice":
            b, c, n = input_ids.shape
            out = self.encoder(input_ids=input_ids.view(b * c, n), attention_mask=attention_mask.view(b * c, n))
            logits = self.heads[task](out.pooler_output).view(b, c)
            return nn.functional.cross_entropy(logits, targets)
        out = self.encoder(input_ids=input_ids, attention_mask=attention_mask)
        if kind == "classification":
            logits = self.heads[task](out.last_hidden_state)
            return nn.functional.cross_entropy(logits, targets)
        logits = self.heads[task](out.last_hidden_state)
        # Padding is no answer position: without this mask the loss would depend on how long the batch's longest
        # row is (and so on how a global batch is split across processes).
        logits = logits.masked_fill((attention_mask == 0).unsqueeze(-1), torch.finfo(logits.dtype).min)
        start, end = logits.split(1, dim=-1)
        return (nn.functional.cross_entropy(start.squeeze(-1), targets[:, 0])
                + nn.functional.cross_entropy(end.squeeze(-1), targets[:, 1])) / 2


def load_encoder(model_dir: str, *, dropout: float | None):
    """The encoder of a local checkpoint (safetensors only; never remote code), pooler included."""
    from transformers import AutoConfig, AutoModel

    config = AutoConfig.from_pretrained(model_dir, trust_remote_code=False)
    if dropout is not None:
        config.hidden_dropout_prob = dropout
        config.attention_probs_dropout_prob = dropout
        config.classifier_dropout = dropout
    return AutoModel.from_pretrained(model_dir, config=config, add_pooling_layer=True, use_safetensors=True,
                                     trust_remote_code=False)


def export_target(model: MultiTaskModel, spec: TaskSpec, tokenizer, out: Path) -> Path:
    """Save the encoder + the target head as `XLMRobertaForSequenceClassification` (with `id2label` names) or
    `XLMRobertaForMultipleChoice`, with its tokenizer: the checkpoint `xstress score` reads as it is."""
    from transformers import XLMRobertaForMultipleChoice, XLMRobertaForSequenceClassification

    cfg = copy.deepcopy(model.encoder.config)
    enc_state = model.encoder.state_dict()
    if spec.type == "classification":
        cfg.num_labels = len(spec.labels)
        cfg.id2label = {i: name for i, name in enumerate(spec.labels)}
        cfg.label2id = {name: i for i, name in enumerate(spec.labels)}
        target = XLMRobertaForSequenceClassification(cfg)
        enc_state = {k: v for k, v in enc_state.items() if not k.startswith("pooler.")}
    else:
        target = XLMRobertaForMultipleChoice(cfg)
    missing, unexpected = target.roberta.load_state_dict(enc_state, strict=False)
    if missing or unexpected:
        raise RuntimeError(f"encoder export: missing {missing}, unexpected {unexpected}")
    head = model.heads[spec.name]
    if spec.type == "classification":
        target.classifier.load_state_dict(head.state_dict())
    else:
        target.classifier.load_state_dict(head.classifier.state_dict())
    out.mkdir(parents=True, exist_ok=True)
    target.save_pretrained(str(out), safe_serialization=True)
    tokenizer.save_pretrained(str(out))
    return out
