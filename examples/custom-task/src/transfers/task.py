"""Send money from the caller's account to another one, while the caller holds.

TASK_HANDLER = "transfers.task:run". The flow passes ``amount`` and ``to_account`` (from
contact attributes an earlier flow or bot set); the caller hears each progress message, and
the answer's ``amount`` and ``reference`` are spoken at the end (messages.success). It depends on
tenacity (requirements.txt, built into the layer) to wait for the bank's confirmation.

reconciler.handler = "transfers.task:reconcile": when a worker dies mid-transfer (the request
sent to the bank, then an out-of-memory kill), the caller hears the fallback, and once Lambda's
retries send the event to the dead-letter queue, ``reconcile`` asks the bank, by the run's
idempotency key, what became of the transfer.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Final

from tenacity import Retrying, retry_if_result, stop_never, wait_fixed

from connect_async.tasks import LostRun, Reconciled, RetryLater, TaskContext, TaskFailed
from transfers.bank import Bank, Transfer, bank_from_environment

__all__ = ["reconcile", "run", "settle", "transfer"]

_MAX_AMOUNT: Final = Decimal("10000.00")
# An IBAN's shape: country, check digits, then up to 30 letters or digits.
_ACCOUNT: Final = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}")
_POLL_SECONDS: Final = 2
_CENT: Final = Decimal("0.01")


def _amount(raw: str) -> Decimal:
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        raise TaskFailed("The amount is not a number.", "invalid_amount") from None
    if not amount.is_finite() or not Decimal("0") < amount <= _MAX_AMOUNT or amount != amount.quantize(_CENT):
        raise TaskFailed("The amount must be between 0.01 and 10000.00, in pence.", "invalid_amount")
    return amount


def transfer(context: TaskContext, bank: Bank) -> dict[str, str]:
    """The transfer, against any bank (the tests pass their own)."""
    amount = _amount(context.parameters.get("amount", ""))
    to_account = context.parameters.get("to_account", "").replace(" ", "").upper()
    if not _ACCOUNT.fullmatch(to_account):
        raise TaskFailed("The account number is not valid.", "invalid_account")
    # The same on every delivery and retry of this run, so the bank never makes a second transfer;
    # a caller who starts again (a new attempt, or a new run after the record expired) makes a new one.
    idempotency_key = context.idempotency_key
    context.report_progress(10, "I am sending your transfer now.")
    sent = bank.create_transfer(amount, to_account, idempotency_key=idempotency_key)
    context.report_progress(40, "The bank is confirming your transfer.")
    if sent.status == "pending":
        sent = _confirmed(context, bank, sent.id)
    if sent.status == "rejected":
        raise TaskFailed("The bank rejected the transfer.", sent.reason or "transfer_rejected")
    return {"reference": sent.id, "amount": f"{amount:.2f}"}


def _confirmed(context: TaskContext, bank: Bank, transfer_id: str) -> Transfer:
    """Ask the bank until it confirms or rejects, every _POLL_SECONDS on the worker's clock
    (tenacity's sleep is the context's: virtual in the tests, bounded by the task's budget)."""
    polling = Retrying(
        retry=retry_if_result(lambda transfer: transfer.status == "pending"),
        wait=wait_fixed(_POLL_SECONDS),
        sleep=context.sleep,
        stop=stop_never,  # the task's budget stops it (worker_timeout)
    )
    answer: Transfer = polling(bank.get_transfer, transfer_id)
    return answer


def run(context: TaskContext) -> dict[str, str]:
    return transfer(context, bank_from_environment())


def settle(run: LostRun, bank: Bank) -> Reconciled | RetryLater:
    """What became of a lost run's transfer, by the key the task gave the bank (any bank: the
    tests pass their own). An unreachable bank raises TransientError: tried again later."""
    found = bank.find_transfer(run.idempotency_key)
    if found is None:
        return Reconciled("No transfer was sent: nothing to undo.")
    if found.status == "pending":
        return RetryLater(f"Transfer {found.id} is still pending at the bank.")
    if found.status == "confirmed":
        return Reconciled(f"Transfer {found.id} went through: tell the customer its reference.")
    return Reconciled(f"Transfer {found.id} was rejected ({found.reason or 'no reason'}): no money moved.")


def reconcile(run: LostRun) -> Reconciled | RetryLater:
    return settle(run, bank_from_environment())
