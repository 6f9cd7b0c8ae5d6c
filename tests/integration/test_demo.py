"""The README's demo command keeps working: a simulated call through the module's own flow."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.terraform  # the demo renders the flow with Terraform


def _demo(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - fixed interpreter and script
        [sys.executable, "-m", "scripts.demo", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize(
    ("scenario", "expected"),
    [
        ("typical", "Ending: disconnected; the tracker says completed"),
        ("fail", "check   -> failed scripted_failure"),
        ("hangup", "Ending: caller hung up; the tracker says completed"),
        ("duplicates", "the task ran 1 time(s)"),
        ("requeue", "Ending: transferred to a queue; the tracker says completed"),
        ("crash", "check   -> failed worker_lost"),
        # examples/reconcile.tfvars: the lost run's event, reconciled once Lambda dead-letters it.
        ("crash", "Reconciler: reconciled: 'the demo task keeps no state outside the run"),
        # examples/ask.tfvars: the caller's question goes in, the Bedrock task's answer comes out.
        ("ask", 'caller  hears "Here is what I found. Your parcel is out for delivery'),
        ("ask-chat", 'caller  reads "Here is what I found. Your parcel is out for delivery'),
    ],
)
def test_demo_plays_a_call(scenario: str, expected: str) -> None:
    done = _demo("--scenario", scenario)
    assert done.returncode == 0, done.stderr[-2000:]
    assert expected in done.stdout
    assert "caller  hears" in done.stdout or "caller  reads" in done.stdout
    if "caller  reads" in done.stdout:  # chat: no silence to speak of, messages instead
        assert "messages a minute:" in done.stdout and "silence" not in done.stdout
    else:
        assert "longest silence:" in done.stdout
    assert "warning:" not in done.stderr  # the rendered flows pass the checker without a warning
    if scenario.startswith("ask"):
        assert "flow    start gets question='When will my parcel arrive?'" in done.stdout


def test_demo_takes_an_operators_tfvars() -> None:
    done = _demo("--scenario", "slow", "--tfvars", str(ROOT / "examples" / "ops.tfvars"))
    assert done.returncode == 0, done.stderr[-2000:]
    assert "warning:" not in done.stderr
    assert "Tuning: " in done.stdout and "ops.tfvars" in done.stdout
    assert "We will text you when it is done." in done.stdout  # ops.tfvars' own timeout message
    assert "TakingLonger" in done.stdout


def test_demo_rejects_a_bad_tuning_with_the_modules_message(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tfvars"
    bad.write_text("check_budget_ms = 7600\n")
    done = _demo("--tfvars", str(bad))
    assert done.returncode != 0
    assert "must fit within flow_invocation_time_limit_seconds" in " ".join(done.stderr.split())


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('messages = { sucess = "Done." }', "messages has no sucess: its names are"),
        ('voice = { engin = "Generative" }', "voice has no engin: its names are id and engine"),
        ("memory_size = { workr = 1024 }", "memory_size has no workr: its names are start, check, worker"),
        (
            'config_lookup = { items = { default = { greeting = "Hi." }, "+44" = { gretting = "Hi." } } }',
            'Unknown attribute: config_lookup.items["+44"].gretting (known: language, voice,',
        ),
        (
            'progress_messages = { debited = { percent = 50, mesage = "Paid." } }',
            'progress_messages["debited"].mesage (known: percent, message)',
        ),
    ],
)
def test_a_misspelt_name_inside_an_input_stops_the_demo(tmp_path: Path, line: str, message: str) -> None:
    # An object type would drop the name and the caller would hear the default wording or voice.
    bad = tmp_path / "typo.tfvars"
    bad.write_text(line + "\n")
    done = _demo("--tfvars", str(bad))
    assert done.returncode != 0
    assert message in " ".join(done.stderr.split())


def test_demo_prints_the_call_as_a_chart() -> None:
    done = _demo("--scenario", "fast", "--chart")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "```mermaid\ngantt" in done.stdout
    assert "section Caller hears" in done.stdout


@pytest.mark.parametrize("tfvars", [None, "examples/ops.tfvars"])
def test_the_plans_longest_wait_is_the_wait_the_caller_hears(
    tfvars: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The timing plan counts loops of hold_prompt_seconds (+ one check budget with
    # check_poll_when = always); the simulator plays the hold message for hold_prompt_seconds and
    # check answers within its budget, so a task that never answers is given up on when the plan
    # says, to within the calls' own overhead (tens of milliseconds each: one call per sentence).
    # Progress messages, shorter than the hold message, can only make the wait shorter.
    from flowkit import demo
    from flowkit.scenario import CATALOGUE, Demo
    from flowkit.simulator import START_MS, Scenario

    # Adding a scenario is one entry in the catalogue beside the Scenario type.
    monkeypatch.setitem(CATALOGUE, "never-answers", Demo(Scenario(work_seconds=10_000, progress_messages=())))
    rendered, report = demo.play("never-answers", ROOT / tfvars if tfvars else None)
    timeout_text = next(s for s in report.spoken if "taking longer" in s)
    heard_at = next(e.at_ms for e in report.events if e.text.endswith(f'"{timeout_text}"'))
    longest = float(rendered.timing["longest_wait_seconds"])
    overhead = 0.5 + 0.05 * report.invocations["check"]
    assert abs((heard_at - START_MS) / 1000 - longest) <= overhead, (longest, report.timeline()[-400:])


def test_demo_refuses_a_tuning_terraform_warns_about(tmp_path: Path) -> None:
    typo = tmp_path / "typo.tfvars"
    typo.write_text("max_wait_secnods = 60\n")  # misspelt: Terraform ignores it, with a warning
    done = _demo("--tfvars", str(typo))
    assert done.returncode != 0
    assert "Value for undeclared variable" in done.stderr and "max_wait_secnods" in done.stderr


def test_demo_plays_your_own_task_in_the_modules_flow() -> None:
    # The custom-task example's journey: your task, your flow settings, a caller's attributes.
    example = ROOT / "examples" / "custom-task"
    done = _demo(
        "--task",
        "transfers.task:run",
        "--task-path",
        str(example / "src"),
        "--tfvars",
        str(example / "terraform.tfvars"),
        "--task-env",
        "TRANSFER_API_URL=sandbox",
        "--attribute",
        "amount=120.00",
        "--attribute",
        "to_account=GB33BUKB20201555555555",
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "your task transfers.task:run" in done.stdout
    assert "flow    start gets amount='120.00', to_account='GB33BUKB20201555555555'" in done.stdout
    assert 'caller  hears "The bank is confirming your transfer."' in done.stdout  # its progress
    assert (
        'caller  hears "Your transfer of 120.00 pounds is complete. Your reference is TX' in done.stdout
    )  # its result
    assert "the task ran 1 time(s)" in done.stdout
    # The example's README quotes this call's timeline: every line it shows is what the demo prints.
    readme = (example / "README.md").read_text()
    quoted = readme.split("## 4. Hear it", 1)[1].split("```\n   ", 1)[1].split("```", 1)[0]
    for line in ("   " + quoted).splitlines():
        assert line in done.stdout.splitlines(), f"examples/custom-task/README.md quotes {line!r}"


def _deploying_the_transfer(tmp_path: Path, extra: str = "") -> Path:
    """The custom-task example's flow settings, with the task_handler `terraform apply` deploys."""
    example = ROOT / "examples" / "custom-task"
    tfvars = tmp_path / "transfers.tfvars"
    tfvars.write_text(
        (example / "terraform.tfvars").read_text() + 'task_handler = "transfers.task:run"\n' + extra
    )
    return tfvars


