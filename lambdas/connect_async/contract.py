"""The runtime's contract: every name shared with the flow, the tracker table and Terraform.

This module is the single source of truth. ``modules/plan/contract.json`` is generated from it and
``config.py`` (``make gen``, see ``flowkit/manifest.py``) for Terraform to read, and a test fails
when the two disagree.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Final

__all__ = [
    "CHAT_HOLD_EVERY_SECONDS",
    "CHECK_RESPONSE_KEYS",
    "CONFIG_ATTRIBUTE_PREFIX",
    "CONFIG_FIELD_PATTERN",
    "CONFIG_KEY_MAX_CHARS",
    "CONNECT_RESPONSE_LIMIT_BYTES",
    "DEFAULT_CONFIG_KEY",
    "DEFAULT_TASK_NAME",
    "FLOW_REFERENCE_PATTERN",
    "HOLD_SENTENCE_PATTERN",
    "LOOKUP_KEY_PARAMETER_PREFIX",
    "LOOKUP_RESPONSE_KEYS",
    "MAX_ERROR_MESSAGE_CHARS",
    "MAX_GREETING_CHARS",
    "MAX_HOLD_SENTENCES",
    "MAX_LOOKUP_KEYS",
    "MAX_PARAMETERS_BYTES",
    "MAX_PROGRESS_MESSAGE_CHARS",
    "MAX_RECONCILE_OUTCOME_CHARS",
    "RECONCILE_FIELDS",
    "RECONCILIATION_ATTRS",
    "RESPONSE_DEFAULTS",
    "RESULT_KEY_PATTERN",
    "RESULT_PREFIX",
    "START_RESPONSE_KEYS",
    "TASK_ID_SEPARATOR",
    "TASK_NAME_PATTERN",
    "TOKEN_PATTERN",
    "TTS_ENGINES",
    "Attr",
    "CheckPollWhen",
    "ConfigField",
    "ErrorCode",
    "FlowAttr",
    "LookupKey",
    "LookupSource",
    "Param",
    "ReconcileStatus",
    "ResponseKey",
    "ResponseStatus",
    "RunStatus",
    "TrackingIdSource",
    "WorkerField",
]


class RunStatus(StrEnum):
    """The status stored in a tracker record."""

    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    FAILED = "failed"

    @property
    def is_final(self) -> bool:
        return self is not RunStatus.IN_PROGRESS


class ResponseStatus(StrEnum):
    """The ``status`` key that start and check return to the flow."""

    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    FAILED = "failed"
    # No live record: never started, or expired (whether or not DynamoDB has deleted it yet).
    NOT_FOUND = "not_found"
    # The call itself went wrong (bad event, configuration, tracker unreachable).
    ERROR = "error"


class ErrorCode(StrEnum):
    """Machine-readable ``error_code`` values; a task may add its own (see ``TaskFailed``)."""

    INVALID_EVENT = "invalid_event"
    CONFIGURATION_ERROR = "configuration_error"
    TRACKER_UNAVAILABLE = "tracker_unavailable"
    DISPATCH_FAILED = "dispatch_failed"
    WORKER_TIMEOUT = "worker_timeout"
    # The worker that claimed the run stopped renewing its lease (crash, out of memory, Lambda's
    # hard timeout): read as failed within WORKER_LEASE_MS, and the task is never run again.
    WORKER_LOST = "worker_lost"
    # No worker claimed the run within WORKER_START_TIMEOUT_SECONDS of its start (the
    # asynchronous event was throttled, dropped or aged out): read as failed then, and a late
    # delivery is refused, never run.
    WORKER_NOT_STARTED = "worker_not_started"
    TASK_ERROR = "task_error"
    RESULT_TOO_LARGE = "result_too_large"
    INVALID_RESULT = "invalid_result"
    # A completed result without a key the flows save and speak (result_attribute_keys): the
    # caller would hear a blank ("Your order is . It arrives today.").
    MISSING_RESULT_KEY = "missing_result_key"
    RESPONSE_TOO_LARGE = "response_too_large"
    INTERNAL_ERROR = "internal_error"
    # The run's tracker record cannot be read as a record (edited by hand, or another writer).
    CORRUPT_RECORD = "corrupt_record"
    # Set by the flows, never by a function: the caller's wait ran out while the task went on,
    # or a Lambda call from the flow kept failing after its retries.
    WAIT_EXCEEDED = "wait_exceeded"
    CALL_FAILED = "call_failed"
    # The configuration lookup's (error_code next to its source; see LookupSource).
    CONFIG_NOT_FOUND = "config_not_found"  # no item for any key, and no default item
    CONFIG_UNAVAILABLE = "config_unavailable"  # the table did not answer within the budget
    MALFORMED_CONFIG_ITEM = "malformed_config_item"  # an item that is not a map of strings
    INVALID_CONFIG_KEY = "invalid_config_key"  # a key the flow passed that cannot be a key


class Attr(StrEnum):
    """Attribute names of a tracker record (one DynamoDB item per task run)."""

    TASK_ID = "task_id"  # partition key: "<tracking id>#<task name>"
    TASK_NAME = "task_name"
    STATUS = "status"
    ATTEMPT = "attempt"  # incremented each time start begins a fresh run under the same key
    CREATED_AT_MS = "created_at_ms"
    UPDATED_AT_MS = "updated_at_ms"
    FINISHED_AT_MS = "finished_at_ms"
    DEADLINE_AT_MS = "deadline_at_ms"  # an in-progress run past this counts as failed
    EXPIRES_AT = "expires_at"  # epoch seconds: the table's TTL attribute
    PROGRESS_PERCENT = "progress_percent"
    PROGRESS_MESSAGE = "progress_message"
    # Epoch ms of the last progress report: with the percent, when the run should end at its pace.
    PROGRESS_AT_MS = "progress_at_ms"
    RESULT = "result"  # map of string -> string
    ERROR_CODE = "error_code"
    ERROR_MESSAGE = "error_message"
    CHANNEL = "channel"
    CONTACT_ID = "contact_id"
    INITIAL_CONTACT_ID = "initial_contact_id"
    RESTART_TOKEN = "restart_token"  # noqa: S105 - a name, not a secret
    # Request id of the worker invocation that claimed the run; held until the run is final, so
    # a duplicate or retried delivery never runs the task a second time for the same attempt.
    LEASE_OWNER = "lease_owner"
    # Epoch ms until which the claiming worker is known to be alive: it renews this while the
    # task runs. An in-progress, claimed run past it has lost its worker (worker_lost).
    LEASE_EXPIRES_AT_MS = "lease_expires_at_ms"
    WORKER_RUNS = "worker_runs"  # how many worker invocations claimed this attempt
    # A token of the start call that began this run: start's retried write, whose first attempt
    # landed with its answer lost, knows the run for its own (and hands it to the worker).
    BEGUN_BY = "begun_by"
    # Epoch ms by which a worker must claim the run (0: no bound, as with Step Functions, whose
    # StartExecution is synchronous). An unclaimed, in-progress run past it reads as failed
    # (worker_not_started), and a worker delivered after it refuses the run.
    CLAIM_BY_MS = "claim_by_ms"
    # The reconciler's fields (reconciler): after a lost run's event reached the dead-letter
    # queue, what your reconcile function found. They never change the run's status; the
    # reconciler's role may write only these (RECONCILE_FIELDS).
    RECONCILE_STATUS = "reconcile_status"  # a ReconcileStatus
    RECONCILE_OUTCOME = "reconcile_outcome"  # what the reconcile function said (short, redacted)
    # Who is reconciling the run, and until when (epoch ms): one reconcile at a time per run,
    # however often SQS delivers its message.
    RECONCILE_OWNER = "reconcile_owner"
    RECONCILE_UNTIL_MS = "reconcile_until_ms"
    RECONCILE_ATTEMPTS = "reconcile_attempts"
    RECONCILED_AT_MS = "reconciled_at_ms"


class ReconcileStatus(StrEnum):
    """A lost run's reconciliation, on its record (``reconcile_status``)."""

    RECONCILING = "reconciling"  # a reconcile function is running now
    RECONCILED = "reconciled"  # done, once: later deliveries of its message change nothing
    RETRY_LATER = "retry_later"  # not yet: SQS delivers the message again


