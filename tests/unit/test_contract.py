"""One source of truth: contract.json matches the code, and no module names a variable by hand."""

from __future__ import annotations

import ast
import importlib
import json
from dataclasses import fields
from pathlib import Path

import pytest

from connect_async.config import FUNCTION_ENV_VARS, HANDLERS, EnvVar
from connect_async.contract import Attr, RunStatus
from connect_async.runs import CorruptRecordError, TrackerRecord, record_from_item
from flowkit.manifest import contract_json

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "lambdas" / "connect_async"


def test_every_function_reads_only_named_variables() -> None:
    document = json.loads(contract_json())
    names = set(document["environment"]["all"])
    for function, variables in FUNCTION_ENV_VARS.items():
        assert set(document["environment"][function]) == set(variables) <= names, function


def _environment_reads(tree: ast.AST) -> list[ast.AST]:
    """os.environ[...] / os.environ.get(...) / os.getenv(...) calls whose key is a string literal."""
    found: list[ast.AST] = []
    for node in ast.walk(tree):
        key: ast.AST | None = None
        if isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ":
            key = node.slice
        elif isinstance(node, ast.Call) and ast.unparse(node.func) in (
            "os.environ.get",
            "os.getenv",
            "env.get",
        ):
            key = node.args[0] if node.args else None
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            found.append(node)
    return found


def test_no_module_reads_an_environment_variable_by_a_literal_name() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        for node in _environment_reads(ast.parse(path.read_text())):
            offenders.append(f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}")
    assert offenders == [], "use config.EnvVar for every environment variable"


def test_every_handler_path_resolves() -> None:
    for function, path in HANDLERS.items():
        module, _, attribute = path.rpartition(".")
        assert callable(getattr(importlib.import_module(module), attribute)), function


def test_env_var_values_equal_their_names() -> None:
    assert all(member.name == member.value for member in EnvVar)


def test_the_record_declares_exactly_the_contracts_attributes() -> None:
    # The record class is the one definition of a record's fields (the item parser follows its
    # types); the contract's Attr names them for Terraform. The two must be the same set.
    assert {spec.name for spec in fields(TrackerRecord)} == {attribute.value for attribute in Attr}


def test_a_record_survives_the_round_trip_through_an_item_and_a_malformed_one_is_corrupt() -> None:
    item = {
        "task_id": {"S": "c#t"},
        "task_name": {"S": "t"},
        "status": {"S": "completed"},
        "attempt": {"N": "2"},
        "result": {"M": {"answer": {"S": "yes"}}},
    }
    record = record_from_item(item)
    assert (record.status, record.attempt, dict(record.result), record.error_code) == (
        RunStatus.COMPLETED,
        2,
        {"answer": "yes"},
        "",
    )
    with pytest.raises(CorruptRecordError):
        record_from_item({**item, "status": {"S": "paused"}})
    with pytest.raises(CorruptRecordError):
        record_from_item({**item, "attempt": {"N": "two"}})


def test_a_settings_variable_is_declared_by_its_row_alone() -> None:
    # EnvVar holds only the names of what the module creates; a setting's variable comes from its
    # row, so adding a setting declares nothing twice.
    from connect_async.settings import SETTINGS

    settings = [row.env for row in SETTINGS if row.env is not None]
    assert len(settings) == len(set(settings))
    assert not set(settings) & {member.value for member in EnvVar}
