output "network_id" {
  description = "ID of the private network."
  value       = openstack_networking_network_v2.this.id
}

output "subnet_id" {
  description = "ID of the private subnet."
  value       = openstack_networking_subnet_v2.this.id
}

output "security_group_id" {
  description = "Security group of the nodes."
  value       = openstack_networking_secgroup_v2.nodes.id
}

output "external_network_name" {
  description = "Provider network for floating IPs."
  value       = var.external_network_name
}
