# The fast path at the start of every call: the configuration table managed from a variable, the
# lookup function (its role reads only that table), and the inbound flow that looks the dialled
# number up, sets the language and voice, speaks the branded greeting (or the fallback greeting on
# any error, a missing item or a timeout) and then runs the task. The config lookup flow module
# is created too, for the start of your own flows.
#
#   terraform apply -var-file=../lookup.tfvars -var=connect_instance_id=<your instance id>
#
# Hear it first: make demo SCENARIO=branded (or lookup-fail, lookup-slow).

module "connect_async" {
  source = "../../"

  name                = var.name
  connect_instance_id = var.connect_instance_id

  config_lookup = var.config_lookup
  messages      = var.messages

  # The caller hears the fallback greeting at most this long after the call starts when the
  # table is throttled or unreachable; the block's limit bounds a lookup that cannot answer.
  lookup_budget_ms          = 1500
  lookup_time_limit_seconds = 3

  tags = {
    Example = "config-lookup"
  }
}
