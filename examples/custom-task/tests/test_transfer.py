"""The transfer task, tested as the worker runs it and as the flow hears it (connect_async.testing)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from transfers import task
from transfers.bank import SandboxBank, Transfer

from connect_async.tasks import TaskContext, TransientError
from connect_async.testing import play, reconcile_lost_run, run_task

pytestmark = pytest.mark.moto

SANDBOX = {"TRANSFER_API_URL": "sandbox"}
TRANSFER = {"amount": "120.00", "to_account": "GB33 BUKB 2020 1555 5555 55"}


def test_a_transfer_is_confirmed_and_its_reference_answered() -> None:
    run = run_task(task.run, TRANSFER, environment=SANDBOX)
    assert (run.status, run.error_code) == ("completed", "")
    assert run.result["reference"].startswith("TX") and run.result["amount"] == "120.00"
    assert [percent for percent, _ in run.progress] == [10, 40]


def test_the_caller_hears_insufficient_funds_as_the_banks_own_reason() -> None:
    call = play(task.run, {**TRANSFER, "amount": "5000.00"}, environment=SANDBOX, result_keys=("reference",))
    assert call.while_running["status"] == "in_progress"
    assert (call.final["status"], call.final["error_code"]) == ("failed", "insufficient_funds")
    assert call.final["result_reference"] == ""  # nothing to speak


@pytest.mark.parametrize(
    ("parameters", "code"),
    [
        ({**TRANSFER, "amount": "ten"}, "invalid_amount"),
        ({**TRANSFER, "amount": "0.001"}, "invalid_amount"),
        ({**TRANSFER, "amount": "NaN"}, "invalid_amount"),
        ({**TRANSFER, "to_account": "12345"}, "invalid_account"),
    ],
)
def test_bad_input_fails_before_the_bank_is_called(parameters: dict[str, str], code: str) -> None:
    assert run_task(task.run, parameters, environment=SANDBOX).error_code == code


def test_without_a_configured_bank_nothing_is_sent() -> None:
    assert run_task(task.run, TRANSFER).error_code == "transfer_not_configured"


class _BusyOnce(SandboxBank):
    """The bank is busy on the first request; the worker retries with the same idempotency key."""

    def __init__(self) -> None:
        super().__init__()
        self.creates: list[str] = []

    def create_transfer(self, amount: Decimal, to_account: str, *, idempotency_key: str) -> Transfer:
        self.creates.append(idempotency_key)
        if len(self.creates) == 1:
            raise TransientError("the bank answered 503")
        return super().create_transfer(amount, to_account, idempotency_key=idempotency_key)


def test_a_retried_request_reuses_the_runs_idempotency_key() -> None:
    bank = _BusyOnce()

    def with_busy_bank(context: TaskContext) -> dict[str, str]:
        return task.transfer(context, bank)

    run = run_task(with_busy_bank, TRANSFER)
    assert run.status == "completed" and run.task_calls == 2
    assert len(bank.creates) == 2 and len(set(bank.creates)) == 1  # one key: one transfer
    assert len(bank.by_key) == 1


# -- the reconciler: the worker died mid-transfer; ask the bank what became of it ----------------


@pytest.mark.parametrize(
    ("dies_at_progress", "expected"),
    [
        # Died before the request left: the bank never heard of the key.
        (1, "No transfer was sent: nothing to undo."),
        # Died after the bank took the request: it went through, and the customer needs its reference.
        (2, "went through: tell the customer its reference."),
    ],
)
def test_a_lost_transfer_is_settled_with_the_bank_once(dies_at_progress: int, expected: str) -> None:
    bank = SandboxBank()
    bank.READS_TO_CONFIRM = 1  # confirmed by the time anyone asks

    def with_bank(context: TaskContext) -> dict[str, str]:
        return task.transfer(context, bank)

    done = reconcile_lost_run(
        lambda run: task.settle(run, bank),
        TRANSFER,
        task=with_bank,
        dies_at_progress=dies_at_progress,
        deliveries=2,
    )
    assert done.outcomes == ["reconciled", "already_reconciled"]  # SQS delivers at least once
    assert done.status == "reconciled" and done.outcome.endswith(expected)
    assert done.record.error_code == "worker_lost"  # the caller heard the fallback; that stands


def test_a_transfer_still_pending_is_tried_again_later() -> None:
    bank = SandboxBank()
    bank.READS_TO_CONFIRM = 99

    done = reconcile_lost_run(
        lambda run: task.settle(run, bank),
        TRANSFER,
        task=lambda context: task.transfer(context, bank),
        dies_at_progress=2,
    )
    assert done.outcomes == ["retry"]  # SQS delivers it again after its visibility timeout
    assert done.status == "retry_later" and "still pending at the bank" in done.outcome
