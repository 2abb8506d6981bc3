"""Romanisers for lex.translit: rule tables (resources/lex/translit/<lang>.tsv) for ru bg el hi ta ar ur, pypinyin for zh and pythainlp's RTGS for th."""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field

import regex

from . import _common as lc

# The script a language's words are romanised from; a word without a letter of it is left alone.
SCRIPT = {"ru": "Cyrillic", "bg": "Cyrillic", "el": "Greek", "hi": "Devanagari", "ta": "Tamil",
          "ar": "Arabic", "ur": "Arabic", "zh": "Han", "th": "Thai"}
_TABLE_ENGINE = {"ru": "letters", "bg": "letters", "el": "letters", "hi": "brahmic", "ta": "brahmic",
                 "ar": "arabic", "ur": "arabic"}
# Hindi drops the inherent vowel where speakers do (kamra, not kamara); Tamil pronounces it.
_SCHWA_DELETION = {"hi"}
_NASALS = frozenset({"n", "m"})
_ALIF = frozenset("اآأإٱ")
_HAN_WORD = regex.compile(r"\p{Han}+")


# Cached: ops ask for every example, and the answer (resource files, installed libraries) is fixed per process.
@functools.lru_cache(maxsize=None)
def languages() -> frozenset[str]:
    out = {lang for lang in _TABLE_ENGINE if lc.resource("translit", f"{lang}.tsv").is_file()}
    if lc.library_available("pypinyin"):
        out.add("zh")
    if lc.library_available("pythainlp"):
        out.add("th")
    return frozenset(out)


def engine_id(lang: str) -> str:
    """What made the romanisation, for signatures: the table's content hash or the library and its version."""
    if lang == "zh":
        return f"pypinyin-{lc.library_version('pypinyin')}"
    if lang == "th":
        return f"pythainlp-{lc.library_version('pythainlp')}-royin"
    data = lc.resource("translit", f"{lang}.tsv").read_bytes()
    import hashlib

    return f"table-{lang}@{hashlib.sha256(data).hexdigest()[:8]}"


def has_script(word: str, lang: str) -> bool:
    return _script_re(SCRIPT[lang]).search(word) is not None


@functools.lru_cache(maxsize=None)
def _script_re(script: str) -> regex.Pattern:
    return regex.compile(rf"\p{{Script={script}}}")


# Memoised by word: lex.translit asks for every token of every example, and words recur throughout a corpus.
@functools.lru_cache(maxsize=2**16)
def roman_of(word: str, lang: str) -> str | None:
    """romanise(word, lang) for a word with a letter of the language's script, None for any other word."""
    return romanise(word, lang) if has_script(word, lang) else None


def romanise(word: str, lang: str) -> str | None:
    """The Latin spelling of one word, or None when it cannot be romanised completely."""
    out = _romanise(unicodedata.normalize("NFC", word), lang)
    if not out or out == word or has_script(out, lang):
        return None
    return unicodedata.normalize("NFC", out)


@functools.lru_cache(maxsize=2**16)
def _romanise(word: str, lang: str) -> str | None:
    if lang == "zh":
        return _pinyin(word)
    if lang == "th":
        return _royin(word)
    t = table(lang)
    if word in t.words:
        return t.words[word]
    engine = _TABLE_ENGINE[lang]
    if engine == "letters":
        return _letters(word, t)
    if engine == "brahmic":
        if _ENGLISH_LOAN.search(word):
            return None  # थिसॉरस: writers type the English word ("thesaurus"), not "thisoras"
        return _brahmic(word, t, schwa_deletion=lang in _SCHWA_DELETION)
    out = _arabic(word, t)
    return out if out is None or _readable_skeleton(out) else None


# ॉ/ऑ and ॅ/ऍ (candra o, candra e) are written almost only in English loans, which romanised users spell the
# English way; so are व्ह (व्हाइट white, व्हेल whale) and the endings ाइट, ाउस (लाइट light, हाउस house): "vhait haus"
# is nobody's spelling of "White House" (audit of 0.4.0).
# Likewise ाइ before a consonant (फाइल file, टाइम time, लाइन line; native words end in ाई: लड़ाई) and the onsets
# English has and Hindi words lack (स्ट, स्प, ट्र, ड्र, प्ल, क्ल, ब्ल, फ्ल, ग्ल: स्टेशन, ट्रेन).
_ENGLISH_LOAN = regex.compile("[\u0949\u0911\u0945\u090d]|\u0935\u094d\u0939|\u093e\u0907\u091f$|\u093e\u0909\u0938$"
                              "|\u093e\u0907(?!\u092f)[\u0915-\u0939]"
                              "|^(?:\u0938\u094d[\u091f\u092a]|[\u091f\u0921]\u094d\u0930|[\u092a\u0915\u092c\u092b\u0917]\u094d\u0932)")
