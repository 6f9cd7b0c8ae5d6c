"""One source of truth: contract.json matches the code, and no module names a variable by hand."""

from __future__ import annotations

import ast
import importlib
import json
from pathlib import Path

from connect_async.config import FUNCTION_ENV_VARS, HANDLERS, EnvVar
from connect_async.manifest import contract_json

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "lambdas" / "connect_async"


def test_committed_contract_json_matches_the_code() -> None:
    committed = (ROOT / "lambdas" / "contract.json").read_text()
    assert committed == contract_json(), "lambdas/contract.json is stale: run `make contract`"


def test_every_function_reads_only_named_variables() -> None:
    document = json.loads(contract_json())
    names = set(document["environment"]["all"])
    for function, variables in FUNCTION_ENV_VARS.items():
        assert set(document["environment"][function]) == {v.value for v in variables} <= names, function


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
