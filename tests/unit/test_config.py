"""Configuration: every bad variable is named in the error, defaults are sensible."""

from __future__ import annotations

import pytest

from connect_async.config import (
    FUNCTION_ENV_VARS,
    CheckSettings,
    ConfigurationError,
    StartSettings,
    WorkerSettings,
)
from connect_async.contract import TrackingIdSource
from connect_async.settings import CONSTANTS, SETTINGS, setting

pytestmark = pytest.mark.unit

START_ENV = {"TRACKER_TABLE_NAME": "t", "WORKER_FUNCTION_NAME": "w"}


def test_start_defaults() -> None:
    settings = StartSettings.from_env(START_ENV)
    assert settings.tracking_id_source is TrackingIdSource.INITIAL_CONTACT_ID
    assert (settings.run_deadline_seconds, settings.record_ttl_seconds) == (330, 86_400)


def test_an_unset_setting_is_the_schemas_default_as_terraform_derives_it() -> None:
    # run_deadline_seconds is derived by modules/plan (worker timeout + dispatch slack): the
    # runtime's default is the same formula over the same defaults, so a function deployed without
    # the variable behaves as one deployed with the module's defaults.
    worker_timeout = setting("worker_timeout_seconds").default
    assert setting("run_deadline_seconds").default == worker_timeout + CONSTANTS["dispatch_slack_seconds"]
    assert setting("run_deadline_seconds").derived_from == "worker_timeout_seconds + dispatch_slack_seconds"


def test_every_setting_a_function_reads_has_a_default_within_its_range() -> None:
    for row in SETTINGS:
        if row.choices:
            assert row.default in row.choices, row.name
        else:
            assert row.minimum is not None and row.maximum is not None, row.name
            assert row.minimum <= float(row.default) <= row.maximum, row.name
            assert not row.whole or float(row.default).is_integer(), row.name
        if row.env is not None:
            readers = [fn for fn, names in FUNCTION_ENV_VARS.items() if row.env in names]
            assert set(readers) == {r for r in row.readers if r in FUNCTION_ENV_VARS}, row.name


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"WORKER_FUNCTION_NAME": "w"}, "TRACKER_TABLE_NAME is required"),
        ({"TRACKER_TABLE_NAME": "t"}, "WORKER_FUNCTION_NAME is required"),
        ({**START_ENV, "RUN_DEADLINE_SECONDS": "ten"}, "RUN_DEADLINE_SECONDS must be a whole number"),
        ({**START_ENV, "RUN_DEADLINE_SECONDS": "0"}, "RUN_DEADLINE_SECONDS must be between 1 and 86400"),
        ({**START_ENV, "TRACKING_ID_SOURCE": "phone"}, "TRACKING_ID_SOURCE must be one of"),
        (
            {**START_ENV, "RUN_DEADLINE_SECONDS": "600", "RECORD_TTL_SECONDS": "600"},
            "RECORD_TTL_SECONDS (600) must be greater than RUN_DEADLINE_SECONDS (600)",
        ),
        (
            {**START_ENV, "RUN_DEADLINE_SECONDS": "40", "WORKER_START_TIMEOUT_SECONDS": "40"},
            "WORKER_START_TIMEOUT_SECONDS (40) must be less than RUN_DEADLINE_SECONDS (40)",
        ),
    ],
)
def test_start_errors_name_the_variable(env: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigurationError, match=named.replace("(", r"\(").replace(")", r"\)")):
        StartSettings.from_env(env)


def test_check_interval_cannot_exceed_budget() -> None:
    env = {"TRACKER_TABLE_NAME": "t", "CHECK_BUDGET_MS": "1000", "CHECK_POLL_INTERVAL_MS": "2000"}
    with pytest.raises(ConfigurationError, match="CHECK_POLL_INTERVAL_MS"):
        CheckSettings.from_env(env)


def test_check_budget_stays_under_the_flows_eight_seconds() -> None:
    with pytest.raises(ConfigurationError, match="CHECK_BUDGET_MS must be between 0 and 7500"):
        CheckSettings.from_env({"TRACKER_TABLE_NAME": "t", "CHECK_BUDGET_MS": "8000"})


def test_worker_needs_a_task_handler_and_bounds_the_result() -> None:
    with pytest.raises(ConfigurationError, match="TASK_HANDLER is required"):
        WorkerSettings.from_env({"TRACKER_TABLE_NAME": "t"})
    with pytest.raises(ConfigurationError, match="MAX_RESULT_BYTES must be between 64 and 30720"):
        WorkerSettings.from_env(
            {"TRACKER_TABLE_NAME": "t", "TASK_HANDLER": "a:b", "MAX_RESULT_BYTES": "40000"}
        )
