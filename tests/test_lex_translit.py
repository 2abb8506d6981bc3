"""lex.translit: table-driven word goldens per language (checked by hand against the tables' stated conventions),
and the op's behaviour on whole sentences: Latin output, spacing in unspaced scripts, the rate."""
from __future__ import annotations

import pytest
import regex

from perturb import registry
from perturb.core import Perturbed
from perturb.example import Example
from perturb.ops.lex import _translit as tr
from perturb.rng import derive_rng

WORDS = [
    # ru: informal translit, х -> h, щ -> sch, soft and hard signs dropped, case kept
    ("ru", "Привет", "Privet"), ("ru", "школа", "shkola"), ("ru", "Щука", "Schuka"), ("ru", "съел", "sel"),
    ("ru", "ВТОРНИК", "VTORNIK"), ("ru", "хорошо", "horosho"), ("ru", "ёлка", "yolka"),
    # bg: Streamlined System, ъ -> a, щ -> sht
    ("bg", "България", "Balgariya"), ("bg", "щастие", "shtastie"), ("bg", "път", "pat"),
    # el: Greeklish, accents dropped, ου -> ou, χ -> x, ψ -> ps
    ("el", "Αθήνα", "Athina"), ("el", "ουρανός", "ouranos"), ("el", "χωριό", "xorio"), ("el", "ψυχή", "psyxi"),
    # hi: chat Hindi with schwa deletion (final, and VC_CV) and nukta letters
    ("hi", "कमरा", "kamra"), ("hi", "समझना", "samajhna"), ("hi", "लड़का", "ladka"), ("hi", "अपना", "apna"),
    ("hi", "बहन", "bahan"), ("hi", "ज़िंदगी", "zindagi"), ("hi", "क्या", "kya"), ("hi", "नहीं", "nahi"),
    ("hi", "संग्रहालय", "sangrahalay"),
    # ta: Tanglish, voicing between vowels and after nasals, ழ -> zh
    ("ta", "வணக்கம்", "vanakkam"), ("ta", "மகன்", "magan"), ("ta", "படம்", "padam"), ("ta", "பங்கு", "pangu"),
    ("ta", "மஞ்சள்", "manjal"), ("ta", "தமிழ்", "thamizh"), ("ta", "அந்த", "andha"),
    # ar: Arabizi digits, w/y by position, tanwin alif silent, shadda doubles
    ("ar", "على", "3la"), ("ar", "مع", "m3"), ("ar", "يوم", "yom"), ("ar", "كتاب", "ktab"),
    ("ar", "مفتوحًا", "mfto7an"), ("ar", "الأحد", "ala7d"),
    # ur: Roman Urdu, function words as written in chat, final ہ -> a
    ("ur", "یہ", "yeh"), ("ur", "نہیں", "nahi"), ("ur", "کتاب", "ktab"), ("ur", "ہمیشہ", "hmisha"), ("ur", "بھائی", "bhai"),
    ("ur", "تقریباً", "tqriban"),
    # zh: tone-less pinyin, syllables of a word together; th: RTGS, compounds romanised in parts
    ("zh", "男人", "nanren"), ("zh", "学校", "xuexiao"), ("th", "โรงเรียน", "rongrian"), ("th", "วันอาทิตย์", "wanathit"),
    # th, hand-checked against RTGS where pythainlp's rules garble them (its output in the comment): initial ห
    # sounded or silent, a leading vowel before a true cluster, finals in their final form
    ("th", "ห้องนอน", "hongnon"),      # ongnon
    ("th", "แพลง", "phlaeng"),         # phaenng
    ("th", "เพลง", "phleng"),          # phenng
    ("th", "ใหญ่", "yai"),             # ain
    ("th", "เหลือง", "lueang"),        # elueng
    ("th", "เปลี่ยนแปลง", "plianplaeng"),  # pelinpaenng
    ("th", "ใคร", "khrai"),            # khain
    ("th", "เครื่องบิน", "khrueangbin"),  # kheruengbin
    ("th", "หาก", "hak"),              # ak
    ("th", "เหนือ", "nuea"),           # enue
    ("th", "กฎหมาย", "kotmai"),        # kadahamai
    ("th", "โกรธ", "krot"),            # kont
    ("th", "ห้อย", "hoi"),             # hoi
    ("th", "หน", "hon"),               # on
    ("th", "เกลียด", "kliat"),         # kelit
    # a first consonant with a hidden a after the leading vowel (the rules read เ…ย as "oei"), silent ห after
    # ใ ไ, short แ…็, open เ…อ
    ("th", "เขย่ง", "khayeng"),        # khoeing (audit item 89)
    ("th", "เฉลย", "chaloei"),         # chen
    ("th", "เกษียณ", "kasian"),        # kesin
    ("th", "แสดง", "sadaeng"),         # saetng
    ("th", "เสด็จ", "sadet"),          # (none)
    ("th", "ไหน", "nai"),              # nai
    ("th", "น้ำตาไหล", "namtalai"),    # namtahain
    ("th", "โหย", "hoi"),              # hoi
    ("th", "แข็ง", "khaeng"),          # khae็ng
    ("th", "เสมอ", "samoe"),           # semo
    ("th", "เคย", "khoei"),            # khoei
    ("th", "เพชร", "phetn"),           # phetn: a final ร after a consonant is left to the rules (RTGS "phet")
    # a final cluster no RTGS word has: the word is romanised syllable by syllable
    ("th", "สังคม", "sangkhom"),       # sangkm
    ("th", "ธันวาคม", "thanwakhom"),   # thanwakm
    ("th", "ระบบ", "rabop"),           # rapp
    ("th", "เรียนจบ", "rianchop"),     # riantp
]


