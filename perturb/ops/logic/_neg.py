"""The negation engines behind logic.negate / denegate / double_negation: template frames, local markers, removal.

Rules and failure modes are documented in `_logic_rules` (the one place for the whole family). Every function
here returns a list of `Span`s against the input text, `None` (not applicable) or `DROPPED` (applicable but
the new label is undetermined).
"""
from __future__ import annotations

import functools
import itertools
import unicodedata
from typing import Any, Callable, Mapping, Sequence

import regex

from ...core import TEXT_MEMO, DROPPED, Span
from ._rules import (rx, LangRules, _seqs, case_flippable, common_blockers, flag, fold, folded_tokens, has_any_seq,
                           lang_rules, lower_first, rule_seqs, seq_spans, tokens)

_COMMAS = frozenset({",", "،", "、", "，", ";", "؛", ":", "—", "–"})
_SENTENCE_END = frozenset({".", "!", "?", "。", "！", "？", "।", "۔", "؟", "…"})


_SETS: dict = {}


def _wordset(obj: Mapping[str, Any], key: str, lang: str) -> frozenset[str]:
    """The folded word list obj[key], computed once (resources are cached for the process, so ids are stable)."""
    k = (id(obj), key, lang)
    out = _SETS.get(k)
    if out is None:
        out = _SETS[k] = frozenset(fold(w, lang) for w in obj.get(key) or ())
    return out


# --- template frames -------------------------------------------------------------------------------------


def _template_cfg(lang: str) -> Mapping[str, Any] | None:
    rules = lang_rules(lang)
    if rules is None:
        return None
    return rules.doc.get("template")


UNSURE = "unsure"
_PLAIN_WORD = regex.compile(r"[\p{L}\p{M}]+")
_CHUNK = regex.compile(r"\S+")
# English contractions spaCy cuts before the clitic ("I|'m", "It|'s", "Do|n't").
_CONTRACTION = {"en": regex.compile(r"([A-Za-z]+?)(?:n['’]t|['’](?:m|re|s|ve|ll|d))")}
# Elided first words that every French segmenter cuts after the apostrophe ("L'|école", "J'|ai", "Qu'|il").
_ELISION = {"fr": regex.compile(r"((?:[LlDdJjMmTtSsNnCc]|[Qq]u|[Ll]orsqu|[Pp]uisqu|[Jj]usqu)['’])[\p{L}\p{M}]+[,.;:!?…]*")}
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
    elided = _ELISION.get(lang)
    m = elided.fullmatch(chunks[0]) if elided else None
    contraction = _CONTRACTION.get(lang)
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


def _keep_capital(text: str, lang: str, premise: str, cfg: Mapping[str, Any]):
    """Whether the capitalised first word of text looks like a name (and so keeps its capital): True, False,
    or UNSURE when the only evidence is that it also opens the premise (the caller then uses the fallback
    frame, which changes no letter)."""
    words = _first_words(text, lang)
    if not words:
        return True
    word = words[0]
    low = fold(word, lang)
    keep = _wordset(cfg, "keep_case_words", lang)
    if low in keep:
        return True
    if low in _wordset(cfg, "lower_words", lang):
        return False  # closed-class words (articles, pronouns, ...) are never names
    if any(c.isupper() for c in word[1:]):
        return True
    if len(words) > 1 and words[1][:1].isupper() and fold(words[1], lang) not in keep:
        return True  # a multi-word name: "Al Qaeda", "Hà Nội"
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
            if flag(cfg.get("initial_evidence", "false")):
                return True
            unsure = True
    return UNSURE if unsure else False


def _use_fallback(text: str, lang: str, cfg: Mapping[str, Any]) -> bool:
    if cfg.get("case", "keep") == "lower" and text[0].islower():
        return True
    if any(text.startswith(s) for s in cfg.get("fallback_if_starts") or ()):
        return True
    second = _wordset(cfg, "fallback_if_second_word", lang)
    if second:
        words = _first_words(text, lang, need_second=True)
        hosts = _wordset(cfg, "fallback_unless_first", lang)
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
    if cfg is None or not text or text[0].isspace():
        return None
    rules = lang_rules(lang)
    if common_blockers(text, lang, rules) or (not stacked and is_framed(text, lang)) or is_imperative(text, lang):
        return None
    fallback = cfg.get("fallback")
    if _use_fallback(text, lang, cfg):
        return [Span(0, 0, fallback)] if fallback else None
    frame = cfg["frame"]
    first = text[0]
    lowering = False
    if cfg.get("case", "keep") == "lower" and case_flippable(first):
        keep = False if lower_first_word else _keep_capital(text, lang, premise, cfg)
        if keep == UNSURE:
            if fallback:
                return [Span(0, 0, fallback)]
            keep = True
        lowering = not keep
    shown = first.lower() if lowering else first
    elide = cfg.get("elide")
    if elide and rx(elide["before"]).match(shown.lower()):
        frame = elide["frame"]
    space_unless = cfg.get("space_unless")
    if space_unless and not rx(space_unless).match(first):
        frame += " "
    spans = [Span(0, 0, frame)]
    if lowering:
        spans.append(Span(0, 1, shown))
    return spans


def _frames(lang: str) -> tuple[str, ...]:
    """Every frame the language's template writes (plain, elided, fallback, double), case-folded."""
    cfg = _template_cfg(lang) or {}
    out = [cfg.get("frame"), (cfg.get("elide") or {}).get("frame"), cfg.get("fallback"), cfg.get("double_frame"),
           cfg.get("double_elide")]
    return tuple(fold(f.strip(), lang) for f in out if f and f.strip())


def is_framed(text: str, lang: str) -> bool:
    """Whether text already opens with one of the language's template frames: a second frame stacked on it
    ("Folgendes stimmt nicht: Folgendes stimmt nicht: …") is not an acceptable sentence."""
    head = fold(text.lstrip(_OPENERS)[:80], lang)
    return any(head.startswith(f) for f in _frames(lang))


