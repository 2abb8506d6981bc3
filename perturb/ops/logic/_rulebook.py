"""The logic YAML resources parsed once into frozen, validated rule objects, with their word sets folded and
their regular expressions compiled at load.

Every key of a rule file is a typed field of one of the dataclasses below (its `kind` in the field metadata).
An unknown key, or a value of the wrong shape (a string where a list is expected, a flag that is not
true/false, a number that is not an integer, a regular expression that does not compile), is a
`ResourceError` naming the file and the key path ("logic/en/negation.yaml: local[3].next_not: expected a
list of words, got the string 'to'"). What the rules mean is documented in docs/logic-rules.md and `_rules`.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any, Mapping

import regex

from . import morph
from ._rules import ResourceError, SeqIndex, fold, phrase_matcher, resource, rx, token_seqs

_EMPTY_MAP: Mapping[str, Any] = MappingProxyType({})


def _kind(kind, default=None):
    """A field read from the YAML: `kind` says how the value is checked and converted (see `_convert`)."""
    if isinstance(default, Mapping):  # (a mapping proxy is unhashable, so dataclasses want a factory)
        return field(default_factory=lambda: default, metadata={"kind": kind})
    return field(default=default, metadata={"kind": kind})


def _what(value) -> str:
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"the string {value!r}" if isinstance(value, str) else type(value).__name__


class _Where:
    """The file and key path a value came from, for error messages."""

    __slots__ = ("file", "lang", "path")

    def __init__(self, file: str, lang: str, path: str = ""):
        self.file, self.lang, self.path = file, lang, path

    def at(self, key) -> "_Where":
        step = f"[{key}]" if isinstance(key, int) else (f".{key}" if self.path else str(key))
        return _Where(self.file, self.lang, self.path + step)

    def error(self, message: str) -> ResourceError:
        return ResourceError(f"{self.file}: {self.path or 'top level'}: {message}")


def _words(value, where: _Where) -> tuple[str, ...]:
    if not isinstance(value, list) or any(isinstance(v, (list, Mapping)) for v in value):
        raise where.error(f"expected a list of words, got {_what(value)}")
    return tuple(str(v) for v in value)


def _string(value, where: _Where) -> str:
    if not isinstance(value, str):
        raise where.error(f"expected a string, got {_what(value)}")
    return value


def _flag(value, where: _Where) -> bool:
    text = str(value).lower() if isinstance(value, (str, bool)) else None
    if text in ("true", "yes"):
        return True
    if text in ("false", "no"):
        return False
    raise where.error(f"expected true or false, got {_what(value)}")


def _integer(value, where: _Where) -> int:
    if isinstance(value, str) and regex.fullmatch(r"-?[0-9]+", value.strip()):
        return int(value)
    raise where.error(f"expected an integer, got {_what(value)}")


def _pattern(value, where: _Where) -> regex.Pattern:
    try:
        return rx(_string(value, where))
    except regex.error as e:
        raise where.error(f"not a valid regular expression: {e}") from None


def _mapping(value, where: _Where, convert) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise where.error(f"expected a mapping, got {_what(value)}")
    return MappingProxyType({str(k): convert(v, where.at(str(k))) for k, v in value.items()})


def _convert(kind, value, where: _Where):
    """Check one YAML value against its field kind and convert it to its frozen form."""
    lang = where.lang
    if isinstance(kind, tuple):  # (one|many, RuleClass): a nested rule or a list of them
        count, cls = kind
        if count == "one":
            return cls.parse(value, where)
        if not isinstance(value, list):
            raise where.error(f"expected a list of rules, got {_what(value)}")
        return tuple(cls.parse(v, where.at(n)) for n, v in enumerate(value))
    if kind == "str":
        return _string(value, where)
    if kind == "bool":
        return _flag(value, where)
    if kind == "int":
        return _integer(value, where)
    if kind == "regex":
        return _pattern(value, where)
    if kind == "words":  # as written, in order
        return _words(value, where)
    if kind == "wordset":  # folded, for membership tests
        return frozenset(fold(w, lang) for w in _words(value, where))
    if kind == "abbrevs":  # folded, without the final full stop ("U.S." → "u.s")
        return frozenset(fold(w, lang).rstrip(".") for w in _words(value, where))
    if kind == "seqs":  # folded token sequences ("not only" → ("not", "only")), matched against a sentence
        return SeqIndex(token_seqs(lang, _words(value, where)))
    if kind == "map":  # folded key → replacement as written
        return MappingProxyType({fold(k, lang): v for k, v in _mapping(value, where, _string).items()})
    if kind == "rawmap":  # key as written → value as written
        return _mapping(value, where, _string)
    if kind == "mapsets":  # folded key → folded word set
        return MappingProxyType({fold(k, lang): frozenset(fold(w, lang) for w in v)
                                 for k, v in _mapping(value, where, _words).items()})
    raise AssertionError(f"unknown field kind {kind!r}")


class _Parsed:
    """Mixin: `parse` builds the frozen object from a YAML mapping, field by field, then `derive` fills the
    fields computed from others (compiled indexes, combined lists)."""

    __slots__ = ()

    @classmethod
    def parse(cls, raw, where: _Where):
        if not isinstance(raw, Mapping):
            raise where.error(f"expected a mapping, got {_what(raw)}")
        spec = {f.name: f.metadata["kind"] for f in fields(cls) if "kind" in f.metadata}
        values = {}
        for key, value in raw.items():
            if key == "_provenance":
                continue
            if key not in spec:
                raise where.error(f"unknown key {key!r}; allowed: {', '.join(sorted(spec))}")
            values[key] = _convert(spec[key], value, where.at(key))
        return cls(**values, **cls.derive(values, where))

    @classmethod
    def derive(cls, values: Mapping[str, Any], where: _Where) -> dict[str, Any]:
        return {}


_rule = dataclass(frozen=True, slots=True)


# --- negation.yaml -------------------------------------------------------------------------------------------


@_rule
class TemplateElide(_Parsed):
    """The frame's elided form ("Il est faux de dire qu'") and the first letters that take it."""

    before: regex.Pattern | None = _kind("regex")
    frame: str | None = _kind("str")


