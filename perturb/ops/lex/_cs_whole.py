"""Whole words and fitting slots for `lex.codeswitch` in th, vi and zh: never half of a compound, and never an English word whose part of speech the slot cannot take (audit round 2 of 0.4.0).

- A word of Thai or Chinese is half of a longer word when it and up to three neighbouring segmenter words, joined,
  are a word of MUSE or of the segmenter's own dictionary (นํ้า|ตา "tears", ต้น|ชั่วโมง "top of the hour",
  ลูก|โบว์ลิ่ง "bowling ball"): longest match, not only the next token.
- A Vietnamese syllable is half of a compound when, with its neighbours, it is a word of pyvi's dictionary, when
  a neighbouring word written solid is a MUSE word with the same translation ("xe ô tô": "ôtô" is "cars" too),
  or when a neighbouring syllable has a content translation that the parallel English does not account for
  (ngón tay "finger", cô gái "girl", cành cây "branch": the English word stands for both syllables).
- A Chinese word with the passive 被 fused to it (被捕) is never switched: its English base form is active.
- A Chinese word after a negation, modal or aspect verb (a predicate) is written only
  as a word the parallel English uses as a verb ("不要上岸" is not "不要 ashore"; codeswitch checks the English).
"""
from __future__ import annotations

import functools

import regex

from ... import segment
from . import _common as lc
from . import _viseg

# Vietnamese person nouns of a kinship or pronoun syllable and a gender or age syllable, which pyvi's dictionary
# lacks: "cô gái" is "girl", and "Cô girl" no mix.
_VI_PERSON_NOUNS = frozenset(f"{a} {b}" for a in ("cô", "cậu", "chàng", "anh", "chị", "em", "ông", "bà", "con",
                                                  "bé", "thằng", "đứa")
                             for b in ("gái", "trai", "bé", "già", "nhỏ"))
# Chinese suffixes that make a word of the word before them (-ist, -ness, -ize, -er, -ism ...).
_ZH_SUFFIXES = frozenset("者 性 化 家 员 界 式 型 率 论 主义 学 度 感 法 品 物 机 器 师 手 人".split())
# Chinese negations and modals: the word after one is a predicate.
# (Not 没/没有, which also deny a noun: 没胃口 "no appetite".)
_ZH_MODALS = frozenset("不 不要 别 要 会 能 可以 想 应该 必须 得 将 已经 正在 不会 不能 不想 不必 开始 继续".split())
# Up to this many segmenter words around the candidate are tried as one longer word.
_SPAN = 4
_THAI_AM = regex.compile("\u0e4d([\u0e48-\u0e4b]?)\u0e32")  # nikhahit (+ tone) + sara aa: sara am decomposed


def in_compound(text: str, start: int, end: int, lang: str, src, sense=None) -> bool:
    """Whether text[start:end] is part of a longer word (see the module docstring). sense, when given, reads the
    parallel English: sense.confirms(word) gives the keys of its words that translate word, and
    sense.adjacent(a, b) whether two of them stand next to each other there."""
    words = _words(text, lang)
    i = next((n for n, (s, e) in enumerate(words) if s <= start < e), None)
    if i is None:
        return False
    sep = " " if lang == "vi" else ""
    # The run of words around i that touch each other (no punctuation, at most the separator between).
    lo = hi = i
    while lo > 0 and lo > i - _SPAN + 1 and text[words[lo - 1][1]:words[lo][0]] == sep:
        lo -= 1
    while hi + 1 < len(words) and hi < i + _SPAN - 1 and text[words[hi][1]:words[hi + 1][0]] == sep:
        hi += 1
    for a in range(lo, i + 1):
        for b in range(i, hi + 1):
            if b - a + 1 >= 2 and b - a < _SPAN and _is_word(text[words[a][0]:words[b][1]], lang, src):
                return True
    neighbours = [text[slice(*words[n])] for n in (i - 1, i + 1) if lo <= n <= hi]
    if lang == "vi" and any(_same_sense(n, text[start:end], src) for n in neighbours):
        return True
    if lang == "th" and any(_fragment(n, src) for n in neighbours):
        return True
    if lang == "zh" and i < hi and text[slice(*words[i + 1])] in _ZH_SUFFIXES:
        return True  # 人道主义|者 "humanitarian": the suffix makes the word, "humanitarian 者" is none
    if sense is None:
        return False
    # Vietnamese compounds are head first: a neighbour the English lacks is half of this word only when the
    # first of the two is a noun (ngón tay, tủ quần áo "closet", lời mời "invitation"); after a verb it is
    # the verb's object (đeo hoa tai "wear earrings").
    nouns = _viseg.nouns(text) if lang == "vi" else None
    # Chinese: a neighbour of two or more characters is a word of its own (童年|故事 "childhood story"); only a
    # single character may be a bound half of this word.
    # Thai: a function word (ถูก passive, ต่อ "per") is no half of a compound, whatever MUSE gives for it.
    return any(_bound_by_sense(text[slice(*words[n])], text[start:end], src, sense,
                               (nouns is None or min(start, words[n][0]) in nouns)
                               and (lang != "th" or lc.is_content_word(text[slice(*words[n])], lang)))
               for n in (i - 1, i + 1) if lo <= n <= hi and (lang != "zh" or words[n][1] - words[n][0] == 1))


