# The backend alone (no Amazon Connect): tracker table, start/worker/check running the demo
# task, dead-letter queue. Wire your own flow to the outputs. The timing knobs are exposed so
# operators can try a tuning: terraform plan -var-file=../ops.tfvars

module "connect_async" {
  source = "../../"

  name = var.name

  flow_invocation_time_limit_seconds = var.flow_invocation_time_limit_seconds
  check_budget_ms                    = var.check_budget_ms
  check_poll_interval_ms             = var.check_poll_interval_ms
  check_poll_when                    = var.check_poll_when
  hold_prompt_seconds                = var.hold_prompt_seconds
  max_wait_seconds                   = var.max_wait_seconds
  worker_timeout_seconds             = var.worker_timeout_seconds
  record_ttl_seconds                 = var.record_ttl_seconds
  messages                           = var.messages

  tags = {
    Example = "basic"
  }
}
