"""Shared machinery of the logic family: its language resources, sentence checks and the op base class.

This docstring is the one place that explains every logic rule and its known failure modes; the op modules
(`logic_negate`, `logic_denegate`, `logic_double_negation`, `logic_distract`, `logic_quantifier`,
`logic_number`) and the negation engines (`_logic_neg`) only point here.

Resources
---------
One YAML file per language and kind under ``perturb/resources/logic/<lang>/``: ``negation.yaml`` (template
frames, negation cues, negative-polarity items, idioms, imperative openings, scope words, coordinators,
subordinators, local-negation and denegation rules), ``distractors.yaml``, ``quantifiers.yaml``, ``numbers.yaml``.
Each opens with a comment header naming its ``source``, ``licence`` and who ``checked`` it; `resource` refuses a
file without one and a file that is not NFC. Each is parsed once into frozen rule objects (`_rulebook`); a key
no rule reads, or a value of the wrong type, is an error naming the file and the key path. The functions a
``morph:`` rule names are in ``morph/<lang>.py``. YAML is read with every scalar a string (lexicons hold "no",
"on", "yes"). Word lists are compared case-folded (Turkish dotted/dotless i handled); regular expressions see
the word as written.
A language without the file is reported as unsupported by the op that needs it. All 15 XNLI languages have
all four kinds. Every file says "checked: by the xstress developers (not a native-speaker review yet)": the
rules were written from the grammars named in each header and tested on the XNLI test hypotheses, but no
native speaker has reviewed them.

All logic ops are XNLI-only (``tasks = ("xnli",)``) and edit the hypothesis. XCOPA asks which of two
alternatives is more plausible; negation, quantifier and number edits have no defined effect on that label.
(A tautology appended to the premise would preserve it; `logic.distract` could support XCOPA for the
languages it has phrases for, but most XCOPA languages have none here, so it does not.)

Checks shared by every op except ``logic.distract``
---------------------------------------------------
* A question (final ``?``, ``؟``, ``？``, Greek ``;``) is not applicable: it has no truth value to negate.
* A hypothesis of several sentences is not applicable: a frame or marker scopes over one sentence only, and
  ``¬S1 ∧ S2`` is not the negation of ``S1 ∧ S2``. A break is terminal punctuation, closing quotes, a space
  and more text (no space needed after ``。！？``); not after an abbreviation listed per language, a single
  letter or a number (``Mr.``, ``U.S.``, ``1998 г.``). Failure mode: Thai writes no sentence punctuation, so
  a two-sentence Thai hypothesis is not detected.

``logic.negate`` — template mode
--------------------------------
A per-language frame meaning "it is not true that …" goes in front of the hypothesis, which is kept word for
word. The frames take a main clause unchanged (no reordering, no change of mood):
en "It is not true that", fr "Il est faux de dire que" (``dire que`` keeps the indicative, where "Il n'est
pas vrai que" wants the subjunctive; ``qu'`` before a vowel), es "Es falso decir que" (indicative, unlike
"no es cierto que"), el "Δεν είναι αλήθεια ότι", ru "Неверно, что", bg "Не е вярно, че", sw "Si kweli
kwamba", vi "Không đúng khi nói rằng", hi "यह सच नहीं है कि", ur "یہ سچ نہیں ہے کہ", th "ไม่เป็นความจริงที่ว่า"
(a space before a non-Thai first character). German ``dass`` wants the verb last, Turkish nominalises the
clause, Arabic ``أنّ`` wants an accusative noun or a pronoun and Chinese would need the predicate wrapped, so
those four use a forward-pointing colon frame that cannot be read as a correction (unlike "Es stimmt nicht:
…"): de "Folgendes stimmt nicht:", tr "Şu ifade doğru değil:", ar "العبارة التالية غير صحيحة:",
zh "以下说法是错误的：". The sentence after such a colon keeps its capital.

Case, in the ``that``-frame languages that have case (en fr es el ru bg sw vi): the first letter is lowercased
unless the first word looks like a name — listed (``I``, month names, ...), a capital after its first letter
(``IZS``, ``McDonald``), a capitalised second word (``Al Qaeda``, ``Hà Nội``), or capitalised inside the
premise or again later in the hypothesis (not at a sentence start), or unknown to wordfreq in its lowercase
form (``rare_name_zipf10``: vi under Zipf 3, en/fr/es never seen). Closed-class words (``The``, ``Le``,
``Мы``, ...) are always lowercased.
A capitalised word that also opens the premise counts as a name in en/fr/es/el (whose sentences usually open
with an article), but in ru/bg/sw/vi it is usually the same subject noun, so there the case is left open and
the fallback frame is used. The language's colon fallback frame ("The following is not true:", which changes
no letter) is also used for a hypothesis that starts with a lowercase letter (XNLI has some: 4 % of Swahili
hypotheses), a Spanish ``¡…!``/``¿…?`` sentence, and a Bulgarian one whose second word is an accusative or
reflexive clitic (verb-initial ``Обадих се``: after ``че`` the clitic would have to move). These rules make
template negation and template denegation exact inverses (tested, also on random mixed-script text).
Failure modes: a name opening the hypothesis, absent from the premise and not followed by another
capitalised word, is lowercased (``It is not true that pachucas wore …``); for a coordinated hypothesis
(``A and B``) some readers take the frame to cover only ``A`` (entailment → contradiction is right on either
reading; contradiction → entailment assumes the wide one).
Not applicable to a hypothesis that opens with a coordinating conjunction (``initial_conjunctions``: "It is not
true that and we know …"), nor to one that already opens with one of the language's frames (a second frame would
stack: "Folgendes stimmt nicht: Folgendes stimmt nicht: …") or with one of its ``imperative_starts`` ("Do
not …", "Please …", "Bitte …", "请…", "Hãy …": an order has no truth value, "It is not true that do not …").
Label map: entailment ↔ contradiction, neutral stays neutral (¬H is entailed iff H is contradicted).

``logic.negate`` — local mode
-----------------------------
The language's own sentential negation goes at the finite verb or copula, found by closed-class word lists and
a few morphological rules in ``negation.yaml`` (``local``); when several match, the first in reading order
wins (the last for the verb-final hi/ur/tr):
en ``is → is not``, ``can → cannot`` (auxiliaries/copulas only; ``have`` only before a participle; main
verbs would need do-support); de ``nicht`` before the last word after a copula/auxiliary when that word is a
lowercase predicate and the words between the finite verb and it all stand before ``nicht`` (pronouns,
sentence and time adverbs, definite noun phrases, also inside a prepositional phrase: "ist mit ihrem Job nicht
zufrieden"; a bare noun, a determinerless or directional phrase, ``als``, a predicative or manner word make it
not applicable: "Geld nicht gespart" needs "kein Geld", "in Betracht nicht gezogen" needs "nicht in
Betracht"), and the one indefinite article after the verb → ``kein`` ("hat einen Bruder → hat keinen
Bruder"; not after a preposition or a focus word, not ``ein paar``); fr ``ne … pas`` around
``être``/modals and auxiliary ``avoir`` (before a participle), ``ne`` before object clitics, elided subject
restored (``J'ai → Je n'ai pas``); es ``no`` before copulas/auxiliaries and regular preterite/imperfect/future
forms, over clitics; el ``δεν`` before copula/``θα``/``έχω``/modals, over accusative clitics; ru ``не`` before
copula/modals and past-tense ``-л`` forms (nouns with the same ending listed as exclusions), ``— не`` in dash
sentences; bg ``не`` before copula/modals, ``ще → няма да``, ``има → няма``; sw ``ni → si``, ``kuna → hakuna``,
``-na`` (have) forms, past ``-li-`` and future ``-ta-`` verbs with the negative subject prefix
(``nilizungumza → sikuzungumza``, ``alikuwa → hakuwa``); tr ``-mA-`` with vowel harmony on a sentence-final past
verb of a listed verb stem (``kaldı → kalmadı``), ``var → yok``; ar ``كان → لم يكن``, ``سـ/سوف → لن``, ``لا`` before
``يوجد/يمكن``, ``ليس هناك``; hi/ur ``नहीं``/``نہیں`` before a sentence-final copula after an adjective or noun,
and before the light verb of ``बात की``, never between a verb and its progressive auxiliary (``آرہی تھی``:
the negation belongs before the whole verb complex, so the sentence is skipped); th copulas and auxiliaries
(``เป็น → ไม่ได้เป็น``, ``คือ → ไม่ใช่``, ``มี → ไม่มี``, ``จะ → จะไม่``), never inside the subject (a verb after a
``ความ``/``การ`` noun or inside ``เป็นไปได้``) and not after an aspect or control verb (``เพิ่งเริ่มจะ``); vi
``đã/sẽ → đã/sẽ không``, ``là → không phải là``, ``có thể → không thể``,
``không`` before ``có/được/bị/cần/phải``; zh ``不`` before ``是/会/能/可以``, ``有 → 没有``, ``V了O → 没VO`` (not
inside the clause of a predicate such as ``高兴``/``知道``, not after a preverbal prepositional phrase).
Not applicable when: no rule finds a verb; the sentence already has a negation cue (use ``logic.denegate``);
it holds a negative-polarity or free-choice word (``any``, ``任何``: "can get any information" → "cannot get
any" is not its negation) or one of the language's ``idioms`` (set phrases and focus words whose meaning
flips with a negation: ``almost``, ``casi``, ``fast``, ``почти``, ``几乎``, ``can't help``); it opens with a frame;
a subordinator, coordinator or comma precedes the verb (it may sit in a subordinate clause or a second
conjunct); a coordinator or a comma with more text follows it (``¬A ∧ B`` is not the negation of ``A ∧ B``);
question; several sentences.
Dropped (label undetermined) when the sentence has a scope word (quantifiers, ``only``, frequency adverbs):
"Some visitors buy …" and "Some visitors do not buy …" can both be true.
Also dropped with an existential subject before the verb (``existential_subjects``: "有人", "someone"), in
denegation too. Audit of 0.4.0: not applicable when a ``sentence_adverbs`` word opens one of the next two words
after the marker (English moves "not" after it: "is probably not"), when a ``final_particles`` word ends the
sentence (vi "thôi"), after a ``clause_verbs`` verb (vi "cho thấy"), or when a ``local_block_after`` word (zh 了)
stays after the marker; denegation not before a ``whether_words`` complement ("not sure if"), when a
``denegate_leftover`` degree phrase stays (vi "đến thế"), nor where ``denegate_needs_aux`` (hi/ur) finds a participle
that would lose its auxiliary. Details and examples: docs/logic-rules.md.
Failure modes: modals whose negation is not their contradictory (``must not``, ``may not``, ``should not``)
are left out, which also loses coverage; word lists miss verbs (coverage is partial by design: 7–32 % of the
XNLI hypotheses per language); German noun phrases are recognised by capitals and a determiner list only, so
a name in the middle field makes the sentence not applicable; Russian genitive of negation is not applied
(``не понимал угрозу`` stays accusative); ``not`` in English may give ``There are not fruity rums`` (grammatical,
stiff); jieba
sometimes glues words (``年建``), then the Chinese ``了`` rule does not apply.

``logic.denegate``
------------------
Removes the single negation of the hypothesis. First, a template frame at the start (any variant) is removed
and a lowercased first letter restored: the exact inverse of template negation. Otherwise the sentence must
have exactly one negation cue (a word in ``cues`` or matching ``cue_patterns``, e.g. Turkish ``-mAdI``,
Swahili ``si-/ha-…-ku-``), and a ``denegate`` rule must know how to remove it: drop the marker (en ``not``/
``n't``, de ``nicht``, es/el/ru/bg particles, hi/ur ``नहीं``/``نہیں`` with the habitual/modal copula put back:
``नहीं कर सकता → कर सकता है``, vi ``không``, th ``ไม่``/preverbal ``ไม่ได้``, zh ``不``/``并不``), drop a pair (fr
``ne … pas``, elision restored: ``Je n'ai pas → J'ai``), or replace (de ``kein → ein``, bg ``няма → има``,
``няма да → ще``, tr ``yok → var``, ``-mAdI → -DI``, ``-mIyor → -Iyor``, ``-mAyAcAk → -AcAk``, sw ``si → ni``,
``hakuna → kuna``, ``hakuwa → alikuwa``, ar ``لن → سـ``, ``لم يكن → كان``, ``ليس`` with the predicate's
accusative ``-ًا`` removed, th ``ไม่ใช่ → คือ``, vi ``không phải là → là``, zh ``没有 → 有``, ``不是 → 是``).
Not applicable also when the sentence holds one of the language's ``idioms`` ("ewig nicht" = not in ages,
"casi no", "不为人知", "nothing but", "no doubt", "cannot help", "不得不", "не только", a four-character
``不``-set phrase); when removing the Russian ``не`` would leave a genitive of negation behind
(``denegate_block_after``: "не имею отношения", "не существует теорий"; the case is not repaired); when a
Hindi/Urdu ``कोई``/``کوئی`` goes with a plural verb (``npi_if_final``); when a Hindi/Urdu ``नहीं`` ends the clause
(its copula was dropped and the positive needs it back). Thai ``ไม่ได้`` after a noun subject and before an
action verb (ORCHID tags from PyThaiNLP) becomes ``ได้``, so the bare verb is not read as part of a compound
noun ("ระบบได้วิเคราะห์"). Not applicable when: no cue or more than one (double negation; negative concord: ``не …
никого``,
``ne … personne``, ``δεν … κανέναν``); a negative-polarity item is present (``any``, ``until``, ``jemals``,
``siquiera``, ``任何``, ``ใด ๆ``, ``yeyote``: the positive would be ungrammatical or mean something else); the
cue is lexicalised or not sentential (``nicht nur``, ``no longer``, ``不过``, ``ไม่กี่``, ``không khí``); a
negative imperative (``Ne vous inquiétez pas``, ``No te preocupes``, ``请不要``, ``من فضلك لا``); French
``pas de`` / ``pas … d'`` + bare noun (the positive needs ``du/des``) and infinitival ``ne pas``; a
subordinator, coordinator or comma before the cue, or a second conjunct after it; the positive needs
morphology we do not do (Arabic ``لم`` + jussive, Swahili present negative, Turkish aorist ``-mAz``,
Vietnamese ``chưa``, German ``keine`` (singular or plural?) and ``kein`` + mass noun).
Dropped when a scope word is present ("Some X do not …" → "Some X …" is not a contradictory pair).
Failure modes: English ``did not call → did call`` and Chinese ``没有 → 有`` before a verb (colloquial/southern
usage) are grammatical but marked; Thai (after a pronoun) and Chinese lose the aspect that ``ไม่ได้``/``没``
carried; the Russian genitive check reads endings, so it skips some accusatives ("-а" nouns) and misses a
genitive of negation outside the three words after the verb; idiom and NPI lists are not exhaustive. Label map:
entailment ↔ contradiction, neutral stays neutral.

``logic.double_negation``
-------------------------
``template``: the frame twice ("It is not true that it is not true that …"), the inner frame's first letter
lowercased; the colon-frame languages, where two stacked frames are not acceptable, write their ``double_frame``
once instead: de "Folgendes ist nicht falsch:", tr "Şu ifade yanlış değil:", ar "العبارة التالية ليست خاطئة:",
zh "以下说法并不是错误的：" ("the following is not false"). Not applicable where template negation is not
(already framed, imperative, question, several sentences). ``mixed``: the frame around the locally negated sentence
("It is not true that the school is not
new."), applicable where local mode is and dropped where it is dropped. ¬¬H ≡ H: the label is preserved.

``logic.distract``
------------------
Naik et al. (2018) stress tests in each language: ``overlap`` appends "and true is true" (word-overlap
distractor), ``negation`` appends "and false is not true" (negation-word distractor). Both are tautologies, so
the label is preserved. The phrase goes before the final run of sentence punctuation (``.``, ``!``, ``?``,
``।``, ``۔``, ``。`` …), or at the end when there is none. Applies to every non-empty hypothesis. Failure mode: a
hypothesis ending in a closing quote gets the phrase after the quote.

``logic.quantifier``
--------------------
Swaps one quantifier using ``quantifiers.yaml``, with forms that keep agreement: en ``all (of) the →
some of the``, ``every/each → at least one``; de ``alle → einige``, ``jeden → mindestens einen`` (not before
an adjective, whose ending would change); fr ``toutes les routes ↔ certaines routes``; es ``todas las ↔
algunas``; el ``όλοι οι ↔ μερικοί``; ru ``все ↔ некоторые`` (every case; ``со всеми ↔ с некоторыми``),
``каждое → хотя бы одно``; bg ``всички ↔ някои``, ``всяка → поне една``; tr ``bütün/tüm ↔ bazı``, ``her → en az
bir``; ar ``جميع/كل ال… ↔ بعض``; hi/ur ``सभी/تمام ↔ कुछ/کچھ``; sw ``barabara zote ↔ baadhi ya barabara`` (the
class of ``-ote`` read off the next word); th ``ทุก ↔ บาง`` + classifier; vi ``tất cả (các) ↔ một số``
(``đều`` removed); zh ``所有(的)…都 ↔ 有些…`` (``都`` removed or inserted before the predicate).

Monotonicity table (H' is H with the quantifier swapped; "∀ ⊨ ∃" assumes a non-empty restrictor)::

    direction    swap                      H' vs H      entailment   neutral   contradiction
    weaken       all/every/each → some     H ⊨ H'       entailment   dropped   dropped
    strengthen   some/a few → all          H' ⊨ H       dropped      dropped   contradiction

(weaken: P ⊨ H ⊨ H'; a contradicted or neutral H says nothing about the weaker H'. strengthen: P ⊨ ¬H and
H' ⊨ H give P ⊨ ¬H'; an entailed or neutral H says nothing about the stronger H'.)
The table holds only when the quantifier sits in an upward-entailing position, so the op is not applicable
when the sentence has a negation cue, a downward-entailing or subordinating word (``if``, ``without``,
``only``, ``who``, ``before``, ``or``), more than one quantifier (their scopes interact), or is a question.
Since 0.3.0 it also fires only on the subject's determiner (the phrase starts at the first word; ``max_start``
words allowed, 1 in Thai), never on a frequency adverbial (``time_nouns``: "every year" never becomes "at
least one year"), nor near comparatives, "others", collective or duration/difficulty predicates
(``context_blockers``), nor on multiword non-quantifiers (``exclude_more``: hi ``बहुत सारे``, tr ``her iki``,
vi ``mọi người``). The table of allowed contexts is in docs/logic-rules.md.
Failure modes: scalar implicature — "some"/"a few" are often read as "not all"/"not many", and a premise that
contradicts H only through that implicature makes the strengthened H' true (the contradiction label is then
wrong); an idiom not in the exclusion list (``all in all``) may be swapped; Spanish ``algunos`` before a
plural verb form ending in -s is taken for a determiner; existential import fails for an empty restrictor.

``logic.number``
----------------
Changes one integer of the hypothesis that also occurs, with the same value, in the premise (a standalone
integer: not part of a decimal, time, date, range or larger digit run; no leading zero), by an offset of
±1–3 drawn from the RNG, in the digits' own script. The new number is never 0 or 1, not another number of
the premise, and in the same grammatical number class as the old one (``agreement``: Russian 1 / 2–4 / 5+
by the last digits; Arabic 3–10 / 11–99 / hundreds). Label map: entailment → contradiction (exact reading of
a numeral: P says 3 hours, H' says 4 hours); neutral and contradiction are dropped. Also dropped when every
shared number has a hedge or comparative within ``window`` tokens (``about``, ``more than``, ``at least``,
``около``, ``约``, ``+``) or is part of a range (``3 to 5``, ``3 or 4``): "at least 4" may still be entailed.
Since 0.3.0 the premise must pin the number down, else the pair is dropped: the same counted word or unit
beside it in both sentences (``count_side``), no hedge or direction word around it in either (``hedges``
before it, several-word ones and ``post_hedges`` after it: "75 $ or less", "before 11 September"), not a year
(``years``), not in a date (``date_words``), not a name, code or label (``name_words``, a capitalised or
Latin-script word before it, "K-12", "23.", a footnote number). Rules and audit items: docs/logic-rules.md.
Not applicable to a Turkish number carrying a suffix (``1998'de``: the suffix's vowel harmony follows the
spoken numeral) or when no offset keeps the agreement class (Russian ``21 книгу``).
Failure modes: the same-event reading is assumed ("100 barrels disappeared"); a specification that the
premise words the same way ("3 boyutlu") is changed; numbers written in words (``three``, ``三``) are not seen; the hedge lists are not
exhaustive.
"""
from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass, field
from importlib import resources
from types import MappingProxyType
from typing import Any, Mapping, Sequence

