"""terraform-aws-modules conventions, enforced: typed, described, validated, documented."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import hcl2
import pytest

from scripts.terraform_docs import MODULES
from tests.support.terraform_runner import ROOT

pytestmark = pytest.mark.terraform

PLAN = ROOT / "modules/plan"
VARIABLE_FILES = [
    ROOT / "variables.tf",
    PLAN / "variables.tf",
    PLAN / "settings.tf",
    *ROOT.glob("examples/*/variables.tf"),
]
OUTPUT_FILES = [ROOT / "outputs.tf", PLAN / "outputs.tf", *ROOT.glob("examples/*/outputs.tf")]


def _blocks(path: Path, kind: str) -> dict[str, dict[str, Any]]:
    with path.open() as handle:
        document = hcl2.load(handle)
    return {name.strip('"'): body for entry in document.get(kind, []) for name, body in entry.items()}


def test_every_module_has_a_generated_readme() -> None:
    # The root's, every submodule's and every example's (their freshness: test_generated.py).
    assert {ROOT, PLAN, ROOT / "examples" / "basic"} <= set(MODULES)


@pytest.mark.parametrize("path", VARIABLE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_variable_is_typed_and_described(path: Path) -> None:
    for name, body in _blocks(path, "variable").items():
        assert "type" in body, f"{name} has no type"
        assert len(str(body.get("description", "")).strip('"')) > 10, f"{name} has no description"


@pytest.mark.parametrize("path", OUTPUT_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_output_is_described(path: Path) -> None:
    for name, body in _blocks(path, "output").items():
        assert len(str(body.get("description", "")).strip('"')) > 10, f"{name} has no description"


def _plan_variables() -> dict[str, dict[str, Any]]:
    return {**_blocks(PLAN / "variables.tf", "variable"), **_blocks(PLAN / "settings.tf", "variable")}


def _plan_call() -> dict[str, Any]:
    with (ROOT / "main.tf").open() as handle:
        call: dict[str, Any] = next(
            entry['"plan"'] for entry in hcl2.load(handle)["module"] if '"plan"' in entry
        )
    return {key: value for key, value in call.items() if not key.startswith("__") and key != "source"}


def test_the_root_passes_every_optional_plan_input_as_its_own_variable_of_the_same_name() -> None:
    # The plan's optional inputs are the root's settings: declared by the root (generated), and
    # passed as they are, so the root, the demo and the benchmarks all plan the same call.
    call = _plan_call()
    optional = {name for name, body in _plan_variables().items() if "default" in body}
    root = _blocks(ROOT / "variables.tf", "variable")
    assert optional <= set(root)
    assert {name: call.get(name) for name in optional} == {name: f"${{var.{name}}}" for name in optional}
    # The others are the wiring: what the root creates. Nothing else is passed.
    assert set(call) == set(_plan_variables())


def test_every_root_tunable_is_validated_here_or_in_the_plan_module() -> None:
    plan_variables = _plan_variables()
    validated_by_plan = {name for name, body in plan_variables.items() if "validation" in body}
    exempt_types = {"bool", "${map(string)}"}  # switches, and free-form tags
    unvalidated = [
        name
        for name, body in _blocks(ROOT / "variables.tf", "variable").items()
        if "validation" not in body and name not in validated_by_plan and body["type"] not in exempt_types
    ]
    assert unvalidated == []
    # A root declaration of a plan setting carries no validation of its own: the plan's is the
    # rule. (The plan's wiring inputs, such as tracker_table_name, are the root's to compute.)
    # The one exception is generated: an object input, declared type = any here, names an
    # attribute its type does not declare before the plan's conversion drops it.
    settings = {name for name, body in plan_variables.items() if "default" in body}
    doubled = [
        name
        for name, body in _blocks(ROOT / "variables.tf", "variable").items()
        if name in settings
        and any(
            not rule["error_message"].strip('"').startswith("Unknown attribute: ")
            for rule in body.get("validation", [])
        )
    ]
    assert doubled == []
    names_checked = [
        name
        for name, body in _blocks(ROOT / "variables.tf", "variable").items()
        if body.get("validation") and body["type"] == "any"
    ]
    assert names_checked and all(name in settings for name in names_checked)


def _resource_blocks(module: Path) -> list[tuple[str, str, dict[str, Any]]]:
    found = []
    for path in sorted(module.glob("*.tf")):
        with path.open() as handle:
            document = hcl2.load(handle)
        for entry in document.get("resource", []):
            for kind, named in entry.items():
                for name, body in named.items():
                    found.append((kind.strip('"'), name.strip('"'), body))
    return found


def test_every_resource_that_takes_tags_gets_the_modules_tags() -> None:
    # The resources that take tags are the provider's (its 6.x schema), not a list kept here, so
    # a resource added later without tags fails.
    schema = json.loads((ROOT / "tests" / "terraform" / "aws_provider_schema.json").read_text())
    resources = _resource_blocks(ROOT)
    taggable = [
        (kind, name, body)
        for kind, name, body in resources
        if "tags" in schema["resource_schemas"][kind]["block"]["attributes"]
    ]
    assert len(taggable) >= 10
    untagged = [f"{kind}.{name}" for kind, name, body in taggable if body.get("tags") != "${var.tags}"]
    assert untagged == []
