"""Study models (abclab.config): safe YAML, one error format with lines, the JSON Schema."""

from __future__ import annotations

import json
import time
from pathlib import Path

import jsonschema
import pytest
import yaml

from abclab.config import load_study, study_from_dict, study_json_schema
from abclab.config._yaml import MAX_EXPANDED_NODES, load_yaml
from abclab.exceptions import StudyError

ROOT = Path(__file__).resolve().parents[1]
STUDIES = [
    ROOT / "data" / "demo" / "study.yaml",
    ROOT / "data" / "demo" / "study_zh.yaml",
    ROOT / "abclab" / "study_example.yaml",
]

MINIMAL = """\
name: t
data:
  customers: {path: c.csv}
criteria:
  spend: {direction: benefit}
  margin: {}
methods: [pareto]
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "study.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_duplicate_key_is_an_error_naming_both_lines(tmp_path):
    """``margin`` twice used to be one criterion (PyYAML keeps the last)."""
    text = MINIMAL.replace("  margin: {}\n", "  margin: {}\n  margin: {direction: cost}\n")
    with pytest.raises(
        StudyError, match=r"^study.yaml: criteria.margin: key given twice \(lines 6 and 7\)"
    ):
        load_study(_write(tmp_path, text))


def test_alias_bomb_is_refused_quickly(tmp_path):
    """A 'billion laughs' document (9 levels of 10 aliases = 10^9 nodes) stops at the bound."""
    lines = ['a0: &a0 ["lol"]']
    for i in range(1, 10):
        refs = ", ".join(f"*a{i - 1}" for _ in range(10))
        lines.append(f"a{i}: &a{i} [{refs}]")
    text = MINIMAL.replace("name: t\n", "\n".join(lines) + "\nname: t\n") + "description: *a9\n"
    start = time.perf_counter()
    with pytest.raises(
        StudyError, match=f"aliases expand the document to more than {MAX_EXPANDED_NODES:,}"
    ):
        load_study(_write(tmp_path, text))
    assert time.perf_counter() - start < 5  # bounded work, not a timing benchmark


def test_small_aliases_are_fine_and_not_shared(tmp_path):
    text = MINIMAL.replace(
        "criteria:\n  spend: {direction: benefit}\n  margin: {}\n",
        "criteria:\n  spend: &c {direction: benefit}\n  margin: *c\n",
    )
    study = load_study(_write(tmp_path, text))
    assert [c.direction for c in study.criteria] == ["benefit", "benefit"]


def test_yaml_lines_recorded_for_every_key():
    parsed = load_yaml(MINIMAL, source="s.yaml")
    assert parsed.lines[("criteria", "margin")] == 6
    assert parsed.lines[("methods", 0)] == 7


def test_errors_name_key_path_line_and_list_every_problem(tmp_path):
    text = MINIMAL.replace("{direction: benefit}", "{direction: up}").replace(
        "methods: [pareto]", "methods:\n  - pareto: {cutoffs: [0.9, 0.8]}\nseed: -1"
    )
    with pytest.raises(StudyError) as info:
        load_study(_write(tmp_path, text))
    lines = str(info.value).splitlines()
    assert "study.yaml: seed: expected an integer >= 0, got -1 (line 9)" in lines
    assert (
        "study.yaml: criteria.spend.direction: expected 'benefit' or 'cost', got 'up' (line 5)"
        in lines
    )
    assert any(
        line.startswith("study.yaml: methods[0].pareto.cutoffs: expected 2 increasing")
        and line.endswith("(line 8)")
        for line in lines
    )
    assert len(lines) == 3


def test_not_a_mapping(tmp_path):
    with pytest.raises(StudyError, match="^study.yaml: expected a mapping of study keys"):
        load_study(_write(tmp_path, "- a\n- b\n"))


@pytest.mark.parametrize(
    ("method", "params", "message"),
    [
        ("kmeans", {"k": 0}, "methods[0].kmeans.k: expected an integer >= 2, got 0"),
        ("kmeans", {"k": 3, "k_range": [2, 4]}, "methods[0].kmeans.k_range: give k or k_range"),
        (
            "shares",
            {"shares": [0.5, 0.5, 0.3]},
            "methods[0].shares.shares: expected 3 non-negative",
        ),
        ("pareto", {"cutoffs": [0.95, 0.8]}, "methods[0].pareto.cutoffs: expected 2 increasing"),
        (
            "weighted_abc",
            {"cutoffs": [0.8, 0.95]},
            "methods[0].weighted_abc.cutoffs: 'cutoffs' is not used with how: shares",
        ),
        ("bands", {"bands": [60, 75]}, "methods[0].bands.bands: expected strictly decreasing"),
        ("bands", {"labels": ["a", "b"]}, "methods[0].bands.labels: expected 4 labels"),
        ("zhou_fan", {"lam": 1.5}, "methods[0].zhou_fan.lam: expected a number <= 1"),
        ("ng", {"order": ["spend"]}, "methods[0].ng.order: expected each criterion once"),
        ("rfm", {}, "methods[0].rfm.recency: rfm reads the criterion 'recency_days' by default"),
        (
            "value_potential",
            {"labels": ["S", "S", "B", "C"]},
            "methods[0].value_potential.labels: expected four distinct",
        ),
    ],
)
def test_bad_method_parameters_fail_at_load(method, params, message):
    data = yaml.safe_load(MINIMAL)
    data["methods"] = [{method: params}]
    with pytest.raises(
        StudyError, match="(?m)^s.yaml: " + message.replace("[", r"\[").replace("]", r"\]")
    ):
        study_from_dict(data, source="s.yaml")


def test_sensitivity_method_must_be_compared():
    data = yaml.safe_load(MINIMAL)
    data["sensitivity"] = {"method": "topsis"}
    with pytest.raises(
        StudyError, match=r"sensitivity.method: expected one of 'pareto', got 'topsis'"
    ):
        study_from_dict(data, source="s.yaml")


def test_judgements_must_cover_every_criterion():
    data = yaml.safe_load(MINIMAL)
    data["criteria"]["tenure"] = {}
    data["weights"] = {"ahp": {"experts": {"boss": {"judgements": {"spend > margin": 3}}}}}
    with pytest.raises(
        StudyError,
        match=r"weights.ahp.experts.boss.judgements: expected judgements on every criterion, none on 'tenure'",
    ):
        study_from_dict(data, source="s.yaml")


@pytest.mark.parametrize("path", STUDIES, ids=lambda p: p.name)
def test_bundled_studies_satisfy_the_json_schema(path):
    schema = study_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    jsonschema.validate(json.loads(json.dumps(document, default=str)), schema)


def test_schema_rejects_what_the_models_reject():
    schema = study_json_schema()
    bad = yaml.safe_load(MINIMAL)
    bad["criteria"]["spend"]["diretion"] = "cost"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)
    bad = yaml.safe_load(MINIMAL)
    bad["methods"] = [{"pareto": {"cutof": [0.8, 0.9]}}]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)
    bad["methods"] = ["magic"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def test_study_is_frozen():
    study = study_from_dict(yaml.safe_load(MINIMAL))
    with pytest.raises(Exception, match="frozen"):
        study.seed = 3  # type: ignore[misc]


def test_merge_keys_let_explicit_keys_override(tmp_path):
    """YAML merge keys (``<<: *base``) are defaults: a key written next to them wins, and is
    not a duplicate; two written keys still are."""
    parsed = load_yaml("c: {a: &b {x: 1, y: 2}, s: {<<: *b, y: 3}}\n", source="s.yaml")
    assert parsed.data["c"]["s"] == {"x": 1, "y": 3}
    with pytest.raises(StudyError, match=r"c.s.y: key given twice"):
        load_yaml("c: {s: {y: 1, y: 3}}\n", source="s.yaml")


def test_schema_accepts_what_the_models_accept():
    """The short forms the models take (a criterion with no options, ``sensitivity: true``,
    an empty cleaning policy, a number as the name) are valid for editors too."""
    doc = {
        "name": 2024,
        "data": {"customers": {"path": "c.csv"}},
        "criteria": {"spend": None, "margin": {}},
        "methods": ["pareto"],
        "sensitivity": True,
        "cleaning": {"default": None},
    }
    jsonschema.validate(doc, study_json_schema())
    assert study_from_dict(doc).sensitivity is not None


@pytest.mark.parametrize(
    ("source", "option", "kind", "allowed"),
    [
        ("customers: {path: c.csv, sheet: 客户}", "customers.sheet", "a CSV file",
         "'encoding', 'sep', 'decimal', 'header_row', 'missing_values'"),
        ("customers: {path: c.parquet, sheet: 0}", "customers.sheet", "a Parquet file",
         "'missing_values'"),
        ("customers: {path: c.xlsx, encoding: gbk}", "customers.encoding", "an XLSX workbook",
         "'sheet', 'decimal', 'header_row', 'missing_values'"),
        ("customers: {path: c.xlsx, sep: ';'}", "customers.sep", "an XLSX workbook", None),
        ("customers: {path: c.parquet, decimal: ','}", "customers.decimal", "a Parquet file",
         None),
        ("transactions: {path: t.xlsx, customer: c, date: d, amount: a, sep: ';'}",
         "transactions.sep", "an XLSX workbook", None),
        ("transactions: {path: t.parquet, customer: c, date: d, amount: a, encoding: gbk}",
         "transactions.encoding", "a Parquet file", None),
        ("previous: {path: p.csv, tier_column: tier, sheet: final}", "previous.sheet",
         "a CSV file", "'encoding', 'sep', 'header_row', 'missing_values'"),
    ],
)  # fmt: skip
def test_reader_options_the_file_type_ignores_are_refused(tmp_path, source, option, kind, allowed):
    """``sheet`` on a CSV or Parquet file, ``encoding``/``sep`` on an XLSX workbook, ``decimal``
    on a Parquet file would be ignored: refused at load time with the key path and its line."""
    text = MINIMAL.replace(
        "  customers: {path: c.csv}\n", "  customers: {path: c.csv}\n  " + source + "\n"
    )
    if source.startswith("customers"):
        text = text.replace("  customers: {path: c.csv}\n", "", 1)
    with pytest.raises(StudyError) as err:
        load_study(_write(tmp_path, text))
    key = option.split(".")[1]
    message = str(err.value)
    assert f"study.yaml: data.{option}: {key} is not an option of {kind} (" in message
    line = 3 if source.startswith("customers") else 4  # the line of the option's key
    assert message.endswith(f"(line {line})")
    if allowed:
        assert f"its reader options are {allowed} (line" in message


def test_reader_options_of_the_file_type_are_accepted(tmp_path):
    text = MINIMAL.replace(
        "  customers: {path: c.csv}\n",
        "  customers: {path: c.xlsx, sheet: 1, header_row: 3, missing_values: [暂无]}\n"
        "  previous: {path: p.csv, tier_column: tier, encoding: gbk, sep: ';'}\n",
    )
    study = load_study(_write(tmp_path, text))
    assert study.data.customers.read_options().sheet == 1
    assert study.data.previous.read_options().encoding == "gbk"


def test_study_knows_the_line_of_every_key(tmp_path):
    study = load_study(_write(tmp_path, MINIMAL))
    assert study.line_of("criteria", "margin") == 6
    assert study.line_of("data", "customers", "path") == 3
    assert study.line_of("criteria", "margin", "direction") == 6  # a default: its parent's line
    assert study_from_dict(yaml.safe_load(MINIMAL), base_dir=tmp_path).line_of("criteria") is None