@pytest.mark.parametrize("lang, word, expected", WORDS)
def test_word_romanisation(lang, word, expected):
    assert tr.romanise(word, lang) == expected


def test_every_table_language_has_word_goldens():
    assert {lang for lang, _, _ in WORDS} == set(tr.languages())


@pytest.mark.parametrize("lang", ["ru", "hi", "ar"])
def test_words_with_letters_the_table_lacks_are_left_alone(lang):
    mixed = {"ru": "школаß", "hi": "कमरा\u0b95", "ar": "كتابש"}[lang]
    assert tr.romanise(mixed, lang) is None


def sentence(lang, text):
    return Example(f"xnli/test/{lang}/000000", "xnli", lang, {"premise": "P.", "hypothesis": text}, "neutral")


def apply(text, lang, rate=1.0, seed=0):
    op = registry.get("lex.translit")(rate=rate)
    ex = sentence(lang, text)
    res = op.apply(ex, derive_rng(seed, op.name, ex.id, 0), fields=["hypothesis"])
    return res.example.fields["hypothesis"] if isinstance(res, Perturbed) else None


def test_rate_one_romanises_every_word_and_keeps_the_rest():
    assert apply("Я не звонил сестре в воскресенье.", "ru") == "Ya ne zvonil sestre v voskresene."
    assert apply("Maria и 3 школы!", "ru") == "Maria i 3 shkoly!"
    assert apply("Η Μαρία, 1998.", "el") == "I Maria, 1998."


def test_unspaced_scripts_get_a_space_between_romanised_words_and_none_doubled():
    assert apply("我和姐姐聊了3个小时。", "zh") == "wo he jiejie liao le 3 ge xiaoshi。"
    half = apply("我和姐姐聊了3个小时。", "zh", rate=0.5, seed=3)
    assert "  " not in half and regex.search(r"\p{Han}", half) and regex.search(r"[a-z]", half)
    thai = apply("ฉันไม่ได้โทรหาพี่สาว", "th")
    assert thai == "chan mai dai thon ha phisao"


def test_share_of_words_follows_the_rate():
    text = "Мы прекрасно поговорили о новой школе и старой библиотеке."
    out = apply(text, "ru", rate=0.5, seed=1)
    latin = regex.findall(r"\b[a-zA-Z]+\b", out)
    assert len(latin) == 5  # 9 Cyrillic words x 0.5, rounded half up
    assert apply(text, "ru", rate=0.5, seed=1) == out


