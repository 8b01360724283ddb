# Core infrastructure of dev: everything is in modules/platform-core-infra;
# this root holds the state backend, the providers and dev's values.

terraform {
  required_version = ">= 1.6.0"

  backend "s3" {
    bucket         = "cairn-platform-dev-terraform-state"
    key            = "core-infra/terraform.tfstate"
    region         = "ca-central-1"
    dynamodb_table = "cairn-platform-dev-terraform-lock"
    encrypt        = true
  }
}

module "core_infra" {
  source = "../../../modules/platform-core-infra"

  environment             = "dev"
  region                  = "ca-central-1"
  availability_zones      = ["ca-central-1a", "ca-central-1b", "ca-central-1d"]
  vpc_cidr                = "10.0.0.0/16"
  single_nat_gateway      = true
  flow_log_retention_days = 0
  endpoint_public_access  = true
  # Replace with the operators' egress ranges.
  operator_cidrs        = ["198.51.100.0/24"]
  node_instance_type    = "t3.medium"
  node_min_size         = 2
  node_max_size         = 5
  node_desired_size     = 3
  backup_retention_days = 7
  cairn_image_tag       = var.cairn_image_tag
}
