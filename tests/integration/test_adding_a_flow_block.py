"""The README's recipe for a new flow block, followed in a copy of the repository: one edit of a
template in modules/plan/templates, one command (`make gen`), and nothing else. Then the rendered
flow holds the block, the console layout places it, the generated files are fresh, and the demo
plays the call through it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.integration.test_adding_a_setting import _copy_of_the_repository, _python

pytestmark = pytest.mark.terraform  # make gen renders the flows with Terraform

SUCCESS_NEXT = (
    'Transitions = { NextAction = "AfterSuccess", Errors = [{ NextAction = "AfterSuccess", '
    'ErrorType = "NoMatchingError" }] }'
)
# Between the success message and what follows it: a mark for a report, say.
BLOCK = """      {
        Identifier  = "MarkAnswered"
        Type        = "UpdateContactAttributes"
        Parameters  = { Attributes = { answered = "yes" } }
        Transitions = {
          NextAction = "AfterSuccess"
          Errors     = [{ NextAction = "AfterSuccess", ErrorType = "NoMatchingError" }]
        }
      },
"""


@pytest.fixture(scope="module")
def with_a_new_block(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = _copy_of_the_repository(tmp_path_factory.mktemp("repository"))
    template = copy / "modules" / "plan" / "templates" / "inbound.json.tftpl"
    text = template.read_text()
    success = text.index('Identifier  = "Success"')
    at = text.index(SUCCESS_NEXT, success)
    end = text.index("},\n", at) + len("},\n")
    pointed = SUCCESS_NEXT.replace("AfterSuccess", "MarkAnswered")
    edited = text[:at] + pointed + text[at + len(SUCCESS_NEXT) : end]
    template.write_text(edited + BLOCK + text[end:])
    done = _python(copy, "from scripts.generate import main; raise SystemExit(main([]))")
    assert done.returncode == 0, done.stderr[-3000:]
    return copy


def test_the_rendered_flow_holds_it_and_the_layout_places_it(with_a_new_block: Path) -> None:
    flow = json.loads((with_a_new_block / "flows" / "inbound.json").read_text())
    actions = {action["Identifier"]: action for action in flow["Actions"]}
    assert actions["Success"]["Transitions"]["NextAction"] == "MarkAnswered"
    assert actions["MarkAnswered"]["Parameters"] == {"Attributes": {"answered": "yes"}}
    assert "MarkAnswered" in flow["Metadata"]["ActionMetadata"]
    assert "MarkAnswered" in (with_a_new_block / "modules" / "plan" / "layout.json").read_text()
    assert "MarkAnswered" in (with_a_new_block / "flows" / "README.md").read_text()  # its diagram


def test_nothing_generated_is_left_stale(with_a_new_block: Path) -> None:
    done = _python(with_a_new_block, "from scripts.generate import main; raise SystemExit(main(['--check']))")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


def test_the_demo_plays_the_call_through_it(with_a_new_block: Path) -> None:
    done = _python(
        with_a_new_block,
        "from flowkit import demo\n_, report = demo.play('fast', None)\nprint(' > '.join(report.path))\n",
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Success > MarkAnswered > AfterSuccess" in done.stdout.splitlines()[-1]