@functools.lru_cache(maxsize=None)
def _imperative_seqs(lang: str) -> tuple[tuple[str, ...], ...]:
    rules = lang_rules(lang)
    return _seqs(lang, rules.doc.get("imperative_starts")) if rules else ()


def is_imperative(text: str, lang: str) -> bool:
    """Whether text opens with one of the language's imperative starts (``imperative_starts``: "Do not",
    "Please", a bare verb ...): an order has no truth value, so "It is not true that do not …" is nonsense."""
    seqs = _imperative_seqs(lang)
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
    double = cfg.get("double_frame") if cfg else None
    spans = template_negate(text, lang, premise) if double else None
    if not spans or (spans[0].start, spans[0].end) != (0, 0):
        return None
    inserted = spans[0].after
    elided = (cfg.get("elide") or {}).get("frame")
    if inserted.startswith(cfg["frame"]):
        new = double + inserted[len(cfg["frame"]):]
    elif elided and cfg.get("double_elide") and inserted.startswith(elided):
        new = cfg["double_elide"] + inserted[len(elided):]
    else:
        return None
    return [Span(0, 0, new), *spans[1:]]


def template_strip(text: str, lang: str):
    """Spans that remove a template frame at the start of text (restoring the first letter), or None."""
    cfg = _template_cfg(lang)
    if cfg is None:
        return None
    lower = cfg.get("case", "keep") == "lower"
    candidates = [(cfg["frame"], lower)]
    if cfg.get("elide"):
        candidates.append((cfg["elide"]["frame"], lower))
    if cfg.get("fallback"):
        candidates.append((cfg["fallback"], False))
    # Longest first: one frame may be a prefix of another.
    for frame, restore in sorted(candidates, key=lambda c: -len(c[0])):
        if not text.startswith(frame) or len(text) <= len(frame):
            continue
        end = len(frame)
        space_unless = cfg.get("space_unless")
        if space_unless and text[end] == " " and end + 1 < len(text) \
                and not rx(space_unless).match(text[end + 1]):
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


@functools.lru_cache(maxsize=None)
def _cue_patterns(lang: str) -> tuple[regex.Pattern, ...]:
    rules = lang_rules(lang)
    return tuple(regex.compile(p) for p in rules.doc.get("cue_patterns") or ())


@functools.lru_cache(maxsize=None)
def _not_cues(lang: str) -> frozenset[str]:
    return frozenset(fold(w, lang) for w in lang_rules(lang).doc.get("cue_pattern_exclude") or ())


@functools.lru_cache(maxsize=None)
def _cue_exclusions(lang: str) -> tuple[tuple[str, ...], ...]:
    from ._rules import _seqs

    return _seqs(lang, lang_rules(lang).doc.get("cue_exclusions"))


def cue_indices(toks, folded: Sequence[str], lang: str) -> list[int]:
    """Token indices of negation cues; a cue inside a listed lexicalised sequence (``nicht nur``) counts as
    a cue too, but is marked unusable by `lexicalised_cue`."""
    out = []
    paired = _paired(lang)
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
    pats = _cue_patterns(lang)
    return f in lang_rules(lang).cues or (bool(pats) and f not in _not_cues(lang) and any(p.search(f) for p in pats))


@functools.lru_cache(maxsize=None)
def _paired(lang: str) -> dict[str, frozenset[str]]:
    raw = lang_rules(lang).doc.get("paired_cues") or {}
    return {fold(k, lang): frozenset(fold(w, lang) for w in v) for k, v in raw.items()}


def lexicalised_cue(folded: Sequence[str], i: int, lang: str) -> bool:
    """True when the cue at i is part of a listed sequence where it is not sentential negation."""
    for seq in _cue_exclusions(lang):
        n = len(seq)
        for start in range(max(0, i - n + 1), i + 1):
            if tuple(folded[start:start + n]) == seq:
                return True
    return False


def _blocked_before(toks, folded, idx: int, rules: LangRules) -> bool:
    """A subordinator, coordinator or comma before the verb/cue: it may sit in a subordinate clause or a
    second conjunct, where negating it does not negate the sentence."""
    for j in range(idx):
        if folded[j] in rules.subordinators or folded[j] in rules.coordinators:
            return True
        if rules.comma_blocks and toks[j].text in _COMMAS:
            return True
    return False


def _has_subordinator(folded, rules: LangRules) -> bool:
    return any(f in rules.subordinators for f in folded)


def _coordinated_after(toks, folded, idx: int, rules: LangRules) -> bool:
    """A second clause or conjunct follows the negated verb ("A, B" / "A and B"): negating A alone gives
    ¬A ∧ B, which is not the negation of A ∧ B, so the contradiction → entailment flip would be wrong."""
    for j in range(idx + 1, len(toks)):
        if folded[j] in rules.coordinators:
            return True
        if toks[j].text in _COMMAS and any(t.is_word for t in toks[j + 1:]):
            return True
    return False


def _cased_initial(text: str, pos: int) -> bool:
    return pos == 0 and case_flippable(text[0])


# --- idioms and case government ---------------------------------------------------------------------------

_NO_SPACE_LANGS = frozenset({"zh", "th"})
_WORD_EDGE = r"[\p{L}\p{M}\p{N}]"


def _idiom_key(text: str, lang: str) -> str:
    """The form idioms are matched on: case-folded, typographic apostrophes straightened, spaces collapsed."""
    return regex.sub(r"\s+", " ", fold(text, lang).replace("’", "'"))


@functools.lru_cache(maxsize=None)
def _idiom_matcher(lang: str):
    rules = lang_rules(lang)
    forms = sorted({_idiom_key(str(i), lang).strip() for i in (rules.doc.get("idioms") or ()) if str(i).strip()},
                   key=len, reverse=True) if rules else []
    if not forms:
        return None
    if lang in _NO_SPACE_LANGS:
        return tuple(forms)
    alts = "|".join(regex.escape(f) for f in forms)
    return regex.compile(rf"(?<!{_WORD_EDGE})(?:{alts})(?!{_WORD_EDGE})")


