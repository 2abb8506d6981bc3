"""Where `lex.codeswitch` must not switch a word because of the words around it (validity audits of 0.4.0).

Each rule names a construction whose grammar an English word cannot carry, so that a bilingual writer would
never put one there:
- Arabic: a word with the article ال or a clitic prefix (و ف ب ك ل) fused to it ("في year الماضي" lost the
  article that the adjective agrees with), and a verb after a verbal particle (قد لقد سوف لن لم: "لقد shocked").
- Hindi and Urdu: the noun of a compound postposition after के/की/का ("के बारे में" -> "के regard में").
- Turkish: the first noun of a compound ("Atom bombası" -> "Atomic bombası"), whose head carries a suffix.
- Turkish and Hindi: the noun or adjective of a light-verb phrase ("serbest bıraktı" -> "release bıraktı").
  Hinglish does write "start करना" and "shock होना", so करना and होना stay open in Hindi.
- Bulgarian: a noun with the definite article suffix (-та, -то, -те, -ът, -ят: "Занесох bag" lost "the"),
  and a verb after да or ще ("продължава да live").
- Everywhere: a word whose English partner is a name in the parallel example ("Blood", the captain).
"""
from __future__ import annotations

import functools

import regex

from ... import segment
from . import _common as lc

# Arabic: the article (with or without a conjunction or preposition before it), and "لل" (لـ + ال).
_AR_DEFINITE = regex.compile(r"^(?:[وف]?[بكل]?ال|[وف]?لل)\p{L}{2,}")
_AR_CLITICS = "وفبكل"
_AR_VERBAL_PARTICLES = frozenset({"قد", "لقد", "سوف", "لن", "لم", "وقد", "فقد", "ولقد", "ولم", "ولن", "فلم",
                                  "فلن", "وسوف", "فسوف", "لما", "ولما"})

# Nouns that, after the genitive के/की/का (Urdu کے/کی/کا), form a compound postposition.
_POSTPOSITION_NOUNS = {
    "hi": frozenset("""बारे संबंध सम्बन्ध लिए लिये साथ बाद पहले बजाय बजाए द्वारा तरफ़ तरफ ओर कारण अनुसार बीच
        अलावा पास ऊपर नीचे अंदर अन्दर बाहर सामने पीछे दौरान ज़रिए जरिए जरिये वजह ख़िलाफ़ खिलाफ विरुद्ध बदले
        स्थान जगह तरह रूप तौर हिसाब मुताबिक़ मुताबिक बावजूद सहित समेत बिना विषय संदर्भ पक्ष निकट करीब क़रीब
        आसपास भीतर बग़ल बगल सिवा सिवाय हेतु ख़ातिर खातिर उपरांत पश्चात पूर्व प्रति बराबर""".split()),
    "ur": frozenset("""بارے لیے لئے ساتھ بعد پہلے بجائے ذریعے ذریعہ طرف جانب وجہ مطابق درمیان بیچ علاوہ پاس
        اوپر نیچے اندر باہر سامنے پیچھے دوران خلاف بدلے جگہ طرح حوالے بغیر سوا خاطر قریب""".split()),
}
_BG_VERBAL_PARTICLES = frozenset({"да", "ще"})
_BG_ARTICLES = frozenset({"та", "то", "те", "ът", "ят", "а", "я"})
_GENITIVE = {"hi": frozenset({"के", "की", "का"}), "ur": frozenset({"کے", "کی", "کا"})}

# Turkish: the possessive that marks the head of a compound ("bomba-sı"), or a genitive or accusative,
# after which the word before it is part of the same noun phrase ("Atomic bombasının", "Sister kardeşinin").
_TR_HEAD_SUFFIX = regex.compile(r"^[sny]?[ıiuü]")

