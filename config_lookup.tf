# The fast path (config_lookup): the configuration table, its items from the variable, and the
# config lookup flow module. The lookup function itself is one of the functions (lambda.tf), its
# role reads only this table (iam.tf), and the inbound flow calls it first (modules/plan).

resource "aws_dynamodb_table" "config" {
  # checkov:skip=CKV_AWS_119:Encrypted at rest with DynamoDB's AWS-owned key by default; config_table_kms_key_arn switches to a customer-managed key.
  count = local.lookup_enabled ? 1 : 0

  name                        = "${var.name}-config"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = local.contract.lookup.table_key
  deletion_protection_enabled = var.config_table_deletion_protection

  attribute {
    name = local.contract.lookup.table_key
    type = "S"
  }

  server_side_encryption {
    enabled     = var.config_table_kms_key_arn != null
    kms_key_arn = var.config_table_kms_key_arn
  }

  point_in_time_recovery {
    enabled = var.config_table_point_in_time_recovery
  }

  tags = var.tags
}

# Configuration as code: each item of config_lookup.items, as modules/plan writes it (every field
# a string, with the speech profile the flow's Set language and Set voice branches match).
resource "aws_dynamodb_table_item" "config" {
  for_each = local.lookup_enabled ? module.plan.config_items : {}

  table_name = aws_dynamodb_table.config[0].name
  hash_key   = aws_dynamodb_table.config[0].hash_key
  item       = each.value
}
