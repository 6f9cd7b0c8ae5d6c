terraform {
  # Provider-free: it only renders flow content, so tests and `make demo` can render exactly what
  # the root module deploys. Cross-variable validation needs Terraform 1.9.
  required_version = ">= 1.9.0"
}
