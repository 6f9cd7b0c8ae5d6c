"""modules/plan, applied by Terraform itself: the timing plan, each function's settings and the
flows for one tuning, exactly as the root module computes them (it calls the same module).

The module is provider-free, so this needs Terraform and nothing else: no AWS account, no
provider download, no copy of any file. The demo, the benchmarks and the tests all render
through ``render``.
"""

from __future__ import annotations

import difflib
import functools
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from flowkit.deployment import Deployment
from flowkit.object_inputs import UNKNOWN_HINT, declared_types, misspelt

__all__ = ["MODULE_ENV", "PLAN", "ROOT", "Rendered", "TuningError", "module_root", "render", "tfvars_values"]

# This checkout (flowkit beside the module, as in the repository).
ROOT: Final = Path(__file__).resolve().parent.parent
PLAN: Final = ROOT / "modules" / "plan"
# The module's source to render instead (where `terraform init` put it, for a task author's
# `connect-async play`): its modules/plan and variables.tf, as in the repository.
MODULE_ENV: Final = "CONNECT_ASYNC_MODULE"


def module_root() -> Path:
    """The module whose plan is rendered: CONNECT_ASYNC_MODULE, or this checkout."""
    given = os.environ.get(MODULE_ENV)
    root = Path(given).resolve() if given else ROOT
    if not (root / "modules" / "plan" / "contract.json").is_file():
        where = f"{MODULE_ENV}={given}" if given else f"flowkit's folder {ROOT}"
        raise TuningError(
            f"{where} holds no copy of the module (modules/plan/contract.json): run terraform init in your "
            "root module (it puts the source under .terraform/modules) or name the source with --module"
        )
    return root


def _plan_dir() -> Path:
    return module_root() / "modules" / "plan"


class TuningError(Exception):
    """Terraform refused the tuning (a validation rule) or warned about it (a misspelt name)."""


_FLOWS: Final = ("inbound_flow", "wait_module", "requeue_disconnect_flow", "config_lookup_module")


class Rendered(dict[str, Any]):
    """modules/plan's outputs for one tuning: ``timing``, ``functions``, ``call`` and the flows."""

    @property
    def timing(self) -> dict[str, Any]:
        return dict(self["timing"])

    @property
    def flows(self) -> dict[str, str]:
        """inbound_flow, wait_module, requeue_disconnect_flow and config_lookup_module (absent when
        not rendered)."""
        return {name: self[name] for name in _FLOWS if self.get(name) is not None}

    def deployment(self) -> Deployment:
        """What the module would deploy with this tuning, as the call simulator plays it."""
        return Deployment.from_plan(
            self["functions"],
            self["timing"],
            self["call"],
            self.get("state_machine"),
            self.get("config_items"),
        )


def render(
    tfvars: Path | None = None,
    *,
    variables: Mapping[str, Any] | None = None,
    defaults: Mapping[str, Any] | None = None,
) -> Rendered:
    """modules/plan applied by Terraform, in place: the same module the root module calls, with
    its own defaults and validation. ``defaults`` come first (the wiring: function ARNs, module
    id), then the ``tfvars`` file, then ``variables``; each is a map of the plan's variables.

    Raises TuningError with Terraform's own message when it refuses or warns about the tuning.
    """
    terraform = shutil.which("terraform")
    if terraform is None:
        raise TuningError("rendering the plan needs Terraform >= 1.9 on the PATH")
    plan_dir = _plan_dir()
    _refuse_misspelt_attributes(tfvars, variables)
    with tempfile.TemporaryDirectory() as tmp:
        # Terraform's working data and the saved plan stay out of the repository.
        env = {**os.environ, "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1", "TF_DATA_DIR": tmp}
        flags: list[str] = []
        # JSON variable files, later ones winning: values of any type, no quoting rules.
        for index, values in enumerate((defaults, None, variables)):
            if index == 1 and tfvars:
                flags.append(f"-var-file={tfvars.resolve()}")
            elif values:
                path = Path(tmp) / f"{index}.tfvars.json"
                path.write_text(json.dumps(values))
                flags.append(f"-var-file={path}")

        def run(*args: str) -> str:
            done = subprocess.run(  # noqa: S603 - terraform from the PATH, fixed arguments
                [terraform, f"-chdir={plan_dir}", *args], capture_output=True, text=True, env=env, check=False
            )
            if done.returncode != 0:
                raise TuningError(f"terraform {args[0]} failed:\n{done.stderr.strip()}")
            output = done.stdout + "\n" + done.stderr
            warnings = _tuning_warnings(output)
            if warnings:
                # A warning here means the tuning is not what it seems (a misspelt variable is
                # ignored with a warning): playing the defaults instead would mislead.
                raise TuningError("terraform warned about the tuning:\n" + "\n\n".join(warnings))
            return done.stdout

        # A saved plan holds every output's value (the module has no resources) and writes no state.
        saved = str(Path(tmp) / "plan.tfplan")
        run("init", "-backend=false", "-input=false", "-no-color")
        # No state is kept (the module is provider-free), so no lock: two renders at once (the
        # demo while the tests run) must not refuse each other.
        run("plan", "-input=false", "-no-color", "-lock=false", f"-out={saved}", *flags)
        outputs = json.loads(run("show", "-json", "-no-color", saved))["planned_values"]["outputs"]
    return Rendered({name: output["value"] for name, output in outputs.items()})


