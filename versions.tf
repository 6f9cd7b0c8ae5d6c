terraform {
  # Validation rules that refer to other variables and local values (modules/plan) need Terraform 1.9.
  required_version = ">= 1.9.0"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # Applied with 5.100 in the tests; every block is also checked against the 6.47 schema.
      version = ">= 5.100.0, < 7.0.0"
    }
  }
}
