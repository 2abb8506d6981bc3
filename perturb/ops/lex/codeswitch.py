"""`lex.codeswitch`: replace a share of content words by their translation from MUSE bilingual lexicons (PolyGloss-style word-level code-mixing).

How a word's translation is chosen (no randomness: the rng only picks which words change):
1. Whole words only: Vietnamese syllables are grouped into words by pyvi ("thông tin" is one word, and MUSE has
   no entry of several syllables, so it stays), and a syllable that forms a dictionary word with its neighbour
   is left alone; Chinese and Thai words come from jieba and newmm. In th, vi and zh a word is also left alone
   when it is part of a longer word of MUSE or the segmenter's dictionary, or half of a compound by what the
   parallel English says (_cs_whole: "ngón tay" finger, "Cành cây" tree branch, "ต้นชั่วโมง").
2. The word's English partners in en-<lang>.txt, in file order (MUSE lists English words from the most to the
   least frequent), that are English words (wordfreq Zipf >= 2.5: MUSE has noise such as "preta").
3. The English example with the same id is the translation of this one: a partner is used only if it occurs in
   the same field of that example, as written or inflected (-s, -ed, -ing), and then as spelt there. This
   is what picks the sense ("chers" is "expensive" there, not "dear"). Without a parallel English example
   (XCOPA test has none) nothing is translated.
4. For `to` other than English, the chosen English word goes through en-<to>.txt (its first partner there):
   English is the pivot. An English source sentence translates directly.
5. The English form must fit where the word stands. A word of an agglutinative language (tr, et, fi, hu, sw,
   ta, qu) is switched only when it is bare, its own lemma in simplemma with no suffix: a case or possessive
   suffix would be lost ("Aşçının gözleri" -> "Aşçının eyes") or left on an English stem. Languages of this
   kind without a simplemma dictionary are not offered. In every language a word that is its own lemma (an
   infinitive, a singular noun) gets the dictionary's uninflected English word, not the sentence's inflection
   ("zu reden" -> "zu talk", not "talking"; "isim" -> "name", not "named"). In the isolating languages (zh,
   th, vi) nothing carries tense, person or number, so the English word is its base form (simplemma's English
   lemma: "campaigned" -> "campaign", "threw" -> "throw", "storms" -> "storm") when MUSE lists that base for
   the same word, and the word is left alone when it does not ("sưng" -> only "swelled"). A Chinese verb is
   written only as a word the parallel English uses as a verb ("不要上岸" is not "不要 ashore"), and a Chinese
   word with a fused passive 被 not at all. The verb of an English phrasal verb ("turned on") is never used.
   A Turkish word that modifies the noun after it ("Yeni sayılar": "new issues") is left alone.
   A plain word whose English would still be an -ed/-ing verb form is left alone ("karar verdim", a noun
   with a light verb, is not "decided verdim"), and so are Hindi finite verbs ("आया" came: Hinglish writes
   an English verb as "start करना", never in place of the Hindi verb).
6. Never a word that is half of a reduplication: before a repetition mark (Thai "เด็กๆ", Japanese 々) or next
   to the same word ("अलग अलग", "अलग-अलग"), nor a word with an apostrophe suffix ("TV'de").
7. Never a verb outside the isolating languages: a word whose lemma is an infinitive other than itself
   ("aussieht", "envoyé"), an Arabic word with an -ed/-ing partner, or an inflected word that the parallel
   English uses as a verb ("I think", "was born"); zh/th/vi write the base of such a form where MUSE lists
   it ("calculated" -> "calculate"). Nor a word whose grammar the context needs (_cs_context: Arabic article
   and clitics, Bulgarian definite suffix, Hindi compound postpositions, Turkish compounds and light verbs).
Replacements that are stop words of the embedded language are skipped, so no negation or quantifier is ever
written in. Names are never touched: capitalised words inside a sentence (except German nouns), words next to
one, and words whose English partner is part of a multiword name in the parallel sentence ("نيو" in
"New Brunswick") or a name anywhere in the parallel example ("Blood", capitalised every time). MUSE is
lower-case, so embedded German nouns come out lower-case.
"""
from __future__ import annotations

import copy
import dataclasses
import functools
from dataclasses import dataclass
from pathlib import Path