# The reconciler's own fields of a record (a new run of the task id starts without them).
RECONCILIATION_ATTRS: Final = (
    Attr.RECONCILE_STATUS,
    Attr.RECONCILE_OUTCOME,
    Attr.RECONCILE_OWNER,
    Attr.RECONCILE_UNTIL_MS,
    Attr.RECONCILE_ATTEMPTS,
    Attr.RECONCILED_AT_MS,
)
# What the reconciler's role may write on a run's record (and name in its conditions): the
# record's key, the fields that tell the run (attempt, created_at_ms) and its own.
RECONCILE_FIELDS: Final = (Attr.TASK_ID, Attr.ATTEMPT, Attr.CREATED_AT_MS, *RECONCILIATION_ATTRS)
MAX_RECONCILE_OUTCOME_CHARS: Final = 256


class Param(StrEnum):
    """Control keys read from the flow block's parameters; every other key goes to the task."""

    TASK_NAME = "task_name"
    TRACKING_ID = "tracking_id"  # only read when TRACKING_ID_SOURCE is "parameter"
    RESTART_TOKEN = "restart_token"  # noqa: S105 - a name, not a secret
    # check only: the progress message the caller last heard, so check can say whether it changed.
    SPOKEN_PROGRESS = "spoken_progress"
    # check only: hold the call up to this many ms (polling), answering as soon as the run ends or
    # its progress message changes. The flow module's chat loop asks for its pause this way:
    # Connect allows no Wait block in a flow module.
    HOLD_MS = "hold_ms"