# Consonant sounds written with two Latin letters count once ("kh", "sh"): four in a row, three inside a word, or
# two at the end of a longer word make a skeleton readers cannot pronounce ("gftgo" for گفتگو, "koshsh", "mhnt"); chat
# writes such words with their vowels ("guftagu", "koshish", "mehnat"), which the script does not record.
_DIGRAPH = regex.compile("kh|gh|sh|ch|th|dh|ph|zh|jh|bh|rh")
_C = "[b-df-hj-np-tv-xz]"
_CONSONANT_RUN = regex.compile(f"{_C}{{4}}|(?<=.){_C}{{3}}|{_C}{{2}}$")


def _readable_skeleton(roman: str) -> bool:
    """Whether an unvowelled romanisation reads as a word, as chat writes them ("ktab", "krna", "bht", "mjhe"), not
    an unpronounceable skeleton ("gftgo", "koshsh", "hkomt", "pakstan")."""
    sounds = _DIGRAPH.sub("C", roman.lower()).replace("C", "c")
    if len(sounds) <= 3:
        return True
    return _CONSONANT_RUN.search(sounds) is None


# --- tables -----------------------------------------------------------------------------------------------


@dataclass
class Table:
    kinds: dict[str, str] = field(default_factory=dict)      # key -> kind
    roman: dict[str, str] = field(default_factory=dict)      # key -> Latin
    alt: dict[str, str] = field(default_factory=dict)        # key -> second value (voiced / vowel / final)
    alt2: dict[str, str] = field(default_factory=dict)       # key -> third value (after a nasal)
    words: dict[str, str] = field(default_factory=dict)      # whole-word spellings
    longest: int = 1
    lengths: dict[str, tuple[int, ...]] = field(default_factory=dict)  # first char -> key lengths, longest first
    translate: dict[int, str] = field(default_factory=dict)  # str.translate table of the one-letter keys


@functools.lru_cache(maxsize=None)
def table(lang: str) -> Table:
    t = Table()
    for line in lc.read_lines(lc.resource("translit", f"{lang}.tsv")):
        cols = line.split("\t")
        kind, key = cols[0], unicodedata.normalize("NFC", cols[1])
        value = "" if cols[2] == "-" else cols[2]
        if kind == "word":
            t.words[key] = value
            continue
        t.kinds[key] = kind
        t.roman[key] = value
        if len(cols) > 3 and cols[3]:
            t.alt[key] = "" if cols[3] == "-" else cols[3]
        if len(cols) > 4 and cols[4]:
            t.alt2[key] = "" if cols[4] == "-" else cols[4]
        t.longest = max(t.longest, len(key))
    by_first: dict[str, set[int]] = {}
    for key in t.kinds:
        if key:
            by_first.setdefault(key[0], set()).add(len(key))
    t.lengths = {c: tuple(sorted(ns, reverse=True)) for c, ns in by_first.items()}
    t.translate = {ord(k): v for k, v in t.roman.items() if len(k) == 1}
    return t


def _match(word: str, i: int, t: Table) -> str | None:
    """The longest table key at word[i:], or None. Only the lengths of the keys that start with word[i] are
    tried (usually just 1): a slice running past the end of the word is the rest of the word, which a longer
    try would also have reached first."""
    for n in t.lengths.get(word[i], ()):
        if word[i:i + n] in t.kinds:
            return word[i:i + n]
    return None


def _foreign_letter(ch: str) -> bool:
    # A letter or mark the table does not know: romanising around it would leave a mixed-script word.
    return unicodedata.category(ch)[0] in "LM"


# --- Cyrillic and Greek: letter for letter --------------------------------------------------------------