@_rule
class Template(_Parsed):
    """The "it is not true that …" frame of a language and when to use its fallback instead."""

    frame: str | None = _kind("str")
    case: str = _kind("str", "keep")
    initial_evidence: bool = _kind("bool", False)
    fallback: str | None = _kind("str")
    keep_case_words: frozenset[str] = _kind("wordset", frozenset())
    lower_words: frozenset[str] = _kind("wordset", frozenset())
    fallback_if_starts: tuple[str, ...] = _kind("words", ())
    fallback_if_second_word: frozenset[str] = _kind("wordset", frozenset())
    fallback_unless_first: frozenset[str] = _kind("wordset", frozenset())
    elide: TemplateElide | None = _kind(("one", TemplateElide))
    space_unless: regex.Pattern | None = _kind("regex")
    double_frame: str | None = _kind("str")
    double_elide: str | None = _kind("str")
    # A first word whose lowercase form has a wordfreq Zipf frequency under this many tenths is a name (0: off;
    # only for languages where wordfreq has data of its own; vi 30, where every real syllable is frequent;
    # en/fr/es 1, i.e. a word wordfreq never saw: inflected rare forms would otherwise count as names)
    rare_name_zipf10: int = _kind("int", 0)

    @classmethod
    def derive(cls, values, where):
        if "frame" not in values:
            raise where.error("a template needs a 'frame'")
        if values.get("case", "keep") not in ("keep", "lower"):
            raise where.at("case").error(f"expected keep or lower, got {values['case']!r}")
        return {}

    def frames(self) -> tuple[str, ...]:
        """Every frame this template writes (plain, elided, fallback, double), as written."""
        return tuple(f for f in (self.frame, self.elide.frame if self.elide else None, self.fallback,
                                 self.double_frame, self.double_elide) if f)


@_rule
class MarkerElide(_Parsed):
    """The marker's elided form (fr "n'") and the first letters that take it."""

    before: regex.Pattern | None = _kind("regex")
    marker: str | None = _kind("str")


@_rule
class BareAfterPair(_Parsed):
    """fr "pas de" + bare noun: the words that make a partitive and what may follow them."""

    words: frozenset[str] = _kind("wordset", frozenset())
    ok_next: frozenset[str] = _kind("wordset", frozenset())
    ok_next_regex: regex.Pattern | None = _kind("regex")
    within: int = _kind("int", 3)


@_rule
class FinalAppend(_Parsed):
    """hi/ur: a sentence-final form matching `regex` gets `append` after it in the positive."""

    regex: regex.Pattern | None = _kind("regex")
    append: str = _kind("str", "")