import regex
import yaml

from ... import segment
from ...core import TEXT_MEMO, DROPPED, Dropped, Edit, Perturbation, Span, apply_spans
from ...example import XNLI_LANGS

# Rule files give patterns as strings. `regex.match(pattern, text)` looks the string up in regex's own cache
# on every call, which costs more than most matches; this memo hands back the compiled pattern directly.
rx = functools.lru_cache(maxsize=None)(regex.compile)

LOGIC_LANGS: tuple[str, ...] = XNLI_LANGS
# Scripts written without spaces between words: lists match as substrings there, not at word edges.
NO_SPACE_LANGS = frozenset({"zh", "th"})
KINDS = ("negation", "distractors", "quantifiers", "numbers")
_HEADER_KEYS = ("source", "licence", "checked")

# Map with entailment and contradiction swapped, used by negate and denegate.
FLIP_MAP = {"entailment": "contradiction", "neutral": "neutral", "contradiction": "entailment"}
# The same without contradiction -> entailment: XNLI's contradictions are often pragmatic (incompatible under a
# same-event reading, "we watched it on TV" vs "we don't own a TV"), and the negation of such a hypothesis is
# not entailed. The 2026-12-03 re-audit found that direction wrong in 7 of 37 local/denegate items (19 %), so
# those ops drop it (counted) rather than guess. The template frame keeps FLIP_MAP (see docs/logic-rules.md).
STRICT_FLIP_MAP = {"entailment": "contradiction", "neutral": "neutral", "contradiction": None}


