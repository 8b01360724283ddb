# Shared infrastructure of one environment: network, EKS, registries, the
# CDN, the VPN, cairn (object storage) and backups of cairn's volumes.
# Called once per environment by environments/<env>/core-infra, which holds
# only the state backend, the providers and this environment's values; the
# domain roots read that root's outputs through terraform_remote_state.

locals {
  name         = "microservices-${var.environment}"
  cluster_name = "aws-eks-cluster-${var.environment}-microservices"
  tags = {
    Project     = "microservices-platform"
    Environment = var.environment
    ManagedBy   = "terraform"
    Root        = "core-infra"
  }
  services = [
    "user-api", "user-auth", "user-profile", "user-notification",
    "product-api", "product-search", "product-recommendation", "product-inventory",
    "order-api", "order-worker", "order-scheduler",
  ]
  cdn_bucket = "cairn-platform-${var.environment}-cdn-origin"
}

module "vpc" {
  source = "../vpc"

  name                    = local.name
  cidr_block              = var.vpc_cidr
  availability_zones      = var.availability_zones
  cluster_name            = local.cluster_name
  single_nat_gateway      = var.single_nat_gateway
  flow_log_retention_days = var.flow_log_retention_days
  tags                    = local.tags
}

module "openvpn" {
  source = "../openvpn"

  name          = "${local.name}-vpn"
  vpc_id        = module.vpc.vpc_id
  vpc_cidr      = module.vpc.vpc_cidr_block
  subnet_id     = module.vpc.public_subnet_ids[0]
  allowed_cidrs = var.operator_cidrs
  tags          = local.tags
}

module "eks" {
  source = "../eks"

  cluster_name                 = local.cluster_name
  cluster_version              = var.cluster_version
  vpc_id                       = module.vpc.vpc_id
  subnet_ids                   = module.vpc.private_subnet_ids
  endpoint_public_access       = var.endpoint_public_access
  endpoint_public_access_cidrs = var.operator_cidrs
  api_allowed_cidrs            = [var.vpc_cidr, module.openvpn.client_cidr]
  node_instance_types          = [var.node_instance_type]
  node_min_size                = var.node_min_size
  node_max_size                = var.node_max_size
  node_desired_size            = var.node_desired_size
  tags                         = local.tags
}

module "ecr" {
  source = "../ecr"

  prefix       = var.environment
  repositories = concat(["cairn"], local.services)
  tags         = local.tags
}

module "s3" {
  source = "../s3"

  buckets = {
    (local.cdn_bucket) = {
      versioning             = true
      noncurrent_expire_days = 30
      purpose                = "cdn-origin"
    }
  }
  tags = local.tags
}

module "cloudfront" {
  source = "../cloudfront"

  name                               = "${local.name}-cdn"
  origin_bucket_id                   = module.s3.bucket_ids[local.cdn_bucket]
  origin_bucket_arn                  = module.s3.bucket_arns[local.cdn_bucket]
  origin_bucket_regional_domain_name = module.s3.bucket_regional_domain_names[local.cdn_bucket]
  tags                               = local.tags
}

module "object_storage" {
  source = "../object-storage"

  environment      = var.environment
  image_repository = module.ecr.repository_urls["cairn"]
  image_tag        = var.cairn_image_tag

  depends_on = [module.eks]
}

# Daily snapshots of cairn's EBS volumes (tagged by the gp3 StorageClass).
resource "aws_backup_vault" "this" {
  name = "${local.name}-backups"
}

resource "aws_backup_plan" "cairn" {
  name = "${local.name}-cairn-volumes"

  rule {
    rule_name         = "daily"
    target_vault_name = aws_backup_vault.this.name
    schedule          = "cron(0 4 * * ? *)"

    lifecycle {
      delete_after = var.backup_retention_days
    }
  }
}

data "aws_iam_policy_document" "backup_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["backup.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "backup" {
  name               = "${local.name}-backup"
  assume_role_policy = data.aws_iam_policy_document.backup_assume.json
}

resource "aws_iam_role_policy_attachment" "backup" {
  role       = aws_iam_role.backup.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup"
}

resource "aws_backup_selection" "cairn" {
  name         = "cairn-drives"
  plan_id      = aws_backup_plan.cairn.id
  iam_role_arn = aws_iam_role.backup.arn

  selection_tag {
    type  = "STRINGEQUALS"
    key   = "platform/backup"
    value = "daily"
  }
}