import regex

from ... import segment
from ...core import TEXT_MEMO, Perturbation, RateParams, task_languages
from ...registry import register
from . import _common as lc
from . import _cs_context as ctx
from . import _muse as muse
from . import _cs_whole as whole
from . import _viseg

# Languages whose words carry case, possession and person as suffixes (see 5. above), and languages whose
# words never inflect (verbs carry no tense).
AGGLUTINATIVE = frozenset({"et", "fi", "hu", "qu", "sw", "ta", "tr"})
ISOLATING = frozenset({"th", "vi", "zh"})
# A repetition mark after the word (Thai ๆ, Lao ໆ, CJK 々), or an apostrophe suffix (Turkish "TV'de").
_AFTER_WORD = regex.compile(r"\s?[ๆໆ々]|['’]\p{L}")
# Languages whose finite verbs and participles are never switched alone, and the endings of their verbs'
# lemma (an infinitive; Greek: the first person). German verbs are the words without a capital.
_VERB_LEMMA = {"hi": ("ना",), "ur": ("نا",), "de": ("en", "ern", "eln"), "es": ("ar", "er", "ir", "se"),
               "fr": ("er", "ir", "re", "oir"), "el": ("ω", "ώ", "μαι"),
               "ru": ("ать", "ять", "еть", "ить", "уть", "ыть", "оть", "ти", "чь", "ся", "сь")}
# English verb endings that a word of an isolating language does not carry.
_VERB_ENDINGS = ("ed", "ing")

NO_PARALLEL = "no English parallel for this split, so no sense can be confirmed; XCOPA test has none"

# An English word must be at least this frequent (Zipf 2.5: about once in 30 million words) to be written in.
MIN_ENGLISH_ZIPF = 2.5


@dataclass(frozen=True)
class CodeswitchParams(RateParams):
    """rate: share of the content words that have a translation which are replaced.
    to: the embedded language (en, or any MUSE language through the English pivot)."""

    rate: float = 0.3
    to: str = "en"

    def __post_init__(self):
        super().__post_init__()
        allowed = muse.muse_languages() | {"en"}
        if self.to not in allowed:
            raise ValueError(f"to must be one of {', '.join(sorted(allowed))}, got {self.to!r}")


