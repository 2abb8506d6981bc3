"""The negation engines behind logic.negate / denegate / double_negation: template frames, local markers, removal.

Rules and failure modes are documented in `_logic_rules` (the one place for the whole family). Every function
here returns a list of `Span`s against the input text, `None` (not applicable) or `DROPPED` (applicable but
the new label is undetermined).
"""
from __future__ import annotations

import functools
import itertools
import unicodedata
from typing import Sequence

import regex

from ... import segment
from ...core import TEXT_MEMO, DROPPED, Span
from . import morph
from .morph.base import COMMAS, Cand, last_word, with_case
from ._rulebook import NegationRules, NegRule, Template, negation_rules as lang_rules
from ._rules import (case_flippable, common_blockers, fold, folded_tokens, has_any_seq, lower_first, phrase_hit,
                     phrase_matcher, rx, seq_spans, tokens)

_SENTENCE_END = frozenset({".", "!", "?", "。", "！", "？", "।", "۔", "؟", "…"})


# --- template frames -------------------------------------------------------------------------------------


def _template_cfg(lang: str) -> Template | None:
    rules = lang_rules(lang)
    if rules is None:
        return None
    return rules.template


UNSURE = "unsure"
_PLAIN_WORD = regex.compile(r"[\p{L}\p{M}]+")
_CHUNK = regex.compile(r"\S+")
_OPENERS = " \t\"'«“‘(¿¡-—:"
_ENDERS = tuple(".!?…。！？।۔؟")


def _at_sentence_start(text: str, pos: int) -> bool:
    before = text[max(0, pos - 12):pos].rstrip(_OPENERS)
    if pos > 12 and not before:
        before = text[:pos].rstrip(_OPENERS)
    return not before or before.endswith(_ENDERS)


