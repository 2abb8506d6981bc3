"""Input sequence checks: whether a word could have been typed through the input method of its script (Thai WTT 2.0), and Arabic-script letters in their place."""
from __future__ import annotations

import functools
from typing import NamedTuple

import regex

_THAI = regex.compile(r"[\u0e01-\u0e5b]")
_ARABIC = regex.compile(r"\p{Script=Arabic}")
# What precedes a word: a space or punctuation (NON). A word is judged on its own, so a word that only
# works glued to a neighbour (one starting with า) counts as rejected: no edit should produce it.
_BEFORE_WORD = "NON"
_REJECT = frozenset({"RJ", "SR"})  # strict mode: SR ("reject in strict mode") rejects too


class ThaiRules(NamedTuple):
    classes: dict[str, str]                   # character -> WTT class (absent: NON)
    ops: dict[tuple[str, str], str]           # (previous class, next class) -> CP/AC/XC/RJ/SR
    follow: dict[str, frozenset[str]]         # class or character -> classes that must come next


@functools.lru_cache(maxsize=None)
def thai_rules() -> ThaiRules:
    """The rules of resources/inputrules/th.tsv."""
    from ._common import read_table  # _common calls typeable(): imported here, not at the top

    classes: dict[str, str] = {}
    ops: dict[tuple[str, str], str] = {}
    follow: dict[str, set[str]] = {}
    order: tuple[str, ...] = ()
    for n, row in enumerate(read_table("inputrules", "th"), 1):
        kind = row[0]
        if kind == "order":
            order = row[1:]
        elif kind == "class":
            classes[row[2]] = row[1]
        elif kind == "rule" and len(row) == len(order) + 2:
            ops.update({(row[1], nxt): op for nxt, op in zip(order, row[2:])})
        elif kind == "follow" and len(row) == 3:
            follow.setdefault(row[1], set()).add(row[2])
        else:
            raise ValueError(f"perturb/resources/inputrules/th.tsv: data row {n} is malformed: {row!r}")
    return ThaiRules(classes, ops, {k: frozenset(v) for k, v in follow.items()})


def thai_rejections(text: str) -> int:
    """How many characters of text a strict WTT 2.0 input check rejects after their predecessor, plus how
    many characters lack the consonant they must stand before (a 'follow' rule)."""
    classes, ops, follow = thai_rules()
    bad = 0
    prev = _BEFORE_WORD
    pending = None  # the classes the next non-tone character must have
    for ch in text:
        cls = classes.get(ch, "NON")
        if ops[prev, cls] in _REJECT:
            bad += 1
        if pending is not None and cls != "TONE":
            bad += cls not in pending
            pending = None
        need = follow.get(ch) or follow.get(cls)
        if need is not None:
            pending = need
        prev = cls
    return bad + (pending is not None)


@functools.lru_cache(maxsize=2**16)
def _word_rejections(word: str) -> int:
    return thai_rejections(word) if _THAI.search(word) else 0


# Arabic-script letters with a fixed place in a word: ة ى ے ۓ ں ۃ only end one; ء never starts one, and
# inside a word follows a letter that does not join forward (قراءة, مروءة; after a joining letter the hamza
# sits on a seat: شيئا); Urdu's ھ marks an aspirated consonant (بھ, کھ), so it follows one of those; إ starts
# a word or follows its prefixes only (وإلى, بإيقاف, الإنسان); ئ ؤ never start a word; tanween ends one
# (تقريباً, كتابًا); the tatweel ـ only stretches display text.
# Another place is no spelling a writer produces: أمثلة -> "أمثةل", تھا -> "تاھ". A letter is "inside" a
# word when an Arabic letter follows it, marks aside.
_FINAL_ONLY = frozenset("ةىےۓںۃ")
_NON_JOINING = frozenset("اأإآٱدذرزوؤةژڈڑۃےۓ")
_ASPIRABLE = frozenset("بپتٹجچدڈڑکگلمنر")
_ALEF_PREFIXES = frozenset({"", "و", "ف", "ب", "ل", "ك", "ال", "وال", "فال", "بال", "كال", "وب", "فب", "ول", "فل",
                            "لل", "ولل", "فلل", "س", "وس", "فس"})
_ARABIC_LETTER = regex.compile(r"[\p{Script=Arabic}&&\p{L}]", regex.V1)
_ARABIC_MARK = regex.compile(r"\p{M}")
_TATWEEL = "\u0640"
_TANWEEN = regex.compile("[\u064b-\u064d]")  # ً ٌ ٍ: only on a word's last letter (or before its final alif)


