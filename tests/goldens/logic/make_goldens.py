"""Write candidate logic goldens (tests/goldens/logic/<lang>.tsv) from the sample data and hand-written cases.

Usage (from the repository root):  python tests/goldens/logic/make_goldens.py [lang ...]

The files this writes are *candidates*: every row was then read and checked by hand (the check is what makes
them goldens), and a row the ops got wrong was fixed in the resource files, not in the golden. Rerun after a
deliberate rule change and review the diff line by line.
"""
from __future__ import annotations

import csv
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO))

from perturb import registry  # noqa: E402
from perturb.core import DROPPED  # noqa: E402
from perturb.example import Example, XNLI_LANGS  # noqa: E402
from perturb.loaders import load  # noqa: E402
from perturb.rng import derive_rng  # noqa: E402

OUT = Path(__file__).resolve().parent
# (op, params): every op and mode of the logic family
OPS = [
    ("logic.negate", {}), ("logic.negate", {"mode": "local"}), ("logic.denegate", {}),
    ("logic.double_negation", {}), ("logic.double_negation", {"mode": "mixed"}),
    ("logic.distract", {}), ("logic.distract", {"kind": "negation"}),
    ("logic.quantifier", {}), ("logic.quantifier", {"direction": "strengthen"}), ("logic.number", {}),
]
MAX_NA_PER_OP = 2  # sample rows an op does not apply to, kept as "not applicable" goldens