# --- resources -----------------------------------------------------------------------------------------


class ResourceError(ValueError):
    """A logic resource file is malformed (a packaging bug, never the user's input)."""


def _resource_dir():
    return resources.files("perturb") / "resources" / "logic"


@functools.lru_cache(maxsize=None)
def resource(lang: str, kind: str) -> Mapping[str, Any] | None:
    """The parsed `<lang>/<kind>.yaml`, or None when the language has none. Checks the provenance header."""
    if kind not in KINDS:
        raise ValueError(f"unknown logic resource kind {kind!r}")
    path = _resource_dir() / lang / f"{kind}.yaml"
    if not path.is_file():
        return None
    text = path.read_text(encoding="utf-8")
    header = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        key, _, value = line[1:].strip().partition(":")
        if key in _HEADER_KEYS and value.strip():
            header[key] = value.strip()
    missing = [k for k in _HEADER_KEYS if k not in header]
    if missing:
        raise ResourceError(f"logic/{lang}/{kind}.yaml: provenance header lacks {', '.join(missing)}")
    if not unicodedata.is_normalized("NFC", text):
        raise ResourceError(f"logic/{lang}/{kind}.yaml is not NFC")
    # BaseLoader keeps every scalar a string: lexicons hold words like "no", "on", "yes" that YAML 1.1
    # would turn into booleans.
    # (libyaml's CBaseLoader where PyYAML has it: the same documents, ten times faster to read.)
    doc = yaml.load(text, Loader=getattr(yaml, "CBaseLoader", yaml.BaseLoader)) or {}
    if not isinstance(doc, dict):
        raise ResourceError(f"logic/{lang}/{kind}.yaml: expected a mapping")
    doc = dict(doc)
    check_keys(lang, kind, doc)  # at load: a misspelt key would otherwise silently disable its rule
    doc["_provenance"] = header
    return doc


