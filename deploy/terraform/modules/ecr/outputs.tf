output "repository_urls" {
  description = "Repository URL by short name."
  value       = { for name, repo in aws_ecr_repository.this : name => repo.repository_url }
}

output "registry_url" {
  description = "Registry host plus prefix, the image.registry value of the Helm charts."
  value       = "${split("/", values(aws_ecr_repository.this)[0].repository_url)[0]}/${var.prefix}"
}