# Hand-written cases per language: (op, params, premise, hypothesis, label). A premise "#N" is the premise of
# sample row N of data/xnli/test/<lang>.tsv.
E, N, C = "entailment", "neutral", "contradiction"
EXTRAS: dict[str, list] = {
    "en": [
        ("logic.negate", {}, "", "the school is new.", E),
        ("logic.negate", {}, "", "Is the school new?", E),
        ("logic.negate", {}, "", "I went home. It was late.", E),
        ("logic.negate", {}, "", "Mr. Smith is here.", N),
        ("logic.negate", {"mode": "local"}, "", "Children can learn quickly.", E),
        ("logic.negate", {"mode": "local"}, "", "The council has built 3 schools.", C),
        ("logic.negate", {"mode": "local"}, "", "She has 4 children.", E),
        ("logic.negate", {"mode": "local"}, "", "When she left, she was sad.", E),
        ("logic.negate", {"mode": "local"}, "", "The museum is open and tickets cost 12 euros.", C),
        ("logic.denegate", {}, "", "We won't go.", C),
        ("logic.denegate", {}, "", "Children cannot learn quickly.", E),
        ("logic.denegate", {}, "", "It is not true that the school is new.", N),
        ("logic.denegate", {}, "", "He didn't receive any money.", C),
        ("logic.denegate", {}, "", "Nobody did not come.", C),
        ("logic.denegate", {}, "", "Some visitors did not buy tickets.", C),
        ("logic.denegate", {}, "", "They were not there until 2008.", E),
        ("logic.distract", {}, "", "Is the museum open?", N),
        ("logic.quantifier", {"direction": "strengthen"}, "", "Some roads were flooded.", C),
        ("logic.quantifier", {}, "", "All of the roads were dry.", E),
        ("logic.quantifier", {}, "", "If all roads are dry, we go.", E),
        ("logic.quantifier", {}, "", "All roads are not dry.", E),
        ("logic.number", {}, "He paid 12 euros.", "He paid about 12 euros.", E),
        ("logic.number", {}, "He paid 1 euro and left.", "He paid 1 euro.", E),
        ("logic.number", {}, "They met 3 to 5 times.", "They met 3 to 5 times.", E),
    ],
    "de": [
        ("logic.negate", {}, "", "Ist die Schule neu?", E),
        ("logic.negate", {"mode": "local"}, "", "Er ist ein Lehrer.", E),
        ("logic.negate", {"mode": "local"}, "", "Sie hatte sehr dunkle Haut.", E),
        ("logic.negate", {"mode": "local"}, "", "Er hat ein Auto gekauft.", E),
        ("logic.denegate", {}, "", "Das hat keinen Sinn.", C),
        ("logic.denegate", {}, "", "Er hat keinen Wagen.", C),
        ("logic.denegate", {}, "", "Er hat kein Geld.", C),
        ("logic.denegate", {}, "", "Das ist gar nicht wahr.", E),
        ("logic.denegate", {}, "", "Das ist nicht nur teuer.", E),
        ("logic.denegate", {}, "", "Er war nie nicht da.", E),
        ("logic.quantifier", {"direction": "strengthen"}, "", "Einige Straßen waren überflutet.", C),
        ("logic.quantifier", {}, "", "Alle neuen Schulen sind offen.", E),
        ("logic.number", {}, "#1", "Ich habe etwa 3 Stunden gesprochen.", E),
    ],
    "fr": [
        ("logic.negate", {}, "", "la voisine est partie.", E),
        ("logic.negate", {}, "Hier soir, Alice a dit au revoir à tout le monde.", "Alice a dit au revoir.", E),
        ("logic.negate", {"mode": "local"}, "", "C'est vrai.", E),
        ("logic.negate", {"mode": "local"}, "", "Il l'a vu hier.", E),
        ("logic.negate", {"mode": "local"}, "", "Vous avez accordé la commission.", E),
        ("logic.negate", {"mode": "local"}, "", "La voisine a un travail.", C),
        ("logic.denegate", {}, "", "Ce n'est pas vrai.", C),
        ("logic.denegate", {}, "", "Il n'a pas eu d'agents.", C),
        ("logic.denegate", {}, "", "Ne vous inquiétez pas.", C),
        ("logic.denegate", {}, "", "Ils savent comment ne pas répondre.", E),
        ("logic.denegate", {}, "", "Il n'a vu personne.", E),
        ("logic.denegate", {}, "", "C'est pas vrai.", C),
        ("logic.quantifier", {"direction": "strengthen"}, "", "Certaines routes ont été inondées.", C),
        ("logic.quantifier", {}, "", "Tout le monde est parti.", E),
    ],
    "es": [
        ("logic.negate", {}, "", "¡Estoy ansioso por hablar contigo!", N),
        ("logic.negate", {}, "", "¿Está abierto el museo?", N),
        ("logic.negate", {"mode": "local"}, "", "Las carreteras se inundaron.", E),
        ("logic.negate", {"mode": "local"}, "", "Llamé a mi hermana.", E),
        ("logic.negate", {"mode": "local"}, "", "Quiero hablar sobre cuán bajos estamos.", N),
        ("logic.denegate", {}, "", "No te preocupes.", C),
        ("logic.denegate", {}, "", "No, el museo está cerrado.", C),
        ("logic.denegate", {}, "", "No llamó a nadie.", C),
        ("logic.quantifier", {"direction": "strengthen"}, "", "Algunas carreteras se inundaron.", C),
        ("logic.quantifier", {}, "", "María se despidió de todos.", E),
    ],
    "el": [
        ("logic.negate", {}, "", "Είναι ανοιχτό το μουσείο;", N),
        ("logic.negate", {"mode": "local"}, "", "Η αδερφή μου είναι ευτυχισμένη.", E),
        ("logic.negate", {"mode": "local"}, "", "Το έχω δει.", E),
        ("logic.negate", {"mode": "local"}, "", "Θέλω να είναι εδώ.", E),
        ("logic.denegate", {}, "", "Δεν είδα κανέναν.", C),
        ("logic.denegate", {}, "", "Μην το κάνεις.", C),
        ("logic.quantifier", {"direction": "strengthen"}, "", "Μερικοί δρόμοι πλημμύρισαν.", C),
        ("logic.quantifier", {}, "", "Όλες οι πόρτες ήταν κλειστές.", E),
    ],
    "ru": [
        ("logic.negate", {}, "Музей закрыт.", "Музей закрыт по понедельникам.", E),
        ("logic.negate", {"mode": "local"}, "", "Москва — столица России.", E),
        ("logic.negate", {"mode": "local"}, "", "У него была надежда.", E),
        ("logic.negate", {"mode": "local"}, "", "Он взял журнал и ушёл.", E),
        ("logic.negate", {"mode": "local"}, "", "Стол стоял в углу.", E),
        ("logic.denegate", {}, "", "У соседки нет работы.", C),
        ("logic.denegate", {}, "", "Это не только дорого.", C),
        ("logic.denegate", {}, "", "Не знаю.", C),
        ("logic.quantifier", {"direction": "strengthen"}, "", "Она говорила с некоторыми соседями.", C),
        ("logic.quantifier", {}, "", "Она попрощалась со всеми.", E),
        ("logic.number", {}, "Он купил 21 книгу.", "Он купил 21 книгу.", E),
        ("logic.number", {}, "Он купил 3 книги.", "Он купил 3 книги.", E),
    ],
    "bg": [
        ("logic.negate", {}, "", "Обадих се на сестра си.", E),
        ("logic.negate", {"mode": "local"}, "", "Те ще се върнат утре.", E),
        ("logic.negate", {"mode": "local"}, "", "Той го е видял.", E),
        ("logic.negate", {"mode": "local"}, "", "На пристанището има круизи.", E),
        ("logic.denegate", {}, "", "Те няма да се върнат.", C),
        ("logic.denegate", {}, "", "Не се обадих.", C),
        ("logic.denegate", {}, "", "Мария не се сбогува.", C),
        ("logic.quantifier", {"direction": "strengthen"}, "", "Някои пътища бяха наводнени.", C),
        ("logic.quantifier", {}, "", "Всяко дете има книга.", E),
    ],
    "tr": [
        ("logic.negate", {}, "", "Okul yeni mi?", E),
        ("logic.negate", {"mode": "local"}, "", "Kitabı okudum.", E),
        ("logic.negate", {"mode": "local"}, "", "Mektup çok güzeldi.", E),
        ("logic.negate", {"mode": "local"}, "", "Orada maymunlar var.", E),
        ("logic.denegate", {}, "", "Okula gitmiyor.", C),
        ("logic.denegate", {}, "", "Yardım etmeyecek.", C),
        ("logic.denegate", {}, "", "Maymunlar yoktu.", C),
        ("logic.denegate", {}, "", "1943'e kadar doğmadı.", C),
        ("logic.denegate", {}, "", "Hiç kimseyle konuşmadı.", C),
        ("logic.quantifier", {"direction": "strengthen"}, "", "Bazı yollar kapalı.", C),
        ("logic.quantifier", {}, "", "Her iki taraf da kazandı.", E),
        ("logic.number", {}, "Meclis 1998'de 3 okul inşa etti.", "Meclis 1998'de okul inşa etti.", E),
    ],
    "ar": [
        ("logic.negate", {}, "", "هل المتحف مفتوح؟", N),
        ("logic.negate", {"mode": "local"}, "", "هناك رحلات بحرية في الميناء.", E),
        ("logic.negate", {"mode": "local"}, "", "يمكن تجميع الوظائف.", E),
        ("logic.negate", {"mode": "local"}, "", "سيعودون إلى منازلهم.", E),
        ("logic.denegate", {}, "", "لن يتحدث عن القضية.", C),
        ("logic.denegate", {}, "", "هو لا يعمل هنا.", C),
        ("logic.denegate", {}, "", "لم يذهب إلى المدرسة.", C),
        ("logic.denegate", {}, "", "من فضلك لا تفكر في ذلك.", C),
        ("logic.denegate", {}, "", "لا يزال المتحف مفتوحًا.", C),
        ("logic.quantifier", {"direction": "strengthen"}, "", "بعض الطرق مغلقة.", C),
        ("logic.quantifier", {}, "", "كل صباح تذهب إلى العمل.", E),
        ("logic.quantifier", {}, "", "جميع الطرق مغلقة.", E),
    ],
    "hi": [
        ("logic.negate", {"mode": "local"}, "", "वह स्कूल गया है।", E),
        ("logic.negate", {"mode": "local"}, "", "मुझे लगता है कि वह अच्छा है।", E),
        ("logic.denegate", {}, "", "डोनाल्ड ट्रम्प नृत्य नहीं कर सकता।", C),
        ("logic.denegate", {}, "", "उसने कभी कुछ नहीं कहा।", C),
        ("logic.quantifier", {"direction": "strengthen"}, "", "कुछ सड़कें बंद हैं।", C),
        ("logic.quantifier", {"direction": "strengthen"}, "", "मुझे कुछ भी नहीं चाहिए।", C),
        ("logic.quantifier", {}, "", "सभी सड़कें बंद हैं।", E),
    ],
    "ur": [
        ("logic.negate", {"mode": "local"}, "", "وہ اسکول گیا ہے۔", E),
        ("logic.denegate", {}, "", "وہ ناچ نہیں سکتا۔", C),
        ("logic.denegate", {}, "", "اس نے کبھی کچھ نہیں کہا۔", C),
        ("logic.quantifier", {"direction": "strengthen"}, "", "کچھ سڑکیں بند ہیں۔", C),
        ("logic.quantifier", {}, "", "تمام سڑکیں بند ہیں۔", E),
    ],
    "sw": [
        ("logic.negate", {}, "", "mfuko una fedha.", E),
        ("logic.negate", {"mode": "local"}, "", "Alikuwa na ushawishi mkubwa.", E),
        ("logic.negate", {"mode": "local"}, "", "Kuna safari katika bandari.", E),
        ("logic.negate", {"mode": "local"}, "", "Tutasimamisha kazi kesho.", E),
        ("logic.denegate", {}, "", "Yeye hakuwa nyumbani.", C),
        ("logic.denegate", {}, "", "Shule si mpya.", C),
        ("logic.denegate", {}, "", "Hakuna mtu yeyote hapa.", C),
        ("logic.quantifier", {"direction": "strengthen"}, "", "Baadhi ya barabara za kijiji zilifungwa.", C),
        ("logic.quantifier", {"direction": "strengthen"}, "", "Baadhi ya wageni hununua tiketi.", C),
        ("logic.quantifier", {}, "", "Barabara zote zilifungwa.", E),
    ],
    "th": [
        ("logic.negate", {}, "", "Pachucas แต่งหน้าหนัก", N),
        ("logic.negate", {"mode": "local"}, "", "เขาจะกลับบ้าน", E),
        ("logic.negate", {"mode": "local"}, "", "เขาคือนายอำเภอ", E),
        ("logic.negate", {"mode": "local"}, "", "ฉันเข้าใจเป็นอย่างดี", E),
        ("logic.denegate", {}, "", "เบสบอลไม่ได้ขาวมากพอ", C),
        ("logic.denegate", {}, "", "นี่ไม่ใช่ของฉัน", C),
        ("logic.denegate", {}, "", "เขาไม่ได้พูดกับใครเลย", C),
        ("logic.quantifier", {}, "", "ทุกคนมาแล้ว", E),
        ("logic.quantifier", {"direction": "strengthen"}, "", "นักเรียนบางคนมาแล้ว", C),
    ],
    "vi": [
        ("logic.negate", {}, "", "Hà Nội là thủ đô.", E),
        ("logic.negate", {"mode": "local"}, "", "Anh ấy có thể đi.", E),
        ("logic.negate", {"mode": "local"}, "", "Tôi nghĩ là anh ấy đúng.", E),
        ("logic.denegate", {}, "", "Anh ấy không thể đi.", C),
        ("logic.denegate", {}, "", "Không khí rất trong lành.", C),
        ("logic.denegate", {}, "", "Nó không phải là sách.", C),
        ("logic.quantifier", {"direction": "strengthen"}, "", "Một số khách mua vé.", C),
        ("logic.quantifier", {}, "", "Mọi người đều đến.", E),
    ],
    "zh": [
        ("logic.negate", {"mode": "local"}, "", "他会来。", E),
        ("logic.negate", {"mode": "local"}, "", "我们有很多时间。", E),
        ("logic.negate", {"mode": "local"}, "", "P使反应速度提高了一倍。", E),
        ("logic.denegate", {}, "", "他不会来。", C),
        ("logic.denegate", {}, "", "请不要考虑给我们钱。", C),
        ("logic.denegate", {}, "", "他并不知道。", C),
        ("logic.denegate", {}, "", "他没有任何钱。", C),
        ("logic.quantifier", {"direction": "strengthen"}, "", "有些学生在教室里。", C),
        ("logic.quantifier", {}, "", "每个人都来了。", E),
    ],
}