@functools.lru_cache(maxsize=None)
def langs_with(kind: str, key: str | None = None) -> frozenset[str]:
    """Languages that have a `kind` resource (with `key` in it, when given)."""
    out = set()
    for lang in LOGIC_LANGS:
        doc = resource(lang, kind)
        if doc is not None and (key is None or doc.get(key)):
            out.add(lang)
    return frozenset(out)


# --- the op base class -----------------------------------------------------------------------------------


class _LabelEffect:
    """`label_effect()` that reports the instance's label map when called on an instance (its params may
    choose the map) and the class default when called on the class."""

    def __get__(self, obj, owner):
        src = obj if obj is not None else owner

        def label_effect():
            lm = src.label_map
            return "preserve" if lm is None else {str(k): v for k, v in lm.items()}

        return label_effect


class LogicOp(Perturbation):
    """Base of the logic ops: XNLI hypotheses only; `edit` may return DROPPED (label undetermined)."""

    family = "logic"
    tasks = ("xnli",)
    editable_fields = {"xnli": ("hypothesis",)}
    resource_kind: str = "negation"
    resource_key: str | None = None
    label_effect = _LabelEffect()

    @classmethod
    def languages(cls, task):
        if task not in cls.tasks:
            return frozenset()
        return langs_with(cls.resource_kind, cls.resource_key)

    def edit(self, text: str, *, example, rng) -> Sequence[Span] | Dropped | None:
        raise NotImplementedError

    def edit_field(self, text, *, field, example, rng):
        # The core contract carries DROPPED (label undetermined) through apply: no override needed here.
        return self.edit(text, example=example, rng=rng)


