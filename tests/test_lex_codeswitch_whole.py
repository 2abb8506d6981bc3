"""lex.codeswitch in th, tr, vi, zh (audit round 2 of 0.4.0): whole words only, never half of a compound, and an
English form that fits the slot (base forms in isolating languages, no lone English adjective in a Turkish noun
phrase, no English non-verb for a Chinese verb). One test per pattern the audit found, on hand-written lexicons."""
from __future__ import annotations

from pathlib import Path

from perturb import registry
from perturb.core import Perturbed
from perturb.example import Example
from perturb.rng import derive_rng


def write_lexicon(folder: Path, lang: str, *lines: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"en-{lang}.txt").write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return folder


def switch(folder: Path, lang: str, text: str, english: str, index: int = 1) -> str | None:
    """Every switchable word of text switched (rate 1), with english as the parallel sentence."""
    o = registry.get("lex.codeswitch")(rate=1.0).bind(lexicon_dir=folder)
    ex = Example(f"xnli/test/{lang}/{index:06d}", "xnli", lang, {"premise": "x", "hypothesis": text}, "neutral")
    en = Example(f"xnli/test/en/{index:06d}", "xnli", "en", {"premise": "x", "hypothesis": english}, "neutral")
    res = o.with_parallel("xnli", [en], "test-en").apply(ex, derive_rng(1, "lex.codeswitch", ex.id, 0),
                                                          fields=["hypothesis"])
    return res.example.fields["hypothesis"] if isinstance(res, Perturbed) else None


# --- whole words ----------------------------------------------------------------------------------------


def test_thai_half_of_a_fixed_phrase_stays(tmp_path):
    # ต้น|ชั่วโมง "the top of the hour": ต้น means "early" or "tree", which the English does not have, so its
    # sense is in "hour"'s English; "ต้น hour" is no mix.
    lex = write_lexicon(tmp_path / "t", "th", "hour ชั่วโมง", "early ต้น", "tree ต้น", "alarm นาฬิกา")
    assert switch(lex, "th", "มันเป็นเวลาต้นชั่วโมง", "It was the top of the hour.") is None


def test_thai_piece_of_an_unknown_word_stays(tmp_path):
    # คอมฟิวเตอร์ (a misspelt คอมพิวเตอร์) is cut คอม|ฟิวเตอร์; the second piece is no word: "computer ฟิวเตอร์".
    lex = write_lexicon(tmp_path / "t", "th", "computer คอม", "broke เสีย")
    out = switch(lex, "th", "คอมฟิวเตอร์ของฉันเสีย", "My computer broke.")
    assert out is None or "computer" not in out


def test_vietnamese_syllable_whose_neighbour_is_a_solid_muse_word_of_the_same_sense_stays(tmp_path):
    # "xe ô tô" (car): MUSE writes the second word solid, "ôtô", also "cars": "cars ô tô" is half a compound.
    lex = write_lexicon(tmp_path / "v", "vi", "car xe", "cars xe", "cars ôtô", "snow tuyết")
    out = switch(lex, "vi", "Nhà để xe ô tô tránh tuyết.", "The garage shelters cars from snow.")
    assert out == "Nhà để xe ô tô tránh snow."


def test_vietnamese_half_of_a_noun_compound_stays_but_a_verb_before_its_object_switches(tmp_path):
    # ngón tay "finger": tay "hand" is not in the English, its sense is part of "finger" ("finger tay" is no mix).
    lex = write_lexicon(tmp_path / "v", "vi", "fingers ngón", "hand tay", "oven lò", "wear đeo", "flower hoa",
                        "ear tai")
    assert switch(lex, "vi", "Cô bị phỏng ngón tay trong lò.", "She burned her finger in the oven.") == \
        "Cô bị phỏng ngón tay trong oven."
    # đeo hoa tai "wear earrings": a verb and its object, no compound.
    assert switch(lex, "vi", "Cô gái muốn đeo hoa tai.", "The girl wanted to wear earrings.") == \
        "Cô gái muốn wear hoa tai."