@register
class Codeswitch(lc.ParallelMixin, Perturbation):
    name = "lex.codeswitch"
    family = "lex"
    description = ("replace content words by their MUSE-lexicon translation (to=en by default, English itself "
                   "only with another `to`); needs --lexicon-dir")
    Params = CodeswitchParams
    requires = {"lexicon_dir": "a MUSE lexicon directory (files en-<lang>.txt, e.g. ../shared/data/muse)"}
    needs_parallel = "en"

    _lexicon_dir: str | None = None

    @classmethod
    def languages(cls, task):
        if task not in cls.tasks:
            return frozenset()
        usable = {lang for lang in muse.muse_languages() if muse.supports_lang(lang)
                  and (lang not in AGGLUTINATIVE or _lemmatizes(lang))}
        return task_languages(task, usable | {"en"})

    @classmethod
    def contract_instance(cls):
        # The contract test runs every op on the sample data; this one needs lexicons, so it gets the tiny
        # hand-written ones shipped for it and the sample's English as the parallel text.
        from ...loaders import load
        from ...sample import contract_lexicon_dir, sample_data_dir

        op = cls().bind(lexicon_dir=contract_lexicon_dir())
        for task in ("xnli", "xcopa"):
            english = load(task=task, data=sample_data_dir() / task, split="test", langs=["en"])["en"]
            op = op.with_parallel(task, english, "sample-en")
        return op

    # -- resources ---------------------------------------------------------------------------------------
    def bind(self, *, lexicon_dir) -> "Codeswitch":
        """A copy that reads its lexicons from lexicon_dir (ValueError when it holds no MUSE file)."""
        path = Path(lexicon_dir).expanduser()
        if not path.is_dir():
            raise ValueError(f"{path} is not a directory")
        found = muse.files(path)
        if not found:
            raise ValueError(f"{path} holds no MUSE dictionary (files named en-<lang>.txt, such as en-de.txt)")
        if self.params.to != "en" and self.params.to not in found:
            raise ValueError(f"{path} has no en-{self.params.to}.txt, which to={self.params.to} needs")
        if not muse.supports_lang(self.params.to):
            raise ValueError("to=zh needs OpenCC to read MUSE's Traditional-character dictionary (pip install opencc)")
        new = copy.copy(self)
        new._lexicon_dir = str(path.resolve())
        return new

    def _files(self) -> dict[str, Path]:
        return _files_of(self._lexicon_dir) if self._lexicon_dir else {}

    def _needed(self, lang: str) -> list[str]:
        """The lexicons a source language needs: its own (unless English) and the embedded language's."""
        return [x for x in dict.fromkeys((lang, self.params.to)) if x != "en"]

    def supports(self, task, lang):
        return super().supports(task, lang) and self._usable(lang) and self.unsupported_reason(task, lang) is None

    def unsupported_reason(self, task, lang):
        if task not in self.tasks or lang == "en" or self._lexicon_dir is None:
            return None
        if lang not in muse.muse_languages():
            return "MUSE has no dictionary for this language"
        if any(x not in self._files() for x in self._needed(lang)):
            return "its MUSE dictionary (en-<lang>.txt) is not in the lexicon directory"
        if lang in AGGLUTINATIVE and not _lemmatizes(lang):
            return "agglutinative, and simplemma cannot tell a bare word from one with a suffix"
        # The engine attaches the parallel English of the run's split, or records that there is none.
        if self._usable(lang) and task in getattr(self, "_parallel", {}) and self.parallel_source(task) == "none":
            return NO_PARALLEL
        return None

    def _usable(self, lang: str) -> bool:
        """Whether every lexicon this source language needs is there (and readable: zh needs OpenCC)."""
        if lang == self.params.to or self._lexicon_dir is None or (lang == "vi" and not _viseg.available()):
            return False  # Vietnamese without pyvi would be cut into syllables, not words
        if lang in AGGLUTINATIVE and not _lemmatizes(lang):
            return False  # no way to tell a bare word from one with a suffix
        needed = self._needed(lang)
        return all(muse.supports_lang(x) for x in needed) and _has_files(self._lexicon_dir, tuple(needed))

    def resource_parts(self, task, lang):
        """Signature parts: which lexicon files (by content hash) and which parallel English were used."""
        files = self._files()
        ids = [muse.identity(files[x], x) for x in self._needed(lang)] if lang and self._usable(lang) else []
        parts = [("lexicon", "+".join(ids) if ids else "none"),
                 ("english", f"wordfreq-{lc.library_version('wordfreq')}@zipf{MIN_ENGLISH_ZIPF:g}")]
        if lang == "vi":
            parts.append(("words", _viseg.resource_id()))
        if _lemmatizes(lang):
            parts.append(("lemmas", f"simplemma-{lc.library_version('simplemma')}"))
        if lang != self.needs_parallel:
            parts.append(("parallel", self.parallel_source(task)))
        return parts

    def resource_params(self):
        files = self._files()
        return {"lexicon": {lang: muse.identity(p, lang) for lang, p in files.items()
                            if lang in muse.muse_languages()},
                "parallel": dict(sorted((t, v[1]) for t, v in getattr(self, "_parallel", {}).items()))}

    # -- behaviour ---------------------------------------------------------------------------------------
    def edit_field(self, text, *, field, example, rng):
        lang, to = example.lang, self.params.to
        if not self._usable(lang):
            return None
        files = self._files()
        src = muse.load(files[lang], lang) if lang != "en" else None
        tgt = muse.load(files[to], to) if to != "en" else None
        parallel = self.parallel_of(example) if lang != "en" else None
        if lang != "en" and parallel is None:
            return None  # no parallel English (XCOPA test has none): no sense can be confirmed
        english = _english(parallel.fields.get(field, "")) if parallel is not None else None
        names = ctx.english_names(tuple(parallel.fields.values())) if parallel is not None else frozenset()
        eligible = []
        for start, end, word, initial in _candidates(text, lang):
            if lang == "ar" and (ctx.ar_clitic_form(word, src) or _has_verb_partner(word, src)):
                continue  # "وكتاب" (and a book) would drop the "and"; "تغير" (changed) is a verb
            # Arabic has no infinitive: a word the sentence uses as a verb is a finite one, even when bare.
            # A bare Turkish word is no finite verb either ("Hiç ağır değildi" is not "Hiç weigh değildi").
            verbs = english.finite if english is not None and (lang in ("ar", "tr") or _plain(word, lang) is False) \
                else frozenset()
            out = _translate(word, to, src, tgt, english, _plain(word, lang),
                             names | verbs | (english.phrasal if english is not None else frozenset()))
            if out is not None and to == "en" and not _whole_and_fitting(text, start, end, lang, src, english, out):
                continue
            if out is not None and lang == "tr" and _lone_modifier(text, end, src, english, out):
                continue  # "Yeni sayılar" -> "New sayılar": an English adjective inside a Turkish noun phrase
            if out is not None:
                eligible.append((start, end, word, out, initial))
        replacements = []
        for i in lc.choose(len(eligible), self.params.rate, rng):
            start, end, word, out, initial = eligible[i]
            new = lc.recase(out, word, title=initial and lc.is_capitalised(word))
            replacements.append((start, end, new))
        return lc.spaced(text, replacements)