# Light verbs (simplemma lemma) whose noun or adjective an English word may not replace. Turkish: all of
# them ("accept ettiler", "release bıraktı"); Hindi: all but करना/होना, which Hinglish uses with English.
_LIGHT_VERBS = {
    "tr": frozenset({"et", "ed", "ol", "yap", "bırak", "ver", "al", "kıl", "eyle", "kal", "düş", "tut", "çek",
                     "gel", "getir", "at", "koy", "çık", "geç", "göster", "sür", "kullan", "oyna"}),
    "hi": frozenset({"देना", "लेना", "मारना", "लगाना", "लगना", "पाना", "रखना", "खाना", "उठाना", "पड़ना",
                     "डालना", "बनाना", "भरना"}),
}

# Always written with a capital in English, and no names: days and months.
_CALENDAR = frozenset("""monday tuesday wednesday thursday friday saturday sunday january february march april
    may june july august september october november december""".split())


def blocked(text: str, words: list[tuple[int, int]], i: int, lang: str) -> bool:
    """Whether words[i] of text stands where its language's grammar keeps an English word out."""
    word = text[slice(*words[i])]
    before = lc.key(text[slice(*words[i - 1])]) if i > 0 else ""
    after = text[slice(*words[i + 1])] if i + 1 < len(words) else ""
    if lang == "ar":
        return bool(_AR_DEFINITE.match(word)) or before in _AR_VERBAL_PARTICLES
    if lang == "bg":
        if before in _BG_VERBAL_PARTICLES:
            return True  # "да живее": Bulgarian has no infinitive, so this is a finite verb ("да live")
        k, lemma = lc.key(word), _lemma(word, lang)
        return k != lemma and k.startswith(lemma) and k[len(lemma):] in _BG_ARTICLES
    if lang in _POSTPOSITION_NOUNS and before in _GENITIVE[lang] and lc.key(word) in _POSTPOSITION_NOUNS[lang]:
        return True
    if lang == "tr" and after and _TR_HEAD_SUFFIX.match(_suffix(after, lang)):
        return True  # "Atom bombası", "Kız kardeşinin": the first noun of a compound
    return lang in _LIGHT_VERBS and bool(after) and _lemma(after, lang) in _LIGHT_VERBS[lang]


def _suffix(word: str, lang: str) -> str:
    """What word carries after its simplemma lemma (the lemma's last letter may change: "birliğe")."""
    k, lemma = lc.key(word), _lemma(word, lang)
    return k[len(lemma):] if len(lemma) > 1 and k.startswith(lemma[:-1]) and k != lemma else ""


def ar_clitic_form(word: str, src) -> bool:
    """Whether an Arabic word is a clitic prefix on another word with the same English partner ("وكتاب" and
    "كتاب" are both "book"), so that the English word would drop the "and"/"with" that the prefix carries."""
    k = lc.key(word)
    if len(k) < 4 or k[0] not in _AR_CLITICS:
        return False
    return bool(set(src.to_english.get(k, ())) & set(src.to_english.get(k[1:], ())))


def lemma(word: str, lang: str) -> str:
    """simplemma's lemma of word, lower-cased."""
    return _lemma(word, lang)


@functools.lru_cache(maxsize=2**16)
def _lemma(word: str, lang: str) -> str:
    import simplemma  # lazy: its dictionaries load on first use

    return lc.key(simplemma.lemmatize(lc.key(word), lang=lang))


@functools.lru_cache(maxsize=2**12)
def english_names(fields: tuple[str, ...]) -> frozenset[str]:
    """Keys of the words that the parallel English example writes as names: capitalised inside a sentence, or
    capitalised every time in two or more places (sentence-initial each time: "Blood bade him ... Blood got
    into a boat"). Days and months ("Sundays") are capitalised without being names."""
    seen: dict[str, list[bool]] = {}
    names = set()
    for text in fields:
        tokens = segment.tokenize(text, "en")
        for t in tokens:
            if not t.is_word or t.text == "I" or not regex.search(r"\p{L}", t.text):
                continue
            k, cap = lc.key(t.text), lc.is_capitalised(t.text)
            seen.setdefault(k, []).append(cap)
            if cap and not lc.is_sentence_initial(text, t.start, tokens):
                names.add(k)
    names |= {k for k, caps in seen.items() if len(caps) > 1 and all(caps)}
    return frozenset(k for k in names if k not in _CALENDAR and k.removesuffix("s") not in _CALENDAR)