def test_half_of_an_english_compound_stays(tmp_path):
    # Cành cây "tree branch": the neighbour's English stands right next to this word's, a compound in English
    # too, so "Branch cây" (or "branch tree") would switch half of it.
    lex = write_lexicon(tmp_path / "v", "vi", "branch cành", "tree cây", "river sông")
    assert switch(lex, "vi", "Cành cây rơi xuống sông.", "The tree branch fell into the river.") == \
        "Cành cây rơi xuống river."


def test_chinese_word_before_a_word_forming_suffix_stays(tmp_path):
    # 人道主义|者 "humanitarian": "humanitarian 者" is half a word.
    lex = write_lexicon(tmp_path / "z", "zh", "humanitarian 人道主义", "journalist 记者")
    out = switch(lex, "zh", "记者采访了人道主义者。", "The journalist interviewed the humanitarian.")
    assert out == "journalist 采访了人道主义者。"


# --- an English form that fits the slot -----------------------------------------------------------------


def test_isolating_languages_write_the_english_base_form_or_nothing(tmp_path):
    # sưng with only "swelled" in the dictionary: an English past inside "sưng lên" is no mix; with "swell"
    # listed too, the base is written.
    lex = write_lexicon(tmp_path / "a", "vi", "swelled sưng", "finger ngón")
    out = switch(lex, "vi", "Ngón tay tôi sưng lên.", "My finger swelled.")
    assert out is None or "swell" not in out
    lex = write_lexicon(tmp_path / "b", "vi", "swelled sưng", "swell sưng")
    assert switch(lex, "vi", "Ngón tay tôi sưng lên.", "My finger swelled.") == "Ngón tay tôi swell lên."
    # An irregular past ("threw") and a plural ("onions") get their base too.
    lex = write_lexicon(tmp_path / "c", "th", "threw โยน", "throw โยน")
    assert switch(lex, "th", "เพื่อนโยนให้เขา", "His teammate threw to him.") == "เพื่อน throw ให้เขา"
    lex = write_lexicon(tmp_path / "z", "zh", "onions 洋葱", "onion 洋葱")
    assert switch(lex, "zh", "他切了洋葱。", "He cut the onions.") == "他切了 onion。"


def test_the_verb_of_a_phrasal_verb_is_never_written_alone(tmp_path):
    # เปิด "turned on": "turn" alone is another sense.
    lex = write_lexicon(tmp_path / "t", "th", "turn เปิด", "man ผู้ชาย")
    out = switch(lex, "th", "ผู้ชายเปิดก๊อกน้ำ", "The man turned on the faucet.")
    assert out is None or "turn" not in out


def test_a_chinese_predicate_is_written_only_as_an_english_verb(tmp_path):
    # 不要上岸 "not go ashore": "ashore" is no verb, and 不要 needs one.
    lex = write_lexicon(tmp_path / "z", "zh", "ashore 上岸", "share 分享", "burger 汉堡")
    assert switch(lex, "zh", "我要留在这里，不要上岸。", "I will stay here and not go ashore.") is None
    assert switch(lex, "zh", "朋友们决定分享这个汉堡。", "The friends decided to share the burger.") == \
        "朋友们决定 share 这个 burger。"


def test_a_lone_english_adjective_in_a_turkish_noun_phrase_is_declined(tmp_path):
    # "Yeni sayılar": the English has "new issues", an adjective before its noun.
    lex = write_lexicon(tmp_path / "t", "tr", "new yeni", "numbers sayılar", "dog köpek")
    assert switch(lex, "tr", "Yeni sayılar gelmedi.", "I stopped receiving new issues.") is None
    # A subject before its verb still switches.
    assert switch(lex, "tr", "Köpek havladı.", "The dog barked.") == "Dog havladı."


def test_a_bare_word_never_becomes_an_irregular_english_past(tmp_path):
    # Turkish "yedi" is its own lemma (also "seven"), but here it is "ate": no English past for a bare word.
    lex = write_lexicon(tmp_path / "t", "tr", "ate yedi", "lunch öğle")
    out = switch(lex, "tr", "Büyük bir öğle yemeği yedi.", "He ate a big lunch.")
    assert out is None or "ate" not in out
