"""Behaviour of each char op and its resources: layouts, alphabets, unsupported languages, parameters."""
from __future__ import annotations

import random
import subprocess
import sys
import unicodedata
from importlib import resources

import pytest

from perturb import registry, segment
from perturb.core import Perturbed
from perturb.example import Example
from perturb.ops.char import _common as cc
from perturb.ops.char import keyboard as kb

RESOURCE_KINDS = ("keyboards", "alphabets", "diacritics", "homoglyphs", "homophones", "inputrules", "shapes",
                  "words")


def xnli(lang: str, hypothesis: str) -> Example:
    return Example(f"t/{lang}", "xnli", lang, {"premise": "", "hypothesis": hypothesis}, "neutral")


def run(name: str, lang: str, text: str, seed: int = 0, **params) -> Perturbed | None:
    op = registry.get(name)(**params)
    return op.apply(xnli(lang, text), random.Random(seed), fields=("hypothesis",))


def outputs(name: str, lang: str, text: str, n: int = 30, **params) -> list[str]:
    out = []
    for seed in range(n):
        res = run(name, lang, text, seed, **params)
        out.append(res.example.fields["hypothesis"] if res else None)
    return out


# --- resources ------------------------------------------------------------------------------------------

def test_every_resource_file_has_provenance():
    root = resources.files("perturb") / "resources"
    seen = 0
    for kind in RESOURCE_KINDS:
        for f in (root / kind).iterdir():
            if not f.name.endswith(".tsv"):
                continue
            seen += 1
            header = [ln for ln in f.read_text(encoding="utf-8").splitlines() if ln.startswith("#")]
            text = "\n".join(header)
            for field in ("source:", "licence:", "checked:"):
                assert field in text, f"{kind}/{f.name} lacks '{field}' in its header"
    assert seen >= 60


def test_importing_char_ops_loads_no_resource():
    code = ("import sys; import perturb.registry as r; r.names(); "
            "from perturb.ops.char import _common as cc; "
            "assert cc.read_table.cache_info().currsize == 0, 'a table was read at import'; "
            "heavy = [m for m in ('spacy', 'jieba', 'pythainlp', 'opencc') if m in sys.modules]; "
            "assert not heavy, heavy")
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("lang,char,expected", [
    ("en", "a", {"q", "w", "s", "z"}),
    ("en", "G", {"T", "Y", "F", "H", "V", "B"}),
    ("fr", "a", {"z", "q", "é"}),             # AZERTY: é sits on the digit row above
    ("de", "z", {"t", "u", "g", "h"}),        # QWERTZ
    ("ru", "а", {"в", "п", "к", "е", "с", "м"}),
    ("tr", "ı", {"u", "o", "k", "j"}),        # Turkish Q: dotless ı has its own key
    ("el", "α", {"ς", "σ", "ζ"}),
])
def test_layout_neighbours(lang, char, expected):
    assert set(kb._layout(lang)[char]) == expected


def test_layout_neighbours_keep_their_role():
    # A Thai tone mark is mistyped as a tone mark, a consonant as a consonant; a Devanagari vowel sign
    # as a vowel sign, never as a virama or anusvara.
    th = kb._layout("th")
    assert set(th["\u0e48"]) == {"\u0e49"}  # mai ek <-> mai tho
    assert all(cc.char_class(c) == "consonant" for c in th["ก"])
    hi = kb._layout("hi")
    assert all(cc.char_class(c) == "vowel-sign" for c in hi["\u093e"])  # AA sign
    # The lam-alef key of the Arabic layout sends a presentation form, never typed into text.
    assert all(unicodedata.normalize("NFKC", c) == c for v in kb._layout("ar").values() for c in v)


def test_zh_keyboard_is_a_same_pinyin_slip():
    reading, _ = kb._pinyin_index()
    for out in outputs("char.keyboard", "zh", "我们今天去学校", n=20):
        assert out is not None
        changed = [(a, b) for a, b in zip("我们今天去学校", out) if a != b]
        assert len(changed) == 1
        a, b = changed[0]
        assert reading[a] == reading[b]
    # A polyphone whose reading depends on the word (行 xíng/háng) is never a target.
    assert "行" not in reading


def test_alphabets_are_the_languages_own():
    assert cc.alphabet("en").letters == tuple("abcdefghijklmnopqrstuvwxyz")
    assert cc.alphabet("tr").upper["i"] == "İ" and cc.alphabet("tr").upper["ı"] == "I"
    assert "ς" not in cc.alphabet("el").letters
    th = cc.alphabet("th")
    assert all(cc.char_class(c) == "consonant" for c in th.letters)
    assert "ệ" not in cc.alphabet("vi").letters and "ư" in cc.alphabet("vi").letters
    assert len(cc.alphabet("zh").letters) == 3500


