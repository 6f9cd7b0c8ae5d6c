"""Running real Terraform from tests: an isolated data dir per module, the provider mirror optional.

``TF_PLUGIN_MIRROR`` names a filesystem mirror of the providers (default ``/opt/tf-plugins``
when it exists, as on the project's machines); without one, ``terraform init`` downloads them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TERRAFORM = shutil.which("terraform")
DEFAULT_MIRROR = Path("/opt/tf-plugins")


@dataclass
class Terraform:
    cli_config: Path | None
    cache: Path

    def env(self, workdir: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
        env = {**os.environ, "TF_IN_AUTOMATION": "1", "CHECKPOINT_DISABLE": "1"}
        env["TF_DATA_DIR"] = str(self.cache / str(workdir.resolve()).strip("/").replace("/", "_"))
        if self.cli_config:
            env["TF_CLI_CONFIG_FILE"] = str(self.cli_config)
        return {**env, **(extra or {})}

    def run(
        self,
        workdir: Path,
        *args: str,
        check: bool = True,
        env: dict[str, str] | None = None,
        timeout: int = 600,
    ) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(  # noqa: S603 - terraform with arguments from the tests
            [str(TERRAFORM), f"-chdir={workdir}", *args],
            capture_output=True,
            text=True,
            env=self.env(workdir, env),
            timeout=timeout,
            check=False,
        )
        if check:
            assert done.returncode == 0, (
                f"terraform {' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
            )
        return done

    def init(self, workdir: Path) -> None:
        # The lock file it writes names this machine's provider hashes: gitignored, as a
        # reusable module's should be.
        self.run(workdir, "init", "-backend=false", "-input=false", "-no-color")


def mirror_cli_config(folder: Path) -> Path | None:
    """A Terraform CLI config in ``folder`` installing providers from the mirror (None without one)."""
    mirror = Path(os.environ.get("TF_PLUGIN_MIRROR", DEFAULT_MIRROR if DEFAULT_MIRROR.is_dir() else ""))
    if str(mirror) in ("", ".") or not mirror.is_dir():
        return None
    config = folder / "terraformrc"
    config.write_text(f'provider_installation {{\n  filesystem_mirror {{\n    path = "{mirror}"\n  }}\n}}\n')
    return config


def offline_provider(region: str = "var.region") -> str:
    """A provider block that lets `terraform plan` run offline with fake credentials (nothing
    is read from AWS); ``region`` is an HCL expression."""
    return f"""
provider "aws" {{
  region                      = {region}
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
}}
"""


@pytest.fixture(scope="session")
def terraform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Terraform]:
    if TERRAFORM is None:
        pytest.skip("terraform is not installed (see README: the tests need Terraform >= 1.9)")
    home = tmp_path_factory.mktemp("terraform")
    yield Terraform(cli_config=mirror_cli_config(home), cache=home / "data")