# --- text helpers ------------------------------------------------------------------------------------------

_FINAL_PUNCT = ".!?;:…।॥۔؟。！？｡\u037e|"
_QUESTION = regex.compile(r"[?؟？\u037e]\s*[\"'»”’)\]」』]*\s*$")
_GREEK_QUESTION = regex.compile(r";\s*[\"'»”’)\]]*\s*$")
_CLOSERS = "\"'»”’)]」』›"
# A sentence break: terminal punctuation, closing quotes, then a space and more text; after the full-width
# CJK terminators no space is written ("学校是新的。这封信…").
_SENTENCE_BREAK = regex.compile(
    r"(?<=\S)([.!?।۔؟\u037e]+)[\"'»”’)\]」』]*\s+(?=[\"'«“‘(¿¡]*[\p{L}\p{N}])"
    r"|([。！？]+)[”’」』）]*\s*(?=[“‘「『（]*[\p{L}\p{N}])")
_NUMBER_DOT = regex.compile(r"\p{N}+$")


def fold(word: str, lang: str) -> str:
    """Case-folded form used for every lexicon look-up (Turkish dotted/dotless i handled)."""
    if lang == "tr":
        word = word.replace("İ", "i").replace("I", "ı")
        return word.lower()
    return word.casefold()


def tokens(text: str, lang: str) -> tuple[segment.Token, ...]:
    return segment.tokenize(text, lang)