def _is_wordchar(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LMN"


def _occurrences(haystack: str, word: str):
    """Start offsets of word in haystack where it is not part of a longer word."""
    if not word:
        return
    i = haystack.find(word)
    while i >= 0:
        j = i + len(word)
        if (i == 0 or not _is_wordchar(haystack[i - 1])) and (j >= len(haystack) or not _is_wordchar(haystack[j])):
            yield i
        i = haystack.find(word, i + 1)


# Memoised (a tuple, so callers cannot change the shared answer): template negation asks twice per call, and
# negate, double_negation and double_negation.mixed frame the same hypotheses.
@functools.lru_cache(maxsize=TEXT_MEMO)
def _first_words(text: str, lang: str, need_second: bool = False) -> tuple[str, ...]:
    """The first word of text and the start of the second one, as the language's segmenter cuts them.

    Shortcut: a whitespace chunk made only of letters is one token for every segmenter used for the cased
    languages (spaCy splits on whitespace first and only then on affixes), so the segmenter (slow to load for
    some languages) is asked only when the first chunk holds anything else ("Al-Qaeda", "I'm"). Of the second
    word only its leading letters matter (is it capitalised? is it "I"?), and those start the second chunk."""
    chunks = [m.group() for m in itertools.islice(_CHUNK.finditer(text[:200]), 2)]  # only two are needed
    if not chunks:
        return ()
    first = None
    elided = morph.elision(lang)
    m = elided.fullmatch(chunks[0]) if elided else None
    contraction = morph.contraction(lang)
    c = contraction.fullmatch(chunks[0]) if contraction else None
    p = _PLAIN_WORD.match(chunks[0])
    if m:  # fr "L'école": the segmenter cuts after the apostrophe
        first = m.group(1)
    elif c:  # en "I'm" → "I" + "'m", "Don't" → "Do" + "n't"
        return (c.group(1),)
    elif _PLAIN_WORD.fullmatch(chunks[0]):
        first = chunks[0]
    elif p and (rx(r"[,;:!?…]+").fullmatch(chunks[0][p.end():]) or
                (len(chunks) == 1 and chunks[0][p.end():] == ".")):
        return (p.group(),)  # "Obviamente," / "Entraríamos.": punctuation ends the first chunk and the word
    else:
        toks = tokens(text, lang)
        if not toks or not toks[0].is_word:
            return ()
        first = toks[0].text
        if toks[0].end != len(chunks[0]):
            return (first,)  # the first chunk goes on after the first word ("Al-Qaeda"): no second word
    if len(chunks) < 2:
        return (first,)
    lead = _PLAIN_WORD.match(chunks[1])
    if not lead:
        return (first,)  # the second chunk opens with punctuation or a digit
    if need_second and not _PLAIN_WORD.fullmatch(chunks[1]) and \
            not rx(r"[,.;:!?…]+").fullmatch(chunks[1][lead.end():]):
        words = [t.text for t in tokens(text, lang)[:2] if t.is_word]
        return tuple(words) if len(words) == 2 else (first,)
    return (first, lead.group())


def _keep_capital(text: str, lang: str, premise: str, cfg: Template):
    """Whether the capitalised first word of text looks like a name (and so keeps its capital): True, False,
    or UNSURE when the only evidence is that it also opens the premise (the caller then uses the fallback
    frame, which changes no letter)."""
    words = _first_words(text, lang)
    if not words:
        return True
    word = words[0]
    low = fold(word, lang)
    keep = cfg.keep_case_words
    if low in keep:
        return True
    if low in cfg.lower_words:
        return False  # closed-class words (articles, pronouns, ...) are never names
    if any(c.isupper() for c in word[1:]):
        return True
    if len(words) > 1 and words[1][:1].isupper() and fold(words[1], lang) not in keep:
        return True  # a multi-word name: "Al Qaeda", "Hà Nội"
    if any(not _at_sentence_start(text, pos) for pos in _occurrences(text[len(word):], word)):
        return True  # capitalised again inside the hypothesis
    if cfg.rare_name_zipf10 and _rare(low, lang, cfg.rare_name_zipf10):
        return True  # "harrisburg" is no word of Vietnamese: the capital is a name's
    lowered = lower_first(word)
    # Does the word occur in the premise, and where? (A plain string search with letter boundaries: the
    # premise is long, and only this one word matters.)
    seen_lower = next(_occurrences(premise, lowered), None) is not None or \
        next(_occurrences(text[len(word):], lowered), None) is not None
    unsure = False
    for pos in _occurrences(premise, word):
        # Capitalised inside a sentence: a name. At a sentence start it is evidence only in languages whose
        # sentences usually open with an article (en fr es el): there a capitalised non-article opening both
        # sentences is a name ("Maria ..."); in ru/bg/sw/vi it is usually the same subject noun.
        if not _at_sentence_start(premise, pos):
            return True
        if not seen_lower:
            if cfg.initial_evidence:
                return True
            unsure = True
    return UNSURE if unsure else False


@functools.lru_cache(maxsize=2**14)
def _rare(word: str, lang: str, below10: int) -> bool:
    """Whether the lowercase word is rare in the language (wordfreq Zipf frequency under below10 / 10; Zipf 3
    is one in a million words): a capitalised rare word opening the hypothesis is taken for a name. Only for
    languages where wordfreq has its own data (``rare_name_zipf10``; sw would fall back to English)."""
    from wordfreq import zipf_frequency
    return zipf_frequency(word, lang) < below10 / 10


def _use_fallback(text: str, lang: str, cfg: Template) -> bool:
    if cfg.case == "lower" and text[0].islower():
        return True
    if any(text.startswith(s) for s in cfg.fallback_if_starts):
        return True
    second = cfg.fallback_if_second_word
    if second:
        words = _first_words(text, lang, need_second=True)
        hosts = cfg.fallback_unless_first
        if len(words) > 1 and fold(words[1], lang) in second and fold(words[0], lang) not in hosts:
            return True
    return False


def template_negate(text: str, lang: str, premise: str = "", *, lower_first_word: bool = False,
                    stacked: bool = False):
    """Spans that put the language's "it is not true that" frame in front of text, or None. Not applicable to
    a text that already opens with a frame, unless `stacked` (the second frame of a double negation)."""
    out = _template_negate_memo(text, lang, premise, lower_first_word, stacked)
    return None if out is None else list(out)


# Memoised (as a tuple: each caller gets its own list): logic.negate and logic.double_negation put the same
# frame in front of the same hypothesis.
@functools.lru_cache(maxsize=TEXT_MEMO)
def _template_negate_memo(text: str, lang: str, premise: str, lower_first_word: bool,
                          stacked: bool) -> tuple[Span, ...] | None:
    out = _template_negate(text, lang, premise, lower_first_word=lower_first_word, stacked=stacked)
    return None if out is None else tuple(out)


def _template_negate(text: str, lang: str, premise: str = "", *, lower_first_word: bool = False,
                     stacked: bool = False):
    cfg = _template_cfg(lang)
    if cfg is None or not text or text[0].isspace() or segment.opens_with_mark(text):
        return None  # a leading mark would attach to the frame's trailing space, merging an untouched cluster
    rules = lang_rules(lang)
    if common_blockers(text, lang, rules) or (not stacked and is_framed(text, lang)) or is_imperative(text, lang):
        return None
    if not stacked and _opens_with_conjunction(text, lang, rules):
        return None  # "It is not true that and we know …": the conjunction links to a sentence the frame hides
    fallback = cfg.fallback
    if _use_fallback(text, lang, cfg):
        return [Span(0, 0, fallback)] if fallback else None
    frame = cfg.frame
    first = text[0]
    lowering = False
    if cfg.case == "lower" and case_flippable(first):
        keep = False if lower_first_word else _keep_capital(text, lang, premise, cfg)
        if keep == UNSURE:
            if fallback:
                return [Span(0, 0, fallback)]
            keep = True
        lowering = not keep
    shown = first.lower() if lowering else first
    elide = cfg.elide
    if elide and elide.before.match(shown.lower()):
        frame = elide.frame
    space_unless = cfg.space_unless
    if space_unless and not space_unless.match(first):
        frame += " "
    spans = [Span(0, 0, frame)]
    if lowering:
        spans.append(Span(0, 1, shown))
    return spans


def _frames(lang: str) -> tuple[str, ...]:
    """Every frame the language's template writes (plain, elided, fallback, double), case-folded."""
    cfg = _template_cfg(lang)
    out = cfg.frames() if cfg else ()
    return tuple(fold(f.strip(), lang) for f in out if f and f.strip())


def is_framed(text: str, lang: str) -> bool:
    """Whether text already opens with one of the language's template frames: a second frame stacked on it
    ("Folgendes stimmt nicht: Folgendes stimmt nicht: …") is not an acceptable sentence."""
    head = fold(text.lstrip(_OPENERS)[:80], lang)
    return any(head.startswith(f) for f in _frames(lang))


def _opens_with_conjunction(text: str, lang: str, rules: NegationRules) -> bool:
    """Whether the first word of text is one of the language's ``initial_conjunctions`` (and, but, so …)."""
    conj = rules.initial_conjunctions
    if not conj:
        return False
    first = next((f for t, f in zip(tokens(text, lang), folded_tokens(text, lang)) if t.is_word), None)
    return first in conj


def is_imperative(text: str, lang: str) -> bool:
    """Whether text opens with one of the language's imperative starts (``imperative_starts``: "Do not",
    "Please", a bare verb ...): an order has no truth value, so "It is not true that do not …" is nonsense."""
    rules = lang_rules(lang)
    seqs = rules.imperative_starts.seqs if rules else ()
    if not seqs:
        return False
    words = [f for t, f in zip(tokens(text, lang), folded_tokens(text, lang)) if t.is_word][:4]
    return any(tuple(words[:len(s)]) == s for s in seqs)


def template_double(text: str, lang: str, premise: str = ""):
    """Spans for the double template negation: the language's ``double_frame`` ("it is not false that …")
    where it has one, put exactly where `template_negate` puts its frame (same case change of the first
    letter, same elision and spacing), else None (the caller stacks the frame twice). Two stacked frames
    ("It is not true that it is not true that …", "Folgendes stimmt nicht: Folgendes stimmt nicht: …") read
    as no one writes. Where the single negation falls back to its colon frame, None as well."""
    cfg = _template_cfg(lang)
    double = cfg.double_frame if cfg else None
    spans = template_negate(text, lang, premise) if double else None
    if not spans or (spans[0].start, spans[0].end) != (0, 0):
        return None
    inserted = spans[0].after
    elided = cfg.elide.frame if cfg.elide else None
    if inserted.startswith(cfg.frame):
        new = double + inserted[len(cfg.frame):]
    elif elided and cfg.double_elide and inserted.startswith(elided):
        new = cfg.double_elide + inserted[len(elided):]
    else:
        return None
    return [Span(0, 0, new), *spans[1:]]


def template_strip(text: str, lang: str):
    """Spans that remove a template frame at the start of text (restoring the first letter), or None."""
    cfg = _template_cfg(lang)
    if cfg is None:
        return None
    lower = cfg.case == "lower"
    candidates = [(cfg.frame, lower)]
    if cfg.elide:
        candidates.append((cfg.elide.frame, lower))
    if cfg.fallback:
        candidates.append((cfg.fallback, False))
    # Longest first: one frame may be a prefix of another.
    for frame, restore in sorted(candidates, key=lambda c: -len(c[0])):
        if not text.startswith(frame) or len(text) <= len(frame):
            continue
        end = len(frame)
        space_unless = cfg.space_unless
        if space_unless and text[end] == " " and end + 1 < len(text) \
                and not space_unless.match(text[end + 1]):
            end += 1
        if text[end].isspace():
            return None
        spans = [Span(0, end, "")]
        ch = text[end]
        if restore and ch.islower() and case_flippable(ch.upper()):
            spans.append(Span(end, end + 1, ch.upper()))
        return spans
    return None


# --- cue detection -------------------------------------------------------------------------------------


def cue_indices(toks, folded: Sequence[str], lang: str) -> list[int]:
    """Token indices of negation cues; a cue inside a listed lexicalised sequence (``nicht nur``) counts as
    a cue too, but is marked unusable by `lexicalised_cue`."""
    out = []
    paired = lang_rules(lang).paired_cues
    for i, f in enumerate(folded):
        if not toks[i].is_word:
            continue
        if f in paired and any(folded[j] in paired[f] for j in range(max(0, i - 5), i)):
            continue  # fr "pas" after "ne": one negation, not two
        if _is_cue(f, lang):
            out.append(i)
    return out


@functools.lru_cache(maxsize=2**16)  # by word: every token of every hypothesis is tested against every pattern
def _is_cue(f: str, lang: str) -> bool:
    """Whether the folded word f is a negation cue: listed, or matching a cue pattern and not excluded."""
    rules = lang_rules(lang)
    pats = rules.cue_regexes
    return f in rules.cues or (bool(pats) and f not in rules.cue_pattern_exclude and any(p.search(f) for p in pats))


def lexicalised_cue(folded: Sequence[str], i: int, lang: str) -> bool:
    """True when the cue at i is part of a listed sequence where it is not sentential negation."""
    for seq in lang_rules(lang).cue_exclusions.seqs:
        n = len(seq)
        for start in range(max(0, i - n + 1), i + 1):
            if tuple(folded[start:start + n]) == seq:
                return True
    return False


def _blocked_before(toks, folded, idx: int, rules: NegationRules) -> bool:
    """A subordinator, coordinator or comma before the verb/cue: it may sit in a subordinate clause or a
    second conjunct, where negating it does not negate the sentence."""
    for j in range(idx):
        if folded[j] in rules.subordinators or folded[j] in rules.coordinators:
            return True
        if rules.comma_blocks and toks[j].text in COMMAS:
            return True
    return False


def _has_subordinator(folded, rules: NegationRules) -> bool:
    return any(f in rules.subordinators for f in folded)


def _coordinated_after(toks, folded, idx: int, rules: NegationRules) -> bool:
    """A second clause or conjunct follows the negated verb ("A, B" / "A and B"): negating A alone gives
    ¬A ∧ B, which is not the negation of A ∧ B, so the contradiction → entailment flip would be wrong."""
    for j in range(idx + 1, len(toks)):
        if folded[j] in rules.coordinators:
            return True
        if toks[j].text in COMMAS and any(t.is_word for t in toks[j + 1:]):
            return True
    return False


def _cased_initial(text: str, pos: int) -> bool:
    return pos == 0 and case_flippable(text[0])


# --- idioms and case government ---------------------------------------------------------------------------


def _idiom_key(text: str, lang: str) -> str:
    """The form idioms are matched on: case-folded, typographic apostrophes straightened, spaces collapsed."""
    return regex.sub(r"\s+", " ", fold(text, lang).replace("’", "'"))


@functools.lru_cache(maxsize=None)
def _idiom_matcher(lang: str):
    rules = lang_rules(lang)
    return phrase_matcher(lang, rules.idioms if rules else (), key=_idiom_key)


@functools.lru_cache(maxsize=TEXT_MEMO)
def idiom_hit(text: str, lang: str) -> bool:
    """Whether text holds one of the language's ``idioms``: set phrases and focus words whose meaning flips or
    breaks when a negation is added to or removed from the sentence ("ewig nicht", "casi no", "不为人知",
    "cannot help", "almost"). Local negation and denegation skip such a sentence. Matched on the text, with
    word edges in spaced scripts and as a plain substring in Chinese and Thai (no spaces between words)."""
    return phrase_hit(_idiom_matcher(lang), _idiom_key(text, lang))


def result_clause(text: str, lang: str) -> bool:
    """Whether a ``result_pairs`` degree word is followed, within the sentence, by one of its result words: "was not
    so tired that she slept", "no estaba tan molesto que empecé", "too low to support": adding or removing the
    negation of the main verb leaves a result clause that no longer follows from it (audit of 0.4.0)."""
    pairs = lang_rules(lang).result_pairs
    if not pairs:
        return False
    folded = folded_tokens(text, lang)
    for i, word in enumerate(folded):
        results = pairs.get(word)
        if results and any(w in results for w in folded[i + 1:]):
            return True
    return False


def _npi_before_final(rules: NegationRules, toks, folded) -> bool:
    """``npi_if_final``: a word that is a negative-polarity item only with some final verbs (hi/ur "कोई" with a
    plural copula: "कोई स्कूल नहीं हैं" → "कोई स्कूल हैं" is ungrammatical; singular "कोई नौकरी है" is fine)."""
    table = rules.npi_if_final
    if not table:
        return False
    j = last_word(toks)
    if j is None:
        return False
    for word, finals in table.items():
        if word in folded and folded[j] in finals:
            return True
    return False


def _case_after_cue(cfg, toks, folded, i: int, lang: str) -> bool:
    """Whether removing the cue at i would leave a case the negation governed (``denegate_block_after``, ru/bg:
    the genitive of negation, "не имею отношения" → "имею отношение"): the word after the cue is a verb that
    takes a genitive subject under negation ("не существует теорий"), or a word in the object position after
    it has a genitive-looking ending. The case is not repaired (no morphological analyser), so the sentence is
    not applicable."""
    if not cfg:
        return False
    words = [k for k in range(i + 1, len(toks)) if toks[k].is_word]
    if not words:
        return False
    if folded[words[0]] in cfg.verbs:
        return True
    pattern = cfg.regex
    stop = cfg.stop
    ok = cfg.ok
    for k in words[1:1 + cfg.window]:
        if folded[k] in stop or not toks[k - 1].is_word and toks[k - 1].text in COMMAS:
            break
        if folded[k] not in ok and pattern.fullmatch(folded[k]):
            return True
    return False


# --- local negation --------------------------------------------------------------------------------------



def _match_positions(rule, folded, lang) -> list[tuple[int, int]]:
    """(first, last) token indices of every place the rule's forms or pattern match."""
    out = []
    if rule.forms:
        out += seq_spans(folded, rule.forms)
    pattern = rule.pattern
    if pattern:
        pat = pattern
        exclude = rule.exclude
        for i, f in enumerate(folded):
            if f not in exclude and pat.fullmatch(f):
                out.append((i, i))
    return sorted(set(out))


def _fronted(pattern, toks, first: int) -> bool:
    """Whether the only word before the verb (a comparative's "по-"/"най-" aside) is a predicate matching
    pattern: bg "По-евтино е да …" negates as "Не е по-евтино", not "По-евтино не е"."""
    words = [t.text for t in toks[:first] if t.is_word and t.text.lower() not in ("по", "най")]
    return len(words) == 1 and pattern.fullmatch(words[0]) is not None


def _context_ok(rule, toks, folded, first: int, last: int, lang: str) -> bool:
    nxt = folded[last + 1] if last + 1 < len(folded) else None
    prv = folded[first - 1] if first > 0 else None
    # Regular expressions see the word as written (case matters), word lists the folded form.
    raw_next = toks[last + 1].text if last + 1 < len(toks) else None
    raw_prev = toks[first - 1].text if first > 0 else None
    if rule.next_regex is not None and (raw_next is None or not rule.next_regex.fullmatch(raw_next)):
        return False
    if nxt is not None and nxt in rule.next_not:
        return False
    if rule.next_not_regex is not None and raw_next is not None and rule.next_not_regex.fullmatch(raw_next):
        return False
    if first == 0 and nxt is not None and nxt in rule.initial_next_not:
        return False
    if rule.next_last and (nxt is None or any(t.is_word for t in toks[last + 2:])):
        return False
    if prv is not None and prv in rule.prev_not:
        return False
    if rule.prev_not_regex is not None and raw_prev is not None and rule.prev_not_regex.fullmatch(raw_prev):
        return False
    if rule.first_only and first != 0:
        return False
    if rule.fronted_regex is not None and _fronted(rule.fronted_regex, toks, first):
        return False
    if rule.not_after and any(f in rule.not_after for f in folded[:first]):
        return False
    if rule.lowercase_only and first != 0 and toks[first].text[:1].isupper():
        return False
    if rule.prev_in is not None and (prv is None or prv not in rule.prev_in):
        return False
    if rule.not_first and first == 0:
        return False
    if rule.not_last_word:
        later = [t for t in toks[last + 1:] if t.is_word]
        if not later:
            return False
    if rule.last_word and any(t.is_word for t in toks[last + 1:]):
        return False
    return True


def _local_insert(rule, text, toks, folded, first, last, lang) -> list[Span] | None:
    space = rule.space
    marker = rule.marker
    spans: list[Span] = []
    if rule.insert == "after":
        end = toks[last].end
        if space and end < len(text) and text[end].isalnum():
            return None  # the segmenter cut inside a written word ("dont" → "do|nt"): no clean place
        spans.append(Span(end, end, space + marker))
        return spans
    # Walk left over clitics that stay attached to the verb (es "se inundaron" → "no se inundaron").
    start = first
    skip = rule.skip_left
    subjects = rule.no_skip_initial
    while start > 0 and folded[start - 1] in skip and toks[start - 1].is_word:
        if start - 1 == 0 and folded[0] in subjects:
            break  # fr "Vous avez dit": a sentence-initial "vous" is the subject, not an object clitic
        start -= 1
    pos = toks[start].start
    if pos > 0 and text[pos - 1] in rule.prev_char_not:
        return None  # zh "从来不是": the segmenter glued a negation to the word before ("从来不|是")
    unelide = rule.unelide
    elide = rule.elide
    if start > 0 and folded[start - 1] in unelide and toks[start - 1].end == pos:
        # fr "J'ai" → "Je n'ai pas": the elided clitic gets its full form back before the marker.
        prev = toks[start - 1]
        spans.append(Span(prev.start, prev.end, with_case(unelide[folded[start - 1]], prev.text) + " "))
    elif space and start > 0 and toks[start - 1].end == pos and not toks[start - 1].text.endswith(("'", "’")):
        return None  # glued to the previous token in a spaced language: no clean place for the marker
    shown_marker = marker + space
    if elide and elide.before.match(text[pos:pos + 1].lower()):
        shown_marker = elide.marker
    if _cased_initial(text, pos):
        spans.append(Span(pos, pos, shown_marker[:1].upper() + shown_marker[1:]))
        spans.append(Span(pos, pos + 1, text[pos].lower()))
    else:
        spans.append(Span(pos, pos, shown_marker))
    wrap = rule.wrap
    if wrap:
        spans.append(Span(toks[last].end, toks[last].end, " " + wrap))
    return spans


def _local_replace(rule, text, toks, folded, first, last, lang) -> list[Span] | None:
    table = rule.replace
    key = " ".join(folded[first:last + 1])
    if key not in table:
        return None
    start, end = toks[first].start, toks[last].end
    return [Span(start, end, with_case(table[key], text[start:end]))]


def local_negate(text: str, lang: str):
    """Spans putting the negation marker at the finite verb/copula, None, or DROPPED (scope words)."""
    out = _local_negate_memo(text, lang)
    return list(out) if isinstance(out, tuple) else out


# Memoised (as a tuple: each caller gets its own list): logic.negate.local and logic.double_negation.mixed
# negate the same hypothesis.
@functools.lru_cache(maxsize=TEXT_MEMO)
def _local_negate_memo(text: str, lang: str):
    out = _local_negate(text, lang)
    return tuple(out) if isinstance(out, list) else out


def _local_negate(text: str, lang: str):
    rules = lang_rules(lang)
    if rules is None or not text.strip() or common_blockers(text, lang, rules) or idiom_hit(text, lang) or \
            result_clause(text, lang) or is_framed(text, lang):
        return None  # (a framed text: the marker would go into the frame, "No es falso decir que …")
    toks = tokens(text, lang)
    folded = folded_tokens(text, lang)
    if cue_indices(toks, folded, lang) or has_any_seq(folded, rules.npi):
        # (an NPI in a positive sentence is a free-choice word, "can get any information": with the marker it
        # turns into "cannot get any", which is not the negation of the sentence)
        return None
    cands: list[Cand] = []
    for rule in rules.local:
        if rule.morph is not None:
            fn = morph.LOCAL[rule.morph]
            for cand in fn(rule, text, toks, folded, lang):
                cands.append(cand)
            continue
        for first, last in _match_positions(rule, folded, lang):
            if not _context_ok(rule, toks, folded, first, last, lang):
                continue
            if rule.replace is not None:
                spans = _local_replace(rule, text, toks, folded, first, last, lang)
            else:
                spans = _local_insert(rule, text, toks, folded, first, last, lang)
            if spans:
                cands.append(Cand(first, spans))
    if not cands:
        return None
    pick = (max if rules.order == "last" else min)(cands, key=lambda c: c.index)
    if _blocked_before(toks, folded, pick.index, rules):
        return None
    if _coordinated_after(toks, folded, pick.index, rules):
        return None
    if rules.order == "last" and _has_subordinator(folded, rules):
        return None
    if _before(folded, rules.clause_verbs, pick.index):
        return None  # vi "cho thấy bạn không phải …": the marker would negate the reported clause only
    j = last_word(toks)
    if j is not None and folded[j] in rules.final_particles:
        return None  # vi "sẽ không đến sớm thôi": the final particle wants the positive
    spans = _past_sentence_adverb(rules, text, toks, folded, pick.spans)
    if spans is None or _left_after(rules, toks, folded, spans):
        return None
    if has_any_seq(folded, rules.scope) or _before(folded, rules.existential_subjects, pick.index):
        # ("有人没给…", "someone did not give" is no negation of "someone gave": both can be true)
        return DROPPED
    return spans


def _left_after(rules: NegationRules, toks, folded, spans) -> bool:
    """Whether a ``local_block_after`` word (zh perfective 了) stays after the inserted marker: "我没找他谈了"
    keeps an aspect the negation excludes."""
    block = rules.local_block_after
    if not block:
        return False
    pos = min(s.start for s in spans)
    gone = [(s.start, s.end) for s in spans if s.end > s.start and not s.after]
    return any(folded[k] in block and toks[k].start >= pos and
               not any(a <= toks[k].start and toks[k].end <= b for a, b in gone) for k in range(len(toks)))


def _before(folded, index, idx: int) -> bool:
    """Whether a sequence of the index starts before token idx."""
    return not index.empty and any(lo < idx for lo, _ in seq_spans(folded, index))


def _past_sentence_adverb(rules: NegationRules, text, toks, folded, spans):
    """The marker spans, moved past a sentence adverb that follows them ("is probably not related", not "is
    not probably related") where the language allows it simply (``sentence_adverb_move``: a single inserted
    marker), else None when one of the next two words starts a ``sentence_adverbs`` phrase."""
    if rules.sentence_adverbs.empty:
        return spans
    pos = max(s.end for s in spans)
    nxt = [k for k, t in enumerate(toks) if t.is_word and t.start >= pos][:2]
    starts = dict(seq_spans(folded, rules.sentence_adverbs))
    hit = [k for k in nxt if k in starts]
    if not hit:
        return spans
    only = spans[0] if len(spans) == 1 else None
    if rules.sentence_adverb_move and only and only.start == only.end and hit[0] == nxt[0]:
        end = toks[starts[hit[0]]].end
        if end < len(text) and text[end] == " ":
            return [Span(end, end, only.after)]
    return None


# --- denegation --------------------------------------------------------------------------------------------


def _remove_token(text, toks, i) -> list[Span]:
    """Spans removing token i with one adjacent space; a removed capitalised first word passes its capital on."""
    t = toks[i]
    start, end = t.start, t.end
    glued_next = end < len(text) and text[end].isalnum()  # fr "n'est": the space before stays
    if start > 0 and text[start - 1] == " " and not glued_next:
        start -= 1
    elif start == 0 and end < len(text) and text[end] == " ":
        end += 1
    spans = [Span(start, end, "")]
    if t.start == 0 and t.text[:1].isupper() and end < len(text) and text[end].islower() \
            and case_flippable(text[end].upper()):
        spans.append(Span(end, end + 1, text[end].upper()))
    return spans


def _denegate_rule(rule: NegRule, text, toks, folded, i, lang) -> list[Span] | None:
    """Apply one ``denegate`` rule (not a morph) to the cue at token i: spans, or None when it does not fit."""
    match = _cue_match(rule, folded, i)
    if match is None:
        return None
    first, last = match
    if not _context_ok(rule, toks, folded, first, last, lang):
        return None
    if rule.action == "replace":
        return _replace_cue(rule, text, toks, folded, first, last)
    spans = _remove_cue(rule, text, toks, folded, first, last)
    if rule.pair:
        hit = _pair_hit(rule, toks, folded, last)
        if hit is None:
            return None
        spans += _remove_token(text, toks, hit)
    spans = _reelide(rule, text, toks, folded, first, last, spans)
    return _merge(spans + _restore_after(rule, text, toks, last))


def _cue_match(rule: NegRule, folded, i: int) -> tuple[int, int] | None:
    """(first, last) token indices of the rule's cue form that covers token i, the first listed form winning."""
    for seq in rule.cue.seqs if rule.cue else ():
        # The cue token i may be anywhere inside a multi-token cue ("няма да").
        for start in range(max(0, i - len(seq) + 1), i + 1):
            if tuple(folded[start:start + len(seq)]) == seq:
                return start, start + len(seq) - 1
    return None


def _replace_cue(rule: NegRule, text, toks, folded, first: int, last: int) -> list[Span] | None:
    """``action: replace``: the cue words replaced by their positive (``map``, else ``to``)."""
    repl = rule.map.get(" ".join(folded[first:last + 1]), rule.to)
    if repl is None:
        return None
    start, end = toks[first].start, toks[last].end
    return [Span(start, end, with_case(repl, text[start:end]))]


def _remove_cue(rule: NegRule, text, toks, folded, first: int, last: int) -> list[Span]:
    """``action: remove``: the cue words removed, with a listed word before them (``also_remove_prev``) or a
    glued word before a one-token cue replaced (``prev_replace``)."""
    prev_replace = rule.prev_replace
    if first > 0 and folded[first - 1] in rule.also_remove_prev:
        return _remove_range(text, toks, first - 1, last)
    if first != last:
        return _remove_range(text, toks, first, last)
    if first > 0 and folded[first - 1] in prev_replace and toks[first - 1].end == toks[first].start:
        p = toks[first - 1]
        return [Span(p.start, p.end, with_case(prev_replace[folded[first - 1]], p.text)),
                Span(toks[first].start, toks[first].end, "")]
    return _remove_token(text, toks, first)


def _pair_hit(rule: NegRule, toks, folded, last: int) -> int | None:
    """Token index of the second part of a paired cue (fr "ne … pas") within ``pair_window`` words after the
    cue, or None when it is missing or the pair is one the positive cannot be formed for."""
    hit = None
    for j in range(last + 1, min(len(toks), last + 1 + rule.pair_window)):
        if folded[j] in rule.pair:
            hit = j
            break
        if not toks[j].is_word:
            break
    if hit is None:
        return None
    if rule.pair_not_adjacent and hit == last + 1:
        return None  # fr infinitival "ne pas faire": an embedded negation
    bare = rule.bare_after_pair
    if bare:
        # fr "n'a pas eu d'agents": a partitive "de" + bare noun would need "des" in the positive.
        ok_regex = bare.ok_next_regex
        for j in range(hit + 1, min(len(toks), hit + 1 + bare.within)):
            if folded[j] in bare.words:
                nxt = folded[j + 1] if j + 1 < len(folded) else None
                if nxt not in bare.ok_next and not (nxt and ok_regex and ok_regex.fullmatch(nxt)):
                    return None
                break
    if rule.pair_not_next and hit + 1 < len(folded) and folded[hit + 1] in rule.pair_not_next:
        return None
    return hit


def _reelide(rule: NegRule, text, toks, folded, first: int, last: int, spans: list[Span]) -> list[Span]:
    """fr "Je n'ai" → "J'ai": the clitic before the removed "n'" elides again before a vowel."""
    reelide = rule.reelide
    if not (reelide and first > 0 and folded[first - 1] in reelide):
        return spans
    nxt_pos = toks[last].end
    while nxt_pos < len(text) and text[nxt_pos] == " ":
        nxt_pos += 1
    if not rule.vowel.match(text[nxt_pos:nxt_pos + 1].lower()):
        return spans
    p = toks[first - 1]
    spans = [s for s in spans if not (s.after == "" and s.start >= p.start and s.end <= toks[first].end)]
    spans.append(Span(p.start, toks[first].end, with_case(reelide[folded[first - 1]], p.text)))
    return spans


def _restore_after(rule: NegRule, text, toks, last: int) -> list[Span]:
    """What the positive needs after the removed cue: ``append_after_next``, a copula put back after a final
    participle (``final_append``), a fixed ending on the next word (``fix_next``)."""
    spans: list[Span] = []
    append = rule.append_after_next
    if append and last + 1 < len(toks):
        n = toks[last + 1]
        spans.append(Span(n.end, n.end, append))
    for fin in rule.final_append:
        # hi/ur: a sentence-final participle or modal ("कर सकता") needs the copula back in the positive.
        j = last_word(toks)
        if j is not None and j > last and fin.regex.fullmatch(toks[j].text):
            spans.append(Span(toks[j].end, toks[j].end, fin.append))
            break
    fix = rule.fix_next
    if fix and last + 1 < len(toks):
        n = toks[last + 1]
        new = fix.pattern.sub(fix.repl, n.text)
        if new != n.text:
            spans.append(Span(n.start, n.end, new))
    return spans


def _remove_range(text, toks, lo, hi) -> list[Span]:
    start, end = toks[lo].start, toks[hi].end
    if start > 0 and text[start - 1] == " ":
        start -= 1
    elif start == 0 and end < len(text) and text[end] == " ":
        end += 1
    spans = [Span(start, end, "")]
    if toks[lo].start == 0 and toks[lo].text[:1].isupper() and end < len(text) and text[end].islower() \
            and case_flippable(text[end].upper()):
        spans.append(Span(end, end + 1, text[end].upper()))
    return spans


def _merge(spans: list[Span]) -> list[Span]:
    """Sort spans and merge touching/overlapping deletions so apply_spans accepts them."""
    spans = sorted(spans, key=lambda s: (s.start, s.end))
    out: list[Span] = []
    for s in spans:
        if out and s.start < out[-1].end:
            prev = out[-1]
            if prev.after == "" and s.after == "" :
                out[-1] = Span(prev.start, max(prev.end, s.end), "")
                continue
            if prev.after == "" and s.start >= prev.start and s.end <= prev.end:
                continue
            if s.after == "" and prev.start >= s.start and prev.end <= s.end:
                out[-1] = s
                continue
            raise ValueError(f"overlapping edits {prev} {s}")
        out.append(s)
    return out


def denegate(text: str, lang: str):
    """Spans removing the single negation of text, None, or DROPPED (scope words)."""
    rules = lang_rules(lang)
    if rules is None or not text.strip():
        return None
    spans = template_strip(text, lang)
    if spans:
        return spans
    if common_blockers(text, lang, rules) or idiom_hit(text, lang) or result_clause(text, lang):
        return None
    toks = tokens(text, lang)
    folded = folded_tokens(text, lang)
    cues = cue_indices(toks, folded, lang)
    if len(cues) != 1:
        return None
    i = cues[0]
    if lexicalised_cue(folded, i, lang) or has_any_seq(folded, rules.npi) or _npi_before_final(rules, toks, folded) or \
            _case_after_cue(rules.denegate_block_after, toks, folded, i, lang):
        return None
    result = None
    for rule in rules.denegate:
        if rule.morph is not None:
            result = morph.DENEGATE[rule.morph](rule, text, toks, folded, i, lang)
        else:
            result = _denegate_rule(rule, text, toks, folded, i, lang)
        if result:
            break
    if not result:
        return None
    if _blocked_before(toks, folded, i, rules):
        return None
    if _coordinated_after(toks, folded, i, rules):
        return None
    if rules.order == "last" and _has_subordinator(folded, rules):
        return None
    if _denegate_leaves_wrong(rules, toks, folded, i):
        return None
    if has_any_seq(folded, rules.scope) or _before(folded, rules.existential_subjects, i):
        return DROPPED
    return result


def _denegate_leaves_wrong(rules: NegationRules, toks, folded, i: int) -> bool:
    """Whether the positive would be wrong once the cue at i goes: a whether/if complement after it ("not sure
    if" → "sure if"), a degree word that wants the negation (vi "đắt đến thế"), or a hi/ur imperfective
    participle left without its auxiliary ("नहीं जानती कितनी" → "जानती कितनी")."""
    if rules.whether_words and any(f in rules.whether_words for f in folded[i + 1:]):
        return True
    if any(lo > i for lo, _ in seq_spans(folded, rules.denegate_leftover)):
        return True
    need = rules.denegate_needs_aux
    if need:
        words = [k for k in range(i + 1, len(toks)) if toks[k].is_word]
        j = last_word(toks)
        if j is not None and j > i and need.participle.fullmatch(toks[j].text) and \
                any(f in need.pronouns for f in folded):
            return True  # "मैं नहीं कर सकता" → not "मैं कर सकता है" (the copula put back would be "हूँ")
        if words and words[0] != j and need.participle.fullmatch(toks[words[0]].text) and \
                (len(words) == 1 or folded[words[1]] not in need.aux):
            return True
    return False
