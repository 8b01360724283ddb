output "bucket_ids" {
  description = "Bucket names by key."
  value       = { for k, b in aws_s3_bucket.this : k => b.id }
}

output "bucket_arns" {
  description = "Bucket ARNs by key."
  value       = { for k, b in aws_s3_bucket.this : k => b.arn }
}

output "bucket_regional_domain_names" {
  description = "Regional domain names (CloudFront origins) by key."
  value       = { for k, b in aws_s3_bucket.this : k => b.bucket_regional_domain_name }
}

output "lock_table_name" {
  description = "Name of the state lock table, if created."
  value       = one(aws_dynamodb_table.lock[*].name)
}
