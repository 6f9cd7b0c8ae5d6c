"""The tracker table: the only module that reads or writes DynamoDB.

Every write is conditional, so the record moves one way only:
absent/expired/overdue -> in_progress (start) -> completed | failed (worker, or start on a
dispatch failure). A write whose condition fails changes nothing and is reported to the caller,
which decides whether that is a duplicate (a no-op) or a lost race.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal, TypeVar

from boto3.dynamodb.types import TypeSerializer
from botocore.exceptions import ClientError

from connect_async.clock import Clock
from connect_async.contract import RECONCILIATION_ATTRS, Attr, ReconcileStatus, RunStatus
from connect_async.events import TaskRequest
from connect_async.retry import RetryPolicy, call_with_retry
from connect_async.runs import CorruptRecordError, TrackerRecord, record_from_item

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

__all__ = [
    "BeginOutcome",
    "ClaimOutcome",
    "TrackerTable",
    "TrackerUnavailableError",
]

T = TypeVar("T")
# Who may make a run final: the claiming worker while its lease and the deadline hold, anyone
# while unclaimed, anyone once overdue, anyone once the claiming worker's lease has lapsed, and
# anyone once a run no worker claimed is past the time one had to (unstarted).
_Guard = Literal["owner", "unclaimed", "overdue", "lost", "unstarted"]
_CONDITION_FAILED: Final = "ConditionalCheckFailedException"
# What a record's attribute holds: a string, a whole number, or the result (a map of strings).
_Value = str | int | Mapping[str, str]


class TrackerUnavailableError(Exception):
    """DynamoDB could not be reached or kept throttling until the caller's time ran out."""


@dataclass(frozen=True)
class BeginOutcome:
    created: bool
    record: TrackerRecord


@dataclass(frozen=True)
class ClaimOutcome:
    claimed: bool
    # The record as it stood when the claim was refused (None if it no longer exists).
    record: TrackerRecord | None


_SERIALIZER: Final = TypeSerializer()