@functools.lru_cache(maxsize=TEXT_MEMO)
def idiom_hit(text: str, lang: str) -> bool:
    """Whether text holds one of the language's ``idioms``: set phrases and focus words whose meaning flips or
    breaks when a negation is added to or removed from the sentence ("ewig nicht", "casi no", "不为人知",
    "cannot help", "almost"). Local negation and denegation skip such a sentence. Matched on the text, with
    word edges in spaced scripts and as a plain substring in Chinese and Thai (no spaces between words)."""
    matcher = _idiom_matcher(lang)
    if matcher is None:
        return False
    key = _idiom_key(text, lang)
    if isinstance(matcher, tuple):
        return any(f in key for f in matcher)
    return matcher.search(key) is not None


def _npi_before_final(rules: LangRules, toks, folded) -> bool:
    """``npi_if_final``: a word that is a negative-polarity item only with some final verbs (hi/ur "कोई" with a
    plural copula: "कोई स्कूल नहीं हैं" → "कोई स्कूल हैं" is ungrammatical; singular "कोई नौकरी है" is fine)."""
    table = rules.doc.get("npi_if_final")
    if not table:
        return False
    j = _last_word(toks)
    if j is None:
        return False
    for word in table:
        if fold(word, rules.lang) in folded and folded[j] in _wordset(table, word, rules.lang):
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
    if folded[words[0]] in _wordset(cfg, "verbs", lang):
        return True
    pattern = rx(cfg["regex"])
    stop = _wordset(cfg, "stop", lang)
    ok = _wordset(cfg, "ok", lang)
    for k in words[1:1 + int(cfg.get("window", "3"))]:
        if folded[k] in stop or not toks[k - 1].is_word and toks[k - 1].text in _COMMAS:
            break
        if folded[k] not in ok and pattern.fullmatch(folded[k]):
            return True
    return False


# --- local negation --------------------------------------------------------------------------------------


class _Cand:
    __slots__ = ("index", "spans")

    def __init__(self, index: int, spans: list[Span]):
        self.index = index
        self.spans = spans


def _with_case(repl: str, original: str) -> str:
    if original[:1].isupper() and repl[:1].islower():
        return repl[:1].upper() + repl[1:]
    return repl


def _match_positions(rule, folded, lang) -> list[tuple[int, int]]:
    """(first, last) token indices of every place the rule's forms or pattern match."""
    out = []
    if rule.get("forms"):
        out += seq_spans(folded, rule_seqs(rule, "forms", lang))
    pattern = rule.get("pattern")
    if pattern:
        pat = rx(pattern)
        exclude = _wordset(rule, "exclude", lang)
        for i, f in enumerate(folded):
            if f not in exclude and pat.fullmatch(f):
                out.append((i, i))
    return sorted(set(out))


def _context_ok(rule, toks, folded, first: int, last: int, lang: str) -> bool:
    nxt = folded[last + 1] if last + 1 < len(folded) else None
    prv = folded[first - 1] if first > 0 else None
    # Regular expressions see the word as written (case matters), word lists the folded form.
    raw_next = toks[last + 1].text if last + 1 < len(toks) else None
    raw_prev = toks[first - 1].text if first > 0 else None
    if "next_regex" in rule and (raw_next is None or not rx(rule["next_regex"]).fullmatch(raw_next)):
        return False
    if "next_not" in rule and nxt is not None and nxt in _wordset(rule, "next_not", lang):
        return False
    if "next_not_regex" in rule and raw_next is not None and rx(rule["next_not_regex"]).fullmatch(raw_next):
        return False
    if "initial_next_not" in rule and first == 0 and nxt is not None \
            and nxt in _wordset(rule, "initial_next_not", lang):
        return False
    if flag(rule.get("next_last", "false")) and (nxt is None or any(t.is_word for t in toks[last + 2:])):
        return False
    if "prev_not" in rule and prv is not None and prv in _wordset(rule, "prev_not", lang):
        return False
    if "prev_not_regex" in rule and raw_prev is not None and rx(rule["prev_not_regex"]).fullmatch(raw_prev):
        return False
    if flag(rule.get("first_only", "false")) and first != 0:
        return False
    if "not_after" in rule and any(f in _wordset(rule, "not_after", lang) for f in folded[:first]):
        return False
    if flag(rule.get("lowercase_only", "false")) and first != 0 and toks[first].text[:1].isupper():
        return False
    if "prev_in" in rule and (prv is None or prv not in _wordset(rule, "prev_in", lang)):
        return False
    if flag(rule.get("not_first", "false")) and first == 0:
        return False
    if flag(rule.get("not_last_word", "false")):
        later = [t for t in toks[last + 1:] if t.is_word]
        if not later:
            return False
    if flag(rule.get("last_word", "false")) and any(t.is_word for t in toks[last + 1:]):
        return False
    return True