def _letters(word: str, t: Table) -> str | None:
    low = word.lower()
    if len(low) != len(word):
        return None
    if t.longest == 1:
        # Every key is one letter (ru, bg): the loop below maps each letter on its own, so str.translate does
        # the same in C once no character outside the table is a foreign letter (which the loop refuses).
        if any(c not in t.kinds and _foreign_letter(c) and not c.isascii() for c in set(low)):
            return None
        return lc.recase(low.translate(t.translate), word)
    out, i = [], 0
    while i < len(low):
        k = _match(low, i, t)
        if k is None:
            if _foreign_letter(low[i]) and not low[i].isascii():
                return None
            out.append(low[i])
            i += 1
            continue
        out.append(t.roman[k])
        i += len(k)
    return lc.recase("".join(out), word)


# --- Devanagari and Tamil: consonants carry an inherent vowel -------------------------------------------

_DELETED = object()


@dataclass
class _Seg:
    kind: str            # C consonant, V vowel, N nasal, H visarga, X other (kept as written)
    text: str
    key: str = ""
    vowel: object = None  # for C: None inherent, "" killed by virama, _DELETED, or the vowel sign's Latin


def _has_vowel(s: _Seg) -> bool:
    return s.kind == "V" or (s.kind == "C" and s.vowel is not _DELETED and s.vowel != "")


def _brahmic(word: str, t: Table, *, schwa_deletion: bool) -> str | None:
    segs: list[_Seg] = []
    i = 0
    while i < len(word):
        k = _match(word, i, t)
        if k is None:
            if _foreign_letter(word[i]):
                return None
            segs.append(_Seg("X", word[i]))
            i += 1
            continue
        i += len(k)
        kind = t.kinds[k]
        last = segs[-1] if segs else None
        if kind == "consonant":
            segs.append(_Seg("C", t.roman[k], k))
        elif kind == "sign":
            if last is not None and last.kind == "C" and last.vowel is None:
                last.vowel = t.roman[k]
            else:
                segs.append(_Seg("V", t.roman[k], k))  # a vowel sign with no consonant: write its vowel
        elif kind == "virama":
            if last is not None and last.kind == "C" and last.vowel is None:
                last.vowel = ""
        elif kind == "vowel":
            segs.append(_Seg("V", t.roman[k], k))
        elif kind == "nasal":
            segs.append(_Seg("N", t.roman[k], k))
        elif kind == "visarga":
            segs.append(_Seg("H", t.roman[k], k))
        # kind "other" (nukta alone, avagraha, au length mark) writes nothing
    if schwa_deletion:
        _delete_schwas(segs)
    out = []
    for j, s in enumerate(segs):
        if s.kind != "C":
            out.append(s.text)
            continue
        text = s.text
        if s.key in t.alt and _has_vowel(s) and j > 0:
            prev = segs[j - 1]
            after_nasal = prev.kind == "N" or (prev.kind == "C" and prev.vowel == "" and prev.text in _NASALS)
            if after_nasal:
                text = t.alt2.get(s.key, t.alt[s.key])
            elif _has_vowel(prev):
                text = t.alt[s.key]
        out.append(text + ("a" if s.vowel is None else "" if s.vowel is _DELETED else s.vowel))
    return "".join(out)


def _delete_schwas(segs: list[_Seg]) -> None:
    """Hindi schwa deletion, right to left: the inherent vowel of a word-final consonant goes, and a medial one
    goes in the context vowel-consonant _ consonant-vowel (Ohala 1983): kamarā -> kamra, samajhanā -> samajhna."""
    for j in range(len(segs) - 1, -1, -1):
        s = segs[j]
        if s.kind != "C" or s.vowel is not None:
            continue
        rest = [x for x in segs[j + 1:] if x.kind in "CV"]
        if not rest:
            if any(_has_vowel(x) for x in segs[:j]):
                s.vowel = _DELETED
            continue
        prev = segs[j - 1] if j > 0 else None
        nxt = segs[j + 1]
        if prev is not None and _has_vowel(prev) and nxt.kind == "C" and _has_vowel(nxt):
            s.vowel = _DELETED


# --- Arabic script ------------------------------------------------------------------------------------


