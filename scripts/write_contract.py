"""Write (or --check) the files generated from the runtime's contract and settings schema.

- modules/plan/contract.json: the contract and the settings schema, read by Terraform;
- modules/plan/settings.tf: one variable per setting, its default from the schema, its
  validation reading the schema's range from contract.json, and (for a setting named in
  modules/plan/setting_rules.hcl) the rules written there for it;
- lambdas/connect_async/tunings.py: each function's typed settings fields, read from its
  environment (write_tunings.py);
- variables.tf, between the GENERATED markers: the root module's declarations of the plan's
  optional inputs (settings.tf and modules/plan/variables.tf), without their validations (the
  plan module validates them, once); an object-typed input is declared ``type = any`` with a
  validation that names an attribute its type does not declare (flowkit/object_inputs.py);
- main.tf, between the GENERATED markers in ``module "plan"``: each of those inputs passed as
  the root variable of the same name;
- lambdas/README.md, between the SETTINGS markers: the settings each function reads.

Edit lambdas/connect_async/settings.py (or modules/plan/variables.tf), then `make gen`.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from connect_async.settings import SETTINGS, Setting
from flowkit.hcl_blocks import strip_validations, variable_blocks
from flowkit.manifest import contract_json
from flowkit.object_inputs import declaration_as_any
from scripts.write_tunings import tunings_py

ROOT = Path(__file__).resolve().parent.parent

__all__ = ["generated_files", "main"]

PLAN = ROOT / "modules" / "plan"
CONTRACT = PLAN / "contract.json"
SETTINGS_TF = PLAN / "settings.tf"
ROOT_VARIABLES = ROOT / "variables.tf"
RUNTIME_README = ROOT / "lambdas" / "README.md"
TUNINGS = ROOT / "lambdas" / "connect_async" / "tunings.py"
BEGIN = "# BEGIN GENERATED: the plan's optional inputs"
END = "# END GENERATED"
ROOT_MAIN = ROOT / "main.tf"
CALL_BEGIN = "# BEGIN GENERATED (make gen): each optional input of the plan, as the root variable of its name"
CALL_END = "# END GENERATED"
TABLE_BEGIN, TABLE_END = "<!-- BEGIN SETTINGS -->", "<!-- END SETTINGS -->"


def _hcl_string(text: str) -> str:
    """A Terraform string literal of plain text (no interpolation)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("${", "$${").replace("%{", "%%{")
    return f'"{escaped}"'


def _hcl_value(value: object) -> str:
    return _hcl_string(value) if isinstance(value, str) else json.dumps(value)


def _range_condition(ref: str, value: str) -> str:
    """The schema's rule for one value, read from contract.json (``ref`` is the setting's entry)."""
    return (
        f"{value} >= {ref}.minimum && {value} <= {ref}.maximum && (!{ref}.whole || floor({value}) == {value})"
    )


RULES = PLAN / "setting_rules.hcl"
_RULE = re.compile(r'^rule "([A-Za-z0-9_]+)" \{\n(.*?)^\}$', re.M | re.S)


def setting_rules(text: str | None = None) -> dict[str, list[str]]:
    """Each setting's rules from modules/plan/setting_rules.hcl, as validation blocks of its
    variable, in file order; a name that is no scalar setting of the plan fails."""
    found: dict[str, list[str]] = {}
    for name, body in _RULE.findall(RULES.read_text() if text is None else text):
        inner = "".join(f"  {line}" if line.strip() else line for line in body.splitlines(keepends=True))
        found.setdefault(name, []).append(f"  validation {{\n{inner}  }}")
    scalars = {row.name for row in SETTINGS if row.variable and row.module == "plan" and row.field is None}
    unknown = sorted(set(found) - scalars)
    if unknown:
        raise SystemExit(
            f"modules/plan/setting_rules.hcl has rules for {', '.join(unknown)}, which are not settings of "
            "the plan (a variable of settings.tf): fix the name"
        )
    return found


