"""Object-typed inputs refuse an attribute their type does not declare: the type parser, the HCL it
generates, and that no input the user sets keeps a type that would drop one silently. (Terraform
runs the generated checks in tests/terraform/module.tftest.hcl, misspelt_* runs.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from flowkit.hcl_blocks import variable_blocks
from flowkit.object_inputs import (
    TypeExpr,
    declaration_as_any,
    declared_types,
    misspelt,
    parse_type,
    unknown_attributes,
)

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]

CONFIG_LOOKUP = """object({
    keys = optional(list(string), ["$.SystemEndpoint.Address"])
    items = map(object({
      greeting   = optional(string)
      attributes = optional(map(string), {})
    }))
    run_task = optional(bool, true)
  })"""


def test_reads_nested_objects_and_skips_defaults() -> None:
    kind = parse_type(CONFIG_LOOKUP)
    assert [name for name, _ in kind.attributes] == ["keys", "items", "run_task"]
    items = dict(kind.attributes)["items"]
    assert items.kind == "map" and items.element is not None
    assert [name for name, _ in items.element.attributes] == ["greeting", "attributes"]
    # A default holding parentheses, braces and quotes is passed over, not parsed.
    tricky = parse_type('object({ a = optional(string, "x) { y"), b = optional(list(number), [1, (2)]) })')
    assert [name for name, _ in tricky.attributes] == ["a", "b"]


@pytest.mark.parametrize("text", ["object({ a = strin })", "object({ a = string", "tuple([string])"])
def test_an_unreadable_type_is_an_error_not_a_pass(text: str) -> None:
    with pytest.raises(ValueError):
        parse_type(text)


def test_a_type_without_objects_needs_no_check() -> None:
    assert unknown_attributes(parse_type("map(list(string))"), "var.x", "x") is None
    assert not TypeExpr("scalar").holds_object


def test_the_check_names_the_path_and_the_known_attributes() -> None:
    check = unknown_attributes(parse_type(CONFIG_LOOKUP), "var.config_lookup", "config_lookup")
    assert check is not None
    assert 'setsubtract(keys(var.config_lookup), ["keys", "items", "run_task"])' in check
    assert "for key0, item0 in var.config_lookup.items" in check
    assert 'config_lookup.items[\\"${key0}\\"].${name} (known: greeting, attributes)' in check


def test_the_root_declaration_is_any_with_the_check() -> None:
    block = (
        'variable "bedrock" {\n  description = "d"\n  type = object({\n    model_id = string\n'
        "    max_tokens = optional(number)\n  })\n  default = null\n}"
    )
    declared = declaration_as_any("bedrock", block)
    assert "  type = any\n  default = null\n" in declared
    assert '"bedrock.${name} (known: model_id, max_tokens)"' in declared
    assert declared.endswith("  }\n}")


def test_no_root_input_has_a_type_that_drops_attributes() -> None:
    # A hand-written root variable of an object type would drop a misspelt attribute unseen: it
    # belongs in modules/plan/variables.tf, from which make gen declares it here as type = any.
    # The examples pass what they are given on to the module, so they must not drop it either.
    files = [ROOT / "variables.tf", *sorted((ROOT / "examples").glob("*/variables.tf"))]
    dropping = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in files
        for name, block in variable_blocks(path.read_text())
        if "object(" in block.split("\n  default", 1)[0]
    ]
    assert dropping == []


def test_the_demo_names_what_the_root_check_names() -> None:
    # flowkit.plan applies modules/plan alone, so it checks a tfvars file's values in Python
    # against the same types, in the same words as the root's generated validation.
    types = declared_types((ROOT / "modules" / "plan" / "variables.tf").read_text())
    assert {"vpc_config", "config_lookup", "step_functions", "worker_policy_statements"} <= set(types)
    value = {
        "keys": ["$.SystemEndpoint.Address"],
        "items": {
            '"+44"': {"gretting": "Hi."},
            "default": {"greeting": "Hello.", "attributes": {"tier": "gold"}},
        },
    }
    assert misspelt(types["config_lookup"], value, "config_lookup") == [
        'config_lookup.items["+44"].gretting (known: language, voice, engine, greeting,'
        " line_of_business, queue, attributes)"
    ]
    statements = [
        {"actions": [], "resources": [], "conditions": [{"test": "x", "variable": "y", "value": []}]}
    ]
    assert misspelt(types["worker_policy_statements"], statements, "w") == [
        "w[0].conditions[0].value (known: test, variable, values)"
    ]
    # A map of your own names (attributes) and a value of the wrong shape name nothing.
    assert misspelt(types["config_lookup"], "not an object", "config_lookup") == []
