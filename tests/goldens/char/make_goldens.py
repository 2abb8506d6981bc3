"""Write the char-family goldens: fixed input sentences per language, fixed seed -> exact output of every char op.

Run from the repository root:

    .venv/bin/python tests/goldens/char/make_goldens.py                   # rewrite <op>.json from inputs.json
    .venv/bin/python tests/goldens/char/make_goldens.py --refresh-inputs  # first re-take inputs.json from data/

tests/test_char_goldens.py recomputes every file with `compute` and compares.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
COMMAND = "python tests/goldens/char/make_goldens.py"
SEED = 13
# Golden name -> (op, params). Defaults for every op, plus the parameter sets that change behaviour.
RUNS = {
    "char.bidi": ("char.bidi", {}),
    "char.delete": ("char.delete", {}),
    "char.diacritics": ("char.diacritics", {}),
    "char.diacritics@tone": ("char.diacritics", {"kinds": ("tone",)}),
    "char.homoglyph": ("char.homoglyph", {}),
    "char.insert": ("char.insert", {}),
    "char.invisible": ("char.invisible", {}),
    "char.keyboard": ("char.keyboard", {}),
    "char.script": ("char.script", {}),
    "char.substitute": ("char.substitute", {}),
    "char.swap": ("char.swap", {}),
}
# Hand-written sentences that carry what the sample rows may lack (harakat, nukta and conjuncts, Thai
# tone marks, ё, Vietnamese tones, Arabic words of letters that never join: زار, دار, for char.bidi);
# added after the sample rows of each language.
EXTRA = {
    "ar": ["ذَهَبَ الطالبُ إلى المدرسةِ أيضاً، وقرأ كتاباً.", "زار وزراء الدول دار الأوبرا أمس."],
    "ur": ["وہ کِتاب پڑھ رہا ہے اور تقریباً ختم کر چکا۔"],
    "hi": ["प्रधानमंत्री ने ज़रूरी क्षमा माँगी और हिन्दी में बात की।"],
    "th": ["ผู้หญิงกำลังดื่มน้ำที่นี่เมื่อวานนี้"],
    "ta": ["தமிழ் இலக்கியம் மிகவும் பழமையானது என்று அவர் சொன்னார்."],
    "ru": ["Ещё одна ёлка стояла в углу."],
    "bg": ["Дадох ѝ книгата вчера следобед."],
    "de": ["Die Mädchen würden gern schöne Äpfel kaufen."],
    "vi": ["Tiếng Việt có sáu thanh điệu và chữ đ."],
    "el": ["Η Ελένη ήταν πολύ χαρούμενη σήμερα."],
    "zh": ["我们发现这个问题很严重，头发也乱了。"],
}
N_SAMPLE = 3  # sample rows per language


def refresh_inputs() -> dict[str, list[str]]:
    """The first sample hypotheses (XCOPA-only languages: premises) of data/, plus EXTRA."""
    sys.path.insert(0, str(REPO))
    from perturb.loaders import load

    out: dict[str, list[str]] = {}
    for lang, exs in load(task="xnli", data=REPO / "data" / "xnli", split="test", langs="all").items():
        out[lang] = [ex.fields["hypothesis"] for ex in exs[:N_SAMPLE]]
    xcopa = load(task="xcopa", data=REPO / "data" / "xcopa", split="test", langs="all")
    for lang, exs in xcopa.items():
        if lang not in out:
            out[lang] = [ex.fields["premise"] for ex in exs[:N_SAMPLE]]
    for lang, texts in EXTRA.items():
        out[lang] = out.get(lang, []) + texts
    return dict(sorted(out.items()))


def example_for(lang: str, i: int, text: str):
    """An XNLI example (text as hypothesis) where the language is in XNLI, else an XCOPA one (premise)."""
    from perturb.example import XNLI_LANGS, Example

    if lang in XNLI_LANGS:
        return Example(f"golden/{lang}/{i}", "xnli", lang, {"premise": "", "hypothesis": text}, "neutral")
    return Example(f"golden/{lang}/{i}", "xcopa", lang,
                   {"premise": text, "choice1": "", "choice2": "", "question": "cause"}, 0)


def compute(run: str, inputs: dict[str, list[str]]) -> dict:
    """The golden document of one run: per supported language, per input, the output and the edits."""
    sys.path.insert(0, str(REPO))
    from perturb import registry
    from perturb.core import Perturbed
    from perturb.recipe import Planned
    from perturb.rng import derive_rng

    op_name, params = RUNS[run]
    op = registry.get(op_name)(**params)
    key = Planned(op.name, op, 1, None).op_key()
    cases: dict[str, list] = {}
    for lang, texts in inputs.items():
        rows = []
        for i, text in enumerate(texts):
            ex = example_for(lang, i, text)
            if not op.supports(ex.task, lang):
                break
            field = "hypothesis" if ex.task == "xnli" else "premise"
            res = op.apply(ex, derive_rng(SEED, key, ex.id, 0), fields=(field,))
            if isinstance(res, Perturbed):
                rows.append({"input": text, "output": res.example.fields[field],
                             "edits": [[e.start, e.end, e.before, e.after] for e in res.edits]})
            else:
                rows.append({"input": text, "output": None, "edits": []})
        if rows:
            cases[lang] = rows
    return {"command": COMMAND, "op": op_name, "params": {k: list(v) if isinstance(v, tuple) else v
                                                          for k, v in params.items()},
            "seed": SEED, "rng": "perturb.rng.derive_rng(seed, op_key, 'golden/<lang>/<i>', 0)", "cases": cases}


def dumps(doc: dict) -> str:
    """JSON with one line per case, so a diff of a golden shows which sentences changed."""
    head = {k: v for k, v in doc.items() if k != "cases"}
    lines = ["{"] + [f" {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}," for k, v in head.items()]
    lines.append(' "cases": {')
    langs = list(doc["cases"])
    for li, lang in enumerate(langs):
        lines.append(f"  {json.dumps(lang)}: [")
        rows = doc["cases"][lang]
        for ri, row in enumerate(rows):
            lines.append("   " + json.dumps(row, ensure_ascii=False) + ("," if ri < len(rows) - 1 else ""))
        lines.append("  ]" + ("," if li < len(langs) - 1 else ""))
    lines += [" }", "}"]
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--refresh-inputs", action="store_true")
    args = ap.parse_args()
    path = HERE / "inputs.json"
    if args.refresh_inputs or not path.exists():
        path.write_text(json.dumps(refresh_inputs(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    inputs = json.loads(path.read_text(encoding="utf-8"))
    for run in RUNS:
        doc = compute(run, inputs)
        (HERE / f"{run}.json").write_text(dumps(doc), encoding="utf-8")
        print(run, sum(len(v) for v in doc["cases"].values()), "cases")


if __name__ == "__main__":
    main()