@_rule
class FixNext(_Parsed):
    """A substitution on the word after the removed cue (ar: the accusative -ًا after ليس)."""

    pattern: regex.Pattern | None = _kind("regex")
    repl: str = _kind("str", "")


@_rule
class BlockAfter(_Parsed):
    """ru/bg ``denegate_block_after``: verbs and endings that show a genitive of negation after the cue."""

    verbs: frozenset[str] = _kind("wordset", frozenset())
    regex: regex.Pattern | None = _kind("regex")
    stop: frozenset[str] = _kind("wordset", frozenset())
    ok: frozenset[str] = _kind("wordset", frozenset())
    window: int = _kind("int", 3)


@_rule
class NeedsAux(_Parsed):
    """hi/ur ``denegate_needs_aux``: an imperfective participle right after the cue that needs an auxiliary
    (person and number unknown) when the cue goes: "نہیں جانتی کتنی" → "جانتی کتنی" is not Urdu."""

    participle: regex.Pattern | None = _kind("regex")
    aux: frozenset[str] = _kind("wordset", frozenset())
    # a first/second-person subject: the copula final_append puts back (है/ہے) would have the wrong person
    pronouns: frozenset[str] = _kind("wordset", frozenset())


_FR_VOWEL = r"[aeiouyhàâäéèêëîïôöùûü]"


@_rule
class NegRule(_Parsed):
    """One ``local`` (add a negation) or ``denegate`` (remove one) rule of negation.yaml."""

    # what the rule matches
    forms: SeqIndex | None = _kind("seqs")
    pattern: regex.Pattern | None = _kind("regex")
    exclude: frozenset[str] = _kind("wordset", frozenset())
    cue: SeqIndex | None = _kind("seqs")
    morph: str | None = _kind("str")
    # context conditions (lists folded, regular expressions on the word as written)
    next_regex: regex.Pattern | None = _kind("regex")
    next_not: frozenset[str] = _kind("wordset", frozenset())
    next_not_regex: regex.Pattern | None = _kind("regex")
    initial_next_not: frozenset[str] = _kind("wordset", frozenset())
    next_last: bool = _kind("bool", False)
    prev_in: frozenset[str] | None = _kind("wordset")
    prev_not: frozenset[str] = _kind("wordset", frozenset())
    # bg "По-евтино е да …": a predicate fronted alone before the copula takes the negation before it instead
    fronted_regex: regex.Pattern | None = _kind("regex")
    prev_not_regex: regex.Pattern | None = _kind("regex")
    first_only: bool = _kind("bool", False)
    not_after: frozenset[str] = _kind("wordset", frozenset())
    not_before: frozenset[str] = _kind("wordset", frozenset())
    lowercase_only: bool = _kind("bool", False)
    not_first: bool = _kind("bool", False)
    not_last_word: bool = _kind("bool", False)
    last_word: bool = _kind("bool", False)
    # local: insert a marker or replace the matched words
    marker: str | None = _kind("str")
    insert: str = _kind("str", "before")
    space: str = _kind("str", " ")
    skip_left: frozenset[str] = _kind("wordset", frozenset())
    no_skip_initial: frozenset[str] = _kind("wordset", frozenset())
    prev_char_not: str = _kind("str", "")
    unelide: Mapping[str, str] = _kind("map", _EMPTY_MAP)
    elide: MarkerElide | None = _kind(("one", MarkerElide))
    wrap: str | None = _kind("str")
    replace: Mapping[str, str] | None = _kind("map")
    # denegate: remove the cue (with a pair) or replace it
    action: str = _kind("str", "remove")
    map: Mapping[str, str] = _kind("map", _EMPTY_MAP)
    to: str | None = _kind("str")
    prev_replace: Mapping[str, str] = _kind("map", _EMPTY_MAP)
    also_remove_prev: frozenset[str] = _kind("wordset", frozenset())
    pair: frozenset[str] = _kind("wordset", frozenset())
    pair_window: int = _kind("int", 4)
    pair_not_adjacent: bool = _kind("bool", False)
    pair_not_next: frozenset[str] = _kind("wordset", frozenset())
    bare_after_pair: BareAfterPair | None = _kind(("one", BareAfterPair))
    reelide: Mapping[str, str] = _kind("map", _EMPTY_MAP)
    vowel: regex.Pattern = _kind("regex", rx(_FR_VOWEL))
    append_after_next: str | None = _kind("str")
    final_append: tuple[FinalAppend, ...] = _kind(("many", FinalAppend), ())
    fix_next: FixNext | None = _kind(("one", FixNext))
    # morphology (perturb/ops/logic/morph/): word lists and tables of the per-language functions
    aux: frozenset[str] = _kind("wordset", frozenset())
    block_between: frozenset[str] = _kind("wordset", frozenset())
    last_not: frozenset[str] = _kind("wordset", frozenset())
    before_last_not: frozenset[str] = _kind("wordset", frozenset())
    attributive: regex.Pattern = _kind("regex", rx(r"$^"))
    block_middle: frozenset[str] = _kind("wordset", frozenset())
    determiners: frozenset[str] = _kind("wordset", frozenset())
    middle_ok: frozenset[str] = _kind("wordset", frozenset())
    others: frozenset[str] = _kind("wordset", frozenset())
    bad_verb_start: tuple[str, ...] = _kind("words", ())
    marker_left: frozenset[str] = _kind("wordset", frozenset())
    strip_prefixes: tuple[str, ...] = _kind("words", ())
    subject_prefixes: Mapping[str, str] = _kind("rawmap", _EMPTY_MAP)
    monosyllabic: frozenset[str] = _kind("wordset", frozenset())
    vowel_stems: frozenset[str] = _kind("wordset", frozenset())
    relative: regex.Pattern | None = _kind("regex")
    verb_stems: frozenset[str] = _kind("wordset", frozenset())
    soften: Mapping[str, str] = _kind("map", _EMPTY_MAP)

    @classmethod
    def derive(cls, values, where):
        if values.get("insert", "before") not in ("before", "after"):
            raise where.at("insert").error(f"expected before or after, got {values['insert']!r}")
        if values.get("action", "remove") not in ("remove", "replace"):
            raise where.at("action").error(f"expected remove or replace, got {values['action']!r}")
        return {}