def _whole_and_fitting(text: str, start: int, end: int, lang: str, src, english: "_English | None", out: str) -> bool:
    """Whether the word at text[start:end] is a whole word whose English translation out fits its slot: in th, vi
    and zh not half of a compound (_cs_whole), and a Chinese verb only as a word the English uses as a verb."""
    if lang not in ISOLATING or src is None or english is None:
        return True
    if lang == "vi" and _shares_a_sense(text, start, end, src, english):
        return False
    if whole.in_compound(text, start, end, lang, src, _Sense(src, english)):
        return False
    if lang == "zh" and whole.zh_passive(text[start:end]):
        return False
    return not (lang == "zh" and whole.zh_predicate(text, start, end)
                and lc.key(english.match(out) or out) not in english.verbal)


@dataclass(frozen=True)
class _Sense:
    """What the parallel English says of the words around a candidate (see _cs_whole.in_compound)."""

    src: object
    english: "_English"

    def confirms(self, word: str) -> set[str]:
        return {lc.key(m) for _, m in _confirmed(word, self.src, self.english)}

    def adjacent(self, a: str, b: str) -> bool:
        return b in self.english.following.get(a, ()) or a in self.english.following.get(b, ())


def _lone_modifier(text: str, end: int, src, english: "_English | None", out: str) -> bool:
    """Whether a Turkish word modifies the noun after it, as the parallel English shows: there the English word
    is followed by a translation of that next word, or by any noun, a content word that is no verb form
    ("Yeni sayılar": "new issues"; "Hasta çocuk": "sick child"). A lone English adjective inside a Turkish
    noun phrase is no mix people write ("slow bir tonda" neither)."""
    m = regex.match(r" (?:bir )?(\p{L}+)", text[end:])  # "yavaş bir tonda": the article may come between
    if m is None or english is None or not lc.is_content_word(m.group(1), "tr"):
        return False
    following = english.following.get(lc.key(english.match(out) or out), frozenset())
    k = lc.key(m.group(1))
    partners = set(src.to_english.get(k, ())) | set(src.to_english.get(ctx.lemma(k, "tr"), ()))
    if any(_stems(lc.key(p)) & set().union(*map(_stems, following)) for p in partners):
        return True
    # "one" stands for the noun: "Yeni bir tane aldım" is "I bought a new one".
    return any((lc.is_content_word(w, "en") and not _english_verb_form(w)) or w in ("one", "ones")
               for w in following)


def _irregular_past(word: str) -> bool:
    """Whether an English word is an irregular past or participle ("ate", "lost", "went"; Turkish "yedi" ate
    is also seven, its own lemma): its English lemma is another word, a verb, and it is no plural."""
    base = _english_lemma(word)
    return base != word and not word.endswith("s") and whole.can_be_verb(base)


def _english_verb_form(word: str) -> bool:
    """Whether an English word is an inflected verb (-ed, -ing, an irregular past: "drank"), not a plural."""
    base = _english_lemma(word)
    return base != word and word not in (base + "s", base + "es") and not (word.endswith("ies") and
                                                                           base.endswith("y"))


