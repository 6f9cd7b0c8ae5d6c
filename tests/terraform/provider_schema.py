"""Check Terraform blocks against the real hashicorp/aws provider schema, statically.

The schema (tests/terraform/aws_provider_schema.json) is the provider's own
``terraform providers schema -json`` output for hashicorp/aws 6.47.0, vendored as data; its
``source`` field says where it was taken from. The machines only have provider 5.100, so this
keeps the module valid on 6.x: no unknown, computed-only or deprecated argument, every
required argument and block present, block counts within the schema's limits.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import hcl2

SCHEMA_FILE = Path(__file__).with_name("aws_provider_schema.json")
# Meta-arguments, which are not provider arguments. (Keys starting "__" are the parser's
# bookkeeping: comments, block markers.)
_META = {"count", "for_each", "depends_on", "provider", "lifecycle", "provisioner", "connection"}


def load_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_FILE.read_text())


def _unquote(label: str) -> str:
    return label[1:-1] if label.startswith('"') and label.endswith('"') else label


def _check_block(body: Mapping[str, Any], schema: Mapping[str, Any], where: str) -> Iterator[str]:
    present: dict[str, int] = {}
    for key, value in body.items():
        if key.startswith("__") or key in _META:
            continue
        if key == "dynamic":
            yield from _check_dynamic(value, schema, where, present)
        else:
            yield from _check_argument(key, value, schema, where, present)
    yield from _check_presence(body, schema, where, present)


def _check_dynamic(
    dynamics: list[Mapping[str, Any]], schema: Mapping[str, Any], where: str, present: dict[str, int]
) -> Iterator[str]:
    block_types: Mapping[str, Any] = schema.get("block_types", {})
    for dynamic in dynamics:
        for label, spec in dynamic.items():
            if label.startswith("__"):
                continue
            name = _unquote(label)
            if name not in block_types:
                yield f"{where}: dynamic block {name!r} is not a block of this type"
                continue
            present[name] = present.get(name, 0) + 1
            for content in spec.get("content", []):
                yield from _check_block(content, block_types[name]["block"], f"{where}.{name}")


def _check_argument(
    key: str, value: Any, schema: Mapping[str, Any], where: str, present: dict[str, int]
) -> Iterator[str]:
    attributes: Mapping[str, Any] = schema.get("attributes", {})
    block_types: Mapping[str, Any] = schema.get("block_types", {})
    if key in attributes:
        spec = attributes[key]
        if not (spec.get("required") or spec.get("optional")):
            yield f"{where}: {key!r} is computed only and cannot be set"
        if spec.get("deprecated"):
            yield f"{where}: {key!r} is deprecated in provider 6.x"
    elif key in block_types:
        blocks = value if isinstance(value, list) else [value]
        present[key] = present.get(key, 0) + len(blocks)
        for block in blocks:
            if isinstance(block, Mapping):
                yield from _check_block(block, block_types[key]["block"], f"{where}.{key}")
    else:
        yield f"{where}: {key!r} is not an argument or block of this type"


def _check_presence(
    body: Mapping[str, Any], schema: Mapping[str, Any], where: str, present: Mapping[str, int]
) -> Iterator[str]:
    for key, spec in schema.get("attributes", {}).items():
        if spec.get("required") and key not in body:
            yield f"{where}: required argument {key!r} is missing"
    for key, spec in schema.get("block_types", {}).items():
        count = present.get(key, 0)
        if spec.get("min_items", 0) and count < spec["min_items"]:
            yield f"{where}: needs at least {spec['min_items']} {key!r} block(s)"
        if spec.get("max_items") and count > spec["max_items"]:
            yield f"{where}: at most {spec['max_items']} {key!r} block(s)"
        if spec.get("deprecated") and count:
            yield f"{where}: block {key!r} is deprecated in provider 6.x"


def check_document(document: Mapping[str, Any], schema: Mapping[str, Any], source: str) -> Iterator[str]:
    """Every violation in one parsed .tf file, as "file: kind.type.name: problem"."""
    for kind, schemas in (("resource", schema["resource_schemas"]), ("data", schema["data_source_schemas"])):
        for entry in document.get(kind, []):
            for type_label, named in entry.items():
                type_name = _unquote(type_label)
                if not type_name.startswith("aws_"):
                    continue
                for name_label, body in named.items():
                    where = f"{source}: {kind}.{type_name}.{_unquote(name_label)}"
                    if type_name not in schemas:
                        yield f"{where}: not in the schema file (an unknown type, or the file needs it added)"
                        continue
                    yield from _check_block(body, schemas[type_name]["block"], where)


def check_files(paths: list[Path], root: Path) -> list[str]:
    schema = load_schema()
    problems: list[str] = []
    for path in paths:
        with path.open() as handle:
            document = hcl2.load(handle)
        problems.extend(check_document(document, schema, str(path.relative_to(root))))
    return problems
