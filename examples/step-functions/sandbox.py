"""What stands in for the steps' services when `make demo` plays this example (STEPS=...).

The demo plays the state machine on its virtual clock: the DynamoDB steps run against its
emulated DynamoDB (``prepare`` makes the accounts table), and these callables stand in for the
bank's integration Lambda (its sandbox: a transfer is confirmed on the second read, 1.5 s of the
bank's time each call), the SNS receipt and the EventBridge event.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

DEFINITION_FILE = Path(__file__).resolve().parent / "transfer.asl.json"
BANK = "arn:aws:lambda:eu-west-2:123456789012:function:bank-sandbox"
TEMPLATE_VARIABLES = {
    "accounts_table": "demo-accounts",
    "bank_function_arn": BANK,
    "receipts_topic_arn": "arn:aws:sns:eu-west-2:123456789012:demo-receipts",
}
# The caller's account in the demo, and what it holds.
ACCOUNT, BALANCE = "ACC-1001", "1000.00"


def prepare(dynamodb: Any) -> None:
    dynamodb.create_table(
        TableName=TEMPLATE_VARIABLES["accounts_table"],
        KeySchema=[{"AttributeName": "account_id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "account_id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    dynamodb.put_item(
        TableName=TEMPLATE_VARIABLES["accounts_table"],
        Item={"account_id": {"S": ACCOUNT}, "balance": {"N": BALANCE}},
    )


def steps(sleep_ms: Callable[[int], None]) -> dict[str, Callable[[Any], Any]]:
    transfers: dict[str, dict[str, Any]] = {}

    def bank(payload: dict[str, Any]) -> dict[str, str]:
        sleep_ms(1_500)
        if payload["action"] == "create":
            key = payload["idempotency_key"]
            transfers.setdefault(key, {"transfer_id": f"TX{len(transfers) + 1:06d}", "reads": 0})
            return {"transfer_id": transfers[key]["transfer_id"], "status": "pending"}
        transfer = next(t for t in transfers.values() if t["transfer_id"] == payload["transfer_id"])
        transfer["reads"] += 1
        return {
            "transfer_id": transfer["transfer_id"],
            "status": "confirmed" if transfer["reads"] >= 2 else "pending",
        }

    def notified(payload: dict[str, Any]) -> dict[str, str]:
        sleep_ms(100)
        return {"MessageId": "demo"}

    return {
        BANK: bank,
        "arn:aws:states:::sns:publish": notified,
        "arn:aws:states:::events:putEvents": notified,
    }
