"""Builds tiny, *untrained* XLM-R checkpoints (tokenizer + classifier / multiple-choice / MLM) for tests and the demo."""

from __future__ import annotations

import io
import os
import random
from pathlib import Path

from perturb.schema import XNLI_LABELS

# Why a hand-written corpus: the tests and the offline demo must not need the hub or a data download, and the
# tokenizer needs every script the sample data uses, otherwise everything in Thai or Tamil becomes <unk> and
# "identical inputs" collapse in a way real checkpoints never show.
CORPUS = (
    # en
    "The man is playing a guitar on the street.",
    "A woman reads a book in the quiet library.",
    "The children did not go to school because it was raining.",
    "Every student passed the exam, but some were tired.",
    "I dropped the glass. It broke into pieces.",
    # de
    "Der Mann spielt Gitarre auf der Straße.",
    "Die Kinder gingen nicht zur Schule, weil es regnete.",
    "Jeder Student hat die Prüfung bestanden.",
    # fr
    "L'homme joue de la guitare dans la rue.",
    "Les enfants ne sont pas allés à l'école parce qu'il pleuvait.",
    "Tous les étudiants ont réussi l'examen.",
    # es
    "El hombre toca la guitarra en la calle.",
    "Los niños no fueron a la escuela porque llovía.",
    "Ningún estudiante suspendió el examen.",
    # it
    "L'uomo suona la chitarra per strada.",
    "I bambini non sono andati a scuola perché pioveva.",
    # ru
    "Мужчина играет на гитаре на улице.",
    "Дети не пошли в школу, потому что шёл дождь.",
    "Каждый студент сдал экзамен.",
    # bg
    "Мъжът свири на китара на улицата.",
    "Децата не отидоха на училище, защото валеше.",
    # el
    "Ο άντρας παίζει κιθάρα στο δρόμο.",
    "Τα παιδιά δεν πήγαν στο σχολείο επειδή έβρεχε.",
    # ar
    "الرجل يعزف على الغيتار في الشارع.",
    "لم يذهب الأطفال إلى المدرسة لأنها كانت تمطر.",
    # ur
    "آدمی سڑک پر گٹار بجا رہا ہے۔",
    "بچے اسکول نہیں گئے کیونکہ بارش ہو رہی تھی۔",
    # hi
    "आदमी सड़क पर गिटार बजा रहा है।",
    "बच्चे स्कूल नहीं गए क्योंकि बारिश हो रही थी।",
    # th
    "ผู้ชายกำลังเล่นกีตาร์บนถนน",
    "เด็กๆ ไม่ได้ไปโรงเรียนเพราะฝนตก",
    # zh
    "那个男人在街上弹吉他。",
    "孩子们没有去上学，因为下雨了。",
    "每个学生都通过了考试。",
    # tr
    "Adam sokakta gitar çalıyor.",
    "Çocuklar yağmur yağdığı için okula gitmedi.",
    # vi
    "Người đàn ông đang chơi guitar trên đường phố.",
    "Bọn trẻ không đi học vì trời mưa.",
    # sw
    "Mwanamume anapiga gitaa barabarani.",
    "Watoto hawakwenda shuleni kwa sababu mvua ilikuwa ikinyesha.",
    # et
    "Mees mängib tänaval kitarri.",
    "Lapsed ei läinud kooli, sest sadas vihma.",
    # ht
    "Nonm nan ap jwe gita nan lari a.",
    "Timoun yo pa t ale lekòl paske lapli t ap tonbe.",
    # id
    "Pria itu bermain gitar di jalan.",
    "Anak-anak tidak pergi ke sekolah karena hujan.",
    # qu
    "Qhariqa ñanpi guitarrata tocachkan.",
    "Wawakunaqa manam yachaywasiman rirqankuchu, paraptin.",
    # ta
    "அந்த மனிதன் தெருவில் கிட்டார் வாசிக்கிறான்.",
    "மழை பெய்ததால் குழந்தைகள் பள்ளிக்குச் செல்லவில்லை.",
    # xcopa template words, so the demo's "What was the cause/effect?" is not a string of <unk>
    "What was the cause? What was the effect?",
)


def corpus_lines(n: int = 600, *, seed: int = 0) -> list[str]:
    """Return ``n`` training lines: every corpus sentence, then seeded word-window mixes of them."""
    rng = random.Random(seed)
    lines = list(CORPUS)
    while len(lines) < n:
        words = rng.choice(CORPUS).split()
        start = rng.randrange(len(words))
        window = words[start : start + rng.randint(1, 6)]
        # Digits appear in real XNLI hypotheses; give the tokenizer a few.
        if rng.random() < 0.2:
            window.append(str(rng.randrange(1000)))
        lines.append(" ".join(window))
    return lines