def _local_insert(rule, text, toks, folded, first, last, lang) -> list[Span] | None:
    space = rule.get("space", " ")
    marker = rule["marker"]
    spans: list[Span] = []
    if rule.get("insert", "before") == "after":
        end = toks[last].end
        if space and end < len(text) and text[end].isalnum():
            return None  # the segmenter cut inside a written word ("dont" → "do|nt"): no clean place
        spans.append(Span(end, end, space + marker))
        return spans
    # Walk left over clitics that stay attached to the verb (es "se inundaron" → "no se inundaron").
    start = first
    skip = _wordset(rule, "skip_left", lang)
    subjects = _wordset(rule, "no_skip_initial", lang)
    while start > 0 and folded[start - 1] in skip and toks[start - 1].is_word:
        if start - 1 == 0 and folded[0] in subjects:
            break  # fr "Vous avez dit": a sentence-initial "vous" is the subject, not an object clitic
        start -= 1
    pos = toks[start].start
    if pos > 0 and text[pos - 1] in rule.get("prev_char_not", ""):
        return None  # zh "从来不是": the segmenter glued a negation to the word before ("从来不|是")
    unelide = {fold(k, lang): v for k, v in (rule.get("unelide") or {}).items()}
    elide = rule.get("elide")
    if start > 0 and folded[start - 1] in unelide and toks[start - 1].end == pos:
        # fr "J'ai" → "Je n'ai pas": the elided clitic gets its full form back before the marker.
        prev = toks[start - 1]
        spans.append(Span(prev.start, prev.end, _with_case(unelide[folded[start - 1]], prev.text) + " "))
    elif space and start > 0 and toks[start - 1].end == pos and not toks[start - 1].text.endswith(("'", "’")):
        return None  # glued to the previous token in a spaced language: no clean place for the marker
    shown_marker = marker + space
    if elide and rx(elide["before"]).match(text[pos:pos + 1].lower()):
        shown_marker = elide["marker"]
    if _cased_initial(text, pos):
        spans.append(Span(pos, pos, shown_marker[:1].upper() + shown_marker[1:]))
        spans.append(Span(pos, pos + 1, text[pos].lower()))
    else:
        spans.append(Span(pos, pos, shown_marker))
    wrap = rule.get("wrap")
    if wrap:
        spans.append(Span(toks[last].end, toks[last].end, " " + wrap))
    return spans


def _local_replace(rule, text, toks, folded, first, last, lang) -> list[Span] | None:
    table = {fold(k, lang): v for k, v in rule["replace"].items()}
    key = " ".join(folded[first:last + 1])
    if key not in table:
        return None
    start, end = toks[first].start, toks[last].end
    return [Span(start, end, _with_case(table[key], text[start:end]))]


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
            is_framed(text, lang):
        return None  # (a framed text: the marker would go into the frame, "No es falso decir que …")
    toks = tokens(text, lang)
    folded = folded_tokens(text, lang)
    if cue_indices(toks, folded, lang) or has_any_seq(folded, rules.npi):
        # (an NPI in a positive sentence is a free-choice word, "can get any information": with the marker it
        # turns into "cannot get any", which is not the negation of the sentence)
        return None
    cands: list[_Cand] = []
    for rule in rules.doc.get("local") or ():
        if "morph" in rule:
            fn = MORPH_LOCAL[rule["morph"]]
            for cand in fn(rule, text, toks, folded, lang):
                cands.append(cand)
            continue
        for first, last in _match_positions(rule, folded, lang):
            if not _context_ok(rule, toks, folded, first, last, lang):
                continue
            if "replace" in rule:
                spans = _local_replace(rule, text, toks, folded, first, last, lang)
            else:
                spans = _local_insert(rule, text, toks, folded, first, last, lang)
            if spans:
                cands.append(_Cand(first, spans))
    if not cands:
        return None
    pick = (max if rules.order == "last" else min)(cands, key=lambda c: c.index)
    if _blocked_before(toks, folded, pick.index, rules):
        return None
    if _coordinated_after(toks, folded, pick.index, rules):
        return None
    if rules.order == "last" and _has_subordinator(folded, rules):
        return None
    if has_any_seq(folded, rules.scope):
        return DROPPED
    return pick.spans


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


