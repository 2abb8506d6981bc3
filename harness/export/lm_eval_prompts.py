"""The prompt words of lm-evaluation-harness's own xnli_<lang> and xcopa_<lang> tasks, so exported tasks score alike.

Provenance: lm-evaluation-harness 0.4.13 (MIT licence), lm_eval/tasks/xnli/utils.py (LANGUAGES: question word and
the three label words per language) and lm_eval/tasks/xcopa/utils.py (the cause / effect connectors). Copied as
data, word for word, including their known oddities (e.g. ar's contradiction word is "رقم", "number"): the point
is to reproduce lm-eval's prompts exactly, so that a clean xstress task scores like lm-eval's built-in task and
the difference on a perturbed task is due to the perturbation only. Checked by
tests/test_export_lm_eval.py against the installed lm_eval where it is available.
Languages that lm-eval has no prompt for (XCOPA en) are not exported to lm-eval.
"""
from __future__ import annotations

# lang: (question word, entailment word, neutral word, contradiction word)
XNLI = {
    "ar": ("صحيح", "نعم", "لذا", "رقم"),
    "bg": ("правилно", "да", "така", "не"),
    "de": ("richtig", "Ja", "Auch", "Nein"),
    "el": ("σωστός", "Ναί", "Έτσι", "όχι"),
    "en": ("right", "Yes", "Also", "No"),
    "es": ("correcto", "Sí", "Asi que", "No"),
    "fr": ("correct", "Oui", "Aussi", "Non"),
    "hi": ("सही", "हाँ", "इसलिए", "नहीं"),
    "ru": ("правильно", "Да", "Так", "Нет"),
    "sw": ("sahihi", "Ndiyo", "Hivyo", "Hapana"),
    "th": ("ถูกต้อง", "ใช่", "ดังนั้น", "ไม่"),
    "tr": ("doğru", "Evet", "Böylece", "Hayır"),
    "ur": ("صحیح", "جی ہاں", "اس لئے", "نہیں"),
    "vi": ("đúng", "Vâng", "Vì vậy", "Không"),
    "zh": ("正确", "是的", "所以", "不是的"),
}

# lang: (connector for question == "cause", connector for question == "effect")
XCOPA = {
    "et": ("sest", "seetõttu"),
    "ht": ("poukisa", "donk sa"),
    "it": ("perché", "quindi"),
    "id": ("karena", "maka"),
    "qu": ("imataq", "chaymi"),
    "sw": ("kwa sababu", "kwa hiyo"),
    "zh": ("因为", "所以"),
    "ta": ("காரணமாக", "எனவே"),
    "th": ("เพราะ", "ดังนั้น"),
    "tr": ("çünkü", "bu yüzden"),
    "vi": ("bởi vì", "vì vậy"),
}
