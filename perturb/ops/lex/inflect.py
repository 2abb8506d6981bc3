"""`lex.inflect`: Morpheus-style inflection noise: swap a share of content words for another form of the same lemma that differs only in case or agreement gender.

Morpheus (Tan et al., 2020) searches the inflections of each noun, verb and adjective for the one that hurts a
model most; this op draws one at random (a non-adversarial variant, as robustness sets need). Forms come from
simplemma's form->lemma dictionaries read backwards (`perturb.ops.lex._inflect`), kept only where wordfreq has
seen them at least about once in ten million words. A swap must keep the claim, so it never changes person,
number (dual included), tense, degree or the word itself (no diminutive, no other gender of a noun): every
swap passes a feature check (`perturb.ops.lex._features`), and a language with nothing to check it by is not
offered (its reason is in the manifest, shown by `xstress ls ATTACK_SET`; resources/lex/inflect_excluded.tsv). Per language:
  ru  pymorphy3 with its OpenCorpora dictionary (offline): only an adjective or participle (every analysis
      ADJF/PRTF) out of agreement with its noun, the learner's slip ("приятная беседа" -> "приятной беседа"; a
      noun in another case, "В нашем домом", read as a random case, 0 of 10 acceptable in the 0.4.0 audit);
      both words must be known to it, and every analysis of each must share one normal form and every grammeme
      but case and animacy (not gender: "Я был расстроен" -> "расстроена" says who speaks), the replacement
      may be a nominative only where the word may be one, never between the accusative and the locative or
      instrumental (after в, на, за, под they tell direction from place): новая -> новую.
  bg  nouns have no case: only a masculine full article becomes the short one, the commonest learner slip
      (градът -> града, българският -> българския), never back (града is also a count form: "два града"),
      and only where the bare noun or adjective is a form of the group (a verb's повтарят is no article).
  el  on one stem, masculine -ος -> -ο (nominative -> accusative, accented alike): δρόμος -> δρόμο; a genitive
      forced onto a noun (Κάθε χρόνου) read as no learner's slip in the 0.4.0 audit; a degree (καλή ->
      καλύτερη), a plural or a shifted accent is never written, nor -η/-ης, -α/-ας (ναύτη -> ναύτης would make
      an accusative a nominative).
  de  an adjective's endings -e/-en/-em/-es among themselves on one stem (-er also marks the comparative:
      schneller); nouns are left alone (a genitive -es, "keinen Weges", read as no slip in the 0.4.0 audit).
  hi  a plural noun's direct form -> its oblique one (बातें -> बातों, लड़कियाँ -> लड़कियों); the masculine -े,
      also the singular oblique, is left out.
  No swap turns a word into a nominative it could not be before (el, de, bg, hi by one-way tables; ru by the
  analyser): a new subject could change who acts.
  not offered: en (only number and degree inflect), es, fr, it (number, or a gender that only an adjective may
      change, and no offline analyser tells a noun from an adjective), ar (case is unwritten; ون/ين also tell a
      plural from a dual), tr and sw (negation is an inflection), id (derivations), et (cases carry direction).
Verbs, pronouns and auxiliaries are never swapped (a group with a verb ending or a stop word among its forms,
resources/lex/inflect_keep.tsv), nor a word right after an article (de, el: "La mogli" reads as an error no
writer makes). Known noise: a case slip reads as an error, and where a case alone marks a role (Russian
instrumental agent, "написано братом" -> "брату", "by" -> "to" the brother) it can blur who does what.
"""
from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass

import regex

from ... import segment
from ...core import Perturbation, RateParams, task_languages
from ...registry import register
from . import _common as lc
from . import _features as feat
from . import _inflect as inf

_WORD = regex.compile(r"[\p{L}\p{M}]+")


@dataclass(frozen=True)
class InflectParams(RateParams):
    """rate: share of the content words with other attested forms that are re-inflected."""

    rate: float = 0.2


@register
class Inflect(Perturbation):
    name = "lex.inflect"
    family = "lex"
    description = "swap content words for another inflected form of the same lemma (simplemma, Morpheus-style)"
    Params = InflectParams

    @classmethod
    def languages(cls, task):
        return task_languages(task, _languages()) if task in cls.tasks else frozenset()

    def unsupported_reason(self, task, lang):
        if task not in self.tasks or lang in _languages():
            return None
        if lang in inf.excluded():
            return inf.excluded()[lang]
        if lang in feat.ANALYSERS and lang in inf.languages():
            return f"needs the offline analyser {' and '.join(feat.ANALYSERS[lang])} (pip install them)"
        if lang in inf.languages():
            return "no offline feature analyser and no table of case endings: a swap could change number or tense"
        return None

    def resource_parts(self, task, lang):
        if lang not in _languages():
            return [("lemmas", "none")]
        parts = [("lemmas", inf.resource_id(lang))]
        if feat.analyser_id(lang):
            parts.append(("features", feat.analyser_id(lang)))
        return parts

    def edit_field(self, text, *, field, example, rng):
        lang = example.lang
        if lang not in _languages():
            return None
        eligible = []
        for tok in _unarticled(text, lang):
            options = _options(tok.text, lang)
            if options:
                eligible.append((tok, options))
        replacements = []
        for i in lc.choose(len(eligible), self.params.rate, rng):
            tok, options = eligible[i]
            replacements.append((tok.start, tok.end, rng.choice(options)))
        return lc.spaced(text, replacements)

    def candidate_edits(self, example, field, rng_key=""):
        """Every other attested form of every eligible word (no randomness: the options are listed)."""
        from ...candidates import from_spans, unique

        lang, text = example.lang, example.fields[field]
        if not self.supports(example.task, lang) or field not in self.allowed_fields(example.task):
            return []
        return unique(from_spans(self.name, field, text, lc.spaced(text, [(tok.start, tok.end, form)]))
                      for tok in lc.content_words(text, lang) for form in _options(tok.text, lang))


