output "runtime_contract" {
  description = "The runtime's contract: tracker attributes, statuses, error codes, response keys and each function's environment variable names."
  value       = local.contract
}

output "lambda_artifact_sha256" {
  description = "Base64 SHA-256 of the committed Lambda zip (the value Lambda reports as CodeSha256)."
  value       = local.lambda_artifact_sha256
}