def test_languages_are_the_scripts_with_a_romaniser():
    cls = registry.get("lex.translit")
    assert cls.languages("xnli") == {"ar", "bg", "el", "hi", "ru", "zh"}  # ur, th: declined, see translit.DECLINED
    assert "kaise" in cls(rate=0.5).unsupported_reason("xnli", "ur")
    assert cls.languages("xcopa") == {"ta", "zh"}


def test_fast_thai_romaniser_equals_pythainlp():
    # _lex_translit mirrors pythainlp's RTGS romaniser with precompiled rules (for the pythainlp release it
    # was written against); it must give what romanize(..., engine="royin") gives, word for word.
    import pytest

    from perturb import segment
    from perturb.ops.lex import _translit as tr

    fast = tr._fast_royin()
    if fast is None:
        pytest.skip("installed pythainlp is not the release the fast romaniser mirrors: romanize() is used")
    from pythainlp.transliterate import romanize

    text = ("ฉันไม่ได้โทรหาพี่สาวของฉันเมื่อวันอาทิตย์ เด็กผู้ชายตัวเล็กทำไอศกรีมหล่นลงบนพื้น "
            "คนทำขนมปังตื่นก่อนรุ่งสาง ประเทศไทยมีประชากรประมาณหกสิบหกล้านคน ฤดูฝนเริ่มเดือนพฤษภาคม "
            "เขาเล่นฟุตบอลกับเพื่อนๆ ทุกเย็น โรงเรียนปิดเพราะน้ำท่วม")
    words = {t.text for t in segment.words(text, "th")}
    assert len(words) > 30
    for w in sorted(words):
        assert fast(w) == romanize(w, engine="royin"), w


def test_thai_words_without_a_respelling_romanise_as_pythainlp_does(real_data):
    # The respelling (_translit._respell, _hidden_a) only touches syllables with an initial ห or a leading vowel
    # before a true cluster or a hidden a, and words whose RTGS has an impossible final; every other word of
    # the real Thai test text is pythainlp's own RTGS romanisation.
    import json

    from pythainlp.tokenize import syllable_tokenize
    from pythainlp.transliterate import romanize

    from perturb import segment

    rows = [json.loads(line) for line in (real_data / "xcopa" / "th" / "test.jsonl").read_text("utf-8").splitlines()]
    words = {w.text for r in rows for f in ("premise", "choice1", "choice2") for w in segment.words(r[f], "th")}
    same = changed = declined = 0
    for w in sorted(words):
        if not tr.has_script(w, "th"):
            continue
        if not tr._O_INITIAL.match(w) and all(tr._respell(s)[0] == s and tr._hidden_a(s) == [s]
                                               for s in syllable_tokenize(w)):
            expected = romanize(w, engine="royin")
            if expected and not tr.has_script(expected, "th") and not tr._RTGS_SHAPE.fullmatch(expected):
                continue  # a final no RTGS word has ("sangkm"): romanised syllable by syllable instead
            got = tr.romanise(w, "th")
            if got is None and expected and not tr.has_script(expected, "th"):
                declined += 1  # the syllable-by-syllable reading disagrees: not vouched for, stays in Thai
                continue
            assert got == (expected or None) or tr.has_script(expected, "th"), w
            same += 1
        else:
            changed += 1
    assert same > 500 and changed > 50 and declined < same / 4