# --- each op ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("lang,text", [
    ("hi", "प्रधानमंत्री ने हिन्दी में बात की"),
    ("th", "ผู้หญิงกำลังดื่มน้ำที่นี่"),
    ("ar", "ذَهَبَ الطالبُ إلى المدرسةِ"),
    ("ru", "Мы видели Harry Potter вчера"),
    ("zh", "我们发现这个问题很严重"),
])
@pytest.mark.parametrize("name", ["char.insert", "char.substitute"])
def test_inserted_material_is_from_the_alphabet(name, lang, text):
    alpha = cc.alphabet(lang)
    for seed in range(30):
        res = run(name, lang, text, seed, rate=1.0)
        assert res is not None
        for e in res.edits:
            letter = e.after[0]
            assert alpha.lowercase(letter), f"{letter!r} is not a letter of {lang}"
            word = next(w for w in cc.words(text, lang) if w.start <= e.start <= w.end)
            # Never into a word of another script (the Latin name in Russian text).
            assert word.text not in ("Harry", "Potter")


def test_delete_keeps_conjuncts_and_thai_clusters_whole():
    for lang, text in (("hi", "क्षमा प्रधानमंत्री"), ("th", "น้ำผู้หญิง")):
        clusters = set(segment.graphemes(text))
        for seed in range(30):
            res = run("char.delete", lang, text, seed, rate=1.0)
            assert res is not None
            assert all(e.before in clusters and e.after == "" for e in res.edits)


def test_substitute_keeps_marks_and_class():
    for seed in range(30):
        # (ที่ alone, one consonant, is too short to substitute in: see _common.MIN_UNITS)
        res = run("char.substitute", "th", "ที่นี่ผู้หญิง", seed, rate=1.0)
        assert res.edits
        for e in res.edits:
            assert e.before[1:] == e.after[1:] and cc.char_class(e.after[0]) == cc.char_class(e.before[0])
    assert run("char.substitute", "th", "ที่ ไม่", 0, rate=1.0) is None


def test_zh_substitute_writes_a_look_alike_in_a_longer_word():
    from perturb.ops.char import substitute as sub

    shapes = sub._shapes()
    assert "未" in shapes["末"] and "侯" in shapes["候"] and "己" in shapes["已"] and "拔" in shapes["拨"]
    text = "他说文章已经写好了"
    words = {w.text for w in cc.words(text, "zh")}
    for seed in range(30):
        res = run("char.substitute", "zh", text, seed, rate=1.0)
        for e in res.edits:
            assert e.after in shapes[e.before]
            word = next(w for w in cc.words(text, "zh") if w.start <= e.start < w.end)
            assert len(word.text) >= 2 and word.text in words  # never 他 alone, never "斥" for it


@pytest.mark.parametrize("ch,other", [
    ("家", "宪"), ("护", "找"), ("组", "纪"), ("妈", "妃"), ("种", "利"), ("拒", "扯"), ("政", "敛"),
])
def test_zh_look_alikes_share_more_than_a_radical(ch, other):
    # Pairs of the 0.3.0 table alike only in their radical (0.4.0 audit: 家 -> 宪): nobody mixes them up.
    from perturb.ops.char import substitute as sub

    assert other not in sub._shapes().get(ch, ())


@pytest.mark.parametrize("lang,text,expected", [
    ("fr", "élève", "eleve"),
    ("tr", "ışık", "isik"),
    ("de", "Größe", "Große"),                       # ß is a letter, not an accent
    ("ru", "ёлка", "елка"),
    ("ru", "мой", None),                            # й is a letter of its own
    ("ar", "كَتَبَ", "كتب"),
    ("ar", "أيضاً", "ايضا"),
    ("hi", "ज़रूरी", "जरूरी"),
    ("vi", "Tiếng", "Tieng"),
    ("el", "ήταν", "ηταν"),
])
def test_diacritics(lang, text, expected):
    res = run("char.diacritics", lang, text, rate=1.0)
    assert (res.example.fields["hypothesis"] if res else None) == expected


def test_diacritics_kinds_are_known():
    from perturb.ops.char.diacritics import KINDS

    for lang in registry.get("char.diacritics").languages("xnli") | registry.get("char.diacritics").languages("xcopa"):
        assert {row[2] for row in cc.read_table("diacritics", lang)} <= set(KINDS), lang
    with pytest.raises(ValueError):
        registry.get("char.diacritics")(kinds=("tones",))


def test_diacritics_tone_kind_keeps_vietnamese_letters():
    res = run("char.diacritics", "vi", "Tiếng Việt đường", rate=1.0, kinds=("tone",))
    assert res.example.fields["hypothesis"] == "Tiêng Viêt đương"


