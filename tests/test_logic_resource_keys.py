"""Every logic rule file loads, and an unknown key in any of them is an error naming the file and the key
(a misspelt key would otherwise be read by nothing and silently switch its rule off)."""
from __future__ import annotations

import pytest

from perturb.ops.logic import _rules
from perturb.ops.logic._rules import KINDS, LOGIC_LANGS, ResourceError, check_keys, resource


@pytest.mark.parametrize("kind", KINDS)
def test_every_rule_file_loads_with_known_keys_only(kind):
    loaded = [lang for lang in LOGIC_LANGS if resource(lang, kind) is not None]
    assert loaded, f"no {kind}.yaml at all"


@pytest.mark.parametrize("kind,doc,where", [
    ("negation", {"npis": ["any"]}, "npis"),
    ("negation", {"template": {"frame": "x", "frames": "y"}}, "frames"),
    ("quantifiers", {"weakne": []}, "weakne"),
    ("quantifiers", {"weaken": [{"match": "all", "to": "some", "nxt_not": ["x"]}]}, "nxt_not"),
    ("numbers", {"hedge": ["about"]}, "hedge"),
    ("distractors", {"overlap": "x", "negative": "y"}, "negative"),
])
def test_unknown_key_names_file_and_key(kind, doc, where):
    with pytest.raises(ResourceError, match=rf"logic/xx/{kind}\.yaml: unknown key '{where}'"):
        check_keys("xx", kind, doc)


def test_check_runs_at_load(tmp_path, monkeypatch):
    lang_dir = tmp_path / "en"
    lang_dir.mkdir()
    (lang_dir / "numbers.yaml").write_text("# source: test\n# licence: test\n# checked: test\nhedgez: [about]\n",
                                           encoding="utf-8")
    monkeypatch.setattr(_rules, "_resource_dir", lambda: tmp_path)
    resource.cache_clear()
    try:
        with pytest.raises(ResourceError, match=r"logic/en/numbers\.yaml: unknown key 'hedgez'"):
            resource("en", "numbers")
    finally:
        resource.cache_clear()