def _scalar_block(row: Setting, rules: dict[str, list[str]]) -> str:
    ref = f"local.settings.{row.name}"
    condition = (
        f"contains({ref}.choices, var.{row.name})"
        if row.choices
        else _range_condition(ref, f"var.{row.name}")
    )
    validations = [
        f"  validation {{\n    condition     = {condition}\n"
        f'    error_message = "{row.name} must be ${{{ref}.rule}}, got ${{var.{row.name}}}."\n  }}',
        *rules.get(row.name, []),
    ]
    return (
        f'variable "{row.name}" {{\n'
        f"  description = {_hcl_string(row.description)}\n"
        f"  type        = {'string' if row.choices else 'number'}\n"
        f"  default     = {_hcl_value(row.default)}\n"
        f"  nullable    = false\n\n" + "\n".join(validations) + "\n}"
    )


def _object_block(variable: str, rows: Sequence[Setting]) -> str:
    """One map variable whose names are settings (memory_size.start, .check, .worker): a map, not
    an object, as an object type drops a misspelt name without a word."""
    names = ", ".join(f'"{row.field}"' for row in rows)
    description = (
        f"{variable.replace('_', ' ').capitalize()} ({rows[0].unit}) of each function, by name (a name "
        "not among them is refused; one left out takes its default). "
        + "; ".join(f"{row.field}: {row.description}, default {row.default}" for row in rows)
        + "."
    )
    ref = f'local.settings["{variable}.${{field}}"]'
    unknown = f"setsubtract(keys(var.{variable}), [{names}])"
    return (
        f'variable "{variable}" {{\n'
        f"  description = {_hcl_string(description)}\n"
        f"  type     = map(number)\n"
        f"  default  = {{}}\n"
        f"  nullable = false\n\n"
        f"  validation {{\n"
        f"    condition     = length({unknown}) == 0\n"
        f'    error_message = "{variable} has no ${{join(", ", {unknown})}}: its names are '
        + ", ".join(str(row.field) for row in rows)
        + ' (check the spelling)."\n'
        f"  }}\n"
        f"  validation {{\n"
        f"    condition     = alltrue([\n"
        f"      for field, value in var.{variable} : !contains([{names}], field) ? true : try(\n"
        f"        {_range_condition(ref, 'value')}, false\n"
        f"      )\n"
        f"    ])\n"
        f'    error_message = "Each {variable} value must be ${{local.settings["{rows[0].name}"].rule}}."\n'
        f"  }}\n}}"
    )


def settings_tf() -> str:
    """modules/plan/settings.tf: the variables and the name -> value map of every plan setting."""
    plan_rows = [row for row in SETTINGS if row.variable and row.module == "plan"]
    rules = setting_rules()
    blocks: list[str] = []
    values: list[str] = []
    seen: set[str] = set()
    for row in plan_rows:
        variable = str(row.variable)
        if row.field is None:
            blocks.append(_scalar_block(row, rules))
            values.append(f"    {row.name} = var.{row.name}")
        elif variable not in seen:
            seen.add(variable)
            fields = [r for r in plan_rows if r.variable == variable]
            blocks.append(_object_block(variable, fields))
            values.extend(
                f'    "{r.name}" = lookup(var.{variable}, "{r.field}", {_hcl_value(r.default)})'
                for r in fields
            )
    header = (
        "# Generated by `make gen` from lambdas/connect_async/settings.py: edit the schema there.\n"
        "# One variable per setting: its default comes from the schema, its validation reads the\n"
        "# schema's range from contract.json, so a value is defined once; the rules between settings\n"
        "# are copied from setting_rules.hcl, where they are written by hand.\n"
    )
    locals_block = "locals {\n  # Every setting's value by its schema name.\n  setting_values = {\n"
    return header + "\n" + "\n\n".join(blocks) + "\n\n" + locals_block + "\n".join(values) + "\n  }\n}\n"


