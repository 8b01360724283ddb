# Core infrastructure of staging: everything is in modules/platform-core-infra;
# this root holds the state backend, the providers and staging's values.

terraform {
  required_version = ">= 1.6.0"

  backend "s3" {
    bucket         = "cairn-platform-staging-terraform-state"
    key            = "core-infra/terraform.tfstate"
    region         = "ca-central-1"
    dynamodb_table = "cairn-platform-staging-terraform-lock"
    encrypt        = true
  }
}

module "core_infra" {
  source = "../../../modules/platform-core-infra"

  environment             = "staging"
  region                  = "ca-central-1"
  availability_zones      = ["ca-central-1a", "ca-central-1b", "ca-central-1d"]
  vpc_cidr                = "10.10.0.0/16"
  single_nat_gateway      = true
  flow_log_retention_days = 30
  endpoint_public_access  = false
  # Replace with the operators' egress ranges.
  operator_cidrs        = ["198.51.100.0/24"]
  node_instance_type    = "t3.small"
  node_min_size         = 1
  node_max_size         = 3
  node_desired_size     = 2
  backup_retention_days = 30
  cairn_image_tag       = var.cairn_image_tag
}