def is_question(text: str, lang: str) -> bool:
    if _QUESTION.search(text):
        return True
    return lang == "el" and _GREEK_QUESTION.search(text) is not None


def sentence_breaks(text: str, lang: str, abbreviations: frozenset[str] = frozenset()) -> list[int]:
    """Offsets where a new sentence starts inside text (none for a single sentence). A full stop after a
    nonbreaking prefix does not end a sentence: Moses' prefixes for the language where sacremoses has them
    (as written: "Gen." is a prefix, "gen." need not be), and the given per-language list (folded) for what
    Moses lacks or for languages it does not cover."""
    moses, numeric = moses_prefixes(lang)
    out = []
    for m in _SENTENCE_BREAK.finditer(text):
        punct = m.group(1) or m.group(2)
        if punct == ".":
            before = text[:m.start(1)]
            word = rx(r"[\p{L}\p{N}.]+$").search(before)
            w = word.group() if word else ""
            last = w.rsplit(".", 1)[-1] if w else ""
            if (not w or len(last) <= 1 or "." in w or _NUMBER_DOT.search(last)
                    or fold(last, lang) in abbreviations or last in moses
                    or (last in numeric and text[m.end():m.end() + 1].isdigit())):
                continue
        out.append(m.end())
    return out


# Languages whose Moses list sacremoses ships; for any other it silently returns the English list.
_MOSES_LANGS = frozenset({"de", "el", "en", "es", "et", "fr", "hi", "it", "ru", "ta", "zh"})


@functools.lru_cache(maxsize=None)
def moses_prefixes(lang: str) -> tuple[frozenset[str], frozenset[str]]:
    """(prefixes, numeric-only prefixes) of Moses' nonbreaking-prefix list for lang, empty where sacremoses
    has none for it (or is not installed). A numeric-only prefix ("No" in "No. 5") only holds before a digit."""
    if lang not in _MOSES_LANGS:
        return frozenset(), frozenset()
    try:
        from sacremoses.corpus import NonbreakingPrefixes  # lazy: reads its data module
    except ImportError:
        return frozenset(), frozenset()

    plain, numeric = set(), set()
    for entry in NonbreakingPrefixes().words(lang):
        prefix, _, note = entry.partition(" ")
        (numeric if "NUMERIC_ONLY" in note else plain).add(unicodedata.normalize("NFC", prefix))
    return frozenset(plain), frozenset(numeric)


@functools.lru_cache(maxsize=TEXT_MEMO)  # every logic entry asks this of every hypothesis
def is_multi_sentence(text: str, lang: str, abbreviations=frozenset()) -> bool:
    return bool(sentence_breaks(text, lang, abbreviations))


def final_punct_start(text: str) -> int:
    """Start of the trailing run of sentence punctuation (len(text) when there is none)."""
    i = len(text)
    while i > 0 and text[i - 1] in _FINAL_PUNCT:
        i -= 1
    # keep the text non-empty before the insertion point
    return i if i > 0 else len(text)


def lower_first(s: str) -> str:
    return s[:1].lower() + s[1:] if s else s


def case_flippable(ch: str) -> bool:
    """A capital letter whose lowercase is one code point and maps back to it (so the change inverts)."""
    low = ch.lower()
    return ch.isupper() and len(low) == 1 and low != ch and low.upper() == ch


def token_seqs(lang: str, items) -> tuple[tuple[str, ...], ...]:
    """Each item ("not only") as its folded space-separated words (("not", "only")); empty items dropped."""
    out = []
    for item in items or ():
        parts = tuple(fold(p, lang) for p in str(item).split(" ") if p)
        if parts:
            out.append(parts)
    return tuple(out)


def lang_rules(lang: str):
    """The language's parsed negation.yaml (`_rulebook.NegationRules`), or None."""
    from ._rulebook import negation_rules  # deferred: _rulebook builds on this module

    return negation_rules(lang)


def find_seq(folded: Sequence[str], seq: Sequence[str], start: int = 0) -> int:
    """Index of the first occurrence of the token sequence `seq` in `folded` at or after start, or -1."""
    n = len(seq)
    last = len(folded) - n
    if n == 0:
        return start if start <= last else -1
    # Jump between occurrences of the first token with the C-level index(): this runs for every cue of every
    # rule on every hypothesis, and a Python loop over all positions dominated the default recipe's profile.
    seq_t, first, i = tuple(seq), seq[0], start
    while i <= last:
        try:
            i = folded.index(first, i, last + 1)
        except ValueError:
            return -1
        if n == 1 or tuple(folded[i:i + n]) == seq_t:
            return i
        i += 1
    return -1


@dataclass(frozen=True, slots=True, eq=False)
class SeqIndex:
    """A list of token sequences, arranged for matching against a whole sentence at once: the one-token ones
    as a set, the longer ones by their first token. Built once, when a rule file is loaded (`_rulebook`)."""

    seqs: tuple[tuple[str, ...], ...]
    empty: bool = field(init=False)  # an empty sequence occurs everywhere (find_seq agrees)
    singles: frozenset[str] = field(init=False)
    multi: Mapping[str, tuple[tuple[str, ...], ...]] = field(init=False)

    def __post_init__(self):
        multi: dict[str, list[tuple[str, ...]]] = {}
        for s in self.seqs:
            if len(s) > 1:
                multi.setdefault(s[0], []).append(tuple(s))
        object.__setattr__(self, "empty", any(len(s) == 0 for s in self.seqs))
        object.__setattr__(self, "singles", frozenset(s[0] for s in self.seqs if len(s) == 1))
        object.__setattr__(self, "multi", MappingProxyType({k: tuple(v) for k, v in multi.items()}))

    def __iter__(self):
        return iter(self.seqs)

    def __len__(self):
        return len(self.seqs)