def _arabic(word: str, t: Table) -> str | None:
    """Letter for letter, short vowels left out: the script does not write them, and chat romanisation
    writes the same skeleton (Roman Urdu "bht" بہت, "mjhe" مجھے, "krna" کرنا; Arabizi "ktab" كتاب). Guessing
    them (zabar/zer/pesh) would be wrong about as often as right ("kitab", not "katab"), so a few unreadable
    skeletons remain ("flp", "koshsh" for کوشش, chat "koshish"): a known limit, kept for ar and ur alike."""
    letters = [i for i, ch in enumerate(word) if t.kinds.get(ch) in ("letter", "semivowel", "final")]
    if not letters:
        return None
    first, last = letters[0], letters[-1]
    out: list[str] = []
    for i, ch in enumerate(word):
        kind = t.kinds.get(ch)
        if kind is None:
            if _foreign_letter(ch):
                return None
            out.append(ch)
        elif kind == "semivowel":
            prev_ch = _neighbour(word, i, -1, t)
            next_ch = _neighbour(word, i, +1, t)
            consonant = i == first or prev_ch in _ALIF or next_ch in _ALIF
            out.append(t.roman[ch] if consonant else t.alt[ch])
        elif kind == "final":
            out.append(t.alt[ch] if i == last and i != first else t.roman[ch])
        elif kind == "shadda":
            if out and out[-1]:
                out.append(out[-1][-1])
        elif ch in _ALIF and i > 0 and word[i - 1] == "\u064b":
            continue  # the alif that carries tanwin fath is not pronounced: مفتوحًا mafto7an, not mafto7ana
        elif ch == "\u064b" and i > 0 and word[i - 1] in _ALIF:
            out.append("n")  # tanwin written on the alif (Urdu تقریباً): the alif already wrote the a
        else:  # letter, mark, other
            out.append(t.roman[ch])
    return "".join(out)


def _neighbour(word: str, i: int, step: int, t: Table) -> str:
    j = i + step
    while 0 <= j < len(word):
        if t.kinds.get(word[j]) in ("letter", "semivowel", "final"):
            return word[j]
        j += step
    return ""


# --- Chinese and Thai: libraries ------------------------------------------------------------------------


def _pinyin(word: str) -> str | None:
    # Tone-less pinyin, syllables of a word written together ("nanren"), ü as v: how pinyin is typed.
    from pypinyin import Style, lazy_pinyin  # lazy: loads its phrase dictionary

    if not _HAN_WORD.fullmatch(word):
        return None  # jieba gives Han-only words; anything else is not a Chinese word to romanise
    return "".join(lazy_pinyin(word, style=Style.NORMAL))


# What an RTGS romanisation looks like: syllables of consonants, vowels and one of RTGS's finals (k t p n m
# ng, or the vowel glides i o w). The rules, run on a whole word, sometimes leave a final cluster no RTGS
# word has (ตุลาคม "tulakm", อนาคต "nakt"); the word is then romanised syllable by syllable ("tulakhom").
_RTGS_SHAPE = regex.compile(r"(?:[^aeiou]*[aeiou]+(?:ng|[ktpnmiow])?)+")


def _royin(word: str) -> str | None:
    # A word that opens with อ before a consonant: the rules, run on the whole word, drop the อ-syllable's
    # vowel (องค์กร "ngakon", อบรม "brom"); syllable by syllable it is kept ("ongkon", "oprom")
    out = _respelt_syllables(word, always=_O_INITIAL.match(word) is not None)
    if out is not None:
        return out  # a respelling rule fired
    # Otherwise the rules run on the whole word and syllable by syllable must agree: where they differ and
    # both look like RTGS, neither can be vouched for (มาจนกระทั่ง "matnkrathang" / "machonkrathang", สนใจ
    # "sanachai" / "sonchai"; audit of 0.4.0), so the word stays in Thai. Where the whole-word reading has a
    # final no RTGS word has ("sangkm"), the syllable reading is taken ("sangkhom").
    whole = _royin_plain(word)
    syllables = _respelt_syllables(word, always=True)
    if whole == syllables:
        return whole
    if whole is not None and not _RTGS_SHAPE.fullmatch(whole) and syllables is not None \
            and _RTGS_SHAPE.fullmatch(syllables):
        return syllables
    return None


