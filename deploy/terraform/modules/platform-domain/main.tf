# One domain (user, product or order) of one environment: its Aurora
# PostgreSQL database and the namespace microservices-<domain>-<environment>
# with quota, IRSA role and the Secrets its services' charts read. Called by
# environments/<env>/domain-<domain>, which holds only the state backend,
# the providers and the values. The services themselves are installed with
# Helm (deploy/helm/services) by the deploy workflow.

# The environment's core-infra root (same state bucket, see bootstrap).
data "terraform_remote_state" "core" {
  backend = "s3"
  config = {
    bucket = "cairn-platform-${var.environment}-terraform-state"
    key    = "core-infra/terraform.tfstate"
    region = var.region
  }
}

locals {
  tags = {
    Project     = "microservices-platform"
    Environment = var.environment
    Domain      = var.domain
    ManagedBy   = "terraform"
    Root        = "domain-${var.domain}"
  }
}

module "aurora" {
  source = "../aurora"

  identifier                 = "microservices-${var.domain}-${var.environment}"
  database_name              = "${var.domain}db"
  instance_class             = var.db_instance_class
  instance_count             = var.db_instance_count
  vpc_id                     = data.terraform_remote_state.core.outputs.vpc_id
  subnet_ids                 = data.terraform_remote_state.core.outputs.private_subnet_ids
  allowed_security_group_ids = [data.terraform_remote_state.core.outputs.cluster_security_group_id]
  allowed_cidr_blocks        = [data.terraform_remote_state.core.outputs.vpn_client_cidr]
  backup_retention_days      = var.backup_retention_days
  deletion_protection        = var.deletion_protection
  tags                       = local.tags
}

# Services that publish to the CDN origin bucket (product-api: product
# images) get write access to these prefixes.
data "aws_iam_policy_document" "cdn_publish" {
  count = length(var.cdn_publish_prefixes) > 0 ? 1 : 0

  statement {
    actions   = ["s3:PutObject", "s3:DeleteObject", "s3:GetObject"]
    resources = [for p in var.cdn_publish_prefixes : "${data.terraform_remote_state.core.outputs.cdn_bucket_arn}/${p}/*"]
  }
}

resource "aws_iam_policy" "cdn_publish" {
  count = length(var.cdn_publish_prefixes) > 0 ? 1 : 0

  name   = "microservices-${var.domain}-${var.environment}-cdn-publish"
  policy = data.aws_iam_policy_document.cdn_publish[0].json
}

module "microservice_base" {
  source = "../microservice-base"

  domain                    = var.domain
  environment               = var.environment
  oidc_provider_arn         = data.terraform_remote_state.core.outputs.oidc_provider_arn
  oidc_issuer_url           = data.terraform_remote_state.core.outputs.oidc_issuer_url
  db_secret_arn             = module.aurora.master_user_secret_arn
  db_host                   = module.aurora.endpoint
  db_port                   = module.aurora.port
  db_name                   = module.aurora.database_name
  object_storage_endpoint   = data.terraform_remote_state.core.outputs.object_storage_endpoint
  object_storage_access_key = data.terraform_remote_state.core.outputs.object_storage_root_user
  object_storage_secret_key = data.terraform_remote_state.core.outputs.object_storage_root_password
  quota                     = var.namespace_quota
  extra_policy_arns         = aws_iam_policy.cdn_publish[*].arn
  tags                      = local.tags
}
