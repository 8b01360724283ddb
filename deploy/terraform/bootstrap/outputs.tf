output "state_buckets" {
  description = "State bucket by environment."
  value       = { for env, m in module.state : env => keys(m.bucket_ids)[0] }
}

output "lock_tables" {
  description = "Lock table by environment."
  value       = { for env, m in module.state : env => m.lock_table_name }
}
