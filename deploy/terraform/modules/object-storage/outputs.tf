output "namespace" {
  description = "Namespace cairn runs in."
  value       = kubernetes_namespace_v1.this.metadata[0].name
}

output "endpoint" {
  description = "S3 endpoint of cairn inside the cluster."
  value       = local.endpoint
}

output "console_service" {
  description = "Service of cairn's console."
  value       = "cairn-console"
}

output "root_secret_name" {
  description = "Secret holding cairn's root credentials."
  value       = kubernetes_secret_v1.root.metadata[0].name
}

output "root_user" {
  description = "Root user of cairn."
  value       = var.root_user
}

output "root_password" {
  description = "Root password of cairn."
  value       = random_password.root.result
  sensitive   = true
}

output "release_version" {
  description = "Chart version Helm installed."
  value       = helm_release.cairn.version
}