def _words(text: str, lang: str) -> list[tuple[int, int]]:
    if lang == "vi":  # pyvi's words, each of one or more syllables
        return [(g[0].start, g[-1].end) for g in _viseg.words(text) if all(t.is_word for t in g)]
    return [(t.start, t.end) for t in segment.tokenize(text, lang) if t.is_word]


def _is_word(span: str, lang: str, src) -> bool:
    """Whether span (two or more segmenter words) is one word of MUSE or of the segmenter's dictionary."""
    if lang == "th":
        span = _THAI_AM.sub("\\1\u0e33", span)
        return lc.key(span) in src.to_english or span in segment.thai_words()
    if lang == "zh":
        return span in src.to_english or _jieba_freq(span) > 0
    low = lc.key(span)
    return low.replace(" ", "") in src.to_english or _viseg.in_dictionary(low) or low in _VI_PERSON_NOUNS


def _same_sense(neighbour: str, mine: str, src) -> bool:
    """Whether a neighbouring Vietnamese word, as written or solid ("ô tô" -> "ôtô"), shares an English
    translation with this one (up to a plural: "car" and "cars"): the two are one compound."""
    k = lc.key(neighbour)
    theirs = set(src.to_english.get(k, ())) | set(src.to_english.get(k.replace(" ", ""), ()))
    ours = set(src.to_english.get(lc.key(mine), ()))
    return bool(_singular(theirs) & _singular(ours))


def _singular(words) -> set[str]:
    return {lc.key(w).removesuffix("s") for w in words}


def _bound_by_sense(neighbour: str, mine: str, src, sense, compound_slot: bool) -> bool:
    """Whether a neighbouring word forms one word with this one by what the parallel English says of them:
    - the English has the neighbour's translation right next to this word's ("Cành cây": "tree branch";
      กิ่ง|ต้นไม้: "tree branch"): an English compound, of which one half alone would be switched;
    - the neighbour means a content word (tay "hand", gái "girl", ต้น "early") that the English does not have:
      its sense went into this word's English word (ngón tay "finger", ต้นชั่วโมง "top of the hour"), where
      the two can form a compound at all (compound_slot; "Tôi đọc sách", "read books", is a verb and its
      object).
    A neighbour whose translations are all function words (của "of", tôi "I") is neither."""
    if not compound_slot:
        return False
    theirs = sense.confirms(neighbour)
    if theirs:  # only content words make an English compound ("from snow" is none)
        return any(sense.adjacent(a, b) for a in theirs for b in sense.confirms(mine)
                   if not lc.is_stopword(a, "en"))
    return any(not lc.is_stopword(e, "en") for e in _partners(neighbour, src)[:3])


def _partners(word: str, src) -> tuple[str, ...]:
    """MUSE's English words for word; for a Vietnamese word of several syllables that MUSE lacks, those of its
    syllables ("quần áo": "pants", "shirt")."""
    k = lc.key(word)
    found = src.to_english.get(k, ()) or src.to_english.get(k.replace(" ", ""), ())
    if found or " " not in k:
        return found
    return tuple(e for syllable in k.split() for e in src.to_english.get(syllable, ()))


def _fragment(neighbour: str, src) -> bool:
    """Whether a Thai neighbour is no word at all (neither MUSE's nor the segmenter's): a piece of a misspelt
    or unknown word (คอม|ฟิวเตอร์ for คอมพิวเตอร์), of which this word is the other piece."""
    word = _THAI_AM.sub("\\1\u0e33", neighbour)
    return lc.key(word) not in src.to_english and word not in segment.thai_words()


def _jieba_freq(word: str) -> int:
    # The segmenter's own dictionary, as segment.tokenize cuts by it.
    return segment._jieba_tokenizer().FREQ.get(word, 0)


def zh_predicate(text: str, start: int, end: int) -> bool:
    """Whether a Chinese word stands where only a verb or adjective can: right after a negation, modal or aspect
    verb (不要上岸 "don't go ashore", 开始上学 "started school"). jieba's dictionary tags are no guide: they
    tag 辐射 "radiation" and 包 "bag" as verbs."""
    before = [t for t in segment.tokenize(text[:start], "zh") if t.is_word]
    return bool(before) and before[-1].end == start and before[-1].text in _ZH_MODALS


def zh_passive(word: str) -> bool:
    """Whether a Chinese word carries the passive 被 fused to its verb (被捕 "was arrested"): the English base
    form would turn it active ("女子 arrest")."""
    return len(word) > 1 and word.startswith("被")


@functools.lru_cache(maxsize=2**14)
def can_be_verb(english: str) -> bool:
    """Whether an English word has a verb's -ing or -ed form in common use ("share": sharing; "ashore": no)."""
    import wordfreq

    k = lc.key(english)
    stems = {k, k[:-1]} if k.endswith("e") else {k, k + k[-1:]}
    forms = {s + suffix for s in stems for suffix in ("ing", "ed")}
    return any(wordfreq.zipf_frequency(f, "en") >= 2.0 for f in forms)
