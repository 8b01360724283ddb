output "namespace" {
  description = "The domain's namespace."
  value       = kubernetes_namespace_v1.this.metadata[0].name
}

output "irsa_role_arn" {
  description = "IAM role the domain's ServiceAccounts assume (eks.amazonaws.com/role-arn)."
  value       = aws_iam_role.irsa.arn
}

output "db_secret_name" {
  description = "Kubernetes Secret with the database connection settings."
  value       = kubernetes_secret_v1.db.metadata[0].name
}

output "object_storage_secret_name" {
  description = "Kubernetes Secret with the object-storage credentials."
  value       = kubernetes_secret_v1.object_storage.metadata[0].name
}