def build_tokenizer(out_dir: str | os.PathLike, *, vocab_size: int = 800, max_length: int = 128, seed: int = 0):
    """Train a SentencePiece unigram model on :data:`CORPUS`, wrap it as an XLM-R tokenizer and save it."""
    import sentencepiece as spm
    from transformers import AutoTokenizer, XLMRobertaTokenizer

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(corpus_lines(seed=seed)),
        model_writer=model,
        vocab_size=vocab_size,
        model_type="unigram",
        # The corpus is small: let SentencePiece stop below the target instead of failing.
        hard_vocab_limit=False,
        character_coverage=1.0,
        # XLM-R's converter assumes fairseq's layout unk=0, bos=1, eos=2 in the .model file and skips those
        # three pieces; any other layout silently shifts every id.
        unk_id=0,
        bos_id=1,
        eos_id=2,
        pad_id=-1,
        seed_sentencepiece_size=100_000,
        num_threads=1,
        minloglevel=2,
    )
    raw = out / "_spm"
    raw.mkdir(exist_ok=True)
    (raw / "sentencepiece.bpe.model").write_bytes(model.getvalue())
    # Not XLMRobertaTokenizer(vocab_file=...): in transformers 5 that ignores the file and yields 5 tokens.
    tok = XLMRobertaTokenizer.from_pretrained(str(raw), model_max_length=max_length)
    tok.save_pretrained(str(out))
    for f in raw.iterdir():
        f.unlink()
    raw.rmdir()
    tok = AutoTokenizer.from_pretrained(str(out))
    ids = tok(CORPUS[0], CORPUS[5])["input_ids"]
    if len(tok) < 100 or len(set(ids)) < 8:
        raise RuntimeError(f"tiny tokenizer in {out} looks broken: {len(tok)} tokens, ids {ids}")
    return tok


def tiny_config(vocab_size: int, *, max_length: int = 128, **overrides):
    """An XLM-R config with tiny sizes (hidden 32, 2 layers, 2 heads, intermediate 64)."""
    from transformers import XLMRobertaConfig

    kwargs = dict(
        vocab_size=vocab_size,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        # XLM-R positions start after padding_idx (1), so max_position_embeddings = max_length + 2.
        max_position_embeddings=max_length + 2,
        type_vocab_size=1,
        # Far above XLM-R's 0.02: an untrained model with tiny weights predicts one class for every input, which
        # would hide bugs in flip-rate/attack metrics; a wide init makes predictions depend on the text.
        initializer_range=0.5,
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
    )
    kwargs.update(overrides)
    return XLMRobertaConfig(**kwargs)


def _save(model, tok, out: Path, note: str) -> Path:
    model.save_pretrained(str(out), safe_serialization=True)
    tok.save_pretrained(str(out))
    # Say loudly what this is, so nobody mistakes demo scores for a real checkpoint's.
    (out / "README.md").write_text(
        f"# UNTRAINED tiny XLM-R ({note})\n\nRandom weights, built by harness.demo_models for tests and the demo. "
        "Its scores mean nothing about any training schedule.\n",
        encoding="utf-8",
    )
    return out


def build_classifier(
    out_dir: str | os.PathLike,
    *,
    seed: int = 0,
    tokenizer_dir: str | os.PathLike | None = None,
    id2label: dict[int, str] | None = None,
    num_labels: int = 3,
) -> Path:
    """Save an untrained tiny ``XLMRobertaForSequenceClassification`` (XNLI labels by name) with its tokenizer."""
    import torch
    from transformers import AutoTokenizer, XLMRobertaForSequenceClassification

    out = Path(out_dir)
    tok = AutoTokenizer.from_pretrained(str(tokenizer_dir)) if tokenizer_dir else build_tokenizer(out, seed=seed)
    if id2label is None:
        id2label = dict(enumerate(XNLI_LABELS[:num_labels]))
    cfg = tiny_config(
        len(tok),
        num_labels=len(id2label),
        id2label={int(k): v for k, v in id2label.items()},
        label2id={v: int(k) for k, v in id2label.items()},
    )
    torch.manual_seed(seed)
    model = XLMRobertaForSequenceClassification(cfg).eval()
    return _save(model, tok, out, "sequence classification, XNLI")


def build_multiple_choice(
    out_dir: str | os.PathLike, *, seed: int = 0, tokenizer_dir: str | os.PathLike | None = None
) -> Path:
    """Save an untrained tiny ``XLMRobertaForMultipleChoice`` (XCOPA) with its tokenizer."""
    import torch
    from transformers import AutoTokenizer, XLMRobertaForMultipleChoice

    out = Path(out_dir)
    tok = AutoTokenizer.from_pretrained(str(tokenizer_dir)) if tokenizer_dir else build_tokenizer(out, seed=seed)
    torch.manual_seed(seed)
    model = XLMRobertaForMultipleChoice(tiny_config(len(tok))).eval()
    return _save(model, tok, out, "multiple choice, XCOPA")


def build_mlm(out_dir: str | os.PathLike, *, seed: int = 0, tokenizer_dir: str | os.PathLike | None = None) -> Path:
    """Save an untrained tiny ``XLMRobertaForMaskedLM`` with its tokenizer (for perturbations that need an MLM)."""
    import torch
    from transformers import AutoTokenizer, XLMRobertaForMaskedLM

    out = Path(out_dir)
    tok = AutoTokenizer.from_pretrained(str(tokenizer_dir)) if tokenizer_dir else build_tokenizer(out, seed=seed)
    torch.manual_seed(seed)
    model = XLMRobertaForMaskedLM(tiny_config(len(tok))).eval()
    return _save(model, tok, out, "masked LM")