def _denegate_rule(rule, text, toks, folded, i, lang) -> list[Span] | None:
    cue_forms = rule_seqs(rule, "cue", lang)
    match = None
    for seq in cue_forms:
        # The cue token i may be anywhere inside a multi-token cue ("няма да").
        for start in range(max(0, i - len(seq) + 1), i + 1):
            if tuple(folded[start:start + len(seq)]) == seq:
                match = (start, start + len(seq) - 1)
                break
        if match:
            break
    if match is None:
        return None
    first, last = match
    if not _context_ok(rule, toks, folded, first, last, lang):
        return None
    action = rule.get("action", "remove")
    spans: list[Span] = []
    if action == "replace":
        table = {fold(k, lang): v for k, v in (rule.get("map") or {}).items()}
        key = " ".join(folded[first:last + 1])
        repl = table.get(key, rule.get("to"))
        if repl is None:
            return None
        start, end = toks[first].start, toks[last].end
        return [Span(start, end, _with_case(repl, text[start:end]))]
    # remove
    prev_replace = {fold(k, lang): v for k, v in (rule.get("prev_replace") or {}).items()}
    also_prev = _wordset(rule, "also_remove_prev", lang)
    lo = first
    if lo > 0 and folded[lo - 1] in also_prev:
        lo -= 1
    if lo < first:
        spans += _remove_range(text, toks, lo, last)
    elif first == last:
        if first > 0 and folded[first - 1] in prev_replace and toks[first - 1].end == toks[first].start:
            p = toks[first - 1]
            spans.append(Span(p.start, p.end, _with_case(prev_replace[folded[first - 1]], p.text)))
            spans.append(Span(toks[first].start, toks[first].end, ""))
        else:
            spans += _remove_token(text, toks, first)
    else:
        spans += _remove_range(text, toks, first, last)
    pair = rule.get("pair")
    if pair:
        window = int(rule.get("pair_window", 4))
        targets = _wordset(rule, "pair", lang)
        hit = None
        for j in range(last + 1, min(len(toks), last + 1 + window)):
            if folded[j] in targets:
                hit = j
                break
            if not toks[j].is_word:
                break
        if hit is None:
            return None
        if flag(rule.get("pair_not_adjacent", "false")) and hit == last + 1:
            return None  # fr infinitival "ne pas faire": an embedded negation
        bare = rule.get("bare_after_pair")
        if bare:
            # fr "n'a pas eu d'agents": a partitive "de" + bare noun would need "des" in the positive.
            words = _wordset(bare, "words", lang)
            ok_next = _wordset(bare, "ok_next", lang)
            ok_regex = bare.get("ok_next_regex")
            for j in range(hit + 1, min(len(toks), hit + 1 + int(bare.get("within", "3")))):
                if folded[j] in words:
                    nxt = folded[j + 1] if j + 1 < len(folded) else None
                    if nxt not in ok_next and not (nxt and ok_regex and rx(ok_regex).fullmatch(nxt)):
                        return None
                    break
        if rule.get("pair_not_next") and hit + 1 < len(folded) and \
                folded[hit + 1] in _wordset(rule, "pair_not_next", lang):
            return None
        spans += _remove_token(text, toks, hit)
    reelide = {fold(k, lang): v for k, v in (rule.get("reelide") or {}).items()}
    if reelide and first > 0 and folded[first - 1] in reelide:
        # fr "Je n'ai" → "J'ai": the clitic before the removed "n'" elides again before a vowel.
        nxt_pos = toks[last].end
        while nxt_pos < len(text) and text[nxt_pos] == " ":
            nxt_pos += 1
        if rx(rule.get("vowel", r"[aeiouyhàâäéèêëîïôöùûü]")).match(text[nxt_pos:nxt_pos + 1].lower()):
            p = toks[first - 1]
            spans = [s for s in spans if not (s.after == "" and s.start >= p.start and s.end <= toks[first].end)]
            spans.append(Span(p.start, toks[first].end, _with_case(reelide[folded[first - 1]], p.text)))
    append = rule.get("append_after_next")
    if append and last + 1 < len(toks):
        n = toks[last + 1]
        spans.append(Span(n.end, n.end, append))
    for fin in rule.get("final_append") or ():
        # hi/ur: a sentence-final participle or modal ("कर सकता") needs the copula back in the positive.
        j = _last_word(toks)
        if j is not None and j > last and rx(fin["regex"]).fullmatch(toks[j].text):
            spans.append(Span(toks[j].end, toks[j].end, fin["append"]))
            break
    fix = rule.get("fix_next")
    if fix and last + 1 < len(toks):
        n = toks[last + 1]
        new = rx(fix["pattern"]).sub(fix["repl"], n.text)
        if new != n.text:
            spans.append(Span(n.start, n.end, new))
    return _merge(spans)


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
    if common_blockers(text, lang, rules) or idiom_hit(text, lang):
        return None
    toks = tokens(text, lang)
    folded = folded_tokens(text, lang)
    cues = cue_indices(toks, folded, lang)
    if len(cues) != 1:
        return None
    i = cues[0]
    if lexicalised_cue(folded, i, lang) or has_any_seq(folded, rules.npi) or _npi_before_final(rules, toks, folded) or \
            _case_after_cue(rules.doc.get("denegate_block_after"), toks, folded, i, lang):
        return None
    result = None
    for rule in rules.doc.get("denegate") or ():
        if "morph" in rule:
            result = MORPH_DENEGATE[rule["morph"]](rule, text, toks, folded, i, lang)
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
    if has_any_seq(folded, rules.scope):
        return DROPPED
    return result


# --- morphology: per-language functions named by `morph:` in negation.yaml --------------------------------

MORPH_LOCAL: dict[str, Callable[..., list[_Cand]]] = {}
MORPH_DENEGATE: dict[str, Callable[..., list[Span] | None]] = {}


def _local_morph(name):
    def deco(fn):
        MORPH_LOCAL[name] = fn
        return fn
    return deco


def _denegate_morph(name):
    def deco(fn):
        MORPH_DENEGATE[name] = fn
        return fn
    return deco


def _last_word(toks) -> int | None:
    for j in range(len(toks) - 1, -1, -1):
        if toks[j].is_word:
            return j
    return None


# Turkish: vowel harmony classes.
_TR_BACK = set("aıou")
_TR_FRONT = set("eiöü")
_TR_VOWELS = _TR_BACK | _TR_FRONT
_TR_VOICELESS = set("çfhkpsşt")


def _tr_last_vowel(s: str) -> str | None:
    for ch in reversed(s):
        if ch in _TR_VOWELS or ch in "âîû":
            return {"â": "a", "î": "i", "û": "u"}.get(ch, ch)
    return None


def _tr_a(v):  # two-way harmony (a/e)
    return "a" if v in _TR_BACK else "e"


def _tr_i(v):  # four-way harmony (ı/i/u/ü)
    return {"a": "ı", "ı": "ı", "o": "u", "u": "u", "e": "i", "i": "i", "ö": "ü", "ü": "ü"}[v]


_TR_PERSON = r"(m|n|k|nız|niz|nuz|nüz|lar|ler|ız|iz|uz|üz)?"
_TR_PAST = regex.compile(r"^(?P<stem>\w*?\w\w)(?P<d>[dt])(?P<v>[ıiuü])" + r"(?P<p>m|n|k|nız|niz|nuz|nüz|lar|ler)?$")
_TR_NEG_PAST = regex.compile(r"^(?P<stem>\w*?\w\w)m(?P<a>[ae])d(?P<v>[ıi])(?P<p>m|n|k|nız|niz|lar|ler)?$")
_TR_NEG_PROG = regex.compile(r"^(?P<stem>\w*?\w)m(?P<v>[ıiuü])yor(?P<p>um|sun|uz|sunuz|lar)?$")
_TR_NEG_FUT = regex.compile(r"^(?P<stem>\w*?\w)m(?P<a>[ae])y(?P<rest>[ae]c[ae][kğ]\w*)$")


def _tr_person(p: str | None, vowel_a: str) -> str:
    """Re-harmonise a person ending after a suffix whose harmony vowel is now a/e (ı/i)."""
    if not p:
        return ""
    i = "ı" if vowel_a == "a" else "i"
    table = {"m": "m", "n": "n", "k": "k", "lar": "l" + vowel_a + "r", "ler": "l" + vowel_a + "r"}
    if p in table:
        return table[p]
    if p in ("nız", "niz", "nuz", "nüz"):
        return "n" + i + "z"
    return p


