"""Negation ops: the validity rules behind the 2026-12-03 audit patterns (placement, NPIs, idioms, case, frames).

Each case is a hand-made sentence of the pattern, so these run without the real data (the audited items
themselves are regenerated in test_audit_regressions_negation.py).
"""
from __future__ import annotations

import random

import pytest

from perturb import registry
from perturb.core import DROPPED, apply_spans
from perturb.example import XNLI_LANGS, Example
from perturb.ops.logic import _neg
from perturb.ops.logic import _rules


def run(fn, text, lang, *args):
    """The new text an engine function gives, or None when it declines (not applicable or dropped)."""
    spans = fn(text, lang, *args)
    if spans is None or spans is DROPPED:
        return None
    return apply_spans(text, "hypothesis", spans)[0]


def op_output(name, params, text, lang, premise=""):
    op = registry.get(name)(**params)
    ex = Example(f"xnli/test/{lang}/000000", "xnli", lang, {"premise": premise, "hypothesis": text}, "entailment")
    res = op.apply(ex, random.Random(0), fields=("hypothesis",))
    return getattr(res, "example", None) and res.example.fields["hypothesis"]


# --- the resource loader --------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", XNLI_LANGS)
def test_every_negation_resource_uses_only_known_keys(lang):
    _rules.check_negation_keys(lang, _rules.resource(lang, "negation"))


@pytest.mark.parametrize("doc, where", [
    ({"npis": ["any"]}, "'npis' in the top level"),
    ({"template": {"frame": "x ", "dubble_frame": "y "}}, "'dubble_frame' in template"),
    ({"local": [{"forms": ["is"], "markr": "not"}]}, "'markr' in local rule 1"),
    ({"denegate": [{"cue": ["not"]}, {"cue": ["no"], "acton": "remove"}]}, "'acton' in denegate rule 2"),
])
def test_unknown_negation_key_is_an_error_naming_file_and_key(doc, where):
    with pytest.raises(_rules.ResourceError) as e:
        _rules.check_negation_keys("en", doc)
    assert "logic/en/negation.yaml" in str(e.value) and where in str(e.value)


# --- template frames: no stacking, no imperatives -------------------------------------------------------------


@pytest.mark.parametrize("lang", XNLI_LANGS)
def test_an_already_framed_hypothesis_gets_no_second_frame(lang):
    base = {"zh": "学校是新的。", "th": "โรงเรียนใหม่"}.get(lang, "Maria said it.")
    framed = run(_neg.template_negate, base, lang, "")
    assert framed is not None
    assert _neg.template_negate(framed, lang, "") is None
    assert op_output("logic.negate", {}, framed, lang) is None
    assert op_output("logic.double_negation", {}, framed, lang) is None
    assert op_output("logic.double_negation", {"mode": "mixed"}, framed, lang) is None


@pytest.mark.parametrize("lang, text", [
    ("en", "Do not get into the plot in advance; it will spoil the fun later."),
    ("en", "Please donate to the IRT today."),
    ("de", "Bitte spende heute an das IRT."),
    ("fr", "Ne vous inquiétez pas, je vais aider."),
    ("es", "Por favor, done hoy al IRT."),
    ("el", "Μην ανησυχείτε για αυτό."),
    ("ru", "Пожалуйста, сделайте пожертвование сегодня."),
    ("vi", "Đừng ghé thăm các ngôi làng."),
    ("zh", "请今天给IRT捐款。"),
    ("th", "กรุณาบริจาคให้กับ IRT ในวันนี้"),
    ("tr", "Lütfen bugün IRT'ye bağış yapın."),
])
def test_an_imperative_gets_no_frame(lang, text):
    assert _neg.template_negate(text, lang, "") is None
    assert op_output("logic.double_negation", {}, text, lang) is None


@pytest.mark.parametrize("lang, text, expected", [
    ("de", "Es ist passiert.", "Folgendes ist nicht falsch: Es ist passiert."),
    ("tr", "Okul yeni.", "Şu ifade yanlış değil: Okul yeni."),
    ("ar", "المدرسة جديدة.", "العبارة التالية ليست خاطئة: المدرسة جديدة."),
    ("zh", "学校是新的。", "以下说法并不是错误的：学校是新的。"),
    ("en", "The school is new.", "It is not false that the school is new."),
    ("fr", "Elle est partie.", "Il n'est pas faux de dire qu'elle est partie."),
    ("es", "La escuela es nueva.", "No es falso decir que la escuela es nueva."),
    ("th", "โรงเรียนใหม่", "ไม่ใช่เรื่องโกหกที่ว่าโรงเรียนใหม่"),
    ("hi", "स्कूल नया है।", "यह झूठ नहीं है कि स्कूल नया है।"),
])
def test_double_template_negation_never_stacks_colon_frames(lang, text, expected):
    assert op_output("logic.double_negation", {}, text, lang) == expected