@functools.lru_cache(maxsize=None)
def _languages() -> frozenset[str]:
    """simplemma's languages less the excluded ones, where an analyser or a case-ending table checks each swap."""
    return frozenset(lang for lang in inf.languages() if feat.method(lang))


def _unarticled(text: str, lang: str) -> list:
    """The content words of text that do not follow an article: a noun's number and gender must agree with its
    article, and "La moglie" -> "La mogli" is no slip a writer makes (the article may be elided: "l'uomo")."""
    articles = inf.keep_rules(lang).articles
    words = segment.words(text, lang)
    out = []
    for i, tok in enumerate(words):
        if not lc.is_content_word(tok.text, lang):
            continue
        prev = words[i - 1] if i > 0 else None
        if prev is not None and lc.key(prev.text).rstrip("'’") in articles and text[prev.end:tok.start] in ("", " "):
            continue
        out.append(tok)
    return out


@functools.lru_cache(maxsize=2**16)  # words recur throughout a corpus
def _options(word: str, lang: str) -> tuple[str, ...]:
    """The other forms of word's lemma group, in the word's case (a form the dictionary capitalises, a German
    noun, keeps its capital), never a stop word (no form may read as a negation) and never the word itself in
    another case; () for a word that is not all letters or has no group."""
    if not _WORD.fullmatch(word):
        return ()
    g = inf.inflections(lang).group(word)
    if g is None or not _swappable(g, lang):
        return ()
    rules = inf.keep_rules(lang)
    own = lc.key(word)
    low = unicodedata.normalize("NFC", word).lower()
    script = lc.script_of(word)
    # recase() leaves a form alone unless the word has a capital: skip the call for the usual lowercase word.
    cased = any(map(str.isupper, word))
    out: dict[str, str] = {}
    for k, f, f_script, capitalised in _group_forms(g, lang):
        if k == own or k in out or f_script != script or rules.avoided(k, own):
            continue
        # lower(), not the casefolded key: casefold writes ß as ss (großzügig -> grosszügiges is a spelling).
        if not feat.keeps_features(low, f.lower(), lang, lower=not capitalised, forms=_group_lower(g, lang)):
            continue  # another person, number, tense, degree or word (the audit's оттегли -> оттеглите)
        if len(f) > 1 and f.isupper() and not word.isupper():
            continue  # an acronym spelling in the dictionary ("WAYS"), not a form of a lower-case word
        out[k] = f if capitalised or not cased else lc.recase(f, word)
    return tuple(sorted(out.values()))


@functools.lru_cache(maxsize=2**14)
def _swappable(g: int, lang: str) -> bool:
    """Whether group g is an open-class word that is not a verb: a group with a stop word among its forms is a
    pronoun or an auxiliary (उन्होंने -> उसमें changes who acts), and a verb paradigm holds other persons and
    tenses (ενδιαφέρθηκε "he became interested" -> ενδιαφέρεστε "you are interested")."""
    forms = inf.inflections(lang).groups[g]
    if lc.has_stopwords(lang) and any(lc.key(f) in lc.stopwords(lang) for f in forms):
        return False
    return not inf.keep_rules(lang).is_verb(forms)


@functools.lru_cache(maxsize=2**14)
def _group_lower(g: int, lang: str) -> frozenset[str]:
    return frozenset(f.lower() for f in inf.inflections(lang).groups[g])


@functools.lru_cache(maxsize=2**14)  # the forms of one lemma serve every form of it met in the text
def _group_forms(g: int, lang: str) -> tuple[tuple[str, str, str | None, bool], ...]:
    """(key, form, script, capitalised) for each form of group g that is not a stop word, in group order."""
    stops = lc.stopwords(lang) if lc.has_stopwords(lang) else frozenset()  # lc.is_stopword, one key() per form
    out = []
    for f in inf.inflections(lang).groups[g]:
        k = lc.key(f)
        if k not in stops:
            out.append((k, f, lc.script_of(f), lc.is_capitalised(f)))
    return tuple(out)
