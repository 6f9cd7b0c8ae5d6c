# Values the mocked AWS provider returns where the module needs a real-looking ARN.
# Shared by tests/terraform/module.tftest.hcl and tests/reliability/terraform/security.tftest.hcl.

mock_data "aws_connect_instance" {
  defaults = {
    arn = "arn:aws:connect:eu-west-2:123456789012:instance/0e3b1d0a-1111-4222-8333-444455556666"
  }
}
mock_resource "aws_cloudwatch_log_group" {
  defaults = { arn = "arn:aws:logs:eu-west-2:123456789012:log-group:/aws/lambda/mocked" }
}
mock_resource "aws_dynamodb_table" {
  defaults = { arn = "arn:aws:dynamodb:eu-west-2:123456789012:table/mocked-tracker" }
}
mock_resource "aws_sqs_queue" {
  defaults = { arn = "arn:aws:sqs:eu-west-2:123456789012:mocked-dlq" }
}
mock_resource "aws_iam_role" {
  defaults = { arn = "arn:aws:iam::123456789012:role/mocked" }
}
mock_resource "aws_lambda_function" {
  defaults = { arn = "arn:aws:lambda:eu-west-2:123456789012:function:mocked" }
}

mock_resource "aws_lambda_layer_version" {
  defaults = {
    arn = "arn:aws:lambda:eu-west-2:123456789012:layer:t-task:1"
  }
}

mock_resource "aws_lambda_alias" {
  defaults = { arn = "arn:aws:lambda:eu-west-2:123456789012:function:mocked:live" }
}