class _Expression:
    """Builds DynamoDB expressions with placeholders for every name (status is reserved) and
    every value (a Python str, int or mapping of str, as boto3's TypeSerializer writes it).

    A time placeholder (``now``, ``now_seconds``, ``later``) is filled by ``values_at`` when the
    request is sent, again on each attempt: a retried write judges the deadline and the lease by
    the time it lands, never by the time it was built (a completion throttled just before the
    deadline must not land after it, once check has answered failed)."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.values: dict[str, AttributeValueTypeDef] = {}
        self._times: dict[str, tuple[int, int]] = {}  # placeholder: (offset ms, unit ms)

    def name(self, attr: Attr) -> str:
        placeholder = f"#{attr.value}"
        self.names[placeholder] = attr.value
        return placeholder

    def value(self, key: str, value: _Value) -> str:
        """The placeholder of ``value``; asking again for the same key and value reuses it."""
        placeholder = f":{key}"
        serialized = _SERIALIZER.serialize(value)
        if placeholder in self._times or self.values.setdefault(placeholder, serialized) != serialized:
            raise ValueError(f"{placeholder} already stands for another value")
        return placeholder

    def now(self) -> str:
        """``:now``, the sending time in epoch milliseconds."""
        return self._time("now", 0, 1)

    def now_seconds(self) -> str:
        """``:now_s``, the sending time in epoch seconds (as the TTL attribute is written)."""
        return self._time("now_s", 0, 1000)

    def later(self, key: str, offset_ms: int) -> str:
        """``:key``, ``offset_ms`` after the sending time, in epoch milliseconds (a lease's end)."""
        return self._time(key, offset_ms, 1)

    def _time(self, key: str, offset_ms: int, unit_ms: int) -> str:
        placeholder = f":{key}"
        if placeholder in self.values or self._times.setdefault(placeholder, (offset_ms, unit_ms)) != (
            offset_ms,
            unit_ms,
        ):
            raise ValueError(f"{placeholder} already stands for another value")
        return placeholder

    def values_at(self, now_ms: int) -> dict[str, AttributeValueTypeDef]:
        """Every value, the time placeholders filled from ``now_ms``."""
        times = {
            placeholder: _SERIALIZER.serialize((now_ms + offset_ms) // unit_ms)
            for placeholder, (offset_ms, unit_ms) in self._times.items()
        }
        return {**self.values, **times}

    def assign(self, attr: Attr, value: _Value) -> str:
        """``#attr = :attr``, one clause of a SET."""
        return f"{self.name(attr)} = {self.value(attr.value, value)}"

    def increment(self, attr: Attr) -> str:
        """``#attr = if_not_exists(#attr, 0) + 1``: a counter that starts at one."""
        name = self.name(attr)
        return f"{name} = if_not_exists({name}, {self.value('zero', 0)}) + {self.value('one', 1)}"


class TrackerTable:
    """Data access for tracker records, with bounded retries of transient errors."""

    def __init__(
        self,
        client: DynamoDBClient,
        table_name: str,
        *,
        clock: Clock,
        retry_policy: RetryPolicy,
    ) -> None:
        self._client = client
        self._table = table_name
        self._clock = clock
        self._policy = retry_policy

    # -- plumbing --------------------------------------------------------------------------

    def _call(self, operation: Callable[[], T], give_up_at_ms: int) -> T:
        # Condition failures never reach here: _conditional_update turns them into results.
        try:
            return call_with_retry(
                operation, policy=self._policy, clock=self._clock, give_up_at_ms=give_up_at_ms
            )
        except CorruptRecordError:
            raise
        except Exception as exc:
            raise TrackerUnavailableError(_describe(exc)) from exc

    def _conditional_update(
        self,
        task_id: str,
        update: str,
        condition: str,
        expr: _Expression,
        give_up_at_ms: int,
        *,
        with_items: bool = True,
    ) -> tuple[bool, Mapping[str, Any] | None]:
        """Run one conditional UpdateItem. Returns (applied, item after or item before), or with
        ``with_items=False`` no item (ReturnValues NONE: the reconciler's role may ask no more).

        Each attempt fills the expression's time placeholders with the time it is sent."""
        returns: dict[str, Any] = (
            {"ReturnValues": "ALL_NEW", "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}
            if with_items
            else {"ReturnValues": "NONE"}
        )

        def operation() -> tuple[bool, Mapping[str, Any] | None]:
            try:
                response = self._client.update_item(
                    TableName=self._table,
                    Key={Attr.TASK_ID.value: {"S": task_id}},
                    UpdateExpression=update,
                    ConditionExpression=condition,
                    ExpressionAttributeNames=expr.names,
                    ExpressionAttributeValues=expr.values_at(self._clock.now_ms()),
                    **returns,
                )
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") != _CONDITION_FAILED:
                    raise
                old = exc.response.get("Item")
                return False, old if isinstance(old, Mapping) else None
            return True, response.get("Attributes")

        return self._call(operation, give_up_at_ms)

    # -- reads -----------------------------------------------------------------------------

    def get(self, task_id: str, *, give_up_at_ms: int) -> TrackerRecord | None:
        """Strongly consistent read: a poll must see the worker's last write."""

        def operation() -> TrackerRecord | None:
            response = self._client.get_item(
                TableName=self._table,
                Key={Attr.TASK_ID.value: {"S": task_id}},
                ConsistentRead=True,
            )
            item = response.get("Item")
            return record_from_item(item) if item else None

        return self._call(operation, give_up_at_ms)

    # -- start -----------------------------------------------------------------------------

    def begin_run(
        self,
        request: TaskRequest,
        *,
        deadline_at_ms: int,
        expires_at: int,
        give_up_at_ms: int,
        claim_by_ms: int = 0,
    ) -> BeginOutcome:
        """Create a fresh in-progress run with one conditional write, or return the live one.

        The write succeeds when no record exists, the record has expired, an in-progress run is
        past its deadline, or (with a restart token) a finished run was made with another token.
        A worker must claim the run by ``claim_by_ms`` (0: no bound).
        """
        now_ms = self._clock.now_ms()
        e = _Expression()
        contact = request.contact
        begun_by = uuid.uuid4().hex
        fresh: dict[Attr, str | int] = {
            Attr.BEGUN_BY: begun_by,
            Attr.STATUS: RunStatus.IN_PROGRESS,
            Attr.TASK_NAME: request.task_name,
            Attr.CREATED_AT_MS: now_ms,
            Attr.DEADLINE_AT_MS: deadline_at_ms,
            Attr.EXPIRES_AT: expires_at,
            Attr.PROGRESS_PERCENT: 0,
            Attr.PROGRESS_MESSAGE: "",
            Attr.WORKER_RUNS: 0,
            Attr.CLAIM_BY_MS: claim_by_ms,
            Attr.CHANNEL: contact.channel,
            Attr.CONTACT_ID: contact.contact_id,
            Attr.INITIAL_CONTACT_ID: contact.initial_contact_id,
        }
        if request.restart_token is not None:
            fresh[Attr.RESTART_TOKEN] = request.restart_token
        sets = [
            *(e.assign(attr, value) for attr, value in fresh.items()),
            f"{e.name(Attr.UPDATED_AT_MS)} = {e.now()}",
            e.increment(Attr.ATTEMPT),
        ]
        removes = [
            Attr.PROGRESS_AT_MS,
            Attr.RESULT,
            Attr.ERROR_CODE,
            Attr.ERROR_MESSAGE,
            Attr.LEASE_OWNER,
            Attr.LEASE_EXPIRES_AT_MS,
            Attr.FINISHED_AT_MS,
            # A new run starts unreconciled (the reconciler's writes name their run's attempt).
            *RECONCILIATION_ATTRS,
        ]
        if request.restart_token is None:
            removes.append(Attr.RESTART_TOKEN)
        status, in_progress, now = e.name(Attr.STATUS), e.value("status", RunStatus.IN_PROGRESS), e.now()
        conditions = [
            f"attribute_not_exists({e.name(Attr.TASK_ID)})",
            f"{e.name(Attr.EXPIRES_AT)} <= {e.now_seconds()}",
            f"({status} = {in_progress} AND {e.name(Attr.DEADLINE_AT_MS)} <= {now})",
        ]
        if request.restart_token is not None:
            token_attr, token = e.name(Attr.RESTART_TOKEN), e.value("restart_token", request.restart_token)
            # A run whose worker is lost, or never started, reads as failed, so it may be
            # restarted like one.
            claim_by, zero = e.name(Attr.CLAIM_BY_MS), e.value("zero", 0)
            conditions.append(
                f"(({status} IN ({e.value('completed', RunStatus.COMPLETED)}, "
                f"{e.value('failed', RunStatus.FAILED)}) OR "
                f"({status} = {in_progress} AND {e.name(Attr.LEASE_EXPIRES_AT_MS)} <= {now}) OR "
                f"({status} = {in_progress} AND attribute_not_exists({e.name(Attr.LEASE_OWNER)}) AND "
                f"{claim_by} > {zero} AND {claim_by} <= {now})) AND "
                f"(attribute_not_exists({token_attr}) OR {token_attr} <> {token}))"
            )
        update = "SET " + ", ".join(sets) + " REMOVE " + ", ".join(e.name(a) for a in removes)
        applied, item = self._conditional_update(
            request.task_id, update, " OR ".join(conditions), e, give_up_at_ms
        )
        if item is None:
            # Refused, but the old image did not come back: read it (rare; one extra call).
            existing = self.get(request.task_id, give_up_at_ms=give_up_at_ms)
            if existing is None:
                raise TrackerUnavailableError("the run's record changed while it was being read")
            return BeginOutcome(created=existing.begun_by == begun_by, record=existing)
        record = record_from_item(item)
        # Refused because an earlier attempt of this very write landed (its answer was lost):
        # the run is this call's, and it must still be handed to the worker.
        return BeginOutcome(created=applied or record.begun_by == begun_by, record=record)

    # -- worker ----------------------------------------------------------------------------

    def claim(
        self, task_id: str, attempt: int, owner: str, *, lease_ms: int, give_up_at_ms: int
    ) -> ClaimOutcome:
        """Take the run for one worker invocation: at most one execution per attempt.

        A claim succeeds only while the run is in progress, on the same attempt, before its
        deadline and the time a worker had to claim it by (after which readers were told it
        failed, worker_not_started), and unclaimed. It is never released: a worker that dies
        after it leaves its lease to lapse, readers then see the run as failed (worker_lost),
        and nothing runs the task again (a retried money transfer is worse than a fallback).
        The lease lasts ``lease_ms``; the worker renews it while the task runs (``renew_lease``).
        """
        e = _Expression()
        lease = e.name(Attr.LEASE_OWNER)
        sets = [
            f"{lease} = {e.value('owner', owner)}",
            f"{e.name(Attr.LEASE_EXPIRES_AT_MS)} = {e.later('lease_end', lease_ms)}",
            f"{e.name(Attr.UPDATED_AT_MS)} = {e.now()}",
            e.increment(Attr.WORKER_RUNS),
        ]
        update = "SET " + ", ".join(sets)
        condition = (
            f"{e.name(Attr.STATUS)} = {e.value('in_progress', RunStatus.IN_PROGRESS)} AND "
            f"{e.name(Attr.ATTEMPT)} = {e.value('attempt', attempt)} AND "
            f"{e.name(Attr.DEADLINE_AT_MS)} > {e.now()} AND "
            f"{e.name(Attr.EXPIRES_AT)} > {e.now_seconds()} AND "
            f"attribute_not_exists({lease}) AND "
            f"{_no_claim_bound_before(e, e.now())}"
        )
        applied, item = self._conditional_update(task_id, update, condition, e, give_up_at_ms)
        record = record_from_item(item) if item else None
        if not applied and record is not None and _landed(record, attempt, owner, RunStatus.IN_PROGRESS):
            applied = True  # an earlier attempt of this claim landed; only its answer was lost
        return ClaimOutcome(applied, record)

    def renew_lease(
        self, task_id: str, attempt: int, owner: str, *, lease_ms: int, give_up_at_ms: int
    ) -> bool:
        """Extend the claiming worker's lease; False when the run is no longer its own (finished,
        restarted, or the lease already lapsed, so readers may have been told it failed)."""
        e = _Expression()
        update = (
            f"SET {e.name(Attr.LEASE_EXPIRES_AT_MS)} = {e.later('lease_end', lease_ms)}, "
            f"{e.name(Attr.UPDATED_AT_MS)} = {e.now()}"
        )
        condition = self._live_owner_condition(e, attempt, owner)
        applied, _ = self._conditional_update(task_id, update, condition, e, give_up_at_ms)
        return applied

    def _live_owner_condition(self, e: _Expression, attempt: int, owner: str) -> str:
        """The run is ``owner``'s, and no reader can have been told it failed: its lease and the
        run's deadline both still hold when the write is sent."""
        now = e.now()
        return self._owned_condition(e, attempt, owner) + (
            f" AND {e.name(Attr.LEASE_EXPIRES_AT_MS)} > {now} AND {e.name(Attr.DEADLINE_AT_MS)} > {now}"
        )

    def _owned_condition(self, e: _Expression, attempt: int, owner: str | None) -> str:
        condition = (
            f"{e.name(Attr.STATUS)} = {e.value('in_progress', RunStatus.IN_PROGRESS)} AND "
            f"{e.name(Attr.ATTEMPT)} = {e.value('attempt', attempt)}"
        )
        if owner is not None:
            condition += f" AND {e.name(Attr.LEASE_OWNER)} = {e.value('owner', owner)}"
        return condition

    def report_progress(
        self,
        task_id: str,
        attempt: int,
        owner: str,
        *,
        percent: int,
        message: str,
        give_up_at_ms: int,
    ) -> bool:
        """Record progress; False when the run is no longer this worker's."""
        e = _Expression()
        update = (
            f"SET {e.name(Attr.PROGRESS_PERCENT)} = {e.value('percent', percent)}, "
            f"{e.name(Attr.PROGRESS_MESSAGE)} = {e.value('message', message)}, "
            f"{e.name(Attr.PROGRESS_AT_MS)} = {e.now()}, "
            f"{e.name(Attr.UPDATED_AT_MS)} = {e.now()}"
        )
        condition = self._live_owner_condition(e, attempt, owner)
        applied, _ = self._conditional_update(task_id, update, condition, e, give_up_at_ms)
        return applied

    def complete(
        self,
        task_id: str,
        attempt: int,
        owner: str,
        *,
        result: Mapping[str, str],
        give_up_at_ms: int,
    ) -> bool:
        """Write the final, successful state; False if the run was already final or taken."""
        fields: dict[Attr, _Value] = {Attr.RESULT: dict(result), Attr.PROGRESS_PERCENT: 100}
        return self._finish(
            task_id, attempt, owner, status=RunStatus.COMPLETED, fields=fields, give_up_at_ms=give_up_at_ms
        )

    def fail(
        self,
        task_id: str,
        attempt: int,
        *,
        owner: str | None,
        error_code: str,
        error_message: str,
        give_up_at_ms: int,
        only_if_overdue: bool = False,
        only_if_lost: bool = False,
        only_if_unstarted: bool = False,
    ) -> bool:
        """Write the final, failed state; False if the run was already final or taken.

        Who may fail a run: its ``owner`` (the worker that claimed it) while its lease and the
        deadline hold; with ``owner=None``, start after a dispatch failure, but only while no
        worker has claimed the run (the invoke may have gone through with only its answer lost);
        with ``only_if_overdue``, anyone once the run is past its deadline; with
        ``only_if_lost``, anyone once ``owner``'s lease has lapsed (its worker is gone); and with
        ``only_if_unstarted``, anyone once a run no worker claimed is past its claim bound.
        """
        fields: dict[Attr, _Value] = {
            Attr.ERROR_CODE: error_code,
            Attr.ERROR_MESSAGE: error_message,
        }
        guard: _Guard
        if only_if_overdue:
            guard = "overdue"
        elif only_if_lost:
            guard = "lost"
        elif only_if_unstarted:
            guard = "unstarted"
        else:
            guard = "owner" if owner is not None else "unclaimed"
        return self._finish(
            task_id,
            attempt,
            owner,
            status=RunStatus.FAILED,
            fields=fields,
            give_up_at_ms=give_up_at_ms,
            guard=guard,
        )

    def _finish(
        self,
        task_id: str,
        attempt: int,
        owner: str | None,
        *,
        status: RunStatus,
        fields: Mapping[Attr, _Value],
        give_up_at_ms: int,
        guard: _Guard = "owner",
    ) -> bool:
        """The one way a run becomes final: a conditional write from in_progress, same attempt."""
        e = _Expression()
        sets = [
            f"{e.name(Attr.STATUS)} = {e.value('final', status)}",
            *(e.assign(attr, value) for attr, value in fields.items()),
            f"{e.name(Attr.UPDATED_AT_MS)} = {e.now()}",
            f"{e.name(Attr.FINISHED_AT_MS)} = {e.now()}",
        ]
        # (Names are added only where used: DynamoDB rejects unused expression names.)
        if guard == "owner" and owner is not None:
            # Never after a reader could have been told the run failed (deadline or lost lease).
            condition = self._live_owner_condition(e, attempt, owner)
        else:
            condition = self._owned_condition(e, attempt, owner if guard == "lost" else None)
        if guard == "overdue":
            condition += f" AND {e.name(Attr.DEADLINE_AT_MS)} <= {e.now()}"
        elif guard == "unclaimed":
            condition += f" AND attribute_not_exists({e.name(Attr.LEASE_OWNER)})"
        elif guard == "unstarted":
            claim_by = e.name(Attr.CLAIM_BY_MS)
            condition += (
                f" AND attribute_not_exists({e.name(Attr.LEASE_OWNER)})"
                f" AND {claim_by} > {e.value('zero', 0)} AND {claim_by} <= {e.now()}"
            )
        elif guard == "lost":  # the named owner's lease has lapsed
            condition += f" AND {e.name(Attr.LEASE_EXPIRES_AT_MS)} <= {e.now()}"
        applied, old = self._conditional_update(
            task_id, "SET " + ", ".join(sets), condition, e, give_up_at_ms
        )
        if not applied and guard == "owner" and owner is not None and old is not None:
            # An earlier attempt of this write landed (its answer was lost): it is this owner's.
            return _landed(record_from_item(old), attempt, owner, status)
        return applied

    # -- reconciler ------------------------------------------------------------------------
    # Its writes name only RECONCILE_FIELDS and ask nothing back (ReturnValues NONE): its role
    # may write those attributes alone (IAM's dynamodb:Attributes), so a refusal is read again.

    def begin_reconcile(
        self, task_id: str, attempt: int, created_at_ms: int, owner: str, *, hold_ms: int, give_up_at_ms: int
    ) -> bool:
        """Take the run's reconciliation for ``hold_ms``: refused when it is reconciled, or
        another reconciler holds it still, or the record is of another run."""
        e = _Expression()
        status, until = e.name(Attr.RECONCILE_STATUS), e.name(Attr.RECONCILE_UNTIL_MS)
        update = (
            f"SET {e.assign(Attr.RECONCILE_STATUS, ReconcileStatus.RECONCILING)}, "
            f"{e.assign(Attr.RECONCILE_OWNER, owner)}, "
            f"{until} = {e.later('until', hold_ms)}, "
            f"{e.increment(Attr.RECONCILE_ATTEMPTS)}"
        )
        condition = (
            f"{self._same_run(e, attempt, created_at_ms)} AND (attribute_not_exists({status}) OR "
            f"{status} = {e.value('retry_later', ReconcileStatus.RETRY_LATER)} OR "
            f"({status} = {e.value('reconciling', ReconcileStatus.RECONCILING)} AND {until} <= {e.now()}))"
        )
        if self._reconcile_update(task_id, update, condition, e, give_up_at_ms):
            return True
        record = self.get(task_id, give_up_at_ms=give_up_at_ms)
        # Refused because an earlier attempt of this very write landed (its answer was lost).
        return (
            record is not None
            and record.reconcile_owner == owner
            and record.reconcile_status == ReconcileStatus.RECONCILING
        )

    def finish_reconcile(
        self,
        task_id: str,
        attempt: int,
        created_at_ms: int,
        owner: str,
        *,
        status: ReconcileStatus,
        outcome: str,
        give_up_at_ms: int,
    ) -> bool:
        """Record what the reconcile function said, while the reconciliation is ``owner``'s;
        False when it no longer is (the run was restarted, say). Never touches the run's status."""
        e = _Expression()
        sets = [
            e.assign(Attr.RECONCILE_STATUS, status),
            e.assign(Attr.RECONCILE_OUTCOME, outcome),
            f"{e.name(Attr.RECONCILE_UNTIL_MS)} = {e.value('zero', 0)}",
        ]
        if status is ReconcileStatus.RECONCILED:
            sets.append(f"{e.name(Attr.RECONCILED_AT_MS)} = {e.now()}")
        condition = (
            f"{self._same_run(e, attempt, created_at_ms)} AND "
            f"{e.name(Attr.RECONCILE_OWNER)} = {e.value('owner', owner)} AND "
            f"{e.name(Attr.RECONCILE_STATUS)} = {e.value('reconciling', ReconcileStatus.RECONCILING)}"
        )
        if self._reconcile_update(task_id, "SET " + ", ".join(sets), condition, e, give_up_at_ms):
            return True
        record = self.get(task_id, give_up_at_ms=give_up_at_ms)
        return (
            record is not None
            and record.reconcile_owner == owner
            and record.reconcile_status == status
            and record.reconcile_outcome == outcome
        )

    @staticmethod
    def _same_run(e: _Expression, attempt: int, created_at_ms: int) -> str:
        """The record is of this run: its attempt, and its creation time when the event carries
        one (0 in a payload from before it did)."""
        condition = f"{e.name(Attr.ATTEMPT)} = {e.value('attempt', attempt)}"
        if created_at_ms:
            condition += f" AND {e.name(Attr.CREATED_AT_MS)} = {e.value('created', created_at_ms)}"
        return condition

    def _reconcile_update(
        self, task_id: str, update: str, condition: str, e: _Expression, give_up_at_ms: int
    ) -> bool:
        applied, _ = self._conditional_update(task_id, update, condition, e, give_up_at_ms, with_items=False)
        return applied


def _landed(record: TrackerRecord, attempt: int, owner: str, status: RunStatus) -> bool:
    """The record is as ``owner``'s write of ``status`` would leave it (owner ids are unique
    Lambda request ids): a retried write refused because its own first attempt landed."""
    return record.attempt == attempt and record.lease_owner == owner and record.status is status


def _no_claim_bound_before(e: _Expression, now: str) -> str:
    """The run has no claim bound (a record written before there was one, or a backend that
    needs none) or its bound is still ahead."""
    claim_by = e.name(Attr.CLAIM_BY_MS)
    return f"(attribute_not_exists({claim_by}) OR {claim_by} = {e.value('zero', 0)} OR {claim_by} > {now})"


def _describe(exc: BaseException) -> str:
    if isinstance(exc, ClientError):
        return f"DynamoDB {exc.response.get('Error', {}).get('Code', 'error')}"
    return f"DynamoDB {type(exc).__name__}"
