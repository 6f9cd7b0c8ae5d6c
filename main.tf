# terraform-aws-connect-async-lambda
#
# The runtime's contract (tracker attribute names, statuses, error codes, each function's
# environment variable names, handler paths) is generated from lambdas/connect_async into
# lambdas/contract.json; the module reads it here so the Terraform and the Python cannot drift.
# The AWS resources (table, functions, queues, IAM, Connect wiring) arrive with issue #3.

terraform {
  required_version = ">= 1.5.0"
}

locals {
  contract = jsondecode(file("${path.module}/lambdas/contract.json"))

  # The committed, reproducible Lambda artifact: the same bytes and hash on every machine.
  lambda_artifact_path   = "${path.module}/lambdas/dist/connect_async.zip"
  lambda_artifact_sha256 = filebase64sha256(local.lambda_artifact_path)
}
