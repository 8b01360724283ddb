output "api_floating_ip" {
  description = "Address of the Kubernetes API (first node)."
  value       = module.compute.api_floating_ip
}

output "node_private_ips" {
  description = "Private addresses of the nodes."
  value       = module.compute.private_ips
}

output "cairn_volume_ids" {
  description = "cairn data volumes by node-drive."
  value       = module.storage.volume_ids
}

output "backup_container" {
  description = "Swift container for backups."
  value       = module.storage.backup_container
}
