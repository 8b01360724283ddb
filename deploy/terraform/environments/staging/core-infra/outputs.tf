# Read by the domain roots through terraform_remote_state.

output "environment" {
  description = "Environment of this state."
  value       = module.core_infra.environment
}

output "vpc_id" {
  description = "VPC of the environment."
  value       = module.core_infra.vpc_id
}

output "vpc_cidr_block" {
  description = "CIDR of the VPC."
  value       = module.core_infra.vpc_cidr_block
}

output "private_subnet_ids" {
  description = "Private subnets (nodes, databases)."
  value       = module.core_infra.private_subnet_ids
}

output "cluster_name" {
  description = "EKS cluster name."
  value       = module.core_infra.cluster_name
}

output "cluster_endpoint" {
  description = "EKS API endpoint."
  value       = module.core_infra.cluster_endpoint
}

output "cluster_certificate_authority_data" {
  description = "EKS API CA certificate."
  value       = module.core_infra.cluster_certificate_authority_data
}

output "cluster_security_group_id" {
  description = "Security group of the EKS nodes and control plane."
  value       = module.core_infra.cluster_security_group_id
}

output "oidc_provider_arn" {
  description = "IAM OIDC provider of the cluster (IRSA)."
  value       = module.core_infra.oidc_provider_arn
}

output "oidc_issuer_url" {
  description = "OIDC issuer of the cluster."
  value       = module.core_infra.oidc_issuer_url
}

output "vpn_client_cidr" {
  description = "Address pool of VPN clients."
  value       = module.core_infra.vpn_client_cidr
}

output "vpn_public_ip" {
  description = "Address of the VPN server."
  value       = module.core_infra.vpn_public_ip
}

output "ecr_registry_url" {
  description = "image.registry value for the service charts."
  value       = module.core_infra.ecr_registry_url
}

output "cdn_domain_name" {
  description = "CloudFront domain of the CDN."
  value       = module.core_infra.cdn_domain_name
}

output "cdn_bucket_arn" {
  description = "ARN of the CDN origin bucket."
  value       = module.core_infra.cdn_bucket_arn
}

output "object_storage_namespace" {
  description = "Namespace of cairn."
  value       = module.core_infra.object_storage_namespace
}

output "object_storage_endpoint" {
  description = "S3 endpoint of cairn inside the cluster."
  value       = module.core_infra.object_storage_endpoint
}

output "object_storage_root_user" {
  description = "Root user of cairn."
  value       = module.core_infra.object_storage_root_user
}

output "object_storage_root_password" {
  description = "Root password of cairn."
  value       = module.core_infra.object_storage_root_password
  sensitive   = true
}
