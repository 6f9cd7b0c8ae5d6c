"""Write the README's inputs and outputs tables from variables.tf and outputs.tf.

terraform-docs cannot be installed on the project's machines; this renders the same markdown
layout (Requirements, Inputs, Outputs) between the README's BEGIN_TF_DOCS/END_TF_DOCS markers.

    python scripts/terraform_docs.py            # rewrite the README section
    python scripts/terraform_docs.py --check    # exit 1 if the README is stale (a test does this)
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

import hcl2

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
BEGIN, END = "<!-- BEGIN_TF_DOCS -->", "<!-- END_TF_DOCS -->"


def _unquote(label: str) -> str:
    return label[1:-1] if label.startswith('"') and label.endswith('"') else label


def _expression(value: Any) -> str:
    """HCL text of a type or default as python-hcl2 returns it."""
    if isinstance(value, str):
        if value.startswith("${") and value.endswith("}"):
            return value[2:-1]
        return value
    if value is None:
        return "null"
    return json.dumps(value, separators=(", ", " = ")).replace('{"', "{").replace('" = ', " = ")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    return f"`{_cell(text)}`"


def _blocks(path: Path, kind: str) -> list[tuple[str, dict[str, Any]]]:
    with path.open() as handle:
        document = hcl2.load(handle)
    return [(_unquote(name), body) for entry in document.get(kind, []) for name, body in entry.items()]


def _requirements() -> list[str]:
    with (ROOT / "versions.tf").open() as handle:
        terraform = hcl2.load(handle)["terraform"][0]
    rows = ["| Name | Version |", "|------|---------|"]
    rows.append(f"| terraform | {_unquote(terraform['required_version'])} |")
    for providers in terraform.get("required_providers", []):
        for name, spec in providers.items():
            if not name.startswith("__"):  # parser bookkeeping such as __inline_comments__
                rows.append(f"| {name} | {_unquote(spec['version'])} |")
    return rows


def _valid_values() -> dict[str, str]:
    """What each setting's variable accepts, from the settings schema (modules/plan/contract.json):
    appended to the variable's description, so the table states each range once, generated."""
    settings = json.loads((ROOT / "modules" / "plan" / "contract.json").read_text())["settings"]
    valid: dict[str, str] = {}
    fields: dict[str, list[dict[str, Any]]] = {}
    for name, setting in settings.items():
        if setting["variable"] and setting["field"] is None:
            valid[name] = f"Valid: {setting['rule']}."
        elif setting["variable"]:
            fields.setdefault(setting["variable"], []).append(setting)
    for variable, members in fields.items():
        if len({member["rule"] for member in members}) == 1:
            valid[variable] = f"Valid: each field {members[0]['rule']}."
        else:
            each = (f"{m['field']} {m['rule']}, default {m['default']}" for m in members)
            valid[variable] = "Valid: " + "; ".join(each) + "."
    return valid


def render() -> str:
    lines = ["## Requirements", "", *_requirements(), "", "## Inputs", ""]
    lines += [
        "| Name | Description | Type | Default | Required |",
        "|------|-------------|------|---------|:--------:|",
    ]
    valid = _valid_values()
    for name, body in sorted(_blocks(ROOT / "variables.tf", "variable")):
        required = "default" not in body
        default = "n/a" if required else _code(_expression(body["default"]))
        description = _cell(
            " ".join(filter(None, (_unquote(str(body.get("description", ""))), valid.get(name))))
        )
        anchor = f'<a name="input_{name}"></a> [{name}](#input\\_{name})'
        type_text = _code(_expression(body["type"]))
        required_text = "yes" if required else "no"
        lines.append(f"| {anchor} | {description} | {type_text} | {default} | {required_text} |")
    lines += ["", "## Outputs", "", "| Name | Description |", "|------|-------------|"]
    for name, body in sorted(_blocks(ROOT / "outputs.tf", "output")):
        anchor = f'<a name="output_{name}"></a> [{name}](#output\\_{name})'
        lines.append(f"| {anchor} | {_cell(_unquote(str(body.get('description', ''))))} |")
    return "\n".join(lines)


def updated_readme(current: str) -> str:
    pattern = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.S)
    if not pattern.search(current):
        raise SystemExit(f"README.md has no {BEGIN} ... {END} section")
    return pattern.sub(lambda _: f"{BEGIN}\n{render()}\n{END}", current)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the README section is stale")
    args = parser.parse_args(argv)
    current = README.read_text()
    wanted = updated_readme(current)
    if args.check:
        if wanted != current:
            print("README.md inputs/outputs are stale: run `make docs`", file=sys.stderr)
            return 1
        return 0
    README.write_text(wanted)
    print("README.md inputs/outputs updated")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