def arabic_misplaced(text: str) -> int:
    """How many Arabic-script letters of text stand where the script's spelling never puts them."""
    letters = [(i, ch) for i, ch in enumerate(text) if _ARABIC_LETTER.match(ch)]
    bad = text.count(_TATWEEL)
    first = 0  # index in letters of the first letter of the current word
    for k, (i, ch) in enumerate(letters):
        # The previous/next letter is in the same word when only marks stand between them.
        prev = letters[k - 1][1] if k and _joined(text, letters[k - 1][0], i) else None
        if prev is None:
            first = k
        nxt = k + 1 < len(letters) and _joined(text, i, letters[k + 1][0])
        if ch in _FINAL_ONLY:
            bad += nxt
        elif ch == "ء":
            bad += prev is None or (nxt and prev not in _NON_JOINING)
        elif ch in "ئؤ":
            bad += prev is None
        elif ch == "ھ":
            bad += prev not in _ASPIRABLE
        elif ch == "إ":
            bad += "".join(c for _, c in letters[first:k]) not in _ALEF_PREFIXES
        if nxt and _TANWEEN.search(text, i + 1, letters[k + 1][0]):
            bad += not _tanween_end(text, letters, k + 1)
    return bad


def _tanween_end(text: str, letters: list, k: int) -> bool:
    """Whether letters[k:] of the word are what may follow a letter with tanween: nothing but an alif
    (كتابًا) or alif maqsura (هدىً), which the caller has already found to follow."""
    i, ch = letters[k]
    last = k + 1 == len(letters) or not _joined(text, i, letters[k + 1][0])
    return last and ch in "اى"


def _joined(text: str, i: int, j: int) -> bool:
    return all(_ARABIC_MARK.match(c) for c in text[i + 1:j])


@functools.lru_cache(maxsize=2**16)
def _arabic_misplaced_word(word: str) -> int:
    return arabic_misplaced(word)


# Tamil: an independent vowel (அ … ஔ) only starts a word (inside one a vowel sign or a glide is written),
# and no word starts with a consonant under pulli (்): "அவன்" -> "அஊவன்", "அந்த" -> "ந்த" are no spelling.
_TAMIL = regex.compile(r"[\u0b80-\u0bff]")
_TAMIL_WORD = regex.compile(r"[\u0b80-\u0bff]+")
_TAMIL_VOWEL = regex.compile(r"[\u0b85-\u0b94]")


def tamil_misplaced(text: str) -> int:
    """How many independent vowels stand inside a Tamil word, plus the words that open with a pulli."""
    bad = 0
    for m in _TAMIL_WORD.finditer(text):
        word = m.group()
        bad += len(_TAMIL_VOWEL.findall(word, 1)) + (len(word) > 1 and word[1] == "\u0bcd")
    return bad


# Devanagari: inside a word an independent vowel follows a vowel (आइए, जाओ) or, in a few hiatus spellings, a
# bare consonant with इ ई ए उ (कई, गए); after a virama, or अ आ ओ औ ऑ after a bare consonant, it is no
# spelling: "समय" -> "समऑय", "अपना" -> "पअना".
_DEVANAGARI = regex.compile(r"[\u0900-\u097f]")
_DEVA_CONSONANT = regex.compile(r"[\u0915-\u0939\u0958-\u095f\u0978-\u097f]")
_DEVA_NEVER_AFTER_CONSONANT = frozenset("अआओऔऑऋऍऎऒ")
_DEVA_VOWEL = regex.compile(r"[\u0904-\u0914\u0960\u0961\u0972-\u0977]")


def devanagari_misplaced(text: str) -> int:
    """How many independent vowels stand inside a Devanagari word where its spelling never puts them."""
    bad = 0
    for i, ch in enumerate(text):
        if i and _DEVA_VOWEL.match(ch):
            prev = text[i - 1]
            bad += prev == "\u094d" or (_DEVA_CONSONANT.match(prev) is not None
                                        and ch in _DEVA_NEVER_AFTER_CONSONANT)
    return bad


def typeable(old: str, new: str) -> bool:
    """Whether the edited word `new` passes its script's input check wherever `old` did: it has no more
    rejected sequences than the word it replaces (0 for every well-formed source word).

    Thai only: its input methods reject a tone mark or above/below vowel that follows no consonant, a
    following vowel right after a leading one (เา) and two leading vowels (ไเ); Thai spelling puts a
    consonant after every leading vowel (ม่ไ) and after ั ึ ื (ฉั). Arabic script: no letter out of its
    place (arabic_misplaced: ة mid-word, ء first, ھ after a vowel) and no article turned into لا; Tamil: no
    independent vowel inside a word, no word opening with a pulli (tamil_misplaced); Devanagari: no अ आ ओ
    after a bare consonant nor any independent vowel after a virama (devanagari_misplaced). Devanagari, Tamil and Arabic-script marks are kept in order by the cluster check (every edit is made of whole clusters, each starting
    with its base letter, and a mark is only ever replaced by a mark of the same class), which
    tests/test_char_input_rules.py verifies on the real text."""
    if _ARABIC.search(new) is not None:
        if _arabic_misplaced_word(new) > _arabic_misplaced_word(old):
            return False
        # An article turned into the negation لا ("النظام" -> "لانظام", no system) is a word, not a slip.
        if new.startswith("لا") and not old.startswith("لا"):
            return False
    if _TAMIL.search(new) is not None and tamil_misplaced(new) > tamil_misplaced(old):
        return False
    if _DEVANAGARI.search(new) is not None and devanagari_misplaced(new) > devanagari_misplaced(old):
        return False
    if _THAI.search(new) is None:
        return True
    return _word_rejections(new) <= _word_rejections(old)