def tfvars_values(tfvars: Path) -> Mapping[str, Any]:
    """A tfvars file's values, as python-hcl2 (or json, for .tfvars.json) reads them; nothing for
    a file it cannot read (Terraform reads it next and says what is wrong)."""
    if tfvars.name.endswith(".json"):
        values: object = json.loads(tfvars.read_text())
    else:
        import hcl2  # noqa: PLC0415 - only a tfvars file needs it (pinned in requirements/dev.in)

        try:
            values = hcl2.loads(tfvars.read_text())
        except Exception:
            return {}
    return values if isinstance(values, dict) else {}


def _refuse_misspelt_attributes(tfvars: Path | None, variables: Mapping[str, Any] | None) -> None:
    """The root module's check of its object inputs, which this module alone lacks (Terraform
    converts the values to the plan's types and drops a misspelt attribute without a word)."""
    values = dict(tfvars_values(tfvars)) if tfvars is not None else {}
    _refuse_foreign_variables(tfvars, values)
    values.update(variables or {})
    types = declared_types((_plan_dir() / "variables.tf").read_text())
    found = [
        entry
        for name, kind in types.items()
        if name in values
        for entry in misspelt(kind, values[name], name)
    ]
    if found:
        raise TuningError(f"Unknown attribute: {'; '.join(found)}. {UNKNOWN_HINT}")


def _refuse_foreign_variables(tfvars: Path | None, values: Mapping[str, Any]) -> None:
    """A tfvars file setting what is neither the module's input nor anything like one misspelt
    (a platform repository's own root variables, such as region): say which file the demo
    needs. A misspelt input is left to Terraform's own warning, which names it."""
    known = _root_only() | _plan_variables()
    names = [name for name in values if not name.startswith("__")]  # python-hcl2's __comments__
    foreign = sorted(
        name for name in names if name not in known and not difflib.get_close_matches(name, known, 1, 0.8)
    )
    if foreign:
        raise TuningError(
            f"{tfvars} sets {', '.join(foreign)}, which {'is' if len(foreign) == 1 else 'are'} not an input "
            "of this module: the demo reads a file of the module's own inputs (the values your root module "
            "passes in its module block, as examples/custom-task/terraform.tfvars holds them), not a "
            "platform repository's root variables (region, account ids). Move those to a file of their "
            "own, or give the demo one with only the module's inputs."
        )


# The root module's variables that do not change the call (names, tags, encryption, alarms):
# a tfvars file for the whole module may set them, and the demo passes over them.
_VARIABLE: Final = re.compile(r'^variable "([A-Za-z0-9_]+)"', re.M)


def _plan_variables() -> frozenset[str]:
    return _variables(module_root())[0]


def _root_only() -> frozenset[str]:
    return _variables(module_root())[1]


@functools.cache
def _variables(root: Path) -> tuple[frozenset[str], frozenset[str]]:
    """The plan's variable names, and the root module's that the plan lacks (read once a root)."""
    plan = frozenset(
        _VARIABLE.findall("".join(path.read_text() for path in (root / "modules" / "plan").glob("*.tf")))
    )
    return plan, frozenset(_VARIABLE.findall((root / "variables.tf").read_text())) - plan


def _tuning_warnings(output: str) -> list[str]:
    """Terraform's warnings (a title line "Warning: ..." and its explanation up to a blank line),
    less the one about a missing CLI configuration file: it says nothing about the tuning."""
    found = []
    lines = [line.lstrip("╷│╵ ").rstrip() for line in output.splitlines()]
    for index, line in enumerate(lines):
        undeclared = re.search(r'variable named "([A-Za-z0-9_]+)"', " ".join(lines[index : index + 4]))
        if (
            line.startswith("Warning: Value for undeclared variable")
            and undeclared
            and undeclared.group(1) in _root_only()
        ):
            continue
        if line.startswith("Warning: ") and "CLI configuration" not in line:
            # Its first paragraph; a failed check block's message is its second (after the code).
            wanted = 2 if line.startswith("Warning: Check block assertion failed") else 1
            paragraphs: list[list[str]] = [[]]
            for follow in lines[index + 1 : index + 16]:
                if follow.startswith(("Warning:", "─", "Note:", "There are some problems")):
                    break
                if follow:
                    paragraphs[-1].append(follow)
                elif paragraphs[-1]:
                    if len(paragraphs) == wanted:
                        break
                    paragraphs.append([])
            found.append("\n".join([line, *(text for paragraph in paragraphs for text in paragraph)]))
    return found