def _optional_inputs(settings_text: str) -> list[tuple[str, str]]:
    """(name, block) of each of the plan's optional inputs: settings.tf's and variables.tf's."""
    plan_variables = (PLAN / "variables.tf").read_text()
    return [
        (name, block)
        for text in (settings_text, plan_variables)
        for name, block in variable_blocks(text)
        if "\n  default" in block  # inputs without a default are the root's wiring, not settings
    ]


def pass_through(settings_text: str) -> str:
    """The root's module "plan" arguments for those inputs: each a root variable of the same name."""
    lines = [f"  {name} = var.{name}" for name, _ in _optional_inputs(settings_text)]
    return f"  {CALL_BEGIN}\n" + "\n".join(lines) + f"\n  {CALL_END}"


def root_section(settings_text: str) -> str:
    """The root module's declarations of the plan's optional inputs, without their validations; an
    object-typed one as ``type = any`` that refuses an attribute its type does not declare."""
    blocks = [
        declaration_as_any(name, strip_validations(block)) for name, block in _optional_inputs(settings_text)
    ]
    return (
        f"{BEGIN} (`make gen`), declared and validated once in\n"
        "# modules/plan (settings.tf, variables.tf). Edit them there; see the README for what each trades.\n"
        "################################################################################\n\n"
        + "\n\n".join(blocks)
        + f"\n\n{END}"
    )


def settings_table() -> str:
    """The runtime README's table of the settings the functions read from their environment."""
    rows = [
        "| variable | functions | module variable | default | valid values |",
        "|---|---|---|---|---|",
    ]
    for row in SETTINGS:
        if row.env is None:
            continue
        readers = ", ".join(
            r.replace("bedrock_task", "worker (Bedrock task)") for r in row.readers if r != "flow"
        )
        variable = f"`{row.name}`" if row.variable else f"derived: {row.derived_from}"
        rows.append(f"| `{row.env}` | {readers} | {variable} | `{row.default}` | {row.rule_text} |")
    return "\n".join(rows)


def _between(text: str, begin: str, end: str, inner: str) -> str:
    start, stop = text.index(begin), text.index(end) + len(end)
    return text[:start] + inner + text[stop:]


def terraform_fmt(text: str) -> str:
    """Terraform's canonical formatting, so the generated files pass `terraform fmt -check`."""
    terraform = shutil.which("terraform")
    if terraform is None:
        raise SystemExit("generating the Terraform files needs terraform on the PATH")
    done = subprocess.run(
        [terraform, "fmt", "-no-color", "-"], input=text, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"terraform fmt refused the generated text:\n{done.stderr}")
    return done.stdout


def generated_files() -> dict[Path, str]:
    """Each generated file and its exact text."""
    settings_text = terraform_fmt(settings_tf())
    variables = _between(ROOT_VARIABLES.read_text(), BEGIN, END, root_section(settings_text))
    readme = _between(
        RUNTIME_README.read_text(), TABLE_BEGIN, TABLE_END, f"{TABLE_BEGIN}\n{settings_table()}\n{TABLE_END}"
    )
    main = _between(ROOT_MAIN.read_text(), f"  {CALL_BEGIN}", f"  {CALL_END}", pass_through(settings_text))
    return {
        CONTRACT: contract_json(),
        SETTINGS_TF: settings_text,
        ROOT_VARIABLES: terraform_fmt(variables),
        ROOT_MAIN: terraform_fmt(main),
        RUNTIME_README: readme,
        TUNINGS: tunings_py(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if a committed file differs")
    args = parser.parse_args(argv)
    stale = []
    for path, text in generated_files().items():
        if args.check:
            if not path.exists() or path.read_text() != text:
                stale.append(str(path.relative_to(ROOT)))
            continue
        path.write_text(text)
        print(f"wrote {path.relative_to(ROOT)}")
    if stale:
        print(f"stale: {', '.join(stale)}: run `make gen` and commit them", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
