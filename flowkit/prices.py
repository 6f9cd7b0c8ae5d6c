"""What a call costs: public on-demand prices, and the price of 1,000 contacts from what one call used."""

from __future__ import annotations

from typing import Final

__all__ = ["PRICES", "PRICES_DATE", "price_per_1000"]

# Public on-demand prices, US East (N. Virginia), as published on 2026-11-23 (aws.amazon.com
# pricing pages): Lambda on Arm (the module's default architecture) and DynamoDB on-demand
# (after the November 2024 reduction). Connect's own per-minute charge is left out of the
# price column: it is the same for any design with the same caller wait, and is given apart.
PRICES: Final = {
    "lambda_gb_second_arm": 0.0000133334,
    "lambda_request": 0.20 / 1_000_000,
    "dynamodb_read_unit": 0.125 / 1_000_000,
    "dynamodb_write_unit": 0.625 / 1_000_000,
    "connect_voice_minute": 0.018,
    # Step Functions Standard, US East (N. Virginia): $0.025 per 1,000 state transitions
    # (aws.amazon.com/step-functions/pricing).
    "step_functions_state_transition": 0.025 / 1000,
}
PRICES_DATE: Final = "2026-11-23"


def price_per_1000(
    invocations: dict[str, int], gb_seconds: dict[str, float], reads: int, writes: int
) -> float:
    per_contact = (
        sum(invocations.values()) * PRICES["lambda_request"]
        + sum(gb_seconds.values()) * PRICES["lambda_gb_second_arm"]
        + reads * PRICES["dynamodb_read_unit"]
        + writes * PRICES["dynamodb_write_unit"]
    )
    return round(per_contact * 1000, 4)
