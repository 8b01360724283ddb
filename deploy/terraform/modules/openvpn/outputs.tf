output "public_ip" {
  description = "Public address clients connect to."
  value       = aws_eip.this.public_ip
}

output "instance_id" {
  description = "Instance ID (for SSM sessions)."
  value       = aws_instance.this.id
}

output "security_group_id" {
  description = "Security group of the server."
  value       = aws_security_group.this.id
}

output "client_cidr" {
  description = "Address pool of the VPN clients."
  value       = var.client_cidr
}