def seq_spans(folded: Sequence[str], index: SeqIndex) -> list[tuple[int, int]]:
    """(first, last) token indices of every occurrence of every sequence of seqs in folded (overlapping ones
    included; in text order, a position repeated when two listed sequences match there). The same set of
    occurrences as calling `find_seq` repeatedly for each sequence, in one pass over the sentence: the
    lexicons list hundreds of forms, and a scan per form dominated the logic ops' profiles."""
    singles, multi = index.singles, index.multi
    n = len(folded)
    out = []
    for i, f in enumerate(folded):
        if f in singles:
            out.append((i, i))
        for seq in multi.get(f, ()):
            k = len(seq)
            if i + k <= n and tuple(folded[i:i + k]) == seq:
                out.append((i, i + k - 1))
    return out


def has_any_seq(folded: Sequence[str], index: SeqIndex) -> bool:
    """Whether any sequence of the index occurs in folded (as `find_seq(folded, s) >= 0` for some s)."""
    if index.empty:
        return True
    if not index.singles.isdisjoint(folded):
        return True
    multi = index.multi
    if multi:
        n = len(folded)
        for i, f in enumerate(folded):
            for seq in multi.get(f, ()):
                k = len(seq)
                if i + k <= n and tuple(folded[i:i + k]) == seq:
                    return True
    return False


def phrase_matcher(lang: str, phrases, key=None):
    """A matcher for listed phrases on the text's `key` form (default: case-folded): with word edges in spaced
    scripts, as a substring in Chinese and Thai (no spaces between words); None when the list is empty. Apply
    it with `phrase_hit`, on the same key form of the text."""
    key = key or fold
    forms = sorted({key(str(w), lang).strip() for w in phrases or () if str(w).strip()}, key=len, reverse=True)
    if not forms:
        return None
    if lang in NO_SPACE_LANGS:
        return tuple(forms)
    edge = r"[\p{L}\p{M}\p{N}]"
    return regex.compile(rf"(?<!{edge})(?:{'|'.join(regex.escape(f) for f in forms)})(?!{edge})")


def phrase_hit(matcher, keyed_text: str) -> bool:
    """Whether a `phrase_matcher` (None: no phrases) finds one of its phrases in the keyed text."""
    if matcher is None:
        return False
    if isinstance(matcher, tuple):
        return any(f in keyed_text for f in matcher)
    return matcher.search(keyed_text) is not None


@functools.lru_cache(maxsize=TEXT_MEMO)
def folded_tokens(text: str, lang: str) -> tuple[str, ...]:
    """fold() of every token of text, memoised: several logic ops look up the words of the same hypothesis."""
    return tuple(fold(t.text, lang) for t in tokens(text, lang))


def common_blockers(text: str, lang: str, rules) -> bool:
    """True when the sentence is a question or has several sentences (shared not-applicable checks)."""
    return is_question(text, lang) or is_multi_sentence(text, lang, rules.abbreviations)


# --- composing two edit steps ------------------------------------------------------------------------------


def compose(text: str, steps) -> list[Span] | Dropped | None:
    """Run edit steps one after another (each gets the current text and returns spans, None or DROPPED) and
    express the combined change as spans against the original text: exact, one span per changed region."""
    cur = text
    # Where each character of the current text comes from, as runs (start, end in cur, start in text or None
    # for inserted text): the same answer as a per-character source list, without a Python step per character.
    runs: list[tuple[int, int, int | None]] = [(0, len(text), 0)] if text else []
    for step in steps:
        spans = step(cur)
        if spans is None or spans is DROPPED or not spans:
            return spans if spans is DROPPED else None
        pieces: list[str] = []
        new_runs: list[tuple[int, int, int | None]] = []
        size = len(cur)

        def keep(lo: int, hi: int) -> None:
            # cur[lo:hi] is kept: copy it with the runs (clipped) that cover it.
            nonlocal new_len
            lo, hi = min(max(lo, 0), size), min(max(hi, 0), size)
            if lo >= hi:
                return
            pieces.append(cur[lo:hi])
            for cs, ce, origin in runs:
                a, b = max(cs, lo), min(ce, hi)
                if a < b:
                    new_runs.append((new_len, new_len + b - a, None if origin is None else origin + a - cs))
                    new_len += b - a

        new_len = 0
        pos = 0
        for s in sorted(spans, key=lambda s: (s.start, s.end)):
            keep(pos, s.start)
            if s.after:
                pieces.append(s.after)
                new_runs.append((new_len, new_len + len(s.after), None))
                new_len += len(s.after)
            pos = s.end
        keep(pos, size)
        cur, runs = "".join(pieces), new_runs
    out: list[Span] = []
    nxt = 0  # the original offset that follows the last original character seen
    pending: list[str] = []
    for cs, ce, origin in runs:
        if origin is None:
            pending.append(cur[cs:ce])
            continue
        if origin != nxt or pending:
            out.append(Span(nxt, origin, "".join(pending)))
        pending = []
        nxt = origin + ce - cs
    if nxt != len(text) or pending:
        out.append(Span(nxt, len(text), "".join(pending)))
    return out


# --- negation resource keys ----------------------------------------------------------------------------------

