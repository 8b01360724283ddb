# The order domain: its Aurora PostgreSQL database and the namespace
# microservices-order-${environment} with quota, IRSA role and the
# Secrets its services' charts read. The services themselves are installed
# with Helm (deploy/helm/services) by the deploy workflow.

data "terraform_remote_state" "core" {
  backend = "s3"
  config = {
    bucket = "cairn-platform-dev-terraform-state"
    key    = "core-infra/terraform.tfstate"
    region = "ca-central-1"
  }
}

locals {
  domain = "order"
  tags = {
    Project     = "microservices-platform"
    Environment = var.environment
    Domain      = local.domain
    ManagedBy   = "terraform"
    Root        = "domain-order"
  }
}

module "aurora" {
  source = "../../../modules/aurora"

  identifier                 = "microservices-${local.domain}-${var.environment}"
  database_name              = "${local.domain}db"
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

module "microservice_base" {
  source = "../../../modules/microservice-base"

  domain                    = local.domain
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
  tags                      = local.tags
}
