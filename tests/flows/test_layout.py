"""The console's layout of every generated flow: a position for every block, none overlapping,
the same bytes on every render, blocks a tuning did not change left where they were, and the
ecosystem's flow tool (connect-flow, pinned) linting them clean."""

from __future__ import annotations

import json
import subprocess
import sys
from itertools import combinations
from pathlib import Path
from typing import Any

import pytest

from flowkit.layout import BLOCK_HEIGHT, BLOCK_WIDTH, layout
from scripts import flow_layout
from tests.support.flows import render_plan

pytestmark = pytest.mark.terraform

ROOT = Path(__file__).resolve().parents[2]
TUNINGS = {
    "defaults": {},
    "ops": {"tfvars": ROOT / "examples" / "ops.tfvars"},
    "lookup": {"tfvars": ROOT / "examples" / "lookup.tfvars"},
    "ask": {"tfvars": ROOT / "examples" / "ask.tfvars"},
    "richest": {"variables": flow_layout.TUNINGS[0]},
}


@pytest.fixture(scope="module")
def renders() -> dict[str, dict[str, str]]:
    return {
        name: render_plan(tuning.get("tfvars"), **tuning.get("variables", {})).flows  # type: ignore[arg-type]
        for name, tuning in TUNINGS.items()
    }


def _documents(renders: dict[str, dict[str, str]]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (tuning, flow, json.loads(content))
        for tuning, flows in renders.items()
        for flow, content in flows.items()
    ]


def test_every_block_of_every_render_has_its_place_and_none_overlap(
    renders: dict[str, dict[str, str]],
) -> None:
    unplaced = flow_layout.UNPLACED
    for tuning, flow, document in _documents(renders):
        metadata = document["Metadata"]
        assert metadata["entryPointPosition"] == {"x": 40, "y": 40} and metadata["snapToGrid"] is False
        positions = {name: entry["position"] for name, entry in metadata["ActionMetadata"].items()}
        assert set(positions) == {a["Identifier"] for a in document["Actions"]}, (tuning, flow)
        assert unplaced not in positions.values(), (tuning, flow)
        for (a, pa), (b, pb) in combinations(positions.items(), 2):
            apart = abs(pa["x"] - pb["x"]) >= BLOCK_WIDTH or abs(pa["y"] - pb["y"]) >= BLOCK_HEIGHT
            assert apart, f"{tuning} {flow}: {a} and {b} overlap"


def test_the_same_tuning_renders_the_same_bytes(renders: dict[str, dict[str, str]]) -> None:
    assert render_plan().flows == renders["defaults"]


def test_a_tuning_moves_no_block_it_did_not_change(renders: dict[str, dict[str, str]]) -> None:
    def places(content: str) -> dict[str, Any]:
        return {k: v["position"] for k, v in json.loads(content)["Metadata"]["ActionMetadata"].items()}

    for flow, content in renders["defaults"].items():
        for tuning in ("ops", "lookup", "ask", "richest"):
            if flow in renders[tuning]:
                other = places(renders[tuning][flow])
                same = {k: v for k, v in places(content).items() if k in other}
                assert same == {k: other[k] for k in same}, (flow, tuning)


def test_the_layout_walks_the_call_left_to_right() -> None:
    flow = json.loads((ROOT / "flows" / "inbound.json").read_text())
    placed = layout(flow)
    assert placed["SetVoice"]["x"] < placed["StartTask"]["x"] < placed["CheckTask"]["x"]
    assert placed["SetVoice"]["y"] == placed["StartTask"]["y"]  # the main path along the top


def test_connect_flow_lints_every_rendered_flow_clean(
    renders: dict[str, dict[str, str]], tmp_path: Path
) -> None:
    tool = str(Path(sys.executable).parent / "connect-flow")
    if not Path(tool).exists():
        pytest.skip("connect-flow is installed by `make test` (requirements/dev.txt)")
    files = []
    for tuning, flow, document in _documents(renders):
        path = tmp_path / f"{tuning}-{flow}.json"
        path.write_text(json.dumps(document))
        files.append(f"./{path.relative_to(tmp_path)}")
    done = subprocess.run(  # noqa: S603 - the pinned tool on files this test wrote
        [tool, "lint", "--json", *files],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    report = json.loads(done.stdout)
    problems = {
        f["path"]: (f["error"], f["warnings"]) for f in report["files"] if not f["ok"] or f["warnings"]
    }
    assert problems == {}
    assert report["summary"] == {"total": len(files), "changed": 0, "errors": 0} and done.returncode == 0
