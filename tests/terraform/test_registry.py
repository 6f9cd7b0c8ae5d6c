"""Ready for a module registry: the license, one version, the layout, the package a consumer
downloads, and every Terraform snippet of the README planned as a user would paste it."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import tarfile
import zipfile
from pathlib import Path

import hcl2
import pytest

from connect_async import __version__
from tests.support.terraform_runner import ROOT, Terraform, offline_provider

pytestmark = pytest.mark.terraform

PACKAGE_LEAVES_OUT = ("tests/", "bench/", "flowkit/", "scripts/", "requirements/", ".ci/", "Makefile")
# What the module reads from its own tree at plan and apply: a package without one cannot work.
PACKAGE_KEEPS = (
    "main.tf",
    "versions.tf",
    "LICENSE",
    "CHANGELOG.md",
    "modules/plan/contract.json",
    "modules/plan/templates/inbound.json.tftpl",
    "lambdas/dist/connect_async.zip",
    "examples/basic/main.tf",
)
# The snippets declare no region variable: a literal one.
OFFLINE_PROVIDER = offline_provider('"eu-west-2"')


def test_the_license_is_apache_2() -> None:
    text = (ROOT / "LICENSE").read_text()
    assert "Apache License" in text[:200] and "Version 2.0, January 2004" in text[:300]
    assert "END OF TERMS AND CONDITIONS" in text


def test_one_version_for_the_module_the_package_and_the_artifact() -> None:
    contract = json.loads((ROOT / "modules" / "plan" / "contract.json").read_text())
    with zipfile.ZipFile(ROOT / "lambdas" / "dist" / "connect_async.zip") as artifact:
        shipped = artifact.read("connect_async/__init__.py").decode()
    changelog = (ROOT / "CHANGELOG.md").read_text()
    released = re.findall(r"^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}$", changelog, re.M)
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert re.fullmatch(r"\d+\.\d+\.\d+", __version__)
    assert contract["version"] == __version__
    assert f'__version__ = "{__version__}"' in shipped
    assert released[0] == __version__, "the newest CHANGELOG.md entry is the version being released"
    assert 'version = { attr = "connect_async.__version__" }' in pyproject
    assert f"[{__version__}]: " in changelog  # its comparison link


def _module_files(folder: Path) -> set[str]:
    return {path.name for path in folder.iterdir() if path.is_file()}


def test_the_registry_layout() -> None:
    # The root: the standard module structure of a module registry, plus its license.
    assert {"main.tf", "variables.tf", "outputs.tf", "versions.tf", "README.md", "LICENSE"} <= _module_files(
        ROOT
    )
    modules = sorted(path for path in (ROOT / "modules").iterdir() if path.is_dir())
    examples = sorted(path for path in (ROOT / "examples").iterdir() if path.is_dir())
    assert modules and len(examples) >= 4
    for module in modules:
        assert {"main.tf", "variables.tf", "outputs.tf", "versions.tf", "README.md"} <= _module_files(
            module
        ), module
    for example in examples:
        assert {"main.tf", "versions.tf", "README.md"} <= _module_files(example), example
        with (example / "main.tf").open() as handle:
            calls = [body for entry in hcl2.load(handle).get("module", []) for body in entry.values()]
        sources = {str(call.get("source", "")).strip('"') for call in calls}
        assert "../../" in sources, f"{example.name} does not call the module"
    for folder in (ROOT, *modules, *examples):
        with (folder / "versions.tf").open() as handle:
            terraform = hcl2.load(handle)["terraform"][0]
        assert str(terraform["required_version"]).strip('"') == ">= 1.9.0", folder


def _archive(tmp_path: Path) -> Path:
    """The release package as `make package` builds it, extracted."""
    if not (ROOT / ".git").exists() or shutil.which("git") is None:
        pytest.skip("the package is built from a git checkout")
    done = subprocess.run(  # noqa: S603 - git with fixed arguments
        ["git", "-C", str(ROOT), "archive", "--worktree-attributes", "--format=tar", "HEAD"],  # noqa: S607
        capture_output=True,
        check=True,
    )
    out = tmp_path / "package"
    with tarfile.open(fileobj=io.BytesIO(done.stdout)) as archive:
        archive.extractall(out, filter="data")
    return out


def test_the_package_holds_what_the_module_needs_and_no_tooling(terraform: Terraform, tmp_path: Path) -> None:
    package = _archive(tmp_path)
    names = {str(path.relative_to(package)) for path in package.rglob("*") if path.is_file()}
    assert [name for name in names if name.startswith(PACKAGE_LEAVES_OUT)] == []
    assert [name for name in PACKAGE_KEEPS if name not in names] == []
    # A consumer plans from it: the example, unchanged, with an offline provider.
    example = package / "examples" / "basic"
    (example / "offline_override.tf").write_text(OFFLINE_PROVIDER)
    terraform.init(example)
    plan = terraform.run(example, "plan", "-input=false", "-no-color", "-lock=false")
    assert 'module.connect_async.aws_lambda_function.function["worker"] will be created' in plan.stdout


def _snippets() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    return [
        block for block in re.findall(r"```hcl\n(.*?)```", readme, re.S) if 'module "connect_async"' in block
    ]


def test_the_readme_has_snippets() -> None:
    assert len(_snippets()) >= 4


@pytest.mark.parametrize("index", range(len(_snippets())))
def test_every_readme_snippet_plans(terraform: Terraform, index: int) -> None:
    # As a user pastes it: the module's published source replaced by this checkout, nothing else.
    snippet = _snippets()[index]
    sources = re.findall(r'^\s*source\s*=\s*"([^"]+)"', snippet, re.M)
    assert sources and all(
        s.startswith(("connect-async/", "git::https://github.com/connect-async/")) for s in sources
    )
    local = re.sub(r'^(\s*)source\s*=\s*"[^"]+"', r'\1source = "../../.."', snippet, flags=re.M)
    local = re.sub(r'^\s*version\s*=\s*"[^"]+"\n', "", local, flags=re.M)
    folder = ROOT / "build" / "snippets" / str(index)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    (folder / "main.tf").write_text(local + OFFLINE_PROVIDER)
    # Files of the user's own that a snippet names (a task layer they built) exist, as a zip.
    for name in re.findall(r'"\$\{path\.module\}/([^"]+\.zip)"', snippet):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(folder / name, "w") as layer:
            layer.writestr("python/my_tasks/__init__.py", "")
    terraform.init(folder)
    # The snippets name a Connect instance or files of the user's own: validate (every name,
    # type and rule the configuration states; plan would need the instance to exist).
    terraform.run(folder, "validate", "-no-color")