def _check_neg_rule(section: str, known, rule: NegRule, where: _Where) -> None:
    """A rule that could never fire, or would fail on its first match, is an error at load."""
    if rule.morph is not None:
        if rule.morph not in known:
            raise where.at("morph").error(
                f"no {section} morphology named {rule.morph!r}; known: {', '.join(sorted(known))}")
    elif section == "local":
        if rule.forms is None and rule.pattern is None:
            raise where.error("a local rule needs 'forms', 'pattern' or 'morph'")
        if rule.replace is None and rule.marker is None:
            raise where.error("a local rule needs 'marker' (or 'replace')")
    elif rule.cue is None:
        raise where.error("a denegate rule needs 'cue' or 'morph'")


@_rule
class NegationRules(_Parsed):
    """The parsed negation.yaml of one language: cues, blockers, the template frame and the local/denegate
    rules, with every word list folded and every pattern compiled."""

    lang: str = ""
    template: Template | None = _kind(("one", Template))
    abbreviations: frozenset[str] = _kind("abbrevs", frozenset())
    cues: frozenset[str] = _kind("wordset", frozenset())
    cue_exclusions: SeqIndex = _kind("seqs", SeqIndex(()))
    cue_patterns: tuple[str, ...] = _kind("words", ())
    cue_pattern_exclude: frozenset[str] = _kind("wordset", frozenset())
    paired_cues: Mapping[str, frozenset[str]] = _kind("mapsets", _EMPTY_MAP)
    npi: SeqIndex = _kind("seqs", SeqIndex(()))
    scope: SeqIndex = _kind("seqs", SeqIndex(()))
    coordinators: frozenset[str] = _kind("wordset", frozenset())
    subordinators: frozenset[str] = _kind("wordset", frozenset())
    comma_blocks: bool = _kind("bool", True)
    order: str = _kind("str", "first")  # first | last: which matching verb local negation takes
    local: tuple[NegRule, ...] = _kind(("many", NegRule), ())
    denegate: tuple[NegRule, ...] = _kind(("many", NegRule), ())
    idioms: tuple[str, ...] = _kind("words", ())
    imperative_starts: SeqIndex = _kind("seqs", SeqIndex(()))
    denegate_block_after: BlockAfter | None = _kind(("one", BlockAfter))
    npi_if_final: Mapping[str, frozenset[str]] = _kind("mapsets", _EMPTY_MAP)
    # audit of 0.4.0 (issue 13): where the marker may not go, or where adding/removing it changes more
    sentence_adverbs: SeqIndex = _kind("seqs", SeqIndex(()))
    sentence_adverb_move: bool = _kind("bool", False)
    initial_conjunctions: frozenset[str] = _kind("wordset", frozenset())
    existential_subjects: SeqIndex = _kind("seqs", SeqIndex(()))
    clause_verbs: SeqIndex = _kind("seqs", SeqIndex(()))
    final_particles: frozenset[str] = _kind("wordset", frozenset())
    whether_words: frozenset[str] = _kind("wordset", frozenset())
    denegate_leftover: SeqIndex = _kind("seqs", SeqIndex(()))
    denegate_needs_aux: NeedsAux | None = _kind(("one", NeedsAux))
    local_block_after: frozenset[str] = _kind("wordset", frozenset())
    # a degree word and the words that open its result clause ("so … that", "tan … que", "too … to"): the
    # clause's sense hangs on the polarity of the main verb, so neither local negation nor denegation edits it
    result_pairs: Mapping[str, frozenset[str]] = _kind("mapsets", _EMPTY_MAP)
    # derived at load
    cue_regexes: tuple[regex.Pattern, ...] = ()

    @classmethod
    def derive(cls, values, where):
        if values.get("order", "first") not in ("first", "last"):
            raise where.at("order").error(f"expected first or last, got {values['order']!r}")
        for section, known in (("local", morph.LOCAL), ("denegate", morph.DENEGATE)):
            for n, rule in enumerate(values.get(section, ())):
                _check_neg_rule(section, known, rule, where.at(section).at(n))
        regexes = []
        for n, p in enumerate(values.get("cue_patterns", ())):
            try:
                regexes.append(regex.compile(p))
            except regex.error as e:
                raise where.at("cue_patterns").at(n).error(f"not a valid regular expression: {e}") from None
        return {
            "lang": where.lang,
            "cue_regexes": tuple(regexes),
        }