QUESTION_MARK = {"el": ";", "ar": "؟", "ur": "؟", "zh": "？"}


def generic_extras(lang, sample):
    """Not-applicable cases every language has: a question and a two-sentence hypothesis (a frame would
    scope over the first sentence only)."""
    school, letter = sample[15].fields["hypothesis"], sample[10].fields["hypothesis"]
    question = school.rstrip(".。।۔") + QUESTION_MARK.get(lang, "?")
    joined = school + ("" if lang == "zh" else " ") + letter
    out = []
    for name, params in (("logic.negate", {}), ("logic.double_negation", {})):
        out.append((name, params, "", question, N))
        if lang != "th":  # Thai writes no sentence punctuation: two sentences are not detected
            out.append((name, params, "", joined, N))
    return out


def params_text(params: dict) -> str:
    return ";".join(f"{k}={v}" for k, v in sorted(params.items())) or "-"


def golden_example(lang: str, index: int, premise: str, hypothesis: str, label: str) -> Example:
    """The example a golden row stands for; its id (and so its RNG) depends on the row's place in the file."""
    return Example(f"xnli/golden/{lang}/{index:06d}", "xnli", lang, {"premise": premise, "hypothesis": hypothesis},
                   label)


def run(name, params, ex):
    op = registry.get(name)(**params)
    res = op.apply(ex, derive_rng(13, name, ex.id, 0), fields=("hypothesis",))
    if res is None:
        return "N/A", "-"
    if res is DROPPED:
        return "DROPPED", "-"
    return res.example.fields["hypothesis"], res.example.label