@_local_morph("tr_verb")
def _tr_local(rule, text, toks, folded, lang):
    """Sentence-final Turkish past verb (-DI) on a listed verb stem: add -mA with vowel harmony.

    Only listed stems (optionally with a passive/causative suffix) are taken: a nominal predicate with the past
    copula ("güzeldi", "açıktı") has the same ending and would become ungrammatical."""
    j = _last_word(toks)
    if j is None or toks[j].text[:1].isupper():
        return []
    word = toks[j].text
    low = fold(word, lang)
    if low != word:
        return []
    m = _TR_PAST.match(low)
    if not m or not _tr_known_stem(m["stem"], rule):
        return []
    stem = m["stem"]
    v = _tr_last_vowel(stem)
    if v is None:
        return []
    a = _tr_a(v)
    new = stem + "m" + a + "d" + ("ı" if a == "a" else "i") + _tr_person(m["p"], a)
    return [_Cand(j, [Span(toks[j].start, toks[j].end, new)])]


@functools.lru_cache(maxsize=None)
def _tr_stems(stems: tuple) -> tuple[frozenset, regex.Pattern]:
    return frozenset(stems), regex.compile(r"(?:ıl|il|ul|ül|ın|in|un|ün|n|l|t|dır|dir|dur|dür|tır|tir|tur|tür|ış|iş|uş|üş|ş)$")


def _tr_known_stem(stem: str, rule) -> bool:
    stems, voice = _tr_stems(tuple(rule["verb_stems"]))
    if stem in stems:
        return True
    # A passive/causative/reciprocal suffix on a listed stem: "kullan-ıl", "yap-tır", "bul-uş".
    m = voice.search(stem)
    return bool(m) and stem[:m.start()] in stems


def _tr_abilitative(stem: str, rule, lang: str) -> bool:
    """A stem before -mA that ends in a/e and is not a listed verb: most likely the abilitative -(y)A-
    ("inemedi" = in-e-me-di, "okuyamadı"), whose positive is "-ebildi", not "inedi"."""
    known = _wordset(rule, "verb_stems", lang)
    return bool(known) and stem[-1:] in ("a", "e") and stem not in known


@_denegate_morph("tr_verb")
def _tr_denegate(rule, text, toks, folded, i, lang):
    """Remove -mA from a sentence-final negative past, progressive or future verb."""
    if i != _last_word(toks):
        return None
    word = toks[i].text
    low = fold(word, lang)
    if low != word:
        return None
    m = _TR_NEG_PAST.match(low) or _TR_NEG_PROG.match(low) or _TR_NEG_FUT.match(low)
    if m and _tr_abilitative(m["stem"], rule, lang):
        return None
    m = _TR_NEG_PAST.match(low)
    if m:
        stem = m["stem"]
        v = _tr_last_vowel(stem)
        if v is None:
            return None
        d = "t" if stem[-1] in _TR_VOICELESS else "d"
        vi = _tr_i(v)
        new = stem + d + vi + _tr_person_after(m["p"], vi)
        return [Span(toks[i].start, toks[i].end, new)]
    soften = {fold(w, lang): v for w, v in (rule.get("soften") or {}).items()}
    m = _TR_NEG_PROG.match(low)
    if m:
        stem = m["stem"]
        if stem in soften:
            stem = soften[stem]  # "et-miyor" → "ed-iyor"
        elif stem.endswith("t"):
            return None  # t/d alternation not known for this stem
        if stem[-1] in "ae":
            # "başla-mıyor" → "başlıyor": a stem-final a/e is replaced by the progressive's vowel.
            base = stem[:-1]
        else:
            base = stem
        v = _tr_last_vowel(base)
        if v is None:
            return None
        new = base + _tr_i(v) + "yor" + (m["p"] or "")
        return [Span(toks[i].start, toks[i].end, new)]
    m = _TR_NEG_FUT.match(low)
    if m:
        stem = m["stem"]
        if stem in soften:
            stem = soften[stem]
        elif stem.endswith("t"):
            return None
        rest = m["rest"]
        glue = "y" if stem[-1] in _TR_VOWELS else ""
        new = stem + glue + rest
        return [Span(toks[i].start, toks[i].end, new)]
    return None


def _tr_person_after(p, vi):
    if not p:
        return ""
    if p in ("m", "n", "k"):
        return p
    if p in ("nız", "niz"):
        return "n" + vi + "z"
    if p in ("lar", "ler"):
        return "lar" if vi in "ıu" else "ler"
    return p


# Swahili: subject prefixes and their negative forms.
def _sw_tables(rule):
    pos = {k: v for k, v in rule["subject_prefixes"].items()}  # affirmative → negative prefix
    return pos, {v: k for k, v in pos.items()}


@_local_morph("sw_verb")
def _sw_local(rule, text, toks, folded, lang):
    """Swahili past -li-/future -ta- verbs: negative subject prefix, -li- → -ku-."""
    pos, _ = _sw_tables(rule)
    exclude = _wordset(rule, "exclude", lang)
    prefixes = sorted(pos, key=len, reverse=True)
    out = []
    for j, t in enumerate(toks):
        if not t.is_word or t.text[:1].isupper() and j > 0:
            continue
        low = folded[j]
        if low in exclude or not low.isalpha():
            continue
        for p in prefixes:
            if not low.startswith(p):
                continue
            rest = low[len(p):]
            mono = _wordset(rule, "monosyllabic", lang)
            for tense, neg in (("li", "ku"), ("ta", "ta")):
                if rest.startswith(tense):
                    stem = rest[len(tense):]
                    # A verb stem ends in -a (Bantu verbs; loans in -i/-u are skipped) and is not a relative form;
                    # it starts with a consonant unless it is a listed vowel-initial verb ("kitaifa" is ki-taifa,
                    # "national", not ki-ta-ifa: the re-audit found "hakitaifa").
                    vowel_ok = stem[:1] not in "aeiou" or stem in _wordset(rule, "vowel_stems", lang)
                    if len(stem) >= 3 and stem.endswith("a") and vowel_ok and not rx(rule["relative"]).match(stem):
                        if tense == "li" and stem.startswith("ku") and stem[2:] in mono:
                            stem = stem[2:]  # "alikuwa" → "hakuwa": monosyllabic verbs lose ku in the negative
                        new = pos[p] + neg + stem
                        new = _with_case(new, t.text) if j == 0 else new
                        out.append(_Cand(j, [Span(t.start, t.end, new)]))
                        break
            else:
                continue
            break
    return out


