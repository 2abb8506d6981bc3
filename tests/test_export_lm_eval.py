"""`xstress export --to lm-eval` round trip.

Always (offline, without lm-eval): the YAML parses, uses only lm-eval TaskConfig keys, names existing data files;
the data loads with `datasets.load_dataset("json", data_files=...)` exactly as lm-eval's ConfigurableTask
calls it; the Jinja templates rendered as lm-eval renders them (StrictUndefined, ast.literal_eval of the choice
list) give back the attack set's examples, and the target index picks the gold label's choice.
Where lm_eval is installed: its TaskManager loads the tasks and groups from --include_path, its docs equal the
attack set, `simple_evaluate(model="dummy")` runs them end to end offline, and our prompts equal those of its
built-in xnli_<lang> / xcopa_<lang> tasks for every language.
"""
from __future__ import annotations

import ast
import dataclasses

import pytest
import yaml

datasets = pytest.importorskip("datasets", reason="lm-eval tasks load their data with HF `datasets`")
jinja2 = pytest.importorskip("jinja2", reason="lm-eval renders its templates with jinja2")

from harness.export import export_attack_set  # noqa: E402
from harness.export import lm_eval_prompts  # noqa: E402
from harness.export.lm_eval import xcopa_templates, xnli_templates  # noqa: E402
from perturb.example import XNLI_LABELS  # noqa: E402
from test_export import expected, tree, xcopa_attacks, xnli_attacks  # noqa: E402,F401  (shared fixtures)

# lm-eval 0.4.13 lm_eval/config/task.py TaskConfig fields (the YAML keys a task may use) and group keys.
TASK_CONFIG_KEYS = {
    "task", "task_alias", "tag", "custom_dataset", "dataset_path", "dataset_name", "dataset_kwargs",
    "training_split", "validation_split", "test_split", "fewshot_split", "process_docs", "doc_to_text",
    "doc_to_target", "doc_to_image", "doc_to_audio", "unsafe_code", "doc_to_choice", "process_results",
    "use_prompt", "description", "target_delimiter", "fewshot_delimiter", "fewshot_config", "num_fewshot",
    "metric_list", "output_type", "generation_kwargs", "repeats", "filter_list", "should_decontaminate",
    "doc_to_decontamination_query", "gen_prefix", "metadata",
}
GROUP_KEYS = {"group", "group_alias", "task", "aggregate_metric_list", "metadata"}


@pytest.fixture(autouse=True)
def offline(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "hf-cache"))


def lm_eval_render(template: str, doc: dict) -> str:
    # lm_eval/utils.py: Environment(loader=BaseLoader, undefined=StrictUndefined, keep_trailing_newline=True)
    env = jinja2.Environment(loader=jinja2.BaseLoader, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    return env.from_string(template).render(**doc)


def load_yaml_dir(root):
    tasks, groups = {}, {}
    for path in sorted((root / "tasks").rglob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))  # no !function tags: plain YAML
        (groups if "group" in doc else tasks)[doc.get("group") or doc["task"]] = doc
    return tasks, groups


def check_export(attacks, out, task):
    tasks, groups = load_yaml_dir(out)
    exp = expected(attacks)
    assert len(tasks) == len(exp)
    seen = set()
    for name, cfg in tasks.items():
        assert set(cfg) <= TASK_CONFIG_KEYS, set(cfg) - TASK_CONFIG_KEYS
        assert cfg["output_type"] == "multiple_choice" and cfg["doc_to_target"] == "label"
        lang, op = cfg["metadata"]["xstress_lang"], cfg["metadata"]["xstress_perturbation"]
        seen.add((lang, op))
        data_file = cfg["dataset_kwargs"]["data_files"]["test"]
        assert cfg["test_split"] == "test" and (out / "data" / lang / f"{op}.jsonl").samefile(data_file)
        # lm-eval: datasets.load_dataset(path=dataset_path, name=dataset_name, **dataset_kwargs)
        docs = datasets.load_dataset(path=cfg["dataset_path"], name=cfg.get("dataset_name"),
                                     **cfg["dataset_kwargs"])["test"]
        rows = exp[(lang, op)]
        assert len(docs) == len(rows)
        for doc, row in zip(docs, rows):
            assert {k: doc[k] for k in row["fields"]} == row["fields"] and (doc["id"], doc["variant"]) == \
                   (row["id"], row["variant"])
            choices = ast.literal_eval(lm_eval_render(cfg["doc_to_choice"], doc))
            context = lm_eval_render(cfg["doc_to_text"], doc)
            gold = choices[doc["label"]]
            if task == "xnli":
                assert XNLI_LABELS[doc["label"]] == row["label"]
                q, *words = lm_eval_prompts.XNLI[lang]
                assert context == "" and len(choices) == 3
                assert gold == f"{doc['premise']}, {q}? {words[doc['label']]}, {doc['hypothesis']}"
            else:
                assert doc["label"] == row["label"]
                cause, effect = lm_eval_prompts.XCOPA[lang]
                conn = cause if doc["question"] == "cause" else effect
                assert context == doc["premise"].strip()[:-1] + " " + conn
                right = doc["choice1"] if doc["label"] == 0 else doc["choice2"]
                assert gold == right[0].lower() + right[1:]
    assert seen == set(exp)
    for name, cfg in groups.items():
        assert set(cfg) <= GROUP_KEYS
        assert set(cfg["task"]) <= set(tasks) and all(t.startswith(f"xstress_{task}_") for t in cfg["task"])
    assert set(groups) == {f"xstress_{task}_{op.replace('.', '_')}" for _, op in exp}
    return tasks, groups