# Where pythainlp's RTGS rules go wrong, and the respelling this module gives them first (one syllable at
# a time): an initial ห before a sonorant is silent (ใหญ่ -> ใญ่, "yai" not "ain"), any other initial ห
# is the consonant h, which the rules drop (ห้อง -> ฮ้อง, "hong" not "ong"); a leading vowel before a
# true consonant cluster garbles it (เพลง "phenng", แพลง "phaenng"), so the cluster's second consonant
# is taken out and put back after the first one's romanisation (เพง "pheng" -> "phleng").
_LEADING_VOWELS = frozenset("เแโใไ")
_SONORANTS = frozenset("งญนมยรลว")
_TRUE_CLUSTERS = frozenset({"กร", "กล", "กว", "ขร", "ขล", "ขว", "คร", "คล", "คว", "ตร", "ปร", "ปล", "พร", "พล",
                            "ผล"})
_CLUSTER_SECOND = {"ร": "r", "ล": "l", "ว": "w"}
_SILENT_R_BEFORE_FINAL = regex.compile("(า)ร(?=[ก-ฮ]$)")


def _respell(syllable: str) -> tuple[str, str]:
    """A syllable respelt for the RTGS rules, and the cluster consonant taken out of it ('' if none)."""
    # ร between a long vowel and the final consonant is silent (มารถ of สามารถ "samat", the rules: "samant")
    syllable = _SILENT_R_BEFORE_FINAL.sub("\\1", syllable)
    i = 1 if syllable[:1] in _LEADING_VOWELS else 0
    if syllable[:1] == "แ":  # แ…็ is short แ, which RTGS writes as the long one (แข็ง "khaeng"); the rules lack it
        syllable = syllable.replace("\u0e47", "")
    # (a syllable of ห and one more consonant, หน "hon", reads ห as its initial)
    if syllable[i:i + 1] == "ห" and i + 1 < len(syllable):
        # (ใ and ไ need no final: ไหน "nai"; โหย "hoi", เหว "heo" end in their vowel's ย, ว)
        silent = syllable[i + 1] in _SONORANTS and (i + 2 < len(syllable) or syllable[0] in "ใไ")
        syllable = syllable[:i] + ("" if silent else "ฮ") + syllable[i + 1:]
    # (ใคร, ไกล: the cluster may end the syllable after ใ and ไ, which need no final)
    if i == 1 and syllable[1:3] in _TRUE_CLUSTERS and (len(syllable) > 3 or syllable[0] in "ใไ"):
        return syllable[:2] + syllable[3:], syllable[2]
    return syllable, ""


# Consonant pairs after a leading vowel whose second letter is silent or joins the first (เสร็จ "set"):
# not split by _hidden_a.
_SILENT_R = frozenset({"สร", "ศร", "ทร", "จร", "ซร"})


# An initial อ before a consonant that carries its own vowel or tone mark, or before a leading vowel, is a
# syllable of its own, a: อร่อย, อนุญาต, อดีต, อเมริกา (but อ before ย is silent: อย่า, อยู่, อย่าง, อยาก).
_HIDDEN_A_AFTER_O = regex.compile("อ(?:[ก-ฮ][\u0e30-\u0e3a\u0e47-\u0e4b]|[เแโใไ])")


# (อ before ย is silent in อย่า, อยู่, อย่าง, อยาก only: อยุธยา "ayutthaya")
_O_INITIAL = regex.compile("อ(?!ย(?:่า|ู่|าก))[ก-ฮเแโใไ]")


def _hidden_a(syllable: str) -> list[str]:
    """A syllable whose first consonant after its leading vowel carries a hidden a split in two (เขย่ง ->
    ข + เย่ง, "khayeng"; the rules read เ…ย as "oei": "khoeing"). That is when the next letter is a consonant
    that is not the final (something follows it) and the pair is no cluster, ห-lead or silent ร; อ is the
    vowel of เ…อ (เถอะ), ์ marks a loanword spelling (เซลล์) and a final ร after a consonant is silent
    (เพชร "phet", เมตร): these are left whole."""
    from pythainlp.transliterate.royin import _CONSONANTS

    if _HIDDEN_A_AFTER_O.match(syllable) and _O_INITIAL.match(syllable):
        return ["อ", syllable[1:]]  # อร่อย "aroi", อนุ "anu", อดีต "adit" (the rules drop the a: "roi", "dit")
    if syllable[:1] not in _LEADING_VOWELS or len(syllable) < 4 or "\u0e4c" in syllable or \
            (len(syllable) == 4 and syllable[3] == "ร"):
        return [syllable]
    c1, c2 = syllable[1], syllable[2]
    if c1 not in _CONSONANTS or c2 not in _CONSONANTS or c1 in "หอ" or c2 == "อ" or \
            c1 + c2 in _TRUE_CLUSTERS or c1 + c2 in _SILENT_R:
        return [syllable]
    return [c1, syllable[0] + syllable[2:]]


