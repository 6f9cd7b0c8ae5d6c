# What the flow passes and says. Terraform reads this file on plan and apply; `make demo` plays
# the same file, so the call you hear is the call you deploy:
#   make demo TASK=transfers.task:run TASK_PATH=examples/custom-task/src \
#     TFVARS=examples/custom-task/terraform.tfvars TASK_ENV=TRANSFER_API_URL=sandbox \
#     ATTRIBUTES="amount=120.00 to_account=GB33BUKB20201555555555"
task_parameters       = { amount = "$.Attributes.amount", to_account = "$.Attributes.to_account" }
result_attribute_keys = ["reference", "amount"]
messages = {
  hold     = "Thanks for holding. Your transfer is on its way."
  success  = "Your transfer of {result.amount} pounds is complete. Your reference is {result.reference}."
  fallback = "Sorry, we could not make your transfer. Please try again later. Goodbye."
}