# --- placement ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang, text, expected", [
    # German: a bare object needs "kein", a fixed or directional phrase and a predicative word follow "nicht"
    ("de", "Gesundheitsendpunkte haben den Krankenhäusern Geld gespart.", None),
    ("de", "Es wird Probleme für den SAT in der Zeit geben.", None),
    ("de", "Das Parlament wurde ernsthaft als Ort hierfür in Betracht gezogen.", None),
    ("de", "Die Firma wird statisch bleiben.", None),
    ("de", "Er hat es gestern gesehen.", "Er hat es gestern nicht gesehen."),
    ("de", "Meine Schwester ist mit ihrem neuen Job unzufrieden.",
     "Meine Schwester ist mit ihrem neuen Job nicht unzufrieden."),
    ("de", "Ich habe einen großen Hund gesehen.", "Ich habe keinen großen Hund gesehen."),
    ("de", "Das ist eine gute Idee.", "Das ist keine gute Idee."),
    ("de", "Sie arbeitet in einer Bank.", None),
    ("de", "Es gab ein paar Probleme.", None),
    # Thai: never inside the subject, never after an aspect/control verb
    ("th", "ความน่าจะเป็นได้ ได้ถูกใส่เข้าไปในการคำนวณครั้งนี้เเล้ว", None),
    ("th", "ผู้นำกองทัพอากาศ เพิ่งเริ่มจะปฏิบัติหน้าที่อาทิตย์นี้", None),
    ("th", "เขาจะไปโรงเรียน", "เขาจะไม่ไปโรงเรียน"),
    # Urdu / Hindi: not between the verb and its progressive auxiliary
    ("ur", "1863 میں قوم میں بہت تبدیلی آرہی تھی", None),
    ("ur", "اسکول نیا ہے", "اسکول نیا نہیں ہے"),
    ("hi", "देश में बहुत बदलाव आरही थी", None),
    # Russian: not between a manner/duration adverb and its verb
    ("ru", "Они долго возились со швами.", None),
    # Chinese: not inside the clause of an emotive or reporting predicate
    ("zh", "我真高兴我们今天进行了这次谈话！", None),
    ("zh", "那从来不是他们想要的。", None),   # a negation glued into the word before the verb ("从来不|是")
    ("zh", "学校是新的。", "学校不是新的。"),
    # Turkish: not on the second conjunct only
    ("tr", "FBI onun kim olduğunu anladı ve onu hapse attı", None),
])
def test_local_negation_placement(lang, text, expected):
    assert run(_neg.local_negate, text, lang) == expected


# --- denegation: NPIs, case, idioms ------------------------------------------------------------------------------


@pytest.mark.parametrize("lang, text, expected", [
    # negative-polarity and free-choice items licensed by the removed negation
    ("en", "I have not seen anyone there.", None),
    ("tr", "Kimsenin yakıt standartlarını dikte etmeye yetkisi yok.", None),
    ("hi", "इंडियानापोलिस में कोई राज्य स्कूल नहीं हैं।", None),
    ("hi", "पड़ोसन के पास कोई नौकरी नहीं है।", "पड़ोसन के पास कोई नौकरी है।"),   # singular: "some job"
    ("ur", "شہر میں کوئی اسکول نہیں ہیں۔", None),
    ("el", "Δεν μπορούμε να κάνουμε συναλλαγές με οποιονδήποτε γύρω μας.", None),
    ("ru", "Я больше не разговаривал с ним.", None),
    # Russian genitive of negation
    ("ru", "Я не имею отношения к театру.", None),
    ("ru", "Теорий не существует.", None),
    ("ru", "Саронские острова не имеют сезона.", None),
    ("ru", "Я не слышу его.", "Я слышу его."),
    # idioms and set phrases
    ("de", "Ich habe ewig nicht mit seiner Lordschaft gesprochen.", None),
    ("es", "La explosión casi no causó daño.", None),
    ("zh", "康多莉扎赖斯是布什工作人员中相对不为人知的人物。", None),
    ("zh", "这是不可思议的事情。", None),
    ("zh", "公民永远不会失去他们的权利。", None),
    ("en", "I cannot help laughing at him.", None),
    ("en", "He is not only a singer.", None),
    ("ru", "Он не только пел.", None),
    ("vi", "Tôi đã quá lo lắng đến nỗi không thể thấy hạnh phúc.", None),
    # Thai: after a noun subject the past marker stays; after a pronoun both go
    ("th", "ระบบไม่ได้วิเคราะห์การเดินทางของผู้ก่อการร้าย", "ระบบได้วิเคราะห์การเดินทางของผู้ก่อการร้าย"),
    ("th", "เขาไม่ได้ไปโรงเรียน", "เขาไปโรงเรียน"),
    ("th", "เบสบอลไม่ได้ขาวมากพอ", "เบสบอลขาวมากพอ"),
])
def test_denegation_validity(lang, text, expected):
    assert run(_neg.denegate, text, lang) == expected


@pytest.mark.parametrize("lang, text", [
    ("de", "Er hat ewig gewartet, und das ist fast vorbei."),
    ("es", "La explosión casi causó daño."),
    ("en", "I can't help it."),
])
def test_local_negation_skips_idioms(lang, text):
    assert _neg.idiom_hit(text, lang)
    assert _neg.local_negate(text, lang) is None


@pytest.mark.parametrize("lang", XNLI_LANGS)
def test_every_listed_idiom_is_found_in_running_text(lang):
    """Each idiom matches inside a sentence as written (case, apostrophes, word edges), so no entry is dead."""
    for idiom in _rules.resource(lang, "negation").get("idioms") or ():
        sentence = f"X {idiom} Y" if lang not in ("zh", "th") else f"甲{idiom}乙"
        assert _neg.idiom_hit(sentence, lang), f"{lang}: idiom {idiom!r} never matches"
