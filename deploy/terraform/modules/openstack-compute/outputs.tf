output "instance_ids" {
  description = "IDs of the nodes."
  value       = openstack_compute_instance_v2.node[*].id
}

output "private_ips" {
  description = "Private addresses of the nodes."
  value       = openstack_compute_instance_v2.node[*].access_ip_v4
}

output "api_floating_ip" {
  description = "Floating IP of the first node (Kubernetes API, SSH)."
  value       = openstack_networking_floatingip_v2.api.address
}