def test_thai_agrees_with_pythainlp_where_its_rules_are_right(real_data):
    # 3,000 words of the Thai XNLI test (seeded draw): the respelling departs from pythainlp's RTGS only where
    # its rules garble a word (ห, hidden a, clusters, แ…็, a final no RTGS word has). Measured 2026-12-03:
    # 91.2 % agreement before the hidden-a and ไห rules, 90.0 % after (all 46 words that changed were read:
    # each nearer RTGS, 13 romanised where they were left in Thai; ฉลาด "chlat" stays wrong), 86.6 % after
    # the syllable-by-syllable fallback (104 words, e.g. สังคม "sangkm" -> "sangkhom", read: all but 4 nearer
    # RTGS), 85.5 % after the initial-อ rule (29 words, e.g. องค์กร "ngakon" -> "ongkon", อดีต "dit" -> "adit",
    # read: all but 3 nearer RTGS; อวกาศ "okat", อมตะ "omta" miss the hidden a after อ). The floor keeps a rule
    # change from drifting further unseen.
    import csv
    import random

    from pythainlp.transliterate import romanize

    from perturb import segment

    with (real_data / "xnli" / "test" / "th.tsv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    words = sorted({w.text for r in rows for f in ("premise", "hypothesis") for w in segment.words(r[f], "th")
                    if tr.has_script(w.text, "th")})
    sample = random.Random(20).sample(words, 3000)
    # Since the whole-word and syllable-by-syllable readings must agree (else the word stays in Thai): of the
    # 3,000, 2,591 are written (86.4 %), and 2,156 of those (83.2 %) as pythainlp writes them; the rest are the
    # respellings above.
    agree = written = 0
    for w in sample:
        ref = romanize(w, engine="royin")
        got = tr.romanise(w, "th")
        written += got is not None
        agree += got is not None and got == (None if not ref or tr.has_script(ref, "th") else ref)
    assert written / len(sample) >= 0.85 and agree / written >= 0.82, (written, agree)


@pytest.mark.parametrize("word, roman", [
    ("องค์กร", "ongkon"), ("อร่อย", "aroi"), ("อนุญาต", "anuyat"), ("อดีต", "adit"), ("อเมริกา", "amerika"),
    ("อบรม", "oprom"), ("อย่าง", "yang"), ("อยู่", "yu"), ("อยาก", "yak"), ("ออก", "ok"),
])
def test_thai_initial_o(word, roman):
    # An initial อ is the vowel carrier of its own syllable (pythainlp's rules drop it: "ngakon", "roi"), except the
    # silent อ before ย of อย่า, อยู่, อย่าง, อยาก (audit of 0.4.0: "ngakon" for องค์กร).
    assert tr.romanise(word, "th") == roman


@pytest.mark.parametrize("word", ["व्हाइट", "हाउस", "लाइट", "बॅंक"])
def test_hindi_english_loans_stay_in_devanagari(word):
    # "vhait haus" is nobody's spelling of White House: romanised writers type the English word.
    assert tr.romanise(word, "hi") is None


def test_thai_silent_r_before_a_final():
    # สามารถ "can", one of the commonest Thai words: ร between า and the final is silent ("samat", not "samarot").
    assert tr.romanise("สามารถ", "th") == "samat"
    assert tr.romanise("การ", "th") == "kan"


@pytest.mark.parametrize("word", ["फाइलों", "टाइम", "स्टेशन", "ट्रेन", "प्लेट"])
def test_hindi_english_loans_by_shape(word):
    assert tr.romanise(word, "hi") is None


@pytest.mark.parametrize("word, roman", [("लड़ाई", "ladaee"), ("भाइयों", "bhaiyon"), ("प्रधान", "pradhan")])
def test_hindi_native_words_still_romanise(word, roman):
    assert tr.romanise(word, "hi") == roman


def test_a_piece_of_a_misspelt_thai_word_is_not_romanised():
    # คอม|ฟึวเตอร์ (a misspelt คอมพิวเตอร์): "khom ฟึวเตอร์" is half Latin, half Thai (XCOPA audit of 0.4.0)
    from perturb.ops.lex.translit import _romanisable

    text = "ฉันซื้อคอมฟึวเตอร์ใหม่"
    written = {tok.text for tok, _ in _romanisable(text, "th")}
    assert "คอม" not in written and "ฉัน" in written


def test_half_of_a_hyphenated_word_is_not_romanised():
    # "по-prezhnemu" mixes two scripts inside one word (0.4.0 audit)
    from perturb.ops.lex.translit import _romanisable

    written = {tok.text for tok, _ in _romanisable("Он по-прежнему живёт в Москве.", "ru")}
    assert written == {"Он", "живёт", "в", "Москве"}