def _candidates(text: str, lang: str) -> list[tuple[int, int, str, bool]]:
    """(start, end, word, sentence-initial) of the content words that may be translated: whole words (a
    Vietnamese word of several syllables is one word), never a name or a word next to one."""
    tokens = segment.tokenize(text, lang)
    if lang == "vi":
        units = [(g[0].start, g[-1].end, all(t.is_word for t in g)) for g in _viseg.words(text)]
    else:
        units = [(t.start, t.end, t.is_word) for t in tokens]
    words = [(s, e) for s, e, is_word in units if is_word]
    initial = [lc.is_sentence_initial(text, s, tokens) for s, _ in words]
    # A capital that does not start a sentence marks a name (except on German nouns); so does a capitalised
    # neighbour inside the sentence, for the other words of a multiword name ("New Brunswick").
    name = [lc.is_capitalised(text[s:e]) and not initial[i] for i, (s, e) in enumerate(words)]
    out = []
    for i, (s, e) in enumerate(words):
        word = text[s:e]
        if (name[i] and lang != "de") or _next_to_name(text, words, name, i):
            continue
        if _AFTER_WORD.match(text, e) or _reduplicated(text, words, i):
            continue  # half of a reduplication ("เด็กๆ", "अलग अलग"), or a suffix after an apostrophe
        if lang in AGGLUTINATIVE and not _bare(word, lang):
            continue  # its suffix would be lost: only a word that is its own lemma is switched
        if lang in _VERB_LEMMA and _lemmatizes(lang) and _finite_verb(word, lang):
            continue  # a verb form: "आया" came (Hinglish writes "<base> करना" only), "aussieht", "envoyé"
        if ctx.blocked(text, words, i, lang):
            continue  # an article, particle, compound postposition or light verb needs this very word
        if lang == "vi":
            if " " in word or not lc.is_content_word(word, lang) or _vi_in_longer_word(tokens, s, e):
                continue  # MUSE has no Vietnamese entry of several syllables: such a word stays whole
        elif not lc.is_content_word(word, lang):
            continue
        out.append((s, e, word, initial[i]))
    return out


def _next_to_name(text: str, words: list[tuple[int, int]], name: list[bool], i: int) -> bool:
    """Whether the word before or after words[i], separated from it by a space only, is a name."""
    for j in (i - 1, i + 1):
        if 0 <= j < len(words) and name[j]:
            a, b = (words[j][1], words[i][0]) if j < i else (words[i][1], words[j][0])
            if not text[a:b].strip():
                return True
    return False


def _reduplicated(text: str, words: list[tuple[int, int]], i: int) -> bool:
    """Whether the word before or after words[i], separated by at most a space or hyphen, is the same word."""
    own = lc.key(text[slice(*words[i])])
    for j in (i - 1, i + 1):
        if 0 <= j < len(words):
            a, b = (words[j][1], words[i][0]) if j < i else (words[i][1], words[j][0])
            if text[a:b] in ("", " ", "-") and lc.key(text[slice(*words[j])]) == own:
                return True
    return False


@functools.lru_cache(maxsize=None)
def _lemmatizes(lang: str) -> bool:
    from ._inflect import simplemma_languages  # a directory listing, no import of simplemma

    return lang in simplemma_languages()


@functools.lru_cache(maxsize=2**16)
def _bare(word: str, lang: str) -> bool:
    """Whether simplemma knows word and gives it as its own lemma: no case, possessive or person suffix."""
    import simplemma  # lazy: its dictionaries load on first use

    low = lc.key(word)
    for w in dict.fromkeys((word, low)):  # as written first: simplemma keeps German nouns capitalised
        if simplemma.is_known(w, lang=lang):
            return lc.key(simplemma.lemmatize(w, lang=lang)) == low
    return False


@functools.lru_cache(maxsize=2**16)
def _finite_verb(word: str, lang: str) -> bool:
    """Whether simplemma gives word an infinitive (in _VERB_LEMMA's ending) other than itself as its lemma;
    never a plural of such a lemma ("mujeres", "livres") nor a German word with a capital (a noun)."""
    import simplemma

    if lang == "de" and lc.is_capitalised(word):
        return False
    low = lc.key(word)
    lemma = lc.key(simplemma.lemmatize(low, lang=lang))
    return lemma not in (low, low[:-1], low[:-2]) and lemma.endswith(_VERB_LEMMA[lang])