def _respelt_syllables(word: str, always: bool = False) -> str | None:
    """The romanisation of a word with a syllable _respell changes, syllable by syllable (the rules, run on
    the whole word, also mis-join its syllables: งานบริ "nganopri"); None when no syllable needs it (unless
    `always`), or one fails."""
    from pythainlp.tokenize import syllable_tokenize
    from pythainlp.transliterate.royin import _CONSONANTS

    original = syllable_tokenize(word)
    syllables = [piece for syl in original for piece in _hidden_a(syl)]
    runs = [_respell(syl) for syl in syllables]  # (respelt syllable, cluster consonant taken out)
    if not always and len(syllables) == len(original) and all(new == syl for (new, _), syl in zip(runs, syllables)):
        return None
    outs = []
    for text, second in runs:
        out = "a" if text == "อ" else _royin_plain(text)  # the hidden-a syllable split off by _hidden_a
        if out is None:
            return None
        out = _final_fixed(text, out, _CONSONANTS)
        if _OPEN_OE.fullmatch(text):  # the rules write เมอ, เกอ as "me", "ke": RTGS "moe", "koe"
            out = _CONSONANTS[text[1]][0] + "oe"
        if second:
            initial = _CONSONANTS[text[1]][0]
            if not out.startswith(initial):
                return None
            out = initial + _CLUSTER_SECOND[second] + out[len(initial):]
        outs.append(out)
    return "".join(outs)


_VOWEL_FINALS = {"ย": "i", "ว": "o"}
_OPEN_OE = regex.compile("เ[ก-ฮ][\u0e48-\u0e4b]?อ")


def _final_fixed(text: str, out: str, consonants: dict) -> str:
    """A syllable's romanisation with its final consonant in its final form, as RTGS writes it (โปด "pot",
    ฮาร "han"; the rules leave the initial form after some vowels), and with the inherent a of a lone
    consonant (ร "ra")."""
    if not any(v in out for v in "aeiou"):
        return out + "a"
    last = text[-1]
    n_consonants = sum(c in consonants for c in text)
    if last in consonants and n_consonants > 1:
        initial, final = consonants[last]
        final = final or _VOWEL_FINALS.get(last, "")  # (the table leaves final ย ว to the vowel rules)
        if out.endswith(initial) and not out.endswith(final):
            return out[:len(out) - len(initial)] + final
    return out


def _royin_plain(word: str) -> str | None:
    out = _royin_one(word)
    if out is not None:
        return out
    # RTGS rules fail on some compounds (วันอาทิตย์ -> "wanoาthit", a Thai letter left over) that are fine in
    # parts: split the word into the dictionary words it is made of and romanise those.
    parts = _compound_parts(word)
    outs = [_royin_one(p) for p in parts] if len(parts) > 1 else [None]
    return None if any(o is None for o in outs) else "".join(outs)


def _royin_one(word: str) -> str | None:
    fast = _fast_royin()
    if fast is not None:
        out = fast(word)
    else:
        from pythainlp.transliterate import romanize  # lazy: pythainlp loads its tables on first use

        out = romanize(word, engine="royin")
    return out if out and not _script_re("Thai").search(out) else None


# pythainlp's RTGS romaniser runs its 51 vowel rules as `re.sub(pattern_string, ...)` on every word: a regex
# cache look-up per rule, most rules matching nothing. That was more than half of lex.translit's time on
# Thai. For the pythainlp release whose royin.py this mirrors, the same steps run here with the library's own
# tables and helpers, the vowel rules precompiled and skipped when a Thai letter they need is missing from the
# word (the rules only ever replace Thai letters by Latin ones, so a letter absent at the start stays absent).
# Any other release, or a module laid out differently, takes the library's romanize() unchanged.
_FAST_ROYIN_VERSIONS = frozenset({"5.4.0"})
_GROUP = re.compile(r"\(\[[^\]]*\]\)")