@pytest.mark.parametrize("name,unsupported", [
    ("char.diacritics", {"en", "id", "sw", "ta", "th", "zh"}),
    ("char.homoglyph", {"ar", "hi", "ta", "th", "ur", "zh"}),
    ("char.script", {"ar", "en", "hi", "ja", "th", "ur"}),
])
def test_unsupported_languages_are_declared(name, unsupported):
    cls = registry.get(name)
    claimed = cls.languages("xnli") | cls.languages("xcopa")
    assert not claimed & unsupported


def test_homoglyph_looks_the_same_but_changes_script():
    tables = {"en": cc.read_table("homoglyphs", "latin")}
    pairs = {row[0]: set(row[1].split()) for row in tables["en"]}
    for seed in range(20):
        res = run("char.homoglyph", "en", "The cat sat on the mat", seed, rate=1.0)
        for e in res.edits:
            assert e.after in pairs[e.before]
            assert unicodedata.name(e.after).split()[0] != "LATIN"


def test_invisible_characters_where_invisible():
    for lang, text, banned in (("ar", "المدرسة الكبيرة", "\u200c\u200d"), ("en", "office files", "\u200c"),
                               ("hi", "मैंने किताब पढ़ी", "\u200c"), ("th", "ผู้หญิง", "")):
        for seed in range(40):
            res = run("char.invisible", lang, text, seed, rate=1.0)
            for e in res.edits:
                assert e.before == "" and e.after in "\u200b\u2060\u200c\u200d" and e.after not in banned
    with pytest.raises(ValueError):
        registry.get("char.invisible")(chars=("nbsp",))


def test_bidi_reverses_clusters_inside_an_override():
    res = run("char.bidi", "hi", "किताब", rate=1.0)
    assert res.example.fields["hypothesis"] == "\u202eबताकि\u202c"
    res = run("char.bidi", "ar", "أدوار", rate=1.0)
    assert res.example.fields["hypothesis"] == "\u202dراودأ\u202c"
    # Words a renderer would draw differently are left alone: a conjunct, Thai SARA AM, a number,
    # a word mixing directions, Arabic-script letters that join as written (كتاب, لا, گھر) or once
    # reversed (أن -> "نأ"): a shaper that joins in stored order would draw other letter forms.
    for lang, text in (("hi", "क्षमा"), ("th", "น้ำ"), ("en", "1998"), ("ur", "U2کو"), ("ar", "كتاب"),
                       ("ar", "لا"), ("ar", "أن"), ("ar", "دون"), ("ur", "گھر"), ("ur", "آپ")):
        assert run("char.bidi", lang, text, rate=1.0) is None


def test_script_converts_simplified_to_traditional_in_context():
    res = run("char.script", "zh", "头发", rate=1.0)
    assert res.example.fields["hypothesis"] == "頭髮"
    res = run("char.script", "zh", "頭髮", rate=1.0, config="t2s")
    assert res.example.fields["hypothesis"] == "头发"
    with pytest.raises(ValueError):
        registry.get("char.script")(config="s2twp")


@pytest.mark.parametrize("name", [n for n in registry.names() if n.startswith("char.")])
def test_not_applicable_without_an_eligible_word(name):
    lang = sorted(registry.get(name).languages("xnli"))[0]
    assert run(name, lang, "123 , 456 !") is None
    assert run(name, lang, "") is None


@pytest.mark.parametrize("name", [n for n in registry.names() if n.startswith("char.")])
def test_rate_is_validated(name):
    with pytest.raises(ValueError):
        registry.get(name)(rate=1.5)


def test_first_index_is_random_order_taken_lazily():
    # first_index writes random_order out for speed: same choice and the same draws from the rng.
    import random

    from perturb.ops.char import _common as cc

    for seed in range(2000):
        n = seed % 7
        failing = set(random.Random(seed).sample(range(n), random.Random(seed + 1).randrange(n + 1)))
        r1, r2 = random.Random(seed), random.Random(seed)
        expected = next((k for k in cc.random_order(n, r1) if k not in failing), None)
        assert cc.first_index(n, r2, lambda k: None if k in failing else k) == expected
        assert r1.getstate() == r2.getstate()


def test_letter_check_shortcut_agrees_with_the_letter_class():
    # is_letter_cluster answers low code points with str.isalpha(); it must agree with \p{L} there.
    import regex

    from perturb.ops.char import _common as cc

    for cp in range(0x250):
        ch = chr(cp)
        assert cc.is_letter_cluster(ch) == (regex.match(r"\p{L}", ch) is not None), hex(cp)
    assert cc.is_letter_cluster("e\u0301") and not cc.is_letter_cluster("\u0301") and not cc.is_letter_cluster("")
