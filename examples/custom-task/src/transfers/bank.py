"""The third party: a bank's transfer API over HTTPS, and its sandbox.

The API is the usual shape of a payments API: POST /transfers with an Idempotency-Key header
creates a transfer (the same key returns the same transfer, never a second one), GET
/transfers/{id} reads it, GET /transfers?idempotency_key=... finds the one a key created (404:
none); a transfer is pending until the bank confirms or rejects it.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from connect_async.tasks import TaskFailed, TransientError

__all__ = ["Bank", "HttpBank", "SandboxBank", "Transfer", "bank_from_environment"]


@dataclass(frozen=True)
class Transfer:
    id: str
    status: str  # pending | confirmed | rejected
    reason: str = ""  # why it was rejected: insufficient_funds, account_closed, ...


class Bank(Protocol):
    def create_transfer(self, amount: Decimal, to_account: str, *, idempotency_key: str) -> Transfer: ...

    def get_transfer(self, transfer_id: str) -> Transfer: ...

    def find_transfer(self, idempotency_key: str) -> Transfer | None: ...


class HttpBank:
    """The bank's API. A 429 or 5xx is transient (the worker retries, the idempotency key keeps
    it to one transfer); any other refusal fails the run with the bank's own reason."""

    def __init__(self, base_url: str, api_key: str, timeout_seconds: float = 5.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout_seconds = timeout_seconds

    def _call(self, method: str, path: str, body: dict[str, str] | None = None, key: str = "") -> Transfer:
        headers = {"Authorization": f"Bearer {self.api_key}", "Content-Type": "application/json"}
        if key:
            headers["Idempotency-Key"] = key
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base_url + path, data=data, headers=headers, method=method)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_seconds) as response:  # noqa: S310
                answer = json.loads(response.read())
        except urllib.error.HTTPError as exc:
            if exc.code == 429 or exc.code >= 500:
                raise TransientError(f"the bank answered {exc.code}") from exc
            raise TaskFailed(f"The bank refused the transfer ({exc.code}).", "transfer_refused") from exc
        except (urllib.error.URLError, TimeoutError) as exc:
            raise TransientError("the bank could not be reached") from exc
        return Transfer(str(answer["id"]), str(answer["status"]), str(answer.get("reason", "")))

    def create_transfer(self, amount: Decimal, to_account: str, *, idempotency_key: str) -> Transfer:
        return self._call("POST", "/transfers", {"amount": str(amount), "to": to_account}, idempotency_key)

    def get_transfer(self, transfer_id: str) -> Transfer:
        return self._call("GET", f"/transfers/{transfer_id}")

    def find_transfer(self, idempotency_key: str) -> Transfer | None:
        try:
            return self._call(
                "GET", "/transfers?" + urllib.parse.urlencode({"idempotency_key": idempotency_key})
            )
        except TaskFailed as exc:
            if isinstance(exc.__cause__, urllib.error.HTTPError) and exc.__cause__.code == 404:
                return None  # the key made no transfer: nothing was sent
            raise


class SandboxBank:
    """The bank's sandbox: the account holds 1000.00, a transfer is confirmed on the third read,
    and a repeated idempotency key returns the transfer it created."""

    BALANCE = Decimal("1000.00")
    READS_TO_CONFIRM = 3

    def __init__(self) -> None:
        self.by_key: dict[str, Transfer] = {}
        self.reads: dict[str, int] = {}
        self.outcome: dict[str, Transfer] = {}

    def create_transfer(self, amount: Decimal, to_account: str, *, idempotency_key: str) -> Transfer:
        if idempotency_key not in self.by_key:
            transfer_id = f"TX{len(self.by_key) + 1:06d}"
            final = (
                Transfer(transfer_id, "confirmed")
                if amount <= self.BALANCE
                else Transfer(transfer_id, "rejected", "insufficient_funds")
            )
            self.by_key[idempotency_key] = Transfer(transfer_id, "pending")
            self.outcome[transfer_id] = final
        return self.by_key[idempotency_key]

    def find_transfer(self, idempotency_key: str) -> Transfer | None:
        created = self.by_key.get(idempotency_key)
        return None if created is None else self.get_transfer(created.id)

    def get_transfer(self, transfer_id: str) -> Transfer:
        self.reads[transfer_id] = self.reads.get(transfer_id, 0) + 1
        if self.reads[transfer_id] < self.READS_TO_CONFIRM:
            return Transfer(transfer_id, "pending")
        return self.outcome[transfer_id]


_SANDBOX = SandboxBank()


def bank_from_environment() -> Bank:
    """TRANSFER_API_URL: the bank's base URL (with TRANSFER_API_KEY), or "sandbox"."""
    url = os.environ.get("TRANSFER_API_URL", "")
    if url == "sandbox":
        return _SANDBOX
    if url.startswith("https://"):
        return HttpBank(url, os.environ.get("TRANSFER_API_KEY", ""))
    raise TaskFailed("The transfer service is not configured.", "transfer_not_configured")