# --- quantifiers.yaml, numbers.yaml, distractors.yaml ----------------------------------------------------------


@_rule
class InsertBefore(_Parsed):
    """zh: where 都 goes when "some" becomes "all" (before the first listed word or word start)."""

    words: frozenset[str] = _kind("wordset", frozenset())
    regex: regex.Pattern | None = _kind("regex")
    text: str = _kind("str", "")


@_rule
class QuantRule(_Parsed):
    """One quantifier swap: the phrase to match ("*" is one word), what replaces it and its context checks."""

    match: str = _kind("str", "")
    to: str = _kind("str", "")
    agree: Mapping[str, str] | None = _kind("map")
    agree_prefix: Mapping[str, str] = _kind("map", _EMPTY_MAP)
    insert_before: InsertBefore | None = _kind(("one", InsertBefore))
    next_in: frozenset[str] | None = _kind("wordset")
    next_not: frozenset[str] = _kind("wordset", frozenset())
    next_not_regex: regex.Pattern | None = _kind("regex")
    next_regex: regex.Pattern | None = _kind("regex")
    not_first: bool = _kind("bool", False)
    prev_not: frozenset[str] = _kind("wordset", frozenset())
    prev_not_regex: regex.Pattern | None = _kind("regex")
    remove_next: str | None = _kind("str")
    star_not: frozenset[str] = _kind("wordset", frozenset())
    star_not_regex: regex.Pattern | None = _kind("regex")
    # derived at load: the folded match pattern and its words other than "*"
    pattern: tuple[str, ...] = ()
    pattern_words: frozenset[str] = frozenset()

    @classmethod
    def derive(cls, values, where):
        if "match" not in values or "to" not in values:
            raise where.error("a quantifier rule needs both 'match' and 'to'")
        pattern = tuple(fold(p, where.lang) for p in values["match"].split(" ") if p)
        return {"pattern": pattern, "pattern_words": frozenset(p for p in pattern if p != "*")}