def rows_for(lang: str) -> list[list[str]]:
    sample = load(task="xnli", data=REPO / "data" / "xnli", split="test", langs=[lang])[lang]
    rows = []
    for name, params in OPS:
        n_na = 0
        for i, s in enumerate(sample):
            ex = golden_example(lang, len(rows), s.fields["premise"], s.fields["hypothesis"], s.label)
            result, label = run(name, params, ex)
            if result == "N/A":
                n_na += 1
                if n_na > MAX_NA_PER_OP:
                    continue
            rows.append([name, params_text(params), f"#{i}", ex.fields["hypothesis"], ex.label, result, label])
    for name, params, premise, hyp, label in EXTRAS.get(lang, []) + generic_extras(lang, sample):
        prem = sample[int(premise[1:])].fields["premise"] if premise.startswith("#") else premise
        ex = golden_example(lang, len(rows), prem, hyp, label)
        result, new_label = run(name, params, ex)
        rows.append([name, params_text(params), premise or "-", hyp, label, result, new_label])
    return rows


def main(langs):
    for lang in langs:
        path = OUT / f"{lang}.tsv"
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(f"# logic goldens for {lang}: made with `python tests/goldens/logic/make_goldens.py {lang}`, "
                    "then every row checked by hand by the xstress developers (not native speakers)\n")
            f.write("# premise: #N = premise of sample row N (data/xnli/test), - = empty; "
                    "result: the new hypothesis, N/A (not applicable) or DROPPED (label undetermined)\n")
            w = csv.writer(f, delimiter="\t", quoting=csv.QUOTE_NONE, lineterminator="\n", escapechar=None)
            w.writerow(["op", "params", "premise", "hypothesis", "label", "result", "new_label"])
            for row in rows_for(lang):
                assert not any("\t" in c or "\n" in c for c in row), row
                w.writerow(row)
        print(path)


if __name__ == "__main__":
    main(sys.argv[1:] or list(XNLI_LANGS))
