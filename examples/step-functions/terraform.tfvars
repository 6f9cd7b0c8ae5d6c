# What the flow passes and says, and what the caller hears as the steps progress. Terraform
# reads this file on plan and apply; `make demo` plays the same file:
#   make demo TFVARS=examples/step-functions/terraform.tfvars STEPS=examples/step-functions/sandbox.py \
#     ATTRIBUTES="account=ACC-1001 amount=120.00 to_account=GB33BUKB20201555555555"
task_parameters = {
  account    = "$.Attributes.account"
  amount     = "$.Attributes.amount"
  to_account = "$.Attributes.to_account"
}
result_attribute_keys = ["reference"]
messages = {
  hold     = "Thanks for holding. Your transfer is on its way."
  success  = "Your transfer is complete. Your reference is {result.reference}."
  fallback = "Sorry, we could not make your transfer. Please try again later. Goodbye."
}
progress_messages = {
  checking_balance = { percent = 10, message = "I am checking your balance." }
  sending          = { percent = 40, message = "I am sending your transfer." }
  confirming       = { percent = 70, message = "The bank is confirming your transfer." }
}