@_denegate_morph("sw_verb")
def _sw_denegate(rule, text, toks, folded, i, lang):
    """Swahili negative past (neg prefix + ku) / future (neg prefix + ta) → affirmative."""
    _, neg = _sw_tables(rule)
    low = folded[i]
    for p in sorted(neg, key=len, reverse=True):
        if not low.startswith(p):
            continue
        rest = low[len(p):]
        mono = _wordset(rule, "monosyllabic", lang)
        for tense, aff in (("ku", "li"), ("ta", "ta")):
            if not rest.startswith(tense):
                continue
            stem = rest[len(tense):]
            if tense == "ku" and stem in mono:
                stem = "ku" + stem  # "hakuwa" → "alikuwa"
            if len(stem) >= 3 and stem.endswith("a") and not rx(rule["relative"]).match(stem):
                new = neg[p] + aff + stem
                return [Span(toks[i].start, toks[i].end, _with_case(new, toks[i].text))]
    return None


@_local_morph("de_nicht")
def _de_local(rule, text, toks, folded, lang):
    """German: copula/auxiliary (V2), then ``nicht`` before the final lowercase predicate word."""
    aux = _wordset(rule, "aux", lang)
    blockers = _wordset(rule, "block_between", lang)
    j = _last_word(toks)
    if j is None:
        return []
    for k in range(j):
        if folded[k] in aux:
            break
    else:
        return []
    if k == 0 or k >= j - 0:
        return []
    last = toks[j]
    if not last.text[:1].islower() or not last.text.isalpha():
        return []
    if folded[j] in _wordset(rule, "last_not", lang):
        return []
    # A degree adverb or an inflected attributive word just before the last word belongs to it ("sehr
    # dunkle Haut", "ewig dankbar"): "nicht" would have to go before that word, so skip.
    before = toks[j - 1]
    if folded[j - 1] in _wordset(rule, "before_last_not", lang):
        return []
    if before.text[:1].islower() and rx(rule.get("attributive", r"$^")).fullmatch(before.text):
        return []
    if any(folded[m] in blockers for m in range(k + 1, j)):
        return []
    if not _de_middle_field_ok(rule, toks, folded, k, j, lang):
        return []
    return [_Cand(k, [Span(last.start, last.start, "nicht ")])]


# A separable verb's zu-infinitive written as one word ("vorzunehmen", "anzurufen").
_DE_ZU_INFINITIVE = regex.compile(
    r"(?:ab|an|auf|aus|bei|dar|durch|ein|fest|fort|her|hin|los|mit|nach|um|vor|weg|weiter|wieder|zurück|zusammen)"
    r"zu[a-zäöüß]{2,}(?:en|ern|eln)")


@_local_morph("de_kein")
def _de_kein(rule, text, toks, folded, lang):
    """German: the one indefinite article of the sentence → "kein" ("hat einen Bruder" → "hat keinen Bruder",
    "ist eine gute Idee" → "ist keine gute Idee"): "nicht ... ein" is not how German negates an indefinite.
    Not after a preposition or a focus word ("in einer Bank", "nur ein"), not before "paar"/"bisschen" (a
    quantity, not an article), and only when a noun (capitalised) follows within three words."""
    table = {fold(k, lang): v for k, v in rule["map"].items()}
    hits = [m for m, f in enumerate(folded) if f in table or f in _wordset(rule, "others", lang)]
    if len(hits) != 1 or folded[hits[0]] not in table:
        return []
    m = hits[0]
    if m == 0 or folded[m - 1] in _wordset(rule, "prev_not", lang):
        return []  # a sentence-initial indefinite is often generic ("Eine Karte kostet 12 Euro")
    if any(f == "zu" or _DE_ZU_INFINITIVE.fullmatch(f) for f in folded[m + 1:]):
        return []  # inside a zu-infinitive ("versuchte, eine Antwort zu geben"): "keine" would negate it alone
    after = toks[m + 1:m + 4]
    if not after or folded[m + 1] in _wordset(rule, "next_not", lang):
        return []
    for t in after:
        if not t.is_word:
            return []
        if t.text[:1].isupper():
            break
        if not rx(rule.get("attributive", r"$^")).fullmatch(t.text):
            return []  # only inflected adjectives stand between the article and its noun
    else:
        return []
    t = toks[m]
    return [_Cand(m, [Span(t.start, t.end, _with_case(table[folded[m]], t.text))])]


def _de_middle_field_ok(rule, toks, folded, k: int, j: int, lang: str) -> bool:
    """Whether "nicht" may go right before the final predicate word: the words between the finite verb (k) and
    that word (j) must all stand before "nicht". A prepositional phrase there may be a complement that
    "nicht" precedes ("nicht in Betracht gezogen", "nicht nach Hause gegangen"), and a bare noun needs "kein"
    ("kein Geld gespart", "keine Probleme geben"), so either makes the sentence not applicable. A noun counts
    as definite when a determiner or pronoun stands between it and the previous noun."""
    middle = _wordset(rule, "block_middle", lang)
    determiners = _wordset(rule, "determiners", lang)
    free = _wordset(rule, "middle_ok", lang)
    seen_det = False
    for m in range(k + 1, j):
        t = toks[m]
        if not t.is_word:
            if t.text in _COMMAS:
                return False
            continue
        f = folded[m]
        if f in middle:
            return False
        if f in determiners:
            seen_det = True
        elif t.text[:1].isupper():
            if not seen_det:
                return False  # a bare noun or a name: "kein", or an order we cannot check
            seen_det = False
        elif not seen_det and f not in free:
            return False  # a predicative or manner word: "nicht" goes before it
    return True


