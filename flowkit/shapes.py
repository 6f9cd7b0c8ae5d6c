"""The shapes Connect writes, per action type, from the flows exported from Connect in
tests/corpus/connect_flows: parameter names with nested keys, and which exports show each type.

The module's templates may write only those names, or a name a reference page documents that no
export contradicts (``REFERENCE_ONLY``, each with its page). The flow tests hold every render to
that, and ``shape_table`` writes the table in flows/README.md.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any, Final

__all__ = [
    "AUTHOR_KEYS",
    "CORPUS",
    "REFERENCE_ONLY",
    "allowed_paths",
    "exported_paths",
    "exports",
    "parameter_paths",
    "shape_table",
]

CORPUS: Final = Path(__file__).resolve().parent.parent / "tests" / "corpus" / "connect_flows"

# Parameters whose keys the flow's author chooses (attribute maps): their own keys read as "*".
AUTHOR_KEYS: Final = frozenset(
    {
        ("InvokeLambdaFunction", "LambdaInvocationAttributes"),
        ("UpdateContactAttributes", "Attributes"),
        ("ConnectParticipantWithLexBot", "LexSessionAttributes"),
        ("UpdateFlowAttributes", "FlowAttributes"),
    }
)

# Names no export in the corpus shows, each with the flow-language reference page that documents
# it (docs.aws.amazon.com/connect/latest/APIReference/<page>.html).
REFERENCE_ONLY: Final[Mapping[tuple[str, str], str]] = {
    ("UpdateFlowAttributes", "FlowAttributes"): "flow-control-actions-updateflowattributes",
    ("UpdateFlowAttributes", "FlowAttributes.*"): "flow-control-actions-updateflowattributes",
    ("UpdateFlowAttributes", "FlowAttributes.*.Value"): "flow-control-actions-updateflowattributes",
    ("UpdateContactData", "LanguageCode"): "contact-actions-updatecontactdata",
}


def _paths(kind: str, value: object, prefix: str = "") -> Iterator[str]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            name = "*" if prefix and (kind, prefix.rstrip(".")) in AUTHOR_KEYS else str(key)
            path = f"{prefix}{name}"
            yield path
            yield from _paths(kind, item, f"{path}.")
    elif isinstance(value, list):
        for item in value:
            yield from _paths(kind, item, f"{prefix.rstrip('.')}[].")


def parameter_paths(document: Mapping[str, Any]) -> dict[str, set[str]]:
    """Each action type's parameter names, nested keys as dotted paths ([] for list items)."""
    found: dict[str, set[str]] = {}
    for action in document.get("Actions", []):
        kind = str(action.get("Type"))
        found.setdefault(kind, set()).update(_paths(kind, action.get("Parameters", {})))
    return found


@cache
def exports() -> Mapping[str, Mapping[str, Any]]:
    """The exported flows, by file name."""
    return {
        path.name: json.loads(path.read_text())
        for path in sorted(CORPUS.glob("*.json"))
        if path.name != "flow_types.json"
    }


@cache
def exported_paths() -> Mapping[str, frozenset[str]]:
    """What the exports write, per action type."""
    merged: dict[str, set[str]] = {}
    for document in exports().values():
        for kind, names in parameter_paths(document).items():
            merged.setdefault(kind, set()).update(names)
    return {kind: frozenset(names) for kind, names in merged.items()}


@cache
def _types_by_export() -> Mapping[str, frozenset[str]]:
    """The action types each export holds."""
    return {name: frozenset(parameter_paths(document)) for name, document in exports().items()}


def allowed_paths(kind: str) -> frozenset[str]:
    """The names a template may write for an action type: the exports', and the reference's."""
    return exported_paths().get(kind, frozenset()) | {p for (k, p) in REFERENCE_ONLY if k == kind}


def shape_table(flows: Mapping[str, str]) -> str:
    """A Markdown table: per action type the flows use, the names they write, where, and which
    exports show the type (or the reference page, for the names no export shows)."""
    used: dict[str, set[str]] = {}
    blocks: dict[str, set[str]] = {}
    for content in flows.values():
        document = json.loads(content)
        for kind, names in parameter_paths(document).items():
            used.setdefault(kind, set()).update(names)
        for action in document["Actions"]:
            blocks.setdefault(str(action["Type"]), set()).add(str(action["Identifier"]))
    rows = ["| action type | parameters written | blocks | shown by exports | names no export shows |"]
    rows.append("|---|---|---|---|---|")
    for kind in sorted(blocks):
        showing = sorted(name for name, kinds in _types_by_export().items() if kind in kinds)
        shown = f"{len(showing)}: " + ", ".join(f"`{name}`" for name in showing[:3]) if showing else "none"
        if len(showing) > 3:
            shown += f" (+{len(showing) - 3} more)"
        only_reference = sorted(
            f"`{path}` ({REFERENCE_ONLY[(kind, path)]})"
            for path in used.get(kind, set())
            if (kind, path) in REFERENCE_ONLY
        )
        written = ", ".join(f"`{p}`" for p in sorted(used.get(kind, set()))) or "(none)"
        where = sorted(blocks[kind])
        listed = ", ".join(f"`{b}`" for b in where[:4]) + (
            f" (+{len(where) - 4} more)" if len(where) > 4 else ""
        )
        rows.append(f"| `{kind}` | {written} | {listed} | {shown} | {', '.join(only_reference) or '-'} |")
    return "\n".join(rows) + "\n"