def _vi_in_longer_word(tokens, start: int, end: int) -> bool:
    i = next(n for n, t in enumerate(tokens) if t.start == start)
    before = tokens[i - 1:i] if i > 0 and tokens[i - 1].end + 1 == start else None
    after = tokens[i + 1:i + 2] if i + 1 < len(tokens) and tokens[i + 1].start == end + 1 else None
    return _viseg.in_longer_word(tokens[i], before, after)


def _translate(word: str, to: str, src, tgt, english: "_English | None", plain: bool | None = False,
               skip: frozenset[str] = frozenset()) -> str | None:
    """The translation of word, or None. From English (src None) the word itself is the pivot. Otherwise the
    English partner must be an English word and occur in the parallel English sentence (as written or
    inflected, not inside a multiword name); the sentence's spelling is used. Without that confirmation a
    dictionary partner is too often another sense ("sét" lightning -> "thunder", "chers" -> "dear"). Words
    of the sentence in `skip` are not used: names ("Blood"), and for an inflected word the sentence's verb
    forms ("he stops", "I think", "was born"), whose person and tense the English word would lose."""
    k = lc.key(word)
    candidates = [(word, word)] if src is None else _confirmed(word, src, english)
    for e, spelt in candidates:
        if lc.key(spelt) in skip:
            continue
        # English is written as the parallel sentence spells it; another language is looked up by the
        # dictionary's English word (the sentence may have it inflected: "Sundays").
        if tgt is None:
            form = _fitting_form(e, spelt, plain)
            if plain is None and src is not None and form is not None:
                form = _base_form(form, src.to_english.get(k, ()))
            outs = [form] if form is not None else []
        else:
            outs = tgt.to_foreign.get(lc.key(e), ())
        for out in outs:
            if lc.key(out) != k and lc.script_of(out) is not None and not lc.is_stopword(out, to):
                return out
    return None


def _has_verb_partner(word: str, src) -> bool:
    """Whether MUSE gives word an English -ed or -ing form as a partner ("تغير": change, changed): a verb."""
    return any(_verb_form(lc.key(e)) for e in src.to_english.get(lc.key(word), ()))


def _base_form(form: str, partners) -> str | None:
    """An isolating language's word carries no tense, person or number: the English word is written in its base
    form (simplemma's English lemma: "calculated" -> "calculate", "threw" -> "throw", "storms" -> "storm",
    "it teaches" -> "teach") when that base is a dictionary partner of the same word, which confirms the sense.
    None when it is not: only an inflected English word aligns ("sưng" -> "swelled", never "swelled lên")."""
    k = lc.key(form)
    base = _english_lemma(k)
    if base == k:
        return form
    if base in {lc.key(p) for p in partners} and _is_english(base):
        return lc.recase(base, form)
    return None


@functools.lru_cache(maxsize=2**14)
def _english_lemma(word: str) -> str:
    import simplemma  # lazy: its dictionaries load on first use

    return lc.key(simplemma.lemmatize(word, lang="en"))


def _plain(word: str, lang: str) -> bool | None:
    """True for a word that carries no inflection: its own lemma in simplemma (an infinitive, a singular
    noun); None for a word of an isolating language, which never does; False otherwise (or unknown)."""
    if lang in ISOLATING:
        return None
    return _lemmatizes(lang) and _bare(word, lang)


def _fitting_form(e: str, spelt: str, plain: bool | None) -> str | None:
    """The English form to write: the sentence's spelling, except where it is an inflection of the dictionary
    word e that the source word does not carry ("reden" -> "talk", not the sentence's "talking"): any
    inflection for a plain word (plain True), a verb's -ed or -ing in an isolating language (plain None).
    None where a word of a language that inflects (plain not None) would become an English -ed/-ing verb
    form: a plain word is then another part of speech than the English one (Turkish "karar verdim", a noun
    with a light verb, for "decided"), and an inflected one is a verb whose person, tense or auxiliary the
    bare English form cannot carry (German "hat es stopped", Arabic "لقد shocked")."""
    k = lc.key(spelt)
    out = spelt
    if k != lc.key(e) and lc.key(e) in _stems(k) and (plain or (plain is None and k.endswith(_VERB_ENDINGS))):
        out = lc.recase(e, spelt)  # the sentence's capital stays: "Sundays" -> "Sunday"
    if plain is not None and (_verb_form(lc.key(out)) or _irregular_past(lc.key(out))):
        return None
    return out