def test_demo_plays_the_task_the_tfvars_deploy(tmp_path: Path) -> None:
    example = ROOT / "examples" / "custom-task"
    done = _demo(
        *("--tfvars", str(_deploying_the_transfer(tmp_path)), "--task-path", str(example / "src")),
        *("--task-env", "TRANSFER_API_URL=sandbox", "--attribute", "amount=120.00"),
        *("--attribute", "to_account=GB33BUKB20201555555555"),
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "your task transfers.task:run" in done.stdout
    assert 'caller  hears "Your transfer of 120.00 pounds is complete. Your reference is TX' in done.stdout


def test_demo_plays_a_task_and_its_dependency_from_the_layer_it_ships(tmp_path: Path) -> None:
    # The layer connect-async build-layer makes (the task and what it imports), not a folder.
    from connect_async.devtools import build_layer

    source = tmp_path / "src"
    (source / "parcels").mkdir(parents=True)
    (source / "tinylib_for_demo").mkdir()
    (source / "tinylib_for_demo" / "__init__.py").write_text(
        "def eta() -> str:\n    return 'today before 6 pm'\n"
    )
    (source / "parcels" / "__init__.py").write_text("")
    (source / "parcels" / "status.py").write_text(
        "import tinylib_for_demo\n\n"
        "def run(context):\n"
        "    context.report_progress(50, 'Asking the carrier.')\n"
        "    context.sleep(10)\n"
        "    return {'message': f'Your parcel arrives {tinylib_for_demo.eta()}.'}\n"
    )
    layer = tmp_path / "parcels-layer.zip"
    layer.write_bytes(build_layer(source))
    tfvars = tmp_path / "parcels.tfvars"
    tfvars.write_text('result_attribute_keys = ["message"]\nmessages = { success = "{result.message}" }\n')
    done = _demo("--task", "parcels.status:run", "--task-layer", str(layer), "--tfvars", str(tfvars))
    assert done.returncode == 0, done.stderr[-2000:]
    assert 'caller  hears "Asking the carrier."' in done.stdout
    assert 'caller  hears "Your parcel arrives today before 6 pm."' in done.stdout
    assert (
        _demo(
            "--task", "parcels.status:run", "--task-layer", str(source / "parcels" / "status.py")
        ).returncode
        != 0
    )


def test_demo_refuses_to_play_another_task_than_the_tfvars_deploy(tmp_path: Path) -> None:
    done = _demo("--tfvars", str(_deploying_the_transfer(tmp_path)), "--task", "connect_async.tasks.demo:run")
    assert done.returncode != 0
    assert "deploys task_handler = 'transfers.task:run'" in done.stderr and "another task" in done.stderr


def test_demo_takes_a_question_of_your_own_with_spaces_through_make() -> None:
    # make passes ATTRIBUTES as one shell-quoted string: a value keeps its spaces.
    planned = subprocess.run(
        ["make", "-n", "demo", "SCENARIO=ask", 'ATTRIBUTES=question="Where is my parcel now?"'],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert """--attributes 'question="Where is my parcel now?"'""" in planned.stdout
    done = _demo("--scenario", "ask", "--attributes", 'question="Where is my parcel now?"')
    assert done.returncode == 0, done.stderr[-2000:]
    assert "flow    start gets question='Where is my parcel now?'" in done.stdout
    assert _demo("--scenario", "ask", "--attributes", 'question="unclosed').returncode != 0


def test_demo_says_a_platform_repositorys_own_variables_are_not_the_modules(tmp_path: Path) -> None:
    tfvars = _deploying_the_transfer(tmp_path, 'region = "eu-west-2"\naccount_alias = "payments-prod"\n')
    done = _demo("--tfvars", str(tfvars), "--task-path", str(ROOT / "examples" / "custom-task" / "src"))
    assert done.returncode != 0
    assert "sets account_alias, region, which are not an input of this module" in done.stderr
    assert "a file of the module's own inputs" in done.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--task", "transfers.task:run"], "cannot be imported"),  # its folder not given
        (
            ["--task", "transfers.task:nope", "--task-path", "examples/custom-task/src"],
            "'nope' is not a function",
        ),
        (["--task-path", "examples/custom-task/src"], "go with --task"),
        (["--task", "transfers.task:run", "--attribute", "amount"], "must be NAME=VALUE"),
    ],
)
def test_demo_says_what_is_wrong_with_your_task(args: list[str], message: str) -> None:
    done = _demo(*[arg if not arg.startswith("examples/") else str(ROOT / arg) for arg in args])
    assert done.returncode != 0
    assert message in done.stderr


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("120.00", 'caller  hears "Your transfer is complete. Your reference is TX000001."'),
        ("5000.00", "check   -> failed insufficient_funds"),
    ],
)
def test_demo_plays_the_step_functions_example(amount: str, expected: str) -> None:
    example = ROOT / "examples" / "step-functions"
    done = _demo(
        "--tfvars",
        str(example / "terraform.tfvars"),
        "--steps",
        str(example / "sandbox.py"),
        "--attribute",
        "account=ACC-1001",
        "--attribute",
        f"amount={amount}",
        "--attribute",
        "to_account=GB33BUKB20201555555555",
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "your steps on Step Functions" in done.stdout
    assert "steps   the execution ends: SUCCEEDED (Claim > Steps > Validate" in done.stdout
    assert expected in done.stdout
    assert "the task ran 1 time(s)" in done.stdout
    if amount == "120.00":
        assert 'caller  hears "The bank is confirming your transfer."' in done.stdout  # a step's progress


def test_a_new_scenario_is_one_catalogue_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    # The recipe in the README: one entry beside the Scenario type; make demo plays it and
    # make gen lists it in the README's scenario table.
    from flowkit import demo
    from flowkit.scenario import CATALOGUE, Demo, Scenario
    from scripts.flow_docs import scenario_section

    entry = Demo(Scenario(work_seconds=40, failing_check_calls=2), "a 40-second task, two check calls fail")
    monkeypatch.setitem(CATALOGUE, "forty-flaky", entry)
    _, report = demo.play("forty-flaky", None)
    assert report.final_status == "completed" and report.ending == "disconnected", report.timeline()
    assert report.total_wait_seconds >= 40
    assert "| `SCENARIO=forty-flaky` | a 40-second task, two check calls fail | the module's defaults |" in (
        scenario_section()
    )
    monkeypatch.setitem(CATALOGUE, "undescribed", Demo(Scenario()))
    with pytest.raises(SystemExit, match="scenario 'undescribed': say what it shows"):
        scenario_section()


def test_a_hold_text_far_longer_than_hold_prompt_seconds_stops_the_demo(tmp_path: Path) -> None:
    # The demo would otherwise play it for the declared second and confirm the plan's wait.
    words = " ".join(["word"] * 44)
    bad = tmp_path / "hold.tfvars"
    bad.write_text(f'hold_prompt_seconds = 1\nmessages = {{ hold = "Thank you for holding. {words}." }}\n')
    done = _demo("--tfvars", str(bad))
    assert done.returncode != 0
    said = " ".join(done.stderr.split())
    assert "hold_prompt_seconds is 1 s, but messages.hold has 48 words: about 19.2 s spoken" in said


def test_the_demo_says_when_a_hold_texts_estimate_is_far_from_hold_prompt_seconds(tmp_path: Path) -> None:
    tuning = tmp_path / "hold.tfvars"
    hold = "Thanks for waiting. We are still working on it. Thank you for your patience."  # 14 words
    tuning.write_text(f'hold_prompt_seconds = 3\nmessages = {{ hold = "{hold}" }}\n')
    done = _demo("--scenario", "fast", "--tfvars", str(tuning))
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Note: messages.hold has 14 words, about 5.6 s spoken" in done.stdout
    assert "Note: messages.hold" not in _demo("--scenario", "fast").stdout  # the defaults agree


def test_too_slow_ends_on_the_taking_longer_path_and_the_run_completes_after() -> None:
    done = _demo("--scenario", "too-slow")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Outcome: taking longer (wait_exceeded, the run then completed); heard last" in done.stdout
    assert "the tracker says completed" in done.stdout
