output "namespace" {
  description = "Namespace of the domain's services."
  value       = module.microservice_base.namespace
}

output "irsa_role_arn" {
  description = "IRSA role of the domain's ServiceAccounts."
  value       = module.microservice_base.irsa_role_arn
}

output "db_endpoint" {
  description = "Writer endpoint of the domain's database."
  value       = module.aurora.endpoint
}

output "db_reader_endpoint" {
  description = "Reader endpoint of the domain's database."
  value       = module.aurora.reader_endpoint
}