class ResponseKey(StrEnum):
    """Keys of the flat string map returned to the flow (read as ``$.External.<key>``)."""

    STATUS = "status"
    TASK_ID = "task_id"
    ATTEMPT = "attempt"
    NEW_RUN = "new_run"
    PROGRESS_PERCENT = "progress_percent"
    PROGRESS_MESSAGE = "progress_message"
    # "true" when check was told what the caller last heard and the task has said something new.
    PROGRESS_CHANGED = "progress_changed"
    ELAPSED_SECONDS = "elapsed_seconds"
    ERROR_CODE = "error_code"
    ERROR_MESSAGE = "error_message"


# The keys each function's answer always holds, whatever happened (an error included), so a flow
# that reads $.External.<key> after a successful call never reads a missing key. check also
# always answers result_<key> for every key in RESULT_KEYS (empty unless completed).
START_RESPONSE_KEYS: Final = (
    ResponseKey.STATUS,
    ResponseKey.TASK_ID,
    ResponseKey.ATTEMPT,
    ResponseKey.NEW_RUN,
    ResponseKey.ERROR_CODE,
    ResponseKey.ERROR_MESSAGE,
)
CHECK_RESPONSE_KEYS: Final = (
    ResponseKey.STATUS,
    ResponseKey.TASK_ID,
    ResponseKey.PROGRESS_PERCENT,
    ResponseKey.PROGRESS_MESSAGE,
    ResponseKey.PROGRESS_CHANGED,
    ResponseKey.ELAPSED_SECONDS,
    ResponseKey.ERROR_CODE,
    ResponseKey.ERROR_MESSAGE,
)
# What a key holds when the answer has nothing to say about it.
RESPONSE_DEFAULTS: Final[dict[str, str]] = {
    # The lookup's answer on any error: the flow takes its fallback greeting.
    "source": "fallback",
    ResponseKey.ATTEMPT: "0",
    ResponseKey.NEW_RUN: "false",
    ResponseKey.PROGRESS_PERCENT: "0",
    ResponseKey.PROGRESS_CHANGED: "false",
    ResponseKey.ELAPSED_SECONDS: "0",
}


class FlowAttr(StrEnum):
    """Contact attributes (and one flow attribute) the module's flows read and write.

    They are also the interface of the wait-for-the-task flow module: the caller sets TASK_NAME
    and TASK_INPUT, and reads TASK_STATUS, TASK_ID, ERROR_CODE, ERROR_MESSAGE and
    ``result_<key>`` after it returns.
    """

    TASK_NAME = "task_name"
    TASK_INPUT = "task_input"  # one string handed to the task as its "task_input" parameter
    TASK_ID = "task_id"
    TASK_STATUS = "task_status"
    ERROR_CODE = "error_code"
    ERROR_MESSAGE = "error_message"
    NEXT_STEP = "task_next_step"
    # Flow attributes (live only in this flow run): the progress message last spoken, and whether
    # a chat contact has been sent the hold message yet.
    SPOKEN_PROGRESS = "task_spoken_progress"
    HOLD_SENT = "task_hold_sent"


class CheckPollWhen(StrEnum):
    """When check polls (up to its budget) instead of answering after one read."""

    DUE = "due"  # only while the run's last progress report puts its end within the budget
    ALWAYS = "always"  # on every call


class TrackingIdSource(StrEnum):
    """Where the tracking id (the first half of a task id) comes from."""

    INITIAL_CONTACT_ID = "initial_contact_id"
    CONTACT_ID = "contact_id"
    PARAMETER = "parameter"


class WorkerField(StrEnum):
    """Keys of the payload start sends to the worker."""

    VERSION = "version"
    TASK_ID = "task_id"
    TASK_NAME = "task_name"
    ATTEMPT = "attempt"
    PARAMETERS = "parameters"
    CONTACT = "contact"
    # When start created the run (its record's created_at_ms): with the attempt, it tells one
    # run from another of the same task id after the first record expired and was deleted.
    RUN_CREATED_AT_MS = "run_created_at_ms"


