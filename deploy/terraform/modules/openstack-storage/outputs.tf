output "volume_ids" {
  description = "Data volume IDs by node-drive key."
  value       = { for k, v in openstack_blockstorage_volume_v3.data : k => v.id }
}

output "attachment_devices" {
  description = "Device paths of the attached volumes by node-drive key."
  value       = { for k, a in openstack_compute_volume_attach_v2.data : k => a.device }
}

output "backup_container" {
  description = "Swift container for backups, if created."
  value       = one(openstack_objectstorage_container_v1.backups[*].name)
}