# Every key negation.yaml may hold, by where it sits. A key outside these (a typo such as "npis") would be
# read by nothing and silently disable the rule it was meant to add, so the loader rejects it.
NEGATION_KEYS = frozenset({
    "template", "abbreviations", "cues", "cue_exclusions", "cue_patterns", "cue_pattern_exclude", "paired_cues",
    "npi", "scope", "coordinators", "subordinators", "comma_blocks", "order", "local", "denegate", "idioms",
    "imperative_starts", "denegate_block_after", "npi_if_final", "sentence_adverbs", "sentence_adverb_move",
    "initial_conjunctions", "existential_subjects", "clause_verbs", "final_particles", "whether_words",
    "denegate_leftover", "denegate_needs_aux", "local_block_after", "result_pairs",
})
TEMPLATE_KEYS = frozenset({
    "frame", "case", "initial_evidence", "fallback", "keep_case_words", "lower_words", "fallback_if_starts",
    "fallback_if_second_word", "fallback_unless_first", "elide", "space_unless", "double_frame", "double_elide",
    "rare_name_zipf10",
})
NEGATION_RULE_KEYS = frozenset({
    "action", "also_remove_prev", "append_after_next", "attributive", "aux", "bad_verb_start", "bare_after_pair",
    "before_last_not", "block_between", "cue", "elide", "exclude", "final_append", "first_only", "fix_next",
    "forms", "initial_next_not", "insert", "last_not", "last_word", "lowercase_only", "map", "marker",
    "marker_left", "monosyllabic", "morph", "next_last", "next_not", "next_not_regex", "next_regex",
    "no_skip_initial", "not_after", "not_before", "not_first", "not_last_word", "pair", "pair_not_adjacent",
    "pair_not_next", "pair_window", "pattern", "prev_in", "prev_not", "prev_not_regex", "prev_replace", "reelide",
    "relative", "replace", "skip_left", "soften", "space", "strip_prefixes", "subject_prefixes", "to", "unelide",
    "verb_stems", "vowel", "vowel_stems", "wrap",
    "block_middle", "determiners", "middle_ok", "others", "prev_char_not", "fronted_regex",
})


def check_negation_keys(lang: str, doc: Mapping[str, Any]) -> None:
    """Raise ResourceError naming the file and the key when negation.yaml holds a key no rule reads."""
    where = f"logic/{lang}/negation.yaml"

    def bad(key, place):
        raise ResourceError(f"{where}: unknown key {key!r} in {place}")

    for key in doc:
        if key != "_provenance" and key not in NEGATION_KEYS:
            bad(key, "the top level")
    template = doc.get("template")
    if template is not None:
        if not isinstance(template, Mapping):
            raise ResourceError(f"{where}: 'template' must be a mapping")
        for key in template:
            if key not in TEMPLATE_KEYS:
                bad(key, "template")
    for section in ("local", "denegate"):
        if not isinstance(doc.get(section) or [], list):
            raise ResourceError(f"{where}: {section}: expected a list of rules, got a {type(doc[section]).__name__}")
        for n, rule in enumerate(doc.get(section) or ()):
            if not isinstance(rule, Mapping):
                raise ResourceError(f"{where}: {section} rule {n + 1} must be a mapping")
            for key in rule:
                if key not in NEGATION_RULE_KEYS:
                    bad(key, f"{section} rule {n + 1}")


# --- quantifier, number and distractor resource keys ------------------------------------------------------

QUANTIFIER_KEYS = frozenset({"weaken", "strengthen", "blockers", "context_blockers", "exclude", "exclude_more",
                             "time_nouns", "max_start", "quantifiers"})
QUANTIFIER_RULE_KEYS = frozenset({"match", "to", "agree", "agree_prefix", "insert_before", "next_in", "next_not",
                                  "next_not_regex", "next_regex", "not_first", "prev_not", "prev_not_regex",
                                  "remove_next", "star_not", "star_not_regex"})
NUMBER_KEYS = frozenset({"agreement", "window", "hedges", "post_hedges", "range_words", "name_words",
                         "function_words", "date_words", "years", "count_side", "capital_names", "block_suffix",
                         "evaluative"})
DISTRACTOR_KEYS = frozenset({"overlap", "negation"})


def check_keys(lang: str, kind: str, doc: Mapping[str, Any]) -> None:
    """Raise ResourceError naming the file and the key for any key that no rule of `kind` reads."""
    if kind == "negation":
        check_negation_keys(lang, doc)
        return
    where = f"logic/{lang}/{kind}.yaml"
    allowed = {"quantifiers": QUANTIFIER_KEYS, "numbers": NUMBER_KEYS, "distractors": DISTRACTOR_KEYS}[kind]
    for key in doc:
        if key not in allowed:
            raise ResourceError(f"{where}: unknown key {key!r} at the top level; allowed: {', '.join(sorted(allowed))}")
    if kind == "quantifiers":
        for section in ("weaken", "strengthen"):
            if not isinstance(doc.get(section) or [], list):
                got = type(doc[section]).__name__
                raise ResourceError(f"{where}: {section}: expected a list of rules, got a {got}")
            for n, rule in enumerate(doc.get(section) or ()):
                if not isinstance(rule, Mapping):
                    raise ResourceError(f"{where}: {section} rule {n + 1} must be a mapping")
                for key in rule:
                    if key not in QUANTIFIER_RULE_KEYS:
                        raise ResourceError(f"{where}: unknown key {key!r} in {section} rule {n + 1}")