def _verb_form(word: str) -> bool:
    """Whether word is the -ed or -ing form of an English word ("decided", "named", "stopped"; not "need",
    "king")."""
    if not word.endswith(_VERB_ENDINGS):
        return False
    return any(s != word and _is_english(s) for s in _bases(word))


def _bases(word: str) -> set[str]:
    """_stems, with a doubled final consonant undone as well ("stopped" -> "stop", "planned" -> "plan")."""
    stems = _stems(word)
    return stems | {s[:-1] for s in stems if len(s) > 3 and s[-1] == s[-2] and s[-1] not in "aeiouls"}


def _confirmed(word: str, src, english: "_English") -> list[tuple[str, str]]:
    """(dictionary English, spelling in the parallel sentence) of word's partners that the sentence confirms."""
    k = lc.key(word)
    partners = [e for e in src.to_english.get(k, ()) if lc.key(e) != k and _is_english(e)]
    return [(e, m) for e in partners if (m := english.match(e)) is not None]


def _shares_a_sense(text: str, start: int, end: int, src, english: "_English") -> bool:
    """Whether a neighbouring Vietnamese syllable may form one word with this one that pyvi's dictionary lacks:
    it is confirmed as the same English word (cặp đôi "couple": both syllables mean "couple"), or it is a
    content syllable that the parallel sentence does not confirm at all (mùa giải "season", nghỉ hưu
    "retired": only one syllable has the English word, so it stands for the pair)."""
    mine = {m for _, m in _confirmed(text[start:end], src, english)}
    # A syllable of a word pyvi did group (khách tham quan: "quan") is another word, not half of this one.
    grouped = {t.start for g in _viseg.words(text) if len(g) > 1 for t in g}
    left, right = regex.search(r"(\w+) $", text[:start]), regex.match(r" (\w+)", text[end:])
    for m, at in ((left, left and left.start(1)), (right, right and end + right.start(1))):
        if not m or at in grouped or not lc.is_content_word(m.group(1), "vi"):
            continue
        theirs = {x for _, x in _confirmed(m.group(1), src, english)}
        if not theirs or mine & theirs:
            return True
    return False


@functools.lru_cache(maxsize=2**16)
def _is_english(word: str) -> bool:
    """Whether word is an English word people write (MUSE has noise such as "preta" for a Hindi verb)."""
    import wordfreq  # lazy: reads its list index on import

    return wordfreq.zipf_frequency(word, "en") >= MIN_ENGLISH_ZIPF


# Inflectional endings of English, tried in order when matching a dictionary word to the parallel sentence.
_ENDINGS = (("ies", "y"), ("ied", "y"), ("ing", ""), ("ing", "e"), ("es", ""), ("ed", ""), ("ed", "e"),
            ("s", ""), ("d", ""))


def _stems(word: str) -> set[str]:
    """word and the bases it may be an inflected form of (agreed -> agree, studies -> study, runs -> run)."""
    out = {word}
    for ending, base in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) + len(base) >= 3:
            out.add(word[: len(word) - len(ending)] + base)
    return out


@dataclass(frozen=True)
class _English:
    """The words of one parallel English sentence: spelling by key, keys by stem for inflected matches, the keys
    of its verb forms (finite: a word right after a subject pronoun, an auxiliary or a negation; verbal: those,
    words after "to" and inflected verbs), of the verbs of its phrasal verbs, and the word after each word."""

    spelling: dict[str, str]
    by_stem: dict[str, str]
    finite: frozenset[str] = frozenset()
    phrasal: frozenset[str] = frozenset()
    following: dict[str, frozenset[str]] = dataclasses.field(default_factory=dict)
    verbal: frozenset[str] = frozenset()

    def match(self, word: str) -> str | None:
        """The sentence's spelling of word or of an inflected form of it (-s, -ed, -ing), else None."""
        k = lc.key(word)
        if k in self.spelling:
            return self.spelling[k]
        for stem in _stems(k):
            if stem in self.by_stem:
                return self.spelling[self.by_stem[stem]]
        return None


