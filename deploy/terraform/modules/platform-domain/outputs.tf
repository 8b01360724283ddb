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

# For the root's providers (aws default_tags, kubernetes).

output "tags" {
  description = "Tags of the domain's resources (the root's aws default_tags)."
  value       = local.tags
}

output "cluster_endpoint" {
  description = "EKS API endpoint of the environment (from core-infra's state)."
  value       = data.terraform_remote_state.core.outputs.cluster_endpoint
}

output "cluster_certificate_authority_data" {
  description = "EKS API CA certificate of the environment (from core-infra's state)."
  value       = data.terraform_remote_state.core.outputs.cluster_certificate_authority_data
}

output "cluster_token_args" {
  description = "Arguments of the AWS CLI command that gets a token for the cluster (kubernetes provider exec)."
  value       = ["eks", "get-token", "--cluster-name", data.terraform_remote_state.core.outputs.cluster_name, "--region", var.region]
}
