"""connect-async play finds the module's source where `terraform init` recorded it, and refuses a
source it cannot play faithfully (none, several, another version)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from connect_async import __version__
from connect_async.devtools.__main__ import main
from connect_async.devtools.play import PlayError, find_module, play

pytestmark = pytest.mark.unit


def _source(folder: Path, version: str = __version__) -> Path:
    (folder / "modules" / "plan").mkdir(parents=True)
    (folder / "modules" / "plan" / "contract.json").write_text(json.dumps({"version": version}))
    return folder


def _initialised(root: Path, *dirs: str) -> None:
    manifest = root / ".terraform" / "modules" / "modules.json"
    manifest.parent.mkdir(parents=True, exist_ok=True)
    entries = [{"Key": "", "Source": "", "Dir": "."}] + [
        {"Key": f"m{n}", "Dir": d} for n, d in enumerate(dirs)
    ]
    manifest.write_text(json.dumps({"Modules": entries}))


def test_the_source_terraform_init_fetched_is_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TF_DATA_DIR", raising=False)
    source = _source(tmp_path / ".terraform" / "modules" / "connect_async")
    # The module's own call of modules/plan is listed too, and is not a copy of the module.
    _initialised(
        tmp_path, ".terraform/modules/connect_async", ".terraform/modules/connect_async/modules/plan"
    )
    assert find_module(tmp_path) == source.resolve()


def test_no_init_several_copies_and_another_version_are_refused_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TF_DATA_DIR", raising=False)
    with pytest.raises(PlayError, match="run `terraform init` in your root module first"):
        find_module(tmp_path)
    _source(tmp_path / "a")
    _source(tmp_path / "b")
    _initialised(tmp_path, "a", "b")
    with pytest.raises(PlayError, match="several copies of the module"):
        find_module(tmp_path)
    old = _source(tmp_path / "old", version="0.0.1")
    with pytest.raises(PlayError, match=f"version 0.0.1, this package {__version__}"):
        play([], old, tmp_path)


def test_the_command_line_says_what_is_missing_and_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("TF_DATA_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    assert main(["play", "--task", "transfers.task:run"]) == 2
    assert "run `terraform init`" in capsys.readouterr().err
    assert main(["play", "--module", str(tmp_path)]) == 2
    assert "is not the module's source" in capsys.readouterr().err
