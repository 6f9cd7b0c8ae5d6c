terraform {
  # Provider-free: it only derives values and renders flow content, so the demo, the benchmarks
  # and the tests apply it as it is, with no AWS account. Validation rules that refer to other
  # variables and to local values need Terraform 1.9.
  required_version = ">= 1.9.0"
}
