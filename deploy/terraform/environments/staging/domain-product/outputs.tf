output "namespace" {
  description = "Namespace of the domain's services."
  value       = module.domain.namespace
}

output "irsa_role_arn" {
  description = "IRSA role of the domain's ServiceAccounts."
  value       = module.domain.irsa_role_arn
}

output "db_endpoint" {
  description = "Writer endpoint of the domain's database."
  value       = module.domain.db_endpoint
}

output "db_reader_endpoint" {
  description = "Reader endpoint of the domain's database."
  value       = module.domain.db_reader_endpoint
}