# Result keys become "result_<key>" in check's response, so they cannot collide with control keys.
RESULT_PREFIX: Final = "result_"
RESULT_KEY_PATTERN: Final = re.compile(r"[A-Za-z0-9_]{1,64}")
TASK_NAME_PATTERN: Final = re.compile(r"[A-Za-z0-9_-]{1,64}")
# Tracking ids and restart tokens: no "#" (the task id separator), no spaces, nothing to escape.
TOKEN_PATTERN: Final = re.compile(r"[A-Za-z0-9_.:@+=-]{1,128}")
TASK_ID_SEPARATOR: Final = "#"
# What a module flow may pass to start (task_parameters, tracking_id_reference): a reference to
# something the flow knows, in the JSONPath forms Connect resolves in a block's parameters. One
# pattern (RE2 and Python alike), read by Terraform's validations from contract.json.
FLOW_REFERENCE_PATTERN: Final = (
    r"^\$\.(Attributes|FlowAttributes|Lex\.Slots|Lex\.SessionAttributes)\.[A-Za-z0-9_-]{1,128}$"
    r"|^\$\.(StoredCustomerInput|Channel|ContactId|InitialContactId|PreviousContactId|InstanceARN"
    r"|InitiationMethod|LanguageCode|CustomerEndpoint\.Address|SystemEndpoint\.Address"
    r"|Queue\.Name|Queue\.ARN|Lex\.IntentName)$"
)
DEFAULT_TASK_NAME: Final = "default"
# The voice hold message is played sentence by sentence, with a check call after each, so a
# result is heard when the sentence playing ends (Connect cannot interrupt a prompt). A sentence
# ends at . ! or ? followed by a space or the end ("$3.50" stays whole). One pattern (RE2 and
# Python alike), read by Terraform from contract.json; at most MAX_HOLD_SENTENCES sentences.
HOLD_SENTENCE_PATTERN: Final = r"(?:[^.!?]|[.!?]+[^.!?\s])+[.!?]*"
MAX_HOLD_SENTENCES: Final = 8
# A chat contact reads the hold message when the wait begins and then about this often: a
# message every few seconds is spam in a chat window, and chat has no silence to fill.
CHAT_HOLD_EVERY_SECONDS: Final = 30
# Set voice's engines, written as the Connect console writes them (the flow language refuses
# "neural"); the module validates voice.engine against this list.
TTS_ENGINES: Final = ("Standard", "Neural", "Generative")

# Connect rejects a Lambda response over 32 KB (Amazon Connect's Lambda quotas).
CONNECT_RESPONSE_LIMIT_BYTES: Final = 32 * 1024
MAX_PARAMETERS_BYTES: Final = 32 * 1024
MAX_ERROR_MESSAGE_CHARS: Final = 256
MAX_PROGRESS_MESSAGE_CHARS: Final = 256


# -- the configuration lookup (the fast path: one synchronous read at the start of a contact) --


class LookupSource(StrEnum):
    """Where the lookup's answer came from: the ``source`` key the flow branches on."""

    ITEM = "item"  # the item of one of the keys the flow passed (over the default item's fields)
    DEFAULT_ITEM = "default_item"  # no key matched: the default item alone
    FALLBACK = "fallback"  # nothing usable (error_code says why): the flow's fallback greeting


class ConfigField(StrEnum):
    """Fields of a configuration item the module knows; an item may add its own (attributes)."""

    KEY = "config_key"  # the table's partition key: a dialled number, a queue name, "default"
    LANGUAGE = "language"
    VOICE = "voice"
    ENGINE = "engine"
    GREETING = "greeting"
    LINE_OF_BUSINESS = "line_of_business"
    QUEUE = "queue"
    # "<language>/<voice>/<engine>", written by Terraform with the item: the flow's Set language
    # and Set voice blocks are static, one branch per profile the items use.
    SPEECH_PROFILE = "speech_profile"


class LookupKey(StrEnum):
    """Keys of the lookup's answer besides the item's fields (which it answers by name)."""

    SOURCE = "source"
    ERROR_CODE = "error_code"
    ERROR_MESSAGE = "error_message"


# The lookup always answers these, and every field Terraform lists in CONFIG_FIELDS.
LOOKUP_RESPONSE_KEYS: Final = (
    LookupKey.SOURCE,
    ConfigField.KEY,
    ConfigField.GREETING,
    ConfigField.SPEECH_PROFILE,
    LookupKey.ERROR_CODE,
    LookupKey.ERROR_MESSAGE,
)
# The flow passes the keys to try, in order, as key_1 .. key_5; the default item comes last.
LOOKUP_KEY_PARAMETER_PREFIX: Final = "key_"
MAX_LOOKUP_KEYS: Final = 5
DEFAULT_CONFIG_KEY: Final = "default"
# A key the flow passes is something the caller may influence (a contact attribute): printable,
# and short enough that a hostile one costs nothing to refuse.
CONFIG_KEY_MAX_CHARS: Final = 128
# Item fields become contact attributes "config_<field>" and lookup answer keys.
CONFIG_FIELD_PATTERN: Final = re.compile(r"[a-z][a-z0-9_]{0,39}")
CONFIG_ATTRIBUTE_PREFIX: Final = "config_"
MAX_GREETING_CHARS: Final = 1_000