@_rule
class QuantifierRules(_Parsed):
    """The parsed quantifiers.yaml of one language."""

    weaken: tuple[QuantRule, ...] = _kind(("many", QuantRule), ())
    strengthen: tuple[QuantRule, ...] = _kind(("many", QuantRule), ())
    blockers: tuple[str, ...] = _kind("words", ())
    # comparatives, "others", collective and duration predicates ("better than others", "all senders
    # combined", "it takes long to make all …"), where the swap's entailment fails
    context_blockers: tuple[str, ...] = _kind("words", ())
    exclude: tuple[str, ...] = _kind("words", ())
    exclude_more: tuple[str, ...] = _kind("words", ())
    # a quantifier over one of these is a frequency ("every year", "kila siku"), never swapped
    time_nouns: frozenset[str] = _kind("wordset", frozenset())
    # how many words may precede the quantifier phrase: it must be the subject's determiner
    max_start: int = _kind("int", 0)
    quantifiers: SeqIndex = _kind("seqs", SeqIndex(()))
    # derived at load
    all_blockers: SeqIndex = SeqIndex(())
    all_excluded: SeqIndex = SeqIndex(())

    @classmethod
    def derive(cls, values, where):
        lang = where.lang
        return {
            "all_blockers": SeqIndex(token_seqs(lang, [*values.get("blockers", ()),
                                                       *values.get("context_blockers", ())])),
            "all_excluded": SeqIndex(token_seqs(lang, [*values.get("exclude", ()), *values.get("exclude_more", ())])),
        }

    def rules(self, direction: str) -> tuple[QuantRule, ...]:
        return self.weaken if direction == "weaken" else self.strengthen


@_rule
class NumberRules(_Parsed):
    """The parsed numbers.yaml of one language."""

    agreement: str = _kind("str", "default")
    window: int = _kind("int", 3)
    hedges: SeqIndex = _kind("seqs", SeqIndex(()))
    post_hedges: frozenset[str] = _kind("wordset", frozenset())
    range_words: frozenset[str] = _kind("wordset", frozenset())
    name_words: frozenset[str] = _kind("wordset", frozenset())
    function_words: frozenset[str] = _kind("wordset", frozenset())
    date_words: frozenset[str] = _kind("wordset", frozenset())
    years: str = _kind("str", "1000-2100")
    count_side: str = _kind("str", "next")
    capital_names: bool = _kind("bool", True)
    block_suffix: regex.Pattern | None = _kind("regex")
    # phrases that judge an amount ("too much", "enough", "太多")
    evaluative: tuple[str, ...] = _kind("words", ())
    # derived at load
    year_range: tuple[int, int] = (1000, 2100)
    evaluative_matcher: regex.Pattern | tuple[str, ...] | None = None

    @classmethod
    def derive(cls, values, where):
        m = regex.fullmatch(r"([0-9]+)-([0-9]+)", values.get("years", "1000-2100"))
        if not m:
            raise where.at("years").error(f"expected a range such as 1000-2100, got {values['years']!r}")
        if values.get("count_side", "next") not in ("next", "prev", "both"):
            raise where.at("count_side").error(f"expected next, prev or both, got {values['count_side']!r}")
        return {"year_range": (int(m[1]), int(m[2])),
                "evaluative_matcher": phrase_matcher(where.lang, values.get("evaluative", ()))}


@_rule
class Distractors(_Parsed):
    """The parsed distractors.yaml of one language: the two tautologies."""

    overlap: str = _kind("str", "")
    negation: str = _kind("str", "")

    def phrase(self, kind: str) -> str:
        return self.overlap if kind == "overlap" else self.negation


# --- loaders ---------------------------------------------------------------------------------------------------


def _load(cls, lang: str, kind: str):
    raw = resource(lang, kind)
    if raw is None:
        return None
    return cls.parse(raw, _Where(f"logic/{lang}/{kind}.yaml", lang))


@functools.lru_cache(maxsize=None)
def negation_rules(lang: str) -> NegationRules | None:
    """negation.yaml of lang as a frozen `NegationRules`, or None when the language has none."""
    return _load(NegationRules, lang, "negation")


@functools.lru_cache(maxsize=None)
def quantifier_rules(lang: str) -> QuantifierRules | None:
    """quantifiers.yaml of lang as a frozen `QuantifierRules`, or None when the language has none."""
    return _load(QuantifierRules, lang, "quantifiers")


@functools.lru_cache(maxsize=None)
def number_rules(lang: str) -> NumberRules | None:
    """numbers.yaml of lang as a frozen `NumberRules`, or None when the language has none."""
    return _load(NumberRules, lang, "numbers")


@functools.lru_cache(maxsize=None)
def distractor_rules(lang: str) -> Distractors | None:
    """distractors.yaml of lang as a frozen `Distractors`, or None when the language has none."""
    return _load(Distractors, lang, "distractors")


LOADERS = {"negation": negation_rules, "quantifiers": quantifier_rules, "numbers": number_rules,
           "distractors": distractor_rules}
