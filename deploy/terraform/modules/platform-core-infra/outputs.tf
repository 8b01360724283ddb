output "environment" {
  description = "Environment of this state."
  value       = var.environment
}

output "vpc_id" {
  description = "VPC of the environment."
  value       = module.vpc.vpc_id
}

output "vpc_cidr_block" {
  description = "CIDR of the VPC."
  value       = module.vpc.vpc_cidr_block
}

output "private_subnet_ids" {
  description = "Private subnets (nodes, databases)."
  value       = module.vpc.private_subnet_ids
}

output "cluster_name" {
  description = "EKS cluster name."
  value       = module.eks.cluster_name
}

output "cluster_endpoint" {
  description = "EKS API endpoint."
  value       = module.eks.cluster_endpoint
}

output "cluster_certificate_authority_data" {
  description = "EKS API CA certificate."
  value       = module.eks.cluster_certificate_authority_data
}

output "cluster_security_group_id" {
  description = "Security group of the EKS nodes and control plane."
  value       = module.eks.cluster_security_group_id
}

output "oidc_provider_arn" {
  description = "IAM OIDC provider of the cluster (IRSA)."
  value       = module.eks.oidc_provider_arn
}

output "oidc_issuer_url" {
  description = "OIDC issuer of the cluster."
  value       = module.eks.oidc_issuer_url
}

output "vpn_client_cidr" {
  description = "Address pool of VPN clients."
  value       = module.openvpn.client_cidr
}

output "vpn_public_ip" {
  description = "Address of the VPN server."
  value       = module.openvpn.public_ip
}

output "ecr_registry_url" {
  description = "image.registry value for the service charts."
  value       = module.ecr.registry_url
}

output "cdn_domain_name" {
  description = "CloudFront domain of the CDN."
  value       = module.cloudfront.domain_name
}

output "cdn_bucket_arn" {
  description = "ARN of the CDN origin bucket."
  value       = module.s3.bucket_arns[local.cdn_bucket]
}

output "object_storage_namespace" {
  description = "Namespace of cairn."
  value       = module.object_storage.namespace
}

output "object_storage_endpoint" {
  description = "S3 endpoint of cairn inside the cluster."
  value       = module.object_storage.endpoint
}

output "object_storage_root_user" {
  description = "Root user of cairn."
  value       = module.object_storage.root_user
}

output "object_storage_root_password" {
  description = "Root password of cairn."
  value       = module.object_storage.root_password
  sensitive   = true
}

# For the root's providers (aws default_tags, kubernetes, helm).

output "tags" {
  description = "Tags of the environment's core resources (the root's aws default_tags)."
  value       = local.tags
}

output "cluster_token_args" {
  description = "Arguments of the AWS CLI command that gets a token for the cluster (kubernetes/helm provider exec)."
  value       = ["eks", "get-token", "--cluster-name", module.eks.cluster_name, "--region", var.region]
}