def test_xnli_tasks_round_trip_offline(xnli_attacks, tmp_path):
    out = tmp_path / "lm"
    doc = export_attack_set(attacks=xnli_attacks, to="lm-eval", out=out)
    tasks, groups = check_export(xnli_attacks, out, "xnli")
    assert doc["details"]["tasks"] == sorted(tasks) and doc["details"]["groups"] == sorted(groups)
    assert "xstress_xnli_de_kb_k2" in tasks and "xstress_xnli_kb_k2" in groups


def test_xcopa_tasks_round_trip_offline(xcopa_attacks, tmp_path):
    out = tmp_path / "lm"
    export_attack_set(attacks=xcopa_attacks, to="lm-eval", out=out)
    check_export(xcopa_attacks, out, "xcopa")


def test_bytes_deterministic_for_a_given_out_dir(xnli_attacks, tmp_path):
    # The YAML names its data by absolute path, so compare two exports to the same place.
    export_attack_set(attacks=xnli_attacks, to="lm-eval", out=tmp_path / "lm")
    first = tree(tmp_path / "lm")
    export_attack_set(attacks=xnli_attacks, to="lm-eval", out=tmp_path / "lm", overwrite=True)
    assert tree(tmp_path / "lm") == first


def test_language_without_lm_eval_prompt_is_refused(tmp_path):
    from perturb.engine import generate
    from perturb.errors import UsageError
    from perturb.recipe import single_op_recipe
    from test_export import REPO

    atk = tmp_path / "atk"
    generate(task="xcopa", data=REPO / "data" / "xcopa", langs="en", recipe=single_op_recipe(["char.swap"]), out=atk)
    with pytest.raises(UsageError, match="lm-eval has no xcopa prompt for en"):
        export_attack_set(attacks=atk, to="lm-eval", out=tmp_path / "lm")


# -- against the real lm-eval, where installed ------------------------------------------------------------------

def _lm_eval():
    return pytest.importorskip("lm_eval", reason="lm-eval not installed (pip install lm_eval): the offline "
                                                 "checks above still ran; this one loads the tasks with lm-eval")


def test_task_config_keys_are_lm_evals():
    _lm_eval()
    from lm_eval.config.task import TaskConfig

    assert TASK_CONFIG_KEYS <= {f.name for f in dataclasses.fields(TaskConfig)}


@pytest.mark.parametrize("task", ["xnli", "xcopa"])
def test_prompts_equal_lm_evals_builtin_tasks(task):
    _lm_eval()
    from lm_eval.tasks import TaskManager
    from lm_eval.utils import apply_template

    try:  # lm-eval's own YAML loader (resolves `include` and `!function`); private, so tied to 0.4.13's layout
        from lm_eval.tasks._yaml_loader import load_yaml
    except ImportError:
        pytest.skip("this lm-eval version has no lm_eval.tasks._yaml_loader (written against 0.4.13)")
    tm = TaskManager()
    if not hasattr(tm, "task_index"):
        pytest.skip("this lm-eval version has no TaskManager.task_index (written against 0.4.13)")
    docs = ([{"premise": "Er sagte, \"ja\" — it's 3 o'clock.", "hypothesis": "Sie ging nicht.", "label": 1}]
            if task == "xnli" else
            [{"premise": "The man dropped the glass.", "choice1": "It broke.", "choice2": "Ölü oldu.",
              "question": q, "label": 0} for q in ("cause", "effect")])
    table = lm_eval_prompts.XNLI if task == "xnli" else lm_eval_prompts.XCOPA
    for lang in table:
        builtin = load_yaml(tm.task_index[f"{task}_{lang}"].yaml_path)
        ours = xnli_templates(lang) if task == "xnli" else xcopa_templates(lang)
        for doc in docs:
            def render(spec, doc=doc):
                return spec(doc) if callable(spec) else apply_template(spec, doc)
            assert render(ours["doc_to_text"]) == render(builtin["doc_to_text"]), lang
            assert ast.literal_eval(render(ours["doc_to_choice"])) == (
                builtin["doc_to_choice"](doc) if callable(builtin["doc_to_choice"])
                else ast.literal_eval(render(builtin["doc_to_choice"]))), lang


def test_lm_eval_loads_and_runs_the_tasks(xnli_attacks, tmp_path):
    lm_eval = _lm_eval()
    from lm_eval.tasks import TaskManager, get_task_dict

    out = tmp_path / "lm"
    export_attack_set(attacks=xnli_attacks, to="lm-eval", out=out, ops=["clean", "logic.negate"])
    tm = TaskManager(include_path=str(out / "tasks"))
    assert {"xstress_xnli_clean", "xstress_xnli_logic_negate", "xstress_xnli_de_logic_negate"} <= set(tm.all_tasks)

    def leaves(d):
        for v in d.values():
            yield from (leaves(v) if isinstance(v, dict) else [v])

    exp = expected(xnli_attacks)
    for t in leaves(get_task_dict(["xstress_xnli_logic_negate"], tm)):
        lang = t.config.metadata["xstress_lang"]
        rows = exp[(lang, "logic.negate")]
        docs = list(t.test_docs())
        assert [(t.doc_to_choice(d)[t.doc_to_target(d)]) for d in docs] == [
            f"{r['fields']['premise']}, {lm_eval_prompts.XNLI[lang][0]}? "
            f"{lm_eval_prompts.XNLI[lang][1 + XNLI_LABELS.index(r['label'])]}, {r['fields']['hypothesis']}"
            for r in rows]
    res = lm_eval.simple_evaluate(model="dummy", tasks=["xstress_xnli_clean"], task_manager=tm)
    assert {f"xstress_xnli_{l}_clean" for l in ("ar", "de", "hi")} <= set(res["results"])
    assert res["configs"]["xstress_xnli_de_clean"]["metadata"]["xstress_signature"] == "clean"
