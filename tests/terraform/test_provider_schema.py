"""Every resource and data block of the module, submodules and examples fits provider 6.47."""

from __future__ import annotations

import io

import hcl2
import pytest

from tests.support.terraform_runner import ROOT
from tests.terraform.provider_schema import check_document, check_files, load_schema

pytestmark = pytest.mark.terraform


def _terraform_files() -> list:
    return sorted(
        p for p in ROOT.rglob("*.tf") if ".terraform" not in p.parts and not p.name.endswith("_override.tf")
    )


def test_schema_file_is_the_6x_provider() -> None:
    schema = load_schema()
    assert schema["version"].startswith("6.")
    assert "terraform-aws-schema" in schema["source"]


def test_every_block_fits_the_provider_schema() -> None:
    files = _terraform_files()
    assert len(files) >= 10
    assert check_files(files, ROOT) == []


def test_the_checker_catches_each_kind_of_mistake() -> None:
    bad = """
resource "aws_iam_role" "r" {
  managed_policy_arns = []
  arn                 = "x"
  not_an_argument     = 1
}
resource "aws_lambda_function" "f" {
  role = "x"
  environment { variables = {} }
  environment { variables = {} }
}
resource "aws_sqs_queue" "q" {
  dynamic "nope" {
    for_each = []
    content {}
  }
}
resource "aws_not_a_type" "x" {}
"""
    problems = list(check_document(hcl2.load(io.StringIO(bad)), load_schema(), "bad.tf"))
    expected = [
        "'managed_policy_arns' is deprecated",
        "'arn' is computed only",
        "'not_an_argument' is not an argument",
        "required argument 'assume_role_policy' is missing",
        "required argument 'function_name' is missing",
        "at most 1 'environment' block",
        "dynamic block 'nope' is not a block",
        "aws_not_a_type.x: not in the schema file",
    ]
    for fragment in expected:
        assert any(fragment in problem for problem in problems), (fragment, problems)
