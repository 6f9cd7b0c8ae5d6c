# Your own task on the worker: a money transfer at a third-party bank (src/transfers), shipped as
# a layer built by `connect-async build-layer` (dist/transfer-layer.zip, committed: the same bytes
# on every machine). See README.md for the steps: write, test, hear, ship.

module "connect_async" {
  source = "../../"

  name = var.name

  task_handler   = "transfers.task:run"
  task_layer_zip = "${path.module}/dist/transfer-layer.zip"
  # The API key belongs in Secrets Manager in production: read it there from the task, and grant
  # the worker secretsmanager:GetSecretValue on that one secret (worker_policy_statements).
  worker_environment = {
    TRANSFER_API_URL = var.transfer_api_url
  }
  # A transient error (the bank's 429 or 5xx) is retried: the run's idempotency key keeps it to
  # one transfer.
  task_retry_attempts = 2

  # A worker that dies mid-transfer (out of memory after the bank took the request) is heard as
  # the fallback; then the reconciler asks the bank, by the run's idempotency key, what became of
  # it, and records the answer on the run's record (worker_environment reaches it too).
  reconciler = {
    handler = "transfers.task:reconcile"
  }

  # What the flow passes and says (with connect_instance_id): terraform.tfvars, which the demo plays.
  connect_instance_id   = var.connect_instance_id
  task_parameters       = var.task_parameters
  result_attribute_keys = var.result_attribute_keys
  messages              = var.messages

  tags = {
    Example = "custom-task"
  }
}
