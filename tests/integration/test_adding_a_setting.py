"""The README's recipe for a new setting, followed in a copy of the repository: one row in
settings.py, one command (`make gen`), and nothing else. Then the function reads it, typed and
range-checked; Terraform declares, validates and passes it at the root and in modules/plan; and
the plan sets it in the function's environment."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.terraform  # make gen formats with Terraform and the plan renders with it

ROW = """    _setting(
        name="check_patience_ms",
        unit="ms",
        default=40,
        description="A setting added by the recipe's test.",
        minimum=10,
        maximum=90,
        readers=("check",),
    ),
"""


def _copy_of_the_repository(target: Path) -> Path:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def _python(copy: Path, code: str) -> subprocess.CompletedProcess[str]:
    # The copy's packages first: the editable install points at this checkout.
    env = {**os.environ, "PYTHONPATH": f"{copy / 'lambdas'}{os.pathsep}{copy}"}
    return subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, "-c", code],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.fixture(scope="module")
def with_a_new_setting(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = _copy_of_the_repository(tmp_path_factory.mktemp("repository"))
    schema = copy / "lambdas" / "connect_async" / "settings.py"
    text = schema.read_text()
    end = text.index("\n)\n\n_BY_NAME")
    schema.write_text(text[: end + 1] + ROW + text[end + 1 :])
    done = _python(copy, "from scripts.generate import main; raise SystemExit(main([]))")
    assert done.returncode == 0, done.stderr[-3000:]
    return copy


def test_the_function_reads_it_typed_and_checked(with_a_new_setting: Path) -> None:
    done = _python(
        with_a_new_setting,
        "from connect_async.config import FUNCTION_ENV_VARS, CheckSettings, ConfigurationError\n"
        "env = {'TRACKER_TABLE_NAME': 'tracker'}\n"
        "assert 'CHECK_PATIENCE_MS' in FUNCTION_ENV_VARS['check'], FUNCTION_ENV_VARS\n"
        "assert 'CHECK_PATIENCE_MS' not in FUNCTION_ENV_VARS['start']\n"
        "assert CheckSettings.from_env(env).check_patience_ms == 40\n"
        "assert CheckSettings.from_env({**env, 'CHECK_PATIENCE_MS': '75'}).check_patience_ms == 75\n"
        "try:\n"
        "    CheckSettings.from_env({**env, 'CHECK_PATIENCE_MS': '95'})\n"
        "except ConfigurationError as exc:\n"
        "    print(exc)\n",
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "CHECK_PATIENCE_MS must be between 10 and 90, got 95" in done.stdout


def test_terraform_declares_passes_and_sets_it(with_a_new_setting: Path) -> None:
    root_variables = (with_a_new_setting / "variables.tf").read_text()
    assert 'variable "check_patience_ms" {' in root_variables
    assert re.search(
        r"\n  check_patience_ms +\= var\.check_patience_ms\n", (with_a_new_setting / "main.tf").read_text()
    )
    assert "`CHECK_PATIENCE_MS`" in (with_a_new_setting / "lambdas" / "README.md").read_text()
    done = _python(
        with_a_new_setting,
        "import json\n"
        "from flowkit.demo import render\n"
        "rendered = render(None, {'check_patience_ms': 75})\n"
        "print(json.dumps(rendered['functions']['check']['environment']))\n",
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout.splitlines()[-1])["CHECK_PATIENCE_MS"] == "75"


def test_terraform_refuses_it_out_of_range(with_a_new_setting: Path) -> None:
    done = _python(
        with_a_new_setting,
        "from flowkit.demo import render\nrender(None, {'check_patience_ms': 95})\n",
    )
    assert done.returncode != 0
    assert "check_patience_ms must be a whole number of ms from 10 to 90, got 95" in " ".join(
        done.stderr.split()
    )
