"""terraform-aws-modules conventions, enforced: typed, described, validated, documented."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import hcl2
import pytest

from scripts.terraform_docs import README, updated_readme
from tests.support.terraform_runner import ROOT

VARIABLE_FILES = [
    ROOT / "variables.tf",
    ROOT / "modules/timing/variables.tf",
    *ROOT.glob("examples/*/variables.tf"),
]
OUTPUT_FILES = [ROOT / "outputs.tf", ROOT / "modules/timing/outputs.tf", *ROOT.glob("examples/*/outputs.tf")]


def _blocks(path: Path, kind: str) -> dict[str, dict[str, Any]]:
    with path.open() as handle:
        document = hcl2.load(handle)
    return {name.strip('"'): body for entry in document.get(kind, []) for name, body in entry.items()}


def test_readme_tables_are_generated_from_the_code() -> None:
    current = README.read_text()
    assert updated_readme(current) == current, "run `make docs`"


@pytest.mark.parametrize("path", VARIABLE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_variable_is_typed_and_described(path: Path) -> None:
    for name, body in _blocks(path, "variable").items():
        assert "type" in body, f"{name} has no type"
        assert len(str(body.get("description", "")).strip('"')) > 10, f"{name} has no description"


@pytest.mark.parametrize("path", OUTPUT_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_output_is_described(path: Path) -> None:
    for name, body in _blocks(path, "output").items():
        assert len(str(body.get("description", "")).strip('"')) > 10, f"{name} has no description"


def test_every_root_tunable_is_validated_here_or_in_the_timing_module() -> None:
    with (ROOT / "main.tf").open() as handle:
        timing_call = next(entry['"timing"'] for entry in hcl2.load(handle)["module"] if '"timing"' in entry)
    validated_by_timing = {key for key in timing_call if not key.startswith("__") and key != "source"}
    timing_rules = _blocks(ROOT / "modules/timing/variables.tf", "variable")
    assert validated_by_timing <= {k for k, v in timing_rules.items() if "validation" in v}
    exempt_types = {"bool", "${map(string)}"}  # switches, and free-form tags
    unvalidated = [
        name
        for name, body in _blocks(ROOT / "variables.tf", "variable").items()
        if "validation" not in body and name not in validated_by_timing and body["type"] not in exempt_types
    ]
    assert unvalidated == []