@_local_morph("ar_future")
def _ar_local(rule, text, toks, folded, lang):
    """Arabic future: سـ + imperfect → لن + imperfect (not for -ون plurals, whose subjunctive drops the n)."""
    out = []
    for j, t in enumerate(toks):
        m = rx(r"([وف]?)س([يتنأ]\w{2,})").fullmatch(t.text)
        if m and not t.text.endswith("ون"):
            out.append(_Cand(j, [Span(t.start, t.end, m[1] + "لن " + m[2])]))
    return out


@_denegate_morph("ar_future")
def _ar_denegate(rule, text, toks, folded, i, lang):
    """Arabic لن + imperfect → سـ + imperfect (same -ون restriction)."""
    t = toks[i]
    m = rx(r"([وف]?)لن").fullmatch(t.text)
    if not m or i + 1 >= len(toks):
        return None
    v = toks[i + 1]
    if v.start != t.end + 1 or not rx(r"[يتنأ]\w{2,}").fullmatch(v.text) or v.text.endswith(("وا", "ون")):
        return None
    return [Span(t.start, v.end, m[1] + "س" + v.text)]


# One-character resultative and directional complements jieba may cut from their verb ("爱上了" → 爱|上|了).
_ZH_RESULTATIVE = frozenset("上到完成住掉见懂好走出起下来去开")


@_local_morph("zh_le")
def _zh_local(rule, text, toks, folded, lang):
    """Chinese perfective: V了O → 没V O ("聊了3个小时" → "没聊3个小时"); 没 goes before 被/把 with the verb.

    Only a 了 with more of the clause after it (a sentence-final 了 may follow an object, where 没 cannot go),
    and only when the token before it is a plain verb token (jieba sometimes glues a time word to the verb,
    e.g. "年建")."""
    bad_start = tuple(rule.get("bad_verb_start") or ())
    causative = _wordset(rule, "not_after", lang)
    out = []
    for j, t in enumerate(toks):
        if t.text != "了" or j == 0:
            continue
        if not any(x.is_word for x in toks[j + 1:]):
            continue
        v = toks[j - 1]
        if not rx(r"\p{Han}{1,2}").fullmatch(v.text) or v.text.startswith(bad_start):
            continue
        if v.text in _ZH_RESULTATIVE and j > 1 and rx(r"\p{Han}+").fullmatch(toks[j - 2].text):
            continue  # a resultative complement cut from its verb ("爱|上|了"): 没 belongs before the verb
        if any(f in causative for f in folded[:j - 1]):
            continue
        if j + 1 < len(toks) and folded[j + 1] in _wordset(rule, "not_before", lang):
            continue
        k = j - 1
        adverbs = _wordset(rule, "skip_left", lang)
        # A passive/disposal marker earlier in the clause takes 没 before it: "他被提前告知了" → "他没被提前告知".
        markers = _wordset(rule, "marker_left", lang)
        for m in range(j - 2, -1, -1):
            if not toks[m].is_word:
                break
            if folded[m] in markers:
                k = m
                break
        while k > 0 and folded[k - 1] in adverbs:
            k -= 1
        if toks[k].start > 0 and text[toks[k].start - 1] in rule.get("prev_char_not", ""):
            break  # a negation glued to the word before ("从未|去过"): the sentence is already negative
        spans = [Span(toks[k].start, toks[k].start, "没"), Span(t.start, t.end, "")]
        out.append(_Cand(j - 1, spans))
        break
    return out


@_denegate_morph("zh_neg")
def _zh_denegate(rule, text, toks, folded, i, lang):
    """Chinese: drop 不 / 并不 (also when glued to the verb by the segmenter: "并不知道" → "知道"); 没有/没 →
    有 (standard before a noun; before a verb it is colloquial/southern usage, see the failure modes)."""
    t = toks[i]
    word = t.text
    exact = {k: v for k, v in (rule.get("map") or {}).items()}
    if word in exact:
        new = exact[word]
        if new == "":
            start = t.start
            if i > 0 and toks[i - 1].text == "并" and toks[i - 1].end == t.start:
                start = toks[i - 1].start
            return [Span(start, t.end, "")]
        return [Span(t.start, t.end, new)]
    for prefix in rule.get("strip_prefixes") or ():
        if word.startswith(prefix) and len(word) > len(prefix):
            if len(word) - len(prefix) >= 3:
                return None  # a four-character set phrase ("不为人知", "不可思议"): no positive by dropping 不
            return [Span(t.start, t.start + len(prefix), "")]
    return None


@functools.lru_cache(maxsize=TEXT_MEMO)
def _th_tags(words: tuple[str, ...]) -> tuple[str, ...]:
    """ORCHID word classes of Thai tokens (PyThaiNLP's perceptron tagger: deterministic, bundled, offline)."""
    from pythainlp.tag import pos_tag

    return tuple(tag for _, tag in pos_tag(list(words), corpus="orchid"))


@_denegate_morph("th_maidai")
def _th_maidai(rule, text, toks, folded, i, lang):
    """Thai preverbal "ไม่ได้" after a noun subject and before an action verb → "ได้" (the past marker stays:
    "ระบบวิเคราะห์การเดินทาง" would read as one compound noun). None elsewhere, so the next rules apply."""
    if i == 0 or not toks[i - 1].is_word:
        return None
    if folded[i] == "ไม่" and i + 2 < len(toks) and folded[i + 1] == "ได้":
        first, last, verb = i, i + 1, i + 2
    elif folded[i] == "ไม่ได้" and i + 1 < len(toks):
        first, last, verb = i, i, i + 1
    else:
        return None
    if not toks[verb].is_word:
        return None
    tags = _th_tags(tuple(t.text for t in toks))
    if not tags[i - 1].startswith("N") or tags[verb] != "VACT":
        return None
    return [Span(toks[first].start, toks[last].end, "ได้")]
