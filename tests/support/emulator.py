"""A local AWS emulator for the Terraform tests: a moto server on 127.0.0.1 with the project's
test-side extensions (Connect flows and associations, IAM resource naming, Step Functions)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3
import requests
from moto.server import ThreadedMotoServer

from tests.support import moto_iam, moto_sfn
from tests.support.moto_connect import STORE, install

__all__ = ["EMULATOR_PROVIDER", "REGION", "Emulator", "running_emulator"]

REGION = "eu-west-2"
# The provider block an example gets while applied to the emulator (an override file): the
# endpoint and the fake credentials come from the environment (credentials_env).
EMULATOR_PROVIDER = """
provider "aws" {
  region                      = var.region
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
}
"""


@dataclass
class Emulator:
    url: str

    def client(self, service: str, **credentials: str) -> Any:
        credentials = credentials or {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
        return boto3.client(service, endpoint_url=self.url, region_name=REGION, **credentials)

    def set_auth(self, enforced: bool) -> None:
        # moto authenticates every request once its allowance of unauthenticated ones is spent;
        # the endpoint takes the allowance as a bare number.
        allowance = "0" if enforced else "inf"
        requests.post(f"{self.url}/moto-api/reset-auth", data=allowance, timeout=10).raise_for_status()

    def credentials_env(self) -> dict[str, str]:
        """What Terraform and boto3 need in their environment to talk to the emulator."""
        return {
            "AWS_ENDPOINT_URL": self.url,
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_REGION": REGION,
        }

    def provider_override(self) -> str:
        return EMULATOR_PROVIDER


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_emulator() -> Iterator[Emulator]:
    """A fresh emulator on a free loopback port, stopped on exit."""
    install()
    moto_iam.install()
    moto_sfn.install()
    STORE.reset()
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    try:
        requests.post(
            f"{url}/moto-api/config", json={"lambda": {"use_docker": False}}, timeout=10
        ).raise_for_status()
        yield Emulator(url)
    finally:
        server.stop()
