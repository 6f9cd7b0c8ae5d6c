"""connect-async play: hear a call through the module's own flows with your task, from your own
repository. The module's source is where `terraform init` put it (.terraform/modules, read from
its modules.json) or the folder --module names; the call simulator (the package's `play` extra)
plays the flows Terraform renders from that source, with the task, tuning and attributes given as
`make demo` takes them (`connect-async play --help`)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from connect_async import __version__

__all__ = ["PlayError", "find_module", "play"]

_MARKER = Path("modules") / "plan" / "contract.json"
# Terraform's own variable for its data folder (not one the module sets: config.EnvVar has those).
_TERRAFORM_DATA_DIR = "TF_DATA_DIR"


class PlayError(Exception):
    """The module's source cannot be found or is another version than this package."""


def find_module(start: Path) -> Path:
    """The module's source that `terraform init` recorded for the root module in ``start`` (in
    its data folder: TF_DATA_DIR, .terraform unless set)."""
    manifest = start / os.environ.get(_TERRAFORM_DATA_DIR, ".terraform") / "modules" / "modules.json"
    if not manifest.is_file():
        raise PlayError(
            f"no {manifest}: run `terraform init` in your root module first (it records where the module's "
            "source is), or name the source with --module PATH"
        )
    entries = json.loads(manifest.read_text()).get("Modules", [])
    found = [(start / str(entry.get("Dir", ""))).resolve() for entry in entries]
    sources = [folder for folder in found if (folder / _MARKER).is_file()]
    if not sources:
        raise PlayError(
            f"{manifest} lists no copy of terraform-aws-connect-async-lambda (a folder with {_MARKER}): "
            "is the module called from this root module?"
        )
    if len(set(sources)) > 1:
        listed = ", ".join(str(folder) for folder in sorted(set(sources)))
        raise PlayError(
            f"{manifest} lists several copies of the module ({listed}): pick one with --module PATH"
        )
    return sources[0]


def play(arguments: list[str], module: Path | None, start: Path) -> int:
    """Run the demo command against the module's source, with this package's runtime."""
    source = (module or find_module(start)).resolve()
    if not (source / _MARKER).is_file():
        raise PlayError(f"--module {source} is not the module's source (no {_MARKER})")
    version = json.loads((source / _MARKER).read_text()).get("version")
    if version != __version__:
        raise PlayError(
            f"the module's source at {source} is version {version}, this package {__version__}: the call "
            f"would play one runtime against another's flows. Install connect-async-lambda=={version} (or "
            f"pin the module to v{__version__})"
        )
    try:
        from flowkit import demo_command  # noqa: PLC0415 - only with the play extra
        from flowkit.plan import MODULE_ENV  # noqa: PLC0415
    except ImportError as exc:
        raise PlayError(
            f"connect-async play needs the play extra ({exc.name} is missing): "
            'pip install "connect-async-lambda[play]"'
        ) from None
    os.environ[MODULE_ENV] = str(source)
    return int(demo_command.main(arguments))
