"""Write each module's README inputs and outputs tables from its variables.tf and outputs.tf.

terraform-docs cannot be installed on the project's machines; this renders the same markdown
layout (Requirements, Inputs, Outputs) between each README's BEGIN_TF_DOCS/END_TF_DOCS markers:
the root module's, modules/*'s and examples/*'s (``MODULES``).

    python -m scripts.terraform_docs            # rewrite every README section
    python -m scripts.terraform_docs --check    # exit 1 if any README is stale (a test does this)
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
# Every module a consumer may read: the root, the submodules and the runnable examples.
MODULES = (ROOT, *sorted(ROOT.glob("modules/*/")), *sorted(p.parent for p in ROOT.glob("examples/*/main.tf")))


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


def _blocks(module: Path, kind: str) -> list[tuple[str, dict[str, Any]]]:
    """Every ``kind`` block (variable, output) in the module's .tf files."""
    found: list[tuple[str, dict[str, Any]]] = []
    for path in sorted(module.glob("*.tf")):
        with path.open() as handle:
            document = hcl2.load(handle)
        found += [(_unquote(name), body) for entry in document.get(kind, []) for name, body in entry.items()]
    return found


def _requirements(module: Path) -> list[str]:
    with (module / "versions.tf").open() as handle:
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


def render(module: Path = ROOT) -> str:
    lines = ["## Requirements", "", *_requirements(module), "", "## Inputs", ""]
    lines += [
        "| Name | Description | Type | Default | Required |",
        "|------|-------------|------|---------|:--------:|",
    ]
    valid = _valid_values()
    for name, body in sorted(_blocks(module, "variable")):
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
    for name, body in sorted(_blocks(module, "output")):
        anchor = f'<a name="output_{name}"></a> [{name}](#output\\_{name})'
        lines.append(f"| {anchor} | {_cell(_unquote(str(body.get('description', ''))))} |")
    return "\n".join(lines)


def updated_readme(current: str, module: Path = ROOT) -> str:
    pattern = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.S)
    if not pattern.search(current):
        raise SystemExit(f"{(module / 'README.md').relative_to(ROOT)} has no {BEGIN} ... {END} section")
    return pattern.sub(lambda _: f"{BEGIN}\n{render(module)}\n{END}", current)


def generated_files() -> dict[Path, str]:
    """Each module's README, with its inputs/outputs tables as its files say."""
    wanted = {}
    for module in MODULES:
        readme = module / "README.md"
        wanted[readme] = updated_readme(readme.read_text() if readme.exists() else "", module)
    return wanted


def stale_readmes() -> dict[Path, str]:
    """Each README whose tables differ from its module's files, with what it should say."""
    return {path: text for path, text in generated_files().items() if path.read_text() != text}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if any README section is stale")
    args = parser.parse_args(argv)
    stale = stale_readmes()
    for readme, text in stale.items():
        if args.check:
            print(f"{readme.relative_to(ROOT)} inputs/outputs are stale: run `make gen`", file=sys.stderr)
        else:
            readme.write_text(text)
            print(f"{readme.relative_to(ROOT)} inputs/outputs updated")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
