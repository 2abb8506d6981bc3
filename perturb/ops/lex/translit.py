"""`lex.translit`: write a share of the words in Latin letters the way people romanise their language online (translit, Greeklish, Hinglish, Tanglish, Arabizi, pinyin).

The romanisers and their sources are in `perturb.ops.lex._translit` and resources/lex/translit/. Every word in the
language's own script may be romanised, function words included: people romanise whole messages, not only
content words. A romanised word next to a word of another script gets a space, so two romanised Chinese words
never run together.

Arabic comes out as its consonant skeleton plus the written long vowels ("ktab"), the chat style of Arabizi.
Writers who spell words out add the short vowels ("kitab"); those are unwritten in the script and vary by word
(كتاب kitab, كتب kutub), so no rule here guesses them: an inserted vowel would as often be wrong as right. A
skeleton that cannot be read aloud is not written; the word stays in its script. Hindi English loans (ॉ, व्ह,
ाइ before a consonant, English onsets: थिसॉरस, फाइल, स्टेशन) stay in Devanagari: writers type the English word.
Half of a hyphenated word is never romanised. Urdu and Thai are declined (DECLINED below: Roman Urdu has
habitual word spellings no letter rule gives; RTGS from Thai spelling loses unwritten vowels), though their
romanisers stay in `_translit` with their tests.
"""
from __future__ import annotations

from dataclasses import dataclass

import regex

from ... import segment
from ...core import Perturbation, RateParams, task_languages
from ...registry import register
from . import _common as lc
from . import _translit as tr

# Languages whose romaniser exists (resources/lex/translit/, pythainlp) but whose output readers reject: Roman
# Urdu is written word by word in habitual spellings ("kaise", "dekhein", "shuru"), which no letter rule gives
# ("kise" for کیسے reads as another word); Thai RTGS from spelling loses the vowels Thai leaves unwritten
# (บริษัท "borisat" written "brisat"). The romanisers stay for `_translit.romanise` and their tests.
DECLINED = {"ur": "Roman Urdu is written in habitual word spellings (kaise, dekhein, shuru) that no letter rule "
                  "gives; the letter-by-letter skeleton reads as other words (0.4.0 audit: 0 of 5 acceptable)",
            "th": "RTGS by pythainlp's rules drops the unwritten vowels of many words (บริษัท 'brisat', อันตราย "
                  "'antrai') and spells English loans the Thai way ('phit' for peach, read as ผิด): 10 of 17 "
                  "acceptable on XCOPA in the 0.4.0 audit"}


@dataclass(frozen=True)
class TranslitParams(RateParams):
    """rate: share of the words written in the language's own script that are romanised."""

    rate: float = 0.5


@register
class Translit(Perturbation):
    name = "lex.translit"
    family = "lex"
    description = "romanise words as people type them online (ru/bg/el/hi/ta/ar tables, zh pinyin)"
    Params = TranslitParams

    @classmethod
    def languages(cls, task):
        return task_languages(task, tr.languages() - DECLINED.keys()) if task in cls.tasks else frozenset()

    def unsupported_reason(self, task, lang):
        return DECLINED.get(lang) if task in self.tasks else None

    def resource_parts(self, task, lang):
        return [("romaniser", tr.engine_id(lang) if lang in tr.languages() else "none")]

    def edit_field(self, text, *, field, example, rng):
        lang = example.lang
        if lang not in tr.languages():
            return None
        eligible = list(_romanisable(text, lang))
        chosen = [eligible[i] for i in lc.choose(len(eligible), self.params.rate, rng)]
        return lc.spaced(text, [(tok.start, tok.end, roman) for tok, roman in chosen])

    def candidate_edits(self, example, field, rng_key=""):
        """Each romanisable word, romanised (one candidate per word: the romaniser is deterministic)."""
        from ...candidates import from_spans, unique

        lang, text = example.lang, example.fields[field]
        if not self.supports(example.task, lang) or field not in self.allowed_fields(example.task):
            return []
        out = []
        for tok, roman in _romanisable(text, lang):
            out.append(from_spans(self.name, field, text, lc.spaced(text, [(tok.start, tok.end, roman)])))
        return unique(out)


# A letter, a hyphen, a letter: the hyphen joins two parts of one word ("по-прежнему").
_HYPHENATED = regex.compile(r"[\p{L}\p{M}][-\u2010\u2011][\p{L}]")


def _romanisable(text: str, lang: str):
    """(word, romanisation) for each word of text the romaniser writes, in order."""
    words = segment.words(text, lang)
    for i, tok in enumerate(words):
        # (a word opening inside a grapheme cluster would split it; half of a hyphenated word, "по-prezhnemu",
        # would mix two scripts in one word)
        if segment.opens_with_mark(tok.text) or lang == "th" and not _whole_thai_word(text, words, i) or \
                tok.start >= 2 and _HYPHENATED.match(text, tok.start - 2) or _HYPHENATED.match(text, tok.end - 1):
            continue
        roman = tr.roman_of(tok.text, lang)
        if roman is not None:
            yield tok, roman


def _whole_thai_word(text: str, words, i: int) -> bool:
    """Whether Thai word i is a word of the dictionary and not a piece of a misspelt or unknown word: a touching
    Thai neighbour outside the dictionary (คอม|ฟึวเตอร์) would leave "khom ฟึวเตอร์", half Latin, half Thai."""
    known = segment.thai_words()
    if words[i].text not in known:
        return False
    for j in (i - 1, i + 1):
        if 0 <= j < len(words) and (words[j].end == words[i].start or words[i].end == words[j].start) \
                and tr.has_script(words[j].text, "th") and words[j].text not in known:
            return False
    return True
