"""make flight-check reads the Region as the live suite does, and says what is missing in words."""

from __future__ import annotations

import pytest

from scripts.flight_check import region

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("explicit", "environ", "expected"),
    [
        ("eu-west-1", {"AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "eu-west-2"}, "eu-west-1"),
        (None, {"AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "eu-west-2"}, "us-east-1"),
        (None, {"AWS_DEFAULT_REGION": "eu-west-2"}, "eu-west-2"),
        (None, {"AWS_REGION": ""}, None),  # left to the AWS configuration
    ],
)
def test_the_region_is_the_flag_then_aws_region_then_aws_default_region(
    explicit: str | None, environ: dict[str, str], expected: str | None
) -> None:
    assert region(explicit, environ) == expected