@functools.lru_cache(maxsize=TEXT_MEMO)
def _english(text: str) -> _English:
    """The words of an English sentence that a translation may use. A capital that only marks the start of the
    sentence is not kept (the first word is lower-cased unless it occurs again inside); the words of a
    multiword name (two capitalised words in a row, such as "New Brunswick") are left out."""
    tokens = segment.tokenize(text, "en")
    words = [t for t in tokens if t.is_word]
    caps = [lc.is_capitalised(t.text) and t.text != "I" for t in words]
    spelling: dict[str, str] = {}
    names: set[str] = set()
    for i, t in enumerate(words):
        k = lc.key(t.text)
        near = [j for j in (i - 1, i + 1) if 0 <= j < len(words) and caps[j]
                and not text[min(t.end, words[j].end):max(t.start, words[j].start)].strip()]
        if caps[i] and near:
            names.add(k)
        elif lc.is_sentence_initial(text, t.start, tokens):
            spelling.setdefault(k, t.text.lower())
        elif k not in spelling or spelling[k] == t.text.lower():
            spelling[k] = t.text
    for k in names:
        spelling.pop(k, None)
    by_stem: dict[str, str] = {}
    for k in spelling:
        for stem in sorted(_stems(k)):
            by_stem.setdefault(stem, k)
    finite = {lc.key(b.text) for a, b in zip(words, words[1:]) if not text[a.end:b.start].strip()
              and (lc.key(a.text) in _VERB_BEFORE or (lc.key(a.text) in _SUBJECTS and lc.key(b.text).endswith("s")))}
    following: dict[str, set[str]] = {}
    for a, b in zip(words, words[1:]):
        if text[a.end:b.start] == " ":
            following.setdefault(lc.key(a.text), set()).add(lc.key(b.text))
    verbal = finite | {lc.key(b.text) for a, b in zip(words, words[1:]) if lc.key(a.text) == "to"}
    verbal |= {k for k in (lc.key(t.text) for t in words) if k.endswith(("ed", "ing")) or _english_verb_form(k)}
    return _English(spelling, by_stem, frozenset(finite), _phrasal_verbs(text, words),
                    {k: frozenset(v) for k, v in following.items()}, frozenset(verbal))


def _phrasal_verbs(text: str, words) -> frozenset[str]:
    """Keys of the verbs of phrasal verbs ("turned on", "gave up"): alone, the verb is another sense ("เปิด"
    opened is not "turn"). After a verb form (-ed, -ing, or a finite verb) "on" and "over" count too; after any
    other word they are prepositions ("the book on the table")."""
    out = set()
    for a, b in zip(words, words[1:]):
        k, particle = lc.key(a.text), lc.key(b.text)
        if text[a.end:b.start] != " " or particle not in _PARTICLES:
            continue
        if particle not in _PREPOSITIONS or k.endswith(("ed", "ing")) or _english_lemma(k) != k:
            out.add(k)
    return frozenset(out)


# Subjects after which an English word in -s is a third-person verb ("it stops"), not a plural; and words
# after which one is a verb form or a predicate ("I think", "was born", "haven't heard", "he said").
# Particles of phrasal verbs, and those of them that are also common prepositions after a noun.
_PARTICLES = frozenset({"up", "off", "out", "away", "back", "down", "on", "over"})
_PREPOSITIONS = frozenset({"on", "over"})
_SUBJECTS = frozenset({"he", "she", "it", "who", "which", "that", "this"})
_VERB_BEFORE = frozenset("""i you he she we they was were been being be is are am 's 're 'm 've 'd will would
    can could shall should may might must does did n't not never 'll""".split())


def _files_of(directory: str) -> dict[str, Path]:
    # edit_field runs once per example: the directory listing is cached, keyed by the directory's mtime.
    return _listing(directory, Path(directory).stat().st_mtime_ns)


@functools.lru_cache(maxsize=64)
def _listing(directory: str, mtime_ns: int) -> dict[str, Path]:
    return muse.files(directory)


def _has_files(directory: str, langs) -> bool:
    files = _files_of(directory)
    return all(x in files for x in langs)