def _compiled_vowels(rules) -> list | None:
    """pythainlp's vowel rules as (compiled pattern, replacement, Thai letters it needs), or None when a rule
    is not of the shape whose skip test is exact."""
    vowels = []
    for pattern, repl in rules:
        literals = _GROUP.sub("", pattern)
        # Only plain Thai letters outside the consonant groups, and only Latin letters and group
        # references in the replacement: else the skip test in _fast_royin would not be exact.
        if not literals or not all("\u0e00" <= c <= "\u0e7f" for c in literals) or \
                not re.fullmatch(r"(?:\\[12]|[a-z])+", repl):
            return None
        vowels.append((re.compile(pattern), repl, frozenset(literals)))
    return vowels


@functools.lru_cache(maxsize=None)
def _fast_royin():
    """A function equal to `romanize(word, engine="royin")`, or None where that cannot be vouched for."""
    if lc.library_version("pythainlp") not in _FAST_ROYIN_VERSIONS:
        return None
    try:
        from pythainlp.transliterate import royin as R

        vowels = _compiled_vowels(R._VOWELS)
        helpers = (R._normalize, R._replace_consonants, R._CONSONANTS, R._RE_CONSONANT, R._ROMANIZED_VOWELS,
                   R.word_tokenize)
    except (ImportError, AttributeError, TypeError, ValueError):
        return None
    if vowels is None:
        return None
    normalize, replace_consonants, consonant_table, consonant_re, romanized_vowels, word_tokenize = helpers

    def replace_vowels(word: str) -> str:  # royin._replace_vowels
        chars = set(word)
        for pattern, repl, literals in vowels:
            if literals <= chars:
                word = pattern.sub(repl, word)
        return word

    def romanize_word(word: str) -> str:  # royin._romanize
        if word == "ห":
            return ""
        word = replace_vowels(normalize(word))
        consonants = [c for c in word if c in consonant_table]
        if len(word) == 2 and len(consonants) == 2:
            word = word[0] + "o" + word[1]
        return replace_consonants(word, "".join(consonants))

    def separator(prev_word: str, curr_word: str, prev_romanized: str) -> bool:  # royin._should_add_syllable_separator
        if not prev_romanized or len(curr_word) < 2:
            return False
        has_explicit_vowel_prev = len(replace_vowels(normalize(prev_word))) > len(consonant_re.findall(prev_word))
        consonants_in_word = consonant_re.findall(curr_word)
        vowels_in_word = len(curr_word) - len(consonants_in_word)
        return (has_explicit_vowel_prev and len(consonants_in_word) == 2 and vowels_in_word == 0
                and prev_romanized[-1] not in romanized_vowels)

    def romanize_subword(text: str) -> str:  # royin.romanize
        words = word_tokenize(text)
        out: list[str] = []
        for i, word in enumerate(words):
            romanized = romanize_word(word)
            if i > 0 and romanized and separator(words[i - 1], word, out[-1] if out else ""):
                romanized = "a" + romanized
            out.append(romanized)
        return "".join(out)

    def romanize(text: str) -> str:  # pythainlp.transliterate.romanize(text, engine="royin")
        if not text or not isinstance(text, str):
            return ""
        return " ".join(romanize_subword(sub) for sub in text.split(" "))

    return romanize


def _compound_parts(word: str) -> list[str]:
    from pythainlp.tokenize import word_tokenize

    trie = _thai_trie()
    # The word itself is taken out of the dictionary for this one call, so newmm has to split it.
    present = word in trie
    if present:
        trie.remove(word)
    try:
        return word_tokenize(word, custom_dict=trie, engine="newmm")
    finally:
        if present:
            trie.add(word)


@functools.lru_cache(maxsize=None)
def _thai_trie():
    # pythainlp's own default trie (the one newmm uses for segmentation) when it exposes it: the same
    # words, and building a second one costs seconds. _compound_parts puts back what it takes out.
    try:
        from pythainlp.tokenize import word_dict_trie
    except ImportError:
        word_dict_trie = None
    if word_dict_trie is not None:
        return word_dict_trie()
    from pythainlp.corpus import thai_words
    from pythainlp.util import Trie

    return Trie(thai_words())
