"""Chinese morphology for negation.yaml `morph: zh_le` and `zh_neg`: perfective V了O turned into 没VO, and 不/没有
removed or replaced."""
from __future__ import annotations

from ....core import Span
from .._rules import rx
from .base import Cand


# One-character resultative and directional complements jieba may cut from their verb ("爱上了" → 爱|上|了).
_RESULTATIVE = frozenset("上到完成住掉见懂好走出起下来去开")


def _local(rule, text, toks, folded, lang):
    """Chinese perfective: V了O → 没V O ("聊了3个小时" → "没聊3个小时"); 没 goes before 被/把 with the verb.

    Only a 了 with more of the clause after it (a sentence-final 了 may follow an object, where 没 cannot go),
    and only when the token before it is a plain verb token (jieba sometimes glues a time word to the verb,
    e.g. "年建")."""
    bad_start = rule.bad_verb_start
    causative = rule.not_after
    out = []
    for j, t in enumerate(toks):
        if t.text != "了" or j == 0:
            continue
        if not any(x.is_word for x in toks[j + 1:]):
            continue
        v = toks[j - 1]
        if not rx(r"\p{Han}{1,2}").fullmatch(v.text) or v.text.startswith(bad_start):
            continue
        if v.text in _RESULTATIVE and j > 1 and rx(r"\p{Han}+").fullmatch(toks[j - 2].text):
            continue  # a resultative complement cut from its verb ("爱|上|了"): 没 belongs before the verb
        if any(f in causative for f in folded[:j - 1]):
            continue
        if j + 1 < len(toks) and folded[j + 1] in rule.not_before:
            continue
        k = j - 1
        adverbs = rule.skip_left
        # A passive/disposal marker earlier in the clause takes 没 before it: "他被提前告知了" → "他没被提前告知".
        markers = rule.marker_left
        for m in range(j - 2, -1, -1):
            if not toks[m].is_word:
                break
            if folded[m] in markers:
                k = m
                break
        while k > 0 and folded[k - 1] in adverbs:
            k -= 1
        if toks[k].start > 0 and text[toks[k].start - 1] in rule.prev_char_not:
            break  # a negation glued to the word before ("从未|去过"): the sentence is already negative
        spans = [Span(toks[k].start, toks[k].start, "没"), Span(t.start, t.end, "")]
        out.append(Cand(j - 1, spans))
        break
    return out


# 没/没有 negate a verb as well as a noun; 有 before a verb is colloquial/southern only ("有料到"), so denegation
# keeps only 没有 + noun. (Where jieba glued 不 to a one-character word, the word is lexical — 不悦, 不满,
# 不久 — unless the character is one of these free verbs: "不想" → "想".)
_VERBAL_NEG = frozenset({"没有", "没", "并没有"})
_FREE_AFTER_BU = frozenset("想要用够懂会能敢肯爱信去来吃喝说看买做走怕在是让")


def _verb_follows(text: str, pos: int) -> bool:
    """Whether the word after pos is a verb or adverb by jieba's part-of-speech tags (v*, d*, p*: "没有料到",
    "没有再去", "没有在"), other than a verb modifying a noun with 的."""
    import jieba.posseg as pseg  # (imported here: only Chinese denegation needs the tagger)
    words = [w for w in pseg.lcut(text[pos:pos + 12]) if w.word.strip()]
    if not words or words[0].flag[:1] not in ("v", "d", "p") or words[0].flag == "vn":
        return False  # (a verbal noun, "没有工作" = has no job, takes 有)
    # a verb before 的 modifies a noun ("没有爆炸的机会" = there is no chance of an explosion): 有 + noun phrase
    return not (len(words) > 1 and words[0].flag[:1] == "v" and words[1].word == "的")


def _denegate(rule, text, toks, folded, i, lang):
    """Chinese: drop 不 / 并不 (also when glued to the verb by the segmenter: "并不知道" → "知道"); 没有/没 →
    有 (standard before a noun; before a verb it is colloquial/southern usage, see the failure modes)."""
    t = toks[i]
    word = t.text
    exact = rule.map  # (folding leaves Han characters as they are)
    if word in _VERBAL_NEG and _verb_follows(text, t.end):
        return None  # "没有料到" → "有料到" is no standard Chinese (the positive is "料到了")
    if word in exact:
        new = exact[word]
        if new == "":
            start = t.start
            if i > 0 and toks[i - 1].text == "并" and toks[i - 1].end == t.start:
                start = toks[i - 1].start
            return [Span(start, t.end, "")]
        return [Span(t.start, t.end, new)]
    for prefix in rule.strip_prefixes:
        if word.startswith(prefix) and len(word) > len(prefix):
            if len(word) - len(prefix) >= 3:
                return None  # a four-character set phrase ("不为人知", "不可思议"): no positive by dropping 不
            if len(word) - len(prefix) == 1 and word[-1] not in _FREE_AFTER_BU:
                return None  # a word of its own ("不悦", "不满", "不安", "不久"): "悦" is no free word
            return [Span(t.start, t.start + len(prefix), "")]
    return None


LOCAL = {"zh_le": _local}
DENEGATE = {"zh_neg": _denegate}
